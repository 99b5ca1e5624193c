"""What host-based tenancy costs a request.

Times the full Django stack in-process (middleware, tenant resolution from the Host header,
search_path switch, membership check, template rendering) for three requests, all in one run:

  baseline  GET /            on the public site, anonymous (one reference-data query)
  tenant    GET /            on an enterprise host, signed-in member (tenant + membership + members)
  unknown   GET /            on a host that matches no enterprise (404 page)

Prints p50/p95/mean per request and the tenant/baseline ratio.
"""

from _common import bench_enterprise, bench_line, measure, setup_django, summary

REPEAT = 400


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    enterprise = bench_enterprise(slug="bench-a", credit_body="91110000MA0BENCH1")
    owner = enterprise.owner
    connection.set_schema_to_public()

    public = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    member = Client(HTTP_HOST=f"bench-a.{settings.PORTAL_DOMAIN}")
    member.force_login(owner)
    unknown = Client(HTTP_HOST=f"nobody.{settings.PORTAL_DOMAIN}")

    def get(client, status):
        def call():
            response = client.get("/")
            assert response.status_code == status, response.status_code

        return call

    results = {
        "baseline (public home)": summary(measure(get(public, 200), repeat=REPEAT)),
        "tenant (member home)": summary(measure(get(member, 200), repeat=REPEAT)),
        "unknown host (404)": summary(measure(get(unknown, 404), repeat=REPEAT)),
    }
    print(f"{'request':<26} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'n':>5}")
    for name, s in results.items():
        print(f"{name:<26} {s['p50']:8.2f} {s['p95']:8.2f} {s['mean']:8.2f} {s['n']:5d}")
    base = results["baseline (public home)"]
    tenant = results["tenant (member home)"]
    ratio = tenant["p50"] / base["p50"]
    print(f"tenant / baseline p50 ratio: {ratio:.2f}x")
    bench_line("routing_public_home_p50_ms", base["p50"], "ms")
    bench_line("routing_tenant_home_p50_ms", tenant["p50"], "ms")
    bench_line("routing_tenant_home_p95_ms", tenant["p95"], "ms")
    bench_line("routing_tenant_vs_public_x", ratio, "x")


if __name__ == "__main__":
    main()

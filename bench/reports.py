"""What the regional reports cost as the region grows, and what reading tenant schemas would cost.

For 100, 1,000 and 10,000 enterprises (rows in the public schema, spread over the 14 report cities,
the 31 manufacturing divisions, the four sizes and eight quarters, each with one or two approved
assessments as fact rows; the report cells rebuilt from them), times in one run:

  selector   the dashboard's reads (selectors.dashboard): 14 cities, the last four quarters
  api        GET /api/v1/reports/dashboard/ in-process (middleware, session, DRF, JSON), region admin
  facts      the same city figures computed straight from the fact rows (GROUP BY, no cells):
             the baseline the cells are measured against

Then builds 200 real tenant schemas (clones of the template, one verified assessment each; kept in
var/bench for the next run) and times the naive alternative: a UNION ALL over the schemas for the same
per-city figure (verified enterprises, average score, levels), over 50 and over 200 of them, to show
its cost per schema.

Prints p50/p95 per size, and BENCH lines: report_api_p95_ms_{100,1000,10000}, report_facts_vs_cells_x_10000
(straight from the facts / the cells' selector, p95, at 10,000), report_growth_x (the
10,000 figure over the 100 one), report_union_all_p95_ms_200. The seeded rows are removed afterwards.
"""

import datetime
import random

from _common import bench_line, measure, setup_django, summary

SIZES = (100, 1000, 10_000)
REPEAT = 200
UNION_SCHEMAS = 200
UNION_REPEAT = 40
PREFIX = "rbench_"


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from manufacturing.frameworks.models import Framework
    from reports import selectors
    from reports.forms import ReportFilterForm
    from tenants.models import User
    from tenants.services import user_create

    admin = User.objects.filter(email="bench-reports@example.com").first() or user_create(
        email="bench-reports@example.com",
        password="bench-pass-123",
        name="Bench admin",
        platform_role="regional_admin",
    )
    framework = Framework.objects.get(is_default=True)

    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    client.force_login(admin)
    form = ReportFilterForm(QueryDict(), admin=admin)
    assert form.is_valid(), form.errors
    filters = form.filters()

    def direct_from_facts():
        """The same per-city figures straight from the fact rows: the baseline without cells."""
        until = filters.until
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT city_id, count(*), avg(total), level, count(*) FROM review_assessmentfact
                   WHERE framework_id = %s AND counted_from <= %s
                     AND (counted_until IS NULL OR counted_until > %s)
                   GROUP BY GROUPING SETS ((city_id), (city_id, level))""",
                [framework.pk, until, until],
            )
            return cursor.fetchall()

    def api():
        response = client.get("/api/v1/reports/dashboard/")
        assert response.status_code == 200, response.content[:300]

    results = {}
    try:
        for n in SIZES:
            seed(n, admin=admin, framework=framework)
            results[n] = {
                "selector": summary(
                    measure(lambda: selectors.dashboard(filters, admin=admin), repeat=REPEAT)
                ),
                "api": summary(measure(api, repeat=REPEAT)),
                "facts": summary(measure(direct_from_facts, repeat=REPEAT)),
            }
    finally:
        # Left behind, the seeded enterprises (rows without schemas) would break the next migration.
        clean()

    print(f"{'enterprises':>11} {'what':<9} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for n, figures in results.items():
        for what, s in figures.items():
            print(f"{n:>11} {what:<9} {s['p50']:8.2f} {s['p95']:8.2f} {s['mean']:8.2f}")

    quarter = UNION_SCHEMAS // 4
    union_small = summary(measure(union_all_query(framework, admin, quarter), repeat=UNION_REPEAT, warmup=3))
    union = summary(measure(union_all_query(framework, admin, UNION_SCHEMAS), repeat=UNION_REPEAT, warmup=3))
    for count, s in ((quarter, union_small), (UNION_SCHEMAS, union)):
        print(f"UNION ALL over {count} tenant schemas: p50 {s['p50']:.2f} ms, p95 {s['p95']:.2f} ms")
    per_schema = (union["p50"] - union_small["p50"]) / (UNION_SCHEMAS - quarter)
    print(
        f"UNION ALL: {per_schema:.3f} ms more per schema (p50), about {per_schema * 10_000:.0f} ms at 10,000 "
        f"schemas if it stayed linear; the cells' selector at 10,000 enterprises: "
        f"p50 {results[10_000]['selector']['p50']:.2f} ms"
    )
    growth = results[10_000]["api"]["p95"] / results[100]["api"]["p95"]
    facts_growth = results[10_000]["facts"]["p95"] / results[100]["facts"]["p95"]
    print(f"API p95 10,000 / 100: {growth:.2f}x (target <= 1.5x); straight from facts: {facts_growth:.2f}x")
    for n in SIZES:
        bench_line(f"report_api_p95_ms_{n}", results[n]["api"]["p95"], "ms")
    bench_line("report_growth_x", growth, "x")
    for n in SIZES:  # the baseline: the same figures straight from the facts, per selector time
        ratio = results[n]["facts"]["p95"] / results[n]["selector"]["p95"]
        print(f"straight from facts / from the cells, p95 at {n:,}: {ratio:.2f}x")
    bench_line("report_facts_vs_cells_x_10000", ratio, "x")
    bench_line("report_union_all_p95_ms_200", union["p95"], "ms")


def seed(n: int, *, admin, framework) -> int:
    """n enterprises with one or two approvals each, over the last eight quarters; cells rebuilt."""
    from django.db import connection

    from manufacturing.review.models import AssessmentFact
    from reports import rollup, selectors
    from tenants.models import Enterprise, Industry

    axes = selectors.axes(framework)
    cities = list(selectors.report_cities().values_list("code", flat=True))
    industries = list(Industry.objects.values_list("code", flat=True))
    bands = [b for b, _label in Enterprise.RevenueBand.choices]
    now_quarter = selectors.current_quarter()
    quarters = list(range(now_quarter - 7, now_quarter + 1))
    clean()
    rng = random.Random(n)
    enterprises = []
    for i in range(n):
        registered = rng.choice(quarters)
        enterprises.append(
            Enterprise(
                name=f"基准报表企业{i}",
                name_en=f"Report bench {i}",
                schema_name=f"{PREFIX}{i}",
                slug=f"rbench-{i}",
                owner=admin,
                status=Enterprise.Status.READY,
                provisioned_at=rollup.quarter_start(registered) + datetime.timedelta(days=rng.randint(0, 80)),
                city_id=rng.choice(cities),
                industry_id=rng.choice(industries),
                revenue_band=rng.choice(bands),
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=2000)

    facts = []
    for e in Enterprise.objects.filter(schema_name__startswith=PREFIX):
        first = rollup.quarter_of(e.provisioned_at)
        for k in range(rng.choice((1, 1, 2))):
            total = round(rng.uniform(5, 95), 1)
            facts.append(
                AssessmentFact(
                    tenant=e,
                    assessment_id=k + 1,
                    enterprise_name=e.name,
                    enterprise_name_en=e.name_en,
                    city_id=e.city_id,
                    province_code="",
                    industry_id=e.industry_id,
                    industry_section="C",
                    size=e.revenue_band,
                    framework=framework,
                    total=total,
                    level=min(4, int(total // 20)),
                    dimension_scores=[
                        {"key": key, "score": round(total * maximum / axes.maximum, 2), "max": maximum}
                        for key, _name, maximum in axes.dimensions
                    ],
                    self_total=total,
                    self_level=min(4, int(total // 20)),
                    approved_at=rollup.quarter_start(rng.randint(first, now_quarter))
                    + datetime.timedelta(days=rng.randint(0, 80), hours=k),
                )
            )
    AssessmentFact.objects.bulk_create(facts, batch_size=2000)
    rebuilt = rollup.rebuild()
    with connection.cursor() as cursor:  # what autovacuum does after a bulk load, at once
        for table in ("reports_verifiedcell", "reports_industryspan", "reports_registeredcell"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE review_assessmentfact")
    print(f"seeded {n} enterprises, {len(facts)} facts, {rebuilt['verified_cells']} verified cells")
    return len(facts)


def clean() -> None:
    from manufacturing.review.models import AssessmentFact
    from reports import rollup
    from tenants.models import Enterprise

    AssessmentFact.objects.filter(tenant__schema_name__startswith=PREFIX).delete()
    Enterprise.objects.filter(schema_name__startswith=PREFIX).delete()
    rollup.rebuild()


def union_all_query(framework, admin, count: int):
    """Makes (once; kept in var/bench) `count` tenant schemas with one verified assessment each, and
    returns the naive report: the per-city figure as a UNION ALL over every schema."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context, schema_exists

    from manufacturing.models import Assessment
    from reports import selectors
    from tenants.schema import schema_clone

    rng = random.Random(200)
    cities = list(selectors.report_cities().values_list("code", flat=True))
    schemas = []
    for i in range(count):
        name = f"rbench_union_{i:03d}"
        city = rng.choice(cities)
        if not schema_exists(name):
            schema_clone(schema_name=name)
        with schema_context(name):
            if not Assessment.objects.filter(status="verified").exists():
                total = round(rng.uniform(5, 95), 1)
                Assessment.objects.create(
                    framework=framework,
                    status="verified",
                    created_by=admin,
                    result={"total": total, "level": min(4, int(total // 20))},
                    verified_result={"total": total, "level": min(4, int(total // 20))},
                    verified_at=timezone.now(),
                )
        schemas.append((name, city))
    connection.set_schema_to_public()
    parts = [
        f"""SELECT '{city}' AS city, {i} AS tenant, verified_at,
               (verified_result->>'total')::float AS total, (verified_result->>'level')::int AS level
           FROM "{name}".manufacturing_assessment WHERE status = 'verified' AND framework_id = %s"""
        for i, (name, city) in enumerate(schemas)
    ]
    sql = f"""WITH latest AS (
                SELECT DISTINCT ON (tenant) city, total, level FROM ({" UNION ALL ".join(parts)}) AS every
                ORDER BY tenant, verified_at DESC)
              SELECT city, count(*), avg(total), level, count(*) FROM latest
              GROUP BY GROUPING SETS ((city), (city, level))"""
    params = [framework.pk] * len(schemas)

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


if __name__ == "__main__":
    main()

"""How long a new enterprise waits for its workspace: cloning the template schema vs migrating.

Creates N enterprises each way in one run, timing the provisioning service (schema + owner
membership + status), the work the Celery task does:

  clone    TENANT_CREATION_FAKES_MIGRATIONS=True: clone tenant_template, fake-apply migrations
  migrate  TENANT_CREATION_FAKES_MIGRATIONS=False: CREATE SCHEMA and run every tenant migration

Every tenant app is installed (the same settings as production). The enterprises are removed
afterwards. N defaults to 10; set BENCH_PROVISION_N to change it.
"""

import os
import statistics
import time
import uuid

from _common import bench_line, percentile, setup_django

N = int(os.environ.get("BENCH_PROVISION_N", "10"))


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import override_settings
    from stdnum.cn import uscc

    from tenants import registration
    from tenants.models import Enterprise, Industry, Region

    city, industry = Region.objects.get(code="130100"), Industry.objects.get(code="C39")

    def register():
        body = f"91130100MA{uuid.uuid4().int % 10**7:07d}"
        return registration.enterprise_register(
            name="基准开通企业",
            name_en=f"bench-{uuid.uuid4().hex[:8]}",
            credit_code=body + uscc.calc_check_digit(body),
            city=city,
            district=None,
            industry=industry,
            employees=10,
            revenue_band="lt3m",
            contact_phone="+8613800138000",
            owner_email="bench-provision@example.com",
            owner_name="Bench",
            password="bench-pass-123",
            accept_terms=None,
            send_emails=False,
            provision_async=False,
        )

    def provision_times(fakes_migrations: bool) -> list[float]:
        samples = []
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=fakes_migrations):
            for _ in range(N):
                enterprise = register()
                started = time.perf_counter()
                registration.enterprise_provision(enterprise_id=enterprise.pk)
                samples.append(time.perf_counter() - started)
                connection.set_schema_to_public()
        return samples

    provision_times(True)  # warm-up: imports, the clone function, the migration graph
    clone = provision_times(True)
    migrate = provision_times(False)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_template'"
        )
        tables = cursor.fetchone()[0]
    for enterprise in Enterprise.objects.filter(name="基准开通企业"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{enterprise.schema_name}" CASCADE')
        enterprise.user_set.clear()
        enterprise.domains.all().delete()
        Enterprise.objects.filter(pk=enterprise.pk).delete()

    print(f"tenant schema: {tables} tables; {N} enterprises each way")
    print(f"{'way':<10} {'median s':>9} {'p95 s':>8} {'min s':>8} {'max s':>8}")
    for name, samples in (("clone", clone), ("migrate", migrate)):
        print(
            f"{name:<10} {statistics.median(samples):9.3f} {percentile(samples, 95):8.3f} "
            f"{min(samples):8.3f} {max(samples):8.3f}"
        )
    speedup = statistics.median(migrate) / statistics.median(clone)
    print(f"migrate median / clone median: {speedup:.1f}x")
    bench_line("provision_clone_median_s", statistics.median(clone), "s")
    bench_line("provision_clone_p95_s", percentile(clone, 95), "s")
    bench_line("provision_migrate_median_s", statistics.median(migrate), "s")
    bench_line("provision_speedup_x", speedup, "x")


if __name__ == "__main__":
    main()

"""Helpers for the benchmark scripts: Django set-up against the runner's bench database, timing."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def setup_django() -> None:
    import django
    from django.core.management import call_command

    # Files a bench uploads stay with the bench's own data, not the platform's (var/media).
    root = Path(__file__).resolve().parent.parent
    os.environ.setdefault("MEDIA_ROOT", str(root / "var" / "bench" / "media"))
    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are measured on purpose
    for name in ("tenants", "axes"):  # one line per enterprise or sign-in would drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    call_command("setup_platform", no_demo=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def measure(fn: Callable[[], object], *, repeat: int, warmup: int = 20) -> list[float]:
    """Wall-clock milliseconds of each call, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(samples),
        "p95": percentile(samples, 95),
        "mean": statistics.fmean(samples),
        "n": len(samples),
    }


def bench_line(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def bench_enterprise(*, slug: str, credit_body: str, city: str = "110000", industry: str = "C34"):
    """The benchmark's own enterprise (made once, kept in var/bench): registered and provisioned
    through the real services. `credit_body` is the credit code's first 17 characters."""
    from django.db import connection
    from stdnum.cn import uscc

    from tenants import registration
    from tenants.models import Enterprise, Industry, Region

    enterprise = Enterprise.objects.filter(slug=slug).first()
    if enterprise is None:
        enterprise = registration.enterprise_create_ready(
            name="基准测试企业",
            name_en=slug,
            credit_code=credit_body + uscc.calc_check_digit(credit_body),
            city=Region.objects.get(code=city),
            district=None,
            industry=Industry.objects.get(code=industry),
            employees=100,
            revenue_band="3m-20m",
            contact_phone="+8613800138000",
            owner_email=f"{slug}@example.com",
            owner_name="Bench",
            password="bench-pass-123",
        )
    connection.set_schema_to_public()
    return enterprise

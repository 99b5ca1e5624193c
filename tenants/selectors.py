"""Reads for enterprises and reference data."""

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import Enterprise, Industry, Region


def report_city_list() -> QuerySet[Region]:
    return Region.objects.filter(is_report_city=True).order_by("code")


def industry_list() -> QuerySet[Industry]:
    return Industry.objects.order_by("code")


def enterprise_list_for_user(*, user) -> QuerySet[Enterprise]:
    """The enterprises whose workspace the user may open (never the public tenant row)."""
    if not user.is_authenticated:
        return Enterprise.objects.none()
    return (
        user.tenants.exclude(schema_name=get_public_schema_name())
        .filter(status=Enterprise.Status.READY)
        .select_related("city", "industry")
        .prefetch_related("domains")
        .order_by("name")
    )


def enterprise_counts_by_state() -> dict[str, int]:
    """How many enterprises are in each state, in one grouped count (the metrics read it at every
    scrape). Every state is listed, 0 included: the provisioning status (pending, failed, ready),
    and for a ready enterprise that is not active its lifecycle state (suspended, closing, closed:
    tenants/lifecycle.py) instead of "ready"."""
    from django.db.models import Count

    active = Enterprise.Lifecycle.ACTIVE
    states = [*Enterprise.Status.values, *(v for v in Enterprise.Lifecycle.values if v != active)]
    counts = dict.fromkeys(states, 0)
    rows = Enterprise.objects.exclude(schema_name=get_public_schema_name()).values_list("status", "lifecycle")
    for status, lifecycle, count in rows.annotate(count=Count("pk")).order_by():
        state = lifecycle if status == Enterprise.Status.READY and lifecycle != active else status
        counts[state] += count
    return counts

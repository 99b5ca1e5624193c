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

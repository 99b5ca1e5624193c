"""The financing facts the regional figures read: one row per submitted request, upserted from the
request itself, so a redelivered or repeated task writes the same row."""

from decimal import Decimal

from django.db import transaction
from django_tenants.utils import tenant_context

from finance.lending.models import FinancingFact
from finance.models import FinancingRequest
from tenants.models import Enterprise

# Amount bands (CNY) of the regional figures.
BANDS = ((Decimal("1000000"), "lt1m"), (Decimal("10000000"), "1m-10m"), (Decimal("50000000"), "10m-50m"))


def amount_band(amount: Decimal) -> str:
    for limit, name in BANDS:
        if amount < limit:
            return name
    return "ge50m"


@transaction.atomic
def financing_publish(*, tenant_id: int, request_id: int) -> FinancingFact | None:
    tenant = Enterprise.objects.select_related("city", "industry").get(pk=tenant_id)
    with tenant_context(tenant):
        request = FinancingRequest.objects.filter(pk=request_id).first()
        if request is None or request.submitted_at is None:
            return None  # a draft (or nothing): nothing to publish
        fact, _created = FinancingFact.objects.update_or_create(
            tenant=tenant,
            request_id=request.pk,
            defaults={
                "city": tenant.city,
                "industry": tenant.industry,
                "amount": request.amount,
                "amount_band": amount_band(request.amount),
                "purpose": request.purpose,
                "term_months": request.term_months,
                "status": request.status,
                "submitted_at": request.submitted_at,
            },
        )
    return fact

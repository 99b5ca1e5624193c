"""The financing facts the regional figures read: one row per submitted request, upserted from the
request itself, so a redelivered or repeated task writes the same row. An outbox row per request
(written with the change) lets the sweeper re-send what a lost message left unpublished."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from finance.lending.models import FinancingFact, FinancingOutbox
from finance.models import FinancingRequest
from tenants.models import Enterprise

# Amount bands (CNY) of the regional figures.
BANDS = ((Decimal("1000000"), "lt1m"), (Decimal("10000000"), "1m-10m"), (Decimal("50000000"), "10m-50m"))


def amount_band(amount: Decimal) -> str:
    for limit, name in BANDS:
        if amount < limit:
            return name
    return "ge50m"


def outbox_record(*, tenant: Enterprise, request_id: int) -> None:
    now = timezone.now()
    updated = FinancingOutbox.objects.filter(tenant=tenant, request_id=request_id).update(
        version=F("version") + 1, sent_at=now, completed_at=None, resends=0, gave_up_at=None
    )
    if not updated:
        FinancingOutbox.objects.create(tenant=tenant, request_id=request_id, sent_at=now)


@transaction.atomic
def financing_publish(*, tenant_id: int, request_id: int) -> FinancingFact | None:
    tenant = Enterprise.objects.select_related("city", "industry").get(pk=tenant_id)
    version = (
        FinancingOutbox.objects.filter(tenant=tenant, request_id=request_id)
        .values_list("version", flat=True)
        .first()
    )
    fact = _publish(tenant, request_id)
    # Only the version read before publishing: a change made meanwhile stays pending for its own task.
    FinancingOutbox.objects.filter(tenant=tenant, request_id=request_id, version=version).update(
        completed_at=timezone.now()
    )
    return fact


def _publish(tenant: Enterprise, request_id: int) -> FinancingFact | None:
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

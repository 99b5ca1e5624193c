"""Exhibition facts for the region's reports: one row per booth (models.ExhibitionFact).

`fact_refresh` is called inside the transaction of each change it counts and recounts the row from the
public rows it summarises (the listing, delivered inquiries, bookings not cancelled) under the fact's
row lock. It is idempotent: called twice, or by a redelivered task, it writes the same row, and two
changes committing at once are counted in turn, the second after the first's commit.
"""

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from exhibition.hall.models import Booking, BoothListing, ExhibitionFact, Inquiry
from exhibition.hall.policy import published_q
from tenants.models import Enterprise

EXHIBITED = Q(first_published_at__isnull=False)
# What the reports sum over facts: booths registered, booths that went into the hall, inquiries, meetings.
FIGURES = {
    "registered": Count("pk"),
    "booths": Count("pk", filter=EXHIBITED),
    "inquiries": Sum("inquiries", default=0),
    "meetings": Sum("meetings", default=0),
}


@transaction.atomic
def fact_refresh(
    *, tenant_id: int, booth_id: int, exhibition_id: int | None = None, section_id: int | None = None
) -> ExhibitionFact | None:
    """`exhibition_id` creates the row when it is missing (registration; and any booth registered
    before facts existed, at its next change); without it a missing row stays missing."""
    enterprise = Enterprise.objects.only("city_id", "industry_id", "revenue_band").get(pk=tenant_id)
    if exhibition_id is not None:
        ExhibitionFact.objects.bulk_create(
            [
                ExhibitionFact(
                    tenant_id=tenant_id,
                    booth_id=booth_id,
                    exhibition_id=exhibition_id,
                    section_id=section_id,
                    registered_at=timezone.now(),
                )
            ],
            ignore_conflicts=True,
        )
    fact = ExhibitionFact.objects.select_for_update().filter(tenant_id=tenant_id, booth_id=booth_id).first()
    if fact is None:
        return None
    # Published, whatever the enterprise's lifecycle: a suspension hides the booth, it does not
    # unpublish it (the reports' "booths exhibited" must not change with it).
    listing = BoothListing.objects.filter(published_q(), tenant_id=tenant_id, booth_id=booth_id).first()
    fact.live = listing is not None
    if listing is not None:
        fact.first_published_at = fact.first_published_at or listing.published_at or timezone.now()
        fact.section_id = listing.section_id or fact.section_id
    elif section_id is not None:
        fact.section_id = section_id
    fact.city_id, fact.industry_id, fact.size = (
        enterprise.city_id,
        enterprise.industry_id,
        enterprise.revenue_band,
    )
    fact.inquiries = Inquiry.objects.filter(
        tenant_id=tenant_id, booth_id=booth_id, delivered_at__isnull=False
    ).count()
    fact.meetings = Booking.objects.filter(
        slot__tenant_id=tenant_id, booth_id=booth_id, slot__cancelled_at__isnull=True
    ).count()
    fact.save()
    return fact

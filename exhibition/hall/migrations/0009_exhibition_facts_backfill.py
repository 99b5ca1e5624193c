"""Exhibition facts for what was in the hall before facts existed: one per booth listing, counted from
its delivered inquiries; bookings made before they recorded their booth are credited to the
enterprise's booth when it has exactly one in the hall. (Booths registered but never published, which
live only in the enterprises' schemas, get their fact at their next change.)"""

from django.db import migrations


def backfill(apps, schema_editor):
    BoothListing = apps.get_model("hall", "BoothListing")
    Booking = apps.get_model("hall", "Booking")
    ExhibitionFact = apps.get_model("hall", "ExhibitionFact")
    Inquiry = apps.get_model("hall", "Inquiry")
    Enterprise = apps.get_model("tenants", "Enterprise")

    for booking in Booking.objects.filter(booth_id__isnull=True).select_related("slot"):
        listings = list(BoothListing.objects.filter(tenant_id=booking.slot.tenant_id, live=True)[:2])
        if len(listings) == 1:
            booking.booth_id, booking.exhibition_id = listings[0].booth_id, listings[0].exhibition_id
            booking.save(update_fields=["booth_id", "exhibition"])
    for listing in BoothListing.objects.all():
        if ExhibitionFact.objects.filter(tenant_id=listing.tenant_id, booth_id=listing.booth_id).exists():
            continue
        enterprise = Enterprise.objects.get(pk=listing.tenant_id)
        ExhibitionFact.objects.create(
            tenant_id=listing.tenant_id,
            booth_id=listing.booth_id,
            exhibition_id=listing.exhibition_id,
            section_id=listing.section_id,
            city_id=enterprise.city_id,
            industry_id=enterprise.industry_id,
            size=enterprise.revenue_band or "",
            registered_at=listing.requested_at,
            first_published_at=listing.published_at if listing.live else None,
            live=listing.live,
            inquiries=Inquiry.objects.filter(
                tenant_id=listing.tenant_id, booth_id=listing.booth_id, delivered_at__isnull=False
            ).count(),
            meetings=Booking.objects.filter(
                slot__tenant_id=listing.tenant_id, booth_id=listing.booth_id, slot__cancelled_at__isnull=True
            ).count(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0008_inquiry_reply"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

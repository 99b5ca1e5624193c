"""The exhibition cloud's part of an enterprise's data export (core/data_export.py): products and
their pictures, booths, leads, and on the public hall its listings, meeting slots and bookings."""

from django.utils.translation import gettext_lazy as _

from core import data_export

AREA = "exhibition"


def register() -> None:
    from exhibition.hall.models import Booking, BoothListing, ExhibitionFact, MeetingSlot
    from exhibition.models import Booth, FeaturedProduct, Lead, Product, ProductImage

    Table = data_export.Table
    data_export.register(
        Table(AREA, "products", Product, _("The product catalogue.")),
        Table(
            AREA, "product_images", ProductImage, _("Product pictures; the files are under files/products/.")
        ),
        Table(AREA, "booths", Booth, _("Booths at exhibitions (drafts and published).")),
        Table(
            AREA, "featured_products", FeaturedProduct, _("The products featured at each booth, in order.")
        ),
        Table(AREA, "leads", Lead, _("Buyers' inquiries received, and the replies.")),
        Table(
            AREA,
            "listings",
            BoothListing,
            _("The booths as published in the public hall."),
            rows=lambda enterprise: BoothListing.objects.filter(tenant=enterprise),
        ),
        Table(
            AREA,
            "meeting_slots",
            MeetingSlot,
            _("Meeting times offered to buyers."),
            rows=lambda enterprise: MeetingSlot.objects.filter(tenant=enterprise),
        ),
        Table(
            AREA,
            "bookings",
            Booking,
            _("Buyers' bookings of the meeting times."),
            rows=lambda enterprise: Booking.objects.filter(slot__tenant=enterprise),
        ),
        Table(
            AREA,
            "exhibition_facts",
            ExhibitionFact,
            _("Each booth's participation as the regional reports count it."),
            rows=lambda enterprise: ExhibitionFact.objects.filter(tenant=enterprise),
        ),
    )

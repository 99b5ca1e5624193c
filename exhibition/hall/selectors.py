"""Reads of the public hall, shared by its pages and its API. The hall's browsing reads come from the
read replica when there is one (core/replica.py)."""

from django.db.models import QuerySet

from core.api import small_id
from core.replica import read_alias
from exhibition.hall import policy
from exhibition.hall.models import Booking, BoothListing, Exhibition, Inquiry, MeetingSlot

FILTERS = ("q", "section", "city", "industry", "tag")


def hall_filters(params) -> dict[str, str]:
    """The hall's filters from a query string, trimmed; a value of the wrong shape is ignored."""
    return {key: (params.get(key) or "").strip()[:100] for key in FILTERS}


def hall_listings(exhibition: Exhibition, chosen: dict[str, str]) -> QuerySet[BoothListing]:
    """The exhibition's booths in the hall (policy.exhibition_listings): keyword in Chinese or English,
    section, city, industry division and product tag."""
    from exhibition.hall.search import keyword_grams
    from exhibition.models import Product

    rows = (
        policy.exhibition_listings(exhibition, BoothListing.objects.using(read_alias()))
        .select_related("city", "industry", "section")
        .defer("pending", "search_text", "search_grams")  # wide, and never shown
    )
    keyword = chosen["q"].lower().replace("\x00", "")
    if keyword:
        needed = keyword_grams(keyword)
        if needed:
            rows = rows.filter(search_grams__contains=needed)  # the index narrows...
        rows = rows.filter(search_text__contains=keyword)  # ...and the phrase decides
    if small_id(chosen["section"]):
        rows = rows.filter(section_id=small_id(chosen["section"]))
    if chosen["city"].isascii() and chosen["city"].isdecimal():
        rows = rows.filter(city_id=chosen["city"])
    if chosen["industry"].isascii() and chosen["industry"].isalnum():
        rows = rows.filter(industry_id=chosen["industry"])
    if chosen["tag"] in Product.Tag.values:
        rows = rows.filter(tags__contains=[chosen["tag"]])
    return rows


def public_exhibitions() -> QuerySet[Exhibition]:
    return Exhibition.objects.using(read_alias()).filter(policy.public_exhibitions_q())


def public_listing(listing_id) -> BoothListing | None:
    return (
        policy.visible_listings(BoothListing.objects.using(read_alias()))
        .select_related("exhibition", "section", "city", "industry")
        .filter(pk=listing_id)
        .first()
    )


def upcoming_slots(tenant_id: int) -> QuerySet[MeetingSlot]:
    """An enterprise's slots not yet over, with their bookings (its slots page and API)."""
    from django.utils import timezone

    return (
        MeetingSlot.objects.filter(tenant_id=tenant_id, ends_at__gt=timezone.now())
        .select_related("booking__buyer")
        .order_by("starts_at")
    )


def buyer_bookings(user) -> QuerySet[Booking]:
    return Booking.objects.filter(buyer=user).select_related("slot__tenant").order_by("slot__starts_at")


def buyer_inquiries(user) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(buyer=user).select_related("tenant", "listing").order_by("-created_at")

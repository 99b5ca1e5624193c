"""When a booth is visible in the public hall: the one rule, used by the hall's pages, its API, the
buyers' inquiries and bookings, the exhibition facts and the publishing worker alike.

The rule has two halves.

Publishing (the enterprise's side): a booth may be published once it has something to show, an
introduction or a featured product (`booth_publishable`); the worker copies a booth only while it is
published (`booth_copyable`): one unpublished meanwhile is removed, never resurrected.

Visibility (the public side): a booth is in the hall when its listing is live, i.e. the worker has
copied it at least once (a listing written with the publish request but not yet copied is empty and
shows nowhere), and its exhibition is public (registration open or closed, or ended; never a draft)
(`visible_listings`, `listing_visible`, `visible_q`), and its enterprise is active: one suspended
by an operator, or closing, shows nowhere until it is active again (tenants/lifecycle.py; the
listing itself and the exhibition facts stay). A withdrawn booth has no listing at all (unpublishing
deletes it), so it needs no clause here.
"""

from django.db.models import Q, QuerySet

from exhibition.hall.models import BoothListing, Exhibition
from tenants.models import Enterprise

ACTIVE = Enterprise.Lifecycle.ACTIVE


def exhibition_public(exhibition: Exhibition) -> bool:
    """Anyone may see the exhibition in the hall (not a draft)."""
    return exhibition.status in Exhibition.PUBLIC


def public_exhibitions_q() -> Q:
    """`exhibition_public` as a filter on exhibitions."""
    return Q(status__in=Exhibition.PUBLIC)


def published_q(prefix: str = "") -> Q:
    """The visibility rule without the enterprise's lifecycle: what the enterprise published. The
    exhibition facts count this, so that a suspension (which only hides the booth for a while) does
    not rewrite what the reports say was exhibited."""
    return Q(**{f"{prefix}live": True, f"{prefix}exhibition__status__in": Exhibition.PUBLIC})


def visible_q(prefix: str = "") -> Q:
    """The visibility rule as a filter on listings, or on rows that reach a listing through `prefix`
    (e.g. "listing__" for a listing's products)."""
    return published_q(prefix) & Q(**{f"{prefix}tenant__lifecycle": ACTIVE})


def visible_listings(rows: QuerySet[BoothListing] | None = None) -> QuerySet[BoothListing]:
    """The listings the public hall shows (of `rows`, by default of all listings)."""
    return (BoothListing.objects.all() if rows is None else rows).filter(visible_q())


def exhibition_listings(
    exhibition: Exhibition, rows: QuerySet[BoothListing] | None = None
) -> QuerySet[BoothListing]:
    """`visible_listings` of one exhibition already read: whether it is public is asked once, here,
    rather than joined into the listing query for every row (the hall's pages, search included)."""
    rows = BoothListing.objects.all() if rows is None else rows
    if not exhibition_public(exhibition):
        return rows.none()
    return rows.filter(exhibition=exhibition, live=True, tenant__lifecycle=ACTIVE)


def listing_visible(listing: BoothListing) -> bool:
    """`visible_listings` for one listing already read."""
    return listing.live and exhibition_public(listing.exhibition) and listing.tenant.lifecycle == ACTIVE


def booth_publishable(booth) -> bool:
    """The booth has something to show: an introduction (either language) or a featured product."""
    return bool(booth.intro_zh or booth.intro_en) or booth.featured.exists()


def booth_copyable(booth) -> bool:
    """The worker may copy this booth (exhibition.models.Booth, read in its enterprise's schema) into
    the hall: it exists and is published."""
    from exhibition.models import Booth

    return booth is not None and booth.status == Booth.Status.PUBLISHED

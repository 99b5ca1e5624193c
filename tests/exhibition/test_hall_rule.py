"""exhibition/hall/policy.py asked directly on listing rows: which listings the public hall shows (live,
of a public exhibition, of an active enterprise), in each of the rule's forms, and what a booth needs to
be published and copied. tests/exhibition/test_hall_policy.py sees the same rule through the hall's
doors."""

import datetime

import pytest
from django.utils import timezone

from exhibition.hall import policy
from exhibition.hall.models import BoothListing, Exhibition, ListingProduct
from tenants.models import Enterprise

pytestmark = pytest.mark.django_db

STATUSES = [
    Exhibition.Status.DRAFT,
    Exhibition.Status.OPEN,
    Exhibition.Status.CLOSED,
    Exhibition.Status.ENDED,
]
_booths = iter(range(9000, 10000))


def exhibition(status: str) -> Exhibition:
    today = timezone.localdate()
    return Exhibition.objects.create(
        name_zh=f"博览会{status}",
        name_en=f"Fair {status}",
        status=status,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=2),
        registration_deadline=today,
    )


def listing(enterprise, fair: Exhibition, *, live: bool) -> BoothListing:
    return BoothListing.objects.create(
        tenant=enterprise, booth_id=next(_booths), exhibition=fair, live=live, requested_at=timezone.now()
    )


@pytest.fixture
def hall(alpha, beta):
    """A listing per exhibition status, live or not, of alpha (active) and of beta (suspended)."""
    Enterprise.objects.filter(pk=beta.enterprise.pk).update(lifecycle=Enterprise.Lifecycle.SUSPENDED)
    fairs = {status: exhibition(status) for status in STATUSES}
    rows = {}
    for world, who in ((alpha, "active"), (beta, "suspended")):
        for status, fair in fairs.items():
            for live in (True, False):
                rows[(who, status, live)] = listing(world.enterprise, fair, live=live)
    return fairs, rows


def shown(keys_by_pk, pks) -> set:
    return {keys_by_pk[pk] for pk in pks if pk in keys_by_pk}


def test_an_exhibition_is_public_unless_a_draft():
    for status in STATUSES:
        fair = exhibition(status)
        assert policy.exhibition_public(fair) is (status != Exhibition.Status.DRAFT)
        assert Exhibition.objects.filter(policy.public_exhibitions_q(), pk=fair.pk).exists() is (
            status != Exhibition.Status.DRAFT
        )


def test_the_hall_shows_live_listings_of_public_exhibitions_of_active_enterprises(hall):
    _fairs, rows = hall
    keys = {row.pk: key for key, row in rows.items()}
    visible = {("active", status, True) for status in STATUSES if status != Exhibition.Status.DRAFT}
    assert shown(keys, policy.visible_listings().values_list("pk", flat=True)) == visible
    assert (
        shown(keys, BoothListing.objects.filter(policy.visible_q()).values_list("pk", flat=True)) == visible
    )
    assert {
        key for key, row in rows.items() if policy.listing_visible(BoothListing.objects.get(pk=row.pk))
    } == (visible)


def test_what_was_published_counts_whatever_the_enterprises_lifecycle(hall):
    """The exhibition facts' half of the rule: a suspension hides a booth, it does not unpublish it."""
    _fairs, rows = hall
    keys = {row.pk: key for key, row in rows.items()}
    published = {
        (who, status, True) for who in ("active", "suspended") for status in STATUSES if status != "draft"
    }
    assert (
        shown(keys, BoothListing.objects.filter(policy.published_q()).values_list("pk", flat=True))
        == published
    )


def test_the_rule_through_a_prefix_filters_the_listings_products(hall):
    _fairs, rows = hall
    products = {
        key: ListingProduct.objects.create(listing=row, product_id=row.booth_id, name_zh="产品")
        for key, row in rows.items()
    }
    keys = {p.pk: key for key, p in products.items()}
    visible = {("active", status, True) for status in STATUSES if status != "draft"}
    rows_visible = ListingProduct.objects.filter(policy.visible_q("listing__")).values_list("pk", flat=True)
    assert shown(keys, rows_visible) == visible
    published = ListingProduct.objects.filter(policy.published_q("listing__")).values_list("pk", flat=True)
    assert shown(keys, published) == visible | {("suspended", s, True) for s in STATUSES if s != "draft"}


def test_the_visible_listings_of_given_rows_are_among_those_rows(hall):
    fairs, rows = hall
    some = BoothListing.objects.filter(exhibition=fairs[Exhibition.Status.OPEN])
    keys = {row.pk: key for key, row in rows.items()}
    assert shown(keys, policy.visible_listings(some).values_list("pk", flat=True)) == {
        ("active", "open", True)
    }


@pytest.mark.parametrize("status", STATUSES)
def test_the_listings_of_one_exhibition_already_read(hall, status):
    fairs, rows = hall
    keys = {row.pk: key for key, row in rows.items()}
    expected = set() if status == "draft" else {("active", status, True)}
    assert shown(keys, policy.exhibition_listings(fairs[status]).values_list("pk", flat=True)) == expected
    alpha_only = BoothListing.objects.filter(tenant__lifecycle=Enterprise.Lifecycle.ACTIVE, live=True)
    assert shown(
        keys, policy.exhibition_listings(fairs[status], alpha_only).values_list("pk", flat=True)
    ) == (expected)
    none_of_it = BoothListing.objects.filter(exhibition=fairs["open" if status != "open" else "closed"])
    assert not policy.exhibition_listings(fairs[status], none_of_it).exists()

"""When a booth is visible in the public hall (exhibition/hall/policy.py): the one rule, seen through
every door that shows or uses a booth (the exhibition's page and API list, the booth's page and API,
its pictures, inquiries and bookings, the exhibition facts), and its publishing half (what may be
published, what the worker copies)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.api import ApplicationError
from exhibition import booths, services
from exhibition.hall import buyers, meetings, policy
from exhibition.hall.models import BoothListing, Exhibition, ExhibitionFact, MeetingSlot
from exhibition.hall.publishing import listing_publish
from exhibition.hall.selectors import hall_filters, hall_listings
from exhibition.models import Booth, Product
from tests.exhibition.test_booths import exhibit
from tests.exhibition.test_catalogue import picture
from tests.manufacturing.test_review import person

pytestmark = pytest.mark.django_db


def _doors(listing: BoothListing, exhibition: Exhibition) -> dict[str, bool]:
    """Whether the listing shows through each door of the hall."""
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/hall/{exhibition.pk}/")
    api = client.get(f"/api/v1/hall/exhibitions/{exhibition.pk}/booths/")
    product = listing.products.first()
    return {
        "list page": page.status_code == 200 and f"/hall/booths/{listing.pk}/" in page.content.decode(),
        "list API": api.status_code == 200 and listing.pk in [row["id"] for row in api.json()["results"]],
        "booth page": client.get(f"/hall/booths/{listing.pk}/").status_code == 200,
        "booth API": client.get(f"/api/v1/hall/booths/{listing.pk}/").status_code == 200,
        "picture": product is not None and client.get(f"/hall/images/{product.pk}/").status_code == 200,
        "selector": policy.visible_listings().filter(pk=listing.pk).exists(),
        "one listing": policy.listing_visible(BoothListing.objects.get(pk=listing.pk)),
    }


SHOWN = dict.fromkeys(
    ["list page", "list API", "booth page", "booth API", "picture", "selector", "one listing"], True
)
HIDDEN = dict.fromkeys(SHOWN, False)


def _inquiry_refused(listing) -> bool:
    try:
        buyers.inquiry_send(buyer=person("policy-buyer@example.com", ""), listing_id=listing.pk, message="?")
    except Http404:
        return True
    return False


def _booking_refused(world, listing) -> bool:
    start = timezone.now() + datetime.timedelta(days=1)
    slot = MeetingSlot.objects.create(
        tenant=world.enterprise, starts_at=start, ends_at=start + datetime.timedelta(minutes=30)
    )
    try:
        meetings.book(buyer=person("policy-booker@example.com", ""), slot_id=slot.pk, listing_id=listing.pk)
    except Http404:
        return True
    return False


def test_a_published_and_copied_booth_shows_everywhere(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo", tags=[], image=True)
    assert _doors(listing, fair["exhibition"]) == SHOWN
    assert not _inquiry_refused(listing) and not _booking_refused(alpha, listing)
    assert ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=listing.booth_id).live


def _published_not_copied(world, fair) -> BoothListing:
    """A booth featuring a product, published by its owner; the worker has not copied it yet."""
    with tenant_context(world.enterprise):
        product = Product.objects.create(name_zh="减速机", industry_id="C34", created_by=world.owner)
        booth = booths.booth_register(
            enterprise=world.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair["equipment"].pk,
            user=world.owner,
        )
        booth.featured.add(product)
        booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
    return BoothListing.objects.get(tenant=world.enterprise, booth_id=booth.pk)


def _hall_list(exhibition: Exhibition, **search: str) -> dict[str, list[int]]:
    """The ids listed for one exhibition (and a search of it), sorted, through each door that lists
    them; the rule's function takes no search."""
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/hall/{exhibition.pk}/", search)
    api = client.get(f"/api/v1/hall/exhibitions/{exhibition.pk}/booths/", search).json()
    return {
        "policy": sorted(row.pk for row in policy.exhibition_listings(exhibition)),
        "selector": sorted(row.pk for row in hall_listings(exhibition, hall_filters(search))),
        "page": sorted(row.pk for row in page.context["page"]),
        "API": sorted(row["id"] for row in api["results"]),
    }


def test_a_booth_published_but_not_yet_copied_shows_nowhere(alpha, fair):
    """The publish request writes an empty listing (live=False); only the worker's copy shows it."""
    listing = _published_not_copied(alpha, fair)
    assert not listing.live
    assert _doors(listing, fair["exhibition"]) == HIDDEN
    assert _inquiry_refused(listing) and _booking_refused(alpha, listing)
    assert not ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=listing.booth_id).live
    listing_publish(tenant_id=alpha.enterprise.pk, booth_id=listing.booth_id)  # the worker's copy
    assert _doors(listing, fair["exhibition"]) == {**SHOWN, "picture": False}  # no picture to show


def test_the_hall_list_leaves_out_a_booth_published_but_not_yet_copied(alpha, beta, fair):
    """Beta's booth is published, its listing written but not copied: the exhibition's list (the rule's
    function, the hall's selector, its page and its API) holds alpha's copied booth only."""
    _booth, copied = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo", tags=[])
    waiting = _published_not_copied(beta, fair)
    assert not waiting.live and waiting.exhibition_id == fair["exhibition"].pk
    doors = ["policy", "selector", "page", "API"]
    assert _hall_list(fair["exhibition"]) == {door: [copied.pk] for door in doors}
    listing_publish(tenant_id=beta.enterprise.pk, booth_id=waiting.booth_id)  # the worker's copy
    assert _hall_list(fair["exhibition"]) == {door: sorted([copied.pk, waiting.pk]) for door in doors}


def test_the_hall_search_finds_only_live_listings_whatever_text_they_hold(alpha, beta, fair):
    """Two copied booths whose text both match the keyword; one listing is then set not live. The
    search (selector, page, API) leaves it out: the rule is `live`, not an empty listing's missing
    text."""
    _b1, kept = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    _b2, hidden = exhibit(beta, fair, name_zh="伺服驱动器", name_en="Servo drive", tags=[])
    found = _hall_list(fair["exhibition"], q="servo")
    assert found["selector"] == found["page"] == found["API"] == sorted([kept.pk, hidden.pk])
    BoothListing.objects.filter(pk=hidden.pk).update(live=False)
    found = _hall_list(fair["exhibition"], q="servo")
    assert found["selector"] == found["page"] == found["API"] == [kept.pk]


def test_an_unpublished_booth_leaves_the_hall_and_a_late_copy_does_not_bring_it_back(alpha, fair):
    booth, listing = exhibit(alpha, fair, name_zh="机床", name_en="Lathe", tags=[])
    with tenant_context(alpha.enterprise):
        booths.booth_unpublish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
        assert not policy.booth_copyable(Booth.objects.get(pk=booth.pk))
    assert not BoothListing.objects.filter(pk=listing.pk).exists()
    assert listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk) is None  # a redelivered task
    assert not BoothListing.objects.filter(tenant=alpha.enterprise).exists()
    client = Client(HTTP_HOST="localhost")
    assert client.get(f"/hall/booths/{listing.pk}/").status_code == 404
    assert client.get(f"/api/v1/hall/booths/{listing.pk}/").status_code == 404
    assert _inquiry_refused(listing)
    assert not ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=booth.pk).live


def test_a_booth_of_an_exhibition_that_is_not_public_shows_nowhere(alpha, fair):
    """A copied listing of a draft exhibition: not in the hall, no inquiry, no booking (an exhibition
    cannot move back to draft by its buttons; the rule does not rely on that)."""
    _booth, listing = exhibit(alpha, fair, name_zh="机器人", name_en="Robot", tags=[], image=True)
    Exhibition.objects.filter(pk=fair["exhibition"].pk).update(status=Exhibition.Status.DRAFT)
    fair["exhibition"].refresh_from_db()
    assert not policy.exhibition_public(fair["exhibition"])
    assert Client(HTTP_HOST="localhost").get(f"/hall/{fair['exhibition'].pk}/").status_code == 404
    assert _doors(listing, fair["exhibition"]) == HIDDEN
    assert _inquiry_refused(listing) and _booking_refused(alpha, listing)
    # The list of one exhibition already read (the hall's page and search) asks the same rule.
    assert not policy.exhibition_listings(fair["exhibition"]).exists()
    assert not hall_listings(fair["exhibition"], hall_filters({})).exists()


@pytest.mark.parametrize(
    "status", [Exhibition.Status.OPEN, Exhibition.Status.CLOSED, Exhibition.Status.ENDED]
)
def test_booths_stay_in_the_hall_while_registration_is_open_closed_and_after_the_end(alpha, fair, status):
    _booth, listing = exhibit(alpha, fair, name_zh="传感器", name_en="Sensor", tags=[], image=True)
    Exhibition.objects.filter(pk=fair["exhibition"].pk).update(status=status)
    assert _doors(listing, fair["exhibition"]) == SHOWN
    fair["exhibition"].refresh_from_db()
    assert list(policy.exhibition_listings(fair["exhibition"])) == [listing]


def test_a_booth_is_publishable_with_an_introduction_or_a_featured_product_only(alpha, fair):
    with tenant_context(alpha.enterprise):
        booth = booths.booth_register(
            enterprise=alpha.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair["equipment"].pk,
            user=alpha.owner,
        )
        assert not policy.booth_publishable(booth)
        with pytest.raises(ApplicationError):
            booths.booth_publish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
        assert not BoothListing.objects.filter(tenant=alpha.enterprise).exists()
        for intro_zh, intro_en in (("主轴", ""), ("", "Spindles"), ("主轴", "Spindles")):
            booth.intro_zh, booth.intro_en = intro_zh, intro_en
            assert policy.booth_publishable(booth) is True
        booth.intro_zh = booth.intro_en = ""
        product = Product.objects.create(name_zh="主轴", industry_id="C34", created_by=alpha.owner)
        services.image_add(
            enterprise=alpha.enterprise, product=product, upload=SimpleUploadedFile("p.png", picture())
        )
        booth.featured.add(product)
        assert policy.booth_publishable(booth)
        assert not policy.booth_copyable(booth)  # registered, not published
        booths.booth_publish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
        assert policy.booth_copyable(Booth.objects.get(pk=booth.pk))
    assert policy.booth_copyable(None) is False  # deleted meanwhile: nothing to copy


def test_product_pictures_go_to_the_named_enterprise_folder(alpha):
    with tenant_context(alpha.enterprise):
        product = Product.objects.create(name_zh="泵", industry_id="C34", created_by=alpha.owner)
        stored = services.image_add(
            enterprise=alpha.enterprise, product=product, upload=SimpleUploadedFile("p.png", picture())
        )
    prefix = f"tenants/{alpha.enterprise.schema_name}/products/{product.pk}/"
    assert stored.image.name.startswith(prefix) and stored.thumbnail.name.startswith(prefix)

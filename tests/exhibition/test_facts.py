"""Exhibition facts for the region: one row per booth, recounted in the transaction of each change
(registration, publishing, unpublishing, an inquiry delivered, a meeting booked or cancelled), the same
row however often a task runs again; the regional dashboard reads them."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from exhibition import booths
from exhibition.hall import buyers, meetings
from exhibition.hall.facts import fact_refresh
from exhibition.hall.models import ExhibitionFact, MeetingSlot
from exhibition.hall.publishing import listing_publish
from exhibition.models import Booth
from reports.rollup import quarter_label, quarter_of
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import logged_in, person

pytestmark = pytest.mark.django_db


def _fact(world) -> dict:
    row = ExhibitionFact.objects.get(tenant=world.enterprise)
    return {
        "live": row.live,
        "published": row.first_published_at is not None,
        "inquiries": row.inquiries,
        "meetings": row.meetings,
    }


def _slot(world, days=1) -> MeetingSlot:
    start = timezone.now() + datetime.timedelta(days=days)
    return MeetingSlot.objects.create(
        tenant=world.enterprise, starts_at=start, ends_at=start + datetime.timedelta(minutes=30)
    )


def test_a_booth_is_counted_from_registration_to_meetings_and_after_it_leaves_the_hall(alpha, fair):
    with tenant_context(alpha.enterprise):
        draft = booths.booth_register(
            enterprise=alpha.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair["cars"].pk,
            user=alpha.owner,
        )
    fact = ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=draft.pk)
    assert (fact.exhibition, fact.section, fact.city_id, fact.industry_id) == (
        fair["exhibition"], fair["cars"], alpha.enterprise.city_id, alpha.enterprise.industry_id
    )  # fmt: skip
    assert _fact(alpha) == {"live": False, "published": False, "inquiries": 0, "meetings": 0}
    with tenant_context(alpha.enterprise):
        Booth.objects.filter(pk=draft.pk).delete()  # exhibit() registers its own booth
    ExhibitionFact.objects.all().delete()

    booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    assert _fact(alpha) == {"live": True, "published": True, "inquiries": 0, "meetings": 0}
    assert ExhibitionFact.objects.get().section == fair["equipment"]

    buyer = person("fact-buyer@example.com", "")
    inquiry = buyers.inquiry_send(buyer=buyer, listing_id=listing.pk, message="Price for 100 units?")
    assert _fact(alpha)["inquiries"] == 0  # counted when delivered into the lead inbox
    for _redelivered in range(3):
        buyers.inquiry_deliver(inquiry_id=inquiry.pk)
    assert _fact(alpha)["inquiries"] == 1

    first, second = _slot(alpha), _slot(alpha, days=2)
    meetings.book(buyer=buyer, slot_id=first.pk, listing_id=listing.pk)
    meetings.book(buyer=person("fact-buyer-2@example.com", ""), slot_id=second.pk, listing_id=listing.pk)
    assert _fact(alpha)["meetings"] == 2
    meetings.slot_cancel(tenant=alpha.enterprise, slot_id=second.pk, message="Our engineer is away")
    assert _fact(alpha)["meetings"] == 1

    for _again in range(2):  # a task run again recounts the same row
        fact_refresh(tenant_id=alpha.enterprise.pk, booth_id=booth.pk, exhibition_id=fair["exhibition"].pk)
        listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk)
    assert ExhibitionFact.objects.count() == 1
    assert _fact(alpha) == {"live": True, "published": True, "inquiries": 1, "meetings": 1}

    with tenant_context(alpha.enterprise):
        booths.booth_unpublish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
    assert _fact(alpha) == {"live": False, "published": True, "inquiries": 1, "meetings": 1}


def test_a_slot_is_booked_only_from_a_live_booth_of_its_own_enterprise(alpha, beta, fair):
    _booth, alpha_listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    _booth, beta_listing = exhibit(beta, fair, "cars", name_zh="底盘", name_en="Chassis", tags=[])
    slot = _slot(alpha)
    from django.http import Http404

    buyer = person("fact-buyer-3@example.com", "")
    with pytest.raises(Http404):  # beta's booth cannot be credited with alpha's meeting
        meetings.book(buyer=buyer, slot_id=slot.pk, listing_id=beta_listing.pk)
    assert ExhibitionFact.objects.get(tenant=beta.enterprise).meetings == 0
    booking = meetings.book(buyer=buyer, slot_id=slot.pk, listing_id=alpha_listing.pk)
    assert (booking.exhibition, booking.booth_id) == (fair["exhibition"], alpha_listing.booth_id)


def test_the_dashboard_counts_inquiries_and_meetings_per_city(alpha, beta, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    exhibit(beta, fair, "cars", name_zh="底盘", name_en="Chassis", tags=[])
    buyer = person("fact-buyer-4@example.com", "")
    for text in ("First question", "Second question"):
        buyers.inquiry_deliver(
            inquiry_id=buyers.inquiry_send(buyer=buyer, listing_id=listing.pk, message=text).pk
        )
    meetings.book(buyer=buyer, slot_id=_slot(alpha).pk, listing_id=listing.pk)
    quarter = quarter_label(
        quarter_of(
            timezone.make_aware(datetime.datetime.combine(fair["exhibition"].starts_on, datetime.time()))
        )
    )
    admin = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(person("fact-admin@example.com", "regional_admin"))
    cities = f"city={alpha.enterprise.city_id}&city={beta.enterprise.city_id}"
    body = admin.get(f"/api/v1/reports/dashboard/?{cities}&since={quarter}&until={quarter}").json()
    by_city = {c["code"]: c["exhibiting"] for c in body["cities"]}
    assert by_city[alpha.enterprise.city_id] == {
        "registered": 1, "booths": 1, "exhibitions": 1, "inquiries": 2, "meetings": 1
    }  # fmt: skip
    assert by_city[beta.enterprise.city_id]["inquiries"] == 0
    assert body["total"]["exhibiting"]["inquiries"] == 2
    page = admin.get(f"/reports/?{cities}&since={quarter}&until={quarter}").content.decode()
    assert "Buyer inquiries" in page and "Meetings booked" in page
    before = quarter_label(quarter_of(timezone.now()) - 4)
    earlier = admin.get(f"/api/v1/reports/dashboard/?{cities}&since={before}&until={before}").json()
    assert earlier["total"]["exhibiting"]["registered"] == 0  # the fair is not in that period


def test_regional_admins_see_participation_by_city_section_and_industry_within_their_scope(alpha, beta, fair):
    import csv
    import io

    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    exhibit(beta, fair, "cars", name_zh="底盘", name_en="Chassis", tags=[])
    buyers.inquiry_deliver(
        inquiry_id=buyers.inquiry_send(
            buyer=person("fact-buyer-5@example.com", ""), listing_id=listing.pk, message="Lead time?"
        ).pk
    )
    url = f"/hall/manage/{fair['exhibition'].pk}/participation/"

    admin = logged_in(person("part-admin@example.com", "regional_admin"), "en")
    page = admin.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="table-cities"' in html and "Equipment" in html and "Automotive" in html
    rows = list(csv.reader(io.StringIO(admin.get(url + "?export=csv").content.decode())))
    assert ["Total", "2", "2", "2", "1", "0"] in rows
    assert admin.get(url + "?export=xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert admin.get(url + "?export=pdf").status_code == 302  # unknown format: a message, no 500

    alpha_city = alpha.enterprise.city
    scoped = logged_in(person("part-scoped@example.com", "regional_admin", alpha_city.code), "en")
    rows = list(csv.reader(io.StringIO(scoped.get(url + "?export=csv").content.decode())))
    assert [alpha_city.name_en, "1", "1", "1", "1", "0"] in rows
    assert ["Total", "1", "1", "1", "1", "0"] in rows  # beta's city is outside the scope

    for outsider in (logged_in(alpha.owner), logged_in(person("part-buyer@example.com", ""))):
        assert outsider.get(url).status_code == 404
    assert Client(HTTP_HOST="localhost").get(url).status_code == 302  # to sign in
    assert admin.get("/hall/manage/999999/participation/").status_code == 404


def test_the_backfill_migration_makes_facts_for_booths_already_in_the_hall(alpha, fair):
    import importlib

    from django.apps import apps

    from exhibition.hall.models import Booking

    backfill = importlib.import_module("exhibition.hall.migrations.0009_exhibition_facts_backfill").backfill
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    buyer = person("backfill-buyer@example.com", "")
    buyers.inquiry_deliver(
        inquiry_id=buyers.inquiry_send(buyer=buyer, listing_id=listing.pk, message="Price?").pk
    )
    booking = meetings.book(buyer=buyer, slot_id=_slot(alpha).pk, listing_id=listing.pk)
    Booking.objects.filter(pk=booking.pk).update(booth_id=None, exhibition=None)  # as booked before
    ExhibitionFact.objects.all().delete()  # as before facts existed
    backfill(apps, None)
    backfill(apps, None)  # run twice: the same
    assert _fact(alpha) == {"live": True, "published": True, "inquiries": 1, "meetings": 1}
    booking.refresh_from_db()
    assert (booking.booth_id, booking.exhibition_id) == (listing.booth_id, fair["exhibition"].pk)


def test_a_suspension_hides_the_booth_but_does_not_change_its_facts(make_enterprise, fair):
    """Review finding 6: a fact recounted while the enterprise is suspended (an inquiry delivered,
    a booth published before facts existed) still counts what it published."""
    from tenants import lifecycle

    world = make_enterprise()
    booth, _listing = exhibit(world, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    ExhibitionFact.objects.filter(tenant=world.enterprise).update(first_published_at=None)
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")
    fact_refresh(tenant_id=world.enterprise.pk, booth_id=booth.pk)
    assert _fact(world) == {"live": True, "published": True, "inquiries": 0, "meetings": 0}
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="closed")
    fact_refresh(tenant_id=world.enterprise.pk, booth_id=booth.pk)
    assert _fact(world)["live"] and _fact(world)["published"]

"""Meeting slots: offered by the enterprise in Beijing time, booked by buyers (one booking per slot,
also when two race), cancelled with a message, downloaded as .ics."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.api import ConflictError
from core.models import Notice
from exhibition.hall import meetings
from exhibition.hall.models import Booking, BoothListing, Exhibition, ExhibitionFact, MeetingSlot
from tests.conftest import references_checked
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import logged_in, person

TOMORROW_9 = (timezone.localdate() + datetime.timedelta(days=1)).isoformat() + "T09:00"


@pytest.mark.django_db
def test_slots_are_offered_booked_downloaded_and_cancelled(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    owner = alpha.client()
    offered = owner.post(
        "/exhibition/slots/", {"starts_at": TOMORROW_9, "minutes": "30", "count": "3", "mode": "booth"}
    )
    assert offered.status_code == 302
    slots = list(MeetingSlot.objects.filter(tenant=alpha.enterprise))
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots] == ["09:00", "09:30", "10:00"]
    past = owner.post("/exhibition/slots/", {"starts_at": "2020-01-01T09:00", "minutes": "30", "count": "1"})
    assert past.status_code == 400 and MeetingSlot.objects.count() == 3

    page = Client(HTTP_HOST="localhost").get(f"/hall/booths/{listing.pk}/").content.decode()
    assert page.count('class="slot"') == 3
    buyer = person("meet-buyer@example.com", "")
    client = logged_in(buyer, "en")
    booked = client.post(
        f"/hall/slots/{slots[0].pk}/book/", {"listing": listing.pk, "note": "About servo sizing"}
    )
    assert booked.status_code == 302
    booking = Booking.objects.get()
    again = logged_in(person("meet-late@example.com", ""), "en").post(
        f"/hall/slots/{slots[0].pk}/book/", {"listing": listing.pk}, follow=True
    )
    assert "Someone has just booked this slot" in again.content.decode()

    ics = client.get(f"/hall/bookings/{booking.pk}/meeting.ics")
    body = ics.content.decode()
    start = slots[0].starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert ics["Content-Type"].startswith("text/calendar") and f"DTSTART:{start}" in body
    assert "BEGIN:VEVENT" in body and "About servo sizing" in body and "STATUS:CONFIRMED" in body
    other = logged_in(person("meet-other@example.com", ""), "en")
    assert other.get(f"/hall/bookings/{booking.pk}/meeting.ics").status_code == 404

    no_reason = owner.post(
        f"/exhibition/slots/{slots[0].pk}/cancel/", {"message": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Tell the buyer why" in no_reason.content.decode()
    owner.post(f"/exhibition/slots/{slots[0].pk}/cancel/", {"message": "Our engineer is travelling"})
    assert Notice.objects.filter(user=buyer, text_en__contains="Our engineer is travelling").exists()
    assert "STATUS:CANCELLED" in client.get(f"/hall/bookings/{booking.pk}/meeting.ics").content.decode()
    again = logged_in(buyer, "en").post(
        f"/hall/slots/{slots[0].pk}/book/", {"listing": listing.pk}, follow=True
    )
    assert "can no longer be booked" in again.content.decode()
    for junk in ({}, {"listing": "x"}, {"listing": "999999"}):  # a slot is booked from its booth's page
        assert logged_in(buyer, "en").post(f"/hall/slots/{slots[0].pk}/book/", junk).status_code == 404
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_an_enterprise_cannot_cancel_another_ones_slot(alpha, beta):
    slot = MeetingSlot.objects.create(
        tenant=alpha.enterprise,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, minutes=30),
    )
    response = beta.client().post(f"/exhibition/slots/{slot.pk}/cancel/", {"message": "x"})
    assert response.status_code == 404
    slot.refresh_from_db()
    assert slot.cancelled_at is None


def test_two_buyers_booking_one_slot_at_once_one_wins(committed, alpha):
    slot = MeetingSlot.objects.create(
        tenant=alpha.enterprise,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, minutes=30),
    )
    today = timezone.localdate()
    exhibition = Exhibition.objects.create(
        name_zh="抢约展", status="open", starts_on=today, ends_on=today, registration_deadline=today
    )
    listing = BoothListing.objects.create(
        tenant=alpha.enterprise, booth_id=1, exhibition=exhibition, live=True, requested_at=timezone.now()
    )
    buyers = [person(f"race-buyer-{n}-{slot.pk}@example.com", "") for n in range(2)]
    barrier, results = threading.Barrier(2), []

    def book(n):
        try:
            barrier.wait(timeout=10)
            meetings.book(buyer=buyers[n], slot_id=slot.pk, listing_id=listing.pk)
            results.append("ok")
        except ConflictError:
            results.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert sorted(results) == ["409", "ok"]
        assert Booking.objects.filter(slot=slot).count() == 1
        assert ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=1).meetings == 1
    finally:
        slot.delete()
        ExhibitionFact.objects.filter(exhibition=exhibition).delete()
        listing.delete()
        # Not .delete(): its collector would look for the tenant-side booths in the public schema.
        with references_checked():
            Exhibition.objects.filter(pk=exhibition.pk)._raw_delete("default")
        for user in buyers:
            user.is_active = False
            user.save(update_fields=["is_active"])

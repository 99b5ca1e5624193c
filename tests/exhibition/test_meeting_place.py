"""Issue 17, the exhibition cloud: a meeting says how it is held (online with its link, on site at the
booth, at an address), on the slot form, the API, the booth page, My meetings and the .ics; a buyer can
call a meeting off (the slot is free again, the exhibitor is told); booking, calling off and cancelling
are confirmed saying what happens; the workspace booth page links to the booth in the hall; "Register"
lets a visitor choose an enterprise or a buyer's account; empty states say what to do next; wording."""

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import Notice
from exhibition import booths
from exhibition.hall import meetings
from exhibition.hall.models import Booking, ExhibitionFact, MeetingSlot
from exhibition.models import Booth
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import logged_in, person

pytestmark = pytest.mark.django_db

JSON = "application/json"
TOMORROW_9 = (timezone.localdate() + datetime.timedelta(days=1)).isoformat() + "T09:00"
LINK = "https://meet.example.com/room/ck6150"


def offer(client, **extra):
    return client.post(
        "/exhibition/slots/",
        {"starts_at": TOMORROW_9, "minutes": "30", "count": "1", **extra},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def slot(world, *, mode="booth", link="", address="", days=1):
    start = timezone.now() + datetime.timedelta(days=days)
    return MeetingSlot.objects.create(
        tenant=world.enterprise,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=30),
        mode=mode,
        link=link,
        address=address,
    )


def test_the_slot_form_asks_how_the_meeting_is_held_and_checks_link_and_address(alpha):
    owner = alpha.client()
    form = owner.get("/exhibition/slots/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for value in ("online", "booth", "address"):
        assert f'name="mode" value="{value}"' in form
    assert 'name="link"' in form and 'name="address"' in form
    for bad, _field, message in (
        ({"mode": "online"}, "link", "Give the link of the online meeting."),
        ({"mode": "online", "link": "javascript:alert(1)"}, "link", "starts with http:// or https://"),
        ({"mode": "online", "link": "ftp://files.example.com/x"}, "link", "starts with http:// or https://"),
        ({"mode": "address", "address": "   "}, "address", "Give the address where the meeting is held."),
        ({"mode": "teleport"}, "mode", "Select a valid choice"),
    ):
        refused = offer(owner, **bad)
        assert refused.status_code == 400, bad
        page = html.unescape(refused.content.decode())
        assert message in page, bad
        # the error is in red next to its field (core/_field.html), not at the top of the form
        assert 'class="field-error"' in page
    assert not MeetingSlot.objects.filter(tenant=alpha.enterprise).exists()

    # what the chosen way does not need is dropped
    assert offer(owner, mode="online", link=f"  {LINK} ", address="Room 5").status_code == 302
    assert (
        offer(owner, mode="address", address="天津市西青区海泰发展六道 6 号 3 楼", link=LINK).status_code
        == 302
    )
    online, at_address = MeetingSlot.objects.filter(tenant=alpha.enterprise).order_by("pk")
    assert (online.mode, online.link, online.address) == ("online", LINK, "")
    assert (at_address.mode, at_address.link, at_address.address) == (
        "address",
        "",
        "天津市西青区海泰发展六道 6 号 3 楼",
    )

    # the exhibitor's own list shows how each is held, the link included
    listed = owner.get("/exhibition/slots/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{LINK}"' in listed and "Online video call" in listed
    assert "At an address" in listed and "天津市西青区海泰发展六道 6 号 3 楼" in listed


def test_the_buyer_sees_the_way_before_booking_and_the_link_only_once_booked(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    online = slot(alpha, mode="online", link=LINK)
    at_booth = slot(alpha, days=2)
    at_address = slot(alpha, mode="address", address="保定市竞秀区 8 号", days=3)
    booth_page = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en").get(f"/hall/booths/{listing.pk}/")
    text = booth_page.content.decode()
    assert "Online video call" in text and "On site at the booth" in text and "保定市竞秀区 8 号" in text
    assert LINK not in text  # the link is for the buyer who books it
    assert "(link shown once booked)" in text

    buyer = person("place-buyer@example.com", "")
    client = logged_in(buyer, "en")
    signed_in = client.get(f"/hall/booths/{listing.pk}/").content.decode()
    assert LINK not in signed_in
    # each Book button asks first, saying who is told and that the time is taken
    book_form = signed_in[signed_in.index(f'action="/hall/slots/{online.pk}/book/"') :]
    confirm = html.unescape(book_form[book_form.index("data-confirm=") : book_form.index("data-confirm-yes")])
    assert "The exhibitor is told at once" in confirm and "no longer offered to other buyers" in confirm
    assert "(Online video call)" in confirm
    assert f"with {alpha.enterprise.name_en or alpha.enterprise.name} on" in confirm

    for chosen in (online, at_booth, at_address):
        assert client.post(f"/hall/slots/{chosen.pk}/book/", {"listing": listing.pk}).status_code == 302
    mine = client.get("/hall/bookings/").content.decode()
    assert f'href="{LINK}"' in mine and "On site at the booth" in mine and "保定市竞秀区 8 号" in mine
    assert mine.count("data-confirm=") == 3  # calling each off asks first

    # someone else's My meetings shows their own meeting with the same exhibitor, and none of this one
    other_link = "https://meet.example.com/room/other-buyer"
    theirs = slot(alpha, mode="online", link=other_link, days=4)
    other = logged_in(person("place-other@example.com", ""), "en")
    assert other.post(f"/hall/slots/{theirs.pk}/book/", {"listing": listing.pk}).status_code == 302
    other_page = other.get("/hall/bookings/").content.decode()
    assert f'href="{other_link}"' in other_page and LINK not in other_page
    other_api = other.get("/api/v1/hall/bookings/").json()
    assert [b["link"] for b in other_api] == [other_link] and LINK not in str(other_api)

    booking = Booking.objects.get(slot=online)
    ics = client.get(f"/hall/bookings/{booking.pk}/meeting.ics").content.decode()
    assert "LOCATION:https://meet.example.com/room/ck6150" in ics
    address_ics = client.get(f"/hall/bookings/{Booking.objects.get(slot=at_address).pk}/meeting.ics")
    assert "LOCATION:保定市竞秀区 8 号" in address_ics.content.decode()

    # the exhibitor's owner was told of each booking
    assert (
        Notice.objects.filter(
            user=alpha.owner, text_en__contains="place-buyer booked a meeting with you"
        ).count()
        == 3
    )


def test_the_api_takes_and_gives_how_the_meeting_is_held(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    client = alpha.client()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for bad, field in (
        ({"mode": "online"}, "link"),
        ({"mode": "online", "link": "mailto:a@example.com"}, "link"),
        ({"mode": "address", "address": ""}, "address"),
        ({"mode": "zoom"}, "mode"),
    ):
        refused = client.post(
            "/api/v1/exhibition/slots/",
            {"starts_at": f"{tomorrow}T09:00", "minutes": 30, **bad},
            content_type=JSON,
        )
        assert refused.status_code == 400 and field in refused.json(), (bad, refused.content)
    default = client.post(
        "/api/v1/exhibition/slots/", {"starts_at": f"{tomorrow}T08:00", "minutes": 30}, content_type=JSON
    )
    assert default.status_code == 201 and default.json()[0]["mode"] == "booth"
    offered = client.post(
        "/api/v1/exhibition/slots/",
        {"starts_at": f"{tomorrow}T09:00", "minutes": 30, "mode": "online", "link": LINK},
        content_type=JSON,
    )
    assert offered.status_code == 201, offered.content
    body = offered.json()[0]
    assert (body["mode"], body["link"], body["address"]) == ("online", LINK, "")
    assert client.get("/api/v1/exhibition/slots/").json()[1]["link"] == LINK

    free = logged_in(None, "en").get(f"/api/v1/hall/booths/{listing.pk}/").json()["free_slots"]
    assert [s["mode"] for s in free] == ["booth", "online"] and all("link" not in s for s in free)

    buyer = logged_in(person("api-place@example.com", ""), "en")
    booked = buyer.post(
        f"/api/v1/hall/slots/{body['id']}/bookings/", {"listing": listing.pk}, content_type=JSON
    )
    assert booked.status_code == 201 and (booked.json()["mode"], booked.json()["link"]) == ("online", LINK)
    assert buyer.get("/api/v1/hall/bookings/").json()[0]["link"] == LINK

    # the buyer calls it off through the API: the slot is free again
    # another buyer, with a meeting of their own at the same exhibitor, neither sees nor calls off this one
    other = logged_in(person("api-place-other@example.com", ""), "en")
    other_slot = slot(alpha, days=3)
    mine = other.post(
        f"/api/v1/hall/slots/{other_slot.pk}/bookings/", {"listing": listing.pk}, content_type=JSON
    )
    assert mine.status_code == 201
    other_list = other.get("/api/v1/hall/bookings/").json()
    assert [b["id"] for b in other_list] == [mine.json()["id"]] and LINK not in str(other_list)
    booking_id = booked.json()["id"]
    assert other.post(f"/api/v1/hall/bookings/{booking_id}/cancel/").status_code == 404
    assert Booking.objects.filter(pk=booking_id).exists()
    freed = buyer.post(f"/api/v1/hall/bookings/{booking_id}/cancel/")
    assert freed.status_code == 200 and freed.json()["id"] == body["id"]
    assert not Booking.objects.filter(pk=booking_id).exists()
    again = logged_in(None, "en").get(f"/api/v1/hall/booths/{listing.pk}/").json()["free_slots"]
    assert body["id"] in [s["id"] for s in again]

    schema = logged_in(None, "en").get("/api/schema/").content.decode()
    assert "online | booth (on site at the booth) | address" in schema
    assert "/api/v1/hall/bookings/{booking_id}/cancel/" in schema


def test_a_buyer_calls_a_meeting_off_and_the_slot_is_free_again(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    chosen = slot(alpha, mode="address", address="保定市竞秀区 8 号")
    buyer = person("calloff-buyer@example.com", "")
    client = logged_in(buyer, "en")
    client.post(f"/hall/slots/{chosen.pk}/book/", {"listing": listing.pk})
    booking = Booking.objects.get(slot=chosen)
    fact = ExhibitionFact.objects.get(tenant=alpha.enterprise, booth_id=listing.booth_id)
    assert fact.meetings == 1

    stranger = logged_in(person("calloff-other@example.com", ""), "en")
    assert stranger.post(f"/hall/bookings/{booking.pk}/cancel/").status_code == 404
    assert stranger.get(f"/hall/bookings/{booking.pk}/cancel/").status_code == 405

    done = client.post(f"/hall/bookings/{booking.pk}/cancel/", follow=True)
    assert "Meeting called off; the exhibitor has been told." in done.content.decode()
    assert not Booking.objects.filter(pk=booking.pk).exists()
    assert list(meetings.free_slots(tenant_id=alpha.enterprise.pk)) == [chosen]
    fact.refresh_from_db()
    assert fact.meetings == 0  # the region's figures count it no more
    notice = Notice.objects.get(user=alpha.owner, text_en__contains="called off the meeting")
    assert "calloff-buyer" in notice.text_en and notice.url.endswith("/exhibition/slots/")

    # booked again, then cancelled by the exhibitor: the buyer can no longer call it off
    client.post(f"/hall/slots/{chosen.pk}/book/", {"listing": listing.pk})
    rebooked = Booking.objects.get(slot=chosen)
    meetings.slot_cancel(tenant=alpha.enterprise, slot_id=chosen.pk, message="Engineer away")
    late = client.post(f"/hall/bookings/{rebooked.pk}/cancel/", follow=True).content.decode()
    assert "The exhibitor has already cancelled this meeting." in late
    assert Booking.objects.filter(pk=rebooked.pk).exists()
    page = client.get("/hall/bookings/").content.decode()
    assert "Cancelled by the exhibitor" in page and "Engineer away" in page
    assert f"/hall/bookings/{rebooked.pk}/cancel/" not in page  # no Call off button on a cancelled one


def test_the_exhibitor_cancel_button_says_who_is_told(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    free, booked = slot(alpha), slot(alpha, days=2)
    Booking.objects.create(slot=booked, buyer=person("told-buyer@example.com", ""), booth_id=listing.booth_id)
    page = html.unescape(alpha.client().get("/exhibition/slots/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    free_row = page[page.index(f'id="slot-{free.pk}"') : page.index(f'id="slot-{booked.pk}"')]
    booked_row = page[page.index(f'id="slot-{booked.pk}"') :]
    assert "nobody has booked it, so nobody is told" in free_row
    assert "told-buyer, who booked it, is told at once, with your message" in booked_row
    assert "no buyer can book it any more" in booked_row


def test_the_workspace_booth_page_links_to_the_booth_in_the_hall(alpha, fair):
    with tenant_context(alpha.enterprise):
        draft = booths.booth_register(
            enterprise=alpha.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair["cars"].pk,
            user=alpha.owner,
        )
    client = alpha.client()
    page = client.get(f"/exhibition/booths/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not public yet: buyers cannot see this booth." in page and 'id="hall-link"' not in page
    # the form says 展区 (an exhibition's section), not 门类 (GB/T 4754's section)
    zh = client.get(f"/exhibition/booths/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<label for="id_section">展区' in zh and "门类" not in zh
    with tenant_context(alpha.enterprise):
        Booth.objects.filter(pk=draft.pk).delete()

    booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    page = client.get(f"/exhibition/booths/{booth.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'/hall/booths/{listing.pk}/" id="hall-link"' in page
    assert "See the booth in the public hall" in page


def test_register_lets_a_visitor_choose_an_enterprise_or_a_buyer_account():
    anyone = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    home = anyone.get("/").content.decode()
    assert '<a href="/join/">Register</a>' in home
    chooser = anyone.get("/join/").content.decode()
    assert 'href="/register/" id="join-enterprise-link"' in chooser
    assert 'href="/hall/signup/" id="join-buyer-link"' in chooser
    assert "For manufacturers in Beijing, Tianjin and Hebei" in chooser
    assert "For purchasers and visitors of the exhibition hall" in chooser
    # the hall invites buyers to sign up, and the buyer's sign-up points enterprises to theirs
    assert 'id="buyer-signup-link"' in anyone.get("/hall/").content.decode()
    assert 'href="/register/" id="register-enterprise-link"' in anyone.get("/hall/signup/").content.decode()
    zh = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-hans").get("/join/").content.decode()
    assert "注册企业" in zh and "注册采购商账号" in zh


def test_empty_lists_say_what_to_do_next(alpha, fair):
    client = alpha.client()
    for path, text in (
        ("/exhibition/", "No product yet: add your first product"),
        ("/exhibition/booths/", "No booth yet: register one at an exhibition below"),
        ("/exhibition/leads/", "No inquiry yet: buyers' inquiries arrive here once your booth is published"),
        ("/exhibition/slots/", "No time offered yet: offer a few below"),
    ):
        page = html.unescape(client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        assert 'class="empty"' in page and text in page, path
    buyer = logged_in(person("empty-buyer@example.com", ""), "en")
    assert (
        "No meeting booked yet. Open a booth in the exhibition hall"
        in buyer.get("/hall/bookings/").content.decode()
    )
    hall = logged_in(None, "en").get(f"/hall/{fair['exhibition'].pk}/?q=nothing-like-this").content.decode()
    assert "No booth matches these filters" in hall


def test_the_participation_column_is_named_for_what_it_counts():
    admin = logged_in(person("col-admin@example.com", "regional_admin"), "zh-hans")
    page = admin.get("/reports/").content.decode()
    table = page[page.index('id="table-exhibiting"') :]
    header = table[: table.index("</thead>")]
    assert "参展展会数" in header and "展会管理" not in header


def test_the_regional_admins_pages_guide_the_next_step(fair):
    admin = logged_in(person("guide-admin@example.com", "regional_admin"), "en")
    exhibition = fair["exhibition"]
    listing = admin.get("/hall/manage/")
    assert listing.status_code == 200 and exhibition.name_en in listing.content.decode()
    participation = admin.get(f"/hall/manage/{exhibition.pk}/participation/").content.decode()
    assert (
        'id="participation-empty"' in participation
        and "No booth registered at this exhibition yet" in participation
    )
    form = html.unescape(admin.get(f"/hall/manage/{exhibition.pk}/").content.decode())
    assert "End the exhibition? Booth registration closes for good" in form


def test_the_demo_slots_say_how_they_are_held():
    from exhibition.demo import SLOT_PLACES

    day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    for hour, place in SLOT_PLACES.items():
        data = {"starts_at": f"{day}T{hour:02d}:00", "minutes": "30", "count": "4", **place}
        form = meetings.SlotForm(data)
        assert form.is_valid(), form.errors  # the demo would silently offer no slot otherwise
    assert {place["mode"] for place in SLOT_PLACES.values()} == {"online", "address"}


def test_an_address_cannot_break_the_calendar_file(alpha, fair):
    """The .ics carries the exhibitor's address: a CR or LF in it must not end the line and add
    properties or events of its own. The form and the API refuse such an address; one already
    stored is escaped."""
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    hostile = "Room 5, Hall B; Gate\n3\r\nNorth\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:Free money\x07"
    refused = offer(alpha.client(), mode="address", address=hostile)
    assert refused.status_code == 400
    assert "on one line, without line breaks" in html.unescape(refused.content.decode())
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    api = alpha.client().post(
        "/api/v1/exhibition/slots/",
        {"starts_at": f"{tomorrow}T09:00", "minutes": 30, "mode": "address", "address": "A\rB"},
        content_type=JSON,
    )
    assert api.status_code == 400 and "address" in api.json()
    assert not MeetingSlot.objects.filter(tenant=alpha.enterprise).exists()

    stored = slot(alpha, mode="address", address=hostile)  # as an older row or another writer may hold
    buyer = logged_in(person("ics-buyer@example.com", ""), "en")
    assert buyer.post(f"/hall/slots/{stored.pk}/book/", {"listing": listing.pk}).status_code == 302
    booking = Booking.objects.get(slot=stored)
    ics = buyer.get(f"/hall/bookings/{booking.pk}/meeting.ics").content.decode()
    lines = ics.split("\r\n")
    assert "\r" not in ics.replace("\r\n", "") and "\n" not in ics.replace("\r\n", "")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert not any(line.startswith("SUMMARY:Free money") for line in lines)
    assert (
        "LOCATION:Room 5\\, Hall B\\; Gate\\n3\\nNorth\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:Free money"
        in lines
    )

"""The exhibition cloud's API: the enterprise's side on its host (catalogue, booths, leads, slots) and the
public hall on the public site (browsing, inquiries, bookings, exhibitions, participation). Bad input is
a 400 with a message, never a 500; the fences answer 404."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from exhibition.hall import buyers
from exhibition.hall.models import BoothListing, Exhibition, Inquiry
from exhibition.hall.publishing import listing_publish
from exhibition.models import Lead, Product
from tenants.members.models import Role
from tests.exhibition.test_booths import exhibit
from tests.exhibition.test_catalogue import picture
from tests.manufacturing.test_review import logged_in, person
from tests.test_members import add_member, client_for

pytestmark = pytest.mark.django_db

JSON = "application/json"
PRODUCT = {
    "name_zh": "五轴加工中心",
    "name_en": "Five-axis machining centre",
    "description_zh": "<b>高精度</b>",
    "specifications": "主轴转速: 12000 rpm",
    "tags": ["smart", "export"],
}


def test_the_catalogue_through_the_api(alpha, beta):
    client = alpha.client()
    created = client.post("/api/v1/exhibition/products/", PRODUCT, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["industry"] == alpha.enterprise.industry_id and body["tags"] == ["smart", "export"]
    product_id = body["id"]
    for bad, field in (
        ({**PRODUCT, "name_zh": ""}, "name_zh"),
        ({**PRODUCT, "tags": ["no-such-tag"]}, "tags"),
        ({**PRODUCT, "name_zh": ["a", "b"]}, "name_zh"),
        ({**PRODUCT, "industry": "C99"}, "industry"),
    ):
        response = client.post("/api/v1/exhibition/products/", bad, content_type=JSON)
        assert response.status_code == 400 and field in response.json(), bad
    assert client.post("/api/v1/exhibition/products/", "[1]", content_type=JSON).status_code == 400

    upload = client.post(
        f"/api/v1/exhibition/products/{product_id}/images/", {"file": _file("p.png", picture())}
    )
    assert upload.status_code == 201 and upload.json()["width"] == 640
    hostile = client.post(
        f"/api/v1/exhibition/products/{product_id}/images/", {"file": _file("x.png", b"<?php system($_GET);")}
    )
    assert hostile.status_code == 400 and hostile.json()["messages"]["zh"]
    assert client.post(f"/api/v1/exhibition/products/{product_id}/images/", {}).status_code == 400

    listed = client.get("/api/v1/exhibition/products/").json()
    assert listed["count"] == 1 and listed["results"][0]["images"][0]["thumbnail_url"].endswith("/thumb/")
    changed = client.put(
        f"/api/v1/exhibition/products/{product_id}/",
        {**PRODUCT, "name_en": "5-axis centre"},
        content_type=JSON,
    )
    assert changed.status_code == 200 and changed.json()["name_en"] == "5-axis centre"

    viewer = client_for(alpha, add_member(alpha, "api-exh-viewer@example.com", Role.VIEWER))
    assert viewer.get(f"/api/v1/exhibition/products/{product_id}/").status_code == 200
    assert viewer.post("/api/v1/exhibition/products/", PRODUCT, content_type=JSON).status_code == 403
    assert viewer.delete(f"/api/v1/exhibition/products/{product_id}/").status_code == 403

    with tenant_context(beta.enterprise):
        theirs = Product.objects.create(
            name_zh="别家产品", industry=beta.enterprise.industry, created_by=beta.owner
        )
    # beta's product id on alpha's host reaches alpha's own product of that id, or nothing; never beta's
    for method in ("get", "put"):  # (a DELETE would remove alpha's own product of that id)
        response = getattr(client, method)(f"/api/v1/exhibition/products/{theirs.pk}/", {}, content_type=JSON)
        assert "别家产品" not in response.content.decode()
    with tenant_context(beta.enterprise):
        assert Product.objects.filter(pk=theirs.pk, name_zh="别家产品").exists()  # untouched
    assert client.get(f"/api/v1/exhibition/products/{product_id + 1000}/").status_code == 404
    assert beta.client().get(f"/api/v1/exhibition/products/{theirs.pk}/").status_code == 200
    image_id = upload.json()["id"]
    assert client.delete(f"/api/v1/exhibition/products/{product_id}/images/{image_id}/").status_code == 204
    assert client.delete(f"/api/v1/exhibition/products/{product_id}/").status_code == 204
    with tenant_context(alpha.enterprise):
        assert not Product.objects.exists()


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_a_booth_is_registered_arranged_and_published_through_the_api(alpha, fair):
    client = alpha.client()
    product = client.post("/api/v1/exhibition/products/", PRODUCT, content_type=JSON).json()["id"]
    exhibition = fair["exhibition"].pk
    for bad in (
        {},
        {"exhibition": "x"},
        {"exhibition": exhibition},
        {"exhibition": exhibition, "section": 0},
    ):
        assert client.post("/api/v1/exhibition/booths/", bad, content_type=JSON).status_code == 400, bad
    registered = client.post(
        "/api/v1/exhibition/booths/",
        {"exhibition": exhibition, "section": fair["equipment"].pk},
        content_type=JSON,
    )
    assert registered.status_code == 201 and registered.json()["hall"] is None
    booth = registered.json()["id"]
    again = client.post(
        "/api/v1/exhibition/booths/",
        {"exhibition": exhibition, "section": fair["cars"].pk},
        content_type=JSON,
    )
    assert again.status_code == 409
    empty = client.post(f"/api/v1/exhibition/booths/{booth}/publish/")
    assert empty.status_code == 400  # nothing to show yet
    draft = {"section": fair["cars"].pk, "intro_zh": "欢迎", "intro_en": "Welcome", "featured": [product]}
    arranged = client.put(f"/api/v1/exhibition/booths/{booth}/", draft, content_type=JSON)
    assert arranged.status_code == 200 and arranged.json()["featured"] == [product]
    huge = client.put(
        f"/api/v1/exhibition/booths/{booth}/", {**draft, f"position_{product}": "1" * 5000}, content_type=JSON
    )
    assert huge.status_code == 400 and "featured" in huge.json()
    foreign = client.put(
        f"/api/v1/exhibition/booths/{booth}/", {**draft, "featured": [product + 999]}, content_type=JSON
    )
    assert foreign.status_code == 400 and "featured" in foreign.json()

    published = client.post(f"/api/v1/exhibition/booths/{booth}/publish/").json()
    assert published["status"] == "published" and published["hall"]["live"] is False  # the worker copies
    listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth)
    hall = client.get(f"/api/v1/exhibition/booths/{booth}/").json()["hall"]
    assert hall["live"] and hall["up_to_date"]
    found = logged_in(None, "en").get(f"/api/v1/hall/exhibitions/{exhibition}/booths/?q=五轴").json()
    assert [b["id"] for b in found["results"]] == [hall["listing"]]
    off = client.post(f"/api/v1/exhibition/booths/{booth}/unpublish/").json()
    assert off["status"] == "draft" and off["hall"] is None
    assert logged_in(None, "en").get(f"/api/v1/hall/booths/{hall['listing']}/").status_code == 404


def test_leads_and_slots_through_the_api(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    buyer = person("api-lead-buyer@example.com", "")
    inquiry = buyers.inquiry_send(buyer=buyer, listing_id=listing.pk, message="Price for 100 units?")
    buyers.inquiry_deliver(inquiry_id=inquiry.pk)
    client = alpha.client()
    inbox = client.get("/api/v1/exhibition/leads/?status=new").json()
    assert inbox["count"] == 1 and inbox["results"][0]["message"] == "Price for 100 units?"
    lead = inbox["results"][0]["id"]
    assert client.get("/api/v1/exhibition/leads/?status=nope").status_code == 400
    assert (
        client.post(f"/api/v1/exhibition/leads/{lead}/reply/", {"reply": " "}, content_type=JSON).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/exhibition/leads/{lead}/reply/", {"reply": ["x"]}, content_type=JSON
        ).status_code
        == 400
    )
    replied = client.post(
        f"/api/v1/exhibition/leads/{lead}/reply/", {"reply": "CNY 3,000 each"}, content_type=JSON
    )
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert client.post(f"/api/v1/exhibition/leads/{lead}/close/").json()["status"] == "closed"
    late = client.post(f"/api/v1/exhibition/leads/{lead}/reply/", {"reply": "More"}, content_type=JSON)
    assert late.status_code == 409
    assert client.get("/api/v1/exhibition/leads/999999/").status_code == 404

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for bad in (
        {"starts_at": "2020-01-01T09:00", "minutes": 30},
        {"starts_at": "soon", "minutes": 30},
        {"starts_at": f"{tomorrow}T09:00", "minutes": 7},
        {"starts_at": f"{tomorrow}T09:00", "minutes": 30, "count": 99},
    ):
        assert client.post("/api/v1/exhibition/slots/", bad, content_type=JSON).status_code == 400, bad
    offered = client.post(
        "/api/v1/exhibition/slots/",
        {"starts_at": f"{tomorrow}T09:00", "minutes": 30, "count": 2},
        content_type=JSON,
    )
    assert offered.status_code == 201
    first, second = (slot["id"] for slot in offered.json())
    assert offered.json()[0]["starts_at"].endswith("09:00:00+08:00")  # Beijing time

    booked = logged_in(buyer, "en").post(
        f"/api/v1/hall/slots/{first}/bookings/", {"listing": listing.pk, "note": "sizing"}, content_type=JSON
    )
    assert booked.status_code == 201 and booked.json()["ics_url"].endswith("meeting.ics")
    slots = client.get("/api/v1/exhibition/slots/").json()
    assert slots[0]["booking"]["buyer_email"] == "api-lead-buyer@example.com" and slots[1]["booking"] is None
    no_reason = client.post(f"/api/v1/exhibition/slots/{first}/cancel/", {}, content_type=JSON)
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "message"
    cancelled = client.post(
        f"/api/v1/exhibition/slots/{first}/cancel/", {"message": "Engineer away"}, content_type=JSON
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
    assert (
        client.post(f"/api/v1/exhibition/slots/{second}/cancel/").status_code == 200
    )  # unbooked: no message
    assert logged_in(buyer, "en").get("/api/v1/hall/bookings/").json()[0]["cancelled"] is True


def test_the_public_hall_through_the_api(alpha, beta, fair):
    _booth, servo = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=["smart"])
    exhibit(beta, fair, "cars", name_zh="新能源底盘", name_en="EV chassis", tags=["green"])
    exhibition = fair["exhibition"].pk
    anyone = logged_in(None, "en")
    assert [e["id"] for e in anyone.get("/api/v1/hall/exhibitions/").json()] == [exhibition]
    booths = anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/").json()
    assert booths["count"] == 2
    assert [
        b["id"]
        for b in anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/?q=SERVO").json()["results"]
    ] == [servo.pk]
    by_tag = anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/?tag=green&limit=1").json()
    assert by_tag["count"] == 1 and by_tag["results"][0]["enterprise_name"] == beta.enterprise.name
    city = alpha.enterprise.city_id
    assert anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/?city={city}").json()["count"] == 1
    for junk in ("?section=x", "?limit=-1", "?offset=abc", "?tag=<b>"):
        assert anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/{junk}").status_code == 200, junk
    nul = anyone.get(f"/api/v1/hall/exhibitions/{exhibition}/booths/?city=%00")
    assert nul.status_code == 400 and "city" in nul.json()
    detail = anyone.get(f"/api/v1/hall/booths/{servo.pk}/").json()
    assert detail["products"][0]["name_en"] == "Servo motor" and detail["free_slots"] == []
    assert anyone.get("/api/v1/hall/booths/999999/").status_code == 404

    anonymous = anyone.post(
        f"/api/v1/hall/booths/{servo.pk}/inquiries/", {"message": "hi"}, content_type=JSON
    )
    assert anonymous.status_code in (401, 403) and not Inquiry.objects.exists()
    buyer = logged_in(person("api-hall-buyer@example.com", ""), "en")
    assert (
        buyer.post(
            f"/api/v1/hall/booths/{servo.pk}/inquiries/", {"message": " "}, content_type=JSON
        ).status_code
        == 400
    )
    for n in range(5):
        sent = buyer.post(
            f"/api/v1/hall/booths/{servo.pk}/inquiries/", {"message": f"Question {n}"}, content_type=JSON
        )
        assert sent.status_code == 201
    limited = buyer.post(
        f"/api/v1/hall/booths/{servo.pk}/inquiries/", {"message": "One more"}, content_type=JSON
    )
    assert limited.status_code == 429 and limited.json()["messages"]["zh"]
    mine = buyer.get("/api/v1/hall/inquiries/").json()
    assert mine["count"] == 5 and mine["results"][0]["enterprise_name"] == alpha.enterprise.name
    assert (
        buyer.post(
            "/api/v1/hall/slots/999999/bookings/", {"listing": servo.pk}, content_type=JSON
        ).status_code
        == 404
    )
    assert buyer.post("/api/v1/hall/slots/1/bookings/", {}, content_type=JSON).status_code == 400


def test_exhibitions_and_participation_through_the_api_are_for_regional_admins(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    admin = logged_in(person("api-hall-admin@example.com", "regional_admin"), "en")
    outsider = logged_in(person("api-hall-outsider@example.com", ""), "en")
    today = timezone.localdate()
    new = {
        "name_zh": "京津冀数字经济展",
        "name_en": "Jingjinji Digital Economy Fair",
        "starts_on": (today + datetime.timedelta(days=30)).isoformat(),
        "ends_on": (today + datetime.timedelta(days=32)).isoformat(),
        "registration_deadline": (today + datetime.timedelta(days=20)).isoformat(),
    }
    assert outsider.post("/api/v1/hall/exhibitions/", new, content_type=JSON).status_code == 404
    inverted = admin.post(
        "/api/v1/hall/exhibitions/", {**new, "ends_on": today.isoformat()}, content_type=JSON
    )
    assert inverted.status_code == 400 and "ends_on" in inverted.json()
    created = admin.post("/api/v1/hall/exhibitions/", new, content_type=JSON)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    draft = created.json()["id"]
    assert (
        logged_in(None, "en").get(f"/api/v1/hall/exhibitions/{draft}/").status_code == 404
    )  # drafts are not public
    section = admin.post(
        f"/api/v1/hall/exhibitions/{draft}/sections/",
        {"name_zh": "装备", "industries": ["C34", "C35"]},
        content_type=JSON,
    )
    assert section.status_code == 201 and section.json()["industries"] == ["C34", "C35"]
    assert admin.post(f"/api/v1/hall/exhibitions/{draft}/close/").status_code == 409
    assert admin.post(f"/api/v1/hall/exhibitions/{draft}/open/").json()["status"] == "open"
    assert outsider.post(f"/api/v1/hall/exhibitions/{draft}/end/").status_code == 404
    assert Exhibition.objects.get(pk=draft).status == "open"

    url = f"/api/v1/hall/exhibitions/{fair['exhibition'].pk}/participation/"
    report = admin.get(url).json()
    assert report["total"] == {"registered": 1, "booths": 1, "live": 1, "inquiries": 0, "meetings": 0}
    assert report["cities"][0]["code"] == alpha.enterprise.city_id
    assert {s["name"] for s in report["sections"]} == {"Equipment", "Automotive"}
    assert outsider.get(url).status_code == 404 and logged_in(None, "en").get(url).status_code in (401, 403)
    assert BoothListing.objects.filter(pk=listing.pk, live=True).exists()
    with tenant_context(alpha.enterprise):
        assert not Lead.objects.exists()

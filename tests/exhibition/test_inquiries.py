"""Buyers: signing up as visitors, inquiries to a booth delivered into the enterprise's lead inbox
exactly once, the rate limit, replies and the CSV export."""

import csv
import io

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from core.models import Notice
from exhibition.hall import buyers
from exhibition.hall.models import Inquiry
from exhibition.models import Lead
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import logged_in, person

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_up_without_an_enterprise(mailoutbox, django_capture_on_commit_callbacks):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    data = {
        "name": "Ms Buyer",
        "company": "Acme",
        "email": "Buyer@Example.com",
        "password": "Strong-pass-2026!",
        "accept_terms": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hall/signup/", {**data, "next": "/hall/"})
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fhall%2F"
    from tenants.models import User

    user = User.objects.get(email="buyer@example.com")
    assert user.platform_role == "" and not user.tenants.exclude(schema_name="public").exists()
    assert [m.to for m in mailoutbox] == [["buyer@example.com"]]  # the confirmation link
    assert "/verify-email/" in mailoutbox[0].body
    # Not signed in by the sign-up (an address with an account could not be): signing in is next.
    assert client.get("/hall/bookings/").status_code == 302
    signed_in = client.post(
        "/login/", {"username": "buyer@example.com", "password": data["password"], "next": "/hall/"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/hall/"
    assert client.get("/hall/bookings/").status_code == 200
    weak = Client(HTTP_HOST="localhost").post(
        "/hall/signup/", {**data, "email": "b2@example.com", "password": "123"}
    )
    assert weak.status_code == 400
    outside = Client(HTTP_HOST="localhost").post(
        "/hall/signup/", {**data, "email": "b3@example.com", "next": "https://evil.example/"}
    )
    assert outside["Location"] == "/login/?next=%2Fhall%2F"  # never an open redirect


def _signup(email):
    from django.test import TestCase

    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    data = {
        "name": "Someone",
        "email": email,
        "password": "Strong-pass-2026!",
        "accept_terms": "on",
        "next": "/hall/",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/hall/signup/", data)
    return response, client.get(response["Location"])


def test_visitor_sign_up_answers_the_same_whether_the_address_has_an_account(beta, mailoutbox):
    new, new_page = _signup("never-seen@example.com")
    taken, taken_page = _signup(beta.owner.email.upper())
    assert (
        (new.status_code, new["Location"])
        == (taken.status_code, taken["Location"])
        == (
            302,
            "/login/?next=%2Fhall%2F",
        )
    )
    assert set(new.cookies) == set(taken.cookies)
    assert new_page.status_code == taken_page.status_code == 200
    shown = [m.message.replace("never-seen@example.com", "<email>") for m in new_page.context["messages"]]
    assert shown == [m.message.replace(beta.owner.email, "<email>") for m in taken_page.context["messages"]]
    # The account with that address is told, in both languages, and nothing about it changed.
    notice = mailoutbox[-1]
    assert notice.to == [beta.owner.email]
    assert "someone tried to sign up" in notice.body and "注册" in notice.body
    assert "/password-reset/" in notice.body
    from tenants.models import User

    owner = User.objects.get(pk=beta.owner.pk)
    assert owner.name == beta.owner.name and owner.check_password(beta.password)
    assert len(mailoutbox) == 2 and mailoutbox[0].to == ["never-seen@example.com"]


def test_visitor_password_may_not_contain_the_email():
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    data = {"name": "Zhang Wei", "email": "zhang.wei@example.com", "next": "/hall/"}
    for password in ("zhang.wei@example.com", "Zhang_Wei-2026!", "my-zhang.wei@example.com-pw"):
        response = client.post("/hall/signup/", {**data, "password": password})
        assert response.status_code == 400, password
        assert "may not contain your email" in response.content.decode()
    from tenants.models import User

    assert not User.objects.filter(email="zhang.wei@example.com").exists()


def test_an_inquiry_reaches_the_lead_inbox_exactly_once_and_the_reply_reaches_the_buyer(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    buyer = person("buyer-one@example.com", "")
    anonymous = Client(HTTP_HOST="localhost").post(f"/hall/booths/{listing.pk}/inquire/", {"message": "hi"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client = logged_in(buyer, "en")
    sent = client.post(
        f"/hall/booths/{listing.pk}/inquire/",
        {"message": "=1+1 price for 20 units?", "company": "Acme"},
        follow=True,
    )
    assert "Inquiry sent" in sent.content.decode()
    inquiry = Inquiry.objects.get()
    assert (inquiry.tenant_id, inquiry.buyer_id, inquiry.delivered_at) == (
        alpha.enterprise.pk,
        buyer.pk,
        None,
    )
    first = buyers.inquiry_deliver(inquiry_id=inquiry.pk)
    second = buyers.inquiry_deliver(inquiry_id=inquiry.pk)  # a redelivered task
    assert first.pk == second.pk
    with tenant_context(alpha.enterprise):
        assert Lead.objects.count() == 1
    inquiry.refresh_from_db()
    assert inquiry.delivered_at is not None

    owner = alpha.client()
    inbox = owner.get("/exhibition/leads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "=1+1 price for 20 units?" in inbox and "buyer-one@example.com" in inbox
    exported = owner.get("/exhibition/leads/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][5] == "'=1+1 price for 20 units?"  # a formula in a spreadsheet, neutralised
    assert owner.post(f"/exhibition/leads/{first.pk}/answer/", {"reply": ""}).status_code == 302
    with tenant_context(alpha.enterprise):
        assert Lead.objects.get().status == "new"  # an empty reply changed nothing
    owner.post(f"/exhibition/leads/{first.pk}/answer/", {"reply": "CNY 12,000 each"})
    with tenant_context(alpha.enterprise):
        assert Lead.objects.get().status == "replied"
    assert Notice.objects.filter(user=buyer, text_en__contains="CNY 12,000 each").exists()
    owner.post(f"/exhibition/leads/{first.pk}/answer/", {"close": "1"})
    with tenant_context(alpha.enterprise):
        assert Lead.objects.get().status == "closed"
        assert Lead.objects.filter(status="closed").count() == 1


def test_inquiries_are_rate_limited(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    client = logged_in(person("buyer-busy@example.com", ""), "en")
    for n in range(5):
        client.post(f"/hall/booths/{listing.pk}/inquire/", {"message": f"question {n}"})
    refused = client.post(f"/hall/booths/{listing.pk}/inquire/", {"message": "one more"}, follow=True)
    assert "please wait a while" in refused.content.decode()
    assert Inquiry.objects.count() == 5


def test_bad_inquiries_are_refused(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    client = logged_in(person("buyer-bad@example.com", ""), "en")
    assert (
        "Write your inquiry"
        in client.post(
            f"/hall/booths/{listing.pk}/inquire/", {"message": "   "}, follow=True
        ).content.decode()
    )
    assert (
        client.post(f"/hall/booths/{listing.pk}/inquire/", {"message": "x" * 2001}, follow=True).status_code
        == 200
    )
    assert client.post(f"/hall/booths/{listing.pk}/inquire/", {"message": "a\x00b"}).status_code == 400
    assert client.post("/hall/booths/999999/inquire/", {"message": "hello"}).status_code == 404
    assert not Inquiry.objects.exists()


def test_a_buyer_sees_their_inquiries_and_the_replies_and_nobody_elses(alpha, fair):
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    buyer, other = person("mine-buyer@example.com", ""), person("mine-other@example.com", "")
    inquiry = buyers.inquiry_send(
        buyer=buyer, listing_id=listing.pk, message="Lead time for <b>50</b> units?"
    )
    client = logged_in(buyer, "en")
    page = client.get("/hall/inquiries/").content.decode()
    assert "Lead time for &lt;b&gt;50&lt;/b&gt; units?" in page and "Being delivered" in page
    buyers.inquiry_deliver(inquiry_id=inquiry.pk)
    assert "Delivered to the exhibitor" in client.get("/hall/inquiries/").content.decode()
    with tenant_context(alpha.enterprise):
        lead = Lead.objects.get(inquiry_id=inquiry.pk)
    alpha.client().post(f"/exhibition/leads/{lead.pk}/answer/", {"reply": "Four weeks."})
    page = client.get("/hall/inquiries/").content.decode()
    assert "Four weeks." in page and "Replied" in page
    assert client.get("/api/v1/hall/inquiries/").json()["results"][0]["reply"] == "Four weeks."
    assert "Lead time" not in logged_in(other, "en").get("/hall/inquiries/").content.decode()
    assert Client(HTTP_HOST="localhost").get("/hall/inquiries/").status_code == 302  # sign in first

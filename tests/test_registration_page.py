"""The sign-up page: consent to the user agreement and the privacy policy (recorded with versions),
the legal pages, the district list grouped by city, a password kept after an unrelated error, the
owner signed in and handed over to the new workspace once it is ready."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tenants.models import Enterprise, LegalConsent, LegalDocument, User
from tests.test_registration import payload

pytestmark = pytest.mark.django_db


def visitor(**extra) -> Client:
    return Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7", **extra)


# --- the documents ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "zh", "en"), [("terms", "用户协议", "user agreement"), ("privacy", "隐私政策", "privacy policy")]
)
def test_legal_pages_show_the_current_version_in_both_languages(kind, zh, en):
    chinese = visitor(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/legal/{kind}/")
    assert chinese.status_code == 200
    assert zh in chinese.content.decode() and "2026-01-01" in chinese.content.decode()
    english = visitor(HTTP_ACCEPT_LANGUAGE="en").get(f"/legal/{kind}/")
    assert en in english.content.decode().lower()
    assert 'data-version="1"' in english.content.decode()


def test_privacy_policy_covers_what_pipl_asks():
    text = LegalDocument.objects.get(kind="privacy", version=1).body_zh
    for topic in ("收集", "目的", "保存期限", "权利", "联系我们", "个人信息保护法"):
        assert topic in text, topic


def test_a_newer_version_replaces_the_page_and_future_versions_wait(settings):
    import datetime

    old = LegalDocument.objects.get(kind="terms", version=1)
    LegalDocument.objects.create(
        kind="terms",
        version=2,
        title_zh="用户协议（第二版）",
        title_en="User agreement v2",
        body_zh="新",
        body_en="new",
        effective_on=datetime.date(2026, 1, 2),
    )
    LegalDocument.objects.create(
        kind="terms",
        version=3,
        title_zh="未来",
        title_en="Future",
        body_zh="未来",
        body_en="future",
        effective_on=datetime.date(2999, 1, 1),
    )
    page = visitor(HTTP_ACCEPT_LANGUAGE="en").get("/legal/terms/").content.decode()
    assert 'data-version="2"' in page and "Future" not in page
    assert old.title_en not in page


def test_unknown_legal_page_is_404():
    assert visitor().get("/legal/nothing/").status_code == 404


# --- consent ----------------------------------------------------------------------------------------


def test_registration_without_consent_is_a_field_error_and_records_nothing():
    data = payload()
    del data["accept_terms"]
    response = visitor(HTTP_ACCEPT_LANGUAGE="en").post("/register/", data)
    assert response.status_code == 400
    assert "accept_terms" in response.context["form"].errors
    html = response.content.decode()
    assert "registration needs your consent" in html
    assert re.search(r'class="field[^"]*has-error[^"]*field-check', html)
    assert not Enterprise.objects.filter(credit_code=data["credit_code"]).exists()


def test_registration_records_consent_with_version_time_and_ip():
    data = payload(accept_terms="on")
    response = visitor().post("/register/", data)
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(credit_code=data["credit_code"])
    consents = LegalConsent.objects.filter(user=enterprise.owner).select_related("document")
    assert sorted((c.document.kind, c.document.version) for c in consents) == [("privacy", 1), ("terms", 1)]
    assert {c.ip for c in consents} == {"203.0.113.7"}
    assert all(c.accepted_at and c.enterprise_id == enterprise.pk for c in consents)


def test_the_page_links_both_documents():
    html = visitor().get("/register/").content.decode()
    assert 'href="/legal/terms/"' in html and 'href="/legal/privacy/"' in html
    assert 'name="accept_terms"' in html


# --- districts ----------------------------------------------------------------------------------------


def test_districts_are_grouped_by_city_and_carry_it():
    html = visitor(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/register/").content.decode()
    select = html[html.index('name="district"') : html.index("</select>", html.index('name="district"'))]
    assert '<optgroup label="北京市">' in select
    assert re.search(r'<option value="110108" data-city="110000"', select)
    assert 'data-city-select="id_city"' in html
    assert "tenants/js/register.js" in html


def test_a_district_of_another_city_is_a_clear_field_error():
    response = visitor(HTTP_ACCEPT_LANGUAGE="en").post(
        "/register/", payload(city="120000", district="110108", accept_terms="on")
    )
    assert response.status_code == 400
    assert "is not in" in response.context["form"].errors["district"][0]


# --- the password after an error ----------------------------------------------------------------------


def test_password_is_kept_after_an_unrelated_error_and_cleared_after_its_own():
    kept = visitor().post("/register/", payload(credit_code="91110000600037341N", accept_terms="on"))
    assert kept.status_code == 400
    assert 'value="Str0ng-pass-2026"' in kept.content.decode()
    assert "no-store" in kept["Cache-Control"]
    data = payload(password="short", accept_terms="on")
    cleared = visitor().post("/register/", data)
    assert "password" in cleared.context["form"].errors
    assert 'value="short"' not in cleared.content.decode()


# --- signed in, and handed over when ready ------------------------------------------------------------


def test_owner_is_signed_in_and_handed_over_when_the_workspace_is_ready():
    from tenants import registration

    browser = visitor()
    response = browser.post("/register/", payload(name_en="Handover Works", accept_terms="on"))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(slug="handover-works")
    progress = response["Location"]
    pending = browser.get(progress, HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in pending
    assert (
        "signed in, as soon as it is ready" in pending.content.decode()
        or "就绪后" in pending.content.decode()
    )

    registration.enterprise_provision(enterprise_id=enterprise.pk)
    ready = browser.get(progress, HTTP_HX_REQUEST="true")
    assert "no-store" in ready["Cache-Control"]  # the redirect carries a live token
    target = ready["HX-Redirect"]
    assert target.startswith("http://handover-works.localhost:8000/auth/handoff/?token=")
    parts = urlsplit(target)
    workspace = Client(HTTP_HOST=parts.hostname, HTTP_SEC_FETCH_SITE="same-site")
    landed = workspace.get(f"{parts.path}?{parts.query}")
    assert landed.status_code == 302 and landed["Location"] == "/"
    home = workspace.get("/")
    assert home.status_code == 200 and home.wsgi_request.user == enterprise.owner

    # Someone else with the link sees the state, and a sign-in button, never a hand-off.
    stranger = visitor().get(progress, HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in stranger
    assert "handover-works.localhost:8000/login/" in stranger.content.decode()


def test_an_owner_whose_workspace_is_ready_before_the_page_shows_is_handed_over_at_once():
    """A warm worker can finish before the browser follows the registration's redirect: the page
    then has nothing to poll for, so it hands the owner over itself; others see the page."""
    from tenants import registration

    browser = visitor()
    response = browser.post("/register/", payload(name_en="Quick Works", accept_terms="on"))
    enterprise = Enterprise.objects.get(slug="quick-works")
    registration.enterprise_provision(enterprise_id=enterprise.pk)
    progress = response["Location"]
    ready = browser.get(progress)
    assert ready.status_code == 302
    assert ready["Location"].startswith("http://quick-works.localhost:8000/auth/handoff/?token=")
    assert "no-store" in ready["Cache-Control"]  # the address carries a live token
    parts = urlsplit(ready["Location"])
    workspace = Client(HTTP_HOST=parts.hostname, HTTP_SEC_FETCH_SITE="same-site")
    assert workspace.get(f"{parts.path}?{parts.query}")["Location"] == "/"
    assert workspace.get("/").wsgi_request.user == enterprise.owner

    stranger = visitor().get(progress)
    assert stranger.status_code == 200
    assert "quick-works.localhost:8000/login/" in stranger.content.decode()


# --- operators edit the documents in the admin ----------------------------------------------------------


def test_operators_add_versions_but_cannot_change_a_consented_one(rf):
    from django.contrib.admin.sites import site

    from tenants.legal import consent_record

    admin = site._registry[LegalDocument]
    request = rf.get("/admin/")
    request.user = User.objects.create_superuser(email="op@example.com", password="x-long-password-1")
    terms = LegalDocument.objects.get(kind="terms", version=1)
    assert admin.get_readonly_fields(request, terms) == []
    consent_record(user=request.user, documents=[terms], ip="10.0.0.1")
    assert set(admin.get_readonly_fields(request, terms)) >= {"body_zh", "body_en", "version"}
    assert admin.has_delete_permission(request, terms) is False
    assert admin.get_changeform_initial_data(rf.get("/admin/", {"kind": "terms"}))["version"] == 2


def test_removing_a_member_asks_for_confirmation(alpha, beta):
    from tenants.members import services as member_services

    member_services.member_add(
        enterprise=alpha.enterprise, user=beta.owner, role="member", invited_by=alpha.owner
    )
    html = alpha.client().get("/members/").content.decode()
    assert re.search(r'action="/members/\d+/remove/"[^>]*data-confirm-danger', html)
    assert any(beta.owner.email in text for text in re.findall(r'data-confirm="([^"]+)"', html))


# --- consent through the API, documents in force, a wrong password never echoed ---------------------------


def test_the_api_needs_and_records_consent():
    import json

    data = payload()
    data.pop("accept_terms")
    api = visitor(HTTP_ACCEPT_LANGUAGE="en")
    refused = api.post("/api/v1/registrations/", json.dumps(data), content_type="application/json")
    assert refused.status_code == 400 and "accept_terms" in refused.json()
    refused = api.post(
        "/api/v1/registrations/", json.dumps({**data, "accept_terms": False}), content_type="application/json"
    )
    assert refused.status_code == 400 and "accept_terms" in refused.json()
    assert not Enterprise.objects.filter(credit_code=data["credit_code"]).exists()

    ok = api.post(
        "/api/v1/registrations/", json.dumps({**data, "accept_terms": True}), content_type="application/json"
    )
    assert ok.status_code == 202, ok.json()
    enterprise = Enterprise.objects.get(registration_id=ok.json()["id"])
    consents = LegalConsent.objects.filter(user=enterprise.owner, enterprise=enterprise)
    assert sorted(c.document.kind for c in consents) == ["privacy", "terms"]
    assert {c.ip for c in consents} == {"203.0.113.7"}


def test_the_openapi_schema_documents_accept_terms():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="portal.urls_schema").get_schema(request=None, public=True)
    body = schema["components"]["schemas"]["RegistrationInputRequest"]
    assert "accept_terms" in body["required"]
    assert body["properties"]["accept_terms"]["type"] == "boolean"


@pytest.mark.parametrize("kind", ["terms", "privacy"])
def test_no_registration_without_both_documents_in_force(kind):
    import json

    LegalDocument.objects.filter(kind=kind).delete()
    page = visitor(HTTP_ACCEPT_LANGUAGE="en")
    closed = page.get("/register/")
    assert closed.status_code == 503 and b'id="registration-closed"' in closed.content
    assert b'id="register-form"' not in closed.content
    data = payload()
    assert page.post("/register/", data).status_code == 503
    api = page.post("/api/v1/registrations/", json.dumps(data), content_type="application/json")
    assert api.status_code == 503 and "Registration is closed" in api.json()["detail"]
    assert not Enterprise.objects.filter(credit_code=data["credit_code"]).exists()


def test_a_wrong_password_for_an_existing_email_is_not_shown_back(alpha):
    response = visitor().post(
        "/register/", payload(owner_email=alpha.owner.email, password="Wrong-pass-Echo-77")
    )
    assert response.status_code == 400
    assert "owner_email" in response.context["form"].errors
    assert "Wrong-pass-Echo-77" not in response.content.decode()


def test_the_password_keeps_its_maxlength_on_the_page():
    html = visitor().get("/register/").content.decode()
    field = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'maxlength="128"' in field


# --- the other ways to a new account: an invitation, a buyer's sign-up --------------------------------


def _invitation(alpha, email):
    from tenants.members import services as member_services

    _invitation, token = member_services.invitation_create(
        enterprise=alpha.enterprise, email=email, role="member", invited_by=alpha.owner
    )
    return token


def test_an_invitation_for_a_new_person_needs_and_records_consent(alpha):
    token = _invitation(alpha, "joiner-consent@example.com")
    client = Client(HTTP_HOST=alpha.host, REMOTE_ADDR="203.0.113.8", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/invitations/{token}/").content.decode()
    assert 'id="id_accept_terms"' in page
    assert 'href="http://localhost:8000/legal/terms/"' in page
    assert 'href="http://localhost:8000/legal/privacy/"' in page
    data = {"name": "Joiner", "password": "Strong-joiner-2026"}
    refused = client.post(f"/invitations/{token}/", data)
    assert refused.status_code == 400 and "accept_terms" in refused.context["form"].errors
    assert not User.objects.filter(email="joiner-consent@example.com").exists()
    ok = client.post(f"/invitations/{token}/", {**data, "accept_terms": "on"})
    assert ok.status_code == 302
    user = User.objects.get(email="joiner-consent@example.com")
    consents = LegalConsent.objects.filter(user=user)
    assert sorted(c.document.kind for c in consents) == ["privacy", "terms"]
    assert {c.ip for c in consents} == {"203.0.113.8"}


def test_an_invitation_for_an_existing_account_asks_no_consent(alpha, beta):
    token = _invitation(alpha, beta.owner.email)
    page = Client(HTTP_HOST=alpha.host).get(f"/invitations/{token}/").content.decode()
    assert "accept_terms" not in page


def test_no_new_account_by_invitation_without_the_documents(alpha):
    token = _invitation(alpha, "joiner-closed@example.com")
    LegalDocument.objects.filter(kind="privacy").delete()
    client = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en")
    data = {"name": "Joiner", "password": "Strong-joiner-2026", "accept_terms": "on"}
    response = client.post(f"/invitations/{token}/", data)
    assert response.status_code == 503 and b"Registration is closed" in response.content
    assert not User.objects.filter(email="joiner-closed@example.com").exists()


def test_a_buyer_sign_up_needs_and_records_consent():
    client = visitor(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/hall/signup/").content.decode()
    assert 'id="id_accept_terms"' in page and 'href="http://localhost:8000/legal/terms/"' in page
    data = {"name": "Buyer", "email": "buyer-consent@example.com", "password": "Strong-pass-2026!"}
    refused = client.post("/hall/signup/", data)
    assert refused.status_code == 400 and "accept_terms" in refused.context["form"].errors
    assert not User.objects.filter(email="buyer-consent@example.com").exists()
    assert client.post("/hall/signup/", {**data, "accept_terms": "on"}).status_code == 302
    user = User.objects.get(email="buyer-consent@example.com")
    consents = LegalConsent.objects.filter(user=user)
    assert sorted(c.document.kind for c in consents) == ["privacy", "terms"]
    assert {c.ip for c in consents} == {"203.0.113.7"}


def test_no_buyer_sign_up_without_the_documents():
    LegalDocument.objects.filter(kind="terms").delete()
    client = visitor(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/hall/signup/").status_code == 503
    data = {
        "name": "B",
        "email": "buyer-closed@example.com",
        "password": "Strong-pass-2026!",
        "accept_terms": "on",
    }
    response = client.post("/hall/signup/", data)
    assert response.status_code == 503 and b'id="signup-closed"' in response.content
    assert not User.objects.filter(email="buyer-closed@example.com").exists()


def test_the_page_answers_429_for_a_locked_account_and_shows_no_password(alpha, settings):
    client = visitor(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": alpha.owner.email, "password": "wrong"})
    response = client.post("/register/", payload(owner_email=alpha.owner.email, password="Locked-Echo-55"))
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "Locked-Echo-55" not in response.content.decode()

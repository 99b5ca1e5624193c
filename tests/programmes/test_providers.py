"""Providers: self-registration (page and API), the workspace, applications to a programme's
provider list (the rules, the closed programme, applying twice, withdrawing), and the fences."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.notices import Notice
from programmes import providers
from programmes.models import Enrolment, Event, Project, Provider, ProviderMember
from tenants.models import Region, User
from tests.conftest import _credit_code
from tests.programmes.conftest import PASSWORD, make_programme, make_provider, person

pytestmark = pytest.mark.django_db

JSON = "application/json"
CODE = _credit_code(4242001)
WRONG_CHECK = CODE[:-1] + ("1" if CODE[-1] == "0" else "0")


def client(user=None) -> Client:
    c = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    if user is not None:
        c.force_login(user)
    return c


def registration(**change) -> dict:
    data = {
        "name_zh": "北京数智服务有限公司",
        "name_en": "Beijing Digital Services",
        "credit_code": _credit_code(4242001),
        "city": "110000",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "contact_email": "Contact@Example.com",
        "website": "https://digital.example.com",
        "description_zh": "质量管控与设备联网",
        "description_en": "Quality control and connected equipment",
        "user_name": "王芳",
        "email": "Wang.Fang@example.com",
        "password": PASSWORD,
        "accept_terms": True,
    }
    data.update(change)
    return data


def counts() -> tuple:
    return Provider.objects.count(), User.objects.count(), ProviderMember.objects.count()


def test_the_registration_page_creates_provider_user_and_link_and_signs_in():
    c = client()
    assert c.get("/providers/register/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    response = c.post("/providers/register/", {**registration(), "accept_terms": "on"})
    assert response.status_code == 302 and response["Location"] == "/provider/"
    provider = Provider.objects.get(credit_code=_credit_code(4242001))
    user = User.objects.get(email="wang.fang@example.com")
    assert user.platform_role == "provider" and user.provider_link.provider == provider
    assert provider.contact_phone == "+8613800138000" and provider.contact_email == "contact@example.com"
    assert Event.objects.filter(action=Event.Action.PROVIDER_REGISTERED, provider=provider).count() == 1
    workspace = c.get("/provider/", HTTP_ACCEPT_LANGUAGE="en")
    assert workspace.status_code == 200 and "Beijing Digital Services" in workspace.content.decode()
    assert "北京数智服务有限公司" in c.get("/provider/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_registration_api_answers_201_and_the_user_can_get_a_token():
    response = client().post("/api/v1/providers/", registration(), content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["provider"]["name_zh"] == "北京数智服务有限公司"
    token = client().post(
        "/api/v1/auth/token/", {"email": "wang.fang@example.com", "password": PASSWORD}, content_type=JSON
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_zh": ""}, "name_zh"),
        ({"name_zh": "Digital Only Ltd"}, "name_zh"),
        ({"credit_code": "123"}, "credit_code"),
        ({"credit_code": WRONG_CHECK}, "credit_code"),
        ({"city": "999999"}, "city"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"website": "not a url"}, "website"),
        ({"description_zh": "长" * 5001}, "description_zh"),
        ({"user_name": ""}, "user_name"),
        ({"email": "nope"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "wang.fang-2026-Long"}, "password"),
        ({"accept_terms": False}, "accept_terms"),
        ({"name_zh": ["北京"]}, "name_zh"),
    ],
)
def test_bad_registration_input_is_a_400_naming_the_field_and_changes_nothing(change, field):
    before = counts()
    response = client().post("/api/v1/providers/", registration(**change), content_type=JSON)
    assert response.status_code == 400 and field in response.json(), response.content
    page = client().post(
        "/providers/register/",
        {k: v for k, v in registration(**change).items() if not isinstance(v, list) and v is not False},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if not isinstance(change.get(field), list):
        assert page.status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({}, "credit_code"),
        ({"credit_code": _credit_code(4242002)}, "name_zh"),
        ({"credit_code": _credit_code(4242002), "name_zh": "另一家服务公司"}, "email"),
    ],
)
def test_a_duplicate_code_name_or_email_is_a_409_in_both_languages(change, field):
    assert client().post("/api/v1/providers/", registration(), content_type=JSON).status_code == 201
    before = counts()
    again = client().post("/api/v1/providers/", registration(**change), content_type=JSON)
    assert again.status_code == 409 and again.json()["field"] == field
    assert again.json()["messages"]["zh"] and again.json()["messages"]["en"]
    page = client().post("/providers/register/", {**registration(**change), "accept_terms": "on"})
    assert page.status_code == 409
    assert counts() == before


def test_a_race_on_the_unique_constraints_is_a_409(monkeypatch):
    """Two registrations pass the early checks; the database's constraint decides."""
    client().post("/api/v1/providers/", registration(), content_type=JSON)
    monkeypatch.setattr(providers, "_duplicates", lambda **kw: None)
    with pytest.raises(providers.ConflictError):
        data = registration(email="other@example.com", name_zh="别家服务公司")
        data.pop("accept_terms")
        data["city"] = Region.objects.get(code="110000")
        providers.provider_register(**data, accept_terms=None)
    assert Provider.objects.count() == 1 and not User.objects.filter(email="other@example.com").exists()


def test_registration_is_rate_limited_like_an_enterprise_registration(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "registration": "1/day"}
    assert client().post("/api/v1/providers/", {}, content_type=JSON).status_code == 400
    assert client().post("/api/v1/providers/", {}, content_type=JSON).status_code == 429
    assert client().post("/providers/register/", {}).status_code == 429


# --- the workspace --------------------------------------------------------------------------------------


def test_the_workspace_is_404_for_anyone_but_a_provider_user(people):
    assert client().get("/provider/").status_code == 302  # sign in first
    for user in (people["admin"], people["assessor"], person("plain@example.com", "")):
        assert client(user).get("/provider/").status_code == 404
        assert client(user).get("/api/v1/provider/enrolments/").status_code == 404
        assert client(user).get("/api/v1/provider/profile/").status_code == 404
    provider, user = make_provider("inactive")
    provider.is_active = False
    provider.save()
    assert client(user).get("/provider/").status_code == 404


def test_the_provider_edits_its_profile_on_the_page_and_through_the_api():
    provider, user = make_provider("p1")
    c = client(user)
    bad = c.post("/provider/", {"contact_name": "", "contact_phone": "1", "contact_email": "x"})
    assert bad.status_code == 400
    provider.refresh_from_db()
    assert provider.contact_name == "联系人"
    ok = c.post(
        "/provider/",
        {
            "contact_name": "新联系人",
            "contact_phone": "010-12345678",
            "contact_email": "new@example.com",
            "description_zh": "新的介绍",
        },
    )
    assert ok.status_code == 302
    provider.refresh_from_db()
    assert provider.contact_name == "新联系人" and provider.contact_phone == "+861012345678"
    api = c.put(
        "/api/v1/provider/profile/",
        {"contact_name": "A", "contact_phone": "13800138000", "contact_email": "bad"},
        content_type=JSON,
    )
    assert api.status_code == 400 and "contact_email" in api.json()
    provider.refresh_from_db()
    assert provider.contact_name == "新联系人"


# --- applications to programmes ------------------------------------------------------------------------


def test_apply_list_and_withdraw_through_the_api_with_events_and_notices(people):
    programme = make_programme(cities=("110000",))
    provider, user = make_provider("p1")
    c = client(user)
    created = c.post(
        "/api/v1/provider/enrolments/",
        {"programme": programme.pk, "statement": "经验丰富"},
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    listed = c.get("/api/v1/provider/enrolments/").json()
    assert listed["count"] == 1 and listed["results"][0]["programme"] == programme.pk
    # The admins who manage the programme hear of it: the whole region's and Beijing's, not Tianjin's.
    told = set(Notice.objects.values_list("user__email", flat=True))
    assert told == {people["admin"].email, people["beijing_admin"].email}
    assert Event.objects.filter(action=Event.Action.ENROLMENT_APPLIED, provider=provider).count() == 1
    enrolment_id = created.json()["id"]
    withdrawn = c.post(f"/api/v1/provider/enrolments/{enrolment_id}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert c.post(f"/api/v1/provider/enrolments/{enrolment_id}/withdraw/").status_code == 409
    assert Event.objects.filter(action=Event.Action.ENROLMENT_WITHDRAWN).count() == 1
    # Re-applying after a withdrawal is allowed while the window is open: the same row, pending again.
    again = c.post("/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON)
    assert again.status_code == 201 and again.json()["id"] == enrolment_id


def test_applying_twice_is_a_409_and_changes_nothing():
    programme = make_programme()
    _provider, user = make_provider("p1")
    c = client(user)
    assert (
        c.post("/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON).status_code
        == 201
    )
    twice = c.post("/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON)
    assert twice.status_code == 409 and twice.json()["messages"]["zh"]
    assert Enrolment.objects.count() == 1 and Event.objects.filter(action="enrolment_applied").count() == 1


def test_a_rejected_provider_cannot_apply_again():
    programme = make_programme()
    provider, user = make_provider("p1")
    Enrolment.objects.create(programme=programme, provider=provider, status="rejected", reason="资质不足")
    response = client(user).post(
        "/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON
    )
    assert response.status_code == 409
    assert Enrolment.objects.get().status == "rejected"
    page = client(user).get("/provider/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "资质不足" in page and "Rejected" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "closed"},
        {"state": "finished"},
        {"providers_until": timezone.localdate() - datetime.timedelta(days=1)},
        {
            "providers_from": timezone.localdate() + datetime.timedelta(days=1),
            "providers_until": timezone.localdate() + datetime.timedelta(days=5),
        },
    ],
)
def test_a_provider_applying_to_a_closed_programme_gets_a_409_in_both_languages(fields):
    programme = make_programme(**fields)
    _provider, user = make_provider("p1")
    response = client(user).post(
        "/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON
    )
    assert response.status_code == 409
    assert "provider" in response.json()["messages"]["en"] and "服务商" in response.json()["messages"]["zh"]
    assert not Enrolment.objects.exists() and not Event.objects.exists()
    page = client(user).post(f"/programmes/{programme.pk}/apply/", {"statement": "x"})
    assert page.status_code == 302 and not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"programme": "x"},
        {"programme": [1]},
        {"programme": 1, "statement": 5},
        {"programme": 1, "statement": "长" * 4001},
    ],
)
def test_bad_application_input_is_a_400(body):
    programme = make_programme()
    _provider, user = make_provider("p1")
    if "programme" in body and body["programme"] == 1:
        body = {**body, "programme": programme.pk}
    response = client(user).post("/api/v1/provider/enrolments/", body, content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] in {"programme", "statement"}
    assert not Enrolment.objects.exists()


def test_a_draft_or_missing_programme_is_404():
    draft = make_programme(state="draft")
    _provider, user = make_provider("p1")
    for pk in (draft.pk, 999999):
        response = client(user).post("/api/v1/provider/enrolments/", {"programme": pk}, content_type=JSON)
        assert response.status_code == 404
    assert client().get(f"/programmes/{draft.pk}/").status_code == 404


def test_another_providers_application_is_404():
    programme = make_programme()
    provider, _user = make_provider("p1")
    _other, other_user = make_provider("p2")
    enrolment = Enrolment.objects.create(programme=programme, provider=provider)
    response = client(other_user).post(f"/api/v1/provider/enrolments/{enrolment.pk}/withdraw/")
    assert response.status_code == 404
    assert client(other_user).post(f"/provider/enrolments/{enrolment.pk}/withdraw/").status_code == 404
    assert Enrolment.objects.get().status == "pending"


def test_the_programme_page_lets_a_provider_apply_and_then_shows_the_status():
    programme = make_programme()
    _provider, user = make_provider("p1")
    c = client(user)
    page = c.get(f"/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="apply-form"' in page
    assert c.post(f"/programmes/{programme.pk}/apply/", {"statement": "我们有经验"}).status_code == 302
    assert Enrolment.objects.get().statement == "我们有经验"
    page = c.get(f"/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="apply-form"' not in page and "Awaiting decision" in page
    anonymous = client().get(f"/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="apply-form"' not in anonymous and "/providers/register/" in anonymous


def test_a_hebei_programme_notifies_the_region_and_hebei_admins_not_beijing(people):
    programme = make_programme(cities=("130100", "130200"))
    _provider, user = make_provider("p1")
    response = client(user).post(
        "/api/v1/provider/enrolments/", {"programme": programme.pk}, content_type=JSON
    )
    assert response.status_code == 201
    told = set(Notice.objects.values_list("user__email", flat=True))
    assert told == {people["admin"].email, people["hebei_admin"].email}
    assert {n.url for n in Notice.objects.all()} == {
        f"http://localhost:8000/programmes/manage/{programme.pk}/providers/"
    }


def test_withdrawing_while_a_project_with_the_provider_is_under_way_is_a_409(alpha):
    programme = make_programme()
    provider, user = make_provider("p1")
    enrolment = Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    project = Project.objects.create(
        programme=programme,
        tenant=alpha.enterprise,
        provider=provider,
        state="approved",
        before_assessment_id=1,
        before_level=1,
        before_total=40.0,
        before_approved_at=timezone.now(),
    )
    response = client(user).post(f"/api/v1/provider/enrolments/{enrolment.pk}/withdraw/")
    assert response.status_code == 409 and response.json()["messages"]["zh"]
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"
    project.state = "granted"
    project.save()
    assert client(user).post(f"/api/v1/provider/enrolments/{enrolment.pk}/withdraw/").status_code == 200


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_registration_page_and_workspace_in_both_languages(language):
    page = client().get("/providers/register/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    title = "Register as a digital service provider" if language == "en" else "注册为数字化服务商"
    assert title in page and 'name="credit_code"' in page and 'name="accept_terms"' in page
    programme = make_programme()
    provider, user = make_provider("p1")
    Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    workspace = client(user).get("/provider/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    expected = ("Provider workspace", "Accepted") if language == "en" else ("服务商工作台", "已接受")
    assert expected[0] in workspace and expected[1] in workspace
    assert f"/programmes/{programme.pk}/" in workspace and "/provider/projects/" in workspace

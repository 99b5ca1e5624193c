"""Self-registration: validation, normalisation, slugs, duplicates and races, hostile names."""

import itertools

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation
from stdnum.cn import uscc

from tenants import registration
from tenants.forms import RegistrationForm
from tenants.models import Domain, Enterprise, User
from tests.uscc_examples import VALID

pytestmark = pytest.mark.django_db

_codes = iter(VALID[6:])  # the first six are used by name in tests below
_emails = itertools.count(1)


def payload(**overrides) -> dict:
    data = {
        "name": "北京测试智能装备有限公司",
        "name_en": "",
        "credit_code": None,
        "city": "110000",
        "district": "110108",
        "industry": "C34",
        "employees": 120,
        "revenue_band": "20m-400m",
        "contact_phone": "13800138000",
        "owner_name": "王测试",
        "owner_email": f"registrant-{next(_emails)}@example.com",
        "password": "Str0ng-pass-2026",
        "accept_terms": True,
    }
    data.update(overrides)
    if "credit_code" not in overrides:
        data["credit_code"] = next(_codes)
    return data


# --- the credit code ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID[:30])
def test_valid_codes_from_stdnum_examples_pass(code):
    form = RegistrationForm(data=payload(credit_code=code))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == code


def test_code_is_trimmed_compacted_and_upper_cased():
    form = RegistrationForm(data=payload(credit_code="  91 110000 600037341l "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == "91110000600037341L"


@pytest.mark.parametrize(
    ("code", "english", "chinese"),
    [
        ("9111000060003734", "has 18 characters; this one has 16", "18 位"),
        ("9111000060003IOZSV", "capital letters (not I, O, Z, S or V)", "I、O、Z、S、V 除外"),
        ("91110000600037341N", "check character", "校验位"),
    ],
)
def test_bad_codes_get_a_clear_field_error_in_both_languages(code, english, chinese):
    with translation.override("en"):
        form = RegistrationForm(data=payload(credit_code=code))
        assert not form.is_valid()
        assert english in " ".join(form.errors["credit_code"])
    with translation.override("zh-hans"):
        form = RegistrationForm(data=payload(credit_code=code))
        assert not form.is_valid()
        assert chinese in " ".join(form.errors["credit_code"])


# --- the API --------------------------------------------------------------------------------------------


def test_api_registration_answers_202_with_status_url(public_client, mailoutbox):
    response = public_client.post(
        "/api/v1/registrations/",
        payload(name_en="Acme Precision Co., Ltd.", owner_email="acme@example.com"),
        content_type="application/json",
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert set(body) >= {"id", "status", "status_url", "domain"}
    assert body["status"] == "pending"
    assert body["domain"] == "acme-precision.localhost"
    enterprise = Enterprise.objects.get(registration_id=body["id"])
    assert enterprise.schema_name.startswith("ent_")
    assert Domain.objects.get(tenant=enterprise).domain == "acme-precision.localhost"
    assert public_client.get(body["status_url"]).json()["status"] == "pending"


def test_api_field_errors_are_400_with_messages(public_client):
    response = public_client.post(
        "/api/v1/registrations/",
        payload(credit_code="123", city="999999", contact_phone="12", password="x"),
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert {"credit_code", "city", "contact_phone", "password"} <= set(errors)


def test_api_rejects_non_json_garbage_without_500(public_client):
    response = public_client.post("/api/v1/registrations/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_duplicate_credit_code_is_409(public_client):
    first = public_client.post(
        "/api/v1/registrations/", payload(credit_code=VALID[0]), content_type="application/json"
    )
    assert first.status_code == 202
    second = public_client.post(
        "/api/v1/registrations/",
        payload(credit_code="91110000600037341l", owner_email="other@example.com"),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["field"] == "credit_code"
    assert Enterprise.objects.filter(credit_code=VALID[0]).count() == 1


def test_duplicate_credit_code_on_the_page_is_a_field_error(public_client):
    public_client.post("/register/", payload(credit_code=VALID[1], accept_terms="on"))
    response = public_client.post(
        "/register/", payload(credit_code=VALID[1], owner_email="x2@example.com", accept_terms="on")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"]


# --- slugs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", sorted(registration.RESERVED_SLUGS))
def test_reserved_names_never_become_slugs(word):
    slug = registration.slug_base(name="某某有限公司", name_en=word)
    assert slug not in registration.RESERVED_SLUGS
    assert slug.startswith(word)


def test_slug_from_pinyin_of_chinese_name():
    assert registration.slug_base(name="北京精工智造科技有限公司") == "beijingjinggongzhizaokeji"


def test_slug_from_english_name_drops_company_form():
    assert registration.slug_base(name="某公司", name_en="Haihe Equipment Co., Ltd.") == "haihe-equipment"


def test_slug_is_short_and_starts_with_a_letter():
    slug = registration.slug_base(name="3D打印有限公司", name_en="")
    assert slug[0].isalpha() and len(slug) <= registration.SLUG_MAX
    long = registration.slug_base(name="某", name_en="x" * 100)
    assert len(long) <= registration.SLUG_MAX


def test_same_name_twice_gets_a_numbered_slug(public_client):
    a = public_client.post(
        "/api/v1/registrations/", payload(name_en="Twin Motors"), content_type="application/json"
    )
    b = public_client.post(
        "/api/v1/registrations/",
        payload(name_en="Twin Motors", owner_email="twin2@example.com"),
        content_type="application/json",
    )
    assert a.json()["domain"] == "twin-motors.localhost"
    assert b.json()["domain"] == "twin-motors-2.localhost"


# --- hostile names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "北京\"引号\"'单引号'有限公司",
        "天津;分号;DROP TABLE tenants_enterprise;--有限公司",
        "河北表情😀🏭制造有限公司",
        "北京'); DELETE FROM tenants_user; --科技有限公司",
        "<script>alert('x')</script>保定有限公司",
    ],
)
def test_hostile_names_are_stored_as_text(public_client, name):
    response = public_client.post(
        "/api/v1/registrations/",
        payload(name=name, owner_email=f"h{abs(hash(name))}@example.com"),
        content_type="application/json",
    )
    assert response.status_code == 202, response.json()
    enterprise = Enterprise.objects.get(registration_id=response.json()["id"])
    assert enterprise.name == name
    assert enterprise.slug.replace("-", "").isalnum()
    # Nothing was run as SQL: the tables the text names are all still there.
    assert {"tenants_user", "tenants_enterprise"} <= set(connection.introspection.table_names())


def test_a_300_character_name_is_rejected_with_a_message(public_client):
    response = public_client.post(
        "/api/v1/registrations/", payload(name="北" * 300), content_type="application/json"
    )
    assert response.status_code == 400
    assert "200" in response.json()["name"][0]


def test_a_name_without_chinese_is_rejected(public_client):
    response = public_client.post(
        "/api/v1/registrations/", payload(name="ACME Ltd"), content_type="application/json"
    )
    assert response.status_code == 400 and "name" in response.json()


def test_nul_characters_are_rejected_not_500(public_client):
    response = public_client.post(
        "/api/v1/registrations/", payload(name="北京\x00有限公司"), content_type="application/json"
    )
    assert response.status_code == 400


def test_district_must_belong_to_city():
    form = RegistrationForm(data=payload(city="120000", district="110108"))
    assert not form.is_valid() and "district" in form.errors


# --- existing accounts, emails, the page ------------------------------------------------------------------


def test_existing_user_registers_a_second_enterprise_with_own_password(alpha, public_client):
    ok = public_client.post(
        "/api/v1/registrations/",
        payload(owner_email=alpha.owner.email, password=alpha.password),
        content_type="application/json",
    )
    assert ok.status_code == 202
    assert Enterprise.objects.get(registration_id=ok.json()["id"]).owner == alpha.owner


def test_existing_email_with_wrong_password_is_refused(alpha, public_client):
    response = public_client.post(
        "/api/v1/registrations/",
        payload(owner_email=alpha.owner.email, password="Wrong-pass-999"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "owner_email"


def test_the_account_hears_of_a_registration_with_its_address_and_another_password(
    alpha, public_client, mailoutbox
):
    public_client.post(
        "/api/v1/registrations/",
        payload(owner_email=alpha.owner.email, password="Wrong-pass-999"),
        content_type="application/json",
    )
    assert [m.to for m in mailoutbox] == [[alpha.owner.email]]
    assert "someone tried to register an enterprise" in mailoutbox[0].body
    assert "有人尝试使用您的邮箱在京津冀工业云平台注册企业" in mailoutbox[0].body
    assert "/password-reset/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("li.ming@example.com", "li.ming@example.com"),  # the address itself
        ("li.ming@example.com", "x-LI.MING@example.com-1"),  # containing it
        ("liming2@example.com", "Liming2-Factory!"),  # the part before the @ (4+ characters)
        ("li.ming+reg@example.com", "liming-Q2-2026"),  # the same, without "+reg" and the dot
    ],
)
def test_a_password_containing_the_email_is_refused_by_page_and_api(public_client, email, password):
    api = public_client.post(
        "/api/v1/registrations/",
        payload(owner_email=email, password=password),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 400
    assert any("may not contain your email" in m for m in api.json()["password"])
    page = public_client.post("/register/", payload(owner_email=email, password=password))
    assert page.status_code == 400 and "password" in page.context["form"].errors
    assert not User.objects.filter(email=email).exists()


def test_a_short_local_part_alone_does_not_refuse_a_password(public_client):
    response = public_client.post(
        "/api/v1/registrations/",
        payload(owner_email="wu@example.com", password="Wu-tong-hardware-42"),
        content_type="application/json",
    )
    assert response.status_code == 202, response.content


def test_verification_email_and_link(public_client, django_capture_on_commit_callbacks):
    # Runs the on-commit hooks: the email, and the provisioning message (a worker, if one runs, finds
    # no such enterprise outside this test's transaction and leaves it).
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post(
            "/api/v1/registrations/",
            payload(owner_email="verify-me@example.com"),
            content_type="application/json",
        )
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["verify-me@example.com"]
    link = next(line for line in message.body.splitlines() if "/verify-email/" in line).strip()
    path = link.split("localhost:8000", 1)[1]
    assert public_client.get(path).status_code == 200
    assert User.objects.get(email="verify-me@example.com").is_verified is True
    assert public_client.get(path[:-5] + "xxxx/").status_code == 400  # tampered


def test_sign_up_page_renders_and_redirects_to_progress(public_client):
    assert public_client.get("/register/").status_code == 200
    response = public_client.post("/register/", payload(name_en="Page Flow", accept_terms="on"))
    assert response.status_code == 302
    progress = public_client.get(response["Location"])
    assert progress.status_code == 200
    assert b'data-status="pending"' in progress.content
    partial = public_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"registration-status" in partial.content


def test_sign_up_page_shows_field_errors(public_client):
    response = public_client.post("/register/", payload(credit_code="91110000600037341N"))
    assert response.status_code == 400
    assert "credit_code" in response.context["form"].errors


def test_pending_enterprise_host_says_being_prepared_not_500(public_client, client):
    response = public_client.post(
        "/api/v1/registrations/", payload(name_en="Slow Starter"), content_type="application/json"
    )
    page = client.get("/", HTTP_HOST=response.json()["domain"])
    assert page.status_code == 503
    assert page["Retry-After"]
    api = client.get("/api/v1/workspace/", HTTP_HOST=response.json()["domain"])
    assert api.status_code == 503


def test_registration_rate_limit(public_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "registration": "2/day"}
    codes = []
    for _ in range(3):
        codes.append(
            public_client.post(
                "/api/v1/registrations/", payload(credit_code="bad"), content_type="application/json"
            ).status_code
        )
    assert codes == [400, 400, 429]


def test_registration_status_of_unknown_id_is_404(public_client):
    assert public_client.get("/api/v1/registrations/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert public_client.get("/register/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_credit_code_checksum_helper_agrees_with_stdnum():
    assert all(uscc.is_valid(code) for code in VALID)


def test_json_that_is_not_an_object_is_400(public_client):
    for body in ("[]", '"text"', "42", "null"):
        response = public_client.post("/api/v1/registrations/", body, content_type="application/json")
        assert response.status_code == 400, body


def test_long_names_still_get_a_free_host_name(public_client):
    name_en = "Very Long Precision Machinery Manufacturing Company"
    domains = [
        public_client.post(
            "/api/v1/registrations/", payload(name_en=name_en), content_type="application/json"
        ).json()["domain"]
        for _ in range(3)
    ]
    assert len(set(domains)) == 3
    assert all(len(d.split(".")[0]) <= registration.SLUG_MAX for d in domains)


def test_registering_with_a_locked_account_says_locked(alpha, public_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        public_client.post("/login/", {"username": alpha.owner.email, "password": "wrong"})
    response = public_client.post(
        "/api/v1/registrations/",
        payload(owner_email=alpha.owner.email, password=alpha.password),
        content_type="application/json",
    )
    assert response.status_code == 429


def test_broker_down_after_commit_still_answers_202(
    public_client, settings, django_capture_on_commit_callbacks
):
    """The provisioning message is sent after commit; if the broker is unreachable the registration
    stands (the sweeper sends it later) and the registrant still gets the 202."""
    from worker.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_connection_max_retries = 0
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = public_client.post(
                "/api/v1/registrations/", payload(name_en="Broker Down"), content_type="application/json"
            )
    finally:
        app.conf.broker_url = original
    assert response.status_code == 202
    assert Enterprise.objects.get(registration_id=response.json()["id"]).status == "pending"

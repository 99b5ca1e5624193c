"""The financial cloud's API: the enterprise's side on its host, the institutions' on the public site;
bad input is a 400 with a message (never a 500), and the fences answer 404."""

from decimal import Decimal

import pytest
from django.test import Client

from finance.lending.models import Application, LoanProduct
from tests.finance.test_finance import applied, public_client, request_data, statement, submitted_request

pytestmark = pytest.mark.django_db


def api(world) -> Client:
    return world.client()


def test_the_enterprise_path_through_the_api(alpha, banks):
    client = api(alpha)
    created = client.post("/api/v1/finance/profile/", statement(2024), content_type="application/json")
    assert created.status_code == 201 and created.json()["revenue"] == "10000000.00"
    duplicate = client.post("/api/v1/finance/profile/", statement(2024), content_type="application/json")
    assert duplicate.status_code == 409 and "2024" in duplicate.json()["messages"]["en"]
    assert "2024" in duplicate.json()["messages"]["zh"]
    profile = client.get("/api/v1/finance/profile/").json()
    assert profile[0]["debt_to_asset"] == "45.0" and profile[0]["statement"]["year"] == 2024

    request = client.post("/api/v1/finance/requests/", request_data(), content_type="application/json")
    assert request.status_code == 201
    request_id = request.json()["id"]
    assert client.get(f"/api/v1/finance/requests/{request_id}/matches/").json() == []  # a draft has none
    assert client.post(f"/api/v1/finance/requests/{request_id}/submit/").json()["status"] == "submitted"
    again = client.post(f"/api/v1/finance/requests/{request_id}/submit/")
    assert again.status_code == 409
    matches = client.get(f"/api/v1/finance/requests/{request_id}/matches/").json()
    assert [m["product"] for m in matches] == [banks["digital"].pk, banks["big"].pk]
    assert matches[0]["eligible"] and {c["key"] for c in matches[0]["checks"]} >= {"amount", "term", "city"}
    city = next(c for c in matches[1]["checks"] if c["key"] == "city")
    assert city == {
        "key": "city",
        "ok": False,
        "hard": True,
        "text": {"zh": "所在城市不在适用范围内", "en": "city not eligible"},
    }

    body = {"product": banks["digital"].pk, "consent": True, "share": ["statements"]}
    applied_now = client.post(
        f"/api/v1/finance/requests/{request_id}/applications/", body, content_type="application/json"
    )
    assert applied_now.status_code == 201 and applied_now.json()["shared"] == [
        "enterprise",
        "request",
        "statements",
    ]
    detail = client.get(f"/api/v1/finance/requests/{request_id}/").json()
    assert [a["status"] for a in detail["applications"]] == ["submitted"]


@pytest.mark.parametrize(
    ("amount", "eligible"),
    [("500000.00", True), ("499999.99", False), ("5000000.00", True), ("5000000.01", False)],
)
def test_a_request_for_exactly_a_products_minimum_or_maximum_matches_and_one_fen_beyond_does_not(
    alpha, banks, amount, eligible
):
    """The digital loan lends 500,000 to 5,000,000 yuan; every other condition of it is met."""
    assert (banks["digital"].amount_min, banks["digital"].amount_max) == (
        Decimal("500000"),
        Decimal("5000000"),
    )
    request = submitted_request(alpha, amount=amount, collateral="none")
    client = api(alpha)
    matches = client.get(f"/api/v1/finance/requests/{request.pk}/matches/").json()
    digital = next(m for m in matches if m["product"] == banks["digital"].pk)
    failed = [c["key"] for c in digital["checks"] if c["hard"] and not c["ok"]]
    assert (digital["eligible"], failed) == (eligible, [] if eligible else ["amount"])
    body = {"product": banks["digital"].pk, "consent": True, "share": []}
    applied_now = client.post(
        f"/api/v1/finance/requests/{request.pk}/applications/", body, content_type="application/json"
    )
    assert applied_now.status_code == (201 if eligible else 400)


@pytest.mark.parametrize(
    "body",
    [
        {"product": "1", "consent": True},
        {"product": True, "consent": True},
        {"product": 1, "consent": True, "share": "statements"},
        {"product": 1, "consent": True, "share": [1, 2]},
        ["not", "an", "object"],
    ],
)
def test_bad_apply_bodies_get_400(alpha, banks, body):
    application_count = Application.objects.count()
    request_id = applied(alpha, banks).request_id
    response = api(alpha).post(
        f"/api/v1/finance/requests/{request_id}/applications/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert Application.objects.count() == application_count + 1  # only the fixture's own


@pytest.mark.parametrize(
    "change",
    [
        {"amount": [1]},
        {"amount": {"x": 1}},
        {"term_months": "twelve"},
        {"wanted_by": 20261201},
        {"purpose": None},
    ],
)
def test_bad_request_bodies_get_400(alpha, change):
    response = api(alpha).post(
        "/api/v1/finance/requests/", request_data(**change), content_type="application/json"
    )
    assert response.status_code == 400


def test_the_institution_answers_through_the_api(alpha, banks, admins_for_finance):
    application = applied(alpha, banks)
    bank = public_client(banks["users"]["a"])
    inbox = bank.get("/api/v1/lending/applications/?status=submitted").json()
    assert [a["id"] for a in inbox["results"]] == [application.pk]
    assert bank.get("/api/v1/lending/applications/?status=nope").status_code == 400
    bad = bank.post(
        f"/api/v1/lending/applications/{application.pk}/respond/",
        {"action": "approve", "amount": "lots", "rate": 3, "term": 12},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["messages"]["zh"] and bad.json()["field"] == "amount"
    ok = bank.post(
        f"/api/v1/lending/applications/{application.pk}/respond/",
        {"action": "approve", "amount": "1500000.5", "rate": 3.8, "term": 18},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["approved_amount"] == "1500000.50"
    late = bank.post(
        f"/api/v1/lending/applications/{application.pk}/respond/",
        {"action": "decline", "message": "x"},
        content_type="application/json",
    )
    assert late.status_code == 409
    # the fence: another institution, an admin, the enterprise's owner
    for user in (banks["users"]["b"], admins_for_finance["admin"], alpha.owner):
        client = public_client(user)
        assert client.get(f"/api/v1/lending/applications/{application.pk}/").status_code == 404
        respond = client.post(
            f"/api/v1/lending/applications/{application.pk}/respond/",
            {"action": "decline", "message": "x"},
            content_type="application/json",
        )
        assert respond.status_code == 404
    assert public_client(banks["users"]["b"]).get("/api/v1/lending/applications/").json()["count"] == 0


def test_products_through_the_api(banks, admins_for_finance):
    anonymous = Client(HTTP_HOST="localhost")
    listed = anonymous.get("/api/v1/lending/products/").json()
    assert {p["id"] for p in listed} == {banks["digital"].pk, banks["big"].pk}  # active ones only
    assert anonymous.post("/api/v1/lending/products/", {}, content_type="application/json").status_code in (
        401,
        403,
    )
    bank = public_client(banks["users"]["a"])
    body = {
        "name_zh": "科技信用贷", "amount_min": "100000", "amount_max": "2000000",
        "term_min": 6, "term_max": 24,
        "rate_min": "3.3", "rate_max": "4.5", "min_level": 1, "collaterals": ["none"], "tags": ["tech"],
        "cities": ["130600"], "is_active": True,
    }  # fmt: skip
    created = bank.post("/api/v1/lending/products/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    product = LoanProduct.objects.get(pk=created.json()["id"])
    assert product.institution == banks["a"] and product.amount_max == Decimal("2000000")
    assert created.json()["cities"] == ["130600"]
    bad = bank.post("/api/v1/lending/products/", {**body, "rate_max": "99"}, content_type="application/json")
    assert bad.status_code == 400 and "rate_max" in bad.json()
    other = public_client(banks["users"]["b"])
    assert (
        other.put(
            f"/api/v1/lending/products/{product.pk}/", body, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        public_client(admins_for_finance["assessor"])
        .get(f"/api/v1/lending/products/{product.pk}/")
        .status_code
        == 404
    )
    admin = public_client(admins_for_finance["admin"])
    changed = admin.put(
        f"/api/v1/lending/products/{product.pk}/",
        {**body, "institution": banks["a"].pk, "is_active": False},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["is_active"] is False


def test_statements_change_and_go_through_the_api(alpha):
    client = api(alpha)
    client.post("/api/v1/finance/profile/", statement(2024), content_type="application/json")
    changed = client.put(
        "/api/v1/finance/profile/2024/",
        {**statement(2024), "net_profit": "-1.50"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["net_profit"] == "-1.50"
    bad = client.put(
        "/api/v1/finance/profile/2024/",
        {**statement(2024), "total_assets": -5},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "total_assets" in bad.json()
    assert (
        client.put(
            "/api/v1/finance/profile/2019/", statement(2019), content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete("/api/v1/finance/profile/2024/").status_code == 204
    assert client.get("/api/v1/finance/profile/").json() == []


def test_withdrawing_a_request_withdraws_its_open_applications(alpha, banks):
    application = applied(alpha, banks)
    page = alpha.client().post(f"/finance/requests/{application.request_id}/withdraw/")
    assert page.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert [e.action for e in application.events.all()] == ["applied", "withdrawn"]
    again = api(alpha).post(f"/api/v1/finance/requests/{application.request_id}/withdraw/")
    assert again.status_code == 409 and again.json()["messages"]["en"] == "This request is already withdrawn."
    # a withdrawn application can no longer be answered
    late = public_client(banks["users"]["a"]).post(
        f"/api/v1/lending/applications/{application.pk}/respond/",
        {"action": "decline", "message": "x"},
        content_type="application/json",
    )
    assert late.status_code == 409


def test_what_the_review_found_stays_fixed(alpha, banks, admins_for_finance):
    """A NUL in a message, a zero or astronomical approval, extreme ratios, a product moved between
    institutions, an admin outside their scope, an application to a product the request does not fit."""
    application = applied(alpha, banks)
    bank = public_client(banks["users"]["a"])
    url = f"/api/v1/lending/applications/{application.pk}/respond/"
    for body in (
        {"action": "decline", "message": "a\u0000b"},
        {"action": "approve", "amount": "0.001", "rate": "3", "term": 12},
        {"action": "approve", "amount": "1e30", "rate": "3", "term": 12},
        {"action": "approve", "amount": "1000", "rate": "1e30", "term": 12},
    ):
        response = bank.post(url, body, content_type="application/json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["messages"]["zh"] != response.json()["messages"]["en"]
    application.refresh_from_db()
    assert application.status == "submitted" and application.events.count() == 1

    # liabilities many times the assets, revenue up a hundred-million-fold: shown, not a 500
    client = api(alpha)
    client.post("/api/v1/finance/profile/", statement(2023, revenue="1.00"), content_type="application/json")
    client.post(
        "/api/v1/finance/profile/",
        statement(2024, total_assets="1.00", total_liabilities="10000.00", revenue="100000000.00"),
        content_type="application/json",
    )
    profile = client.get("/api/v1/finance/profile/")
    assert profile.status_code == 200 and profile.json()[0]["debt_to_asset"] == "1000000.0"

    # the API refuses a product whose conditions the request fails, with the reasons in both languages
    request_id = application.request_id
    refused = client.post(
        f"/api/v1/finance/requests/{request_id}/applications/",
        {"product": banks["big"].pk, "consent": True},
        content_type="application/json",
    )
    assert refused.status_code == 400  # the amount first
    short = LoanProduct.objects.create(
        institution=banks["a"], name_zh="短期贷", amount_min=Decimal("1"), amount_max=Decimal("9000000"),
        term_min=1, term_max=6, rate_min=Decimal("3"), rate_max=Decimal("4"), collaterals=["none"],
        min_level=3,
    )  # fmt: skip
    refused = client.post(
        f"/api/v1/finance/requests/{request_id}/applications/",
        {"product": short.pk, "consent": True},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "term within 1–6 months" in refused.json()["messages"]["en"]
    assert "期限须在 1–6 个月之间" in refused.json()["messages"]["zh"]
    assert "you have no verified level" in refused.json()["messages"]["en"]
    assert not Application.objects.filter(product=short).exists()

    # a product never moves to another institution (its applications are fenced by it)
    admin = public_client(admins_for_finance["admin"])
    edit = {
        "institution": banks["b"].pk, "name_zh": "数字化转型贷",
        "amount_min": "500000", "amount_max": "5000000",
        "term_min": 12, "term_max": 36, "rate_min": "3.45", "rate_max": "4.20", "min_level": 0,
        "collaterals": ["none"], "is_active": True,
    }  # fmt: skip
    moved = admin.put(
        f"/api/v1/lending/products/{banks['digital'].pk}/", edit, content_type="application/json"
    )
    assert moved.status_code == 200
    banks["digital"].refresh_from_db()
    assert banks["digital"].institution == banks["a"]

    # scoped admins manage the products of the institutions in their scope only
    tianjin = public_client(admins_for_finance["tianjin"])
    assert (
        tianjin.get(f"/api/v1/lending/products/{banks['digital'].pk}/").status_code == 404
    )  # a Beijing bank
    assert tianjin.get(f"/api/v1/lending/products/{banks['big'].pk}/").status_code == 200
    hebei = public_client(admins_for_finance["hebei"])
    assert [p.pk for p in hebei.get("/lending/products/").context["products"]] == []


def test_the_bank_sees_no_person_of_the_enterprise(alpha, banks):
    application = applied(alpha, banks)
    page = public_client(banks["users"]["a"]).get(f"/lending/applications/{application.pk}/")
    html = page.content.decode()
    assert alpha.owner.email not in html and alpha.owner.name not in html
    mismatched = alpha.client().post(
        f"/finance/requests/{application.request_id + 1000}/applications/{application.pk}/reply/",
        {"message": "x"},
    )
    assert mismatched.status_code == 404

"""The financial cloud in-process: the profile and its checks, financing requests, matching on the
page, applying with consent (the snapshot and nothing else), the institutions' fence and answers,
bad input, and every route refused across tenants and institutions."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import Notice
from finance import services
from finance.lending import services as lending
from finance.lending import services_facts
from finance.lending.models import (
    Application,
    ApplicationEvent,
    FinancingFact,
    FinancingOutbox,
    LoanProduct,
)
from finance.lending.services_facts import financing_publish
from finance.models import FinancialStatement, FinancingRequest
from tenants.members.models import Role
from tests.test_members import add_member, client_for

pytestmark = pytest.mark.django_db

PUBLIC = "localhost"
NEXT_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def statement(year=2024, **kw) -> dict:
    base = {
        "year": year,
        "revenue": "10000000.00",
        "operating_cost": "8000000.00",
        "net_profit": "1000000.00",
        "total_assets": "20000000.00",
        "total_liabilities": "9000000.00",
        "rd_spend": "500000.00",
        "employees": "120",
    }
    return {**base, **kw}


def request_data(**kw) -> dict:
    base = {
        "amount": "2000000",
        "term_months": "24",
        "purpose": "digital",
        "collateral": "equipment",
        "wanted_by": NEXT_MONTH,
        "note": "MES roll-out",
    }
    return {**base, **kw}


MONEY = ("revenue", "operating_cost", "net_profit", "total_assets", "total_liabilities", "rd_spend", "amount")


def typed(data: dict, **raw) -> dict:
    """What a person types on the pages: the helpers' yuan as 万元; `raw` as given (already 万元)."""
    out = {k: (str(Decimal(v) / 10_000) if k in MONEY else v) for k, v in data.items()}
    return {**out, **raw}


def submitted_request(world, **kw) -> FinancingRequest:
    with tenant_context(world.enterprise):
        request = FinancingRequest.objects.create(
            **{k: v for k, v in request_data(**kw).items() if k not in ("wanted_by",)},
            wanted_by=datetime.date.fromisoformat(NEXT_MONTH),
            created_by=world.owner,
            status=FinancingRequest.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    return request


def public_client(user) -> Client:
    client = Client(HTTP_HOST=PUBLIC)
    client.force_login(user)
    return client


# --- the profile ---------------------------------------------------------------------------------------


def test_statements_show_their_derived_figures(alpha):
    client = alpha.client()
    year = timezone.localdate().year
    assert client.post("/finance/statements/new/", typed(statement(year - 1))).status_code == 302
    assert client.post("/finance/statements/new/", typed(statement(year), revenue="1250")).status_code == 302
    page = client.get("/finance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # 9,000,000 / 20,000,000 = 45.0 %; 1,000,000 / 12,500,000 = 8.0 %; growth 25.0 %; R&D 4.0 %
    assert "45.0%" in page and "8.0%" in page and "25.0%" in page and "4.0%" in page
    assert "Revenue (CNY 10,000)" in page and ">1,250<" in page  # read in 万元
    with tenant_context(alpha.enterprise):
        assert FinancialStatement.objects.get(year=year).revenue == Decimal("12500000.00")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"total_assets": "-1"}, "total_assets", "cannot be negative"),
        ({"total_liabilities": "-0.01"}, "total_liabilities", "cannot be negative"),
        ({"revenue": "99999999999999"}, "revenue", "check the number of digits"),
        ({"net_profit": "-99999999999999"}, "net_profit", "check the number of digits"),
        ({"revenue": "abc"}, "revenue", "as a number"),
        ({"revenue": "12.3456789"}, "revenue", "At most six decimals"),
        ({"year": "2999"}, "year", "in the future"),
        ({"year": "1900"}, "year", "1990 and later years"),
        ({"employees": "-3"}, "employees", "greater than or equal to 0"),
    ],
)
def test_statement_sanity_checks(alpha, change, field, message):
    year = change.pop("year", 2024)
    response = alpha.client().post(
        "/finance/statements/new/", typed(statement(year), **change), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    with tenant_context(alpha.enterprise):
        assert not FinancialStatement.objects.exists()


def test_one_statement_per_year_and_a_loss_is_allowed(alpha):
    client = alpha.client()
    assert (
        client.post("/finance/statements/new/", typed(statement(2024), net_profit="-25")).status_code == 302
    )
    again = client.post("/finance/statements/new/", typed(statement(2024)), HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "already a statement for 2024" in again.content.decode()
    zh = client.post("/finance/statements/new/", typed(statement(2024)), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "2024" in zh.content.decode() and "已有" in zh.content.decode()


def test_viewers_read_but_change_nothing(alpha):
    viewer = add_member(alpha, "fin-viewer@example.com", Role.VIEWER)
    client = client_for(alpha, viewer)
    assert client.get("/finance/").status_code == 200
    assert client.post("/finance/statements/new/", typed(statement(2024))).status_code == 403
    assert client.post("/finance/requests/new/", typed(request_data())).status_code == 403


# --- requests and matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"term_months": "0"}, "term_months"),
        ({"term_months": "9999"}, "term_months"),
        ({"purpose": "yacht"}, "purpose"),
        ({"collateral": "promise"}, "collateral"),
        ({"wanted_by": "2020-01-01"}, "wanted_by"),
        ({"wanted_by": "soon"}, "wanted_by"),
    ],
)
def test_bad_financing_requests_get_clear_errors(alpha, change, field):
    response = alpha.client().post("/finance/requests/new/", typed(request_data(), **change))
    assert response.status_code == 400 and field in response.context["form"].errors
    with tenant_context(alpha.enterprise):
        assert not FinancingRequest.objects.exists()


def test_draft_submit_publish_then_matches_with_reasons(alpha, banks, django_capture_on_commit_callbacks):
    client = alpha.client()
    created = client.post("/finance/requests/new/", typed(request_data()))
    assert created.status_code == 302
    with tenant_context(alpha.enterprise):
        request = FinancingRequest.objects.get()
    assert request.status == "draft" and request.amount == Decimal("2000000")
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(f"/finance/requests/{request.pk}/submit/").status_code == 302
    assert len(callbacks) == 1  # the fact is published by a worker task, after commit
    fact = financing_publish(tenant_id=alpha.enterprise.pk, request_id=request.pk)
    again = financing_publish(tenant_id=alpha.enterprise.pk, request_id=request.pk)
    assert fact.pk == again.pk and FinancingFact.objects.filter(tenant=alpha.enterprise).count() == 1
    assert (fact.city_id, fact.amount, fact.amount_band, fact.status) == (
        "110000",
        Decimal("2000000"),
        "1m-10m",
        "submitted",
    )

    page = client.get(f"/finance/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    ranked = [m.offer.id for _p, m in page.context["matches"]]
    assert ranked == [banks["digital"].pk, banks["big"].pk]  # the inactive product is not offered
    assert "amount within 50–500 (CNY 10,000)" in html and "meant for your purpose" in html
    assert "city not eligible" in html  # the Tianjin-only product, for a Beijing enterprise
    assert f'action="/finance/requests/{request.pk}/apply/{banks["digital"].pk}/"' in html
    assert f"/apply/{banks['big'].pk}/" not in html  # no apply button where conditions fail
    # a submitted request no longer changes
    client.post(f"/finance/requests/{request.pk}/", typed(request_data(), amount="1"))
    with tenant_context(alpha.enterprise):
        assert FinancingRequest.objects.get().amount == Decimal("2000000")


# --- applying ------------------------------------------------------------------------------------------


def test_the_application_holds_exactly_the_consented_snapshot(alpha, banks):
    client = alpha.client()
    client.post("/finance/statements/new/", typed(statement(2024)))
    request = submitted_request(alpha)
    url = f"/finance/requests/{request.pk}/apply/{banks['digital'].pk}/"
    refused = client.post(url, {"share": ["statements"]}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Tick the consent" in refused.content.decode() and not Application.objects.exists()

    assert client.post(url, {"consent": "yes"}).status_code == 302  # nothing optional ticked
    application = Application.objects.get()
    assert set(application.snapshot) == {"enterprise", "request"}
    assert application.snapshot["request"] == {
        "amount": "2000000.00",
        "term_months": 24,
        "purpose": "digital",
        "collateral": "equipment",
        "wanted_by": NEXT_MONTH,
    }  # not the note, not the statements
    assert application.snapshot["enterprise"]["credit_code"] == alpha.enterprise.credit_code
    assert application.shared == ["enterprise", "request"] and application.institution == banks["a"]
    assert ApplicationEvent.objects.filter(application=application, action="applied").count() == 1
    assert Notice.objects.filter(user=banks["users"]["a"]).count() == 1
    assert not Notice.objects.filter(user=banks["users"]["b"]).exists()
    # applying twice to the same product: 409, nothing new
    twice = client.post(url, {"consent": "yes"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "already been used to apply" in twice.content.decode() and Application.objects.count() == 1


def test_sharing_the_statements_sends_them_with_their_ratios_only(alpha, banks):
    alpha.client().post("/finance/statements/new/", typed(statement(2024)))
    request = submitted_request(alpha)
    with tenant_context(alpha.enterprise):
        application = lending.apply(
            enterprise=alpha.enterprise,
            user=alpha.owner,
            request_id=request.pk,
            product_id=banks["digital"].pk,
            consent=True,
            share=["statements", "verified_level"],
        )
    rows = application.snapshot["statements"]
    assert [r["year"] for r in rows] == [2024] and rows[0]["debt_to_asset_percent"] == "45.0"
    assert application.snapshot["verified_level"] is None  # never verified: said so, nothing invented
    assert application.shared == ["enterprise", "request", "statements", "verified_level"]


@pytest.mark.parametrize(
    ("product", "kw", "status", "text"),
    [
        ("big", {}, 400, "outside this product's range"),
        ("closed", {}, 409, "no longer offered"),
        ("digital", {"share": ["answers"]}, 400, "Only the financial statements"),
    ],
)
def test_applications_that_cannot_be_made(alpha, banks, product, kw, status, text):
    request = submitted_request(alpha)
    with tenant_context(alpha.enterprise), pytest.raises(lending.ApplicationError) as caught:
        lending.apply(
            enterprise=alpha.enterprise,
            user=alpha.owner,
            request_id=request.pk,
            product_id=banks[product].pk,
            consent=True,
            share=kw.get("share", []),
        )
    assert caught.value.status_code == status and text in caught.value.body()["messages"]["en"]
    assert not Application.objects.exists()


def test_a_draft_cannot_apply_and_members_cannot_consent(alpha, banks):
    with tenant_context(alpha.enterprise):
        draft = FinancingRequest.objects.create(
            amount=Decimal("2000000"), term_months=24, purpose="digital", collateral="none",
            wanted_by=datetime.date.fromisoformat(NEXT_MONTH), created_by=alpha.owner,
        )  # fmt: skip
    response = alpha.client().post(
        f"/finance/requests/{draft.pk}/apply/{banks['digital'].pk}/", {"consent": "yes"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "Submit the financing need before applying" in response.content.decode()
    member = add_member(alpha, "fin-member@example.com", Role.MEMBER)
    request = submitted_request(alpha)
    refused = client_for(alpha, member).post(
        f"/finance/requests/{request.pk}/apply/{banks['digital'].pk}/", {"consent": "yes"}
    )
    assert refused.status_code == 403 and not Application.objects.exists()


# --- the institutions' side ----------------------------------------------------------------------------


def applied(alpha, banks, product="digital") -> Application:
    request = submitted_request(alpha)
    with tenant_context(alpha.enterprise):
        return lending.apply(
            enterprise=alpha.enterprise, user=alpha.owner, request_id=request.pk,
            product_id=banks[product].pk, consent=True, share=[],
        )  # fmt: skip


def test_an_institution_approves_and_the_enterprise_sees_it(alpha, banks):
    application = applied(alpha, banks)
    bank = public_client(banks["users"]["a"])
    assert application.pk in [a.pk for a in bank.get("/lending/applications/").context["page"]]
    detail = bank.get(f"/lending/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and alpha.enterprise.credit_code in detail.content.decode()
    answer = {"action": "approve", "amount": "180", "rate": "3.65", "term": "24", "message": "Welcome"}
    assert bank.post(f"/lending/applications/{application.pk}/respond/", answer).status_code == 302
    application.refresh_from_db()
    decided = (
        application.status,
        application.approved_amount,
        application.approved_rate,
        application.approved_term,
    )
    assert decided == ("approved", Decimal("1800000.00"), Decimal("3.65"), 24)
    assert Notice.objects.filter(user=alpha.owner, text_en__icontains="approved").exists()
    page = alpha.client().get(f"/finance/requests/{application.request_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "180 (CNY 10,000) at 3.65% a year for 24 months" in page.content.decode()
    # a second answer (two people racing, one after the other here): 409, nothing changed
    late = bank.post(
        f"/lending/applications/{application.pk}/respond/", {"action": "decline", "message": "no"},
        follow=True, HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "already been answered" in late.content.decode()
    application.refresh_from_db()
    assert application.status == "approved"
    assert [e.action for e in application.events.all()] == ["applied", "approve"]


def test_asking_for_information_and_the_enterprise_answers(alpha, banks):
    application = applied(alpha, banks)
    bank = public_client(banks["users"]["a"])
    empty = bank.post(
        f"/lending/applications/{application.pk}/respond/",
        {"action": "request_info"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Write a message" in empty.content.decode()
    bank.post(
        f"/lending/applications/{application.pk}/respond/",
        {"action": "request_info", "message": "Send the 2024 audit"},
    )
    application.refresh_from_db()
    assert application.status == "info_requested"
    alpha.client().post(
        f"/finance/requests/{application.request_id}/applications/{application.pk}/reply/",
        {"message": "Attached by post"},
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert [e.action for e in application.events.all()] == ["applied", "request_info", "replied"]


@pytest.mark.parametrize(
    "answer",
    [
        {"action": "approve", "amount": "-1", "rate": "3", "term": "12"},
        {"action": "approve", "amount": "abc", "rate": "3", "term": "12"},
        {"action": "approve", "amount": "1000", "rate": "99", "term": "12"},
        {"action": "approve", "amount": "1000", "rate": "3", "term": "0"},
        {"action": "approve", "amount": "1000", "rate": "3", "term": "x"},
        {"action": "approve", "amount": "Infinity", "rate": "3", "term": "12"},
        {"action": "decline", "message": ""},
        {"action": "fly"},
    ],
)
def test_bad_answers_are_refused_and_change_nothing(alpha, banks, answer):
    application = applied(alpha, banks)
    response = public_client(banks["users"]["a"]).post(
        f"/lending/applications/{application.pk}/respond/", answer
    )
    assert response.status_code == 400  # the form again, the error next to its field
    assert 'class="field-error"' in response.content.decode() or "alert error" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted" and application.approved_amount is None
    assert application.events.count() == 1


def test_institutions_see_only_applications_to_their_own_products(alpha, banks, admins_for_finance):
    application = applied(alpha, banks)
    other = public_client(banks["users"]["b"])
    assert other.get(f"/lending/applications/{application.pk}/").status_code == 404
    respond = other.post(
        f"/lending/applications/{application.pk}/respond/", {"action": "decline", "message": "x"}
    )
    assert respond.status_code == 404
    assert application.pk not in [a.pk for a in other.get("/lending/applications/").context["page"]]
    for user in (admins_for_finance["admin"], admins_for_finance["assessor"], alpha.owner):
        client = public_client(user)
        assert client.get("/lending/applications/").status_code == 404
        assert client.get(f"/lending/applications/{application.pk}/").status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_products_are_managed_by_their_institution_or_a_regional_admin(banks, admins_for_finance):
    own = public_client(banks["users"]["a"])
    listed = [p.pk for p in own.get("/lending/products/").context["products"]]
    assert banks["digital"].pk in listed and banks["big"].pk not in listed
    assert own.get(f"/lending/products/{banks['big'].pk}/").status_code == 404
    form = {
        "name_zh": "绿色技改贷", "name_en": "Green retrofit loan",
        "amount_min": "100000", "amount_max": "3000000",
        "term_min": "6", "term_max": "36", "rate_min": "3.2", "rate_max": "4.1", "min_level": "2",
        "collaterals": ["none", "equipment"], "tags": ["green"], "is_active": "on",
    }  # fmt: skip
    assert own.post("/lending/products/new/", form).status_code == 302
    created = LoanProduct.objects.get(name_zh="绿色技改贷")
    assert created.institution == banks["a"] and created.min_level == 2 and created.tags == ["green"]
    bad = own.post(
        "/lending/products/new/", {**form, "amount_max": "10", "rate_max": "80"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400 and "must not be below the minimum" in bad.content.decode()
    admin = public_client(admins_for_finance["admin"])
    assert admin.get(f"/lending/products/{banks['big'].pk}/").status_code == 200
    assert public_client(admins_for_finance["assessor"]).get("/lending/products/").status_code == 404


# --- across tenants ------------------------------------------------------------------------------------


def test_another_enterprise_reaches_nothing_of_this_ones_finance(alpha, beta, banks):
    alpha.client().post("/finance/statements/new/", typed(statement(2024)))
    application = applied(alpha, banks)
    request_id = application.request_id
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    for url in (
        "/finance/",
        "/finance/statements/2024/",
        f"/finance/requests/{request_id}/",
        "/finance/requests/new/",
    ):
        assert stranger.get(url).status_code == 404, url
    for url, data in (
        ("/finance/statements/2024/delete/", {}),
        (f"/finance/requests/{request_id}/withdraw/", {}),
        (f"/finance/requests/{request_id}/apply/{banks['digital'].pk}/", {"consent": "yes"}),
        (f"/finance/requests/{request_id}/applications/{application.pk}/reply/", {"message": "x"}),
    ):
        assert stranger.post(url, data).status_code == 404, url
    # and from its own host, alpha's application id is not beta's
    own = beta.client()
    reply = own.post(f"/finance/requests/{request_id}/applications/{application.pk}/reply/", {"message": "x"})
    assert reply.status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted" and application.events.count() == 1
    with tenant_context(alpha.enterprise):
        assert FinancialStatement.objects.filter(year=2024).exists()


def test_financing_appears_on_the_regional_dashboard(alpha, banks, admins_for_finance):
    application = applied(alpha, banks)
    financing_publish(tenant_id=alpha.enterprise.pk, request_id=application.request_id)
    lending.respond(
        user=banks["users"]["a"], application_id=application.pk, action="approve",
        amount="1800000", rate="3.65", term="24",
    )  # fmt: skip
    admin = public_client(admins_for_finance["admin"])
    quarter = f"{timezone.localdate().year}Q{(timezone.localdate().month - 1) // 3 + 1}"
    body = admin.get(
        f"/api/v1/reports/dashboard/?city=110000&city=120000&since={quarter}&until={quarter}"
    ).json()
    beijing, tianjin = body["cities"]
    assert beijing["financing"] == {
        "requests": 1,
        "requested": "2000000.00",
        "approvals": 1,
        "approved": "1800000.00",
    }
    assert tianjin["financing"] == {"requests": 0, "requested": "0.00", "approvals": 0, "approved": "0.00"}
    assert body["total"]["financing"]["approved"] == "1800000.00"
    page = admin.get(
        f"/reports/?city=110000&city=120000&since={quarter}&until={quarter}", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = next(t for t in page.context["tables"] if t.key == "financing").rows
    assert rows[0] == ["Beijing", 1, 200.0, 1, 180.0]  # in CNY 10,000
    assert 'id="chart-financing"' in page.content.decode()
    other_industry = admin.get(
        f"/api/v1/reports/dashboard/?city=110000&since={quarter}&until={quarter}&industry=C35"
    )
    assert other_industry.json()["cities"][0]["financing"]["requests"] == 0


def test_the_outbox_completes_only_the_version_it_published(alpha, banks, monkeypatch):
    request = applied(alpha, banks).request_id  # submitted directly: no outbox row yet
    with tenant_context(alpha.enterprise):
        services.request_withdraw(request_id=request, enterprise=alpha.enterprise, user=alpha.owner)
    outbox = FinancingOutbox.objects.get(tenant=alpha.enterprise, request_id=request)
    assert (outbox.version, outbox.completed_at) == (1, None)
    # a change made while the task publishes: the task completes the version it read, not the new one
    original = services_facts._publish

    def publish_then_change(tenant, request_id):
        fact = original(tenant, request_id)
        FinancingOutbox.objects.filter(pk=outbox.pk).update(version=2)
        return fact

    monkeypatch.setattr(services_facts, "_publish", publish_then_change)
    services_facts.financing_publish(tenant_id=alpha.enterprise.pk, request_id=request)
    assert FinancingOutbox.objects.get(pk=outbox.pk).completed_at is None  # version 2 still to publish
    monkeypatch.undo()
    services_facts.financing_publish(tenant_id=alpha.enterprise.pk, request_id=request)
    assert FinancingOutbox.objects.get(pk=outbox.pk).completed_at is not None
    assert FinancingFact.objects.get(tenant=alpha.enterprise, request_id=request).status == "withdrawn"

"""Issue 17 for the financial cloud: money typed and read in 万元 on every page (the API keeps yuan,
documented), confirmations that say what will happen, and regional figures that count live needs only."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from finance.lending.models import Application, FinancingFact, FinancingOutbox, LoanProduct
from finance.lending.services_facts import financing_publish
from finance.models import FinancialStatement, FinancingRequest
from tests.finance.test_finance import NEXT_MONTH, applied, public_client, request_data, statement, typed

pytestmark = pytest.mark.django_db


# --- 1. one unit ------------------------------------------------------------------------------------------


def test_a_need_is_typed_and_read_in_ten_thousand_yuan(alpha):
    client = alpha.client()
    form = client.get("/finance/requests/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "融资金额（万元）" in form and "如 12.5 即 12.5 万元" in form  # the unit on the input
    created = client.post("/finance/requests/new/", typed(request_data(), amount="12.5"))
    assert created.status_code == 302
    with tenant_context(alpha.enterprise):
        request = FinancingRequest.objects.get()
    assert request.amount == Decimal("125000.00")  # the database keeps yuan
    page = client.get(f"/finance/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<dd id="request-amount">12.5</dd>' in page and "融资金额（万元）" in page
    assert 'name="amount" value="12.5"' in page  # the draft's form shows 万元 too
    listing = client.get("/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "融资金额（万元）" in listing and ">12.5</td>" in listing
    # the API is unchanged: yuan
    api = client.get(f"/api/v1/finance/requests/{request.pk}/").json()
    assert Decimal(api["request"]["amount"]) == Decimal("125000")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.1234567", "最多保留六位小数"),
        ("0", "金额必须大于零"),
        ("-3", "金额必须大于零"),
        ("abc", "请以万元为单位填写数字"),
        ("100000000", "金额超过 10,000,000 万元"),
        ("1e400", "金额超过"),
    ],
)
def test_a_wrong_amount_gets_a_clear_error_next_to_the_field(alpha, amount, message):
    response = alpha.client().post(
        "/finance/requests/new/", typed(request_data(), amount=amount), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["amount"])
    assert 'class="field-error"' in response.content.decode()
    with tenant_context(alpha.enterprise):
        assert not FinancingRequest.objects.exists()


def test_statement_figures_in_ten_thousand_yuan_with_decimals(alpha):
    client = alpha.client()
    data = {
        "year": "2024", "revenue": "8600.5", "operating_cost": "7150", "net_profit": "-35.2",
        "total_assets": "12000", "total_liabilities": "5800", "rd_spend": "390.000157", "employees": "260",
    }  # fmt: skip
    assert client.post("/finance/statements/new/", data).status_code == 302
    with tenant_context(alpha.enterprise):
        saved = FinancialStatement.objects.get()
    assert (saved.revenue, saved.net_profit, saved.rd_spend) == (
        Decimal("86005000.00"),
        Decimal("-352000.00"),
        Decimal("3900001.57"),
    )
    page = client.get("/finance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "营业收入（万元）" in page and ">8,600.5<" in page and ">-35.2<" in page
    edit = client.get("/finance/statements/2024/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="8600.5"' in edit and 'value="390.000157"' in edit and "净利润（万元）" in edit


def test_the_bank_reads_and_answers_in_ten_thousand_yuan(alpha, banks):
    application = applied(alpha, banks)  # 2,000,000 yuan asked
    bank = public_client(banks["users"]["a"])
    page = bank.get(f"/lending/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert '<dd id="shared-amount">200</dd>' in html and "批准金额（万元）" in html
    assert 'name="amount" inputmode="decimal" autocomplete="off" value="200"' in html
    inbox = bank.get("/lending/applications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "融资金额（万元）" in inbox and ">200</td>" in inbox
    url = f"/lending/applications/{application.pk}/respond/"
    wrong = bank.post(url, {"action": "approve", "amount": "180.1234567", "rate": "3.65", "term": "24"})
    assert wrong.status_code == 400 and "field-error" in wrong.content.decode()
    assert 'value="180.1234567"' in wrong.content.decode()  # what was typed stays
    application.refresh_from_db()
    assert application.status == "submitted"
    answer = {"action": "approve", "amount": "180.5", "rate": "3.65", "term": "24", "message": "ok"}
    assert bank.post(url, answer).status_code == 302
    application.refresh_from_db()
    assert application.approved_amount == Decimal("1805000.00")
    answered = bank.get(f"/lending/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已批准：180.5 万元，年利率 3.65%，期限 24 个月。" in answered.content.decode()
    mine = alpha.client().get(f"/finance/requests/{application.request_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "180.5 万元，年利率 3.65%，期限 24 个月" in mine.content.decode()
    # the API still takes yuan
    assert Application.objects.get(pk=application.pk).approved_amount == Decimal("1805000")


def test_an_amount_with_fen_survives_the_page_form_unchanged(alpha, banks):
    """The API takes yuan with two decimals: a page that shows 万元 and posts it back unchanged
    must not round the fen away (100000.57 yuan is 10.000057 万元)."""
    import re

    client = alpha.client()
    with tenant_context(alpha.enterprise):
        draft = FinancingRequest.objects.create(
            amount=Decimal("100000.57"), term_months=24, purpose="digital", collateral="equipment",
            wanted_by=datetime.date.fromisoformat(NEXT_MONTH), created_by=alpha.owner,
        )  # fmt: skip
    page = client.get(f"/finance/requests/{draft.pk}/").content.decode()
    assert 'name="amount" value="10.000057"' in page
    form = page.split('id="request-form"', 1)[1] if 'id="request-form"' in page else page
    posted = {
        "amount": re.search(r'name="amount" value="([^"]*)"', form).group(1),
        "term_months": "24", "purpose": "digital", "collateral": "equipment", "wanted_by": NEXT_MONTH,
        "note": "",
    }  # fmt: skip
    assert client.post(f"/finance/requests/{draft.pk}/", posted).status_code == 302
    with tenant_context(alpha.enterprise):
        draft.refresh_from_db()
    assert draft.amount == Decimal("100000.57")
    # the bank approves with the amount the page fills in: exactly the amount asked
    application = applied(alpha, banks)
    with tenant_context(alpha.enterprise):
        FinancingRequest.objects.filter(pk=application.request_id).update(amount=Decimal("100000.57"))
    application.amount = Decimal("100000.57")
    application.save(update_fields=["amount"])
    bank = public_client(banks["users"]["a"])
    html = bank.get(f"/lending/applications/{application.pk}/").content.decode()
    prefilled = re.search(
        r'name="amount" inputmode="decimal" autocomplete="off" value="([^"]*)"', html
    ).group(1)
    assert prefilled == "10.000057"
    answer = {"action": "approve", "amount": prefilled, "rate": "3.65", "term": "24", "message": "ok"}
    assert bank.post(f"/lending/applications/{application.pk}/respond/", answer).status_code == 302
    application.refresh_from_db()
    assert application.approved_amount == Decimal("100000.57")


def test_a_fen_loss_does_not_read_as_zero():
    from finance.money import format_wan

    assert format_wan(Decimal("-0.40")) == "-0.00004"
    assert format_wan(Decimal("100000.57")) == "10.000057"


@pytest.mark.parametrize(
    ("typed_amount", "yuan"),
    [
        ("1,200.5", Decimal("12005000.00")),
        ("12,345,678", Decimal("123456780000.00")),
        ("1，200", Decimal("12000000.00")),  # the full-width comma of a Chinese keyboard
        ("１，２００", Decimal("12000000.00")),
        ("12.50000", Decimal("125000.00")),  # trailing zeros are not decimals
        ("12.5000000000", Decimal("125000.00")),
        ("100.00", Decimal("1000000.00")),
    ],
)
def test_thousands_commas_and_trailing_zeros_are_read_as_meant(typed_amount, yuan):
    from finance.money import WanYuanField

    assert WanYuanField(label="amount", max_yuan=Decimal("10") ** 12).clean(typed_amount) == yuan


@pytest.mark.parametrize("typed_amount", ["12,5", "1,20", "1,2000", ",125", "12,,500", "1,200,5"])
def test_a_comma_that_is_not_a_thousands_group_is_refused(typed_amount):
    from django.core.exceptions import ValidationError

    from finance.money import WanYuanField

    field = WanYuanField(label="amount", max_yuan=Decimal("10") ** 12)
    with pytest.raises(ValidationError) as refused:
        field.clean(typed_amount)
    assert refused.value.code == "invalid"  # not 125 nor 12.5: the person is asked to check


def test_a_loss_beyond_the_cap_says_it_is_below_zero(alpha):
    data = {
        "year": "2024", "revenue": "8600.5", "operating_cost": "7150", "net_profit": "-99999999999999",
        "total_assets": "12000", "total_liabilities": "5800", "rd_spend": "390", "employees": "260",
    }  # fmt: skip
    for language, message, not_this in (
        ("en", "This loss is more than", "This amount is more than"),
        ("zh-hans", "亏损额超过", "金额超过"),
    ):
        refused = alpha.client().post("/finance/statements/new/", data, HTTP_ACCEPT_LANGUAGE=language)
        assert refused.status_code == 400
        errors = " ".join(refused.context["form"].errors["net_profit"])
        assert message in errors and not errors.startswith(not_this)
    too_much = alpha.client().post(
        "/finance/statements/new/", {**data, "net_profit": "99999999999999"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This amount is more than" in " ".join(too_much.context["form"].errors["net_profit"])


def test_loan_products_are_kept_in_ten_thousand_yuan(banks):
    bank = public_client(banks["users"]["a"])
    form = bank.get("/lending/products/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "最低额度（万元）" in form and "最高额度（万元）" in form
    data = {
        "name_zh": "测试万元贷", "amount_min": "12.5", "amount_max": "300", "term_min": "6", "term_max": "24",
        "rate_min": "3.5", "rate_max": "4.5", "min_level": "0", "collaterals": ["none"],
    }  # fmt: skip
    assert bank.post("/lending/products/new/", data).status_code == 302
    product = LoanProduct.objects.get(name_zh="测试万元贷")
    assert (product.amount_min, product.amount_max) == (Decimal("125000.00"), Decimal("3000000.00"))
    listing = bank.get("/lending/products/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "12.5–300" in listing
    edit = bank.get(f"/lending/products/{product.pk}/").content.decode()
    assert 'value="12.5"' in edit and 'value="300"' in edit
    bad = bank.post("/lending/products/new/", {**data, "name_zh": "坏", "amount_min": "1.0000001"})
    assert bad.status_code == 400 and "amount_min" in bad.context["form"].errors


def test_the_api_documents_the_unit_of_every_amount(client):
    schema = client.get("/api/schema/?format=json", HTTP_HOST="localhost").json()["components"]["schemas"]
    for name, fields in {
        "FinancingRequestOutput": ["amount"],
        "Request": ["amount"],
    }.items():
        if name not in schema:
            continue
        for field in fields:
            assert "CNY (yuan)" in schema[name]["properties"][field].get("description", "")
    described = [
        (name, prop)
        for name, body in schema.items()
        for prop, spec in body.get("properties", {}).items()
        if prop in ("amount", "amount_min", "amount_max", "approved_amount", "revenue", "net_profit")
        and "CNY" not in spec.get("description", "")
        and name not in ("CityFinancing",)
    ]
    assert described == []


# --- 2. live needs only -----------------------------------------------------------------------------------


def _quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def test_a_withdrawn_need_leaves_the_citys_figure(make_enterprise, admins_for_finance):
    tianjin = make_enterprise(city="120000")
    client = tianjin.client()
    kept = client.post("/finance/requests/new/", typed(request_data(), amount="300"))
    gone = client.post("/finance/requests/new/", typed(request_data(), amount="50"))
    assert kept.status_code == gone.status_code == 302
    with tenant_context(tianjin.enterprise):
        kept_id, gone_id = (r.pk for r in FinancingRequest.objects.order_by("amount").reverse())
    for request_id in (kept_id, gone_id):
        assert client.post(f"/finance/requests/{request_id}/submit/").status_code == 302
        financing_publish(tenant_id=tianjin.enterprise.pk, request_id=request_id)
    admin = public_client(admins_for_finance["admin"])
    url = f"/api/v1/reports/dashboard/?city=120000&since={_quarter()}&until={_quarter()}"
    assert admin.get(url).json()["cities"][0]["financing"]["requests"] == 2
    assert client.post(f"/finance/requests/{gone_id}/withdraw/").status_code == 302
    financing_publish(tenant_id=tianjin.enterprise.pk, request_id=gone_id)
    figures = admin.get(url).json()["cities"][0]["financing"]
    assert (figures["requests"], figures["requested"]) == (1, "3000000.00")
    page = admin.get(
        f"/reports/?city=120000&since={_quarter()}&until={_quarter()}", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = next(t for t in page.context["tables"] if t.key == "financing").rows
    assert rows[0][1:3] == [1, 300.0]  # requests, amount requested in CNY 10,000


def _need_with_fact(world, *, status) -> FinancingRequest:
    """A request in `status` and a fact left "submitted" without an outbox row (a publish lost before
    the outbox existed)."""
    with tenant_context(world.enterprise):
        request = FinancingRequest.objects.create(
            amount=Decimal("800000"), term_months=12, purpose="digital", collateral="none",
            wanted_by=datetime.date.fromisoformat(NEXT_MONTH), created_by=world.owner,
            status=status, submitted_at=timezone.now(),
            withdrawn_at=timezone.now() if status == "withdrawn" else None,
        )  # fmt: skip
    FinancingFact.objects.create(
        tenant=world.enterprise, request_id=request.pk, city_id="120000", amount=request.amount,
        amount_band="lt1m", purpose="digital", term_months=12, status="submitted",
        submitted_at=request.submitted_at,
    )  # fmt: skip
    return request


def _migrate() -> int:
    """Runs the data migration's function; returns how many queries it made."""
    from django.test.utils import CaptureQueriesContext

    migration = importlib.import_module("finance.lending.migrations.0004_d_withdrawn_facts")
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as queries:
        migration.mark_withdrawn(django_apps, type("Editor", (), {"connection": connection})())
    return len(queries)


def test_needs_withdrawn_before_the_fix_leave_the_figures_too(make_enterprise, admins_for_finance):
    """A fact left "submitted" (a publish lost before the outbox existed): the data migration
    compares it with the request in the enterprise's schema. A live need keeps its fact."""
    tianjin = make_enterprise(city="120000")
    gone = _need_with_fact(tianjin, status="withdrawn")
    live = _need_with_fact(tianjin, status="submitted")
    _migrate()
    facts = dict(FinancingFact.objects.filter(tenant=tianjin.enterprise).values_list("request_id", "status"))
    assert facts == {gone.pk: "withdrawn", live.pk: "submitted"}
    admin = public_client(admins_for_finance["admin"])
    body = admin.get(f"/api/v1/reports/dashboard/?city=120000&since={_quarter()}&until={_quarter()}").json()
    assert body["cities"][0]["financing"]["requests"] == 1


def test_the_facts_migration_makes_as_many_queries_for_many_enterprises_as_for_one(make_enterprise):
    """Not one query (or three) per enterprise: schema names in one query, the requests' statuses
    in one query for all schemas, one update per enterprise with something to repair."""
    first = make_enterprise(city="120000")
    _need_with_fact(first, status="submitted")
    one = _migrate()
    for _ in range(3):
        _need_with_fact(make_enterprise(city="120000"), status="submitted")
    many = _migrate()
    assert many == one <= 4
    assert set(FinancingFact.objects.values_list("status", flat=True)) == {"submitted"}
    # a fact whose outbox row completed was published from the request's latest change: not read at all
    request_ids = list(FinancingFact.objects.values_list("tenant_id", "request_id"))
    for tenant_id, request_id in request_ids:
        FinancingOutbox.objects.create(
            tenant_id=tenant_id, request_id=request_id, sent_at=timezone.now(), completed_at=timezone.now()
        )
    assert _migrate() == 1
    # and one withdrawn among them: one more update, for its enterprise only
    gone = _need_with_fact(first, status="withdrawn")
    assert _migrate() == one + 1
    assert FinancingFact.objects.get(tenant=first.enterprise, request_id=gone.pk).status == "withdrawn"
    assert FinancingFact.objects.filter(status="submitted").count() == 4


# --- 3. confirmations that say what will happen -----------------------------------------------------------


def test_the_withdraw_confirmation_counts_the_open_applications(alpha, banks):
    application = applied(alpha, banks)
    page = alpha.client().get(f"/finance/requests/{application.request_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    said = "撤回后，该融资需求及其 1 份在审申请将一并撤回，银行将收到通知，且无法恢复。"
    assert f'data-confirm="{said}"' in html
    Application.objects.filter(pk=application.pk).update(status="declined")
    page = alpha.client().get(f"/finance/requests/{application.request_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "撤回后，该融资需求将不能再用于申请贷款，且无法恢复。" in page.content.decode()


def test_the_banks_answers_each_say_what_the_enterprise_will_see(alpha, banks):
    application = applied(alpha, banks)
    html = (
        public_client(banks["users"]["a"])
        .get(f"/lending/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "企业将收到通知，并看到“已批准”及上面填写的批准金额、年利率、期限和您的留言" in html
    assert "企业将收到通知并看到您的留言" in html
    assert "企业将收到通知，并看到“已拒绝”及您的留言" in html


# --- 4. names, not codes ----------------------------------------------------------------------------------


def test_the_bank_reads_names_not_codes(alpha, banks):
    application = applied(alpha, banks)
    Application.objects.filter(pk=application.pk).update(
        snapshot={
            **application.snapshot,
            "verified_level": {
                "level": 2,
                "framework": "miit-sme-mfg 2024",
                "approved_at": "2026-05-01T08:00",
            },
        }
    )
    html = (
        public_client(banks["users"]["a"])
        .get(f"/lending/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "miit-sme-mfg" not in html and "L2（2026-05-01 核验）" in html
    assert ">digital<" not in html and "数字化转型" in html and "机器设备" in html


def test_deleting_a_statement_asks_first(alpha):
    client = alpha.client()
    assert client.post("/finance/statements/new/", typed(statement(2024))).status_code == 302
    html = client.get("/finance/statements/2024/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-confirm="确认删除 2024 年度报表？' in html and "data-confirm-danger" in html


# --- 5. wording: the English reads as English too -----------------------------------------------------


def test_the_english_pages_name_the_unit_and_the_need(alpha, banks):
    application = applied(alpha, banks)
    page = alpha.client().get(f"/finance/requests/{application.request_id}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Financing need " in html and "Amount (CNY 10,000)" in html and "Needed by" in html
    assert "Amount 50–500 (CNY 10,000)" in html and "amount within 50–500 (CNY 10,000)" in html
    assert "Its 1 open application will be withdrawn with it" in html

"""The financial cloud in Chromium: an enterprise's owner posts a financing need, sees the loan products
ranked with the reasons, applies to the one that fits with consent; the institution's user answers on
the public site (approved); the owner sees the approved terms on the request's page.

Not django_db: everything commits (the `committed` fixture) so that gunicorn sees it. The enterprise
(bfin, Baoding, C36) is dropped by `committed`; the applications, products, institution link and
institution this test creates are deleted in `finally`, the notices too, and the users deactivated
(deleting one would cascade into tenant tables the public schema does not have)."""

import datetime
import re
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Notice
from finance.lending.models import Application, FinancingFact, Institution, InstitutionMember, LoanProduct
from tenants.models import Region, User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.conftest import build_enterprise

pytestmark = [pytest.mark.browser]

BANKER_PASSWORD = "Lending-browser-2026"
BAODING, TIANJIN = "130600", "120000"


def _no_horizontal_overflow(page, url: str) -> None:
    """At 390×844 the page is no wider than the screen (tables scroll in .table-wrap or stack)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], (url, width)
    page.set_viewport_size({"width": 1366, "height": 768})


def _products(institution: Institution) -> tuple[LoanProduct, LoanProduct, LoanProduct]:
    digital = LoanProduct.objects.create(
        institution=institution,
        name_zh="数字化转型贷",
        name_en="Digital transformation loan",
        amount_min=Decimal("500000"),
        amount_max=Decimal("5000000"),
        term_min=12,
        term_max=36,
        rate_min=Decimal("3.45"),
        rate_max=Decimal("4.20"),
        collaterals=["none"],
        tags=["digital"],
    )
    tianjin = LoanProduct.objects.create(
        institution=institution,
        name_zh="天津设备贷",
        name_en="Tianjin equipment loan",
        amount_min=Decimal("100000"),
        amount_max=Decimal("50000000"),
        term_min=12,
        term_max=60,
        rate_min=Decimal("3.10"),
        rate_max=Decimal("3.90"),
        collaterals=["equipment", "real_estate"],
    )
    tianjin.cities.add(Region.objects.get(code=TIANJIN))
    credit = LoanProduct.objects.create(
        institution=institution,
        name_zh="科技信用贷",
        name_en="Technology credit loan",
        amount_min=Decimal("100000"),
        amount_max=Decimal("10000000"),
        term_min=6,
        term_max=36,
        rate_min=Decimal("3.90"),
        rate_max=Decimal("4.60"),
        collaterals=["none"],
    )
    return digital, tianjin, credit


def test_an_owner_applies_to_a_matching_product_and_sees_the_institutions_approval(
    browser, page, live_server_url, celery_worker, committed
):
    port = urlsplit(live_server_url).port
    users: list[User] = []
    institutions: list[Institution] = []
    products: list[LoanProduct] = []
    bank_context = None
    try:
        world = build_enterprise(slug="bfin", city=BAODING, industry="C36", seed=9301)
        users.append(world.owner)
        tenant_url = f"http://{world.host}:{port}"
        bank = Institution.objects.create(name_zh="浏览器测试银行", name_en="Browser Test Bank", kind="bank")
        institutions.append(bank)
        banker = user_create(
            email="bfin-banker@example.com",
            password=BANKER_PASSWORD,
            name="信贷经理李工",
            platform_role="institution",
        )
        users.append(banker)
        InstitutionMember.objects.create(user=banker, institution=bank)
        digital, tianjin, credit = _products(bank)
        products += [digital, tianjin, credit]
        wanted_by = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

        # --- the owner posts a financing need on the enterprise's host
        sign_in(page, tenant_url + "/login/", world.owner.email, world.password)
        assert page.url.startswith(tenant_url)
        page.locator("nav.topnav").get_by_role("link", name="金融云", exact=True).click()
        page.wait_for_url("**/finance/")
        page.click("#new-request")
        page.wait_for_url("**/finance/requests/new/")
        form = page.locator("#request-form")
        expect(form.locator("label[for=id_amount]")).to_contain_text("融资金额（万元）")
        form.locator("#id_amount").fill("200.1234567")  # seven decimals: refused next to the field
        form.locator("#id_term_months").fill("24")
        form.locator("#id_purpose").select_option("digital")
        form.locator("#id_collateral").select_option("equipment")
        form.locator("#id_wanted_by").fill(wanted_by)
        form.locator("button[type=submit]").click()
        expect(page.locator("#request-form .field.has-error .field-error")).to_have_text(
            "以万元计最多保留六位小数（第六位小数即 1 分）。"
        )
        form = page.locator("#request-form")
        form.locator("#id_amount").fill("200")
        form.locator("#id_term_months").fill("24")
        form.locator("#id_purpose").select_option("digital")
        expect(form.locator("#id_purpose option:checked")).to_have_text("数字化转型")
        form.locator("#id_collateral").select_option("equipment")
        form.locator("#id_wanted_by").fill(wanted_by)
        form.locator("#id_note").fill("MES 系统上线与产线数据采集改造。")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/finance/requests/\d+/$"))
        expect(page.locator("ul.messages li.success")).to_have_text(
            "草稿已保存。提交后即可查看匹配的贷款产品。"
        )
        expect(page.locator("#request-status")).to_have_text("草稿")
        facts = page.locator("#request-facts")
        expect(facts.locator("#request-amount")).to_have_text("200")
        expect(facts).to_contain_text("融资金额（万元）")
        expect(facts).to_contain_text("数字化转型")
        expect(facts).to_contain_text("机器设备")
        expect(facts).to_contain_text(wanted_by)
        expect(page.locator("#matches")).to_have_count(0)  # a draft is not matched yet
        request_url = page.url

        page.click("#submit-request")
        expect(page.locator("#request-status")).to_have_text("已提交")
        # the real worker publishes the request's financing fact (what the regional figures count)
        deadline = time.monotonic() + 30
        while not FinancingFact.objects.filter(tenant=world.enterprise).exists():
            assert time.monotonic() < deadline, "the financing fact was not published"
            time.sleep(0.1)
        fact = FinancingFact.objects.get(tenant=world.enterprise)
        assert (fact.city_id, fact.amount, fact.status) == (BAODING, Decimal("2000000"), "submitted")
        assert page.url == request_url

        # --- the products, ranked, each check with its reason
        matches = page.locator("#matches")
        expect(matches).to_be_visible()
        cards = matches.locator("li.card.match")
        ids = [card.get_attribute("id") for card in cards.all()]
        assert ids[0] == f"product-{digital.pk}", ids
        assert f"product-{tianjin.pk}" in ids, ids

        fits = page.locator(f"#product-{digital.pk}")
        expect(fits).to_have_class(re.compile(r"\beligible\b"))
        expect(fits.locator("h3")).to_contain_text("数字化转型贷")
        expect(fits.locator("h3")).to_contain_text("浏览器测试银行")
        expect(fits.locator("h3 .badge")).to_have_text("符合条件")
        expected = {
            "amount": "✓ 金额须在 50–500 万元之间",
            "term": "✓ 期限须在 12–36 个月之间",
            "city": "✓ 所在城市符合要求",
            "industry": "✓ 所属行业符合要求",
            "collateral": "✓ 接受您提供的担保方式",
            "purpose": "✓ 产品适用于您的资金用途",
        }
        for key, text in expected.items():
            check = fits.locator(f"ul.checks li[data-check={key}]")
            expect(check).to_have_class(re.compile(r"\bok\b"))
            expect(check).to_have_text(text)
        expect(fits.locator("ul.checks li.fail")).to_have_count(0)

        other = page.locator(f"#product-{tianjin.pk}")
        expect(other).not_to_have_class(re.compile(r"\beligible\b"))
        expect(other.locator("h3")).to_contain_text("天津设备贷")
        expect(other.locator("h3 .badge")).to_have_text("1 项条件未满足")
        city = other.locator("ul.checks li[data-check=city]")
        expect(city).to_have_class(re.compile(r"\bfail\b"))
        expect(city).to_have_text("✗ 所在城市不在适用范围内")
        expect(other.locator("ul.checks li[data-check=amount]")).to_have_text("✓ 金额须在 10–5,000 万元之间")
        expect(other.locator("form.apply-form")).to_have_count(0)

        # --- the owner applies, with consent, sharing the statements (no verified level to share)
        apply_form = fits.locator("form.apply-form")
        expect(apply_form.locator("input[name=share][value=statements]")).to_be_checked()
        expect(apply_form.locator("input[name=share][value=verified_level]")).not_to_be_checked()
        apply_form.locator("input[name=consent]").check()
        apply_form.get_by_role("button", name="申请", exact=True).click()  # a loan, not "查询" (filters)
        expect(page.locator("ul.messages li.success")).to_have_text("申请已提交，并已通知该金融机构。")
        application = Application.objects.get(product=digital)
        assert application.tenant_id == world.enterprise.pk
        assert application.shared == ["enterprise", "request", "statements"]
        row = page.locator(f"#applications #application-{application.pk}")
        expect(row).to_contain_text("数字化转型贷")
        expect(row).to_contain_text("浏览器测试银行")
        expect(row.locator(".application-status")).to_have_text("已提交")
        expect(fits).to_contain_text("已申请")
        expect(fits.locator("form.apply-form")).to_have_count(0)
        # and to a second eligible product, still open when the owner withdraws at the end
        second = page.locator(f"#product-{credit.pk} form.apply-form")
        second.locator("input[name=consent]").check()
        second.get_by_role("button", name="申请", exact=True).click()
        expect(page.locator("ul.messages li.success")).to_have_text("申请已提交，并已通知该金融机构。")
        _no_horizontal_overflow(page, tenant_url + "/finance/")
        _no_horizontal_overflow(page, request_url)
        page.goto(request_url)

        # --- the institution's user, on the public site, in a browser of their own
        bank_context = browser.new_context(locale="zh-CN")
        bank_page = bank_context.new_page()
        sign_in(bank_page, live_server_url + "/login/", banker.email, BANKER_PASSWORD)
        bank_page.locator("nav.topnav").get_by_role("link", name="贷款申请", exact=True).click()
        bank_page.wait_for_url("**/lending/applications/")
        inbox_row = bank_page.locator("#inbox tbody tr", has_text=world.enterprise.name).filter(
            has_text="数字化转型贷"
        )
        expect(inbox_row).to_have_count(1)
        expect(inbox_row).to_contain_text("200")  # 万元, under its heading
        expect(bank_page.locator("#inbox thead")).to_contain_text("融资金额（万元）")
        expect(inbox_row).to_contain_text("数字化转型贷")
        expect(inbox_row).to_contain_text("已提交")
        inbox_row.get_by_role("link", name=str(application.pk), exact=True).click()
        bank_page.wait_for_url(f"**/lending/applications/{application.pk}/")
        expect(bank_page.locator("#application-status")).to_have_text("已提交")
        shared = bank_page.locator("#shared-enterprise")
        expect(shared).to_contain_text(world.enterprise.name)
        expect(shared).to_contain_text(world.enterprise.credit_code)
        expect(shared).to_contain_text("数字化转型贷")
        expect(shared.locator("#shared-amount")).to_have_text("200")
        expect(shared).to_contain_text("资金用途数字化转型")  # labels, not codes
        expect(shared).to_contain_text("担保方式机器设备")
        expect(shared).to_contain_text(wanted_by)

        respond = bank_page.locator("#respond-form")
        expect(respond.locator("#amount")).to_have_value("200")  # in 万元, the amount asked
        respond.locator("#amount").fill("180")
        respond.locator("#rate").fill("3.65")
        respond.locator("#term").fill("24")
        # the confirmation says what the enterprise will see; Cancel sends nothing
        respond.locator("#approve").click()
        dialog = bank_page.locator("dialog.confirm-dialog")
        expect(dialog).to_contain_text(
            "企业将收到通知，并看到“已批准”及上面填写的批准金额、年利率、期限和您的留言"
        )
        bank_page.locator("dialog [data-confirm-no]").click()
        expect(dialog).to_have_count(0)
        expect(bank_page.locator("#application-status")).to_have_text("已提交")
        application.refresh_from_db()
        assert application.status == "submitted" and application.events.count() == 1
        respond.locator("#approve").click()
        bank_page.locator("dialog [data-confirm-yes]").click()
        expect(bank_page.locator("ul.messages li.success")).to_have_text("答复已发送，并已通知企业。")
        expect(bank_page.locator("#application-status")).to_have_text("已批准")
        expect(bank_page.locator("#answer")).to_contain_text("已批准：180 万元，年利率 3.65%，期限 24 个月。")
        expect(bank_page.locator("#respond-form")).to_have_count(0)  # answered: no second answer

        application.refresh_from_db()
        assert application.status == "approved"
        assert (application.approved_amount, application.approved_rate, application.approved_term) == (
            Decimal("1800000.00"),  # kept in yuan
            Decimal("3.65"),
            24,
        )
        assert application.responded_by_id == banker.pk
        assert Notice.objects.filter(user=world.owner, url__endswith=urlsplit(request_url).path).exists()

        # --- back to the owner: the answer is on the request's page
        page.reload()
        row = page.locator(f"#applications #application-{application.pk}")
        expect(row.locator(".application-status")).to_have_text("已批准")
        expect(row).to_contain_text("180 万元，年利率 3.65%，期限 24 个月")
        _no_horizontal_overflow(bank_page, live_server_url + "/lending/applications/?show=all")
        _no_horizontal_overflow(bank_page, live_server_url + f"/lending/applications/{application.pk}/")
        _no_horizontal_overflow(bank_page, live_server_url + "/lending/products/")

        # --- the owner withdraws the need: the dialog counts the one application still open
        open_one = Application.objects.get(product=credit)
        page.locator("#withdraw-request").click()
        dialog = page.locator("dialog.confirm-dialog")
        expect(dialog.locator("p")).to_have_text(
            "撤回后，该融资需求及其 1 份在审申请将一并撤回，银行将收到通知，且无法恢复。"
        )
        page.locator("dialog [data-confirm-no]").click()  # Cancel: nothing changes
        expect(dialog).to_have_count(0)
        expect(page.locator("#request-status")).to_have_text("已提交")
        open_one.refresh_from_db()
        assert open_one.status == "submitted"
        page.locator("#withdraw-request").click()
        page.locator("dialog [data-confirm-yes]").click()
        expect(page.locator("#request-status")).to_have_text("已撤回")
        open_one.refresh_from_db()
        application.refresh_from_db()
        assert (open_one.status, application.status) == ("withdrawn", "approved")
    finally:
        if bank_context is not None:
            bank_context.close()
        connection.set_schema_to_public()
        Application.objects.filter(product__in=products).delete()  # their events cascade
        LoanProduct.objects.filter(pk__in=[p.pk for p in products]).delete()
        InstitutionMember.objects.filter(institution__in=institutions).delete()
        Institution.objects.filter(pk__in=[i.pk for i in institutions]).delete()
        Notice.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)

"""The public verification of a verified report in Chromium: the owner agrees to be named on its
result page; a bank on a phone (390×844) types the number at /verify/, reads the facts without the
page overflowing, and a mistyped number says clearly that nothing was found.

Not django_db: everything commits (the `committed` fixture) so that gunicorn sees it; the rows this
test makes are deleted in `finally`."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect
from tenant_users.permissions.models import UserTenantPermissions

from core.models import AuditEvent, Notice
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import ScoringRequest
from manufacturing.models import Assessment, Evidence
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from tenants.models import User
from tenants.services import user_create
from tests.browser.conftest import assert_fits, sign_in
from tests.conftest import references_checked
from tests.manufacturing.test_assessments import submitted

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


_no_horizontal_overflow = assert_fits  # the verification pages fit the phone's width


def test_the_owner_agrees_to_be_named_and_a_bank_checks_the_report_on_a_phone(
    page, browser, live_server_url, committed, alpha, monkeypatch
):
    from manufacturing import tasks

    port = urlsplit(live_server_url).port
    tenant_url = f"http://{alpha.host}:{port}"
    users: list[User] = []
    assessment = None
    try:
        assessor = user_create(
            email="verify-assessor@example.com", password="Assessor-browser-2026", name="核验员李工",
            platform_role="assessor",
        )  # fmt: skip
        admin = user_create(
            email="verify-admin@example.com", password="Assessor-browser-2026", name="区域管理员",
            platform_role="regional_admin",
        )  # fmt: skip
        users += [assessor, admin]
        monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)
        assessment = submitted(alpha)
        monkeypatch.undo()
        with tenant_context(alpha.enterprise):
            assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
        case = ReviewCase.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
        assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)
        workbench.approve(assessor=assessor, assignment_id=assignment.pk)
        publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
        number = ReviewCase.objects.get(pk=case.pk).report_number

        # --- the owner, on its result page: the number, and the choice to be named
        sign_in(page, tenant_url + "/login/", alpha.owner.email, alpha.password)
        page.goto(f"{tenant_url}/assessments/{assessment.pk}/result/")
        expect(page.locator("#report-number")).to_have_text(number)
        expect(page.locator("#report-check")).to_contain_text("未公开名称")
        page.get_by_role("button", name="在核验页面显示企业名称").click()
        expect(page.locator("ul.messages li.success")).to_have_text("核验页面已开始显示贵企业名称。")
        expect(page.locator("#report-check")).to_contain_text("已公开名称")

        # --- a bank, anonymous, on a phone
        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        bank = phone.new_page()
        bank.goto(f"{live_server_url}/verify/")
        _no_horizontal_overflow(bank)
        bank.get_by_label("报告编号").fill(number.lower())
        bank.get_by_role("button", name="查询").click()
        bank.wait_for_url(f"**/verify/{number}/")
        expect(bank.locator("#verify-result")).to_contain_text("报告真实有效。")
        expect(bank.locator("#verify-enterprise")).to_have_text(alpha.enterprise.name)
        expect(bank.locator("#verify-number")).to_have_text(number)
        expect(bank.locator("#verify-validity")).to_contain_text("有效")
        _no_horizontal_overflow(bank)

        bank.get_by_label("报告编号").fill("JJJ-2026-1100-ZZZZZZZZ")
        bank.get_by_role("button", name="查询").click()
        expect(bank.locator("#verify-not-found")).to_contain_text("未查到该编号的核验报告")
        bank.get_by_label("报告编号").fill("hello")
        bank.get_by_role("button", name="查询").click()
        expect(bank.locator(".field-error")).to_contain_text("这不是有效的报告编号")
        _no_horizontal_overflow(bank)
        phone.close()
    finally:
        connection.set_schema_to_public()
        if assessment is not None:
            AssessmentFact.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).delete()
            AuditEvent.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).delete()
            cases = ReviewCase.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk)
            Assignment.objects.filter(case__in=cases).delete()
            cases.delete()
            ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).delete()
            with tenant_context(alpha.enterprise):
                for evidence in Evidence.objects.filter(assessment_id=assessment.pk):
                    evidence.file.delete(save=False)
                Assessment.objects.filter(pk=assessment.pk).delete()
        Notice.objects.filter(user__in=users).delete()
        ids = [user.pk for user in users]
        UserTenantPermissions.objects.filter(profile_id__in=ids).delete()
        with tenant_context(alpha.enterprise), references_checked():
            User.objects.filter(pk__in=ids).delete()

"""Issue 17 in Chromium, at 390×844: the assessor follows a notice to the workbench, comments on a
question picked from the list, is asked to confirm the approval (cancels once, then confirms), and
then finds the closed assignment and its notice still open something: the assignment read-only, its
state and date beside the notice. The regional admin's audit log reads as sentences. No page is
wider than the phone's screen.

Not django_db: everything commits (the `committed` fixture) so that gunicorn sees it; the rows this
test causes are deleted in `finally`."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect
from tenant_users.permissions.models import UserTenantPermissions

from core.models import AuditEvent, Notice
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import ScoringRequest
from manufacturing.models import Assessment, Comment, Evidence
from manufacturing.review import assignments
from manufacturing.review.models import Assignment, ReviewCase
from tenants.models import User
from tenants.services import user_create
from tests.browser.conftest import assert_fits, sign_in
from tests.conftest import references_checked
from tests.manufacturing.test_assessments import submitted

pytestmark = [pytest.mark.browser]

PASSWORD = "Review-ux-browser-2026"
PHONE = {"width": 390, "height": 844}


no_overflow = assert_fits  # every page of the journey fits the phone's width


def test_the_assessor_follows_notices_confirms_the_approval_and_reopens_it_read_only_on_a_phone(
    browser, live_server_url, committed, alpha, monkeypatch
):
    from manufacturing import tasks

    users: list[User] = []
    assessment = None
    contexts = []
    try:
        assessor = user_create(
            email="ux-assessor@example.com", password=PASSWORD, name="核验员李工", platform_role="assessor"
        )
        admin = user_create(
            email="ux-admin@example.com",
            password=PASSWORD,
            name="区域管理员赵工",
            platform_role="regional_admin",
        )
        users += [assessor, admin]
        monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)
        assessment = submitted(alpha)
        monkeypatch.undo()
        with tenant_context(alpha.enterprise):
            assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
        case = ReviewCase.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
        assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)

        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server_url + "/login/", assessor.email, PASSWORD)

        # --- the notice leads to the workbench
        page.goto(live_server_url + "/notices/")
        no_overflow(page)
        notice = page.locator("#notices li", has_text=alpha.enterprise.name)
        expect(notice.locator(".notice-state")).to_have_text("当前：待您核验")
        # (a notice's link is absolute, to the configured public site: followed here on the test's)
        path = f"/review/assignments/{assignment.pk}/"
        expect(notice.get_by_role("link", name="查看")).to_have_attribute("href", re.compile(f"{path}$"))
        page.goto(live_server_url + path)
        no_overflow(page)
        expect(page.locator("#framework-notes summary")).to_contain_text("内部说明")

        # --- a comment on a question picked from the list
        form = page.locator("#comment-form")
        expect(form.locator("select[name=key] optgroup[label='数字化基础']")).to_have_count(1)
        form.locator("select[name=key]").select_option("network")
        form.locator("textarea[name=text]").fill("请补充网络拓扑图。")
        form.get_by_role("button", name="添加意见").click()
        comments = page.locator("#comments")
        expect(comments).to_contain_text("1.1 企业已建成并投入使用的网络有哪些")
        expect(comments).to_contain_text("请补充网络拓扑图。")

        # --- the approval asks first; "cancel" changes nothing
        page.locator("#approve").click()
        dialog = page.locator("dialog.confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("发布到区域统计报表并通知企业")
        expect(dialog).to_contain_text("总分 100.0")
        dialog.locator("[data-confirm-no]").click()
        expect(dialog).to_be_hidden()
        assert Assignment.objects.get(pk=assignment.pk).status == "open"
        page.locator("#approve").click()
        page.locator("dialog [data-confirm-yes]").click()
        page.wait_for_url("**/review/assignments/")
        assert Assignment.objects.get(pk=assignment.pk).status == "approved"

        # --- closed, it is listed and opens read-only
        page.locator("a[href='?show=all']").click()
        no_overflow(page)
        page.locator("#assignments").get_by_role("link", name=alpha.enterprise.name).click()
        page.wait_for_url(f"**/review/assignments/{assignment.pk}/")
        expect(page.locator("#closed-banner")).to_contain_text("此核验任务已结束")
        expect(page.locator("#closed-banner .badge")).to_contain_text("批准")
        expect(page.locator("#approve")).to_have_count(0)
        expect(page.locator("#comment-form")).to_have_count(0)
        expect(page.locator("#history")).to_contain_text("总分 100.0")
        no_overflow(page)

        # --- the notice now says so, and still opens it
        page.goto(live_server_url + "/notices/")
        state = page.locator("#notices li", has_text=alpha.enterprise.name).locator(".notice-state")
        expect(state).to_contain_text("批准")
        link = page.locator("#notices li", has_text=alpha.enterprise.name).get_by_role("link", name="查看")
        expect(link).to_have_attribute("href", re.compile(f"{path}$"))
        page.goto(live_server_url + path)
        expect(page.locator("#closed-banner")).to_be_visible()

        # --- the regional admin's audit log: sentences, names, and it fits the phone
        admin_context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(admin_context)
        admin_page = admin_context.new_page()
        sign_in(admin_page, live_server_url + "/login/", admin.email, PASSWORD)
        admin_page.goto(live_server_url + "/review/audit/")
        audit = admin_page.locator("#audit")
        expect(audit.locator("tr[data-action=approved]")).to_contain_text("总分 100.0")
        expect(audit.locator("tr[data-action=assigned]")).to_contain_text("已指派给核验员李工")
        expect(audit).not_to_contain_text("@example.com")
        expect(audit).not_to_contain_text("{")
        no_overflow(admin_page)
        admin_page.goto(live_server_url + "/review/cases/?status=verifying")
        no_overflow(admin_page)
    finally:
        for context in contexts:
            context.close()
        connection.set_schema_to_public()
        if assessment is not None:
            AuditEvent.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).delete()
            cases = ReviewCase.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk)
            Assignment.objects.filter(case__in=cases).delete()
            cases.delete()
            ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).delete()
            with tenant_context(alpha.enterprise):
                Comment.objects.filter(assessment_id=assessment.pk).delete()
                for evidence in Evidence.objects.filter(assessment_id=assessment.pk):
                    evidence.file.delete(save=False)
                Assessment.objects.filter(pk=assessment.pk).delete()
        Notice.objects.filter(user__in=users).delete()
        if assessment is not None:  # the owner's notice of the verified result
            Notice.objects.filter(
                user=alpha.owner, url__endswith=f"/assessments/{assessment.pk}/result/"
            ).delete()
        ids = [user.pk for user in users]
        UserTenantPermissions.objects.filter(profile_id__in=ids).delete()
        with tenant_context(alpha.enterprise), references_checked():
            User.objects.filter(pk__in=ids).delete()

"""The assessor's path in Chromium (issue 5): sign in on the public site, open the assignment,
override one answer with a reason, approve; the real worker publishes, and the enterprise's owner
sees the verified score and level on its own host and downloads the PDF report.

Not django_db: everything commits (the `committed` fixture) so that gunicorn and the worker see it;
the rows this test causes outside the enterprise's cleanup are deleted in `finally`."""

import time
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
from manufacturing.review import assignments
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from tenants.models import User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.conftest import references_checked
from tests.manufacturing.test_assessments import submitted

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ASSESSOR_PASSWORD = "Assessor-browser-2026"
TIMEOUT = 60_000  # ms, for what waits on the worker or renders a PDF


def _wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_the_assessor_overrides_an_answer_approves_and_the_owner_sees_the_published_level(
    page, live_server_url, celery_worker, committed, alpha, monkeypatch
):
    from manufacturing import tasks

    port = urlsplit(live_server_url).port
    tenant_url = f"http://{alpha.host}:{port}"
    users: list[User] = []
    assessment = None
    try:
        assessor = user_create(
            email="browser-assessor@example.com",
            password=ASSESSOR_PASSWORD,
            name="核验员王工",
            platform_role="assessor",
        )
        users.append(assessor)
        admin = user_create(
            email="browser-admin@example.com",
            password=ASSESSOR_PASSWORD,
            name="区域管理员",
            platform_role="regional_admin",
        )
        users.append(admin)
        monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # scored here instead
        assessment = submitted(alpha)
        monkeypatch.undo()
        with tenant_context(alpha.enterprise):
            assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
        case = ReviewCase.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
        assert case.self_total == pytest.approx(100)
        assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)

        # --- the assessor, on the public site
        sign_in(page, live_server_url + "/login/", assessor.email, ASSESSOR_PASSWORD)
        nav = page.locator("nav.topnav")
        expect(nav.get_by_role("link", name="我的核验任务")).to_be_visible()
        expect(nav.locator("#unread")).to_have_text("1")
        nav.get_by_role("link", name="我的核验任务").click()
        page.wait_for_url("**/review/assignments/")
        page.locator("#assignments").get_by_role("link", name=alpha.enterprise.name).click()
        page.wait_for_url(f"**/review/assignments/{assignment.pk}/")
        expect(page.locator("#live-total")).to_have_text("100.0")

        item = page.locator("#q-network")
        item.locator("details > summary", has_text="修正此答案").click()
        form = item.locator("details form.question")
        boxes = form.locator("input[type=checkbox][name=options]")
        expect(boxes).to_have_count(5)
        for box in boxes.all():
            box.set_checked(box.get_attribute("value") == "none")
        assert [box.get_attribute("value") for box in boxes.all() if box.is_checked()] == ["none"]
        # the workbench previews the score this answer would give, before anything is saved
        expect(item.locator("#preview-network")).to_contain_text("92.0")
        expect(page.locator("#live-total")).to_have_text("100.0")
        form.locator("textarea[name=reason]").fill("未提供网络拓扑图，现场也未见在用的网络设施。")
        form.get_by_role("button", name="保存修正").click()
        expect(page.locator("ul.messages li.success")).to_have_text("修正已保存，核验得分已更新。")
        assert page.url.endswith(f"/review/assignments/{assignment.pk}/#q-network")
        expect(page.locator("#live-total")).to_have_text("92.0")
        expect(page.locator("#q-network .override")).to_contain_text("未提供网络拓扑图")

        page.click("#approve")  # asks first, saying what will happen
        expect(page.locator("dialog.confirm-dialog")).to_contain_text("发布到区域统计报表")
        page.locator("dialog [data-confirm-yes]").click()
        page.wait_for_url("**/review/assignments/")
        expect(page.locator("ul.messages li.success")).to_have_text("已批准，核验结果正在发布。")
        expect(page.locator("#assignments")).not_to_contain_text(alpha.enterprise.name)  # closed

        # --- the real worker publishes
        facts = AssessmentFact.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk)
        _wait_for(facts.exists, "the worker to publish the verified result")
        fact = facts.get()
        assert (fact.total, fact.self_total, fact.assessor_id) == (pytest.approx(92), 100, assessor.pk)
        assert 1 <= fact.level <= 4

        # --- the owner, on the enterprise's own host
        sign_in(page, tenant_url + "/login/", alpha.owner.email, alpha.password)
        page.goto(f"{tenant_url}/assessments/{assessment.pk}/result/")
        verified = page.locator("#verified")
        verified.wait_for(timeout=TIMEOUT)  # (the page would poll itself, were it still publishing)
        expect(page.locator("#result")).to_have_attribute("data-status", "verified")
        expect(verified.locator("p.score")).to_contain_text("92.0")
        expect(verified.locator("p.score")).to_contain_text(f"等级 {fact.level}")
        expect(verified.locator("p.score")).to_contain_text("100.0")  # self-assessed, beside it
        expect(page.locator("#self-vs-verified")).to_be_visible()
        expect(page.locator("#percentile")).to_be_visible()

        with page.expect_download(timeout=TIMEOUT) as download_info:
            page.click("#report-pdf")
        download = download_info.value
        assert download.suggested_filename == f"assessment-{assessment.pk}-zh.pdf"
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
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
        if assessment is not None:  # the owner's notice of the verified result
            Notice.objects.filter(
                user=alpha.owner, url__endswith=f"/assessments/{assessment.pk}/result/"
            ).delete()
        # A user's rows: its permissions in the public schema (user_create links it to the public
        # tenant), then the user itself, deleted from inside alpha's schema: the cascade looks into
        # tenant tables (memberships) the public schema lacks, and alpha holds none of theirs.
        ids = [user.pk for user in users]
        UserTenantPermissions.objects.filter(profile_id__in=ids).delete()
        with tenant_context(alpha.enterprise), references_checked():
            User.objects.filter(pk__in=ids).delete()

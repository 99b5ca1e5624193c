"""The Content-Security-Policy in Chromium (issue 15): the main pages of both hosts meet no violation
(the `browser` fixture fails any browser test whose pages met one, tests/browser/conftest.py), and
the scripts the pages need still work under it: Swagger UI, htmx's autosave, the print button.

Not django_db: everything commits (the `committed` fixture) so that gunicorn sees it; the rows this
test makes are deleted in `finally`."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect
from tenant_users.permissions.models import UserTenantPermissions

from core.models import AuditEvent
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Assessment, Evidence
from manufacturing.review.models import ReviewCase
from tenants.models import User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.conftest import references_checked
from tests.manufacturing.test_assessments import submitted

pytestmark = [pytest.mark.browser]

PASSWORD = "Csp-browser-2026"
PUBLIC_PAGES = ["/", "/hall/", "/register/", "/login/", "/password-reset/", "/admin/login/"]
ADMIN_PAGES = [
    "/workspaces/",
    "/notices/",
    "/reports/",
    "/review/cases/",
    "/review/audit/",
    "/lending/products/",
    "/hall/manage/",
    "/hall/inquiries/",
    "/hall/bookings/",
]
MEMBER_PAGES = [
    "/",
    "/assessments/",
    "/finance/",
    "/exhibition/",
    "/exhibition/booths/",
    "/exhibition/slots/",
    "/exhibition/leads/",
    "/members/",
]


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert "script-src 'self';" in response.headers["content-security-policy"] + ";"
    page.wait_for_load_state("networkidle")


def test_the_main_pages_meet_no_violation_and_their_scripts_work(
    page, browser, live_server_url, committed, alpha, monkeypatch
):
    from manufacturing import tasks

    tenant_url = f"http://{alpha.host}:{urlsplit(live_server_url).port}"
    users: list[User] = []
    assessments: list[int] = []
    try:
        admin = user_create(
            email="csp-browser-admin@example.com",
            password=PASSWORD,
            name="CSP 区域管理员",
            platform_role="regional_admin",
        )
        users.append(admin)
        monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # scored here instead
        scored = submitted(alpha)
        assessments.append(scored.pk)
        with tenant_context(alpha.enterprise):
            assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=scored.pk)
            draft = assessment_services.assessment_create(
                framework=Framework.objects.get(code="miit-sme-mfg"), user=alpha.owner
            )
            assessments.append(draft.pk)
        monkeypatch.undo()

        # --- the public site, signed out, then as a regional admin
        for path in PUBLIC_PAGES:
            _visit(page, live_server_url + path)
        _visit(page, live_server_url + "/api/docs/")
        # Swagger UI's init script (a file, not inline) ran, fetched the schema and drew it.
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("API", timeout=30_000)
        sign_in(page, live_server_url + "/login/", admin.email, PASSWORD)
        for path in ADMIN_PAGES:
            _visit(page, live_server_url + path)

        # --- an enterprise's host, as its owner
        sign_in(page, tenant_url + "/login/", alpha.owner.email, alpha.password)
        for path in MEMBER_PAGES:
            _visit(page, tenant_url + path)
        # htmx saves an answer as it changes, under the policy.
        _visit(page, f"{tenant_url}/assessments/{draft.pk}/step/1/")
        question = page.locator("form.question:has(input[type=radio])").first
        question.locator("input[type=radio]").first.check()
        expect(question.locator(".answer-state")).to_have_class("answer-state saved")
        # The result page's print button (portal/js/portal.js, no inline handler) prints.
        _visit(page, f"{tenant_url}/assessments/{scored.pk}/result/")
        page.evaluate("window.print = () => { window.__printed = true; }")
        page.locator("[data-print]").click()
        assert page.evaluate("window.__printed === true")
    finally:
        connection.set_schema_to_public()
        AuditEvent.objects.filter(tenant=alpha.enterprise, assessment_id__in=assessments).delete()
        ReviewCase.objects.filter(tenant=alpha.enterprise, assessment_id__in=assessments).delete()
        ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id__in=assessments).delete()
        with tenant_context(alpha.enterprise):
            for evidence in Evidence.objects.filter(assessment_id__in=assessments):
                evidence.file.delete(save=False)
            Assessment.objects.filter(pk__in=assessments).delete()
        ids = [user.pk for user in users]
        UserTenantPermissions.objects.filter(profile_id__in=ids).delete()
        with tenant_context(alpha.enterprise), references_checked():
            User.objects.filter(pk__in=ids).delete()


def test_an_inline_script_is_refused_and_the_violation_is_caught(page, browser, live_server_url):
    """The check above can fail: the policy refuses inline code in a real browser, and the watch
    sees the violation."""
    _visit(page, live_server_url + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true;";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan") is None
    [violation] = browser.collect()
    assert violation["directive"] == "script-src-elem" and violation["blocked"] == "inline"
    # Forget it, so that this test's own check passes: a new document, and nothing reported kept.
    _visit(page, live_server_url + "/hall/")
    browser.violations.clear()

"""A transformation programme in Chromium, the enterprise's whole path from application to subsidy.

Tianjin runs an open programme (30 % of the contract, at most CNY 150,000) with one accepted
provider. The owner of a Tianjin enterprise verified at level 1 applies, sees the provider's
solution recommended for a constraint scene of its own below level 2, attaches the signed contract
and submits; the Tianjin admin approves on the public site (the subsidy is reserved); the owner plans
and reports a milestone, the provider confirms it, the owner completes the project; the enterprise
takes the assessment again and an assessor other than the first verifies it at level 3 (the real
worker scores and publishes); the admin grants the subsidy; the owner reads "granted" with the level
before and after, and the worker publishes the project's fact.

Not django_db: everything commits (`committed`) so that gunicorn and the worker see it. The
enterprise is dropped by `committed`; what this test creates in public is deleted in `finally`."""

import datetime
import re
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from core.api import ApplicationError
from core.models import Notice
from manufacturing import scoring
from manufacturing.frameworks.models import Framework
from manufacturing.review import assignments, workbench
from manufacturing.review.models import AssessmentFact, ReviewCase
from programmes.models import Enrolment, Programme, Project, ProjectFact, Provider, ProviderMember, Solution
from tenants.models import Region, User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.conftest import _credit_code, build_enterprise
from tests.manufacturing.test_assessments import submitted

pytestmark = [pytest.mark.browser]

PASSWORD = "Programme-browser-2026"
TIANJIN = "120000"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _wait(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


def _verified_by_worker(world, admin, assessor, *, scene_level: int) -> int:
    """The enterprise submits an assessment; the real worker scores it; `assessor` sets every scene
    to `scene_level` and approves; the worker publishes the fact. Returns the assessment's id."""
    assessment = submitted(world)
    case = _wait(
        lambda: ReviewCase.objects.filter(tenant=world.enterprise, assessment_id=assessment.pk).first(),
        "the worker did not score the assessment",
    )
    assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)
    definition = Framework.objects.get(code="miit-sme-mfg", is_default=True).definition
    for key in scoring.index(definition).scenes:
        value = {"level": scene_level}
        workbench.override_set(
            assessor=assessor, assignment_id=assignment.pk, key=key, value=value, reason="seen"
        )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    _wait(
        lambda: AssessmentFact.objects.filter(tenant=world.enterprise, assessment_id=assessment.pk).exists(),
        "the worker did not publish the verified assessment",
    )
    return assessment.pk


def _label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def test_an_enterprise_goes_from_application_to_subsidy(browser, live_server_url, celery_worker, committed):
    port = urlsplit(live_server_url).port
    public = f"http://localhost:{port}"
    tianjin = Region.objects.get(code=TIANJIN)
    users: list[User] = []
    provider = programme = None
    contexts = []
    try:
        world = build_enterprise(slug="bprog", city=TIANJIN, industry="C36", seed=9401)
        users.append(world.owner)
        tenant = f"http://{world.host}:{port}"
        make = lambda email, role, **kw: user_create(  # noqa: E731
            email=email, password=PASSWORD, name=email.split("@")[0], platform_role=role, **kw
        )
        admin = make("bprog-admin@example.com", "regional_admin", scope_region=tianjin)
        first = make("bprog-assessor1@example.com", "assessor")
        second = make("bprog-assessor2@example.com", "assessor")
        provider_user = make("bprog-provider@example.com", "provider")
        users += [admin, first, second, provider_user]
        provider = Provider.objects.create(
            name_zh="津门智造服务商",
            name_en="Jinmen Smart Services",
            credit_code=_credit_code(94019),
            city=tianjin,
            contact_name="王工",
            contact_phone="+8613900139001",
            contact_email="bprog-contact@example.com",
        )
        ProviderMember.objects.create(user=provider_user, provider=provider)
        framework = Framework.objects.get(code="miit-sme-mfg", is_default=True)
        solution = Solution.objects.create(
            provider=provider,
            name_zh="质量管控轻量化方案",
            name_en="Light quality control",
            description_zh="在线质检、SPC 与批次追溯",
            framework=framework,
            scenes=["quality-management"],
            price_min=Decimal("100000"),
            price_max=Decimal("400000"),
            delivery_days=120,
        )
        today = timezone.localdate()
        programme = Programme.objects.create(
            name_zh="天津市中小企业数字化转型城市试点",
            name_en="Tianjin SME digital transformation pilot",
            framework=framework,
            target_level=2,
            target_gain=1,
            subsidy_percent=Decimal("30"),
            subsidy_cap=Decimal("150000"),
            budget=Decimal("5000000"),
            verified_since=today - datetime.timedelta(days=365),
            apply_from=today - datetime.timedelta(days=5),
            apply_until=today + datetime.timedelta(days=60),
            providers_from=today - datetime.timedelta(days=30),
            providers_until=today + datetime.timedelta(days=30),
            complete_by=today + datetime.timedelta(days=365),
            state=Programme.State.OPEN,
            created_by=admin,
        )
        programme.cities.set([tianjin])
        Enrolment.objects.create(programme=programme, provider=provider, status=Enrolment.Status.ACCEPTED)
        before_id = _verified_by_worker(world, admin, first, scene_level=1)

        def browser_of(email):
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            sign_in(page, (tenant if email == world.owner.email else public) + "/login/", email, PASSWORD)
            return page

        # --- the owner sees the programme and applies with the verified level 1
        owner = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        contexts.append(owner)
        page = owner.new_page()
        sign_in(page, tenant + "/login/", world.owner.email, world.password)
        page.locator("nav.topnav").get_by_role("link", name="数字化转型试点", exact=True).click()
        page.wait_for_url("**/transformation/")
        row = page.locator("main").get_by_text("天津市中小企业数字化转型城市试点").first
        expect(row).to_be_visible()
        page.get_by_role("button", name="以已核验的水平申报").first.click()
        page.wait_for_url(re.compile(r".*/transformation/projects/\d+/$"))
        project = Project.objects.get(programme=programme, tenant=world.enterprise)
        assert (project.state, project.before_level, project.before_assessment_id) == (
            "applied",
            1,
            before_id,
        )
        expect(page.locator("#project-state")).to_have_text(_label(Project.State.APPLIED))

        # --- the recommendation names the enterprise's own gap, in Chinese
        recommended = page.locator(f"#recommendations #solution-{solution.pk}")
        expect(recommended).to_contain_text("质量管控轻量化方案")
        scene_zh = scoring.index(framework.definition).scenes["quality-management"]["name"]["zh"]
        expect(recommended).to_contain_text(scene_zh)
        expect(recommended).to_contain_text("2")  # ... below level 2

        # --- a contract above what the dates allow is refused next to the form, then the right one
        form = page.locator("#submit-form")
        form.locator("#solution").select_option(str(solution.pk))
        form.locator("#contract_amount").fill("200000")
        form.locator("#contract_signed_on").fill(today.isoformat())
        form.locator("#contract_start").fill(today.isoformat())
        form.locator("#contract_end").fill((programme.complete_by + datetime.timedelta(days=1)).isoformat())
        form.locator("#contract_file").set_input_files(
            files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        form.locator("button[type=submit]").click()
        expect(page.locator("#project-error")).to_be_visible()
        assert Project.objects.get(pk=project.pk).state == "applied"
        form = page.locator("#submit-form")
        form.locator("#solution").select_option(str(solution.pk))
        form.locator("#contract_amount").fill("200000")
        form.locator("#contract_signed_on").fill(today.isoformat())
        form.locator("#contract_start").fill(today.isoformat())
        form.locator("#contract_end").fill((today + datetime.timedelta(days=180)).isoformat())
        form.locator("#contract_file").set_input_files(
            files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        form.locator("button[type=submit]").click()
        expect(page.locator("#project-state")).to_have_text(_label(Project.State.SUBMITTED))
        expect(page.locator("#subsidy")).to_contain_text("60,000 元")

        # --- the Tianjin admin approves on the public site: CNY 60,000 (30 %) is reserved
        admin_page = browser_of(admin.email)
        admin_page.goto(f"{public}/programmes/manage/projects/{project.pk}/")
        expect(admin_page.locator("#contract-amount")).to_contain_text("200,000 元")
        admin_page.locator("#approve").click()
        admin_page.locator("dialog [data-confirm-yes]").click()
        expect(admin_page.locator("#project-state")).to_have_text(_label(Project.State.APPROVED))
        programme.refresh_from_db()
        assert (programme.reserved, programme.granted) == (Decimal("60000.00"), Decimal("0.00"))

        # --- the owner plans a milestone and reports it done; the provider confirms it
        page.goto(f"{tenant}/transformation/projects/{project.pk}/")
        expect(page.locator("#project-state")).to_have_text(_label(Project.State.APPROVED))
        milestone = page.locator("#milestone-form")
        milestone.locator("#title").fill("MES 与质检系统上线")
        milestone.locator("#due_on").fill((today + datetime.timedelta(days=90)).isoformat())
        milestone.locator("button[type=submit]").click()
        page.locator("textarea[name=report]").fill("质检数据已自动采集，SPC 看板上线。")
        page.get_by_role("button", name="报告完成").click()
        provider_page = browser_of(provider_user.email)
        provider_page.goto(f"{public}/provider/projects/{project.pk}/")
        expect(provider_page.locator("main")).to_contain_text("质检数据已自动采集")
        provider_page.get_by_role("button", name="确认", exact=True).click()
        expect(provider_page.get_by_role("button", name="确认", exact=True)).to_have_count(0)

        page.goto(f"{tenant}/transformation/projects/{project.pk}/")
        page.locator("#complete").click()
        page.locator("dialog [data-confirm-yes]").click()  # completing is confirmed first
        expect(page.locator("#project-state")).to_have_text(_label(Project.State.COMPLETED))
        expect(page.locator("#after-next")).to_be_visible()

        # --- the fence: the first assessor may not verify the after-assessment; another does, at 3
        after = submitted(world)
        case = _wait(
            lambda: ReviewCase.objects.filter(tenant=world.enterprise, assessment_id=after.pk).first(),
            "the worker did not score the after-assessment",
        )
        with pytest.raises(ApplicationError) as fenced:
            assignments.assign(admin=admin, case_id=case.pk, assessor_id=first.pk)
        assert fenced.value.extra["field"] == "assessor"
        assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=second.pk)
        for key in scoring.index(framework.definition).scenes:
            value = {"level": 3}
            workbench.override_set(
                assessor=second, assignment_id=assignment.pk, key=key, value=value, reason="ok"
            )
        workbench.approve(assessor=second, assignment_id=assignment.pk)
        _wait(
            lambda: Project.objects.filter(pk=project.pk, state="verified").exists(),
            "the verified after-level did not reach the project",
        )
        project.refresh_from_db()
        assert (project.after_level, project.after_assessment_id, project.target_met) == (3, after.pk, True)
        assert project.after_assessor_id == second.pk

        # --- the admin grants; the owner reads it, with the levels before and after
        admin_page.goto(f"{public}/programmes/manage/projects/{project.pk}/")
        admin_page.locator("#grant").click()
        admin_page.locator("dialog [data-confirm-yes]").click()
        expect(admin_page.locator("#project-state")).to_have_text(_label(Project.State.GRANTED))
        programme.refresh_from_db()
        assert (programme.reserved, programme.granted) == (Decimal("0.00"), Decimal("60000.00"))
        page.goto(f"{tenant}/transformation/projects/{project.pk}/")
        expect(page.locator("#project-state")).to_have_text(_label(Project.State.GRANTED))
        expect(page.locator("#after-level")).to_contain_text("3")
        expect(page.locator("#subsidy")).to_have_text("60,000 元")
        assert Notice.objects.filter(user=world.owner, about=world.enterprise).count() >= 2

        fact = _wait(
            lambda: ProjectFact.objects.filter(project_id=project.pk, state="granted").first(),
            "the worker did not publish the project's fact",
        )
        assert (fact.before_level, fact.after_level, fact.subsidy_granted) == (1, 3, Decimal("60000.00"))
        assert (fact.city_id, fact.provider_id, fact.solution_id) == (TIANJIN, provider.pk, solution.pk)
    finally:
        for context in contexts:
            context.close()
        if programme is not None:
            ProjectFact.objects.filter(programme=programme).delete()
            Project.objects.filter(programme=programme).delete()
            programme.enrolments.all().delete()
        if provider is not None:
            Solution.objects.filter(provider=provider).delete()
        if programme is not None:
            programme.delete()
        if provider is not None:
            ProviderMember.objects.filter(provider=provider).delete()
            provider.delete()
        Notice.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)

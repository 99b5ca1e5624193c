"""Demo data for `make run` (setup_platform): the demo enterprises (tenants/demo.py), an assessor, two
regional admins and their assessments at three stages of review (manufacturing/demo.py), a bank and a
financing request (finance/demo.py), an exhibition and a buyer (exhibition/demo.py), two city pilots
with providers and two enterprises' projects (programmes/demo.py). On the roof
because it brings every app together; tenants imports none of the apps above it.
Idempotent: an existing demo user or enterprise is left as it is."""

from django.db import transaction

from exhibition.demo import BUYER, demo_exhibition_ensure
from finance.demo import demo_financing_ensure, demo_lending_ensure
from manufacturing import scoring
from manufacturing.demo import _scored, demo_answers, demo_assessments_ensure
from manufacturing.frameworks.models import Framework
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import ReviewCase
from programmes import demo as programmes_demo
from programmes.models import Project
from tenants import services
from tenants.demo import DEMO_PASSWORD, ENTERPRISES, demo_enterprises_ensure, demo_user
from tenants.models import Enterprise, Region, User

__all__ = ["DEMO_PASSWORD", "demo_data_ensure"]


@transaction.atomic
def demo_data_ensure() -> list[dict]:
    """Creates what is missing and returns the logins to print."""
    logins = demo_enterprises_ensure()
    public = Enterprise.objects.get(schema_name="public")
    assessor = demo_user("assessor@example.com", "赵评估", platform_role=User.PlatformRole.ASSESSOR)
    admin = demo_user("region-admin@example.com", "陈区域", platform_role=User.PlatformRole.REGIONAL_ADMIN)
    city_admin = demo_user(
        "hebei-admin@example.com",
        "刘河北",
        platform_role=User.PlatformRole.REGIONAL_ADMIN,
        scope_region=Region.objects.get(code="130000"),
    )
    operator = User.objects.filter(email="operator@example.com").first()
    if operator is None:
        operator = User.objects.create_superuser(
            password=DEMO_PASSWORD, email="operator@example.com", name="平台运维"
        )
    demo_assessments_ensure(assessor=assessor, admin=admin)
    banker = demo_user("bank@example.com", "孙信贷", platform_role=User.PlatformRole.INSTITUTION)
    demo_lending_ensure(bank_user=banker)
    beijing = Enterprise.objects.get(slug=ENTERPRISES[0].slug)
    demo_financing_ensure(tenant=beijing, owner=beijing.owner)
    buyer = demo_user(*BUYER)  # a visitor: a global user without an enterprise
    demo_exhibition_ensure(admin=admin, buyer=buyer)
    logins += _programmes_demo(assessor=assessor, admin=admin, city_admin=city_admin)
    for user, role, path in (
        (assessor, "assessor", "/review/assignments/"),
        (admin, "regional admin (whole region)", "/reports/"),
        (city_admin, "regional admin (Hebei)", "/review/cases/"),
        (banker, "bank (financial institution user)", "/lending/applications/"),
        (buyer, "buyer (hall visitor)", "/hall/"),
        (User.objects.get(email="assessor2@example.com"), "assessor (after-levels)", "/review/assignments/"),
        (User.objects.get(email="provider-tj@example.com"), "service provider (Tianjin)", "/provider/"),
        (User.objects.get(email="provider-bd@example.com"), "service provider (Baoding)", "/provider/"),
        (operator, "platform operator (Django admin)", "/admin/"),
    ):
        logins.append({"role": role, "email": user.email, "url": services.tenant_url(public, path)})
    return logins


def _programmes_demo(*, assessor: User, admin: User, city_admin: User) -> list[dict]:
    """The programmes' demo (programmes/demo.py) with the verified assessments it needs: each
    enterprise's before-level verified by the demo assessor; the completed project's after-level by
    another assessor (the one who verified the before-level may not verify the after-level)."""
    other = demo_user("assessor2@example.com", "钱评估", platform_role=User.PlatformRole.ASSESSOR)
    tenants, logins = programmes_demo.demo_enterprises_ensure()
    demo = programmes_demo.demo_programmes_ensure(admin=admin, city_admin=city_admin)
    # The demo answers vary with their seed: the before-assessments take the lowest-scoring seeds and
    # the after-assessment the highest, so the transformation shows in the points too, not only in
    # the levels the assessors set.
    definition = Framework.objects.get(is_default=True).definition
    seeds = sorted(
        range(21, 61),
        key=lambda seed: (scoring.score(definition, demo_answers(definition, seed))["total"], seed),
    )
    for index, (key, tenant) in enumerate(tenants.items()):
        programme = demo["programmes"][key]
        project = programmes_demo.demo_project(programme=programme, tenant=tenant)
        if project is None:
            before = _verified(tenant, admin=admin, assessor=assessor, scene_level=1, seed=seeds[index])
            project = programmes_demo.demo_project_ensure(
                key=key, demo=demo, tenant=tenant, admin=programme.created_by, before_assessment_id=before
            )
        if project.state == Project.State.COMPLETED:
            _verified(tenant, admin=admin, assessor=other, scene_level=3, seed=seeds[-1])
            programmes_demo.demo_project_finish(project=project, admin=programme.created_by)
    return logins


def _verified(enterprise: Enterprise, *, admin: User, assessor: User, scene_level: int, seed: int) -> int:
    """A new assessment of the enterprise, scored, assigned, every scene set to `scene_level` by the
    assessor, approved and published (in-process, as the worker would); its id."""
    framework = Framework.objects.get(is_default=True)
    assessment = _scored(enterprise, framework, enterprise.owner, seed)
    case = ReviewCase.objects.get(tenant=enterprise, assessment_id=assessment.pk)
    assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)
    for key in scoring.index(framework.definition).scenes:
        workbench.override_set(
            assessor=assessor,
            assignment_id=assignment.pk,
            key=key,
            value={"level": scene_level},
            reason="现场核查，按实际水平评定。On site: rated as seen.",
        )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    publishing.publish(tenant_id=enterprise.pk, assessment_id=assessment.pk)
    return assessment.pk

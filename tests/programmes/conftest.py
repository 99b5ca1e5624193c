"""Fixtures of the programme tests: people, a provider with a solution, an open programme, and an
enterprise's assessment verified through the review's real path (score, assign, override, approve,
publish) at the level a test needs."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from manufacturing import scoring
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import ReviewCase
from programmes.models import Programme, Provider, ProviderMember, Solution
from tenants.models import Region, User
from tenants.services import user_create
from tests.manufacturing.test_assessments import submitted

PASSWORD = "x-Strong-pass-1"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def person(email: str, role: str, scope: str | None = None) -> User:
    return user_create(
        email=email,
        password=PASSWORD,
        name=email.split("@")[0],
        platform_role=role,
        scope_region=Region.objects.get(code=scope) if scope else None,
    )


@pytest.fixture
def people():
    return {
        "assessor": person("prog-assessor@example.com", "assessor"),
        "other_assessor": person("prog-other@example.com", "assessor"),
        "admin": person("prog-admin@example.com", "regional_admin"),  # the whole region
        "beijing_admin": person("prog-beijing@example.com", "regional_admin", "110000"),
        "tianjin_admin": person("prog-tianjin@example.com", "regional_admin", "120000"),
        "hebei_admin": person("prog-hebei@example.com", "regional_admin", "130000"),
    }


def framework() -> Framework:
    return Framework.objects.get(code="miit-sme-mfg", is_default=True)


def verified(world, people, *, scene_level: int, assessor=None) -> Assessment:
    """An assessment of `world` verified at (at most) `scene_level`: full answers, then the assessor
    sets every scene to `scene_level`; approved and published as the worker would."""
    assessor = assessor or people["assessor"]
    assessment = submitted(world)
    with tenant_context(world.enterprise):
        assessment_services.assessment_score(enterprise=world.enterprise, assessment_id=assessment.pk)
    case = ReviewCase.objects.get(tenant=world.enterprise, assessment_id=assessment.pk)
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=assessor.pk)
    for key in scoring.index(framework().definition).scenes:
        workbench.override_set(
            assessor=assessor,
            assignment_id=assignment.pk,
            key=key,
            value={"level": scene_level},
            reason="seen",
        )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    publishing.publish(tenant_id=world.enterprise.pk, assessment_id=assessment.pk)
    with tenant_context(world.enterprise):
        return Assessment.objects.get(pk=assessment.pk)


def make_provider(slug: str, *, city: str = "120000") -> tuple[Provider, User]:
    from tests.conftest import _credit_code

    provider = Provider.objects.create(
        name_zh=f"服务商{slug}",
        name_en=f"Provider {slug}",
        credit_code=_credit_code(abs(hash(slug)) % 9_000_000 + 1_000_000),
        city=Region.objects.get(code=city),
        contact_name="联系人",
        contact_phone="+8613900139000",
        contact_email=f"contact-{slug}@example.com",
    )
    user = person(f"provider-{slug}@example.com", "provider")
    ProviderMember.objects.create(user=user, provider=provider)
    return provider, user


def make_solution(provider: Provider, **fields) -> Solution:
    values = {
        "name_zh": "质量管控轻量化方案",
        "name_en": "Light quality control",
        "description_zh": "在线质检与追溯",
        "description_en": "Inline inspection and traceability",
        "framework": framework(),
        "scenes": ["quality-management", "production-control"],
        "questions": [],
        "price_min": Decimal("50000"),
        "price_max": Decimal("300000"),
        "delivery_days": 90,
        **fields,
    }
    return Solution.objects.create(provider=provider, **values)


def make_programme(*, cities=("110000",), created_by=None, **fields) -> Programme:
    today = timezone.localdate()
    values = {
        "name_zh": "中小企业数字化转型试点",
        "name_en": "SME digital transformation pilot",
        "framework": framework(),
        "target_level": 2,
        "target_gain": 1,
        "subsidy_percent": Decimal("30"),
        "subsidy_cap": Decimal("150000"),
        "budget": Decimal("1000000"),
        "verified_since": today - datetime.timedelta(days=365),
        "apply_from": today - datetime.timedelta(days=10),
        "apply_until": today + datetime.timedelta(days=60),
        "providers_from": today - datetime.timedelta(days=30),
        "providers_until": today + datetime.timedelta(days=30),
        "complete_by": today + datetime.timedelta(days=365),
        "state": Programme.State.OPEN,
        "created_by": created_by,
        **fields,
    }
    programme = Programme.objects.create(**values)
    programme.cities.set(Region.objects.filter(code__in=cities))
    return programme

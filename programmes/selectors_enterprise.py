"""What an enterprise sees of the programmes on its own host: the open programmes of its city with
why it may not apply (yet), its projects, and a project's recommended solutions. Every query names
the enterprise's id; nothing here reads another enterprise's rows."""

from django.utils import timezone

from manufacturing.interface import framework_items, verified_fact, verified_gaps
from programmes import rules
from programmes.models import Programme, Project
from programmes.projects import accepted_solutions, eligibility_of


def programmes_open_to(enterprise) -> list[dict]:
    """The open programmes running in the enterprise's city (one indexed join on the programme's
    cities), each with its eligibility reasons and the project the enterprise has in it, if any."""
    if enterprise.city_id is None:
        return []
    programmes = list(
        Programme.objects.filter(state=Programme.State.OPEN, cities=enterprise.city_id)
        .prefetch_related("cities", "divisions", "segments")
        .order_by("apply_until", "pk")
    )
    live = {
        p.programme_id: p
        for p in Project.objects.filter(tenant_id=enterprise.pk, programme__in=programmes).exclude(
            state=Project.State.WITHDRAWN
        )
    }
    verified_by_framework: dict = {}
    today = timezone.localdate()
    rows = []
    for programme in programmes:
        if programme.framework_id not in verified_by_framework:
            verified_by_framework[programme.framework_id] = verified_fact(
                tenant_id=enterprise.pk, framework_id=programme.framework_id
            )
        verified = verified_by_framework[programme.framework_id]
        reasons, _verified = eligibility_of(
            enterprise=enterprise, programme=programme, verified=verified, today=today
        )
        rows.append({"programme": programme, "reasons": reasons, "project": live.get(programme.pk)})
    return rows


def projects_of(enterprise):
    return Project.objects.filter(tenant_id=enterprise.pk).select_related("programme", "solution", "provider")


def solution_dicts(programme_id: int) -> list[dict]:
    rows = accepted_solutions(programme_id).prefetch_related("divisions", "segments")
    return [
        {
            "id": s.pk,
            "name": {"zh": s.name_zh, "en": s.name_en or s.name_zh},
            "provider": {
                "id": s.provider_id,
                "zh": s.provider.name_zh,
                "en": s.provider.name_en or s.provider.name_zh,
            },
            "price_min": s.price_min,
            "price_max": s.price_max,
            "delivery_days": s.delivery_days,
            "scenes": list(s.scenes or []),
            "questions": list(s.questions or []),
            "divisions": [d.pk for d in s.divisions.all()],
            "segments": [g.pk for g in s.segments.all()],
            "sizes": list(s.sizes or []),
        }
        for s in rows
    ]


def recommendations(project: Project) -> list[dict]:
    """The accepted providers' solutions that fit the enterprise, those improving its own verified
    gaps first, each with why ("improves 质量管控, one of your scenes at level 1, below level 2").
    Reads the before assessment in the enterprise's schema: the caller is on its host."""
    gaps = verified_gaps(assessment_id=project.before_assessment_id) or {}
    names = framework_items(framework_id=project.programme.framework_id) or {}
    return rules.recommend(
        solutions=solution_dicts(project.programme_id),
        gaps=gaps,
        names=names,
        division=project.industry_id,
        segment=project.segment_id,
        size=project.size,
    )


def subsidy_of(project: Project) -> dict:
    """The subsidy the project's contract would get, and whether the programme's remaining budget
    covers it now (informative: the budget is reserved at the approval)."""
    programme = project.programme
    amount = rules.subsidy_for(
        percent=programme.subsidy_percent, cap=programme.subsidy_cap, amount=project.contract_amount
    )
    return {"amount": amount, "covered": amount <= programme.remaining}

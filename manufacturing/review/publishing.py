"""Publishing an approved assessment (the worker, after the assessor's approval): the verified
score, the one public fact row, the latest flags and the peer percentile; and the sweep that
re-sends publishing left undone."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from core.api import ConflictError
from core.audit import audit
from core.models import AuditEvent
from core.notices import notify
from manufacturing import scoring
from manufacturing.answers import framework_definition
from manufacturing.models import Assessment
from manufacturing.review import cohort, signals
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from manufacturing.review.selectors import verified_answers
from tenants.members.selectors import enterprise_admins
from tenants.models import Enterprise, Region
from tenants.services import tenant_url


def publish(*, tenant_id: int, assessment_id: int) -> AssessmentFact:
    """Re-scores with the verified answers, keeps self and verified scores, publishes the one fact
    row and the peer percentile. Idempotent: a re-run or a redelivered message updates the same row."""
    with transaction.atomic():
        # One publisher per enterprise at a time, so only one of its facts stays the latest.
        tenant = (
            Enterprise.objects.select_for_update(no_key=True, of=("self",))
            .select_related("city", "district", "industry")
            .get(pk=tenant_id)
        )
        with tenant_context(tenant):
            assessment = Assessment.objects.select_for_update().get(pk=assessment_id)  # then the case
            case = ReviewCase.objects.select_for_update().get(tenant=tenant, assessment_id=assessment_id)
            return _publish(tenant, case, assessment)


def _publish(tenant: Enterprise, case: ReviewCase, assessment: Assessment) -> AssessmentFact:
    assessment_id = assessment.pk
    if assessment.status not in (Assessment.Status.VERIFYING, Assessment.Status.VERIFIED):
        raise ConflictError(f"assessment {assessment_id} of {tenant.schema_name} is {assessment.status}")
    approval = (
        Assignment.objects.filter(case=case, status=Assignment.Status.APPROVED).order_by("-closed_at").first()
    )
    approved_at = approval.closed_at if approval else timezone.now()
    result = scoring.score(framework_definition(assessment.framework_id), verified_answers(assessment))
    province = Region.objects.filter(code=tenant.city.province_code).first() if tenant.city else None
    with signals.facts_change(tenant_id=tenant.pk, framework_id=assessment.framework_id):
        fact, created = _fact_write(tenant, assessment, province, result, approval, approved_at)
        _latest_flags(tenant, assessment.framework_id)
    fact.refresh_from_db()
    peer = _peer(fact, tenant=tenant, province=province) if fact.is_latest else None
    AssessmentFact.objects.filter(pk=fact.pk).update(
        percentile=peer["percentile"] if peer else None, cohort=peer["cohort"] if peer else None
    )
    assessment.verified_result = {**result, "peer": peer}
    assessment.verified_at = assessment.verified_at or approved_at
    assessment.status = Assessment.Status.VERIFIED
    assessment.save(update_fields=["verified_result", "verified_at", "status", "updated_at"])
    case.status = ReviewCase.Status.VERIFIED
    case.save(update_fields=["status", "updated_at"])
    if created:
        audit(
            actor=None,
            action=AuditEvent.Action.PUBLISHED,
            tenant=tenant,
            assessment_id=assessment_id,
            new={
                "total": result["total"],
                "level": result["level"],
                "percentile": peer and peer["percentile"],
            },
        )
        # Once, when first published (a redelivered message changes nothing): the enterprise hears
        # that its verification is done, as the assessor's confirmation of the approval says.
        notify(
            users=enterprise_admins(tenant),
            message=_("Your assessment has been verified: total %(total)s, level L%(level)s."),
            params={"total": f"{result['total']:.1f}", "level": result["level"]},
            url=tenant_url(tenant, f"/assessments/{assessment_id}/result/"),
            about=tenant,
        )
    return AssessmentFact.objects.get(pk=fact.pk)


def _fact_write(tenant, assessment, province, result, approval, approved_at) -> tuple[AssessmentFact, bool]:
    return AssessmentFact.objects.update_or_create(
        tenant=tenant,
        assessment_id=assessment.pk,
        defaults={
            "enterprise_name": tenant.name,
            "enterprise_name_en": tenant.name_en,
            "city": tenant.city,
            "district": tenant.district,
            "province_code": province.code if province else "",
            "industry": tenant.industry,
            "industry_section": tenant.industry.section if tenant.industry else "",
            "size": tenant.revenue_band,
            "employees": tenant.employees,
            "framework_id": assessment.framework_id,
            "total": result["total"],
            "level": result["level"],
            "dimension_scores": [
                {"key": d["key"], "score": d["score"], "max": d["max"]} for d in result["dimensions"]
            ],
            "self_total": assessment.result["total"],
            "self_level": assessment.result["level"],
            "assessor": approval.assessor if approval else None,
            "approved_at": approved_at,
        },
    )


def _latest_flags(tenant: Enterprise, framework_id: int) -> None:
    """Only the newest approved assessment of an enterprise (per framework version) counts in cohorts."""
    facts = AssessmentFact.objects.filter(tenant=tenant, framework_id=framework_id)
    newest = facts.order_by("-approved_at", "-assessment_id").values_list("pk", flat=True).first()
    facts.exclude(pk=newest).filter(is_latest=True).update(is_latest=False)
    facts.filter(pk=newest, is_latest=False).update(is_latest=True)


def _peer(fact: AssessmentFact, *, tenant: Enterprise, province) -> dict:
    tried = cohort.steps(city=tenant.city, province=province, industry=tenant.industry)
    for i, step in enumerate(tried):
        rows = AssessmentFact.objects.filter(framework_id=fact.framework_id, is_latest=True, **step.filters)
        totals = list(rows.values_list("total", flat=True))
        if len(totals) >= cohort.COHORT_MIN or i == len(tried) - 1:
            return {
                "percentile": cohort.percentile_rank(fact.total, totals),
                "cohort": {"scope": step.scope, "label": step.label, "size": len(totals)},
            }
    raise AssertionError("unreachable: the last step always answers")

"""Reads for the industrial cloud (tenant schema, plus published frameworks in public)."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from manufacturing import scoring
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Answer, Assessment, Evidence


def framework_list() -> QuerySet[Framework]:
    return Framework.objects.order_by("-is_default", "code", "-version")


def framework_default() -> Framework | None:
    return Framework.objects.filter(is_default=True).first()


def assessment_list() -> QuerySet[Assessment]:
    """With the answer count annotated; the framework row without its (large) definition."""
    return (
        Assessment.objects.select_related("framework")
        .defer("framework__definition")
        .annotate(answered=Count("answers"))
        .order_by("-created_at")
    )


def assessment_progress(*, assessment: Assessment) -> dict:
    from manufacturing.services import framework_definition

    answered = getattr(assessment, "answered", None)
    if answered is None:
        answered = Answer.objects.filter(assessment=assessment).count()
    total = scoring.question_count(framework_definition(assessment.framework_id))
    return {"answered": answered, "total": total}


def evidence_item(evidence: Evidence) -> dict:
    return {
        "id": evidence.pk,
        "question": evidence.question_key,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "url": f"/assessments/{evidence.assessment_id}/evidence/{evidence.pk}/",
    }


def evidence_list(*, assessment: Assessment) -> list[dict]:
    return [evidence_item(e) for e in Evidence.objects.filter(assessment=assessment)]


def scoring_state(*, assessment: Assessment) -> str | None:
    """For a submitted assessment without its result: "scoring" (normal), "delayed" (past the
    sweeper's wait, so re-sent at least once) or "stalled" (every re-send spent; the sweeper has
    logged an error for the operators). None once scored or while a draft."""
    if assessment.status != Assessment.Status.SUBMITTED:
        return None
    waited = timezone.now() - assessment.submitted_at
    if waited.total_seconds() < settings.SCORING_SWEEP_AFTER_SECONDS:
        return "scoring"
    resends = (
        ScoringRequest.objects.filter(tenant_id=connection.tenant.pk, assessment_id=assessment.pk)
        .values_list("resends", flat=True)
        .first()
    )
    return "stalled" if resends is not None and resends >= settings.SCORING_MAX_RESENDS else "delayed"

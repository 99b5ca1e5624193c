"""Reads for the industrial cloud (tenant schema, plus published frameworks in public)."""

from django.db.models import Count, QuerySet

from manufacturing import scoring
from manufacturing.frameworks.models import Framework
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

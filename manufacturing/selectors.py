"""Reads for the industrial cloud (tenant schema, plus published frameworks in public)."""

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from manufacturing import scoring
from manufacturing.answers import framework_definition
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Answer, Assessment, Evidence
from manufacturing.presenters import result_view


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


def assessment_summaries() -> QuerySet[Assessment]:
    """The list as the API shows it: the columns AssessmentOutput reads and the answer count, not
    the stored result (a large JSON document) nor the framework row (its id is enough)."""
    return (
        Assessment.objects.only(
            "id", "framework", "status", "created_at", "submitted_at", "scored_at", "pledge_signed_at"
        )
        .annotate(answered=Count("answers"))
        .order_by("-created_at")
    )


def assessment_progress(*, assessment: Assessment) -> dict:
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


def scoring_state(*, assessment: Assessment, enterprise) -> str | None:
    """For a submitted assessment without its result: "scoring" (normal), "delayed" (past the
    sweeper's wait, so re-sent at least once) or "stalled" (every re-send spent; the sweeper has
    logged an error for the operators). None once scored or while a draft."""
    if assessment.status != Assessment.Status.SUBMITTED:
        return None
    waited = timezone.now() - assessment.submitted_at
    if waited.total_seconds() < settings.OUTBOX_RESEND_AFTER_SECONDS:
        return "scoring"
    resends = (
        ScoringRequest.objects.filter(tenant_id=enterprise.pk, assessment_id=assessment.pk)
        .values_list("resends", flat=True)
        .first()
    )
    return "stalled" if resends is not None and resends >= settings.OUTBOX_MAX_RESENDS else "delayed"


def verification_state(*, assessment: Assessment, enterprise) -> dict | None:
    """Where the verification of a scored assessment stands, as its enterprise is told, read from
    the review's public rows (read-only): {"state", "since"}, state one of
    "waiting"    scored, in the regional admins' index, no assessor assigned yet;
    "checking"   an assessor is assigned and checking it (since: when assigned);
    "returned"   the assessor returned it for changes;
    "publishing" approved, the verified result is being published;
    "verified"   done (since: when verified).
    None before scoring (a draft, or submitted and being scored)."""
    from manufacturing.review.models import Assignment

    status = assessment.status
    if status == Assessment.Status.SCORED:
        assignment = (
            Assignment.objects.filter(
                case__tenant=enterprise,
                case__assessment_id=assessment.pk,
                status=Assignment.Status.OPEN,
            )
            .order_by("-created_at")
            .first()
        )
        if assignment is None:
            return {"state": "waiting", "since": assessment.scored_at}
        return {"state": "checking", "since": assignment.created_at}
    if status == Assessment.Status.RETURNED:
        return {"state": "returned", "since": None}
    if status == Assessment.Status.VERIFYING:
        return {"state": "publishing", "since": None}
    if status == Assessment.Status.VERIFIED:
        return {"state": "verified", "since": assessment.verified_at}
    return None


def review_of(*, assessment: Assessment, enterprise) -> dict:
    """What the enterprise sees of the verification: the assessor's comments and reasons, and the
    history of its assessment (the audit rows from the public schema, with their private values
    from its own)."""
    from core.audit import audit_with_details
    from core.models import AuditEvent
    from manufacturing.models import Comment

    return {
        "comments": list(Comment.objects.select_related("author").filter(assessment=assessment)),
        "history": audit_with_details(
            AuditEvent.objects.select_related("actor")
            .filter(tenant=enterprise, assessment_id=assessment.pk)
            .exclude(action=AuditEvent.Action.UNASSIGNED)[:200],  # the platform's own staffing
            tenant=enterprise,
        ),
        "verified": assessment.verified_result,
    }


def report_data(*, assessment: Assessment, enterprise) -> dict:
    """The verified-result report's content (manufacturing.report_pdf renders it)."""
    from manufacturing.review import verification
    from manufacturing.review.models import AssessmentFact, ReviewCase

    definition = framework_definition(assessment.framework_id)
    verified, own = assessment.verified_result, assessment.result
    self_bars = result_view(definition, own)["bars"]
    verified_bars = result_view(definition, verified)["bars"]
    fact = (
        AssessmentFact.objects.select_related("assessor")
        .filter(tenant=enterprise, assessment_id=assessment.pk)
        .first()
    )
    assessor = fact.assessor if fact and fact.assessor else None
    approved_at = fact.approved_at if fact else assessment.verified_at
    number = (
        ReviewCase.objects.filter(tenant=enterprise, assessment_id=assessment.pk)
        .values_list("report_number", flat=True)
        .first()
    )
    level_name = verified.get("level_name") or {}  # none below level 1: the PDF says so itself
    peer = verified.get("peer")
    return {
        "title": {"zh": "数字化转型成熟度评估报告", "en": "Digital transformation maturity report"},
        "enterprise": {
            "name": enterprise.name,
            "name_en": enterprise.name_en,
            "credit_code": enterprise.credit_code or "",
            "city": {"zh": enterprise.city.name_zh, "en": enterprise.city.name_en} if enterprise.city else {},
            "industry": {"zh": enterprise.industry.name_zh, "en": enterprise.industry.name_en}
            if enterprise.industry
            else {},
        },
        "framework": {
            "name": {"zh": assessment.framework.name_zh, "en": assessment.framework.name_en},
            "version": assessment.framework.version,
        },
        "total": {"self": own["total"], "verified": verified["total"], "max": verified["max_total"]},
        "level": {"self": own["level"], "verified": verified["level"], "name": level_name},
        "dimensions": [
            {"name": s["name"], "self": s["score"], "verified": v["score"], "max": s["max"]}
            for s, v in zip(self_bars, verified_bars, strict=True)
        ],
        "percentile": {
            "value": peer["percentile"],
            "cohort": peer["cohort"]["label"],
            "size": peer["cohort"]["size"],
        }
        if peer
        else None,
        # The assessor's name only, never their email; the PDF prints a neutral "assessor" without one.
        "assessor": (assessor.name or "").strip() if assessor else "",
        "approved_at": f"{timezone.localtime(approved_at):%Y-%m-%d}",
        "valid_until": f"{verification.valid_until(approved_at):%Y-%m-%d}",
        "report_number": number or "",
        "verify_url": verification.verify_url(number) if number else "",
    }

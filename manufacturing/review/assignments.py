"""The public index of scored assessments, and the regional admins' assignments from it.

Scoring records each scored assessment here (`case_record`, called by manufacturing.services inside
the enterprise's tenant); regional admins assign and cancel from this index, never walking tenant
schemas. Every change writes its audit row in the same transaction: tenant and public tables share
one connection, so one transaction covers both. Nothing here imports manufacturing.services: the
enterprise's side calls the review, never the other way round.
"""

import functools

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import assessor_fences
from core.api import ApplicationError, ConflictError
from core.audit import audit
from core.models import AuditEvent
from core.notices import notify
from core.roles import require_regional_admin, scope_q
from manufacturing.models import Assessment
from manufacturing.review.models import Assignment, ReviewCase
from tenants.models import Enterprise, Region, User
from tenants.registration import public_url
from tenants.roles import is_member

TEXT_MAX = 5000


# --- the public index of scored assessments -------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def _province_of(city_code: str) -> str:
    # Reference data, loaded by setup_platform and never changed while the platform runs.
    return Region.objects.values_list("province_code", flat=True).filter(code=city_code).first() or ""


def case_record(*, enterprise: Enterprise, assessment: Assessment, resubmitted: bool) -> ReviewCase:
    """Called where an assessment is scored (inside its tenant, the assessment locked): indexes it for
    the regional admins, and hands a resubmitted one back to its assessor. Every scoring passes here,
    so it costs two writes (an upsert and the audit row) and, on a resubmission, a few more.
    `enterprise` is the assessment's own (the worker's cached row: city and industry are all it
    needs); the caller names it rather than this function guessing it from the connection."""
    fields = {
        "framework_id": assessment.framework_id,
        "city_id": enterprise.city_id,
        "province_code": _province_of(enterprise.city_id) if enterprise.city_id else "",
        "industry_id": enterprise.industry_id,
        "status": ReviewCase.Status.SCORED,
        "self_total": assessment.result["total"],
        "self_level": assessment.result["level"],
        "submitted_at": assessment.submitted_at,
        "updated_at": timezone.now(),
    }
    (case,) = ReviewCase.objects.bulk_create(
        [ReviewCase(tenant_id=enterprise.pk, assessment_id=assessment.pk, **fields)],
        update_conflicts=True,
        unique_fields=["tenant", "assessment_id"],
        update_fields=list(fields),
    )
    audit(
        actor=None,
        action=AuditEvent.Action.SCORED,
        tenant=enterprise,
        assessment_id=assessment.pk,
        new={"total": assessment.result["total"], "level": assessment.result["level"]},
    )
    if not resubmitted:
        return case
    for assignment in Assignment.objects.select_related("assessor").filter(
        case=case, status=Assignment.Status.RETURNED
    ):
        assignment.status = Assignment.Status.OPEN
        assignment.save(update_fields=["status"])
        notify(
            users=[assignment.assessor],
            message=_("%(name)s has resubmitted its assessment for your review."),
            params={"name": enterprise.name},
            url=public_url(f"/review/assignments/{assignment.pk}/"),
            about=enterprise,
        )
    return case


# --- regional admins -----------------------------------------------------------------------------------


def assign(*, admin, case_id: int, assessor_id) -> Assignment:
    require_regional_admin(admin)
    with transaction.atomic():
        case = (
            ReviewCase.objects.select_for_update()
            .select_related("tenant")
            .filter(scope_q(admin))
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise Http404
        try:
            assessor = User.objects.filter(
                pk=int(assessor_id), platform_role=User.PlatformRole.ASSESSOR, is_active=True
            ).first()
        except (TypeError, ValueError):
            assessor = None
        if assessor is None:
            raise ApplicationError(_("Choose an assessor from the list."), extra={"field": "assessor"})
        if case.status in (ReviewCase.Status.VERIFYING, ReviewCase.Status.VERIFIED):
            raise ConflictError(_("This assessment has already been approved."))
        if is_member(user=assessor, enterprise=case.tenant):
            raise ApplicationError(
                _("This assessor belongs to the enterprise and cannot verify its assessment."),
                extra={"field": "assessor"},
            )
        fenced = assessor_fences.excluded(tenant_id=case.tenant_id, assessment_id=case.assessment_id)
        if assessor.pk in fenced:
            raise ApplicationError(_fenced_message(fenced[assessor.pk]), extra={"field": "assessor"})
        try:
            with transaction.atomic():  # the partial unique index is the last word in a race
                assignment = Assignment.objects.create(case=case, assessor=assessor, assigned_by=admin)
        except IntegrityError as exc:
            raise ConflictError(
                _("This assessment already has an assessor; cancel that assignment first.")
            ) from exc
        audit(
            actor=admin,
            action=AuditEvent.Action.ASSIGNED,
            tenant=case.tenant,
            assessment_id=case.assessment_id,
            subject="assessor",
            new={"assessor": assessor.email},
        )
        notify(
            users=[assessor],
            message=_("You have been assigned the assessment of %(name)s to verify."),
            params={"name": case.tenant.name},
            url=public_url(f"/review/assignments/{assignment.pk}/"),
            about=case.tenant_id,
        )
    return assignment


def _fenced_message(reason: dict):
    """The fence's reason ({"zh", "en"}) in the active language, when the message is read."""

    def text() -> str:
        return reason.get("zh") if (get_language() or "").startswith("zh") else reason.get("en")

    return lazy(text, str)()


def assignment_cancel(*, admin, assignment_id: int, reason: str) -> Assignment:
    require_regional_admin(admin)
    reason = reason_clean(reason)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("case__tenant", "assessor")
            .filter(pk=assignment_id, status__in=Assignment.ACTIVE)
            .first()
        )
        if (
            assignment is None
            or not ReviewCase.objects.filter(scope_q(admin), pk=assignment.case_id).exists()
        ):
            raise Http404
        old = assignment.status
        assignment.status = Assignment.Status.CANCELLED
        assignment.closed_at = timezone.now()
        assignment.save(update_fields=["status", "closed_at"])
        audit(
            actor=admin,
            action=AuditEvent.Action.UNASSIGNED,
            tenant=assignment.case.tenant,
            assessment_id=assignment.case.assessment_id,
            subject="assignment",
            old={"assessor": assignment.assessor.email, "status": old},
            new={"status": Assignment.Status.CANCELLED},
            reason=reason,
        )
        notify(
            users=[assignment.assessor],
            message=_("Your assignment for %(name)s was cancelled: %(reason)s"),
            params={"name": assignment.case.tenant.name, "reason": reason},
            url=public_url(f"/review/assignments/{assignment.pk}/"),  # opens its state, read-only
            about=assignment.case.tenant_id,
        )
    return assignment


def reason_clean(text) -> str:
    """A reason or comment as typed: required, trimmed, at most TEXT_MAX characters (the admins'
    cancellations here, the assessor's overrides, comments and returns in review.workbench)."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ApplicationError(_("Give a reason."), extra={"field": "reason"})
    if len(text) > TEXT_MAX:
        raise ApplicationError(
            _("Keep it to %(n)s characters or fewer."), params={"n": TEXT_MAX}, extra={"field": "reason"}
        )
    return text


def assignments_release(*, assessor, label: str) -> int:
    """An assessor deleted their account (tenants.accounts): their open assignments are cancelled,
    so a regional admin can assign the cases again, each with its audit row naming the assessor by
    `label` (their pseudonym). In the caller's transaction. Returns how many."""
    released = 0
    for assignment in (
        Assignment.objects.select_for_update()
        .select_related("case__tenant")
        .filter(assessor=assessor, status__in=Assignment.ACTIVE)
        .order_by("pk")
    ):
        old = assignment.status
        assignment.status = Assignment.Status.CANCELLED
        assignment.closed_at = timezone.now()
        assignment.save(update_fields=["status", "closed_at"])
        audit(
            actor=None,
            action=AuditEvent.Action.UNASSIGNED,
            tenant=assignment.case.tenant,
            assessment_id=assignment.case.assessment_id,
            subject="assignment",
            old={"assessor": label, "status": old},
            new={"status": Assignment.Status.CANCELLED},
            reason=str(_("The assessor deleted their account.")),
        )
        released += 1
    return released

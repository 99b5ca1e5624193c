"""The assessor's work: the fence (`assignment_get`, `inside`), the workbench they read, overrides,
comments, the return to the enterprise, the approval, the score preview and the evidence files.

An assessor changes a tenant's assessment only through `assignment_get`, for an assignment that is
theirs and active; they read it through `assignment_read`, for an assignment that is theirs (a
closed one read-only, an approved one in full, a cancelled one without the enterprise's answers);
everything else is a 404. Every change writes its audit row in the same
transaction: tenant and public tables share one connection, so one transaction covers both.
"""

from contextlib import contextmanager

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from core import outbox
from core.api import ApplicationError, ConflictError
from core.audit import audit, audit_with_details
from core.models import AuditEvent
from core.notices import notify
from core.roles import is_assessor
from manufacturing import scoring
from manufacturing.answers import answer_error, framework_definition
from manufacturing.models import Answer, Assessment, Comment, Evidence, Override
from manufacturing.policy import evidence_readable_by
from manufacturing.review import notice_states, verification
from manufacturing.review.assignments import reason_clean
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from manufacturing.review.selectors import verified_answers
from manufacturing.steps import steps
from tenants.members.selectors import enterprise_admins
from tenants.services import tenant_url

# --- the assessor's fence ------------------------------------------------------------------------------


def assignment_get(*, assessor, assignment_id, lock: bool = False) -> Assignment:
    """The assessor's own active assignment, or 404: not an assessor, not theirs, closed, unknown."""
    if not is_assessor(assessor):
        raise Http404
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    rows = Assignment.objects.select_related("case__tenant", "case__framework").filter(
        pk=assignment_id, assessor=assessor, status__in=Assignment.ACTIVE
    )
    assignment = rows.first()
    if assignment is not None and lock:
        # One lock order everywhere: the assessment, then its case row, then the assignment (as
        # scoring a resubmission and publishing take them), so concurrent work queues, never deadlocks.
        with tenant_context(assignment.case.tenant):
            Assessment.objects.select_for_update().filter(pk=assignment.case.assessment_id).first()
        ReviewCase.objects.select_for_update().filter(pk=assignment.case_id).first()
        assignment = rows.select_for_update(of=("self",)).first()  # still theirs and active?
    if assignment is None:
        raise Http404
    return assignment


def assignment_read(*, assessor, assignment_id) -> Assignment:
    """The assessor's own assignment in any state, for reading: a closed one (approved, cancelled)
    opens read-only for the assessor who had it, so their notices and list never lead to a 404.
    Anyone else gets 404, as for an unknown page. Changes go through `assignment_get` (active only)."""
    if not is_assessor(assessor):
        raise Http404
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    assignment = (
        Assignment.objects.select_related("case__tenant", "case__framework", "case__city", "case__industry")
        .filter(pk=assignment_id, assessor=assessor)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def closed_view(assignment: Assignment) -> dict:
    """What a closed assignment's page shows its assessor, read from the public schema only: the
    case, its state, the verified result once published (AssessmentFact), the public audit rows of
    the assessment (private values stay in the enterprise's schema, as for the regional admins), and
    the admin's reason for a cancellation. Never the enterprise's answers, comments or evidence."""
    case = assignment.case
    approved = assignment.status == Assignment.Status.APPROVED
    fact = (
        AssessmentFact.objects.filter(tenant_id=case.tenant_id, assessment_id=case.assessment_id).first()
        if approved
        else None
    )
    return {
        "assignment": assignment,
        "case": case,
        "approved": approved,
        "fact": fact,
        "state": notice_states.assignment_state(assignment),
        "reason": "" if approved else cancellation_reason(assignment),
        "history": list(
            AuditEvent.objects.select_related("actor", "tenant").filter(
                tenant_id=case.tenant_id, assessment_id=case.assessment_id
            )
        ),
    }


def cancellation_reason(assignment: Assignment) -> str:
    """The regional admin's reason for cancelling `assignment` (public: it is in the audit log)."""
    return (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.UNASSIGNED,
            tenant_id=assignment.case.tenant_id,
            assessment_id=assignment.case.assessment_id,
            old__assessor=assignment.assessor.email,
        )
        .values_list("reason", flat=True)
        .first()
        or ""
    )


@contextmanager
def inside(assignment: Assignment, *, lock: bool = False):
    """Inside the assignment's tenant, with its assessment (the only one reachable)."""
    with tenant_context(assignment.case.tenant):
        rows = Assessment.objects.select_related("framework")
        assessment = (rows.select_for_update(of=("self",)) if lock else rows).get(
            pk=assignment.case.assessment_id
        )
        yield assessment


def _working(assignment: Assignment, assessment: Assessment) -> None:
    """Changes need an open assignment on a scored (not returned, not re-scoring) assessment."""
    if assignment.status != Assignment.Status.OPEN or assessment.status != Assessment.Status.SCORED:
        raise ConflictError(
            _("The assessment is with the enterprise or being scored; wait until it is resubmitted.")
        )


# --- the assessor's changes ----------------------------------------------------------------------------


def override_set(*, assessor, assignment_id, key: str, value, reason) -> Override:
    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        reason = reason_clean(reason)  # after the fence: a stranger gets 404 whatever they send
        with inside(assignment, lock=True) as assessment:
            _working(assignment, assessment)
            definition = framework_definition(assessment.framework_id)
            try:
                clean = scoring.answer_clean(definition, key, value)
            except scoring.AnswerError as exc:
                raise answer_error(exc) from exc
            previous = verified_answers(assessment).get(key)
            override, _created = Override.objects.update_or_create(
                assessment=assessment,
                key=key,
                defaults={"value": clean, "reason": reason, "created_by": assessor},
            )
            audit(
                actor=assessor,
                action=AuditEvent.Action.OVERRIDDEN,
                tenant=assignment.case.tenant,
                assessment_id=assessment.pk,
                subject=key,
                old=previous,
                new=clean,
                reason=reason,
            )
    return override


def override_clear(*, assessor, assignment_id, key: str, reason) -> None:
    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        reason = reason_clean(reason)
        with inside(assignment, lock=True) as assessment:
            _working(assignment, assessment)
            override = Override.objects.filter(assessment=assessment, key=key).first()
            if override is None:
                raise Http404
            own = (
                Answer.objects.filter(assessment=assessment, key=key).values_list("value", flat=True).first()
            )
            override.delete()
            audit(
                actor=assessor,
                action=AuditEvent.Action.OVERRIDE_REMOVED,
                tenant=assignment.case.tenant,
                assessment_id=assessment.pk,
                subject=key,
                old=override.value,
                new=own,
                reason=reason,
            )


def comment_add(*, assessor, assignment_id, text, key: str = "") -> Comment:
    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        text = reason_clean(text)
        with inside(assignment) as assessment:
            ix = scoring.index(assessment.framework.definition)
            if key and key not in {**ix.questions, **ix.scenes, **ix.requirements}:
                raise ApplicationError(
                    _("There is no question %(key)s in this framework; pick one from the list."),
                    params={"key": key},
                    extra={"field": "key"},
                )
            comment = Comment.objects.create(assessment=assessment, key=key, text=text, author=assessor)
            audit(
                actor=assessor,
                action=AuditEvent.Action.COMMENTED,
                tenant=assignment.case.tenant,
                assessment_id=assessment.pk,
                subject=key,
                new=text,
            )
    return comment


def return_to_enterprise(*, assessor, assignment_id, reason) -> Assignment:
    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        reason = reason_clean(reason)
        tenant = assignment.case.tenant
        with inside(assignment, lock=True) as assessment:
            _working(assignment, assessment)
            assessment.status = Assessment.Status.RETURNED
            assessment.pledge_signed_at = None  # the resubmission is pledged again
            assessment.pledge_signed_by = None
            assessment.save(update_fields=["status", "pledge_signed_at", "pledge_signed_by", "updated_at"])
            Comment.objects.create(
                assessment=assessment, kind=Comment.Kind.RETURN, text=reason, author=assessor
            )
        assignment.status = Assignment.Status.RETURNED
        assignment.save(update_fields=["status"])
        ReviewCase.objects.filter(pk=assignment.case_id).update(
            status=ReviewCase.Status.RETURNED, updated_at=timezone.now()
        )
        audit(
            actor=assessor,
            action=AuditEvent.Action.RETURNED,
            tenant=tenant,
            assessment_id=assignment.case.assessment_id,
            subject="status",
            old=Assessment.Status.SCORED,
            new=Assessment.Status.RETURNED,
            reason=reason,
        )
        notify(
            users=enterprise_admins(tenant),
            message=_(
                "Your assessment was returned by the assessor for changes; the reasons are on its page."
            ),
            url=tenant_url(tenant, f"/assessments/{assignment.case.assessment_id}/result/"),
            email_extra=reason,
            about=tenant,
        )
    return assignment


def approve(*, assessor, assignment_id) -> Assignment:
    """Closes the assignment; the worker re-scores with the verified answers and publishes."""
    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        tenant = assignment.case.tenant
        with inside(assignment, lock=True) as assessment:
            _working(assignment, assessment)
            live = scoring.score(assessment.framework.definition, verified_answers(assessment))
            assessment.status = Assessment.Status.VERIFYING
            assessment.save(update_fields=["status", "updated_at"])
        assignment.status = Assignment.Status.APPROVED
        assignment.closed_at = timezone.now()
        assignment.save(update_fields=["status", "closed_at"])
        ReviewCase.objects.filter(pk=assignment.case_id).update(
            status=ReviewCase.Status.VERIFYING, updated_at=timezone.now()
        )
        verification.assign_number(assignment.case, when=assignment.closed_at)
        audit(
            actor=assessor,
            action=AuditEvent.Action.APPROVED,
            tenant=tenant,
            assessment_id=assignment.case.assessment_id,
            subject="status",
            old={"total": assignment.case.self_total, "level": assignment.case.self_level},
            new={"total": live["total"], "level": live["level"]},
        )
        tenant_id, assessment_id = tenant.pk, assignment.case.assessment_id
        outbox.send_on_commit("review-publishing", tenant_id, assessment_id)
    return assignment


# --- reads ---------------------------------------------------------------------------------------------


def workbench(*, assessor, assignment: Assignment) -> dict:
    """Everything the assessor works from, read inside the assignment's tenant: answers, overrides,
    evidence, comments, the self-assessed result and the score of the answers as verified so far.
    For the assignment `assignment_get` gave (the pages and the API alike); the evidence files are
    listed as the one rule on reading them (manufacturing.policy) allows."""
    with inside(assignment) as assessment:
        definition = assessment.framework.definition
        answers = dict(Answer.objects.filter(assessment=assessment).values_list("key", "value"))
        overrides = {
            o.key: o for o in Override.objects.select_related("created_by").filter(assessment=assessment)
        }
        evidence: dict[str, list] = {}
        readable = evidence_readable_by(
            user=assessor, enterprise=assignment.case.tenant, assessment_id=assessment.pk
        )
        for item in Evidence.objects.filter(assessment=assessment) if readable else ():
            evidence.setdefault(item.question_key, []).append(item)
        comments = list(Comment.objects.select_related("author").filter(assessment=assessment))
        verified = {**answers, **{k: o.value for k, o in overrides.items()}}
        live = scoring.score(definition, verified) if assessment.status == Assessment.Status.SCORED else None
    return {
        "assignment": assignment,
        "case": assignment.case,
        "enterprise": assignment.case.tenant,
        "assessment": assessment,
        "definition": definition,
        "pages": steps(definition),
        "answers": answers,
        "overrides": overrides,
        "verified": verified,
        "evidence": evidence,
        "comments": comments,
        "self_result": assessment.result,
        "live": live,
        "history": audit_with_details(
            AuditEvent.objects.select_related("actor").filter(
                tenant=assignment.case.tenant, assessment_id=assessment.pk
            ),
            tenant=assignment.case.tenant,
        ),
    }


def preview(*, assessor, assignment_id, key: str, value) -> dict:
    """The verified score if `key` were overridden with `value` (nothing saved): the workbench shows
    it as the assessor edits, with the same scoring functions."""
    assignment = assignment_get(assessor=assessor, assignment_id=assignment_id)
    with inside(assignment) as assessment:
        definition = framework_definition(assessment.framework_id)
        try:
            clean = scoring.answer_clean(definition, key, value)
        except scoring.AnswerError as exc:
            raise answer_error(exc) from exc
        answers = verified_answers(assessment)
        now = scoring.score(definition, answers)
        then = scoring.score(definition, {**answers, key: clean})
    return {
        "total": then["total"],
        "level": then["level"],
        "current_total": now["total"],
        "current_level": now["level"],
    }


def evidence_for_assessor(*, assessor, assignment_id, evidence_id):
    """An evidence file of the assignment's own assessment (open file, name, type), else 404."""
    assignment = assignment_get(assessor=assessor, assignment_id=assignment_id)
    with inside(assignment) as assessment:
        evidence = Evidence.objects.filter(pk=evidence_id, assessment=assessment).first()
        if evidence is None or not evidence_readable_by(
            user=assessor, enterprise=assignment.case.tenant, assessment_id=assessment.pk
        ):
            raise Http404
        return evidence.file.open("rb"), evidence.original_name, evidence.content_type

"""Assessor verification: the only way a person works across tenants.

Regional admins assign scored assessments (from the public index, never walking tenant schemas); an
assessor reaches a tenant's assessment only through `assignment_get`, for an assignment that is
theirs and active, and everything else is a 404. Every change writes its audit row in the same
transaction: tenant and public tables share one connection, so one transaction covers both.
"""

import functools
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from core.api import ApplicationError, ConflictError
from core.audit import audit, audit_with_details
from core.models import AuditEvent
from core.notices import notify
from core.roles import is_assessor, require_regional_admin, scope_q
from manufacturing import scoring
from manufacturing.models import Answer, Assessment, Comment, Override
from manufacturing.review import cohort, signals
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from tenants.members.selectors import enterprise_admins, is_member
from tenants.models import Enterprise, Region, User
from tenants.registration import public_url
from tenants.services import tenant_url

TEXT_MAX = 5000


# --- the public index of scored assessments -------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def _province_of(city_code: str) -> str:
    # Reference data, loaded by setup_platform and never changed while the platform runs.
    return Region.objects.values_list("province_code", flat=True).filter(code=city_code).first() or ""


def case_record(*, assessment: Assessment, resubmitted: bool) -> ReviewCase:
    """Called where an assessment is scored (inside its tenant, the assessment locked): indexes it for
    the regional admins, and hands a resubmitted one back to its assessor. Every scoring passes here,
    so it costs two writes (an upsert and the audit row) and, on a resubmission, a few more."""
    tenant = connection.tenant  # the worker's cached Enterprise row: city and industry are all it needs
    fields = {
        "framework_id": assessment.framework_id,
        "city_id": tenant.city_id,
        "province_code": _province_of(tenant.city_id) if tenant.city_id else "",
        "industry_id": tenant.industry_id,
        "status": ReviewCase.Status.SCORED,
        "self_total": assessment.result["total"],
        "self_level": assessment.result["level"],
        "submitted_at": assessment.submitted_at,
        "updated_at": timezone.now(),
    }
    (case,) = ReviewCase.objects.bulk_create(
        [ReviewCase(tenant_id=tenant.pk, assessment_id=assessment.pk, **fields)],
        update_conflicts=True,
        unique_fields=["tenant", "assessment_id"],
        update_fields=list(fields),
    )
    audit(
        actor=None,
        action=AuditEvent.Action.SCORED,
        tenant=tenant,
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
            params={"name": tenant.name},
            url=public_url(f"/review/assignments/{assignment.pk}/"),
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
        )
    return assignment


def assignment_cancel(*, admin, assignment_id: int, reason: str) -> Assignment:
    require_regional_admin(admin)
    reason = _reason(reason)
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
        )
    return assignment


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


@contextmanager
def inside(assignment: Assignment, *, lock: bool = False):
    """Inside the assignment's tenant, with its assessment (the only one reachable)."""
    with tenant_context(assignment.case.tenant):
        rows = Assessment.objects.select_related("framework")
        assessment = (rows.select_for_update(of=("self",)) if lock else rows).get(
            pk=assignment.case.assessment_id
        )
        yield assessment


def verified_answers(assessment: Assessment) -> dict[str, dict]:
    """The enterprise's answers with the assessor's overrides applied (inside the tenant)."""
    from manufacturing.services import answers_of

    answers = answers_of(assessment)
    answers.update(dict(Override.objects.filter(assessment=assessment).values_list("key", "value")))
    return answers


def _reason(text) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ApplicationError(_("Give a reason."), extra={"field": "reason"})
    if len(text) > TEXT_MAX:
        raise ApplicationError(
            _("Keep it under %(n)s characters."), params={"n": TEXT_MAX}, extra={"field": "reason"}
        )
    return text


def _working(assignment: Assignment, assessment: Assessment) -> None:
    """Changes need an open assignment on a scored (not returned, not re-scoring) assessment."""
    if assignment.status != Assignment.Status.OPEN or assessment.status != Assessment.Status.SCORED:
        raise ConflictError(
            _("The assessment is with the enterprise or being scored; wait until it is resubmitted.")
        )


def override_set(*, assessor, assignment_id, key: str, value, reason) -> Override:
    from manufacturing.services import _answer_error, framework_definition

    with transaction.atomic():
        assignment = assignment_get(assessor=assessor, assignment_id=assignment_id, lock=True)
        reason = _reason(reason)  # after the fence: a stranger gets 404 whatever they send
        with inside(assignment, lock=True) as assessment:
            _working(assignment, assessment)
            definition = framework_definition(assessment.framework_id)
            try:
                clean = scoring.answer_clean(definition, key, value)
            except scoring.AnswerError as exc:
                raise _answer_error(exc) from exc
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
        reason = _reason(reason)
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
        text = _reason(text)
        with inside(assignment) as assessment:
            ix = scoring.index(assessment.framework.definition)
            if key and key not in {**ix.questions, **ix.scenes, **ix.requirements}:
                raise ApplicationError(
                    _("There is no question %(key)s in this framework."), params={"key": key}
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
        reason = _reason(reason)
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
        )
    return assignment


def approve(*, assessor, assignment_id) -> Assignment:
    """Closes the assignment; the worker re-scores with the verified answers and publishes."""
    from manufacturing.review.tasks import publish_verified

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
        transaction.on_commit(lambda: publish_verified.delay(tenant_id, assessment_id), robust=True)
    return assignment


# --- on approval (worker) ------------------------------------------------------------------------------


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
    from manufacturing.services import framework_definition

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


def publishing_sweep(*, older_than_seconds: int | None = None) -> int:
    """Re-sends publishing for approvals still unpublished after a few minutes (a lost message or a
    worker that died). Reads only the public schema."""
    from manufacturing.review.tasks import publish_verified
    from worker.outbox import resend_stale

    return resend_stale(
        ReviewCase.objects.filter(status=ReviewCase.Status.VERIFYING),
        stamp="updated_at",
        args=("tenant_id", "assessment_id"),
        task=publish_verified,
        older_than_seconds=older_than_seconds,
    )


# --- reads ---------------------------------------------------------------------------------------------


def workbench(*, assignment: Assignment) -> dict:
    """Everything the assessor works from, read inside the assignment's tenant: answers, overrides,
    evidence, comments, the self-assessed result and the score of the answers as verified so far."""
    from manufacturing.models import Evidence
    from manufacturing.steps import steps

    with inside(assignment) as assessment:
        definition = assessment.framework.definition
        answers = dict(Answer.objects.filter(assessment=assessment).values_list("key", "value"))
        overrides = {
            o.key: o for o in Override.objects.select_related("created_by").filter(assessment=assessment)
        }
        evidence: dict[str, list] = {}
        for item in Evidence.objects.filter(assessment=assessment):
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
    from manufacturing.services import _answer_error, framework_definition

    assignment = assignment_get(assessor=assessor, assignment_id=assignment_id)
    with inside(assignment) as assessment:
        definition = framework_definition(assessment.framework_id)
        try:
            clean = scoring.answer_clean(definition, key, value)
        except scoring.AnswerError as exc:
            raise _answer_error(exc) from exc
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
    from manufacturing.models import Evidence

    assignment = assignment_get(assessor=assessor, assignment_id=assignment_id)
    with inside(assignment) as assessment:
        evidence = Evidence.objects.filter(pk=evidence_id, assessment=assessment).first()
        if evidence is None:
            raise Http404
        return evidence.file.open("rb"), evidence.original_name, evidence.content_type


def cases_in_scope(admin):
    """The regional admin's cases (404 for anyone else), each with `has_assessor`; pages and API."""
    from django.db.models import Exists, OuterRef

    require_regional_admin(admin)
    active = Assignment.objects.filter(case=OuterRef("pk"), status__in=Assignment.ACTIVE)
    return (
        ReviewCase.objects.filter(scope_q(admin))
        .select_related("tenant", "city", "industry", "framework")
        .annotate(has_assessor=Exists(active))
        .order_by("submitted_at", "pk")
    )


def audit_in_scope(admin):
    """The audit rows of the enterprises in the regional admin's scope, and the platform's own rows
    that concern no enterprise (exhibitions), 404 for anyone else. The public rows only: who, what,
    when, which assessment and question; never the enterprises' private values."""
    require_regional_admin(admin)
    in_scope = ReviewCase.objects.filter(scope_q(admin)).values("tenant_id")
    return AuditEvent.objects.select_related("actor", "tenant").filter(
        Q(tenant_id__in=in_scope) | Q(tenant__isnull=True)
    )

"""Assessments: create, answer, attach evidence, pledge, submit, score (services: writes).

Everything here runs in the enterprise's schema (a request on its host, or a worker task carrying
its schema). Whose data it is comes in as a parameter (`enterprise`) from the view, API or task, never
from the connection. Scoring itself is manufacturing/scoring.py, pure; reading and checking answers
is manufacturing/answers.py, shared with the review.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.api import ApplicationError, ConflictError
from manufacturing import scoring
from manufacturing.answers import answer_error, answers_of, framework_definition
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Answer, Assessment, Evidence
from manufacturing.review.assignments import case_record

logger = logging.getLogger(__name__)

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Allowed evidence: the suffix must match the file's own first bytes (a renamed .exe is refused).
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


def _editable(assessment: Assessment) -> None:
    """Drafts and assessments returned by the assessor can change; nothing else (409)."""
    if assessment.status not in (Assessment.Status.DRAFT, Assessment.Status.RETURNED):
        raise ConflictError(_("This assessment has been submitted and can no longer be changed."))


@transaction.atomic
def assessment_create(*, framework: Framework, user) -> Assessment:
    return Assessment.objects.create(framework=framework, created_by=user)


@transaction.atomic
def answer_put(*, enterprise, assessment: Assessment, key: str, value, user) -> Answer:
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    _editable(assessment)
    # The definition from the process's cache (a published framework never changes); joined with the
    # framework, FOR UPDATE also locked the framework's row, which every enterprise's assessments
    # share: answer saves in different enterprises then waited for each other (bench/load.py).
    definition = framework_definition(assessment.framework_id)
    try:
        clean = scoring.answer_clean(definition, key, value)
        shared = scoring.shared_inputs_update(definition, answers_of(assessment), key, clean)
    except scoring.AnswerError as exc:
        raise answer_error(exc) from exc
    if assessment.status == Assessment.Status.RETURNED:
        _overrides_drop(enterprise, assessment, [key, *shared], user)
    for other_key, other_value in shared.items():  # the same raw figure in other questions
        Answer.objects.filter(assessment=assessment, key=other_key).update(
            value=other_value, updated_by=user, updated_at=timezone.now()
        )
    answer, _created = Answer.objects.update_or_create(
        assessment=assessment, key=key, defaults={"value": clean, "updated_by": user}
    )
    _answers_changed(assessment)
    return answer


def _overrides_drop(enterprise, assessment: Assessment, keys: list[str], user) -> None:
    """An answer the enterprise changes after a return needs verifying again: the assessor's
    override of it goes, with an audit row."""
    from core.audit import audit
    from core.models import AuditEvent
    from manufacturing.models import Override

    for override in Override.objects.filter(assessment=assessment, key__in=keys):
        override.delete()
        audit(
            actor=user,
            action=AuditEvent.Action.OVERRIDE_REMOVED,
            tenant=enterprise,
            assessment_id=assessment.pk,
            subject=override.key,
            old=override.value,
            reason="The enterprise changed this answer after the return. / 企业在退回后修改了此答案。",
        )


def _answers_changed(assessment: Assessment) -> None:
    """A pledge covers the answers as they were when it was signed: any change asks for it again."""
    Assessment.objects.filter(pk=assessment.pk).update(
        updated_at=timezone.now(), pledge_signed_by=None, pledge_signed_at=None
    )


@transaction.atomic
def answer_delete(*, assessment: Assessment, key: str) -> None:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _editable(assessment)
    Answer.objects.filter(assessment=assessment, key=key).delete()
    _answers_changed(assessment)


@transaction.atomic
def evidence_add(*, enterprise, assessment: Assessment, question_key: str, upload, user) -> Evidence:
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    _editable(assessment)
    index = scoring.index(framework_definition(assessment.framework_id))
    if question_key not in index.questions and question_key not in index.scenes:
        raise ApplicationError(
            _("There is no question %(key)s in this framework."), params={"key": question_key}
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(mb)s MB."),
            params={"mb": EVIDENCE_MAX_BYTES // (1024 * 1024)},
            status_code=413,
        )
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    allowed = EVIDENCE_TYPES.get(suffix)
    head = upload.read(16)
    upload.seek(0)
    if allowed is None or not any(head.startswith(magic) for magic in allowed[1]):
        raise ApplicationError(
            _("Evidence must be a PDF, PNG, JPEG, XLSX or DOCX file whose content matches its name."),
            status_code=415,
        )
    _answers_changed(assessment)
    evidence = Evidence(
        assessment=assessment,
        question_key=question_key,
        file=upload,
        original_name=upload.name[-255:],
        content_type=allowed[0],
        size=upload.size,
        uploaded_by=user,
    )
    evidence.enterprise = enterprise  # its folder (evidence_path)
    evidence.save(force_insert=True)
    return evidence


def evidence_missing(*, assessment: Assessment) -> list[str]:
    """Questions whose answer scores high enough that the framework asks for evidence
    (scoring.evidence_needed), and that have none attached yet, in the framework's order."""
    definition = framework_definition(assessment.framework_id)
    answers = answers_of(assessment)
    attached = set(Evidence.objects.filter(assessment=assessment).values_list("question_key", flat=True))
    return [
        key
        for key, question in scoring.index(definition).questions.items()
        if key not in attached and scoring.evidence_needed(question, answers.get(key))
    ]


@transaction.atomic
def pledge_sign(*, assessment: Assessment, user) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _editable(assessment)
    assessment.pledge_signed_by = user
    assessment.pledge_signed_at = timezone.now()
    assessment.save(update_fields=["pledge_signed_by", "pledge_signed_at", "updated_at"])
    return assessment


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user, enterprise) -> Assessment:
    """Freezes the answers and queues scoring (on commit). Names what is missing instead."""
    assessment = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    _editable(assessment)
    definition = framework_definition(assessment.framework_id)
    missing = scoring.missing_answers(definition, answers_of(assessment))
    if missing:
        raise ApplicationError(
            _("%(n)s questions are not answered yet."), params={"n": len(missing)}, extra={"missing": missing}
        )
    needing = evidence_missing(assessment=assessment)
    if needing:
        raise ApplicationError(
            _("%(n)s answers need supporting evidence before submitting."),
            params={"n": len(needing)},
            extra={"evidence_missing": needing},
        )
    if assessment.pledge_signed_at is None:
        raise ApplicationError(
            _("Sign the authenticity pledge before submitting."), extra={"field": "pledge"}
        )
    now = timezone.now()
    from core.audit import audit
    from core.models import AuditEvent

    audit(
        actor=user,
        action=AuditEvent.Action.SUBMITTED,
        tenant=enterprise,
        assessment_id=assessment.pk,
        subject="status",
        old=assessment.status,
        new=Assessment.Status.SUBMITTED,
    )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_by = user
    assessment.submitted_at = now
    assessment.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    ScoringRequest.objects.update_or_create(
        tenant=enterprise,
        assessment_id=assessment.pk,
        defaults={"sent_at": now, "completed_at": None, "resends": 0, "gave_up_at": None},
    )
    # The task takes the enterprise and enters it itself (as the outbox's re-sends do).
    outbox.send_on_commit("scoring", enterprise.pk, assessment.pk)
    return assessment


SCORED_OR_LATER = (
    Assessment.Status.SCORED,
    Assessment.Status.RETURNED,
    Assessment.Status.VERIFYING,
    Assessment.Status.VERIFIED,
)


def assessment_score(*, enterprise, assessment_id: int) -> Assessment:
    """Scores a submitted assessment of `enterprise` (the connection already in its schema).
    Idempotent: a scored one is left as it is, so a redelivered task changes nothing."""
    with transaction.atomic():
        # The review's lock order: the assessment, then its public case row, then the assignment.
        assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
        if assessment.status in SCORED_OR_LATER:  # a redelivered or late message: nothing to do
            _request_done(enterprise, assessment)
            return assessment
        if assessment.status != Assessment.Status.SUBMITTED:
            raise ConflictError(f"assessment {assessment_id} is {assessment.status}, not submitted")
        definition = framework_definition(assessment.framework_id)
        resubmitted = assessment.result is not None  # scored before, then returned by its assessor
        assessment.result = scoring.score(definition, answers_of(assessment))
        assessment.status = Assessment.Status.SCORED
        assessment.scored_at = timezone.now()
        assessment.save(update_fields=["result", "status", "scored_at", "updated_at"])
        _request_done(enterprise, assessment)
        # the admins' index; back to the assessor if resubmitted
        case_record(enterprise=enterprise, assessment=assessment, resubmitted=resubmitted)
    logger.info("assessment %s scored in %s", assessment_id, enterprise.schema_name)
    return assessment


def _request_done(enterprise, assessment: Assessment) -> None:
    ScoringRequest.objects.filter(
        tenant_id=enterprise.pk, assessment_id=assessment.pk, completed_at__isnull=True
    ).update(completed_at=timezone.now())

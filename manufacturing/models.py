"""Assessments of one enterprise (tenant schema): answers, evidence and the scored result."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.public_refs import public_reference, user_reference


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, being scored")
        SCORED = "scored", _("Scored")
        RETURNED = "returned", _("Returned for changes")
        VERIFYING = "verifying", _("Approved, being published")
        VERIFIED = "verified", _("Verified")

    # The published framework version in the public schema; it never changes once published.
    framework = public_reference("frameworks.Framework", verbose_name=_("framework"), db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = user_reference(verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    pledge_signed_by = user_reference(verbose_name=_("pledge signed by"), null=True, blank=True)
    pledge_signed_at = models.DateTimeField(_("pledge signed at"), null=True, blank=True)
    submitted_by = user_reference(verbose_name=_("submitted by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    # After an assessor's approval: the score of the answers as verified (overrides applied), with
    # the peer percentile and its cohort; `result` keeps the self-assessed score.
    verified_result = models.JSONField(_("verified result"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="scored", result__isnull=False) | ~models.Q(status="scored"),
                name="scored_assessment_has_result",
            ),
            models.CheckConstraint(
                condition=models.Q(status="verified", verified_result__isnull=False)
                | ~models.Q(status="verified"),
                name="verified_assessment_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.framework_id} {self.status}"


class Answer(models.Model):
    # one_answer_per_question (assessment, key) serves lookups by assessment.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    key = models.CharField(_("question"), max_length=80)
    value = models.JSONField(_("answer"))
    updated_by = user_reference()
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.key}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Under the enterprise's own folder; the stored name is random, the original is kept in the row.
    if instance.enterprise is None:
        raise ValueError("Evidence files are stored by services.evidence_add, which names the enterprise.")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    folder = instance.enterprise.schema_name
    return f"tenants/{folder}/evidence/{instance.assessment_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question_key = models.CharField(_("question"), max_length=80)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = user_reference()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    # The enterprise whose folder new files are stored in (not a column: the row is in its schema
    # already); set by services.evidence_add, read by evidence_path.
    enterprise = None

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Override(models.Model):
    """An assessor's verified value for one answer, with the mandatory reason. The enterprise's own
    answer is kept beside it."""

    # one_override_per_question (assessment, key) serves lookups by assessment.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="overrides", db_index=False
    )
    key = models.CharField(_("question"), max_length=80)
    value = models.JSONField(_("verified answer"))
    reason = models.TextField(_("reason"))
    created_by = user_reference()
    created_at = models.DateTimeField(_("overridden at"), auto_now=True)

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="one_override_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.key}"


class Comment(models.Model):
    """An assessor's comment (on a question or the whole assessment) or a reason for returning it;
    the enterprise sees them."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        RETURN = "return", _("Returned with reasons")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    key = models.CharField(_("question"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("text"))
    author = user_reference()
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:40]


class AuditDetail(models.Model):
    """The private half of a review audit row: the answer values before and after, the override's
    reason, the comment's or the return's text. The row itself (who, what, when, which assessment
    and question) is core.AuditEvent in the public schema, which regional admins read; these
    values stay here, read by the enterprise's members and the assessor assigned to the assessment
    (core.audit.audit_with_details). `event_id` names the public row (no foreign
    key across schemas)."""

    event_id = models.BigIntegerField(unique=True)
    old = models.JSONField(_("old value"), null=True)
    new = models.JSONField(_("new value"), null=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit detail")
        verbose_name_plural = _("audit details")

    def __str__(self) -> str:
        return f"event {self.event_id}"

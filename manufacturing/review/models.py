"""Public-schema rows of the review: what must be seen across tenants, and nothing private.

A ReviewCase is the public index of one scored assessment (who, where, which framework, the
self-assessed score): regional admins list and assign from it without entering tenant schemas.
Answers, overrides and comments stay in the tenant's schema (manufacturing.models)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewCase(models.Model):
    class Status(models.TextChoices):
        SCORED = "scored", _("Awaiting review")
        RETURNED = "returned", _("Returned to the enterprise")
        VERIFYING = "verifying", _("Approved, being published")
        VERIFIED = "verified", _("Verified")

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    assessment_id = models.BigIntegerField()
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=6, blank=True)
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCORED)
    self_total = models.FloatField(_("self-assessed score"))
    self_level = models.PositiveSmallIntegerField(_("self-assessed level"))
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "assessment_id"], name="review_case_unique")]
        indexes = [models.Index(fields=["status", "province_code"], name="review_case_scope")]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.assessment_id} {self.status}"


class Assignment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RETURNED = "returned", _("Waiting for the enterprise")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.OPEN, Status.RETURNED)

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="assignments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # Two admins assigning at once: the database lets only one active assignment exist.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["open", "returned"]),
                name="one_active_assignment_per_case",
            )
        ]
        indexes = [models.Index(fields=["assessor", "status"], name="assignment_assessor")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.case_id} {self.status}"


class AssessmentFact(models.Model):
    """One row per approved assessment: all that regional reports and peer percentiles read."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    assessment_id = models.BigIntegerField()
    enterprise_name = models.CharField(max_length=200)
    enterprise_name_en = models.CharField(max_length=200, blank=True)
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=6, blank=True)
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    industry_section = models.CharField(max_length=1, blank=True)
    size = models.CharField(max_length=10, blank=True)  # the enterprise's revenue band
    employees = models.PositiveIntegerField(null=True)
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="+")
    total = models.FloatField()
    level = models.PositiveSmallIntegerField()
    dimension_scores = models.JSONField()  # [{"key", "score", "max"}]
    self_total = models.FloatField()
    self_level = models.PositiveSmallIntegerField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField()
    published_at = models.DateTimeField(auto_now=True)
    # The enterprise's newest approved assessment of this framework version: the one cohorts count.
    is_latest = models.BooleanField(default=True)
    percentile = models.FloatField(null=True)
    cohort = models.JSONField(null=True)  # {"scope", "label": {"zh", "en"}, "size"}
    # The quarters (year * 4 + quarter - 1) in which the regional reports count this fact: from its
    # approval until the quarter of the enterprise's next counted approval. Kept by portal.reports.rollup;
    # both are NULL for an approval superseded within its own quarter.
    counted_from = models.IntegerField(null=True)
    counted_until = models.IntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "assessment_id"], name="assessment_fact_unique")
        ]
        indexes = [
            models.Index(fields=["framework", "is_latest", "industry", "city"], name="fact_cohort"),
            models.Index(fields=["city", "approved_at"], name="fact_city"),
            models.Index(fields=["framework", "city", "counted_from"], name="fact_counted_from"),
            models.Index(fields=["framework", "city", "counted_until"], name="fact_counted_until"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.total} L{self.level}"


class AuditEvent(models.Model):
    """Who did what, when, to which assessment and question. Written in the same transaction as the
    change it records (tenant and public rows share one connection).

    Regional admins read these rows, so they hold no private values: for the actions in PRIVATE,
    the answers before and after, the override's reason and the comment's or the return's text
    are kept in the enterprise's own schema (manufacturing.AuditDetail, same id), and `old`, `new`
    and `reason` here stay empty. The other actions keep the platform's own values here: statuses,
    the scores the public index and the facts show anyway, the assessor assigned, an admin's reason
    for cancelling an assignment, an exhibition's status."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SCORED = "scored", _("Scored")
        ASSIGNED = "assigned", _("Assessor assigned")
        UNASSIGNED = "unassigned", _("Assignment cancelled")
        OVERRIDDEN = "overridden", _("Answer overridden")
        OVERRIDE_REMOVED = "override_removed", _("Override removed")
        COMMENTED = "commented", _("Comment added")
        RETURNED = "returned", _("Returned to the enterprise")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Verified result published")
        EXHIBITION = "exhibition", _("Exhibition status changed")

    # Actions whose values are the enterprise's (answers) or the assessor's working notes to it.
    PRIVATE = frozenset({Action.OVERRIDDEN, Action.OVERRIDE_REMOVED, Action.COMMENTED, Action.RETURNED})

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # None for a platform event that concerns no enterprise (an exhibition's status).
    tenant = models.ForeignKey("tenants.Enterprise", null=True, on_delete=models.CASCADE, related_name="+")
    assessment_id = models.BigIntegerField(null=True)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    subject = models.CharField(
        _("item"), max_length=80, blank=True
    )  # a question key, "status", an exhibition
    old = models.JSONField(_("old value"), null=True)
    new = models.JSONField(_("new value"), null=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "assessment_id"], name="audit_assessment"),
            models.Index(fields=["action", "at"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.tenant_id}:{self.assessment_id}"

    @property
    def values_withheld(self) -> bool:
        """A private action whose values were not read from the enterprise's schema (a regional
        admin's view): pages say where they are instead of showing empty cells."""
        return self.action in self.PRIVATE and not getattr(self, "details_read", False)


class Notice(models.Model):
    """An in-app notice for a platform user (also sent by email)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text_zh = models.TextField()
    text_en = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.text_en

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
    # The outbox of publishing an approval (core/outbox.py): re-sends while verifying, and when the
    # sweeper gave up.
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # The verified report's public number (manufacturing/review/verification.py), given at the
    # approval and never changed; the public verification page looks it up here, never in a tenant.
    report_number = models.CharField(max_length=32, null=True, blank=True, unique=True)
    # The enterprise agreed that the verification page shows its name (otherwise only its city).
    publish_name = models.BooleanField(default=False)

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
    # approval until the quarter of the enterprise's next counted approval. Kept by reports.rollup;
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

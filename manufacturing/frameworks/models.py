"""Published assessment frameworks, in the public schema. A version never changes once loaded."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Framework(models.Model):
    class Kind(models.TextChoices):
        POINTS = "points", _("Points and scene levels (MIIT style)")
        CMMM = "cmmm", _("Capability maturity levels (GB/T 39116 style)")

    code = models.CharField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)
    # The validated definition, exactly as loaded; its checksum proves it never changed.
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("checksum"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        verbose_name = _("assessment framework")
        verbose_name_plural = _("assessment frameworks")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_version_unique"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


class ScoringRequest(models.Model):
    """One row per submitted assessment awaiting its score, in the public schema, so the sweeper finds
    work left undone with one query instead of walking every tenant schema. Written in the same
    transaction as the submission; completed by the scoring task."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    assessment_id = models.BigIntegerField()
    requested_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    # The outbox (core/outbox.py): re-sends by the sweeper; after OUTBOX_MAX_RESENDS it gives up once
    # (an error, a notice to the staff): a task that keeps failing needs a person, not another message.
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "assessment_id"], name="one_scoring_request_per_assessment"
            )
        ]
        indexes = [models.Index(fields=["completed_at", "sent_at"], name="scoring_request_open")]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.assessment_id}"

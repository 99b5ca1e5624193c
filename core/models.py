"""The kernel's public rows: the audit log of the platform and the in-app notices of its users.

Both tables were made by the review app (`review_auditevent`, `review_notice`) and keep their names;
core's first migration only takes them over in Django's state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        EXPORT_REQUESTED = "export_requested", _("Data export requested")
        EXPORT_DOWNLOADED = "export_downloaded", _("Data export downloaded")

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
        db_table = "review_auditevent"  # made by the review app, whose it was first
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
    # The enterprise the notice is about (its name, its words to a buyer, an assessor's case), when
    # it is about one: erasing the enterprise deletes its notices (tenants/lifecycle.py).
    about = models.ForeignKey(
        "tenants.Enterprise", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "review_notice"  # made by the review app, whose it was first
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.text_en


class DataExportOutbox(models.Model):
    """The public trace of an enterprise's data export (the export itself, and who asked, are in the
    enterprise's schema: tenants.members.DataExport, same `export_id`). The outbox (core/outbox.py)
    re-sends an export whose worker died, with one query however many enterprises there are; the
    expiry sweep finds the archives to delete the same way. It holds nothing private."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    export_id = models.BigIntegerField()
    sent_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "export_id"], name="data_export_outbox_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.export_id}"

"""Members, roles and invitations of one enterprise. These tables live in each tenant schema."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.public_refs import user_reference


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


# Higher rank can do everything a lower one can.
ROLE_RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    invited_by = user_reference(
        verbose_name=_("invited by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = user_reference(verbose_name=_("invited by"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per address; a new one replaces (revokes) the old.
            models.UniqueConstraint(
                fields=["email"], condition=Q(status="pending"), name="one_pending_invitation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}, {self.status})"


class Activity(models.Model):
    """The workspace's own audit log: who invited whom, changed whose role, removed whom, published
    or withdrew a booth, answered or closed a lead, and when. Enterprise-private (its schema), read
    by its owners and administrators (tenants.members.selectors.activity_list). Written in the same
    transaction as the change (tenants.members.services.activity_record)."""

    class Action(models.TextChoices):
        INVITED = "invited", _("Invited")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")
        JOINED = "joined", _("Joined")
        ROLE_CHANGED = "role_changed", _("Role changed")
        REMOVED = "removed", _("Removed from the enterprise")
        BOOTH_REGISTERED = "booth_registered", _("Booth registered")
        BOOTH_PUBLISHED = "booth_published", _("Booth published")
        BOOTH_WITHDRAWN = "booth_withdrawn", _("Booth withdrawn from the hall")
        LEAD_REPLIED = "lead_replied", _("Lead answered")
        LEAD_CLOSED = "lead_closed", _("Lead closed")

    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = user_reference(verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    # What was changed, as a person reads it (a member's email, "lead #12 (buyer, company)",
    # "booth #3 (exhibition)") and its id, so a later rename does not rewrite history.
    subject = models.CharField(_("item"), max_length=200)
    object_id = models.BigIntegerField(null=True, blank=True)
    old = models.CharField(_("before"), max_length=20, blank=True)  # a role or a status
    new = models.CharField(_("after"), max_length=20, blank=True)

    class Meta:
        ordering = ["-pk"]  # the order they happened in, through the primary key's index
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"

    @property
    def old_label(self):
        return STATE_LABELS.get(self.old, self.old)

    @property
    def new_label(self):
        return STATE_LABELS.get(self.new, self.new)


# How the roles and statuses an activity row names read (the exhibition cloud's booth and lead
# statuses are spelt here: this app sits below it).
STATE_LABELS = {
    **dict(Role.choices),
    **dict(Invitation.Status.choices),
    "draft": _("Draft"),
    "published": _("Published"),
    "new": _("New"),
    "replied": _("Replied"),
    "closed": _("Closed"),
}


class DataExport(models.Model):
    """One preparation of the enterprise's whole data as a zip (core/data_export.py), asked for by an
    owner and built by a worker (tenants/data_export.py). Private to the enterprise: its schema. The
    public `core.DataExportOutbox` row with the same id is what the sweeper sees if a worker dies."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    requested_by = user_reference(verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Stamped at every step: a running export whose worker died stops being stamped, and another
    # worker may take it over once it is older than DATA_EXPORT_LEASE_SECONDS.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    current_area = models.CharField(_("current area"), max_length=40, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # in DATA_EXPORT_ROOT, never served as is
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"export {self.pk} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return min(100, round(100 * self.steps_done / self.steps_total))

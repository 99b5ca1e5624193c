"""Transformation programmes (public schema): the SME digital-transformation city pilots.

A regional admin runs a **programme** for some cities (eligible divisions, segments and sizes, the
framework, the target, the subsidy rule, the budget, the windows). **Service providers** (a platform
role, like financial institutions) apply to its provider list and publish **solutions**. An
enterprise applies with its verified *before* level, chooses an accepted provider's solution, signs a
contract, reports milestones the provider confirms, takes the assessment again (verified by another
assessor), and the admin decides the **subsidy**: min(share x contract amount, cap), reserved from
the budget at approval. Every project publishes one **fact** row that the reports read.

Everything here lives in public: the admin and the provider must see a project across enterprises.
A project holds only what the enterprise gave the programme (its public record, its verified levels,
its contract); nothing else of its workspace. Rules of the programme are data (these rows), the
arithmetic is `programmes/rules.py`."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.i18n import Bilingual

MONEY = {"max_digits": 16, "decimal_places": 2}


class Segment(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    """A key industry segment (细分行业) a city pilot may select: a named part of one GB/T 4754
    manufacturing division. Reference data (migration 0002), extended by the Django admin."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    division = models.ForeignKey(
        "tenants.Industry", verbose_name=_("industry division"), on_delete=models.PROTECT, related_name="+"
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=160)

    class Meta:
        ordering = ["division_id", "code"]
        verbose_name = _("industry segment")
        verbose_name_plural = _("industry segments")


class Provider(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    """A digital service provider (数字化服务商): an organisation with platform users."""

    name_zh = models.CharField(_("Chinese name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    city = models.ForeignKey(
        "tenants.Region", verbose_name=_("city"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact email"))
    website = models.URLField(_("website"), blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")


class ProviderMember(models.Model):
    """A platform user with the service-provider role works for exactly one provider."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="provider_link",
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("service provider"), on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = _("service provider user")
        verbose_name_plural = _("service provider users")

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class Solution(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    """A provider's 小快轻准 solution: what it fits (divisions, segments, sizes) and what it improves
    (scenes and questions of one framework version)."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("service provider"), on_delete=models.PROTECT, related_name="solutions"
    )
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description_zh = models.TextField(_("Chinese description"))
    description_en = models.TextField(_("English description"), blank=True)
    framework = models.ForeignKey(
        "frameworks.Framework", verbose_name=_("framework"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: every division / segment / size.
    divisions = models.ManyToManyField(
        "tenants.Industry", verbose_name=_("industry divisions"), blank=True, related_name="+"
    )
    segments = models.ManyToManyField(
        Segment, verbose_name=_("industry segments"), blank=True, related_name="+"
    )
    sizes = models.JSONField(_("enterprise sizes"), default=list, blank=True)  # Enterprise.RevenueBand values
    # Keys of the framework's scenes and questions the solution improves (validated against it).
    scenes = models.JSONField(_("scenes improved"), default=list, blank=True)
    questions = models.JSONField(_("questions improved"), default=list, blank=True)
    price_min = models.DecimalField(_("lowest price (CNY)"), **MONEY)
    price_max = models.DecimalField(_("highest price (CNY)"), **MONEY)
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (days)"))
    references = models.TextField(_("references"), blank=True)
    is_active = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["provider__name_zh", "name_zh"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_min__gt=0) & Q(price_max__gte=F("price_min")), name="solution_price_range"
            ),
            models.CheckConstraint(condition=Q(delivery_days__gt=0), name="solution_delivery_days"),
        ]
        indexes = [models.Index(fields=["provider", "is_active"], name="solution_provider")]


class Programme(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("programme state", "Open")
        CLOSED = "closed", _("Closed to applications")
        FINISHED = "finished", _("Finished")

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    # Where it runs: every city must lie in the scope of the admin who manages it.
    cities = models.ManyToManyField("tenants.Region", verbose_name=_("cities"), related_name="+")
    # Who may apply. Empty: every division / segment of the eligible divisions / size.
    divisions = models.ManyToManyField(
        "tenants.Industry", verbose_name=_("eligible industry divisions"), blank=True, related_name="+"
    )
    segments = models.ManyToManyField(
        Segment, verbose_name=_("key industry segments"), blank=True, related_name="programmes"
    )
    sizes = models.JSONField(_("eligible enterprise sizes"), default=list, blank=True)  # RevenueBand values
    framework = models.ForeignKey(
        "frameworks.Framework", verbose_name=_("framework"), on_delete=models.PROTECT, related_name="+"
    )
    # The target: after-level >= target_level and after-level - before-level >= target_gain.
    target_level = models.PositiveSmallIntegerField(_("target level after the transformation"), default=2)
    target_gain = models.PositiveSmallIntegerField(_("levels gained at least"), default=1)
    # The subsidy: min(subsidy_percent % x contract amount, subsidy_cap).
    subsidy_percent = models.DecimalField(
        _("subsidy share of the contract (%)"), max_digits=5, decimal_places=2
    )
    subsidy_cap = models.DecimalField(_("subsidy cap per enterprise (CNY)"), **MONEY)
    contract_max = models.DecimalField(_("largest contract accepted (CNY)"), null=True, blank=True, **MONEY)
    budget = models.DecimalField(_("total budget (CNY)"), **MONEY)
    # Kept by programmes/budget.py under a row lock: reserved at a project's approval, moved to
    # granted at the grant, released on a refusal or withdrawal.
    reserved = models.DecimalField(_("reserved (CNY)"), default=0, **MONEY)
    granted = models.DecimalField(_("granted (CNY)"), default=0, **MONEY)
    # A before-assessment counts when it was verified on or after this date (and before applying).
    verified_since = models.DateField(_("before-level verified on or after"))
    apply_from = models.DateField(_("applications open"))
    apply_until = models.DateField(_("applications close"))
    providers_from = models.DateField(_("provider applications open"))
    providers_until = models.DateField(_("provider applications close"))
    # Contracts start on or after apply_from and end on or before this date.
    complete_by = models.DateField(_("projects complete by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-apply_from", "name_zh"]
        verbose_name = _("transformation programme")
        verbose_name_plural = _("transformation programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(subsidy_percent__gt=0) & Q(subsidy_percent__lte=100),
                name="programme_subsidy_percent",
            ),
            models.CheckConstraint(condition=Q(subsidy_cap__gt=0), name="programme_subsidy_cap"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="programme_budget"),
            # The last word against overspending, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(reserved__gte=0)
                & Q(granted__gte=0)
                & Q(budget__gte=F("reserved") + F("granted")),
                name="programme_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(apply_until__gte=F("apply_from")), name="programme_apply_window"
            ),
            models.CheckConstraint(
                condition=Q(providers_until__gte=F("providers_from")), name="programme_provider_window"
            ),
            models.CheckConstraint(
                condition=Q(complete_by__gte=F("apply_from")), name="programme_complete_by"
            ),
            models.CheckConstraint(condition=Q(target_level__gte=1), name="programme_target_level"),
        ]

    @property
    def remaining(self):
        return self.budget - self.reserved - self.granted


class Enrolment(models.Model):
    """A provider's application to a programme's provider list (public selection)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    statement = models.TextField(_("statement"), blank=True)  # the provider's case for itself
    reason = models.TextField(_("reason"), blank=True)  # the admin's, required for a rejection
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["applied_at"]
        verbose_name = _("provider application")
        verbose_name_plural = _("provider applications")
        constraints = [
            models.UniqueConstraint(fields=["programme", "provider"], name="one_enrolment_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} -> {self.programme_id} {self.status}"


def contract_path(project, filename: str) -> str:
    # Never the enterprise's name or the uploaded name: a random name under the enterprise's id.
    return f"programmes/contracts/{project.tenant_id}/{uuid.uuid4().hex}.pdf"


class Project(models.Model):
    """One enterprise's transformation project in one programme."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied: choose a solution")
        SUBMITTED = "submitted", _("Submitted for approval")
        RETURNED = "returned", _("Returned to the enterprise")
        APPROVED = "approved", _("Approved: transformation under way")
        COMPLETED = "completed", _("Completed: awaiting the after-assessment's verification")
        VERIFIED = "verified", _("After-level verified: awaiting the subsidy decision")
        GRANTED = "granted", _("Subsidy granted")
        REFUSED = "refused", _("Subsidy refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (State.APPLIED, State.SUBMITTED, State.RETURNED, State.APPROVED, State.COMPLETED, State.VERIFIED)
    # The states in which budget is reserved for the project.
    RESERVING = (State.APPROVED, State.COMPLETED, State.VERIFIED)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.APPLIED)
    # The enterprise's public record when it applied (what the programme's rules were checked on).
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=6, blank=True)
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    # Enterprise.RevenueBand
    size = models.CharField(pgettext_lazy("enterprise", "size"), max_length=10, blank=True)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("industry segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The verified *before* assessment (its published fact).
    before_assessment_id = models.BigIntegerField()
    before_level = models.PositiveSmallIntegerField(_("level before"))
    before_total = models.FloatField(_("score before"))
    before_approved_at = models.DateTimeField(_("before-level verified at"))
    before_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The chosen solution and the signed contract.
    solution = models.ForeignKey(
        Solution, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    contract_amount = models.DecimalField(_("contract amount (CNY)"), null=True, blank=True, **MONEY)
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    contract_file = models.FileField(_("signed contract (PDF)"), upload_to=contract_path, blank=True)
    subsidy_reserved = models.DecimalField(_("subsidy reserved (CNY)"), default=0, **MONEY)
    # The verified *after* assessment, once the enterprise completed and its assessor approved it.
    after_assessment_id = models.BigIntegerField(null=True, blank=True)
    after_level = models.PositiveSmallIntegerField(_("level after"), null=True, blank=True)
    after_total = models.FloatField(_("score after"), null=True, blank=True)
    after_approved_at = models.DateTimeField(_("after-level verified at"), null=True, blank=True)
    after_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_met = models.BooleanField(_("target met"), null=True, blank=True)
    subsidy_granted = models.DecimalField(_("subsidy granted (CNY)"), null=True, blank=True, **MONEY)
    reason = models.TextField(_("reason"), blank=True)  # the admin's last return or refusal reason
    # The enterprise agreed that its provider's public page may name it.
    publish_name = models.BooleanField(_("the provider may name us"), default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The fact row's outbox (core/outbox.py): every change bumps fact_version in the same transaction;
    # the worker publishes and records the version it published.
    fact_version = models.PositiveIntegerField(default=1)
    fact_published = models.PositiveIntegerField(default=0)
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("transformation project")
        verbose_name_plural = _("transformation projects")
        constraints = [
            # Applying twice (or racing) gets a 409: one live project per enterprise and programme.
            models.UniqueConstraint(
                fields=["programme", "tenant"],
                condition=~Q(state="withdrawn"),
                name="one_project_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gt=0),
                name="project_contract_amount",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_reserved__gte=0)
                & (Q(subsidy_granted__isnull=True) | Q(subsidy_granted__gte=0)),
                name="project_subsidy",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "state"], name="project_tenant"),
            models.Index(fields=["programme", "state"], name="project_programme"),
            models.Index(fields=["provider", "state"], name="project_provider"),
            models.Index(fields=["fact_published", "fact_version"], name="project_fact_outbox"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.tenant_id} in {self.programme_id} {self.state}"


class Milestone(models.Model):
    """A step of a project: the enterprise plans and reports it, the provider confirms it."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        REPORTED = "reported", _("Reported by the enterprise")
        CONFIRMED = "confirmed", _("Confirmed by the provider")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    report = models.TextField(_("report"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.title} {self.state}"


class Event(models.Model):
    """The audit trail of programmes, provider applications and projects: who, when, what, the state
    before and after, the reason. Public rows: admins, providers and the enterprise read their part."""

    class Action(models.TextChoices):
        PROGRAMME_CREATED = "programme_created", _("Programme created")
        PROGRAMME_CHANGED = "programme_changed", _("Programme changed")
        PROGRAMME_STATE = "programme_state", _("Programme state changed")
        PROVIDER_REGISTERED = "provider_registered", _("Provider registered")
        PROVIDER_CHANGED = "provider_changed", _("Provider profile changed")
        ENROLMENT_APPLIED = "enrolment_applied", _("Provider applied to the programme")
        ENROLMENT_ACCEPTED = "enrolment_accepted", _("Provider accepted")
        ENROLMENT_REJECTED = "enrolment_rejected", _("Provider rejected")
        ENROLMENT_WITHDRAWN = "enrolment_withdrawn", _("Provider application withdrawn")
        SOLUTION_SAVED = "solution_saved", _("Solution saved")
        PROJECT_APPLIED = "project_applied", _("Enterprise applied")
        PROJECT_SUBMITTED = "project_submitted", _("Solution and contract submitted")
        PROJECT_RETURNED = "project_returned", _("Project returned")
        PROJECT_APPROVED = "project_approved", _("Project approved, subsidy reserved")
        PROJECT_WITHDRAWN = "project_withdrawn", _("Project withdrawn")
        MILESTONE_PLANNED = "milestone_planned", _("Milestone planned")
        MILESTONE_REPORTED = "milestone_reported", _("Milestone reported")
        MILESTONE_CONFIRMED = "milestone_confirmed", _("Milestone confirmed")
        PROJECT_COMPLETED = "project_completed", _("Project completed")
        AFTER_VERIFIED = "after_verified", _("After-level verified")
        SUBSIDY_GRANTED = "subsidy_granted", _("Subsidy granted")
        SUBSIDY_REFUSED = "subsidy_refused", _("Subsidy refused")
        PROJECT_ERASED = "project_erased", _("Project removed with its erased enterprise")
        MILESTONE_DELETED = "milestone_deleted", _("Planned milestone deleted")
        PROJECT_CONSENT = "project_consent", _("Consent to be named by the provider changed")

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    programme = models.ForeignKey(Programme, null=True, on_delete=models.CASCADE, related_name="events")
    provider = models.ForeignKey(Provider, null=True, on_delete=models.CASCADE, related_name="events")
    project = models.ForeignKey(Project, null=True, on_delete=models.CASCADE, related_name="events")
    old = models.CharField(max_length=12, blank=True)
    new = models.CharField(max_length=12, blank=True)
    detail = models.JSONField(default=dict)  # the fields changed {name: [old, new]}, amounts, levels
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["programme", "at"], name="programme_event_programme"),
            models.Index(fields=["project", "at"], name="programme_event_project"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action}"


class ProjectFact(models.Model):
    """One row per project, published by a worker (programmes/facts.py): what the reports read.
    Idempotent by project; kept after the enterprise's erasure (its tenant becomes the tombstone)."""

    project_id = models.BigIntegerField(unique=True)
    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="facts")
    state = models.CharField(max_length=10, choices=Project.State.choices)
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=6, blank=True)
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey(Segment, null=True, on_delete=models.PROTECT, related_name="+")
    size = models.CharField(max_length=10, blank=True)
    provider = models.ForeignKey(Provider, null=True, on_delete=models.PROTECT, related_name="+")
    solution = models.ForeignKey(Solution, null=True, on_delete=models.PROTECT, related_name="+")
    before_level = models.PositiveSmallIntegerField()
    before_total = models.FloatField()
    after_level = models.PositiveSmallIntegerField(null=True)
    after_total = models.FloatField(null=True)
    target_met = models.BooleanField(null=True)
    contract_amount = models.DecimalField(null=True, **MONEY)
    subsidy_granted = models.DecimalField(null=True, **MONEY)
    # Shown on the provider's public page only when publish_name (the enterprise agreed).
    enterprise_name = models.CharField(max_length=200, blank=True)
    publish_name = models.BooleanField(default=False)
    applied_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True)
    completed_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    published_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["programme", "city"], name="project_fact_programme"),
            models.Index(fields=["provider", "state"], name="project_fact_provider"),
            models.Index(fields=["city", "segment"], name="project_fact_city"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.state}"

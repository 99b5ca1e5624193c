"""Institutions, loan products, applications and financing facts (public schema).

An application holds only the snapshot the enterprise consented to share, taken when it applied;
nothing else of the enterprise's workspace ever reaches an institution."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual
from finance.models import MONEY, FinancingRequest


class Institution(Bilingual, models.Model):
    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        GUARANTEE = "guarantee", _("Guarantee company")
        LEASING = "leasing", _("Financial leasing company")
        MICROLOAN = "microloan", _("Microcredit company")

    name_zh = models.CharField(_("Chinese name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    city = models.ForeignKey(
        "tenants.Region",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("financial institution")
        verbose_name_plural = _("financial institutions")

    def __str__(self) -> str:
        return self.name


class InstitutionMember(models.Model):
    """A platform user with the financial-institution role works for exactly one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="institution_link",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = _("institution user")
        verbose_name_plural = _("institution users")

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class LoanProduct(Bilingual, models.Model):
    class Tag(models.TextChoices):
        GREEN = "green", _("Green")
        TECH = "tech", _("Technology")
        DIGITAL = "digital", _("Digital transformation")
        SME = "sme", _("Small and micro enterprises")

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="products"
    )
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    amount_min = models.DecimalField(_("minimum amount (CNY)"), **MONEY)
    amount_max = models.DecimalField(_("maximum amount (CNY)"), **MONEY)
    term_min = models.PositiveSmallIntegerField(_("shortest term (months)"))
    term_max = models.PositiveSmallIntegerField(_("longest term (months)"))
    rate_min = models.DecimalField(_("lowest annual rate (%)"), max_digits=5, decimal_places=2)
    rate_max = models.DecimalField(_("highest annual rate (%)"), max_digits=5, decimal_places=2)
    # Empty: every city / every division.
    cities = models.ManyToManyField(
        "tenants.Region", verbose_name=_("eligible cities"), blank=True, related_name="+"
    )
    industries = models.ManyToManyField(
        "tenants.Industry", verbose_name=_("eligible industry divisions"), blank=True, related_name="+"
    )
    # The level of the default framework's verified assessment the product asks for (0: none).
    min_level = models.PositiveSmallIntegerField(_("minimum verified maturity level"), default=0)
    collaterals = models.JSONField(_("accepted collateral"), default=list)  # FinancingRequest.Collateral
    tags = models.JSONField(_("tags"), default=list)  # Tag values
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["institution__name_zh", "name_zh"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_min__gt=0) & Q(amount_max__gte=F("amount_min")),
                name="product_amount_range",
            ),
            models.CheckConstraint(
                condition=Q(term_min__gt=0) & Q(term_max__gte=F("term_min")), name="product_term_range"
            ),
            models.CheckConstraint(
                condition=Q(rate_min__gte=0) & Q(rate_max__gte=F("rate_min")) & Q(rate_max__lte=36),
                name="product_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.SUBMITTED, Status.INFO_REQUESTED)

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    request_id = models.BigIntegerField()  # the enterprise's FinancingRequest
    product = models.ForeignKey(LoanProduct, verbose_name=_("loan product"), on_delete=models.PROTECT)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # Exactly what the enterprise consented to share, and the names of what it covers.
    snapshot = models.JSONField(_("shared data"))
    shared = models.JSONField(_("what was shared"), default=list)
    consented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    # For the regional figures, copied from the enterprise's public record.
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount asked (CNY)"), **MONEY)
    # The institution's answer.
    message = models.TextField(_("message"), blank=True)
    approved_amount = models.DecimalField(_("approved amount (CNY)"), null=True, blank=True, **MONEY)
    approved_rate = models.DecimalField(
        _("approved annual rate (%)"), max_digits=5, decimal_places=2, null=True
    )
    approved_term = models.PositiveSmallIntegerField(_("approved term (months)"), null=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        constraints = [
            # One open application per request and product: applying twice (or racing) gets a 409.
            models.UniqueConstraint(
                fields=["tenant", "request_id", "product"],
                condition=Q(status__in=["submitted", "info_requested"]),
                name="one_open_application_per_product",
            )
        ]
        indexes = [
            models.Index(fields=["institution", "status"], name="application_inbox"),
            models.Index(fields=["tenant", "request_id"], name="application_request"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.request_id} -> {self.product_id} {self.status}"


class ApplicationEvent(models.Model):
    """The audit trail of an application: who, when, what, old and new status, the message."""

    class Action(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REQUEST_INFO = "request_info", _("More information requested")
        REPLIED = "replied", _("Information sent")
        APPROVE = "approve", _("Approved")
        DECLINE = "decline", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    old = models.CharField(max_length=16, blank=True)
    new = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.old}->{self.new}"

    @property
    def by_institution(self) -> bool:
        return self.action in (self.Action.REQUEST_INFO, self.Action.APPROVE, self.Action.DECLINE)


class FinancingFact(models.Model):
    """One row per submitted financing request, published by a worker: what the regional figures
    read (demand per city, purpose, amount band). Idempotent by (tenant, request_id)."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    request_id = models.BigIntegerField()
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    amount_band = models.CharField(max_length=10)
    purpose = models.CharField(max_length=20, choices=FinancingRequest.Purpose.choices)
    term_months = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=FinancingRequest.Status.choices)
    submitted_at = models.DateTimeField()
    published_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "request_id"], name="financing_fact_unique")]
        indexes = [models.Index(fields=["city", "submitted_at"], name="financing_fact_city")]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.request_id} {self.amount}"


class FinancingOutbox(models.Model):
    """A financing fact to (re)publish, written in the same transaction as the request's change, so
    that a message lost between the commit and the worker (a broker restart) is sent again by the
    sweeper. `version` counts the changes: a task completes only the version it published."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    request_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True)
    # The outbox (core/outbox.py): re-sends by the sweeper, and when it gave up.
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "request_id"], name="financing_outbox_unique")
        ]
        indexes = [models.Index(fields=["completed_at", "sent_at"], name="financing_outbox_open")]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.request_id} v{self.version}"

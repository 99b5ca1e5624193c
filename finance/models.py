"""The financial cloud of one enterprise (tenant schema): annual statements and financing requests.
Money is Decimal in CNY (yuan, two decimals), never float."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.public_refs import user_reference

MONEY = {"max_digits": 16, "decimal_places": 2}


class FinancialStatement(models.Model):
    """One year's figures. Profit may be negative; the other amounts may not."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    revenue = models.DecimalField(_("revenue (CNY)"), **MONEY)
    operating_cost = models.DecimalField(_("operating cost (CNY)"), **MONEY)
    net_profit = models.DecimalField(_("net profit (CNY)"), **MONEY)
    total_assets = models.DecimalField(_("total assets (CNY)"), **MONEY)
    total_liabilities = models.DecimalField(_("total liabilities (CNY)"), **MONEY)
    rd_spend = models.DecimalField(_("R&D spending (CNY)"), **MONEY)
    employees = models.PositiveIntegerField(_("employees"))
    updated_by = user_reference(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue__gte=0)
                & Q(operating_cost__gte=0)
                & Q(total_assets__gte=0)
                & Q(total_liabilities__gte=0)
                & Q(rd_spend__gte=0),
                name="statement_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class FinancingRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Purpose(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment upgrade")
        DIGITAL = "digital", _("Digital transformation")
        WORKING_CAPITAL = "working_capital", _("Working capital")
        GREEN = "green", _("Green retrofit")
        RESEARCH = "research", _("Research and development")

    class Collateral(models.TextChoices):
        NONE = "none", _("None (credit loan)")
        REAL_ESTATE = "real_estate", _("Real estate")
        EQUIPMENT = "equipment", _("Machinery and equipment")
        RECEIVABLES = "receivables", _("Accounts receivable")
        INTELLECTUAL_PROPERTY = "ip", _("Intellectual property")
        GUARANTEE = "guarantee", _("Third-party guarantee")

    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    collateral = models.CharField(_("collateral"), max_length=20, choices=Collateral.choices)
    wanted_by = models.DateField(_("wanted by"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = user_reference(verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("financing request")
        verbose_name_plural = _("financing requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="request_amount_positive"),
            models.CheckConstraint(condition=Q(term_months__gt=0), name="request_term_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} CNY / {self.term_months} months"

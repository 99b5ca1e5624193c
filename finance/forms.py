"""Validation of the financial profile and of financing requests, shared by the pages and the API."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance.models import FinancialStatement, FinancingRequest
from finance.money import WanYuanField, WanYuanFormMixin

# Beyond these a figure is a typing slip, not a manufacturer (the largest report about CNY 3 trillion).
AMOUNT_CAP = Decimal("10000000000000")  # CNY 10 trillion
REQUEST_CAP = Decimal("100000000000")  # CNY 100 billion for one financing request
FIRST_YEAR = 1990
TERM_MAX = 360


def _money(label, *, negative=False, cap=AMOUNT_CAP):
    return forms.DecimalField(
        label=label,
        max_digits=16,
        decimal_places=2,
        min_value=None if negative else Decimal("0"),
        max_value=cap,
        error_messages={
            "min_value": _("This amount cannot be negative."),
            "max_value": _("This amount is far too large for a manufacturer; check the number of digits."),
        },
    )


class StatementForm(forms.ModelForm):
    revenue = _money(_("Revenue (CNY)"))
    operating_cost = _money(_("Operating cost (CNY)"))
    net_profit = _money(_("Net profit (CNY, negative for a loss)"), negative=True)
    total_assets = _money(_("Total assets (CNY)"))
    total_liabilities = _money(_("Total liabilities (CNY)"))
    rd_spend = _money(_("R&D spending (CNY)"))
    employees = forms.IntegerField(label=_("Employees"), min_value=0, max_value=10_000_000)

    class Meta:
        model = FinancialStatement
        fields = [
            "year",
            "revenue",
            "operating_cost",
            "net_profit",
            "total_assets",
            "total_liabilities",
            "rd_spend",
            "employees",
        ]

    def clean_year(self):
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if year > this_year:
            raise forms.ValidationError(_("A statement cannot be for a year in the future."), code="future")
        if year < FIRST_YEAR:
            raise forms.ValidationError(
                _("Statements can be entered for %(first)s and later years only."),
                code="old",
                params={"first": FIRST_YEAR},
            )
        return year

    def validate_unique(self):
        """The database decides (a race too); the service turns a duplicate into a clear 409."""


class RequestForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=REQUEST_CAP,
        error_messages={
            "min_value": _("The amount must be more than zero."),
            "max_value": _("The amount is more than CNY 100 billion; check the number of digits."),
        },
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"),
        min_value=1,
        max_value=TERM_MAX,
        error_messages={"max_value": _("A term is at most 360 months (30 years).")},
    )
    wanted_by = forms.DateField(label=_("Needed by"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = FinancingRequest
        fields = ["amount", "term_months", "purpose", "collateral", "wanted_by", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}

    def clean_wanted_by(self):
        wanted = self.cleaned_data["wanted_by"]
        if wanted < timezone.localdate():
            raise forms.ValidationError(_("The date the money is needed by has passed."), code="past")
        return wanted

    def clean_note(self):
        note = self.cleaned_data.get("note", "")
        if len(note) > 2000:
            raise forms.ValidationError(_("The note is too long (2,000 characters at most)."), code="long")
        return note


# --- the pages' forms: amounts typed in 万元, cleaned to yuan (finance.money) --------------------------
# The API and the demo data keep the forms above, in yuan (backwards compatible).

WAN_HELP = _("In CNY 10,000 (万元); decimals allowed, e.g. 12.5 is CNY 125,000.")


def _wan(label, *, negative=False, cap=AMOUNT_CAP, min_yuan=None, help_text=WAN_HELP):
    return WanYuanField(label=label, negative=negative, min_yuan=min_yuan, max_yuan=cap, help_text=help_text)


class StatementPageForm(WanYuanFormMixin, StatementForm):
    revenue = _wan(_("Revenue (CNY 10,000)"))
    operating_cost = _wan(_("Operating cost (CNY 10,000)"))
    net_profit = _wan(
        _("Net profit (CNY 10,000)"),
        negative=True,
        help_text=_("In CNY 10,000 (万元); negative for a loss, e.g. -35.2."),
    )
    total_assets = _wan(_("Total assets (CNY 10,000)"))
    total_liabilities = _wan(_("Total liabilities (CNY 10,000)"))
    rd_spend = _wan(_("R&D spending (CNY 10,000)"))


class RequestPageForm(WanYuanFormMixin, RequestForm):
    amount = _wan(_("Amount (CNY 10,000)"), cap=REQUEST_CAP, min_yuan=Decimal("1"))

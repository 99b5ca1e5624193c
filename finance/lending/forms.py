"""The loan product form (institution users and regional admins)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.forms import REQUEST_CAP, WAN_HELP
from finance.lending.models import LoanProduct
from finance.models import FinancingRequest
from finance.money import WanYuanField, WanYuanFormMixin
from tenants.models import Industry, Region


class ProductForm(forms.ModelForm):
    cities = forms.ModelMultipleChoiceField(
        Region.objects.filter(is_report_city=True).order_by("code"),
        required=False,
        label=_("Eligible cities (tick none for every city)"),
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.ModelMultipleChoiceField(
        Industry.objects.order_by("code"),
        required=False,
        label=_("Eligible industry divisions (choose none for every division)"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    min_level = forms.TypedChoiceField(
        label=_("Minimum verified maturity level"),
        coerce=int,
        choices=[(0, _("None required"))] + [(n, f"L{n}") for n in range(1, 5)],
    )
    collaterals = forms.MultipleChoiceField(
        label=_("Accepted collateral"),
        choices=FinancingRequest.Collateral.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _(
                "Tick at least one kind of collateral (tick “None (credit loan)” for a credit loan)."
            )
        },
    )
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=LoanProduct.Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = LoanProduct
        fields = [
            "institution",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "amount_min",
            "amount_max",
            "term_min",
            "term_max",
            "rate_min",
            "rate_max",
            "cities",
            "industries",
            "min_level",
            "collaterals",
            "tags",
            "is_active",
        ]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_institution = scope.institution
        if scope.institution is not None:  # an institution user manages its own products only
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = scope.institutions.filter(is_active=True)
            # Applications are fenced by the institution they were made to: a product never moves.
            self.fields["institution"].disabled = self.instance.pk is not None
        for name in ("amount_min", "amount_max"):
            self.fields[name].validators.append(_positive)
        for name in ("rate_min", "rate_max"):
            self.fields[name].validators.append(_rate)

    def clean(self):
        data = super().clean()
        pairs = (
            ("amount_min", "amount_max", _("The maximum amount must not be below the minimum.")),
            ("term_min", "term_max", _("The longest term must not be shorter than the shortest.")),
            ("rate_min", "rate_max", _("The highest rate must not be below the lowest.")),
        )
        for low, high, message in pairs:
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                self.add_error(high, message)
        if data.get("term_min") == 0:
            self.add_error("term_min", _("The term must be at least one month."))
        return data

    def save(self, commit=True):
        product = super().save(commit=False)
        if self.fixed_institution is not None:
            product.institution = self.fixed_institution
        if commit:
            product.save()
            self.save_m2m()
        return product


def _positive(value):
    if value is not None and value <= 0:
        raise forms.ValidationError(_("The amount must be more than zero."))


def _rate(value):
    if value is not None and not Decimal("0") <= value <= Decimal("36"):
        raise forms.ValidationError(_("The annual rate must be between 0 and 36%."))


ONE_YUAN = Decimal("1")


class ProductPageForm(WanYuanFormMixin, ProductForm):
    """The page's product form: the amount range typed in 万元 (the API keeps yuan)."""

    amount_min = WanYuanField(
        label=_("Minimum amount (CNY 10,000)"), min_yuan=ONE_YUAN, max_yuan=REQUEST_CAP, help_text=WAN_HELP
    )
    amount_max = WanYuanField(
        label=_("Maximum amount (CNY 10,000)"), min_yuan=ONE_YUAN, max_yuan=REQUEST_CAP, help_text=WAN_HELP
    )

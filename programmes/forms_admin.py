"""The regional admins' forms: a programme (the page and the API share it through
core.api.form_data), and the reason a decision needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import MONEY, Programme, Segment
from tenants.models import Enterprise, Industry, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_MAX = 2000

# The fields of a programme the admin edits, in the order the page shows them.
FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "cities",
    "divisions",
    "segments",
    "sizes",
    "framework",
    "target_level",
    "target_gain",
    "subsidy_percent",
    "subsidy_cap",
    "contract_max",
    "budget",
    "verified_since",
    "apply_from",
    "apply_until",
    "providers_from",
    "providers_until",
    "complete_by",
)
MULTIPLE = ("cities", "divisions", "segments", "sizes")


def report_cities():
    """The cities a programme may run in: the report cities (municipalities, prefecture-level cities,
    Xiong'an)."""
    return Region.objects.filter(is_report_city=True).order_by("code")


class ProgrammeForm(forms.Form):
    """The types and what is required; the rules (scope, ranges, windows, what projects rely on) are
    programmes.admin_programmes.programme_save's."""

    name_zh = forms.CharField(label=_("Chinese name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200)
    description_zh = forms.CharField(
        label=_("Chinese description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("English description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cities = forms.ModelMultipleChoiceField(
        report_cities(),
        to_field_name="code",
        label=_("Cities"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one city.")},
    )
    divisions = forms.ModelMultipleChoiceField(
        Industry.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Eligible industry divisions (choose none for every division)"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    segments = forms.ModelMultipleChoiceField(
        Segment.objects.order_by("division_id", "code"),
        to_field_name="code",
        required=False,
        label=_("Key industry segments (choose none for any segment)"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    sizes = forms.MultipleChoiceField(
        choices=Enterprise.RevenueBand.choices,
        required=False,
        label=_("Eligible enterprise sizes (tick none for every size)"),
        widget=forms.CheckboxSelectMultiple,
    )
    framework = forms.IntegerField(
        label=_("Framework version (id)"),
        min_value=1,
        help_text=_("The assessment framework whose levels count; the default one is filled in."),
    )
    target_level = forms.IntegerField(label=_("Target level after the transformation"), min_value=1)
    target_gain = forms.IntegerField(label=_("Levels gained at least"), min_value=0)
    subsidy_percent = forms.DecimalField(
        label=_("Subsidy share of the contract (%)"), max_digits=5, decimal_places=2
    )
    subsidy_cap = forms.DecimalField(label=_("Subsidy cap per enterprise (CNY)"), **MONEY)
    contract_max = forms.DecimalField(
        label=_("Largest contract accepted (CNY)"),
        required=False,
        help_text=_("Leave empty for no limit."),
        **MONEY,
    )
    budget = forms.DecimalField(label=_("Total budget (CNY)"), **MONEY)
    verified_since = forms.DateField(
        label=_("Before-level verified on or after"),
        widget=DATE,
        help_text=_("An enterprise's verified level counts when it was verified on or after this date."),
    )
    apply_from = forms.DateField(label=_("Applications open"), widget=DATE)
    apply_until = forms.DateField(label=_("Applications close"), widget=DATE)
    providers_from = forms.DateField(label=_("Provider applications open"), widget=DATE)
    providers_until = forms.DateField(label=_("Provider applications close"), widget=DATE)
    complete_by = forms.DateField(label=_("Projects complete by"), widget=DATE)

    def __init__(self, *args, admin=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin is not None and admin.scope_region is not None:
            # The page offers the cities of the admin's scope only (the service checks it anyway).
            from core.roles import scope_q

            self.fields["cities"].queryset = report_cities().filter(
                scope_q(admin, city="code", province="province_code")
            )


def programme_initial(programme: Programme) -> dict:
    """The form's values of a saved programme."""
    values = {name: getattr(programme, name) for name in FIELDS if name not in MULTIPLE}
    values["framework"] = programme.framework_id
    values["cities"] = [c.code for c in programme.cities.all()]
    values["divisions"] = [d.code for d in programme.divisions.all()]
    values["segments"] = [s.code for s in programme.segments.all()]
    values["sizes"] = list(programme.sizes)
    return values


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX, widget=forms.Textarea)

"""The report filters, shared by the pages, the exports and the API (one validation, one meaning)."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.tables import list_separator
from manufacturing.frameworks.models import Framework
from reports import selectors
from reports.rollup import quarter_label, quarter_parse
from tenants.models import Enterprise, Industry

DEFAULT_SPAN = 4  # quarters shown when the period is not chosen


class QuarterField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=self.quarters, required=False, **kwargs)
        self.error_messages["invalid_choice"] = _(
            "%(value)s is not a quarter the reports cover: write it as 2026Q3, from %(first)s to %(last)s."
        )

    @staticmethod
    def quarters():
        return [
            (quarter_label(q), quarter_label(q))
            for q in range(selectors.current_quarter(), selectors.first_quarter() - 1, -1)
        ]

    def validate(self, value):
        try:
            super().validate(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={
                    "value": value,
                    "first": quarter_label(selectors.first_quarter()),
                    "last": quarter_label(selectors.current_quarter()),
                },
            ) from exc

    def to_python(self, value):
        quarter = quarter_parse(value) if value else None
        return quarter_label(quarter) if quarter is not None else (value or "").strip()


class ReportFilterForm(forms.Form):
    framework = forms.ModelChoiceField(
        Framework.objects.all(),
        required=False,
        label=_("Framework version"),
        empty_label=None,
        error_messages={"invalid_choice": _("There is no such framework version.")},
    )
    since = QuarterField(label=_("From quarter"))
    until = QuarterField(label=_("To quarter"))
    industry = forms.ModelChoiceField(
        Industry.objects.all(),
        required=False,
        label=_("Industry division"),
        empty_label=_("All industry divisions"),
        error_messages={"invalid_choice": _("There is no such industry division.")},
    )
    size = forms.ChoiceField(
        choices=[("", _("All sizes")), *list(Enterprise.RevenueBand.choices)],
        required=False,
        label=_("Enterprise size (annual revenue)"),
        error_messages={"invalid_choice": _("%(value)s is not an enterprise size.")},
    )
    city = forms.ModelMultipleChoiceField(
        selectors.report_cities(),
        required=False,
        label=_("Cities to compare"),
        error_messages={"invalid_choice": _("%(value)s is not one of the cities the reports compare.")},
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data: QueryDict, *, admin, **kwargs):
        # Always bound, with the defaults filled in where the query is silent, so that the form shows
        # exactly what the figures use (an unbound form would show nothing selected, and submit that).
        values = data.copy()
        for key, items in list(values.lists()):
            # A NUL would reach PostgreSQL (which refuses it) in a lookup; U+FFFD fails validation plainly.
            if any("\x00" in item for item in items):
                values.setlist(key, [item.replace("\x00", "\ufffd") for item in items])
        default = Framework.objects.filter(is_default=True).values_list("pk", flat=True).first()
        if not (values.get("framework") or "").strip() and default:
            values["framework"] = str(default)
        if not (values.get("until") or "").strip():
            values["until"] = quarter_label(selectors.current_quarter())
        until = quarter_parse(values.get("until"))
        if not (values.get("since") or "").strip() and until is not None:
            values["since"] = quarter_label(max(until - DEFAULT_SPAN + 1, selectors.first_quarter()))
        super().__init__(values, **kwargs)
        self.admin = admin

    def clean(self):
        data = super().clean()
        since, until = quarter_parse(data.get("since") or ""), quarter_parse(data.get("until") or "")
        if since is None or until is None:
            if not self.errors:  # a field error says it already
                raise forms.ValidationError(_("Choose the quarters of the period."), code="period")
            return data
        if since > until:
            raise forms.ValidationError(_("The period must not end before it starts."), code="period")
        data["since"], data["until"] = since, until
        return data

    def filters(self) -> selectors.Filters:
        """Only after is_valid(). Worked out once (the view and describe() both ask)."""
        if getattr(self, "_filters", None) is None:
            data = self.cleaned_data
            framework = data.get("framework") or Framework.objects.first()
            cities = tuple(data.get("city") or ()) or tuple(selectors.default_cities(self.admin))
            self._filters = selectors.Filters(
                framework=framework,
                since=data["since"],
                until=data["until"],
                industry=data.get("industry"),
                size=data.get("size") or "",
                cities=cities,
            )
        return self._filters

    def describe(self) -> list[tuple[str, str]]:
        """The filters as applied, in words: shown above the report and written into every export."""
        f = self.filters()
        return [
            (str(_("Framework version")), f"{f.framework.name} ({f.framework.version})"),
            (str(_("Period")), f"{quarter_label(f.since)} – {quarter_label(f.until)}"),
            (
                str(_("Industry division")),
                f"{f.industry.code} {f.industry.name}" if f.industry else str(_("All industry divisions")),
            ),
            (
                str(_("Enterprise size (annual revenue)")),
                str(Enterprise.RevenueBand(f.size).label) if f.size else str(_("All sizes")),
            ),
            (str(_("Cities")), list_separator().join(c.name for c in f.cities)),
        ]


def filter_errors(form) -> list[tuple[str, str]]:
    """(field label or "", message) for every error of the filter form."""
    return [
        (str(form.fields[name].label) if name in form.fields else "", str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]

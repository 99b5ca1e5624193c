"""Exhibition and section forms (regional admins)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exhibition.hall.models import Exhibition, Section
from tenants.models import Industry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExhibitionForm(forms.ModelForm):
    class Meta:
        model = Exhibition
        fields = [
            "name_zh",
            "name_en",
            "theme_zh",
            "theme_en",
            "starts_on",
            "ends_on",
            "registration_deadline",
        ]
        widgets = {
            "theme_zh": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "theme_en": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "starts_on": DATE,
            "ends_on": DATE,
            "registration_deadline": DATE,
        }

    def clean(self):
        data = super().clean()
        starts, ends, deadline = data.get("starts_on"), data.get("ends_on"), data.get("registration_deadline")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The exhibition cannot close before it opens."))
        if deadline and ends and deadline > ends:
            self.add_error(
                "registration_deadline", _("Booth registration must end by the exhibition's last day.")
            )
        for name in ("theme_zh", "theme_en"):
            if len(data.get(name) or "") > 2000:
                self.add_error(name, _("At most 2,000 characters."))
        return data


class SectionForm(forms.ModelForm):
    industries = forms.ModelMultipleChoiceField(
        queryset=Industry.objects.order_by("code"),
        required=False,
        label=_("Industry divisions"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Section
        fields = ["name_zh", "name_en", "industries", "position"]

"""The forms of the providers' side: registration, the profile, a solution, an application to a
programme's provider list. Each is the one validator of its page and its API (the API turns its JSON
into the form's data with core.api.form_data)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import in_language
from manufacturing.interface import framework_items
from programmes.models import Provider, Segment, Solution
from tenants import legal, selectors
from tenants.credit_code import normalise_credit_code
from tenants.forms import PasswordKeptForm, normalise_phone
from tenants.models import Enterprise, Industry
from tenants.passwords import validate_new_password

PRICE_MAX = Decimal("99999999999999.99")  # what the column holds (16 digits, 2 decimals)
DELIVERY_DAYS_MAX = 3650
STATEMENT_MAX = 4000


def _chinese(value: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in value)


class ProviderProfileForm(forms.ModelForm):
    """What a provider's users may change of its record: the contact and the description."""

    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = [
            "name_en",
            "contact_name",
            "contact_phone",
            "contact_email",
            "website",
            "description_zh",
            "description_en",
        ]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_description_zh(self):
        return self.cleaned_data["description_zh"].strip()


class ProviderRegistrationForm(forms.Form):
    """A service provider and its first user (POST /api/v1/providers/ and /providers/register/)."""

    name_zh = forms.CharField(label=_("Organisation name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Organisation name (English)"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=_("Unified Social Credit Code"),
        max_length=40,
        help_text=_("18 characters, e.g. 91110000600037341L"),
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=None, to_field_name="code")
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    contact_email = forms.EmailField(label=_("Contact email"), max_length=254)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    description_zh = forms.CharField(
        label=_("What you offer (Chinese)"), max_length=5000, required=False, widget=forms.Textarea
    )
    description_en = forms.CharField(
        label=_("What you offer (English)"), max_length=5000, required=False, widget=forms.Textarea
    )
    user_name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Your email (to sign in)"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False, max_length=128)
    accept_terms = legal.consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = selectors.report_city_list()

    def clean_name_zh(self):
        name = self.cleaned_data["name_zh"].strip()
        if not _chinese(name):
            raise forms.ValidationError(_("Enter the registered Chinese name of the organisation."))
        return name

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        validate_new_password(self, data.get("password"), email=data.get("email"), name=data.get("user_name"))
        return data


class ProviderRegistrationPageForm(PasswordKeptForm, ProviderRegistrationForm):
    """The page's form: the password is shown again (masked) after an error in another field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.render_value = True


class EnrolmentForm(forms.Form):
    programme = forms.IntegerField(label=_("Programme"), min_value=1, max_value=10**12 - 1)
    statement = forms.CharField(
        label=_("Why your organisation should be on the provider list"),
        max_length=STATEMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _labelled(items: dict) -> list[tuple[str, str]]:
    rows = [(key, in_language(text.get("zh", key), text.get("en", ""))) for key, text in items.items()]
    return sorted(rows, key=lambda row: row[1])


class SolutionForm(forms.ModelForm):
    """A solution: what it is, its price and delivery time, whom it fits (divisions, segments,
    sizes: none ticked means every one) and what it improves (scenes and questions of its framework,
    at least one)."""

    divisions = forms.ModelMultipleChoiceField(
        Industry.objects.order_by("code"),
        required=False,
        label=_("Industry divisions it fits (none ticked: every division)"),
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.ModelMultipleChoiceField(
        Segment.objects.order_by("division_id", "code"),
        required=False,
        label=_("Key industry segments it fits (none ticked: every segment)"),
        widget=forms.CheckboxSelectMultiple,
    )
    sizes = forms.MultipleChoiceField(
        choices=Enterprise.RevenueBand.choices,
        required=False,
        label=_("Enterprise sizes it fits, by annual revenue (none ticked: every size)"),
        widget=forms.CheckboxSelectMultiple,
    )
    scenes = forms.MultipleChoiceField(
        choices=[], required=False, label=_("Scenes it improves"), widget=forms.CheckboxSelectMultiple
    )
    questions = forms.MultipleChoiceField(
        choices=[],
        required=False,
        label=_("Assessment questions it improves"),
        widget=forms.CheckboxSelectMultiple,
    )
    price_min = forms.DecimalField(
        label=_("Lowest price (CNY)"), min_value=Decimal("0.01"), max_value=PRICE_MAX, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("Highest price (CNY)"), min_value=Decimal("0.01"), max_value=PRICE_MAX, decimal_places=2
    )
    delivery_days = forms.IntegerField(
        label=_("Delivery time (days)"), min_value=1, max_value=DELIVERY_DAYS_MAX
    )

    class Meta:
        model = Solution
        fields = [
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "price_min",
            "price_max",
            "delivery_days",
            "divisions",
            "segments",
            "sizes",
            "scenes",
            "questions",
            "references",
            "is_active",
        ]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "references": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, framework_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework_id = framework_id
        items = framework_items(framework_id=framework_id) or {"scenes": {}, "questions": {}}
        self.fields["scenes"].choices = _labelled(items["scenes"])
        self.fields["questions"].choices = _labelled(items["questions"])
        for name in ("name_zh", "description_zh"):
            self.fields[name].required = True
        self.fields["references"].max_length = 5000
        self.fields["description_zh"].max_length = 5000
        self.fields["description_en"].max_length = 5000

    def clean_name_zh(self):
        name = self.cleaned_data["name_zh"].strip()
        if not name:
            raise forms.ValidationError(_("Give the solution a Chinese name."))
        return name

    def clean_description_zh(self):
        text = self.cleaned_data["description_zh"].strip()
        if not text:
            raise forms.ValidationError(_("Describe the solution in Chinese."))
        return text

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and high < low:
            self.add_error("price_max", _("The highest price may not be below the lowest price."))
        if "scenes" in data and "questions" in data and not data["scenes"] and not data["questions"]:
            self.add_error("scenes", _("Tick at least one scene or question the solution improves."))
        divisions, segments = data.get("divisions"), data.get("segments")
        if divisions and segments:
            chosen = {d.pk for d in divisions}
            outside = [s for s in segments if s.division_id not in chosen]
            if outside:
                self.add_error(
                    "segments",
                    _("These segments lie outside the divisions ticked: %(names)s.")
                    % {"names": ", ".join(str(s) for s in outside)},
                )
        return data

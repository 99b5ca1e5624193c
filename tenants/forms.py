import phonenumbers
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tenants import legal, selectors
from tenants.access import current_enterprise
from tenants.credit_code import normalise_credit_code
from tenants.members.models import Role
from tenants.models import Enterprise, Region, User
from tenants.passwords import validate_new_password
from tenants.roles import is_member


class MemberAuthenticationForm(AuthenticationForm):
    """Sign-in by email. On an enterprise's host only its members may sign in; anyone else gets the
    same message as a wrong password, so the form does not reveal who belongs where."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct email and password. Note that both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        enterprise = current_enterprise(self.request) if self.request else None
        if enterprise is not None and not is_member(user=user, enterprise=enterprise):
            raise self.get_invalid_login_error()


def normalise_phone(value: str) -> str:
    """A mainland China mobile or landline number, stored in E.164 (+86...)."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError(_("Enter a phone number, e.g. 13800138000 or 010-12345678.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("This is not a valid phone number in China."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DistrictSelect(forms.Select):
    """The districts grouped by their city (without JavaScript too), each option carrying its city's
    code in `data-city` for tenants/static/tenants/js/register.js, which shows only the chosen
    city's districts."""

    def __init__(self, *args, city_of: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_of = city_of or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        city = self.city_of.get(str(getattr(value, "value", value)))
        if city:
            option["attrs"]["data-city"] = city
        return option


def district_choices(cities) -> tuple[list, dict]:
    """(grouped choices, district code → city code) for the report cities' districts."""
    cities = list(cities)
    districts = Region.objects.filter(level=Region.Level.DISTRICT, parent__in=cities).order_by("code")
    by_city: dict[str, list] = {}
    for district in districts:
        by_city.setdefault(district.parent_id, []).append((district.code, str(district)))
    choices = [("", "---------")]
    choices += [(str(city), by_city[city.code]) for city in cities if city.code in by_city]
    city_of = {code: city for city, rows in by_city.items() for code, _label in rows}
    return choices, city_of


class RegistrationForm(forms.Form):
    """The one validator of a registration, for the sign-up page and for POST /api/v1/registrations/."""

    name = forms.CharField(label=_("Company name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Company name (English)"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=_("Unified Social Credit Code"),
        max_length=40,
        help_text=_("18 characters, e.g. 91110000600037341L"),
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=Region.objects.none(), to_field_name="code")
    district = forms.ModelChoiceField(
        label=_("District (optional)"), queryset=Region.objects.none(), to_field_name="code", required=False
    )
    industry = forms.ModelChoiceField(label=_("Industry division"), queryset=None, to_field_name="code")
    employees = forms.IntegerField(label=_("Employees"), min_value=1, max_value=1_000_000)
    revenue_band = forms.ChoiceField(label=_("Annual revenue"), choices=Enterprise.RevenueBand.choices)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    owner_name = forms.CharField(label=_("Your name"), max_length=100)
    owner_email = forms.EmailField(label=_("Your email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False, max_length=128)
    accept_terms = legal.consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = selectors.report_city_list()
        self.fields["district"].queryset = Region.objects.filter(level=Region.Level.DISTRICT)
        self.fields["industry"].queryset = selectors.industry_list()
        choices, city_of = district_choices(self.fields["city"].queryset)
        widget = DistrictSelect(city_of=city_of, attrs={"data-city-select": "id_city"})
        widget.choices = choices
        self.fields["district"].widget = widget

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not any("\u4e00" <= ch <= "\u9fff" for ch in name):
            raise forms.ValidationError(_("Enter the registered Chinese name of the company."))
        return name

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_owner_email(self):
        return self.cleaned_data["owner_email"].strip().lower()

    def clean(self):
        data = super().clean()
        city, district = data.get("city"), data.get("district")
        if city and district and district.parent_id != city.code:
            self.add_error(
                "district",
                _("This district is not in %(city)s: choose one of its districts.") % {"city": city},
            )
        validate_new_password(
            self, data.get("password"), email=data.get("owner_email"), name=data.get("owner_name")
        )
        return data


class PasswordKeptForm(forms.Form):
    """A form whose password is shown again (masked) when the form comes back with an error in
    another field, so the person need not type it again; never when the password itself is wrong.
    The page that renders it is never cached (never_cache)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if "password" in self._errors:  # also when a view adds it after validation
            self.fields["password"].widget.render_value = False


class RegistrationPageForm(PasswordKeptForm, RegistrationForm):
    """The sign-up page's form: the registration, and the owner's consent to the user agreement
    and the privacy policy in force (recorded with their versions by tenants.legal.consent_record)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.render_value = True  # the same widget: keeps its maxlength

    def registration_data(self) -> dict:
        """cleaned_data, for registration.enterprise_register (which records the consent)."""
        return dict(self.cleaned_data)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(PasswordKeptForm):
    """For a new account: name and password. For an existing one: its password."""

    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=True), strip=False, max_length=128
    )
    accept_terms = legal.consent_field()  # a new account only

    def __init__(self, *args, new_account: bool, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_account = new_account
        self.email = email
        if new_account:
            self.fields["name"].required = True
        else:
            del self.fields["accept_terms"]

    def clean(self):
        data = super().clean()
        if self.new_account:
            validate_new_password(self, data.get("password"), email=self.email, name=data.get("name"))
        return data


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, except that an account without a usable password (a platform user created by
    `platform_user` without --password) may also set one: that is how such a user first signs in."""

    def get_users(self, email):
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold())


class PasswordConfirmForm(forms.Form):
    """A step that cannot be taken back easily (closing a workspace, deleting an account) asks for
    the password again."""

    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput, strip=False, max_length=128
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class CloseEnterpriseForm(PasswordConfirmForm):
    reason = forms.CharField(
        label=_("Why are you closing it? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )

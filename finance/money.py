"""Money as people type and read it: in 万元 (CNY 10,000), the unit of the assessment and of regional
statistics. The database keeps yuan (Decimal, two places) and the API keeps yuan too (backwards
compatible); pages convert at their edge: the page forms take 万元 and clean to yuan, the templates
show yuan as 万元 (`wan` in finance_tags).

Six decimals of 万元 are one fen: the finest amount the API (yuan, two decimals) can hold, so a page
form shows and saves back every amount exactly."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WAN = Decimal(10_000)
PLACES = 6  # decimals of 万元 a person may type: down to one fen, as the API keeps
# A comma only between groups of three digits: "1,200.5" is 1200.5; "12,5" is refused, not read as 125.
GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def to_wan(yuan) -> Decimal | None:
    """Yuan (Decimal, int, str) as 万元, exactly (no rounding: a fen is 0.000001 万元)."""
    if yuan is None or yuan == "":
        return None
    try:
        return (Decimal(str(yuan)) / WAN).normalize()
    except (InvalidOperation, ValueError):
        return None


def to_yuan(wan: Decimal) -> Decimal:
    return (wan * WAN).quantize(Decimal("0.01"))


def format_wan(yuan, places: int | None = None) -> str:
    """1800000 -> "180"; 125000 -> "12.5"; 123456789 -> "12,345.6789" (thousands separated in
    every language, no trailing zeros unless `places` fixes the decimals)."""
    wan = to_wan(yuan)
    if wan is None:
        return "" if yuan is None else str(yuan)
    if places is not None:
        return f"{wan:,.{int(places)}f}"
    text = f"{wan:,.{PLACES}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def plain_wan(yuan) -> str:
    """The 万元 value to put back into an input (no separators): 125000 -> "12.5"."""
    wan = to_wan(yuan)
    if wan is None:
        return ""
    return f"{wan:.{PLACES}f}".rstrip("0").rstrip(".")


class WanYuanField(forms.DecimalField):
    """An amount typed in 万元 (up to six decimals: one fen), cleaned to yuan for the model and the services.
    Bounds are given in yuan (the model's unit) and shown to people in 万元."""

    def __init__(self, *, label, negative=False, min_yuan=None, max_yuan, help_text=None, **kwargs):
        max_value = to_wan(max_yuan)
        # a loss: as far below zero as the cap is above it
        floor = to_wan(min_yuan) if min_yuan is not None else Decimal(0)
        min_value = -max_value if negative else floor
        messages = {
            "invalid": _("Enter the amount in CNY 10,000 as a number, e.g. 12.5."),
            "max_decimal_places": _("At most six decimals in CNY 10,000 (the sixth decimal is one fen)."),
            "max_digits": _("This amount has too many digits; check it."),
            "max_whole_digits": _("This amount has too many digits; check it."),
            "min_value": _under(max_yuan)
            if negative
            else _("The amount must be more than zero.")
            if min_yuan
            else _("This amount cannot be negative."),
            "max_value": _over(max_yuan),
        }
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(
            label=label,
            max_digits=None,
            decimal_places=PLACES,
            min_value=min_value,
            max_value=max_value,
            help_text=help_text,
            error_messages=messages,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):  # "1,200" and "1 200" and full-width digits are how people type
            value = value.strip().replace(" ", "").replace("\u3000", "")
            value = value.translate(str.maketrans("０１２３４５６７８９．－，", "0123456789.-,"))
            if "," in value:
                if not GROUPED.match(value):
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
                value = value.replace(",", "")
        value = super().to_python(value)
        if value is not None and value.is_finite() and value.as_tuple().exponent < 0:
            # "12.50000" is 12.5: trailing zeros are not decimals the person meant
            value = value.to_integral_value() if value == value.to_integral_value() else value.normalize()
        return value

    def clean(self, value):
        wan = super().clean(value)
        return None if wan is None else to_yuan(wan)


def _over_text(max_yuan) -> str:
    return gettext("This amount is more than %(cap)s (CNY 10,000); check the number of digits.") % {
        "cap": format_wan(max_yuan)
    }


_over = lazy(_over_text, str)


def _under_text(max_yuan) -> str:
    return gettext("This loss is more than %(cap)s (CNY 10,000) below zero; check the number of digits.") % {
        "cap": format_wan(max_yuan)
    }


_under = lazy(_under_text, str)


class WanYuanFormMixin:
    """For a ModelForm whose money fields are WanYuanFields: shows the instance's yuan as 万元."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, WanYuanField) and self.initial.get(name) not in (None, ""):
                self.initial[name] = plain_wan(self.initial[name])

"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015) as the platform accepts it: one named
rule, used by the registration and the provider sign-up forms. python-stdnum does the checking (length,
alphabet, check character); this module turns its exceptions into the platform's bilingual messages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength


def normalise_credit_code(value: str) -> str:
    """Trims, drops inner spaces and hyphens, upper-cases, then validates with python-stdnum."""
    code = uscc.compact(value or "")
    try:
        return uscc.validate(code)
    except InvalidLength as exc:
        raise forms.ValidationError(
            _("A Unified Social Credit Code has 18 characters; this one has %(n)s."), params={"n": len(code)}
        ) from exc
    except InvalidFormat as exc:
        raise forms.ValidationError(
            _(
                "The code may contain only digits and capital letters (not I, O, Z, S or V), "
                "and its first 8 characters must be digits."
            )
        ) from exc
    except InvalidChecksum as exc:
        raise forms.ValidationError(
            _("The check character (the last one) does not match: please check the code for typing errors.")
        ) from exc

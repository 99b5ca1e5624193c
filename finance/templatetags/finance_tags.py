"""Money and codes of the financial cloud as people read them."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext_lazy as _

from finance.models import FinancingRequest

register = template.Library()

SHARED = {
    "enterprise": _("company identity"),
    "request": _("this financing request"),
    "statements": _("financial statements (last three years)"),
    "verified_level": _("verified digital-transformation level"),
}


@register.filter
def yuan(value, places: int = 2) -> str:
    """1800000 -> "1,800,000.00" in every language (the zh-hans locale has no thousands separator)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return f"{number:,.{int(places)}f}"


@register.filter
def purpose(code) -> str:
    return str(FinancingRequest.Purpose(code).label) if code in FinancingRequest.Purpose.values else str(code)


@register.filter
def collateral(code) -> str:
    return (
        str(FinancingRequest.Collateral(code).label)
        if code in FinancingRequest.Collateral.values
        else str(code)
    )


@register.filter
def shared(keys) -> str:
    from core.tables import list_separator

    return list_separator().join(str(SHARED.get(k, k)) for k in keys or ())

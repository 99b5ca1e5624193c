"""Money and codes of the financial cloud as people read them: amounts in 万元, codes as names."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext_lazy as _

from finance.models import FinancingRequest

register = template.Library()

SHARED = {
    "enterprise": _("company identity"),
    "request": _("this financing need"),
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
def wan(value, places=None) -> str:
    """Yuan as 万元, the unit people read: 1800000 -> "180", 125000 -> "12.5" (finance.money)."""
    from finance.money import format_wan

    return format_wan(value, places)


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


REQUEST_BADGES = {"draft": "muted", "submitted": "info", "withdrawn": "muted"}
APPLICATION_BADGES = {
    "submitted": "info",
    "info_requested": "warn",
    "approved": "ok",
    "declined": "danger",
    "withdrawn": "muted",
}


@register.filter
def request_badge(status) -> str:
    """The badge class of a financing request's status."""
    return REQUEST_BADGES.get(status, "muted")


@register.filter
def application_badge(status) -> str:
    """The badge class of a loan application's status."""
    return APPLICATION_BADGES.get(status, "muted")

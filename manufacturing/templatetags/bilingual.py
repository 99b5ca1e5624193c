from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def tr(value) -> str:
    """A {zh, en} text of a framework definition in the active language."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    language = "zh" if (get_language() or "zh").startswith("zh") else "en"
    return value.get(language) or value.get("en") or value.get("zh") or ""


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def percent(value, maximum) -> float:
    try:
        return round(100 * float(value) / float(maximum), 1) if float(maximum) else 0.0
    except (TypeError, ValueError):
        return 0.0

from django import template
from django.utils.translation import get_language

from manufacturing.presenters import rating_meaning as _rating_meaning

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


@register.simple_tag
def answer_text(kind: str, item: dict, value) -> str:
    """An answer as a reader sees it: option texts, figures with units, a level or a rating."""
    if not isinstance(value, dict):
        return "—"
    if kind == "scene":
        level = value.get("level")
        return f"L{level}" if level else tr({"zh": "未达到一级", "en": "Not yet at level 1"})
    if kind == "requirement":
        rating = value.get("rating")
        if rating is None:
            return "—"
        meaning = tr(_rating_meaning(rating))
        return f"{rating:g} · {meaning}" if meaning else f"{rating:g}"
    options = {o["key"]: o for o in item.get("options", [])}
    if "option" in value:
        return tr(options.get(value["option"], {}).get("text")) or "—"
    if "options" in value:
        return "; ".join(tr(options.get(k, {}).get("text")) for k in value["options"]) or "—"
    if "inputs" in value:
        parts = []
        for spec in item.get("inputs", []):
            figure = value["inputs"].get(spec["key"])
            parts.append(f"{tr(spec['label'])}: {figure:g} {tr(spec.get('unit'))}".strip())
        return "; ".join(parts)
    return "—"


@register.filter
def as_json(value) -> str:
    """An audit value as compact JSON (Chinese kept readable), not Python's repr."""
    import json

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@register.filter
def sees_framework_notes(user) -> bool:
    """manufacturing.policy.framework_notes_visible_to, for templates."""
    from manufacturing.policy import framework_notes_visible_to

    return framework_notes_visible_to(user)


@register.filter
def rating_meaning(value) -> str:
    """What a rating of a CMMM requirement means (0.8: mostly met), in the active language."""
    return tr(_rating_meaning(value))

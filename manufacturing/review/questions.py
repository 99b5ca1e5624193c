"""The questions of a framework as people name them: a number and a title in the active language,
grouped by dimension (or capability element) as the wizard's pages are. The workbench numbers its
items with them, the comment form offers them as a list, and audit rows name a question by them
instead of its internal key."""

from django.utils.text import Truncator

from core.i18n import in_language
from manufacturing.steps import steps


def _text(value) -> str:
    if isinstance(value, dict):
        return in_language(value.get("zh") or "", value.get("en") or "")
    return "" if value is None else str(value)


def numbered(definition: dict) -> dict[str, dict]:
    """{key: {"number": "2.3", "kind", "item", "page": page name}} in the wizard's order."""
    found = {}
    for p, page in enumerate(steps(definition), start=1):
        n = 0
        for group in page["groups"]:
            for kind, item in group["items"]:
                n += 1
                found[item["key"]] = {"number": f"{p}.{n}", "kind": kind, "item": item, "page": page["name"]}
    return found


def title(kind: str, item: dict) -> str:
    """A question's title in the active language (a requirement's with its level)."""
    if kind == "scene":
        return _text(item.get("name"))
    if kind == "requirement":
        return f"L{item.get('level')} · {_text(item.get('text'))}"
    return _text(item.get("text"))


def label(definition: dict, key: str) -> str:
    """ "2.3 Which networks…" for a key of `definition`; the key itself if it has none."""
    entry = numbered(definition).get(key)
    if entry is None:
        return key
    return f"{entry['number']} {title(entry['kind'], entry['item'])}"


def choices(definition: dict, *, width: int = 70) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: [(dimension name, [(key, "2.3 title…"), …]), …]."""
    groups: dict[str, list] = {}
    for key, entry in numbered(definition).items():
        text = f"{entry['number']} {title(entry['kind'], entry['item'])}"
        groups.setdefault(_text(entry["page"]), []).append((key, Truncator(text).chars(width)))
    return list(groups.items())

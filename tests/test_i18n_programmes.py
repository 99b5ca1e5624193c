"""Every string the programmes and the regional reports mark for translation has a Chinese one.

The zh_Hans catalogue once lacked ~100 of them (project states, event actions, the models' verbose
names that forms use as labels): Chinese pages showed English. These tests read the strings from the
code itself (Python by its syntax tree, templates through Django's own `templatize`, the models
through their fields), so a new string without a translation fails here, not in a product review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation.template import templatize

from programmes.models import Enrolment, Event, Milestone, Programme, Project

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "programmes", ROOT / "reports", ROOT / "core" / "assessor_fences.py"]

# Strings whose Chinese is, rightly, the same text as the English, with the reason.
SAME_IN_CHINESE = {
    "API": "an acronym Chinese pages use as is",
    "PDF": "a file format's name",
}

# gettext functions by name; the value says which positional arguments are (context, singular, plural).
FUNCTIONS = {
    "gettext": "s",
    "gettext_lazy": "s",
    "gettext_noop": "s",
    "pgettext": "cs",
    "pgettext_lazy": "cs",
    "ngettext": "sp",
    "ngettext_lazy": "sp",
    "npgettext": "csp",
    "npgettext_lazy": "csp",
}


def _python_messages(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = {}  # local name -> gettext function
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in FUNCTIONS:
                    names[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names):
            continue
        shape = FUNCTIONS[names[node.func.id]]
        args = node.args[: len(shape)]
        if len(args) < len(shape) or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
        ):
            continue
        parts = dict(zip(shape, (a.value for a in args), strict=True))
        yield f"{path.relative_to(ROOT)}:{node.lineno}", parts.get("c"), parts["s"], parts.get("p")


_LITERAL = r"u?'(?:[^'\\]|\\.)*'"
_CALL = re.compile(rf"\b(npgettext|ngettext|pgettext|gettext)\(\s*((?:{_LITERAL}\s*,\s*)*{_LITERAL})")


def _template_messages(path: Path):
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _CALL.finditer(code):
        shape = FUNCTIONS[match.group(1)]
        values = ast.literal_eval(f"({match.group(2)},)")
        parts = dict(zip(shape, values, strict=False))
        yield str(path.relative_to(ROOT)), parts.get("c"), parts["s"], parts.get("p")


def marked_messages():
    found = {}
    for source in SOURCES:
        files = [source] if source.is_file() else sorted(source.rglob("*"))
        for path in files:
            if "migrations" in path.parts:
                continue
            if path.suffix == ".py":
                messages = _python_messages(path)
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                messages = _template_messages(path)
            else:
                continue
            for where, context, singular, plural in messages:
                found.setdefault((context, singular, plural), where)
    return found


def chinese(context, singular, plural):
    with translation.override("zh-hans"):
        if plural is not None:
            if context is not None:
                return translation.npgettext(context, singular, plural, 1)
            return translation.ngettext(singular, plural, 1)
        if context is not None:
            return translation.pgettext(context, singular)
        return translation.gettext(singular)


def test_the_scan_finds_the_strings():
    """Guards the scanner itself: it sees Python, contexts, plurals and template strings."""
    found = marked_messages()
    assert (None, "Enterprise applied", None) in found  # models.py, a choice label
    assert ("programme state", "Open", None) in found  # pgettext_lazy
    assert ("programme window", "Applications", None) in found  # {% translate ... context ... %}
    assert any(plural for _, _, plural in found)  # {% blocktranslate count %} or ngettext
    assert len(found) > 300


def test_every_marked_string_has_a_chinese_translation():
    untranslated = [
        f"{where}: {context + ' | ' if context else ''}{singular!r}"
        for (context, singular, plural), where in sorted(marked_messages().items(), key=lambda item: item[1])
        if singular not in SAME_IN_CHINESE and chinese(context, singular, plural) == singular
    ]
    assert untranslated == []


def _model_labels():
    for model in apps.get_app_config("programmes").get_models():
        for attr in ("verbose_name", "verbose_name_plural"):
            if attr in model._meta.original_attrs:  # Django's default is the class name, not marked
                yield f"{model.__name__} ({attr})", model._meta.original_attrs[attr]
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # a reverse relation: no label of its own
            if field.name == "id":
                continue
            yield f"{model.__name__}.{field.name}", field.verbose_name
            for value, label in field.flatchoices or ():
                yield f"{model.__name__}.{field.name}={value}", label


def _both(text):
    with translation.override("en"):
        english = str(text)
    with translation.override("zh-hans"):
        return english, str(text)


def test_every_programme_model_label_is_translated():
    """The verbose names and choice labels marked for translation: forms and the admin show them.

    A field without a verbose name (its label is made from its name) is not marked, so not checked.
    """
    labels = [(where, text) for where, text in _model_labels() if isinstance(text, Promise)]
    assert any(where == "Project.contract_amount" for where, _ in labels)
    assert any(where.startswith("Event.action=") for where, _ in labels)
    untranslated = []
    for where, text in labels:
        english, zh = _both(text)
        if zh == english and english not in SAME_IN_CHINESE:
            untranslated.append(f"{where}: {english!r}")
    assert untranslated == []


@pytest.mark.parametrize(
    "choices", [Event.Action, Project.State, Milestone.State, Enrolment.Status, Programme.State]
)
def test_every_state_and_action_label_is_translated(choices):
    untranslated = []
    for value, label in choices.choices:
        english, zh = _both(label)
        if zh == english and english not in SAME_IN_CHINESE:
            untranslated.append(f"{choices.__qualname__}.{value}: {english!r}")
    assert untranslated == []


def test_the_programme_pages_words_are_not_the_loan_and_review_ones():
    """'Applications', 'Decision' and 'Size' are contexted on programme pages (see the templates)."""
    assert chinese("programme window", "Applications", None) != chinese(None, "Applications", None)
    assert chinese("programme", "Decision", None) != chinese(None, "Decision", None)
    assert chinese("enterprise", "Size", None) == "企业规模"
    assert _both(Project._meta.get_field("size").verbose_name)[1] == "企业规模"

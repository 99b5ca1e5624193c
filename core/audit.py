"""The platform's audit log: one `audit()` for every change worth recording, written in the same
transaction as the change (tenant and public rows share one connection).

Regional admins read the public rows, so those hold no private values: for the actions in
AuditEvent.PRIVATE the values go into the enterprise's own schema, kept by the app that owns them
(manufacturing.AuditDetail, registered here by its AppConfig through `keep_private_values_with`)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.models import AuditEvent


class PrivateValues(Protocol):
    def write(self, *, tenant, event_id: int, old, new, reason: str) -> None: ...

    def read(self, *, tenant, event_ids: list[int]) -> dict[int, tuple]: ...


_private: list[PrivateValues] = []


def keep_private_values_with(store: PrivateValues) -> None:
    """Called once, by the app whose tenant-schema table keeps the private values."""
    _private[:] = [store]


def _store() -> PrivateValues:
    if not _private:
        raise RuntimeError("no store for the audit log's private values is registered")
    return _private[0]


def audit(
    *, actor, action: str, tenant=None, assessment_id=None, subject="", old=None, new=None, reason=""
) -> AuditEvent:
    """The public audit row; for a private action (AuditEvent.PRIVATE) `old`, `new` and `reason` go
    into the enterprise's schema instead, in the same transaction."""
    private = action in AuditEvent.PRIVATE
    if private and tenant is None:
        raise ValueError(f"a {action} audit row needs its enterprise: its values are kept there")
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        tenant=tenant,
        assessment_id=assessment_id,
        action=action,
        subject=subject,
        old=None if private else old,
        new=None if private else new,
        reason="" if private else reason,
    )
    if private:
        _store().write(tenant=tenant, event_id=event.pk, old=old, new=new, reason=reason)
    return event


def audit_with_details(events, *, tenant) -> list[AuditEvent]:
    """`events` (of one enterprise) with their private values read from its schema into `old`,
    `new` and `reason`: for the enterprise's own members and the assessor assigned to the
    assessment, never for regional admins. One query in the enterprise's schema."""
    events = list(events)
    ids = [event.pk for event in events if event.action in AuditEvent.PRIVATE]
    if ids:
        details = _store().read(tenant=tenant, event_ids=ids)
        for event in events:
            if event.pk in details:
                event.old, event.new, event.reason = details[event.pk]
            event.details_read = True
    return events


# --- how a row reads ------------------------------------------------------------------------------------
#
# People read audit rows as sentences in their language, never as stored values (JSON, state codes,
# keys). The kernel knows no app's vocabulary, so each app registers, at start-up, one presenter per
# action it writes (`present_with`), the labels of its fields and codes for the fallback
# (`label_fields`, `label_values`), and, if its presenters need more than the row (question titles,
# people's names), a preparer that looks it up once for a page of rows (`prepare_with`).


@dataclass(frozen=True)
class Line:
    """One audit row as a person reads it: what was changed (a question's title, an exhibition; ""
    when the sentence names it) and the change, as a sentence in the active language."""

    item: str = ""
    change: str = ""


Presenter = Callable[[AuditEvent, dict], Line]
_presenters: dict[str, Presenter] = {}
_preparers: list[Callable[[list[AuditEvent]], dict]] = []
_field_labels: dict[str, object] = {}
_value_labels: dict[str, object] = {}


def present_with(action: str, presenter: Presenter) -> None:
    """`presenter(event, context) -> Line` renders every row of `action`; `context` is what the
    preparers found for the page of rows being shown."""
    _presenters[action] = presenter


def prepare_with(preparer: Callable[[list[AuditEvent]], dict]) -> None:
    """`preparer(events) -> dict`, merged into the presenters' context: called once per page."""
    if preparer not in _preparers:
        _preparers.append(preparer)


def label_fields(labels: dict) -> None:
    """Names of stored fields (`total` → "Total score") for the fallback sentence."""
    _field_labels.update(labels)


def label_values(labels: dict) -> None:
    """Names of stored codes (`draft` → "Draft") for the fallback sentence."""
    _value_labels.update(labels)


def sep(kind: str) -> str:
    """The punctuation of the active language: "list" between parts, "colon" after a label."""
    zh = (translation.get_language() or "zh-hans").startswith("zh")
    return {"list": "，" if zh else ", ", "colon": "：" if zh else ": ", "enum": "、" if zh else ", "}[kind]


def value_text(value) -> str:
    """A stored value as a person reads it: a code's label, a figure to one decimal, a list joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return sep("enum").join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return (
            sep("list").join(f"{field_label(k)}{sep('colon')}{value_text(v)}" for k, v in value.items())
            or "—"
        )
    text = str(value)
    return str(_value_labels.get(text, text))


def field_label(key: str) -> str:
    return str(_field_labels.get(key, key.replace("_", " ")))


def change_text(old, new) -> str:
    """The fallback: "label: old → new" for each field that changed (or was set), never JSON."""
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        parts = []
        for key in [*new, *(k for k in old if k not in new)]:
            before, after = old.get(key), new.get(key)
            if key in old and before != after:
                parts.append(f"{field_label(key)}{sep('colon')}{value_text(before)} → {value_text(after)}")
            else:
                parts.append(f"{field_label(key)}{sep('colon')}{value_text(after)}")
        return capfirst(sep("list").join(parts))
    if old is None and new is None:
        return ""
    if old is None:
        return value_text(new)
    return f"{value_text(old)} → {value_text(new)}"


def _fallback(event: AuditEvent, context: dict) -> Line:
    return Line(item=event.subject, change=change_text(event.old, event.new))


def presented(events) -> list[AuditEvent]:
    """`events` with `line` (a Line) and `who` (the actor's name) set, for pages and exports."""
    events = list(events)
    context: dict = {}
    for prepare in _preparers:
        context.update(prepare(events))
    for event in events:
        event.line = _presenters.get(event.action, _fallback)(event, context)
        event.who = actor_name(event.actor)
    return events


def actor_name(user) -> str:
    """A person as others name them: their name (their email only when they gave no name)."""
    if user is None:
        return str(_("the platform"))
    return user.name or user.email

"""How an exhibition's audit rows read (core.audit's presenters): "Status: Draft → Registration open"."""

from django.utils.translation import gettext as _

from core.audit import Line, present_with, sep, value_text
from core.models import AuditEvent
from exhibition.hall.models import Exhibition


def _status(code) -> str:
    try:
        return str(Exhibition.Status(code).label)
    except ValueError:
        return value_text(code)


def exhibition_status(event, context) -> Line:
    # The subject is "#<id> <Chinese name>", kept as written so that a rename does not rewrite it.
    item = event.subject
    if item.startswith("#") and " " in item:
        item = item.split(" ", 1)[1]
    return Line(item=item, change=f"{_('Status')}{sep('colon')}{_status(event.old)} → {_status(event.new)}")


def register() -> None:
    present_with(AuditEvent.Action.EXHIBITION, exhibition_status)

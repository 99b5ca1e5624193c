"""How the lifecycle's and account deletion's audit rows read (core.audit's presenters):
"Suspended (reason: …)", "Closing: erased after 2027-01-02", "Account deleted"."""

from django.utils.translation import gettext as _

from core.audit import Line, present_with, sep
from tenants.lifecycle import Action
from tenants.models import Enterprise


def _state(value) -> str:
    code = (value or {}).get("state") if isinstance(value, dict) else value
    try:
        return str(Enterprise.Lifecycle(code).label)
    except ValueError:
        return str(code or "—")


def lifecycle_change(event, context) -> Line:
    change = f"{_('Workspace')}{sep('colon')}{_state(event.old)} → {_state(event.new)}"
    erase_after = (event.new or {}).get("erase_after") if isinstance(event.new, dict) else None
    if erase_after:
        change += f"{sep('list')}{_('erased after')} {erase_after}"
    if event.reason:
        change += f"{sep('list')}{_('reason')}{sep('colon')}{event.reason}"
    return Line(item="", change=change)


def account_deleted(event, context) -> Line:
    return Line(item=event.subject, change=_("Account deleted; personal data erased"))


def register() -> None:
    from tenants.accounts import ACCOUNT_DELETED

    for action in (Action.SUSPENDED, Action.RESUMED, Action.CLOSING, Action.REOPENED, Action.ERASED):
        present_with(action, lifecycle_change)
    present_with(ACCOUNT_DELETED, account_deleted)

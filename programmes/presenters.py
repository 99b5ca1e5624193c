"""How the programmes' pages show what they store: money in yuan (one format on every page) and the
audit trail's state changes as the states' labels, never their codes."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programmes.models import Enrolment, Event, Milestone, Programme, Project

A = Event.Action
MILESTONE_ACTIONS = {A.MILESTONE_PLANNED, A.MILESTONE_REPORTED, A.MILESTONE_CONFIRMED, A.MILESTONE_DELETED}
ENROLMENT_ACTIONS = {A.ENROLMENT_APPLIED, A.ENROLMENT_ACCEPTED, A.ENROLMENT_REJECTED, A.ENROLMENT_WITHDRAWN}


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def amount_text(value) -> str:
    """1500000 -> "1,500,000"; 84000.5 -> "84,000.50": separators, cents only when there are some."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def cny(value) -> str:
    """An amount in yuan as people read it: "150,000 元" in Chinese, "CNY 150,000" in English."""
    text = amount_text(value)
    if not text:
        return ""
    return f"{text} 元" if _chinese() else f"CNY {text}"


def cny_range(low, high) -> str:
    """A price range: "50,000–200,000 元" / "CNY 50,000–200,000"."""
    if low is None or high is None:
        return cny(low if high is None else high)
    text = f"{amount_text(low)}–{amount_text(high)}"
    return f"{text} 元" if _chinese() else f"CNY {text}"


def _choices_for(event: Event):
    if event.action == A.PROGRAMME_STATE:
        return Programme.State
    if event.action in ENROLMENT_ACTIONS:
        return Enrolment.Status
    if event.action in MILESTONE_ACTIONS:
        return Milestone.State
    if event.project_id is not None:
        return Project.State
    if event.provider_id is not None:
        return Enrolment.Status
    return Programme.State


def state_label(event: Event, code: str) -> str:
    if not code:
        return ""
    choices = _choices_for(event)
    return str(choices(code).label) if code in choices.values else code


def event_change(event: Event) -> str:
    """ "草稿 → 开放中" for an event that moved a state; "" when it did not."""
    if not (event.old or event.new):
        return ""
    return f"{state_label(event, event.old) or '—'} → {state_label(event, event.new) or '—'}"


def outside_price_range(project: Project) -> bool:
    """True when the contract amount lies outside its solution's published price range (accepted, but
    the admin should look twice)."""
    solution = project.solution
    amount = project.contract_amount
    if solution is None or amount is None:
        return False
    return not (solution.price_min <= amount <= solution.price_max)


def reason_is_current(project: Project) -> bool:
    """The administrator's reason stays on the project row after a later step: it is the current one only
    while the project is returned or refused (the history keeps it with its date)."""
    return bool(project.reason) and project.state in (Project.State.RETURNED, Project.State.REFUSED)


def transition_label(old: str, new: str) -> str:
    """A programme's state button names the action, not the state it leads to."""
    if new == Programme.State.OPEN:
        return str(_("Reopen applications") if old == Programme.State.CLOSED else _("Open for applications"))
    if new == Programme.State.CLOSED:
        return str(_("Close applications"))
    if new == Programme.State.FINISHED:
        return str(_("Finish the programme"))
    return str(Programme.State(new).label)

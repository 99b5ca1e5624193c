"""A programme's budget: reserved at a project's approval, moved to granted at the grant, released on
a refusal or a withdrawal.

Every function locks the programme row (select_for_update) and reads its amounts from the locked row,
so two decisions at once queue on the lock and the second sees what the first left. The database's
check constraint `programme_within_budget` (budget >= reserved + granted, neither negative) is the
last word: were the code above it ever wrong, the write fails and the decision with it (409).

The callers are inside `transaction.atomic`, hold the project's row lock (taken before the
programme's: always that order), and save the project."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.api import ConflictError
from programmes import rules
from programmes.models import Programme, Project

OVER_BUDGET = _(
    "Not enough budget left: this project's subsidy would be CNY %(subsidy)s, and only CNY "
    "%(remaining)s of the programme's budget remains."
)


def money(value) -> str:
    """CNY with thousands separators and two decimals (the same in both languages); "" for None."""
    return "" if value is None else f"{Decimal(value):,.2f}"


def _locked(project: Project) -> Programme:
    return Programme.objects.select_for_update().get(pk=project.programme_id)


def _save(programme: Programme, amount) -> None:
    try:
        with transaction.atomic():
            programme.save(update_fields=["reserved", "granted", "updated_at"])
    except IntegrityError as exc:  # the check constraint: never spend beyond the budget
        raise ConflictError(
            OVER_BUDGET,
            params={
                "subsidy": money(amount),
                "remaining": money(Programme.objects.get(pk=programme.pk).remaining),
            },
        ) from exc


def subsidy_of(project: Project, programme: Programme) -> Decimal:
    """The programme's rule applied to the project's contract: min(share x amount, cap)."""
    return rules.subsidy_for(
        percent=programme.subsidy_percent, cap=programme.subsidy_cap, amount=project.contract_amount
    )


def reserve(*, project: Project) -> Decimal:
    """Reserves the project's subsidy from the programme's remaining budget and returns it; 409 naming
    what remains when it does not fit (nothing changed)."""
    if project.contract_amount is None:
        raise ConflictError(_("The project has no contract amount: nothing can be reserved for it."))
    if project.subsidy_reserved:
        raise ConflictError(_("A subsidy is already reserved for this project."))
    programme = _locked(project)
    amount = subsidy_of(project, programme)
    if amount > programme.remaining:
        raise ConflictError(
            OVER_BUDGET,
            params={"subsidy": money(amount), "remaining": money(programme.remaining)},
            extra={"remaining": str(programme.remaining), "subsidy": str(amount)},
        )
    programme.reserved += amount
    _save(programme, amount)
    project.subsidy_reserved = amount
    project.programme = programme
    return amount


def release(*, project: Project) -> None:
    """Gives the project's reserved subsidy back to the programme's remaining budget."""
    programme = _locked(project)
    programme.reserved -= project.subsidy_reserved
    _save(programme, project.subsidy_reserved)
    project.subsidy_reserved = Decimal("0")
    project.programme = programme


def grant(*, project: Project) -> Decimal:
    """Moves the project's reserved subsidy from reserved to granted; returns the amount granted."""
    programme = _locked(project)
    amount = project.subsidy_reserved
    programme.reserved -= amount
    programme.granted += amount
    _save(programme, amount)
    project.subsidy_granted = amount
    project.subsidy_reserved = Decimal("0")
    project.programme = programme
    return amount

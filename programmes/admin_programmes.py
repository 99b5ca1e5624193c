"""Regional admins run programmes: create and edit them (within their scope) and move their state.

Every change is audited (programmes.events.record, same transaction): PROGRAMME_CREATED,
PROGRAMME_CHANGED with {field: [old, new]}, PROGRAMME_STATE.

**What enrolled enterprises rely on.** Once a programme has a project (any not withdrawn), its
framework, target (level and gain) and subsidy rule (share and cap) are frozen: changing them would
change, after the fact, what was promised and reserved (409). Who may apply and the contract terms
may only be *widened*: cities, divisions, segments and sizes may gain entries (an empty list means
"every"), the largest contract may rise or be lifted, the before-level may date from earlier, the
applications may open earlier and the projects complete later (409 for a narrowing). Names,
descriptions, the other windows and the budget stay editable (the budget never below what is
reserved and granted). A finished programme is not edited at all.

**States.** draft -> open; open <-> closed; open or closed -> finished, once no project is still
active (applied, submitted, returned, approved, completed, verified: each must be decided or
withdrawn first, so that the budget is settled). Finished is final. Opening needs the application
window not to have ended."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from core.roles import region_in_scope, require_regional_admin
from manufacturing import interface
from programmes import events, policy
from programmes.forms_admin import FIELDS, MULTIPLE, ProgrammeForm
from programmes.models import Event, Programme, Project

TRANSITIONS = {
    Programme.State.DRAFT: (Programme.State.OPEN,),
    Programme.State.OPEN: (Programme.State.CLOSED, Programme.State.FINISHED),
    Programme.State.CLOSED: (Programme.State.OPEN, Programme.State.FINISHED),
    Programme.State.FINISHED: (),
}
FROZEN = ("framework", "target_level", "target_gain", "subsidy_percent", "subsidy_cap")
WIDEN_ONLY = (
    "cities",
    "divisions",
    "segments",
    "sizes",
    "contract_max",
    "verified_since",
    "apply_from",
    "complete_by",
)
GAIN_MAX = 5


def _error(message, field, **params):
    return ApplicationError(message, params=params or None, extra={"field": field})


def _form_error(form) -> ApplicationError:
    """The form's first error as the service's 400 (in both languages), all of them beside it."""
    field, errors = next(iter(form.errors.as_data().items()))
    error = errors[0]
    message = error.message
    params = error.params
    if params:
        params = {k: (str(v) if not isinstance(v, int | float | Decimal) else v) for k, v in params.items()}
    return ApplicationError(
        message,
        params=params,
        extra={
            "field": field if field != "__all__" else "non_field_errors",
            "errors": {k: [str(m) for m in v] for k, v in form.errors.items()},
        },
    )


class _Problems:
    """The rules' refusals of one submission, all of them (the page and the API show every one)."""

    def __init__(self):
        self.items = []

    def add(self, message, field, **params):
        self.items.append(_error(message, field, **params))

    def raise_any(self, form):
        if form.errors:  # the form's own (typing) errors first, then the rules' on the typed values
            first = _form_error(form)
            errors = first.extra["errors"]
        elif self.items:
            first = self.items[0]
            errors = {}
        else:
            return
        for item in self.items:
            texts = errors.setdefault(item.extra["field"], [])
            if item.message not in texts:
                texts.append(item.message)
        first.extra["errors"] = errors
        raise first


def _cleaned(admin, data) -> dict:
    """The values of `data` (a dict or a QueryDict), typed by the form and checked by the rules. Every
    broken rule is reported at once: the 400 names the first, its `errors` lists them all by field."""
    form = ProgrammeForm(data)
    form.is_valid()
    v = form.cleaned_data  # the fields that typed well: each rule below checks those it needs

    def has(*names) -> bool:
        return all(name in v for name in names)

    problems = _Problems()
    for name, message in (
        ("name_zh", _("Give the programme a Chinese name.")),
        ("name_en", _("Give the programme an English name.")),
    ):
        if has(name):
            v[name] = v[name].strip()
            if not v[name]:
                problems.add(message, name)
    outside = [c for c in v.get("cities", ()) if not region_in_scope(admin, c)]
    if outside:
        problems.add(
            _("These cities are outside your scope: %(cities)s."),
            "cities",
            cities=lazy(lambda: ", ".join(f"{c.code} {c.name}" for c in outside), str)(),
        )
    if has("divisions", "segments") and v["divisions"] and v["segments"]:
        divisions = {d.code for d in v["divisions"]}
        strays = [s for s in v["segments"] if s.division_id not in divisions]
        if strays:
            problems.add(
                _("These segments belong to divisions the programme does not list: %(segments)s."),
                "segments",
                segments=", ".join(s.code for s in strays),
            )
    items = interface.framework_items(framework_id=v["framework"]) if has("framework") else {"levels": []}
    if items is None:
        problems.add(_("No such framework version."), "framework")
    elif has("target_level"):
        levels = items["levels"]
        if levels and v["target_level"] not in levels:
            problems.add(
                _("The target level must be one of the framework's levels: %(levels)s."),
                "target_level",
                levels=", ".join(str(n) for n in levels),
            )
    if has("target_gain") and not 0 <= v["target_gain"] <= GAIN_MAX:
        problems.add(_("The levels gained must be between 0 and 5."), "target_gain")
    if has("subsidy_percent") and not Decimal("0") < v["subsidy_percent"] <= Decimal("100"):
        problems.add(_("The subsidy share must be more than 0% and at most 100%."), "subsidy_percent")
    if has("subsidy_cap") and v["subsidy_cap"] <= 0:
        problems.add(_("The subsidy cap must be more than zero."), "subsidy_cap")
    if v.get("contract_max") is not None and v["contract_max"] <= 0:
        problems.add(_("The largest contract must be more than zero (or left empty)."), "contract_max")
    if has("budget") and v["budget"] <= 0:
        problems.add(_("The budget must be more than zero."), "budget")
    if has("apply_from", "apply_until") and v["apply_until"] < v["apply_from"]:
        problems.add(_("Applications cannot close before they open."), "apply_until")
    if has("providers_from", "providers_until") and v["providers_until"] < v["providers_from"]:
        problems.add(_("Provider applications cannot close before they open."), "providers_until")
    if has("apply_until", "complete_by") and v["complete_by"] < v["apply_until"]:
        problems.add(_("Projects cannot have to complete before applications close."), "complete_by")
    if has("verified_since", "apply_until") and v["verified_since"] > v["apply_until"]:
        problems.add(_("The before-level date cannot be after applications close."), "verified_since")
    problems.raise_any(form)
    return v


# --- values as the audit trail keeps them --------------------------------------------------------------


def _plain(name, value):
    if name in ("cities", "divisions", "segments"):
        return sorted(getattr(x, "pk", x) for x in value)
    if name == "sizes":
        return sorted(value)
    if name == "framework":
        return getattr(value, "pk", value)
    if value is None or isinstance(value, int | bool):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _current(programme: Programme) -> dict:
    values = {name: _plain(name, getattr(programme, name)) for name in FIELDS if name not in MULTIPLE}
    values["framework"] = programme.framework_id
    values["cities"] = sorted(programme.cities.values_list("code", flat=True))
    values["divisions"] = sorted(programme.divisions.values_list("code", flat=True))
    values["segments"] = sorted(programme.segments.values_list("code", flat=True))
    values["sizes"] = sorted(programme.sizes)
    return values


def _effective_divisions(divisions, segments, segment_divisions) -> set:
    """The divisions eligibility admits (rules.eligibility): the listed ones and those of the listed
    segments; empty means every division."""
    return set(divisions) | (set(segment_divisions) if segments else set())


def _narrowed(name, old, new, *, old_v: dict, new_v: dict) -> bool:
    if name == "cities":
        return not set(new) >= set(old)
    if name in ("sizes", "segments"):
        return bool(new) and not (old and set(new) >= set(old))
    if name == "divisions":
        before = _effective_divisions(old, old_v["segments"], old_v["segment_divisions"])
        after = _effective_divisions(new, new_v["segments"], new_v["segment_divisions"])
        return bool(after) and not (before and after >= before)
    if name == "contract_max":
        return new is not None and (old is None or Decimal(new) < Decimal(old))
    if name in ("verified_since", "apply_from"):
        return new > old
    if name == "complete_by":
        return new < old
    return False


RELIED_ON = _(
    "%(count)s enrolled enterprises rely on this rule: it cannot be changed any more (field %(field)s)."
)
WIDEN = _(
    "%(count)s enrolled enterprises rely on this rule: it may only be widened, not narrowed "
    "(field %(field)s)."
)


def _check_relied_on(programme, old: dict, new: dict, *, new_segment_divisions) -> None:
    count = programme.projects.exclude(state=Project.State.WITHDRAWN).count()
    if not count:
        return
    for name in FROZEN:
        if old[name] != new[name]:
            raise ConflictError(RELIED_ON, params={"count": count, "field": name}, extra={"field": name})
    old_v = {
        "segments": old["segments"],
        "segment_divisions": set(programme.segments.values_list("division_id", flat=True)),
    }
    new_v = {"segments": new["segments"], "segment_divisions": new_segment_divisions}
    for name in WIDEN_ONLY:
        if old[name] != new[name] and _narrowed(name, old[name], new[name], old_v=old_v, new_v=new_v):
            raise ConflictError(WIDEN, params={"count": count, "field": name}, extra={"field": name})


# --- the services ----------------------------------------------------------------------------------------


@transaction.atomic
def programme_save(*, admin, programme_id=None, data: dict) -> Programme:
    """Creates (programme_id None: a draft) or edits a programme the admin manages. `data`: every
    field of programmes.forms_admin.FIELDS (an edit replaces them all); cities, divisions and segments
    by code, sizes by Enterprise.RevenueBand value, framework by id."""
    require_regional_admin(admin)
    programme = None
    if programme_id is not None:
        programme = policy.programme_managed(admin, programme_id, lock=True)
        if programme.state == Programme.State.FINISHED:
            raise ConflictError(_("A finished programme cannot be changed."))
    v = _cleaned(admin, data)
    new = {name: _plain(name, v[name]) for name in FIELDS}
    if programme is None:
        programme = Programme(created_by=admin, state=Programme.State.DRAFT)
        _assign(programme, v)
        programme.save()
        _assign_many(programme, v)
        events.record(
            actor=admin, action=Event.Action.PROGRAMME_CREATED, programme=programme, new=programme.state,
            detail=new,
        )  # fmt: skip
        return programme
    old = _current(programme)
    _check_relied_on(programme, old, new, new_segment_divisions={s.division_id for s in v["segments"]})
    used = programme.reserved + programme.granted
    if v["budget"] < used:
        raise _error(
            _("The budget cannot be less than what is already reserved and granted (CNY %(used)s)."),
            "budget",
            used=f"{used:,.2f}",
        )
    changed = {name: [old[name], new[name]] for name in FIELDS if old[name] != new[name]}
    if not changed:
        return programme
    _assign(programme, v)
    programme.save()
    _assign_many(programme, v)
    events.record(actor=admin, action=Event.Action.PROGRAMME_CHANGED, programme=programme, detail=changed)
    return programme


def _assign(programme: Programme, v: dict) -> None:
    for name in FIELDS:
        if name in MULTIPLE or name == "framework":
            continue
        setattr(programme, name, v[name])
    programme.framework_id = v["framework"]
    programme.sizes = sorted(v["sizes"])


def _assign_many(programme: Programme, v: dict) -> None:
    programme.cities.set(v["cities"])
    programme.divisions.set(v["divisions"])
    programme.segments.set(v["segments"])


@transaction.atomic
def programme_set_state(*, admin, programme_id, state) -> Programme:
    """Moves the programme along draft -> open <-> closed -> finished (see the module's note)."""
    programme = policy.programme_managed(admin, programme_id, lock=True)
    if state not in Programme.State.values:
        raise _error(
            _("The state must be one of: %(states)s."), "state", states=", ".join(Programme.State.values)
        )
    old = programme.state
    if state not in TRANSITIONS[old]:
        raise ConflictError(
            _("A programme cannot go from %(old)s to %(new)s."),
            params={"old": Programme.State(old).label, "new": Programme.State(state).label},
            extra={"field": "state"},
        )
    if state == Programme.State.OPEN and programme.apply_until < timezone.localdate():
        raise ConflictError(
            _("Applications closed on %(date)s: move the closing date before opening the programme."),
            params={"date": programme.apply_until.isoformat()},
            extra={"field": "state"},
        )
    if state == Programme.State.FINISHED:
        active = programme.projects.filter(state__in=Project.ACTIVE).count()
        if active:
            raise ConflictError(
                _(
                    "%(count)s projects are still under way: decide or withdraw them before finishing "
                    "the programme."
                ),
                params={"count": active},
                extra={"field": "state"},
            )
    programme.state = state
    programme.save(update_fields=["state", "updated_at"])
    events.record(actor=admin, action=Event.Action.PROGRAMME_STATE, programme=programme, old=old, new=state)
    return programme

"""A provider's solutions (writes). A provider user edits only its own provider's solutions: any other
id is a 404. A new solution is tied to the default framework; an existing one keeps its framework
(its scenes and questions are keys of that version)."""

from django.db import transaction
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError, form_data, small_id
from manufacturing.interface import default_framework_id
from programmes import events, policy
from programmes.forms_providers import SolutionForm
from programmes.models import Event, Provider, Solution


class SolutionInvalid(ApplicationError):
    """The solution's data broke a field's rule: 400 with every field's errors (`form.errors`)."""

    def __init__(self, form):
        super().__init__(_("Please correct the errors below."), extra={"errors": form.errors})
        self.form = form


def own_solution(provider: Provider, solution_id, *, lock: bool = False) -> Solution:
    pk = small_id(solution_id)
    rows = Solution.objects.filter(provider=provider)
    if lock:
        rows = rows.select_for_update()
    solution = rows.filter(pk=pk).first() if pk else None
    if solution is None:
        raise Http404
    return solution


def _framework_id(solution: Solution | None) -> int:
    if solution is not None:
        return solution.framework_id
    framework_id = default_framework_id()
    if framework_id is None:
        raise ConflictError(_("No assessment framework is in force yet: solutions cannot be added."))
    return framework_id


def solution_form(*, user, solution_id=None, data=None) -> SolutionForm:
    """The form of a new solution or of one of the provider's own (404 for anyone else's)."""
    provider = policy.require_provider(user)
    solution = own_solution(provider, solution_id) if solution_id is not None else None
    return SolutionForm(data, instance=solution, framework_id=_framework_id(solution))


def solution_save(*, user, solution_id=None, data) -> Solution:
    """Creates (solution_id None) or changes one of the provider's solutions from `data` (a form's
    POST, or a JSON object: lists for the multiple choices), validated by SolutionForm; raises
    SolutionInvalid (400, every field's errors) and records SOLUTION_SAVED."""
    provider = policy.require_provider(user)
    from_json = isinstance(data, dict) and not isinstance(data, MultiValueDict)  # a QueryDict is a dict
    if from_json:
        data, errors = form_data(data, SolutionForm)
        if errors:
            raise ApplicationError(
                _("Please correct the errors below."), extra={"errors": errors, "field": next(iter(errors))}
            )
    with transaction.atomic():
        solution = own_solution(provider, solution_id, lock=True) if solution_id is not None else None
        if from_json and "is_active" not in data:
            # A JSON body that does not name the flag publishes a new solution and leaves an existing
            # one as it is (a page's form always sends the box's state: unticked is absent).
            data = data.copy()
            if solution is None or solution.is_active:
                data["is_active"] = "true"
        form = SolutionForm(data, instance=solution, framework_id=_framework_id(solution))
        if not form.is_valid():
            raise SolutionInvalid(form)
        created = solution is None
        saved = form.save(commit=False)
        saved.provider = provider
        saved.framework_id = form.framework_id
        saved.save()
        form.save_m2m()
        events.record(
            actor=user,
            action=Event.Action.SOLUTION_SAVED,
            provider=provider,
            new="created" if created else "changed",
            detail={"solution": saved.pk, "fields": sorted(form.changed_data)},
        )
    return saved


@transaction.atomic
def solution_set_active(*, user, solution_id, active: bool) -> Solution:
    """Publishes or withdraws one of the provider's solutions from the catalogue."""
    provider = policy.require_provider(user)
    solution = own_solution(provider, solution_id, lock=True)
    if solution.is_active != bool(active):
        solution.is_active = bool(active)
        solution.save(update_fields=["is_active", "updated_at"])
        events.record(
            actor=user,
            action=Event.Action.SOLUTION_SAVED,
            provider=provider,
            new="published" if active else "unpublished",
            detail={"solution": solution.pk, "fields": ["is_active"]},
        )
    return solution

"""The regional admins' programme pages on the public site: their programmes, a programme (edit, state,
audit trail), its provider applications, its projects, and one project with the decisions. An admin
who sees a programme (a city in their scope) but does not manage it (not every city) reads it only.
Anyone but a regional admin gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from manufacturing import interface
from programmes import admin_programmes, decisions, policy, presenters, rules
from programmes.forms_admin import ProgrammeForm, programme_initial
from programmes.models import Enrolment, Event, Programme, Project
from tenants.models import Enterprise


def _seen(user, programme_id) -> Programme:
    programme = policy.programmes_seen(user).filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    return programme


def _counts(user, programme_ids) -> dict:
    counts: dict = {}
    rows = (
        policy.projects_seen(user)
        .filter(programme_id__in=programme_ids)
        .values("programme_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["programme_id"], {})[row["state"]] = row["n"]
    return counts


STATE_COLUMNS = [
    ("applied", "submitted", "returned"),
    ("approved", "completed", "verified"),
    ("granted",),
    ("refused", "withdrawn"),
]


@login_required
def manage_list(request):
    rows = list(policy.programmes_seen(request.user).prefetch_related("cities").order_by("-apply_from", "pk"))
    counts = _counts(request.user, [p.pk for p in rows])
    for programme in rows:
        programme.manages = policy.manages(request.user, programme)
        by_state = counts.get(programme.pk, {})
        programme.state_counts = [
            (Project.State(s).label, by_state.get(s, 0)) for s in Project.State.values if by_state.get(s)
        ]
        programme.used = presenters.cny(programme.reserved + programme.granted)
        programme.budget_text = presenters.cny(programme.budget)
        programme.remaining_text = presenters.cny(programme.remaining)
    return render(request, "programmes/manage/list.html", {"programmes": rows})


MONEY_FIELDS = ("budget", "reserved", "granted", "remaining")


def _form_page(request, *, form, programme=None, status=200):
    context = {"form": form, "programme": programme}
    if programme is not None:
        context.update(
            manages=policy.manages(request.user, programme),
            transitions=[
                (state, presenters.transition_label(programme.state, state))
                for state in admin_programmes.TRANSITIONS[programme.state]
            ],
            events=programme.events.filter(project__isnull=True).select_related("actor", "provider"),
            has_projects=programme.projects.exclude(state=Project.State.WITHDRAWN).exists(),
            money={name: presenters.cny(getattr(programme, name)) for name in MONEY_FIELDS},
        )
    return render(request, "programmes/manage/programme.html", context, status=status)


def _apply_error(form, exc: ApplicationError) -> None:
    """A service's refusal shown next to its field (all the form's errors when it carries them, each
    once: those the page's form found itself are not repeated)."""
    errors = exc.extra.get("errors")
    if errors:
        for field, texts in errors.items():
            name = field if field in form.fields else None
            shown = [str(m) for m in form.errors.get(name or "__all__", [])]
            for text in texts:
                if text not in shown:
                    form.add_error(name, text)
        return
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _post_save(request, programme_id=None):
    form = ProgrammeForm(request.POST, admin=request.user)
    try:
        saved = admin_programmes.programme_save(
            admin=request.user, programme_id=programme_id, data=request.POST
        )
    except ApplicationError as exc:
        form.is_valid()
        _apply_error(form, exc)
        return None, form
    return saved, form


@login_required
def manage_new(request):
    policy.programmes_seen(request.user)  # 404 for anyone but a regional admin
    if request.method == "POST":
        saved, form = _post_save(request)
        if saved is not None:
            messages.success(request, _("Programme saved as a draft; open it when it is ready."))
            return redirect("programmes-manage-programme", programme_id=saved.pk)
        return _form_page(request, form=form, status=400)
    form = ProgrammeForm(initial={"framework": interface.default_framework_id()}, admin=request.user)
    return _form_page(request, form=form)


@login_required
def manage_programme(request, programme_id):
    programme = _seen(request.user, programme_id)
    if request.method == "POST":
        if not policy.manages(request.user, programme):
            raise Http404
        saved, form = _post_save(request, programme.pk)
        if saved is not None:
            messages.success(request, _("Programme saved."))
            return redirect("programmes-manage-programme", programme_id=programme.pk)
        return _form_page(request, form=form, programme=programme, status=400)
    form = ProgrammeForm(initial=programme_initial(programme), admin=request.user)
    return _form_page(request, form=form, programme=programme)


@login_required
@require_POST
def manage_state(request, programme_id):
    try:
        admin_programmes.programme_set_state(
            admin=request.user, programme_id=programme_id, state=request.POST.get("state", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Programme state changed."))
    return redirect("programmes-manage-programme", programme_id=programme_id)


@login_required
def manage_providers(request, programme_id):
    programme = _seen(request.user, programme_id)
    rows = programme.enrolments.select_related("provider", "decided_by").order_by("status", "applied_at")
    return render(
        request,
        "programmes/manage/providers.html",
        {
            "programme": programme,
            "enrolments": rows,
            "manages": policy.manages(request.user, programme),
            "pending": Enrolment.Status.PENDING,
        },
    )


@login_required
@require_POST
def enrolment_decide(request, enrolment_id):
    enrolment = Enrolment.objects.filter(
        pk=enrolment_id, programme__in=policy.programmes_seen(request.user)
    ).first()
    if enrolment is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action not in ("accept", "reject"):
            raise ApplicationError(_("Choose a decision."))
        decisions.enrolment_decide(
            admin=request.user,
            enrolment_id=enrolment_id,
            accept=action == "accept",
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded; the provider has been notified."))
    return redirect("programmes-manage-providers", programme_id=enrolment.programme_id)


@login_required
def manage_projects(request, programme_id):
    programme = _seen(request.user, programme_id)
    rows = (
        policy.projects_seen(request.user)
        .filter(programme=programme)
        .select_related("tenant", "city", "provider")
        .order_by("-applied_at", "pk")
    )
    state = request.GET.get("state", "")
    if state in Project.State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    city = request.GET.get("city", "")
    cities = list(programme.cities.all())
    if city in {c.code for c in cities}:
        rows = rows.filter(city_id=city)
    else:
        city = ""
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.amount_text = presenters.cny(project.contract_amount)
    return render(
        request,
        "programmes/manage/projects.html",
        {
            "programme": programme,
            "page": page,
            "states": Project.State.choices,
            "cities": cities,
            "state": state,
            "city": city,
        },
    )


def _project_seen(user, project_id) -> Project:
    project = (
        Project.objects.select_related(
            "programme", "tenant", "provider", "solution", "city", "industry", "segment", "decided_by"
        )
        .filter(pk__in=policy.projects_seen(user).filter(pk=project_id).values("pk"))
        .first()
    )
    if project is None:
        raise Http404
    return project


@login_required
def manage_project(request, project_id, *, error=None, status=200):
    project = _project_seen(request.user, project_id)
    programme = project.programme
    manages = policy.manages(request.user, programme)
    subsidy = None
    if project.contract_amount is not None:
        subsidy = rules.subsidy_for(
            percent=programme.subsidy_percent, cap=programme.subsidy_cap, amount=project.contract_amount
        )
    target_met = None
    if project.after_level is not None:
        target_met = rules.target_met(
            target_level=programme.target_level,
            target_gain=programme.target_gain,
            before_level=project.before_level,
            after_level=project.after_level,
        )
    actions = []
    if manages:
        if project.state == Project.State.SUBMITTED:
            actions = ["approve", "return"]
        elif project.state == Project.State.VERIFIED:
            actions = ["grant", "refuse"] if project.target_met else ["refuse"]
        elif decisions.refusable(project):
            actions = ["refuse"]
    return render(
        request,
        "programmes/manage/project.html",
        {
            "project": project,
            "programme": programme,
            "manages": manages,
            "subsidy": subsidy,
            "subsidy_text": presenters.cny(subsidy) if subsidy is not None else "",
            "fits_budget": subsidy is not None and subsidy <= programme.remaining,
            "remaining": presenters.cny(programme.remaining),
            "money": {
                "contract": presenters.cny(project.contract_amount),
                "cap": presenters.cny(programme.subsidy_cap),
                "reserved": presenters.cny(project.subsidy_reserved),
                "granted": presenters.cny(project.subsidy_granted),
            },
            "outside_price_range": presenters.outside_price_range(project),
            "show_reason": presenters.reason_is_current(project),
            "target_met": target_met,
            "actions": actions,
            "size": dict(Enterprise.RevenueBand.choices).get(project.size, ""),
            "milestones": project.milestones.all(),
            "events": project.events.select_related("actor"),
            "error": error,
            "Action": Event.Action,
        },
        status=status,
    )


DECISIONS = {
    "approve": lambda admin, pk, reason: decisions.project_approve(admin=admin, project_id=pk),
    "return": lambda admin, pk, reason: decisions.project_return(admin=admin, project_id=pk, reason=reason),
    "grant": lambda admin, pk, reason: decisions.subsidy_grant(admin=admin, project_id=pk),
    "refuse": lambda admin, pk, reason: decisions.subsidy_refuse(admin=admin, project_id=pk, reason=reason),
}


@login_required
@require_POST
def project_decide(request, project_id):
    _project_seen(request.user, project_id)  # the fence first
    decide = DECISIONS.get(request.POST.get("action", ""))
    if decide is None:
        return manage_project(request, project_id, error=_("Choose a decision."), status=400)
    try:
        decide(request.user, project_id, request.POST.get("reason", ""))
    except ApplicationError as exc:
        return manage_project(request, project_id, error=exc.message, status=exc.status_code)
    messages.success(request, _("Decision recorded; the enterprise and the provider have been notified."))
    return redirect("programmes-manage-project", project_id=project_id)


@login_required
def project_contract(request, project_id):
    """The signed contract (PDF), to the admin who manages the programme only."""
    project = _project_seen(request.user, project_id)
    if not policy.manages(request.user, project.programme) or not project.contract_file:
        raise Http404
    try:
        handle = project.contract_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=f"contract-{project.pk}.pdf", content_type="application/pdf"
    )


pages = [
    path("programmes/manage/", manage_list, name="programmes-manage"),
    path("programmes/manage/new/", manage_new, name="programmes-manage-new"),
    path("programmes/manage/<int:programme_id>/", manage_programme, name="programmes-manage-programme"),
    path("programmes/manage/<int:programme_id>/state/", manage_state, name="programmes-manage-state"),
    path(
        "programmes/manage/<int:programme_id>/providers/",
        manage_providers,
        name="programmes-manage-providers",
    ),
    path(
        "programmes/manage/enrolments/<int:enrolment_id>/decide/",
        enrolment_decide,
        name="programmes-manage-enrolment-decide",
    ),
    path(
        "programmes/manage/<int:programme_id>/projects/", manage_projects, name="programmes-manage-projects"
    ),
    path("programmes/manage/projects/<int:project_id>/", manage_project, name="programmes-manage-project"),
    path(
        "programmes/manage/projects/<int:project_id>/decide/",
        project_decide,
        name="programmes-manage-project-decide",
    ),
    path(
        "programmes/manage/projects/<int:project_id>/contract/",
        project_contract,
        name="programmes-manage-project-contract",
    ),
]

api_patterns: list = []  # the API is programmes/api_admin.py

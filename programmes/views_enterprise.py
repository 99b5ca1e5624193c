"""The programmes on an enterprise's host: the open programmes of its city with why it may not apply
(yet), applying, the project page (recommended solutions, the contract, milestones, completion) and
the contract download. Members read; owners and administrators act; a non-member gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from programmes import presenters, projects, selectors_enterprise
from programmes.models import Milestone, Project
from tenants import roles
from tenants.members.models import Role


def _lang() -> str:
    return "zh" if (get_language() or "zh-hans").startswith("zh") else "en"


def _reasons(reasons) -> list[dict]:
    lang = _lang()
    return [{**r.as_dict(), "text": r.message[lang]} for r in reasons]


@login_required
def overview(request):
    enterprise, _role = roles.host_member_or_404(request)
    return _overview(request, enterprise)


def _overview(request, enterprise, *, status=200, error=None):
    rows = [
        {
            **row,
            "reasons": _reasons(row["reasons"]),
            # the programme's segments the enterprise may choose: those of its own division
            "segments": [
                s for s in row["programme"].segments.all() if s.division_id == enterprise.industry_id
            ],
        }
        for row in selectors_enterprise.programmes_open_to(enterprise)
    ]
    return render(
        request,
        "programmes/enterprise/overview.html",
        {
            "rows": rows,
            "projects": selectors_enterprise.projects_of(enterprise),
            "can_act": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def apply(request, programme_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    try:
        project = projects.project_apply(
            enterprise=enterprise,
            user=request.user,
            programme_id=programme_id,
            segment_code=request.POST.get("segment") or None,
            publish_name=request.POST.get("publish_name") == "on",
        )
    except ApplicationError as exc:
        lang = _lang()
        error = {
            "message": exc.message,
            "reasons": [r["message"][lang] for r in exc.extra.get("reasons", [])],
        }
        return _overview(request, enterprise, status=exc.status_code, error=error)
    messages.success(request, _("Applied. Now choose a solution and attach the signed contract."))
    return redirect("transformation-project", project_id=project.pk)


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _project_page(request, enterprise, project, *, status=200, error=None, values=None):
    can_act = roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    lang = _lang()
    editable = project.state in (Project.State.APPLIED, Project.State.RETURNED)
    ranked = []
    if editable or project.state == Project.State.SUBMITTED:
        for solution in selectors_enterprise.recommendations(project):
            ranked.append(
                {
                    **solution,
                    "label": solution["name"][lang],
                    "provider_label": solution["provider"][lang],
                    "lines": [r["message"][lang] for r in solution["reasons"]],
                }
            )
    programme = project.programme
    subsidy = selectors_enterprise.subsidy_of(project) if project.contract_amount else None
    milestones = list(project.milestones.all())
    return render(
        request,
        "programmes/enterprise/project.html",
        {
            "project": project,
            "programme": programme,
            "ranked": ranked,
            "editable": editable and can_act,
            "can_act": can_act,
            "subsidy": subsidy,
            "show_reason": presenters.reason_is_current(project),
            "prefill": {
                "contract_amount": presenters.amount_text(project.contract_amount).replace(",", ""),
                "contract_signed_on": _iso(project.contract_signed_on),
                "contract_start": _iso(project.contract_start),
                "contract_end": _iso(project.contract_end),
            },
            "milestones": milestones,
            "can_complete": can_act
            and project.state == Project.State.APPROVED
            and milestones
            and all(m.state == Milestone.State.CONFIRMED for m in milestones),
            "withdrawable": can_act and project.state in projects.BEFORE_APPROVAL,
            "error": error,
            "values": values or {},
            "events": project.events.select_related("actor"),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def project_detail(request, project_id):
    enterprise, _role = roles.host_member_or_404(request)
    project = projects.project_of(enterprise=enterprise, project_id=project_id)
    return _project_page(request, enterprise, project)


def _act(request, enterprise, project_id, action, success, *, values=None):
    try:
        action()
    except ApplicationError as exc:
        project = projects.project_of(enterprise=enterprise, project_id=project_id)
        return _project_page(
            request, enterprise, project, status=exc.status_code, error=exc.message, values=values
        )
    messages.success(request, success)
    return redirect("transformation-project", project_id=project_id)


@login_required
@require_POST
def submit(request, project_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    projects.project_of(enterprise=enterprise, project_id=project_id)
    fields = ("solution", "contract_amount", "contract_signed_on", "contract_start", "contract_end")
    values = {name: request.POST.get(name, "") for name in fields}
    return _act(
        request,
        enterprise,
        project_id,
        lambda: projects.project_submit(
            enterprise=enterprise,
            user=request.user,
            project_id=project_id,
            solution_id=values["solution"],
            contract_amount=values["contract_amount"],
            contract_signed_on=values["contract_signed_on"],
            contract_start=values["contract_start"],
            contract_end=values["contract_end"],
            contract_file=request.FILES.get("contract_file"),
        ),
        _("Submitted for approval. The programme's administrators have been notified."),
        values=values,
    )


@login_required
@require_POST
def withdraw(request, project_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    projects.project_of(enterprise=enterprise, project_id=project_id)
    return _act(
        request,
        enterprise,
        project_id,
        lambda: projects.project_withdraw(enterprise=enterprise, user=request.user, project_id=project_id),
        _("Project withdrawn."),
    )


@login_required
@require_POST
def milestone_add(request, project_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    projects.project_of(enterprise=enterprise, project_id=project_id)
    values = {"title": request.POST.get("title", ""), "due_on": request.POST.get("due_on", "")}
    return _act(
        request,
        enterprise,
        project_id,
        lambda: projects.milestone_add(
            enterprise=enterprise,
            user=request.user,
            project_id=project_id,
            title=values["title"],
            due_on=values["due_on"],
        ),
        _("Milestone planned."),
        values=values,
    )


@login_required
@require_POST
def milestone_report(request, milestone_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    milestone = Milestone.objects.filter(pk=milestone_id, project__tenant_id=enterprise.pk).first()
    if milestone is None:
        raise Http404
    return _act(
        request,
        enterprise,
        milestone.project_id,
        lambda: projects.milestone_report(
            enterprise=enterprise,
            user=request.user,
            milestone_id=milestone_id,
            report=request.POST.get("report"),
        ),
        _("Milestone reported; the provider has been asked to confirm it."),
    )


@login_required
@require_POST
def milestone_delete(request, milestone_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    milestone = Milestone.objects.filter(pk=milestone_id, project__tenant_id=enterprise.pk).first()
    if milestone is None:
        raise Http404
    return _act(
        request,
        enterprise,
        milestone.project_id,
        lambda: projects.milestone_delete(
            enterprise=enterprise, user=request.user, milestone_id=milestone_id
        ),
        _("Milestone deleted."),
    )


@login_required
@require_POST
def consent(request, project_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    projects.project_of(enterprise=enterprise, project_id=project_id)
    publish = request.POST.get("publish_name") == "on"
    return _act(
        request,
        enterprise,
        project_id,
        lambda: projects.project_consent(
            enterprise=enterprise, user=request.user, project_id=project_id, publish_name=publish
        ),
        _("The provider may now name your enterprise.")
        if publish
        else _("The provider may no longer name your enterprise."),
    )


@login_required
@require_POST
def complete(request, project_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    projects.project_of(enterprise=enterprise, project_id=project_id)
    return _act(
        request,
        enterprise,
        project_id,
        lambda: projects.project_complete(enterprise=enterprise, user=request.user, project_id=project_id),
        _("Project completed. Take the assessment again and submit it for verification."),
    )


@login_required
def contract(request, project_id):
    """The signed contract, for the enterprise's members only."""
    enterprise, _role = roles.host_member_or_404(request)
    project = projects.project_of(enterprise=enterprise, project_id=project_id)
    return contract_response(project)


def contract_response(project: Project) -> FileResponse:
    if not project.contract_file:
        raise Http404
    try:
        handle = project.contract_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=f"contract-{project.pk}.pdf", content_type="application/pdf"
    )


pages = [
    path("transformation/", overview, name="transformation"),
    path("transformation/programmes/<int:programme_id>/apply/", apply, name="transformation-apply"),
    path("transformation/projects/<int:project_id>/", project_detail, name="transformation-project"),
    path("transformation/projects/<int:project_id>/submit/", submit, name="transformation-submit"),
    path("transformation/projects/<int:project_id>/withdraw/", withdraw, name="transformation-withdraw"),
    path(
        "transformation/projects/<int:project_id>/milestones/",
        milestone_add,
        name="transformation-milestone-add",
    ),
    path(
        "transformation/milestones/<int:milestone_id>/report/",
        milestone_report,
        name="transformation-milestone-report",
    ),
    path(
        "transformation/milestones/<int:milestone_id>/delete/",
        milestone_delete,
        name="transformation-milestone-delete",
    ),
    path("transformation/projects/<int:project_id>/consent/", consent, name="transformation-consent"),
    path("transformation/projects/<int:project_id>/complete/", complete, name="transformation-complete"),
    path("transformation/projects/<int:project_id>/contract/", contract, name="transformation-contract"),
]
api_patterns = []

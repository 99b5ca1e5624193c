"""The provider's projects on the public site: the projects whose chosen solution is its own, the
contract, and the milestones it confirms. Anyone else (another provider included) gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from programmes import projects
from programmes.models import Milestone, Project
from programmes.policy import require_provider
from programmes.views_enterprise import contract_response


def projects_of_provider(provider):
    return Project.objects.filter(provider=provider).select_related("programme", "solution", "tenant")


def project_of_provider(user, project_id) -> Project:
    provider = require_provider(user)
    try:
        project_id = int(project_id)
    except (TypeError, ValueError):
        raise Http404 from None
    project = projects_of_provider(provider).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


@login_required
def project_list(request):
    provider = require_provider(request.user)
    page = Paginator(projects_of_provider(provider), 50).get_page(request.GET.get("page"))
    return render(request, "programmes/provider_projects/list.html", {"page": page, "provider": provider})


def _page(request, project, *, status=200, error=None):
    return render(
        request,
        "programmes/provider_projects/detail.html",
        {"project": project, "milestones": project.milestones.all(), "error": error},
        status=status,
    )


@login_required
def project_detail(request, project_id):
    return _page(request, project_of_provider(request.user, project_id))


@login_required
@require_POST
def milestone_confirm(request, milestone_id):
    provider = require_provider(request.user)
    milestone = (
        Milestone.objects.filter(pk=milestone_id, project__provider=provider).only("project_id").first()
    )
    if milestone is None:
        raise Http404
    try:
        projects.milestone_confirm(user=request.user, milestone_id=milestone_id)
    except ApplicationError as exc:
        project = project_of_provider(request.user, milestone.project_id)
        return _page(request, project, status=exc.status_code, error=exc.message)
    messages.success(request, _("Milestone confirmed; the enterprise has been notified."))
    return redirect("provider-project", project_id=milestone.project_id)


@login_required
def contract(request, project_id):
    return contract_response(project_of_provider(request.user, project_id))


pages = [
    path("provider/projects/", project_list, name="provider-projects"),
    path("provider/projects/<int:project_id>/", project_detail, name="provider-project"),
    path("provider/projects/<int:project_id>/contract/", contract, name="provider-project-contract"),
    path(
        "provider/milestones/<int:milestone_id>/confirm/",
        milestone_confirm,
        name="provider-milestone-confirm",
    ),
]
api_patterns = []

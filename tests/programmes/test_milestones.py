"""Milestones: the enterprise plans and reports, the provider confirms, the enterprise completes."""

import datetime

import pytest

from core.api import ApplicationError, ConflictError
from programmes import projects
from programmes.models import Milestone, Project
from tests.programmes.projects_helpers import approve, submitted_project

pytestmark = pytest.mark.django_db


def test_milestones_before_approval_are_a_409(alpha, people):
    _programme, project, _user = submitted_project(alpha, people)
    response = alpha.client().post(
        f"/api/v1/transformation/projects/{project.pk}/milestones/",
        {"title": "go live", "due_on": str(project.contract_start)},
        content_type="application/json",
    )
    assert response.status_code == 409 and not Milestone.objects.exists()


def test_a_milestone_outside_the_contract_is_a_400(alpha, people):
    _programme, project, _user = submitted_project(alpha, people)
    approve(project)
    client = alpha.client()
    url = f"/api/v1/transformation/projects/{project.pk}/milestones/"
    late = client.post(
        url,
        {"title": "late", "due_on": str(project.contract_end + datetime.timedelta(days=1))},
        content_type="application/json",
    )
    assert late.status_code == 400 and late.json()["field"] == "due_on"
    blank = client.post(
        url, {"title": "  ", "due_on": str(project.contract_end)}, content_type="application/json"
    )
    assert blank.status_code == 400 and blank.json()["field"] == "title"
    assert not Milestone.objects.exists()


def test_report_confirm_complete(alpha, people):
    _programme, project, provider_user = submitted_project(alpha, people)
    approve(project)
    client = alpha.client()
    complete = f"/api/v1/transformation/projects/{project.pk}/complete/"
    assert client.post(complete).json()["field"] == "milestones"  # none planned
    created = client.post(
        f"/api/v1/transformation/projects/{project.pk}/milestones/",
        {"title": "上线", "due_on": str(project.contract_end)},
        content_type="application/json",
    )
    assert created.status_code == 201
    milestone_id = created.json()["id"]
    # the provider cannot confirm what was not reported
    with pytest.raises(ConflictError):
        projects.milestone_confirm(user=provider_user, milestone_id=milestone_id)
    assert client.post(complete).status_code == 400  # not confirmed yet
    reported = client.post(
        f"/api/v1/transformation/milestones/{milestone_id}/report/",
        {"report": "live"},
        content_type="application/json",
    )
    assert reported.status_code == 200 and reported.json()["state"] == "reported"
    provider = alpha_provider_client(provider_user)
    assert (
        provider.post(f"/api/v1/provider/milestones/{milestone_id}/confirm/").json()["state"] == "confirmed"
    )
    with pytest.raises(ConflictError):  # a confirmed milestone is not reported again
        projects.milestone_report(
            enterprise=alpha.enterprise, user=alpha.owner, milestone_id=milestone_id, report="x"
        )
    done = client.post(complete)
    assert done.status_code == 200 and done.json()["state"] == "completed"
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED and project.completed_at is not None


def test_the_page_reports_a_milestone(alpha, people):
    _programme, project, _user = submitted_project(alpha, people)
    approve(project)
    client = alpha.client()
    response = client.post(
        f"/transformation/projects/{project.pk}/milestones/",
        {"title": "试运行", "due_on": str(project.contract_end)},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=project)
    assert (
        client.post(f"/transformation/milestones/{milestone.pk}/report/", {"report": ""}).status_code == 400
    )
    assert (
        client.post(f"/transformation/milestones/{milestone.pk}/report/", {"report": "ok"}).status_code == 302
    )
    milestone.refresh_from_db()
    assert milestone.state == Milestone.State.REPORTED


def test_a_missing_report_text_is_refused(alpha, people):
    _programme, project, _user = submitted_project(alpha, people)
    approve(project)
    milestone = projects.milestone_add(
        enterprise=alpha.enterprise,
        user=alpha.owner,
        project_id=project.pk,
        title="t",
        due_on=project.contract_end,
    )
    with pytest.raises(ApplicationError):
        projects.milestone_report(
            enterprise=alpha.enterprise, user=alpha.owner, milestone_id=milestone.pk, report=" "
        )
    milestone.refresh_from_db()
    assert milestone.state == Milestone.State.PLANNED


def alpha_provider_client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client

"""Tenant isolation of the projects: a member of enterprise B gets 404 on A's project by id, on
B's own host and on A's, by page and API; nothing changes."""

import pytest
from django.test import Client

from programmes.models import Milestone, Project
from tenants.tokens import token_create
from tests.programmes.projects_helpers import approve, submitted_project

pytestmark = pytest.mark.django_db


def test_b_gets_404_on_as_project_from_its_own_host(alpha, beta, people):
    _programme, project, _user = submitted_project(alpha, people)
    approve(project)
    milestone = Milestone.objects.create(project=project, title="t", due_on=project.contract_end)
    client = beta.client()
    for path in (
        f"/transformation/projects/{project.pk}/",
        f"/transformation/projects/{project.pk}/contract/",
        f"/api/v1/transformation/projects/{project.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        f"/transformation/projects/{project.pk}/withdraw/",
        f"/transformation/projects/{project.pk}/complete/",
        f"/transformation/projects/{project.pk}/milestones/",
        f"/transformation/milestones/{milestone.pk}/report/",
        f"/api/v1/transformation/projects/{project.pk}/withdraw/",
        f"/api/v1/transformation/projects/{project.pk}/complete/",
        f"/api/v1/transformation/projects/{project.pk}/milestones/",
        f"/api/v1/transformation/milestones/{milestone.pk}/report/",
    ):
        assert (
            client.post(path, {"title": "x", "due_on": str(project.contract_end), "report": "x"}).status_code
            == 404
        )
    assert client.get("/api/v1/transformation/projects/").json() == []
    assert Milestone.objects.get(pk=milestone.pk).state == Milestone.State.PLANNED
    assert Project.objects.get(pk=project.pk).state == Project.State.APPROVED


def test_b_gets_404_on_as_host_by_session_and_token(alpha, beta, people):
    _programme, project, _user = submitted_project(alpha, people)
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    _token, key = token_create(user=beta.owner)
    bearer = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert stranger.get(f"/transformation/projects/{project.pk}/").status_code == 404
    assert stranger.get(f"/transformation/projects/{project.pk}/contract/").status_code == 404
    assert bearer.get(f"/api/v1/transformation/projects/{project.pk}/").status_code == 404
    assert bearer.post(f"/api/v1/transformation/projects/{project.pk}/withdraw/").status_code == 404
    assert Project.objects.get(pk=project.pk).state == Project.State.SUBMITTED

"""The provider's projects on the public site: only its own (404 for any other), the contract, and
the milestones it confirms."""

import pytest
from django.test import Client

from programmes import projects
from programmes.models import Milestone
from tests.programmes.conftest import make_provider, person
from tests.programmes.projects_helpers import approve, submitted_project

pytestmark = pytest.mark.django_db


def public(user) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def reported(world, people):
    _programme, project, provider_user = submitted_project(world, people)
    approve(project)
    milestone = projects.milestone_add(
        enterprise=world.enterprise,
        user=world.owner,
        project_id=project.pk,
        title="上线",
        due_on=project.contract_end,
    )
    projects.milestone_report(
        enterprise=world.enterprise, user=world.owner, milestone_id=milestone.pk, report="ok"
    )
    return project, milestone, provider_user


def test_the_provider_sees_and_confirms_its_project(alpha, people):
    project, milestone, provider_user = reported(alpha, people)
    client = public(provider_user)
    listed = client.get("/api/v1/provider/projects/").json()
    assert [row["id"] for row in listed["results"]] == [project.pk]
    detail = client.get(f"/api/v1/provider/projects/{project.pk}/").json()
    assert (
        detail["project"]["enterprise"] == alpha.enterprise.name
        and detail["milestones"][0]["state"] == "reported"
    )
    page = client.get(f"/provider/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert alpha.enterprise.name in page or (alpha.enterprise.name_en or "") in page
    assert "Confirm" in page
    assert client.get("/provider/projects/").status_code == 200
    download = client.get(f"/provider/projects/{project.pk}/contract/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client.post(f"/provider/milestones/{milestone.pk}/confirm/").status_code == 302
    milestone.refresh_from_db()
    assert milestone.state == Milestone.State.CONFIRMED and milestone.confirmed_by_id == provider_user.pk
    # confirming twice is a conflict, nothing changes
    assert client.post(f"/api/v1/provider/milestones/{milestone.pk}/confirm/").status_code == 409


def test_another_provider_and_other_users_get_404(alpha, people):
    project, milestone, _provider_user = reported(alpha, people)
    _other, other_user = make_provider("other")
    nobody = person("plain-c@example.com", "")
    for user in (other_user, nobody, people["admin"]):
        client = public(user)
        for path in (
            f"/provider/projects/{project.pk}/",
            f"/provider/projects/{project.pk}/contract/",
            f"/api/v1/provider/projects/{project.pk}/",
        ):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(f"/provider/milestones/{milestone.pk}/confirm/").status_code == 404
        assert client.post(f"/api/v1/provider/milestones/{milestone.pk}/confirm/").status_code == 404
    assert public(other_user).get("/api/v1/provider/projects/").json()["results"] == []
    assert public(nobody).get("/provider/projects/").status_code == 404
    milestone.refresh_from_db()
    assert milestone.state == Milestone.State.REPORTED

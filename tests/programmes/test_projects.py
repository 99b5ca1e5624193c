"""Applying with a verified level, the solution and signed contract, withdrawing: every rule, and a
refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.api import ApplicationError, ConflictError
from programmes import projects
from programmes.models import Event, Project, Segment
from tests.programmes.conftest import make_programme, make_provider, make_solution, verified
from tests.programmes.projects_helpers import accepted, applied, approve, contract, pdf, submitted_project

pytestmark = pytest.mark.django_db


def test_applying_snapshots_the_enterprise_and_its_verified_level(alpha, people):
    before = verified(alpha, people, scene_level=1)
    programme = make_programme()
    response = alpha.client().post(
        f"/api/v1/transformation/programmes/{programme.pk}/apply/", {}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert (project.tenant_id, project.state) == (alpha.enterprise.pk, Project.State.APPLIED)
    assert (project.city_id, project.province_code, project.industry_id, project.size) == (
        "110000",
        "110000",
        "C34",
        "3m-20m",
    )
    assert project.before_assessment_id == before.pk and project.before_level == 1
    assert project.before_assessor_id == people["assessor"].pk
    assert project.fact_version == 2  # facts.fact_changed ran
    assert Event.objects.filter(project=project, action=Event.Action.PROJECT_APPLIED).count() == 1


def test_applying_twice_is_a_409_and_one_project(alpha, people):
    programme, _project, _before = applied(alpha, people)
    response = alpha.client().post(f"/api/v1/transformation/programmes/{programme.pk}/apply/")
    assert response.status_code == 409
    assert Project.objects.filter(tenant_id=alpha.enterprise.pk).count() == 1


def test_the_unique_constraint_is_the_last_word(alpha, people, monkeypatch):
    programme, _project, _before = applied(alpha, people)
    # A racing second application that passed the check: the database refuses, the answer is a 409.
    monkeypatch.setattr(projects.Project.objects, "filter", _no_live_project(projects.Project.objects.filter))
    with pytest.raises(ConflictError):
        projects.project_apply(enterprise=alpha.enterprise, user=alpha.owner, programme_id=programme.pk)
    assert Project.objects.filter(tenant_id=alpha.enterprise.pk).count() == 1


def _no_live_project(real):
    def fake(*args, **kwargs):
        rows = real(*args, **kwargs)
        if "tenant_id" in kwargs and "programme" in kwargs:
            return rows.none()
        return rows

    return fake


def test_applying_without_a_verified_level_is_a_400_with_the_reason(alpha):
    programme = make_programme()
    response = alpha.client().post(f"/api/v1/transformation/programmes/{programme.pk}/apply/")
    assert response.status_code == 400
    codes = [r["code"] for r in response.json()["reasons"]]
    assert codes == ["needs_verified_level"]
    assert response.json()["reasons"][0]["action"] == "assess"
    assert not Project.objects.exists()


def test_applying_with_a_too_old_level_is_a_400(alpha, people):
    verified(alpha, people, scene_level=1)
    programme = make_programme(verified_since=timezone.localdate() + datetime.timedelta(days=1))
    response = alpha.client().post(f"/api/v1/transformation/programmes/{programme.pk}/apply/")
    assert response.status_code == 400
    assert [r["code"] for r in response.json()["reasons"]] == ["verified_too_old"]
    assert not Project.objects.exists()


def test_a_draft_programme_does_not_exist_for_the_enterprise(alpha, people):
    verified(alpha, people, scene_level=1)
    programme = make_programme(state="draft")
    assert alpha.client().post(f"/api/v1/transformation/programmes/{programme.pk}/apply/").status_code == 404


def test_a_programme_with_segments_needs_one_of_the_enterprises_division(alpha, people):
    verified(alpha, people, scene_level=1)
    programme = make_programme()
    own = Segment.objects.filter(division_id="C34").first()
    other = Segment.objects.exclude(division_id="C34").first()
    assert own is not None and other is not None
    programme.segments.set([own, other])
    client = alpha.client()
    url = f"/api/v1/transformation/programmes/{programme.pk}/apply/"
    assert client.post(url, {}, content_type="application/json").json()["field"] == "segment"
    wrong = client.post(url, {"segment": other.pk}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "segment"
    assert not Project.objects.exists()
    right = client.post(url, {"segment": own.pk}, content_type="application/json")
    assert right.status_code == 201 and Project.objects.get().segment_id == own.pk


def _submit(client, project, programme, solution, **changes):
    values = contract(programme, solution, **changes)
    data = {
        "solution": values["solution_id"],
        "contract_amount": values["contract_amount"],
        "contract_signed_on": str(values["contract_signed_on"]),
        "contract_start": str(values["contract_start"]),
        "contract_end": str(values["contract_end"]),
    }
    if values["contract_file"] is not None:
        data["contract_file"] = values["contract_file"]
    return client.post(f"/api/v1/transformation/projects/{project.pk}/submit/", data)


def test_submitting_an_accepted_solution_and_its_contract(alpha, people):
    programme, project, _before = applied(alpha, people)
    provider, _user, solution = accepted(programme)
    response = _submit(alpha.client(), project, programme, solution)
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.state == Project.State.SUBMITTED and project.provider_id == provider.pk
    assert project.contract_amount == Decimal("200000.00") and project.contract_file.name.endswith(".pdf")
    assert project.contract_file.read().startswith(b"%PDF-")
    assert Event.objects.filter(project=project, action=Event.Action.PROJECT_SUBMITTED).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contract_amount": "300000.01"}, "contract_amount"),  # above the programme's contract_max
        ({"contract_amount": "0"}, "contract_amount"),
        ({"contract_amount": "lots"}, "contract_amount"),
        ({"contract_start": "2000-01-01"}, "contract_start"),  # before the window
        ({"contract_end": "2999-01-01"}, "contract_end"),  # after complete_by
        ({"contract_end": "nope"}, "contract_end"),
        ({"contract_signed_on": "2999-01-01"}, "contract_signed_on"),  # signed after the start
        ({"contract_file": pdf(b"MZ\x90\x00 not a pdf")}, None),
        ({"contract_file": None}, "contract_file"),
    ],
)
def test_a_bad_contract_is_a_4xx_and_changes_nothing(alpha, people, changes, field):
    programme, project, _before = applied(alpha, people, contract_max=Decimal("300000"))
    _provider, _user, solution = accepted(programme)
    response = _submit(alpha.client(), project, programme, solution, **changes)
    assert 400 <= response.status_code < 500, response.content
    if field:
        assert response.json()["field"] == field
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED and project.solution_id is None
    assert not project.contract_file and project.contract_amount is None


def test_a_contract_ending_before_it_starts_is_refused(alpha, people):
    programme, project, _before = applied(alpha, people)
    _provider, _user, solution = accepted(programme)
    start = programme.apply_from + datetime.timedelta(days=20)
    response = _submit(
        alpha.client(),
        project,
        programme,
        solution,
        contract_start=start,
        contract_end=start - datetime.timedelta(days=1),
    )
    assert response.status_code == 400 and response.json()["field"] == "contract_end"


def test_a_larger_file_than_10_mb_is_refused(alpha, people):
    programme, project, _before = applied(alpha, people)
    _provider, _user, solution = accepted(programme)
    big = pdf(b"%PDF-" + b"0" * (10 * 1024 * 1024))
    response = _submit(alpha.client(), project, programme, solution, contract_file=big)
    assert response.status_code == 413
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED


def test_a_solution_of_a_provider_not_accepted_is_refused(alpha, people):
    programme, project, _before = applied(alpha, people)
    provider, _user = make_provider("pending")  # never enrolled
    for solution in (make_solution(provider), accepted(programme, slug="off", is_active=False)[2]):
        with pytest.raises(ApplicationError) as refused:
            projects.project_submit(
                enterprise=alpha.enterprise,
                user=alpha.owner,
                project_id=project.pk,
                **contract(programme, solution),
            )
        assert refused.value.extra["field"] == "solution"
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED


def test_the_page_refuses_a_bad_contract_with_the_message(alpha, people):
    programme, project, _before = applied(alpha, people, contract_max=Decimal("100000"))
    _provider, _user, solution = accepted(programme)
    values = contract(programme, solution)
    response = alpha.client().post(
        f"/transformation/projects/{project.pk}/submit/",
        {
            "solution": solution.pk,
            "contract_amount": "150000",
            "contract_signed_on": values["contract_signed_on"],
            "contract_start": values["contract_start"],
            "contract_end": values["contract_end"],
            "contract_file": pdf(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "at most CNY 100,000.00" in response.content.decode()
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED


def test_the_page_submits_and_shows_the_subsidy(alpha, people):
    programme, project, _before = applied(alpha, people)
    _provider, _user, solution = accepted(programme)
    values = contract(programme, solution)
    client = alpha.client()
    response = client.post(
        f"/transformation/projects/{project.pk}/submit/",
        {
            "solution": solution.pk,
            "contract_amount": "200000",
            "contract_signed_on": values["contract_signed_on"],
            "contract_start": values["contract_start"],
            "contract_end": values["contract_end"],
            "contract_file": pdf(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/transformation/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "CNY 60,000" in page and "the remaining budget covers it now" in page
    detail = client.get(f"/api/v1/transformation/projects/{project.pk}/").json()
    assert detail["subsidy"] == {"amount": "60000.00", "covered": True}
    programme.reserved = programme.budget - 1000
    programme.save()
    assert client.get(f"/api/v1/transformation/projects/{project.pk}/").json()["subsidy"]["covered"] is False
    download = client.get(f"/transformation/projects/{project.pk}/contract/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_withdrawing_before_approval_and_applying_again(alpha, people):
    programme, project, _before = submitted_project(alpha, people)
    response = alpha.client().post(f"/api/v1/transformation/projects/{project.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    again = projects.project_apply(enterprise=alpha.enterprise, user=alpha.owner, programme_id=programme.pk)
    assert again.pk != project.pk


def test_withdrawing_after_approval_is_a_409(alpha, people):
    _programme, project, _user = submitted_project(alpha, people)
    approve(project)
    assert alpha.client().post(f"/api/v1/transformation/projects/{project.pk}/withdraw/").status_code == 409
    project.refresh_from_db()
    assert project.state == Project.State.APPROVED


def test_a_returned_project_can_be_submitted_again_keeping_its_contract(alpha, people):
    programme, project, _user = submitted_project(alpha, people)
    Project.objects.filter(pk=project.pk).update(state=Project.State.RETURNED)
    solution = project.solution
    projects.project_submit(
        enterprise=alpha.enterprise,
        user=alpha.owner,
        project_id=project.pk,
        **contract(programme, solution, contract_amount="150000", contract_file=None),
    )
    project.refresh_from_db()
    assert project.state == Project.State.SUBMITTED and project.contract_amount == Decimal("150000")
    assert project.contract_file


def test_a_viewer_reads_but_cannot_apply(alpha, people, make_enterprise):
    programme = make_programme()
    verified(alpha, people, scene_level=1)
    from django_tenants.utils import tenant_context

    from tenants.members.models import Membership
    from tests.programmes.conftest import person

    viewer = person("viewer-c@example.com", "")
    viewer.tenants.add(alpha.enterprise)
    with tenant_context(alpha.enterprise):
        Membership.objects.create(user=viewer, role="viewer")
    from django.test import Client

    client = Client(HTTP_HOST=alpha.host)
    client.force_login(viewer)
    assert client.get("/transformation/").status_code == 200
    assert client.post(f"/api/v1/transformation/programmes/{programme.pk}/apply/").status_code == 403
    assert not Project.objects.exists()


def test_the_page_applies_once(alpha, people):
    programme = make_programme()
    client = alpha.client()
    url = f"/transformation/programmes/{programme.pk}/apply/"
    refused = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "needs a verified level" in refused.content.decode()
    assert not Project.objects.exists()
    verified(alpha, people, scene_level=1)
    response = client.post(url, {"publish_name": "on"})
    assert response.status_code == 302
    project = Project.objects.get()
    assert response["Location"] == f"/transformation/projects/{project.pk}/" and project.publish_name
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "already applied" in again.content.decode()
    assert Project.objects.count() == 1

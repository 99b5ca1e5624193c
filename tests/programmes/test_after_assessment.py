"""The after-assessment: the assessor fence (the before-assessor may not verify the after level) and
the receiver that records the verified after-level, on the full path apply -> submit -> approve ->
milestones -> complete -> after assessment verified through the review's real path."""

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.api import ApplicationError
from manufacturing import scoring
from manufacturing import services as assessment_services
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import ReviewCase
from programmes import projects
from programmes.models import Event, Project
from tests.manufacturing.test_assessments import submitted
from tests.programmes.conftest import framework, verified
from tests.programmes.projects_helpers import approve, submitted_project

pytestmark = pytest.mark.django_db


def completed(world, people, *, programme_fields=None):
    programme, project, provider_user = submitted_project(world, people, **(programme_fields or {}))
    return programme, complete(world, project, provider_user)


def complete(world, project, provider_user):
    approve(project)
    milestone = projects.milestone_add(
        enterprise=world.enterprise,
        user=world.owner,
        project_id=project.pk,
        title="上线质检系统",
        due_on=project.contract_start,
    )
    projects.milestone_report(
        enterprise=world.enterprise, user=world.owner, milestone_id=milestone.pk, report="done"
    )
    projects.milestone_confirm(user=provider_user, milestone_id=milestone.pk)
    projects.project_complete(enterprise=world.enterprise, user=world.owner, project_id=project.pk)
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED
    return project


def scored_case(world) -> ReviewCase:
    assessment = submitted(world)
    with tenant_context(world.enterprise):
        assessment_services.assessment_score(enterprise=world.enterprise, assessment_id=assessment.pk)
    return ReviewCase.objects.get(tenant=world.enterprise, assessment_id=assessment.pk)


def test_the_before_assessor_may_not_verify_the_after_assessment(alpha, people):
    completed(alpha, people)
    case = scored_case(alpha)
    with pytest.raises(ApplicationError) as refused:
        assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assert refused.value.extra["field"] == "assessor"
    assert "another assessor" in refused.value.body()["messages"]["en"]
    assert not case.assignments.exists()
    # the API says 400 with the fence's reason, and lists the excluded assessor
    client = Client(HTTP_HOST="localhost")
    client.force_login(people["admin"])
    response = client.post(
        f"/api/v1/review/cases/{case.pk}/assign/",
        {"assessor": people["assessor"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "assessor"
    listed = {
        row["id"]: row for row in client.get("/api/v1/review/cases/?status=unassigned").json()["results"]
    }
    assert [e["id"] for e in listed[case.pk]["excluded_assessors"]] == [people["assessor"].pk]
    page = client.get("/review/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'value="{people["assessor"].pk}" disabled' in page
    # another assessor is fine
    assignment = assignments.assign(
        admin=people["admin"], case_id=case.pk, assessor_id=people["other_assessor"].pk
    )
    assert assignment.assessor_id == people["other_assessor"].pk


def test_without_a_project_the_assessor_is_not_fenced(alpha, people):
    verified(alpha, people, scene_level=1)
    case = scored_case(alpha)
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assert assignment.assessor_id == people["assessor"].pk


@pytest.mark.parametrize(("after_level", "met"), [(2, True), (1, False)])
def test_the_verified_after_level_is_recorded_with_the_target(alpha, people, after_level, met):
    _programme, project = completed(alpha, people)
    page = alpha.client().get(f"/transformation/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "an assessor other than the one who verified your before level" in page.content.decode()
    after = verified(alpha, people, scene_level=after_level, assessor=people["other_assessor"])
    project.refresh_from_db()
    assert project.state == Project.State.VERIFIED
    assert (project.after_assessment_id, project.after_level) == (after.pk, after_level)
    assert project.after_assessor_id == people["other_assessor"].pk
    assert project.target_met is met
    assert Event.objects.filter(project=project, action=Event.Action.AFTER_VERIFIED).count() == 1
    version = project.fact_version
    # a redelivered publish changes nothing twice
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=after.pk)
    project.refresh_from_db()
    assert project.fact_version == version
    assert Event.objects.filter(project=project, action=Event.Action.AFTER_VERIFIED).count() == 1


def test_a_verification_before_completion_is_not_the_after_level(alpha, people):
    _programme, project, _provider_user = submitted_project(alpha, people)
    approve(project)
    verified(alpha, people, scene_level=3, assessor=people["other_assessor"])  # during the project
    Project.objects.filter(pk=project.pk).update(state=Project.State.COMPLETED, completed_at=timezone.now())
    project.refresh_from_db()
    assert project.after_level is None


def test_an_assessment_submitted_before_completion_is_not_the_after_level(alpha, people):
    """The fence holds from the application on (the before-assessor is refused even while the project
    is only submitted); an assessment submitted while the work went on, verified by another assessor
    after completion, is not the after-level: the project waits for the assessment taken again."""
    _programme, project, provider_user = submitted_project(alpha, people)
    case = scored_case(alpha)
    with pytest.raises(ApplicationError) as fenced:
        assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assert fenced.value.extra["field"] == "assessor"
    assessor = people["other_assessor"]
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=assessor.pk)
    complete(alpha, project, provider_user)
    for key in scoring.index(framework().definition).scenes:
        workbench.override_set(
            assessor=assessor, assignment_id=assignment.pk, key=key, value={"level": 3}, reason="seen"
        )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=case.assessment_id)
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED and project.after_level is None
    assert not Event.objects.filter(project=project, action=Event.Action.AFTER_VERIFIED).exists()

"""Publishing on the real worker, a redelivered publish, and two admins assigning at once. Not
django_db: these tests commit (the `committed` fixture) and delete what they made."""

import threading
import time
import uuid

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from core import outbox
from core.api import ConflictError
from core.models import AuditEvent, Notice
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import ScoringRequest
from manufacturing.models import Assessment
from manufacturing.review import assignments, workbench
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from manufacturing.review.tasks import publish_verified
from tenants.models import User
from tests.manufacturing.test_assessments import submitted
from tests.manufacturing.test_review import person

pytestmark = [pytest.mark.worker]


@pytest.fixture
def reviewed(committed, beta, monkeypatch):
    """A scored assessment of beta (scored here, not by the worker), an admin and two assessors;
    everything removed afterwards."""
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)
    assessment = submitted(beta)
    monkeypatch.undo()
    with tenant_context(beta.enterprise):
        assessment_services.assessment_score(enterprise=beta.enterprise, assessment_id=assessment.pk)
    run = uuid.uuid4().hex[:8]  # users stay (deleting one would cascade into tenant tables): unique emails
    people = {
        "admin": person(f"worker-admin-{run}@example.com", "regional_admin"),
        "assessor": person(f"worker-assessor-{run}@example.com", "assessor"),
        "second": person(f"worker-second-{run}@example.com", "assessor"),
    }
    case = ReviewCase.objects.get(tenant=beta.enterprise, assessment_id=assessment.pk)
    try:
        yield assessment, case, people
    finally:
        connection.set_schema_to_public()
        AssessmentFact.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).delete()
        AuditEvent.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).delete()
        Assignment.objects.filter(case=case).delete()
        case.delete()
        ScoringRequest.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).delete()
        with tenant_context(beta.enterprise):
            Assessment.objects.filter(pk=assessment.pk).delete()
        Notice.objects.filter(user__in=people.values()).delete()
        User.objects.filter(pk__in=[p.pk for p in people.values()]).update(is_active=False)


def _wait(predicate, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_the_worker_publishes_an_approval_once_even_when_sent_twice(celery_worker, reviewed, beta):
    assessment, case, people = reviewed
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    workbench.override_set(
        assessor=people["assessor"],
        assignment_id=assignment.pk,
        key="network",
        value={"options": ["none"]},
        reason="No diagram.",
    )
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)  # sends on commit

    def published() -> bool:
        return ReviewCase.objects.filter(pk=case.pk, status="verified").exists()

    _wait(published, "the worker to publish the approval")
    fact = AssessmentFact.objects.get(tenant=beta.enterprise, assessment_id=assessment.pk)
    assert (fact.total, fact.self_total, fact.city_id) == (92, 100, "120000")
    assert fact.percentile is not None and fact.cohort["size"] >= 1
    # the same message again (a redelivery): the same row, no second audit entry
    again = publish_verified.apply_async((beta.enterprise.pk, assessment.pk), ignore_result=False)
    again = again.get(timeout=30)
    assert again["fact"] == fact.pk
    assert AssessmentFact.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).count() == 1
    assert AuditEvent.objects.filter(action="published", assessment_id=assessment.pk).count() == 1
    with tenant_context(beta.enterprise):
        verified = Assessment.objects.get(pk=assessment.pk)
    assert verified.status == "verified" and verified.verified_result["total"] == 92


def test_the_sweeper_publishes_an_approval_whose_message_was_lost(celery_worker, reviewed, beta, monkeypatch):
    assessment, case, people = reviewed
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    monkeypatch.setattr(publish_verified, "delay", lambda *a, **k: None)  # the message is lost
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    monkeypatch.undo()
    assert ReviewCase.objects.get(pk=case.pk).status == "verifying"
    assert outbox.sweep(names={"review-publishing"}, older_than_seconds=0)["review-publishing"] >= 1
    _wait(lambda: ReviewCase.objects.filter(pk=case.pk, status="verified").exists(), "the re-sent publish")
    assert AssessmentFact.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).count() == 1


def test_two_admins_assigning_at_once_make_one_assignment(reviewed):
    _assessment, case, people = reviewed
    second_admin = person(f"worker-admin2-{uuid.uuid4().hex[:8]}@example.com", "regional_admin")
    people["admin2"] = second_admin  # removed by the fixture
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(admin, assessor) -> None:
        from django.db import connections

        try:
            barrier.wait()
            assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)
            outcomes.append("assigned")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(people["admin"], people["assessor"])),
        threading.Thread(target=attempt, args=(second_admin, people["second"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["assigned", "conflict"]
    assert Assignment.objects.filter(case=case, status__in=Assignment.ACTIVE).count() == 1
    assert AuditEvent.objects.filter(action="assigned", assessment_id=case.assessment_id).count() == 1

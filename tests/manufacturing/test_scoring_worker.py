"""Scoring on the real worker through the real broker. Not django_db: these tests commit (the
`committed` fixture), so the worker sees their data; they delete what they made."""

import time

import pytest
from django_tenants.utils import tenant_context

from manufacturing import services
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Assessment
from tests.manufacturing.definitions import attach_required_evidence, full_answers
from tests.manufacturing.test_assessments import answer, create, submitted

pytestmark = [pytest.mark.worker]


@pytest.mark.worker
def test_the_worker_scores_a_submission_made_on_the_host(celery_worker, committed, alpha):
    client = alpha.client()
    created = create(client)
    definition = Framework.objects.get(pk=created["framework"]).definition
    try:
        for key, value in full_answers(definition).items():
            answer(client, created["id"], key, value)
        with tenant_context(alpha.enterprise):
            attach_required_evidence(Assessment.objects.get(pk=created["id"]), alpha.owner)
        client.post(f"/api/v1/assessments/{created['id']}/pledge/")
        assert client.post(f"/api/v1/assessments/{created['id']}/submit/").status_code == 202
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result = client.get(f"/api/v1/assessments/{created['id']}/result/")
            if result.status_code == 200:
                break
            time.sleep(0.1)
        assert result.status_code == 200, result.content
        body = result.json()
        assert body["total"] == pytest.approx(100) and body["level"] == 4 and body["blocking"] is None
    finally:
        with tenant_context(alpha.enterprise):
            Assessment.objects.filter(pk=created["id"]).delete()
        ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id=created["id"]).delete()


@pytest.mark.worker
def test_the_sweeper_rescores_a_submission_whose_message_was_lost(
    celery_worker, committed, beta, monkeypatch
):
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # the message is lost
    assessment = submitted(beta)
    monkeypatch.undo()
    try:
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
        assert services.scoring_sweep(older_than_seconds=0) >= 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with tenant_context(beta.enterprise):
                if Assessment.objects.get(pk=assessment.pk).status == "scored":
                    break
            time.sleep(0.1)
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).result["level"] == 4
    finally:
        with tenant_context(beta.enterprise):
            Assessment.objects.filter(pk=assessment.pk).delete()
        ScoringRequest.objects.filter(tenant=beta.enterprise, assessment_id=assessment.pk).delete()

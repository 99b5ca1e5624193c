"""Scoring on the real worker through the real broker. Not django_db: these tests commit (the
`committed` fixture), so the worker sees their data; they delete what they made."""

import os
import signal
import subprocess
import time

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Assessment
from tests.manufacturing.definitions import attach_required_evidence, full_answers
from tests.manufacturing.test_assessments import answer, create, submitted

pytestmark = [pytest.mark.worker]


def forget(world, assessment_id) -> None:
    """Deletes a committed assessment and the public rows it caused."""
    from core.models import AuditEvent
    from manufacturing.review.models import ReviewCase

    with tenant_context(world.enterprise):
        Assessment.objects.filter(pk=assessment_id).delete()
    for model in (ScoringRequest, ReviewCase, AuditEvent):
        model.objects.filter(tenant=world.enterprise, assessment_id=assessment_id).delete()


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
        forget(alpha, created["id"])


@pytest.mark.worker
def test_the_sweeper_rescores_a_submission_whose_message_was_lost(
    celery_worker, committed, beta, monkeypatch
):
    from core import outbox
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # the message is lost
    assessment = submitted(beta)
    monkeypatch.undo()
    try:
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
        assert outbox.sweep(names={"scoring"}, older_than_seconds=0)["scoring"] >= 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with tenant_context(beta.enterprise):
                if Assessment.objects.get(pk=assessment.pk).status == "scored":
                    break
            time.sleep(0.1)
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).result["level"] == 4
    finally:
        forget(beta, assessment.pk)


def _wait(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.worker
def test_a_worker_killed_mid_task_still_scores_the_assessment_once(
    celery_worker, committed, beta, monkeypatch
):
    """The pool process running the task is killed while the task waits on the assessment's row
    lock (held here). acks_late + reject_on_worker_lost put the message back; the new pool process
    scores it, and only once."""
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # sent by hand below
    assessment = submitted(beta)
    monkeypatch.undo()

    def waiting_on_lock() -> bool:
        with connection.cursor() as cursor:
            # inside a transaction the statistics views answer from a snapshot taken at first use
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] > 0

    def pool_processes() -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(celery_worker.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    try:
        with transaction.atomic(), tenant_context(beta.enterprise):
            Assessment.objects.select_for_update().get(pk=assessment.pk)
            tasks.score_assessment.delay(beta.enterprise.pk, assessment.pk)
            _wait(waiting_on_lock, "the task to block on the row lock")
            killed = pool_processes()
            assert killed, "the worker has no pool process"
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
            # (its PostgreSQL backend waits on until the lock is released, then finds no client)
            with tenant_context(beta.enterprise):
                assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
        # the lock is released; the redelivered message runs in a new pool process

        def scored() -> bool:
            with tenant_context(beta.enterprise):
                return Assessment.objects.get(pk=assessment.pk).status == "scored"

        _wait(scored, "the redelivered task to score the assessment")
        assert set(pool_processes()).isdisjoint(killed)
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).result["level"] == 4
        assert ScoringRequest.objects.get(tenant=beta.enterprise, assessment_id=assessment.pk).completed_at
        log = celery_worker.log_path.read_text()
        assert "WorkerLostError" in log
        assert log.count(f"assessment {assessment.pk} scored in {beta.enterprise.schema_name}") == 1
    finally:
        forget(beta, assessment.pk)


@pytest.mark.worker
def test_a_submission_committed_outside_the_tenant_is_scored_in_it(celery_worker, committed, beta):
    """The message is sent on commit; here the commit comes after the tenant's context has ended
    (as in setup_platform's demo data), and the task must still run in the tenant's schema."""
    with transaction.atomic():
        assessment = submitted(beta)  # enters and leaves beta's schema inside the transaction
    try:

        def scored() -> bool:
            with tenant_context(beta.enterprise):
                return Assessment.objects.get(pk=assessment.pk).status == "scored"

        _wait(scored, "the worker to score it in beta's schema")
    finally:
        forget(beta, assessment.pk)


@pytest.mark.worker
def test_a_message_of_the_old_shape_still_scores_its_assessment(celery_worker, committed, beta, monkeypatch):
    """A message sent before the task took the enterprise's id (args: the assessment id alone, the
    enterprise named by the schema header its sender stamped) may still be queued at a deploy."""
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # sent by hand below
    assessment = submitted(beta)
    monkeypatch.undo()
    try:
        tasks.score_assessment.apply_async(
            args=(assessment.pk,), headers={"_schema_name": beta.enterprise.schema_name}
        )

        def scored() -> bool:
            with tenant_context(beta.enterprise):
                return Assessment.objects.get(pk=assessment.pk).status == "scored"

        _wait(scored, "the old-shape message to be scored")
    finally:
        forget(beta, assessment.pk)

"""A real Celery worker carries the tenant of the sender (tenant-schemas-celery)."""

import pytest
from django_tenants.utils import tenant_context

from worker.tasks import whereami

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def test_task_sent_in_tenant_context_runs_in_that_schema(celery_worker, alpha, beta):
    with tenant_context(alpha.enterprise):
        result_a = whereami.apply_async(ignore_result=False)
    with tenant_context(beta.enterprise):
        result_b = whereami.apply_async(ignore_result=False)
    assert result_a.get(timeout=30)["schema"] == alpha.enterprise.schema_name
    assert result_b.get(timeout=30)["schema"] == beta.enterprise.schema_name


def test_task_sent_from_public_runs_in_public(celery_worker):
    assert whereami.apply_async(ignore_result=False).get(timeout=30)["schema"] == "public"


def test_the_worker_reuses_its_database_connection_and_drops_it_after_a_failed_task(celery_worker, alpha):
    from manufacturing.tasks import score_assessment

    first = whereami.apply_async(ignore_result=False).get(timeout=30)["database_pid"]
    # Celery's default: a new one
    assert whereami.apply_async(ignore_result=False).get(timeout=30)["database_pid"] == first
    with tenant_context(alpha.enterprise):
        no_such_row = [alpha.enterprise.pk, 987654321]
        failed = score_assessment.apply_async(args=no_such_row, ignore_result=False)
    with pytest.raises(Exception, match=r"does not exist"):
        failed.get(timeout=30)
    assert whereami.apply_async(ignore_result=False).get(timeout=30)["database_pid"] != first


def test_heartbeat_task_records_beat_tick(celery_worker):
    import time

    from worker import status
    from worker.tasks import heartbeat

    status._client().delete(status.BEAT_KEY)
    assert status.beat_state() == {"ok": False, "last_tick_age_s": None}
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while status.beat_state()["last_tick_age_s"] is None and time.monotonic() < deadline:
        time.sleep(0.05)
    state = status.beat_state()
    assert state["ok"] is True
    assert 0 <= state["last_tick_age_s"] < 30

"""The one outbox (core/outbox.py): every producer registered, one cap, one alert when work is given
up, given-up rows left alone, and a lost message re-sent by the one sweeper on a real worker."""

import datetime
import logging
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import outbox
from core.models import Notice
from manufacturing.frameworks.models import ScoringRequest
from manufacturing.models import Assessment
from tenants.models import Enterprise, User
from tests.manufacturing.test_assessments import submitted

PRODUCERS = {
    "provisioning",
    "scoring",
    "review-publishing",
    "financing-facts",
    "hall-publishing",
    "inquiry-delivery",
    "data-export",
    "account-audit-rewrite",
    "programme-facts",
}


def _age(name: str, pk) -> None:
    """As if the row's last send were an hour ago: due for the sweeper."""
    box = outbox.registered()[name]
    box.rows.model.objects.filter(pk=pk).update(**{box.stamp: timezone.now() - datetime.timedelta(hours=1)})


def _sweep(name: str) -> int:
    return outbox.sweep(names={name})[name]


def test_every_producer_registers_its_outbox_with_the_kernel():
    from django.utils.module_loading import import_string

    from worker.celery import app

    boxes = outbox.registered()
    assert set(boxes) == PRODUCERS
    for name, box in boxes.items():
        fields = {f.name for f in box.rows.model._meta.get_fields()} | {"pk"}
        fields |= {f.attname for f in box.rows.model._meta.concrete_fields}
        assert {box.stamp, box.resends, box.gave_up, *box.args} <= fields, name
        assert import_string(box.task).name in app.tasks, name  # a real task, sent by name
    # One sweeper in the beat schedule, for them all.
    sweeps = [entry["task"] for entry in app.conf.beat_schedule.values() if "sweep" in entry["task"]]
    assert sweeps == ["core.sweep_outboxes"]


@pytest.mark.django_db
def test_one_cap_for_every_outbox(alpha, make_enterprise, settings, monkeypatch):
    """Provisioning and scoring (two apps, two tables) stop at the same OUTBOX_MAX_RESENDS."""
    from manufacturing import tasks as scoring_tasks
    from tenants import tasks as provisioning_tasks

    settings.OUTBOX_MAX_RESENDS = 2
    sent = []
    monkeypatch.setattr(scoring_tasks.score_assessment, "delay", lambda *a: sent.append(("scoring", *a)))
    monkeypatch.setattr(
        provisioning_tasks.provision_enterprise, "delay", lambda *a: sent.append(("provisioning", *a))
    )
    assessment = submitted(alpha)
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    enterprise = make_enterprise().enterprise
    Enterprise.objects.filter(pk=enterprise.pk).update(status=Enterprise.Status.PENDING)
    sent.clear()
    for _ in range(4):
        _age("scoring", request.pk)
        _age("provisioning", enterprise.pk)
        outbox.sweep(names={"scoring", "provisioning"})
    assert sent.count(("scoring", alpha.enterprise.pk, assessment.pk)) == 2
    assert sent.count(("provisioning", enterprise.pk)) == 2
    assert ScoringRequest.objects.get(pk=request.pk).gave_up_at is not None
    # Provisioning's own give-up: the registrant sees it failed, with a reason in both languages.
    enterprise.refresh_from_db()
    assert enterprise.gave_up_at is not None and enterprise.status == Enterprise.Status.FAILED
    assert "did not start after several attempts" in enterprise.status_reason
    assert "多次尝试后仍未能开始" in enterprise.status_reason


@pytest.mark.django_db
def test_giving_up_alerts_once_and_the_row_is_left_alone(alpha, settings, monkeypatch, caplog):
    from manufacturing import tasks

    staff = User.objects.create_superuser(email="outbox-op@example.com", password="x-long-password-1")
    settings.OUTBOX_MAX_RESENDS = 1
    sent = []
    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a: sent.append(a))
    assessment = submitted(alpha)
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    sent.clear()
    _age("scoring", request.pk)
    assert _sweep("scoring") == 1  # the one re-send
    caplog.set_level(logging.WARNING, logger="core.outbox")
    for _ in range(5):  # five more minutes of sweeps
        _age("scoring", request.pk)
        assert _sweep("scoring") == 0
    assert outbox.sweep(names={"scoring"}, older_than_seconds=0)["scoring"] == 0
    assert len(sent) == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "given up" in r.getMessage()]
    assert len(errors) == 1, "one alert, not one a minute"
    notices = Notice.objects.filter(user=staff)
    assert notices.count() == 1 and "given up after 1 re-sends" in notices.get().text_en
    assert "scoring" in notices.get().text_en and "后台任务" in notices.get().text_zh
    # A resubmission is new work: the outbox starts again.
    with tenant_context(alpha.enterprise):
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
        from manufacturing import services

        services.assessment_submit(
            assessment=Assessment.objects.get(pk=assessment.pk), user=alpha.owner, enterprise=alpha.enterprise
        )
    request.refresh_from_db()
    assert (request.resends, request.gave_up_at) == (0, None)


@pytest.mark.worker
def test_a_lost_message_is_sent_again_by_the_one_sweeper(celery_worker, committed, beta, monkeypatch):
    from core.tasks import sweep_outboxes
    from manufacturing import tasks
    from tests.manufacturing.test_scoring_worker import forget

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # the message is lost
    assessment = submitted(beta)
    monkeypatch.undo()
    connection.set_schema_to_public()
    try:
        request = ScoringRequest.objects.get(tenant=beta.enterprise, assessment_id=assessment.pk)
        _age("scoring", request.pk)
        sweep_outboxes.delay()  # as beat sends it, every minute
        deadline = time.monotonic() + 30
        while ScoringRequest.objects.get(pk=request.pk).completed_at is None:
            assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-2000:]
            time.sleep(0.1)
        with tenant_context(beta.enterprise):
            assert Assessment.objects.get(pk=assessment.pk).status == "scored"
        assert ScoringRequest.objects.get(pk=request.pk).resends == 1
    finally:
        forget(beta, assessment.pk)


@pytest.mark.worker
def test_a_task_that_enters_its_enterprise_by_id_defers_while_the_schema_is_upgraded(
    celery_worker, committed
):
    """Scoring is sent with the enterprise's id (from public, as the sweeper sends it): entering an
    enterprise being upgraded sends the task again later instead of failing or running in it."""
    from manufacturing.tasks import score_assessment
    from tenants import upgrades
    from tests.conftest import build_enterprise
    from worker.base import DEFERRED

    world = build_enterprise(slug="outbox-defer")
    Enterprise.objects.filter(pk=world.enterprise.pk).update(schema_version=None)
    connection.set_schema_to_public()
    first = score_assessment.apply_async(args=[world.enterprise.pk, 987654321], ignore_result=False)
    assert first.get(timeout=30) == DEFERRED
    assert upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk)) is not None


@pytest.mark.django_db
def test_the_old_sweepers_beat_entries_are_removed_from_an_installation():
    """django-celery-beat never deletes an entry that left `beat_schedule`: the migration does."""
    import importlib

    from django.apps import apps
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.create(name="sweep-listings", task="hall.sweep_listings", interval=every_minute)
    PeriodicTask.objects.create(name="kept", task="core.sweep_outboxes", interval=every_minute)
    importlib.import_module("core.migrations.0002_one_outbox_sweeper").forget_old_sweepers(apps, None)
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {"core.sweep_outboxes"}
    assert not PeriodicTask.objects.filter(task="hall.sweep_listings").exists()


@pytest.mark.django_db
def test_given_up_work_is_sent_again_after_a_restart(alpha, settings, monkeypatch):
    """`manage.py outbox_restart NAME [PK]`: the row's re-sends start from 0 and the next sweep sends it."""
    from io import StringIO

    from django.core.management import call_command

    from manufacturing import tasks

    settings.OUTBOX_MAX_RESENDS = 0  # given up at its first sweep
    sent = []
    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a: sent.append(a))
    assessment = submitted(alpha)
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    sent.clear()
    _age("scoring", request.pk)
    assert _sweep("scoring") == 0
    request.refresh_from_db()
    assert request.gave_up_at is not None
    listing = StringIO()
    call_command("outbox_restart", stdout=listing)
    assert "scoring" in listing.getvalue() and "1 given up" in listing.getvalue()
    settings.OUTBOX_MAX_RESENDS = 1
    out = StringIO()
    call_command("outbox_restart", "scoring", str(request.pk), stdout=out)
    assert "1 row(s) of scoring restarted" in out.getvalue()
    request.refresh_from_db()
    assert (request.resends, request.gave_up_at) == (0, None)
    assert _sweep("scoring") == 1  # no aging needed: restarted rows are due at once
    assert sent == [(alpha.enterprise.pk, assessment.pk)]
    with pytest.raises(Exception, match="No outbox 'nope'"):
        call_command("outbox_restart", "nope")


@pytest.mark.django_db
def test_a_row_restarted_after_it_was_listed_is_not_given_up(alpha, settings, monkeypatch):
    """The give-up claims the row only if it is still undone, spent and stale."""
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a: None)
    settings.OUTBOX_MAX_RESENDS = 0
    assessment = submitted(alpha)
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    _age("scoring", request.pk)
    box = outbox.registered()["scoring"]
    now = timezone.now()
    spent = box.rows.filter(gave_up_at__isnull=True, sent_at__lt=now, resends__gte=0)
    ScoringRequest.objects.filter(pk=request.pk).update(completed_at=now)  # done meanwhile
    assert outbox._give_up(box, spent, request.pk, [alpha.enterprise.pk, assessment.pk], now=now) is False
    request.refresh_from_db()
    assert request.gave_up_at is None


@pytest.mark.django_db
def test_one_notice_per_sweep_however_many_rows_are_given_up(alpha, make_enterprise, settings, monkeypatch):
    from tenants import tasks as provisioning_tasks

    staff = User.objects.create_superuser(email="outbox-op2@example.com", password="x-long-password-1")
    monkeypatch.setattr(provisioning_tasks.provision_enterprise, "delay", lambda *a: None)
    settings.OUTBOX_MAX_RESENDS = 0
    pending = [make_enterprise().enterprise for _ in range(3)]
    Enterprise.objects.filter(pk__in=[e.pk for e in pending]).update(status=Enterprise.Status.PENDING)
    for enterprise in pending:
        _age("provisioning", enterprise.pk)
    _sweep("provisioning")
    assert Enterprise.objects.filter(pk__in=[e.pk for e in pending], gave_up_at__isnull=False).count() == 3
    notices = Notice.objects.filter(user=staff)
    assert notices.count() == 1
    assert "3 of provisioning" in notices.get().text_en


@pytest.mark.django_db
def test_two_sweeps_never_overlap(alpha, monkeypatch):
    from django.core.cache import cache

    from manufacturing import tasks

    sent = []
    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a: sent.append(a))
    assessment = submitted(alpha)
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    sent.clear()
    _age("scoring", request.pk)
    assert cache.add(outbox.SWEEP_LOCK, "1", timeout=60)  # a sweep is running
    try:
        assert outbox.sweep(names={"scoring"}) == {}
        assert sent == []
    finally:
        cache.delete(outbox.SWEEP_LOCK)
    assert _sweep("scoring") == 1


def test_sends_beyond_the_waiting_bound_are_said_once_per_burst(caplog, monkeypatch, settings):
    """Once MAX_WAITING sends wait for the broker, the ones after are left to the sweeper with one
    warning for the burst, not one per send."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    class Down:
        name, task = "down-test", "down.task"

        def send(self, *values):
            raise RedisConnectionError("Connection refused")

    settings.OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS = 60
    retries = outbox._Retries()
    monkeypatch.setattr(retries, "MAX_WAITING", 3)
    monkeypatch.setattr(retries, "FIRST_DELAY", 60)  # the thread sleeps through the test
    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        for value in range(10):
            retries.add(Down(), (value,))
    said = [r.getMessage() for r in caplog.records if "left to the sweeper" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("3 sends wait for the broker; down.task(3,)"), said
    assert retries._dropped == 7 and len(retries._queue) == 3

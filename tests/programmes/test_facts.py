"""The project facts: every change bumps the project's fact version in its transaction and sends the
publish on commit; the task upserts the one fact row and completes only the version it read; a lost
message is re-sent by the sweeper; a real worker publishes."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from programmes import facts
from programmes.models import Programme, Project, ProjectFact
from programmes.tasks import publish_fact
from tests.programmes.conftest import make_programme, make_provider, make_solution


def make_project(world, programme: Programme, **fields) -> Project:
    """A project row as the services leave it (the tests of the facts and reports need no workflow)."""
    enterprise = world.enterprise
    values = {
        "programme": programme,
        "tenant": enterprise,
        "state": Project.State.APPLIED,
        "city_id": enterprise.city_id,
        "province_code": enterprise.city.province_code if enterprise.city_id else "",
        "industry_id": enterprise.industry_id,
        "size": enterprise.revenue_band,
        "before_assessment_id": 1,
        "before_level": 1,
        "before_total": 31.5,
        "before_approved_at": timezone.now() - datetime.timedelta(days=10),
        **fields,
    }
    return Project.objects.create(**values)


def _changed(project: Project, **fields) -> Project:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(project, name, value)
        facts.fact_changed(project)
        project.save()
    return project


@pytest.mark.django_db
def test_a_change_bumps_the_version_in_its_transaction_and_sends_on_commit(
    alpha, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(publish_fact, "delay", lambda *args: sent.append(args))
    project = make_project(alpha, make_programme(cities=("110000",)))
    assert (project.fact_version, project.fact_published) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        _changed(project, state=Project.State.SUBMITTED)
    project.refresh_from_db()
    # The save after fact_changed keeps the bumped version (it is set on the instance too).
    assert project.fact_version == 2 and project.state == "submitted"
    assert sent == [(project.pk,)]
    # A change rolled back sends nothing and leaves the version alone.
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        facts.fact_changed(project)
        raise RuntimeError
    project.refresh_from_db()
    assert project.fact_version == 2 and sent == []


@pytest.mark.django_db
def test_the_publish_upserts_one_row_from_the_project_and_completes_its_version(alpha):
    provider, _user = make_provider("facts")
    solution = make_solution(provider)
    programme = make_programme(cities=("110000",))
    project = make_project(
        alpha,
        programme,
        state=Project.State.GRANTED,
        provider=provider,
        solution=solution,
        contract_amount=Decimal("200000"),
        after_level=3,
        after_total=55.0,
        target_met=True,
        subsidy_granted=Decimal("60000"),
        publish_name=True,
        approved_at=timezone.now(),
    )
    fact = facts.fact_publish(project_id=project.pk)
    assert (fact.project_id, fact.tenant_id, fact.programme_id, fact.state) == (
        project.pk, alpha.enterprise.pk, programme.pk, "granted"
    )  # fmt: skip
    assert (fact.provider_id, fact.solution_id, fact.city_id, fact.industry_id, fact.size) == (
        provider.pk, solution.pk, "110000", "C34", "3m-20m"
    )  # fmt: skip
    assert (fact.before_level, fact.after_level, fact.target_met) == (1, 3, True)
    assert (fact.contract_amount, fact.subsidy_granted) == (Decimal("200000"), Decimal("60000"))
    assert fact.enterprise_name == alpha.enterprise.name and fact.publish_name is True
    project.refresh_from_db()
    assert project.fact_published == project.fact_version == 1

    # Again (a redelivery): the same row.
    facts.fact_publish(project_id=project.pk)
    assert ProjectFact.objects.filter(project_id=project.pk).count() == 1

    # A change: the row follows; the outbox lists the project until it is published.
    _changed(project, publish_name=False, state=Project.State.REFUSED)
    undone = outbox.registered()[facts.OUTBOX].rows
    assert undone.filter(pk=project.pk).exists()
    facts.fact_publish(project_id=project.pk)
    assert not undone.filter(pk=project.pk).exists()
    fact = ProjectFact.objects.get(project_id=project.pk)
    assert (fact.state, fact.publish_name) == ("refused", False)


@pytest.mark.django_db
def test_the_publish_never_moves_the_published_version_back_and_ignores_a_gone_project(alpha):
    project = make_project(alpha, make_programme(cities=("110000",)))
    Project.objects.filter(pk=project.pk).update(fact_version=5, fact_published=5)
    facts.fact_publish(project_id=project.pk)
    project.refresh_from_db()
    assert project.fact_published == 5
    assert facts.fact_publish(project_id=10**12) is None


@pytest.mark.django_db
def test_the_sweeper_resends_a_lost_message(alpha, monkeypatch):
    sent = []
    monkeypatch.setattr(publish_fact, "delay", lambda *args: sent.append(args))
    project = make_project(alpha, make_programme(cities=("110000",)))
    _changed(project, state=Project.State.SUBMITTED)  # no commit here: its message never left
    assert outbox.sweep(names={facts.OUTBOX})[facts.OUTBOX] == 0  # not yet a full wait
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    assert outbox.sweep(names={facts.OUTBOX})[facts.OUTBOX] == 1
    assert (project.pk,) in sent
    project.refresh_from_db()
    assert project.resends == 1
    # A new change starts the row's work again: its re-sends from 0.
    _changed(project, state=Project.State.APPROVED)
    project.refresh_from_db()
    assert (project.resends, project.gave_up_at) == (0, None)


def test_the_task_goes_to_the_publishing_queue():
    from worker.celery import app

    assert publish_fact.name == "programmes.publish_fact"
    route = app.amqp.router.route({}, publish_fact.name)
    assert route["queue"].name == "publishing"


# --- a real worker --------------------------------------------------------------------------------------


@pytest.fixture
def committed_programme(committed):
    programme = make_programme(cities=("110000",), name_zh=f"工人测试{time.time_ns()}")
    yield programme
    ProjectFact.objects.filter(programme=programme).delete()
    Project.objects.filter(programme=programme).delete()
    programme.delete()


def _wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.worker
def test_the_worker_publishes_every_change(alpha, committed_programme, celery_worker):
    project = make_project(alpha, committed_programme)
    _changed(project, state=Project.State.SUBMITTED, contract_amount=Decimal("120000"))
    connection.set_schema_to_public()

    def state():
        return ProjectFact.objects.filter(project_id=project.pk).values_list("state", flat=True).first()

    _wait_for(lambda: state() == "submitted", "the worker did not publish the fact")
    _changed(project, state=Project.State.APPROVED)
    _wait_for(lambda: state() == "approved", "the change was not published")
    _wait_for(
        lambda: Project.objects.filter(pk=project.pk, fact_published=3).exists(), "the version not completed"
    )
    fact = ProjectFact.objects.get(project_id=project.pk)
    assert fact.contract_amount == Decimal("120000") and fact.enterprise_name == alpha.enterprise.name


@pytest.mark.worker
def test_a_lost_message_is_sent_again_by_the_sweeper_to_the_worker(
    alpha, committed_programme, celery_worker, monkeypatch
):
    monkeypatch.setattr(publish_fact, "delay", lambda *args, **kwargs: None)  # the broker lost it
    project = make_project(alpha, committed_programme)
    _changed(project, state=Project.State.SUBMITTED)
    assert not ProjectFact.objects.filter(project_id=project.pk).exists()
    monkeypatch.undo()
    assert outbox.sweep(names={facts.OUTBOX}, older_than_seconds=0)[facts.OUTBOX] >= 1
    _wait_for(
        lambda: ProjectFact.objects.filter(project_id=project.pk, state="submitted").exists(),
        "the sweeper's message was not published",
    )
    _wait_for(
        lambda: Project.objects.filter(pk=project.pk, fact_published=2).exists(), "the version not completed"
    )
    assert Project.objects.get(pk=project.pk).resends == 1

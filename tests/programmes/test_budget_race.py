"""Decisions racing for one budget, on two threads with their own database connections and real
committed transactions: the programme's row lock (and the check constraint behind it) lets exactly one
through; the other gets the 409, and nothing is spent twice.

Projects are created directly as committed rows (the enterprise's services are area C's)."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from core.api import ConflictError
from core.models import Notice
from programmes import budget, decisions
from programmes.models import Programme, Project
from tests.programmes.conftest import make_programme, person
from tests.programmes.test_budget import make_project


@pytest.fixture
def race(committed, alpha, beta):
    """A whole-region admin, a programme and the committed rows to remove afterwards."""
    notices_before = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    admin = person(f"race-{uuid.uuid4().hex[:8]}@example.com", "regional_admin")
    made = {"programmes": []}

    def programme(**fields) -> Programme:
        p = make_programme(cities=("110000", "120000"), **fields)
        made["programmes"].append(p)
        return p

    yield {"admin": admin, "programme": programme, "alpha": alpha, "beta": beta}
    connection.set_schema_to_public()
    for p in made["programmes"]:
        p.events.all().delete()
        p.projects.all().delete()
        # A worker of the session (other tests start one) may have published the projects' facts.
        p.facts.all().delete()
        p.delete()
    Notice.objects.filter(pk__gt=notices_before).delete()
    admin.is_active = False
    admin.save(update_fields=["is_active"])


def run_together(*calls) -> list:
    """Runs each call on its own thread (its own connection), all released at once; returns what each
    returned or the ConflictError it raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except ConflictError as exc:
            results[i] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_two_approvals_with_budget_for_one_approve_exactly_one(race, monkeypatch):
    """Both projects are locked and checked before either locks the programme (a second barrier holds
    each thread just before the programme's lock): the worst interleaving, every time."""
    programme = race["programme"](budget=Decimal("50000"))
    first = make_project(programme, race["alpha"], amount="100000")  # 30,000 each, 50,000 for both
    second = make_project(programme, race["beta"], amount="100000")
    both_checked = threading.Barrier(2)
    locked = budget._locked

    def locked_together(project):
        both_checked.wait(timeout=10)
        return locked(project)

    monkeypatch.setattr(budget, "_locked", locked_together)
    admin = race["admin"]
    results = run_together(
        lambda: decisions.project_approve(admin=admin, project_id=first.pk),
        lambda: decisions.project_approve(admin=admin, project_id=second.pk),
    )
    approved = [r for r in results if isinstance(r, Project)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "20,000.00" in refused[0].message  # what the winner left
    winner = Project.objects.get(pk=approved[0].pk)
    loser = Project.objects.get(pk=(second if winner.pk == first.pk else first).pk)
    assert winner.state == Project.State.APPROVED and winner.subsidy_reserved == Decimal("30000.00")
    assert loser.state == Project.State.SUBMITTED and loser.subsidy_reserved == 0
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.reserved == winner.subsidy_reserved == Decimal("30000.00")
    assert list(programme.events.values_list("project_id", flat=True)) == [winner.pk]


def test_the_same_project_approved_twice_at_once_is_approved_once(race):
    programme = race["programme"]()
    project = make_project(programme, race["alpha"], amount="100000")
    admin = race["admin"]
    results = run_together(*[lambda: decisions.project_approve(admin=admin, project_id=project.pk)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Project"], results
    assert Programme.objects.get(pk=programme.pk).reserved == Decimal("30000.00")
    assert Project.objects.get(pk=project.pk).subsidy_reserved == Decimal("30000.00")
    assert programme.events.count() == 1


def test_the_same_subsidy_granted_twice_at_once_is_granted_once(race):
    programme = race["programme"](reserved=Decimal("30000"))
    project = make_project(
        programme,
        race["alpha"],
        amount="100000",
        state=Project.State.VERIFIED,
        subsidy_reserved=Decimal("30000"),
        after_level=2,
        after_total=50.0,
        target_met=True,
    )
    admin = race["admin"]
    results = run_together(*[lambda: decisions.subsidy_grant(admin=admin, project_id=project.pk)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Project"], results
    programme = Programme.objects.get(pk=programme.pk)
    assert (programme.reserved, programme.granted) == (0, Decimal("30000.00"))
    assert Project.objects.get(pk=project.pk).subsidy_granted == Decimal("30000.00")


def test_a_grant_and_a_refusal_at_once_decide_once(race):
    programme = race["programme"](reserved=Decimal("30000"))
    project = make_project(
        programme,
        race["alpha"],
        amount="100000",
        state=Project.State.VERIFIED,
        subsidy_reserved=Decimal("30000"),
        after_level=2,
        after_total=50.0,
        target_met=True,
    )
    admin = race["admin"]
    results = run_together(
        lambda: decisions.subsidy_grant(admin=admin, project_id=project.pk),
        lambda: decisions.subsidy_refuse(admin=admin, project_id=project.pk, reason="重复"),
    )
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Project"], results
    project = Project.objects.get(pk=project.pk)
    programme = Programme.objects.get(pk=programme.pk)
    assert programme.reserved == 0
    if project.state == Project.State.GRANTED:
        assert programme.granted == Decimal("30000.00")
    else:
        assert project.state == Project.State.REFUSED and programme.granted == 0

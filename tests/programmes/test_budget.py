"""programmes/budget.py: reserve, release and grant under the programme's row lock, and the database's
check constraint as the last word.

Projects are created directly as rows in the states the tests need (the enterprise's services that
make them are area C's); the before-level fields carry plain values."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.api import ConflictError
from programmes import budget
from programmes.models import Programme, Project
from tests.programmes.conftest import make_programme

pytestmark = pytest.mark.django_db


def make_project(programme, world, *, state=Project.State.SUBMITTED, amount="100000", **fields) -> Project:
    """A project row of `world`'s enterprise in `programme`, as the enterprise's services would leave
    it in `state` (a submitted contract of `amount` CNY)."""
    enterprise = world.enterprise if hasattr(world, "enterprise") else world
    now = timezone.now()
    values = {
        "programme": programme,
        "tenant": enterprise,
        "state": state,
        "city_id": enterprise.city_id,
        "province_code": enterprise.city.province_code if enterprise.city_id else "",
        "industry_id": enterprise.industry_id,
        "size": enterprise.revenue_band or "",
        "before_assessment_id": 1,
        "before_level": 1,
        "before_total": 30.0,
        "before_approved_at": now - datetime.timedelta(days=30),
        "contract_amount": Decimal(amount) if amount is not None else None,
        "contract_signed_on": timezone.localdate(),
        "contract_start": timezone.localdate(),
        "contract_end": timezone.localdate() + datetime.timedelta(days=120),
        "submitted_at": now,
        **fields,
    }
    return Project.objects.create(**values)


def fresh(programme) -> Programme:
    return Programme.objects.get(pk=programme.pk)


def reserve(project) -> Decimal:
    with transaction.atomic():
        amount = budget.reserve(project=project)
        project.save()
    return amount


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100000", "30000.00"),  # 30 % of the contract, below the cap
        ("500000", "150000.00"),  # exactly at the cap
        ("500001", "150000.00"),  # above: the cap
        ("2000000", "150000.00"),
        ("333.33", "100.00"),  # to the cent, half up (99.999)
    ],
)
def test_reserve_takes_min_of_share_and_cap(alpha, amount, expected):
    programme = make_programme()  # 30 %, cap 150,000, budget 1,000,000
    project = make_project(programme, alpha, amount=amount)
    assert reserve(project) == Decimal(expected)
    assert fresh(programme).reserved == Decimal(expected)
    assert Project.objects.get(pk=project.pk).subsidy_reserved == Decimal(expected)


def test_reserve_beyond_the_remaining_budget_is_a_409_naming_it_and_changes_nothing(alpha):
    programme = make_programme(budget=Decimal("40000"), reserved=Decimal("15000"))
    project = make_project(programme, alpha, amount="100000")  # subsidy 30,000 > 25,000 left
    with pytest.raises(ConflictError) as caught:
        reserve(project)
    assert "25,000.00" in caught.value.message and "30,000.00" in caught.value.message
    assert caught.value.status_code == 409
    body = caught.value.body()
    assert "25,000.00" in body["messages"]["zh"] and "25,000.00" in body["messages"]["en"]
    assert fresh(programme).reserved == Decimal("15000")
    assert Project.objects.get(pk=project.pk).subsidy_reserved == 0


def test_reserve_of_exactly_what_remains_fits(alpha):
    programme = make_programme(budget=Decimal("45000"), reserved=Decimal("15000"))
    project = make_project(programme, alpha, amount="100000")
    assert reserve(project) == Decimal("30000.00")
    assert fresh(programme).remaining == 0


def test_reserve_needs_a_contract_and_never_twice(alpha):
    programme = make_programme()
    project = make_project(programme, alpha, amount=None)
    with pytest.raises(ConflictError):
        reserve(project)
    project = Project.objects.get(pk=project.pk)
    project.contract_amount = Decimal("1000")
    project.save()
    reserve(project)
    with pytest.raises(ConflictError):
        reserve(project)
    assert fresh(programme).reserved == Decimal("300.00")


def test_release_gives_the_reservation_back(alpha):
    programme = make_programme()
    project = make_project(programme, alpha, amount="200000")
    reserve(project)
    assert fresh(programme).reserved == Decimal("60000.00")
    with transaction.atomic():
        budget.release(project=project)
        project.save()
    assert fresh(programme).reserved == 0
    assert Project.objects.get(pk=project.pk).subsidy_reserved == 0


def test_grant_moves_reserved_to_granted(alpha):
    programme = make_programme()
    project = make_project(programme, alpha, amount="200000")
    reserve(project)
    with transaction.atomic():
        assert budget.grant(project=project) == Decimal("60000.00")
        project.save()
    programme = fresh(programme)
    assert (programme.reserved, programme.granted, programme.remaining) == (
        0,
        Decimal("60000.00"),
        Decimal("940000"),
    )
    project = Project.objects.get(pk=project.pk)
    assert project.subsidy_granted == Decimal("60000.00") and project.subsidy_reserved == 0


def test_the_database_refuses_overspending_whatever_the_code_does():
    """The last word: budget >= reserved + granted is a check constraint."""
    programme = make_programme(budget=Decimal("1000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(reserved=Decimal("600"), granted=Decimal("401"))
    assert fresh(programme).reserved == 0


def test_a_constraint_failure_under_the_lock_is_a_409(alpha, monkeypatch):
    """Were the arithmetic above the constraint wrong, the write fails as a conflict, not a 500."""
    programme = make_programme(budget=Decimal("1000"))
    project = make_project(programme, alpha, amount="1000")  # 300
    monkeypatch.setattr(Programme, "remaining", property(lambda self: Decimal("1000000000")))
    Programme.objects.filter(pk=programme.pk).update(granted=Decimal("800"))
    with pytest.raises(ConflictError):
        reserve(project)
    assert fresh(programme).reserved == 0

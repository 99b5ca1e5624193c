"""The financial cloud with real parts: two institution users answering one application at the same
moment on two database connections, and the worker publishing a request's financing fact (and again
when it is withdrawn). Committed data, cleaned up at the end."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.api import ConflictError
from core.models import Notice
from finance import services
from finance.lending import services as lending
from finance.lending.models import Application, FinancingFact, Institution, InstitutionMember, LoanProduct
from finance.models import FinancingRequest
from tests.conftest import build_enterprise
from tests.manufacturing.test_review import person

pytestmark = pytest.mark.worker


@pytest.fixture
def lender(committed):
    """An institution with two users and one product, committed; removed afterwards."""
    institution = Institution.objects.create(name_zh="并发测试银行", kind="bank")
    users = []
    for n in range(2):
        user = person(f"race-banker-{n}-{time.time_ns()}@example.com", "institution")
        InstitutionMember.objects.create(user=user, institution=institution)
        users.append(user)
    product = LoanProduct.objects.create(
        institution=institution, name_zh="并发测试贷", amount_min=Decimal("1"), amount_max=Decimal("9000000"),
        term_min=1, term_max=120, rate_min=Decimal("3"), rate_max=Decimal("5"), collaterals=["none"],
    )  # fmt: skip
    yield {"institution": institution, "users": users, "product": product}
    Application.objects.filter(product=product).delete()
    product.delete()
    InstitutionMember.objects.filter(institution=institution).delete()
    institution.delete()
    Notice.objects.filter(user__in=users).delete()
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])


def _submitted(world) -> FinancingRequest:
    with tenant_context(world.enterprise):
        return FinancingRequest.objects.create(
            amount=Decimal("2000000"), term_months=24, purpose="digital", collateral="none",
            wanted_by=timezone.localdate() + datetime.timedelta(days=30), created_by=world.owner,
            status=FinancingRequest.Status.SUBMITTED, submitted_at=timezone.now(),
        )  # fmt: skip


def test_two_answers_racing_one_wins_the_other_gets_409(lender):
    world = build_enterprise(slug="finrace", city="130600", industry="C34", seed=9402)
    request = _submitted(world)
    with tenant_context(world.enterprise):
        application = lending.apply(
            enterprise=world.enterprise, user=world.owner, request_id=request.pk,
            product_id=lender["product"].pk, consent=True, share=[],
        )  # fmt: skip
    connection.set_schema_to_public()
    barrier = threading.Barrier(2)
    results = []
    answers = [
        {"action": "approve", "amount": "1000000", "rate": "3.5", "term": "24"},
        {"action": "decline", "message": "Outside our appetite"},
    ]

    def answer(n):
        try:
            barrier.wait(timeout=10)
            lending.respond(user=lender["users"][n], application_id=application.pk, **answers[n])
            results.append(answers[n]["action"])
        except ConflictError:
            results.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2 and results.count("409") == 1
    winner = next(r for r in results if r != "409")
    application.refresh_from_db()
    assert application.status == {"approve": "approved", "decline": "declined"}[winner]
    assert [e.action for e in application.events.all()] == ["applied", winner]


def test_the_worker_publishes_the_financing_fact_and_its_withdrawal(lender, celery_worker):
    world = build_enterprise(slug="finwork", city="130600", industry="C34", seed=9403)
    with tenant_context(world.enterprise):
        request = FinancingRequest.objects.create(
            amount=Decimal("750000"), term_months=12, purpose="green", collateral="none",
            wanted_by=timezone.localdate() + datetime.timedelta(days=30), created_by=world.owner,
        )  # fmt: skip
        services.request_submit(
            request_id=request.pk, enterprise=world.enterprise
        )  # commits: no test transaction
        with transaction.atomic():
            lending.apply(
                enterprise=world.enterprise, user=world.owner, request_id=request.pk,
                product_id=lender["product"].pk, consent=True, share=[],
            )  # fmt: skip
    connection.set_schema_to_public()

    def fact_status():
        return FinancingFact.objects.filter(tenant=world.enterprise).values_list("status", flat=True).first()

    deadline = time.monotonic() + 30
    while fact_status() != "submitted":
        assert time.monotonic() < deadline, "the worker did not publish the financing fact"
        time.sleep(0.1)
    fact = FinancingFact.objects.get(tenant=world.enterprise)
    assert (fact.city_id, fact.industry_id, fact.amount, fact.amount_band, fact.purpose) == (
        "130600", "C34", Decimal("750000.00"), "lt1m", "green"
    )  # fmt: skip

    with tenant_context(world.enterprise):
        services.request_withdraw(request_id=request.pk, enterprise=world.enterprise, user=world.owner)
    connection.set_schema_to_public()
    deadline = time.monotonic() + 30
    while fact_status() != "withdrawn":
        assert time.monotonic() < deadline, "the withdrawal was not published"
        time.sleep(0.1)
    application = Application.objects.get(tenant=world.enterprise)
    assert application.status == "withdrawn"
    assert [e.action for e in application.events.all()] == ["applied", "withdrawn"]
    assert Notice.objects.filter(user__in=lender["users"], text_en__contains="withdrawn").count() == 2
    assert FinancingFact.objects.filter(tenant=world.enterprise).count() == 1  # the same row, updated


def test_a_lost_publishing_message_is_sent_again_by_the_sweeper(lender, celery_worker, monkeypatch):
    from core.outbox import sweep
    from finance.lending.models import FinancingOutbox
    from finance.lending.tasks import publish_financing

    world = build_enterprise(slug="finlost", city="130600", industry="C34", seed=9404)
    monkeypatch.setattr(publish_financing, "delay", lambda *args, **kwargs: None)  # the broker lost it
    with tenant_context(world.enterprise):
        request = FinancingRequest.objects.create(
            amount=Decimal("300000"), term_months=6, purpose="working_capital", collateral="none",
            wanted_by=timezone.localdate() + datetime.timedelta(days=30), created_by=world.owner,
        )  # fmt: skip
        services.request_submit(request_id=request.pk, enterprise=world.enterprise)
    connection.set_schema_to_public()
    outbox = FinancingOutbox.objects.get(tenant=world.enterprise, request_id=request.pk)
    assert outbox.completed_at is None and not FinancingFact.objects.filter(tenant=world.enterprise).exists()
    monkeypatch.undo()
    assert sweep(names={"financing-facts"}, older_than_seconds=0)["financing-facts"] >= 1
    deadline = time.monotonic() + 30
    while not FinancingFact.objects.filter(tenant=world.enterprise).exists():
        assert time.monotonic() < deadline, "the sweeper's message was not published"
        time.sleep(0.1)
    deadline = time.monotonic() + 10
    while FinancingOutbox.objects.get(pk=outbox.pk).completed_at is None:
        assert time.monotonic() < deadline, "the outbox row was not completed"
        time.sleep(0.1)
    assert FinancingOutbox.objects.get(pk=outbox.pk).resends == 1

"""Booth copies on the real worker: published by the task sent after commit, sent again by the
sweeper when the message was lost. Committed data, cleaned up at the end."""

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import outbox
from exhibition import booths
from exhibition.hall.models import BoothListing, Exhibition, Section
from exhibition.hall.tasks import publish_booth
from exhibition.models import Product
from tests.conftest import build_enterprise

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_fair(committed):
    today = timezone.localdate()
    exhibition = Exhibition.objects.create(
        name_zh="工人测试展", status="open", starts_on=today + datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=4), registration_deadline=today + datetime.timedelta(days=2),
    )  # fmt: skip
    section = Section.objects.create(exhibition=exhibition, name_zh="装备")
    yield exhibition, section
    BoothListing.objects.filter(exhibition=exhibition).delete()


def _wait(predicate, what):
    deadline = time.monotonic() + 30
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _booth(world, exhibition, section):
    with tenant_context(world.enterprise):
        product = Product.objects.create(name_zh="测试机床", industry_id="C34", created_by=world.owner)
        booth = booths.booth_register(
            enterprise=world.enterprise, exhibition_id=exhibition.pk, section_id=section.pk, user=world.owner
        )
        booth.featured.add(product)
    connection.set_schema_to_public()
    return booth


def test_the_worker_copies_a_published_booth_and_unpublishing_removes_it(committed_fair, celery_worker):
    exhibition, section = committed_fair
    world = build_enterprise(slug="hallwork", city="130600", industry="C34", seed=9501)
    booth = _booth(world, exhibition, section)
    with tenant_context(world.enterprise):
        booths.booth_publish(
            booth_id=booth.pk, enterprise=world.enterprise, user=world.owner
        )  # commits; the task follows
    connection.set_schema_to_public()
    _wait(lambda: BoothListing.objects.filter(tenant=world.enterprise, live=True).exists(), "no copy")
    listing = BoothListing.objects.get(tenant=world.enterprise)
    assert (listing.published, listing.city_id, listing.products.count()) == (1, "130600", 1)
    with tenant_context(world.enterprise):
        booths.booth_unpublish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
    connection.set_schema_to_public()
    assert not BoothListing.objects.filter(tenant=world.enterprise).exists()


def test_a_lost_copy_message_is_sent_again_by_the_sweeper(committed_fair, celery_worker, monkeypatch):
    exhibition, section = committed_fair
    world = build_enterprise(slug="hallost", city="130600", industry="C34", seed=9502)
    booth = _booth(world, exhibition, section)
    monkeypatch.setattr(publish_booth, "delay", lambda *args, **kwargs: None)  # the broker lost it
    with tenant_context(world.enterprise):
        booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
    connection.set_schema_to_public()
    assert not BoothListing.objects.get(tenant=world.enterprise).live
    monkeypatch.undo()
    assert outbox.sweep(names={"hall-publishing"}, older_than_seconds=0)["hall-publishing"] >= 1
    _wait(lambda: BoothListing.objects.filter(tenant=world.enterprise, live=True).exists(), "not re-sent")


def test_an_inquiry_is_delivered_once_even_when_its_message_comes_twice(
    committed_fair, celery_worker, monkeypatch
):
    from exhibition.hall import buyers
    from exhibition.hall.models import Inquiry
    from exhibition.hall.publishing import listing_publish
    from exhibition.hall.tasks import deliver_inquiry
    from exhibition.models import Lead
    from tests.manufacturing.test_review import person

    exhibition, section = committed_fair
    world = build_enterprise(slug="hallinq", city="130600", industry="C34", seed=9503)
    booth = _booth(world, exhibition, section)
    with tenant_context(world.enterprise):
        booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
    connection.set_schema_to_public()
    listing = listing_publish(tenant_id=world.enterprise.pk, booth_id=booth.pk)
    buyer = person(f"worker-buyer-{time.time_ns()}@example.com", "")
    monkeypatch.setattr(deliver_inquiry, "delay", lambda *args, **kwargs: None)  # lost on the way
    inquiry = buyers.inquiry_send(buyer=buyer, listing_id=listing.pk, message="Lead time for 50 units?")
    monkeypatch.undo()
    # sent again by the sweeper
    assert outbox.sweep(names={"inquiry-delivery"}, older_than_seconds=0)["inquiry-delivery"] >= 1
    # as redelivered messages would be (the platform ignores results; this test reads them)
    again = [deliver_inquiry.apply_async((inquiry.pk,), ignore_result=False) for _ in range(2)]
    for result in again:
        result.get(timeout=30)  # both have run on the worker before the count below
    _wait(lambda: Inquiry.objects.get(pk=inquiry.pk).delivered_at is not None, "not delivered")
    with tenant_context(world.enterprise):
        assert list(Lead.objects.values_list("inquiry_id", "message")) == [
            (inquiry.pk, "Lead time for 50 units?")
        ]
    connection.set_schema_to_public()
    buyer.is_active = False
    buyer.save(update_fields=["is_active"])

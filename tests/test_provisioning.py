"""Provisioning on the real worker: clone, success, failure with reason, safe retries, no half-made tenant."""

import datetime
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from tenants import registration
from tenants.members.models import Membership, Role
from tenants.models import Enterprise, Industry, Region
from tests.conftest import PASSWORD
from tests.uscc_examples import VALID

# Not django_db: these tests commit (the `committed` fixture), so the worker sees their data.
pytestmark = [pytest.mark.worker]

_codes = iter(VALID[80:])


def register(name_en: str, *, provision_async: bool = True) -> Enterprise:
    return registration.enterprise_register(
        name="测试供应链有限公司",
        name_en=name_en,
        credit_code=next(_codes),
        city=Region.objects.get(code="130600"),
        district=None,
        industry=Industry.objects.get(code="C38"),
        employees=80,
        revenue_band="3m-20m",
        contact_phone="+8613800138000",
        owner_email=f"{name_en}@example.com",
        owner_name="Owner",
        password=PASSWORD,
        accept_terms=None,
        send_emails=False,
        provision_async=provision_async,
    )


def wait_for(enterprise: Enterprise, status: str, timeout: float = 30) -> Enterprise:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        enterprise.refresh_from_db()
        if enterprise.status == status:
            return enterprise
        time.sleep(0.1)
    raise AssertionError(f"status {enterprise.status!r}, wanted {status!r}: {enterprise.status_reason}")


def test_api_registration_is_provisioned_by_the_worker(celery_worker, committed):
    client = Client(HTTP_HOST="localhost")
    body = {
        "name": "唐山智造装备有限公司",
        "name_en": "Tangshan Smart Equipment",
        "credit_code": next(_codes),
        "city": "130200",
        "industry": "C35",
        "employees": 300,
        "revenue_band": "20m-400m",
        "contact_phone": "0315-2345678",
        "owner_name": "赵工",
        "owner_email": "tangshan@example.com",
        "password": PASSWORD,
        "accept_terms": True,
    }
    response = client.post("/api/v1/registrations/", body, content_type="application/json")
    assert response.status_code == 202, response.json()
    status_url = response.json()["status_url"]
    deadline = time.monotonic() + 30
    while client.get(status_url).json()["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
    final = client.get(status_url).json()
    assert final["status"] == "ready", final
    assert final["workspace_url"] == "http://tangshan-smart-equipment.localhost:8000/"

    enterprise = Enterprise.objects.get(registration_id=final["id"])
    assert schema_exists(enterprise.schema_name)
    with tenant_context(enterprise):
        assert list(Membership.objects.values_list("user__email", "role")) == [
            ("tangshan@example.com", Role.OWNER)
        ]
    # The owner signs in on the new host.
    workspace = Client(HTTP_HOST=response.json()["domain"])
    login = workspace.post("/login/", {"username": "tangshan@example.com", "password": PASSWORD})
    assert login.status_code == 302
    assert workspace.get("/").status_code == 200


def test_failure_keeps_the_reason_and_retry_succeeds(celery_worker, committed):
    enterprise = register("failing-owner", provision_async=False)
    enterprise.owner.is_active = False
    enterprise.owner.save(update_fields=["is_active"])
    from tenants.tasks import provision_enterprise

    assert provision_enterprise.apply_async((enterprise.pk,), ignore_result=False).get(timeout=30) == "failed"
    enterprise = wait_for(enterprise, "failed")
    assert "deactivated" in enterprise.status_reason
    assert not schema_exists(enterprise.schema_name)

    enterprise.owner.is_active = True
    enterprise.owner.save(update_fields=["is_active"])
    client = Client(HTTP_HOST="localhost")
    url = f"/api/v1/registrations/{enterprise.registration_id}/retry/"
    # Retried twice at once: both accepted, one workspace, one owner membership.
    assert client.post(url).status_code == 202
    assert client.post(url).status_code == 202
    enterprise = wait_for(enterprise, "ready")
    time.sleep(0.5)  # let a second delivery (if any) finish
    with tenant_context(enterprise):
        assert Membership.objects.count() == 1
    assert enterprise.provisioning_attempts >= 2


def test_a_crash_mid_provisioning_leaves_nothing_and_a_retry_works(celery_worker, committed, monkeypatch):
    """The clone and the membership commit together: an exception after the clone (as when a
    worker dies) rolls the schema back, so nothing blocks the next attempt."""
    from tenants.members import services as member_services

    enterprise = register("crashing", provision_async=False)

    def crash(**kwargs):
        raise SystemError("worker lost")

    monkeypatch.setattr(member_services, "member_add", crash)
    with pytest.raises(SystemError):
        registration.enterprise_provision(enterprise_id=enterprise.pk)
    connection.set_schema_to_public()
    enterprise.refresh_from_db()
    assert enterprise.status == "pending"
    assert not schema_exists(enterprise.schema_name)
    monkeypatch.undo()

    from tenants.tasks import provision_enterprise

    assert provision_enterprise.apply_async((enterprise.pk,), ignore_result=False).get(timeout=30) == "ready"


def test_a_leftover_schema_is_replaced(celery_worker, committed):
    enterprise = register("leftover", provision_async=False)
    with connection.cursor() as cursor:  # as if an attempt outside a transaction had left it
        cursor.execute(f'CREATE SCHEMA "{enterprise.schema_name}"')
        cursor.execute(f'CREATE TABLE "{enterprise.schema_name}".junk (id int)')
    from tenants.tasks import provision_enterprise

    assert provision_enterprise.apply_async((enterprise.pk,), ignore_result=False).get(timeout=30) == "ready"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = 'junk'",
            [enterprise.schema_name],
        )
        assert cursor.fetchone()[0] == 0


def test_running_provisioning_twice_changes_nothing(committed):
    enterprise = register("twice", provision_async=False)
    first = registration.enterprise_provision(enterprise_id=enterprise.pk)
    second = registration.enterprise_provision(enterprise_id=enterprise.pk)
    assert first.status == second.status == "ready"
    with tenant_context(second):
        assert Membership.objects.count() == 1


def test_sweeper_resends_a_lost_registration(celery_worker, committed):
    enterprise = register("lost-message", provision_async=False)  # as if the message never arrived
    Enterprise.objects.filter(pk=enterprise.pk).update(
        modified=enterprise.modified - __import__("datetime").timedelta(minutes=5)
    )
    from core.tasks import sweep_outboxes

    sweep_outboxes.delay()  # the one sweeper, on the real worker
    wait_for(enterprise, "ready")


@pytest.mark.django_db
def test_a_clone_is_the_template_object_for_object_and_row_for_row():
    """Columns and defaults, every constraint, index and trigger by name and definition, sequence
    positions, and the migration records, timestamps and all (migrating, or faking, would have
    stamped them now)."""
    from tenants import schema

    version = schema.schema_clone(schema_name="ent_clone_check")
    assert version == schema.code_version()
    template = schema.schema_signature("tenant_template")
    clone = schema.schema_signature("ent_clone_check")
    assert len(template["relations"]) > 40 and len(template["triggers"]) >= 19
    assert len(template["constraints"]) > 20 and template["rows"]["django_migrations"]
    for part in template:
        assert clone[part] == template[part], part


def test_a_provisioned_enterprise_records_its_schema_state(committed):
    from tenants import schema

    enterprise = register("clone-check", provision_async=False)
    registration.enterprise_provision(enterprise_id=enterprise.pk)
    enterprise.refresh_from_db()
    assert enterprise.schema_version == schema.code_version()
    with tenant_context(enterprise):
        assert list(Membership.objects.values_list("user_id", "role")) == [(enterprise.owner_id, Role.OWNER)]


@pytest.mark.django_db
def test_an_out_of_date_template_refuses_instead_of_faking(make_enterprise):
    """With the template behind the code (its state's row says so), a clone would lack tables the
    code needs: provisioning must stop with a clear reason rather than make such a schema."""
    from tenants import schema
    from tenants.models import SchemaVersion

    current = schema.code_version()
    newer = SchemaVersion.objects.create(fingerprint="f" * 64, leaf_nodes=["members.9999_future"])
    schema.forget()
    schema._cache["version"] = newer  # this process now runs "newer code" than the template
    try:
        with pytest.raises(schema.TemplateOutOfDate):
            schema.schema_clone(schema_name="ent_never_made")
        enterprise = register("stale-template", provision_async=False)
        with pytest.raises(registration.ProvisioningError) as excinfo:
            registration.enterprise_provision(enterprise_id=enterprise.pk)
        assert "setup_platform" in str(excinfo.value)
    finally:
        schema.forget()
    assert schema.code_version() == current


def test_the_sweeper_waits_a_full_interval_between_sends(committed):
    enterprise = register("sweep-spacing", provision_async=False)
    Enterprise.objects.filter(pk=enterprise.pk).update(
        modified=enterprise.modified - datetime.timedelta(minutes=5)
    )
    from core import outbox

    assert outbox.sweep(names={"provisioning"})["provisioning"] >= 1
    # Sent and stamped: a second sweep right away leaves it alone.
    assert enterprise.pk not in _resent_now()
    assert Enterprise.objects.get(pk=enterprise.pk).resends == 1


def _resent_now() -> set[int]:
    from django.conf import settings
    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    return set(Enterprise.objects.filter(status="pending", modified__lt=cutoff).values_list("pk", flat=True))


@pytest.mark.django_db
def test_provisioning_adds_to_the_registration_cells_exactly_as_a_recount(make_enterprise):
    """Each provisioning adds its enterprise to the report cells (+1, not a recount of the city):
    the cells must equal what a full rebuild counts."""
    from reports import rollup
    from reports.models import RegisteredCell

    for city, industry in (("130600", "C38"), ("130600", "C38"), ("130600", "C34"), ("120000", "C38")):
        make_enterprise(city=city, industry=industry)

    def cells():
        return {(c.city, c.industry, c.size, c.quarter): c.n for c in RegisteredCell.objects.filter(n__gt=0)}

    incremental = cells()
    assert incremental[("130600", "C38", "3m-20m", rollup.quarter_of(timezone.now()))] >= 2
    rollup.rebuild()
    assert cells() == incremental

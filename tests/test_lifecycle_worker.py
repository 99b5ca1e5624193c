"""Erasing a closed enterprise on committed data, as in production: by the beat's task on the real
worker (schema, files and private rows gone; the published facts stay de-identified and the reports
sum the same; a second run changes nothing), and an erase that dies midway finished by the next run.
No test transaction here (the `committed` fixture): the worker must see the data."""

import datetime

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.api import ConflictError
from core.models import AuditEvent
from exhibition.hall.models import BoothListing, ExhibitionFact, ListingProduct
from tenants import lifecycle
from tenants.models import Domain, Enterprise
from tests.conftest import PASSWORD
from tests.exhibition.test_booths import exhibit


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _cells() -> dict:
    from reports.models import RegisteredCell, VerifiedCell

    def rows(model):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        return sorted(tuple(row) for row in model.objects.values_list(*fields))

    return {"verified": rows(VerifiedCell), "registered": rows(RegisteredCell)}


def _facts(enterprise_id: int) -> dict:
    from finance.lending.models import FinancingFact
    from manufacturing.review.models import AssessmentFact

    return {
        "assessment": list(
            AssessmentFact.objects.filter(tenant_id=enterprise_id).values_list(
                "assessment_id", "total", "level", "city_id", "industry_id", "size"
            )
        ),
        "financing": FinancingFact.objects.filter(tenant_id=enterprise_id).count(),
        "exhibition": list(
            ExhibitionFact.objects.filter(tenant_id=enterprise_id).values_list(
                "booth_id", "first_published_at", "inquiries", "meetings", "city_id", "size"
            )
        ),
    }


@pytest.mark.worker
def test_after_the_grace_period_the_worker_erases_all_but_the_de_identified_facts(
    committed, celery_worker, fair
):
    import time

    from manufacturing.review import assignments, publishing, workbench
    from manufacturing.review.models import AssessmentFact, ReviewCase
    from reports import rollup
    from tenants.members import services as member_services
    from tenants.services import user_create
    from tenants.tasks import erase_closed_enterprises
    from tests.conftest import build_enterprise
    from tests.manufacturing.test_review import case_of, scored

    world = build_enterprise(slug=f"erase{int(time.time() * 1000) % 10_000_000}")
    enterprise = world.enterprise
    stamp = enterprise.pk
    member = user_create(email=f"erase-member-{stamp}@example.com", password=PASSWORD, name="Member")
    member_services.member_add(enterprise=enterprise, user=member, role="member", invited_by=world.owner)
    admin = user_create(
        email=f"erase-admin-{stamp}@example.com", password=PASSWORD, name="A", platform_role="regional_admin"
    )
    assessor = user_create(
        email=f"erase-assessor-{stamp}@example.com", password=PASSWORD, name="S", platform_role="assessor"
    )
    assessment = scored(world)
    assignment = assignments.assign(
        admin=admin, case_id=case_of(world, assessment).pk, assessor_id=assessor.pk
    )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    publishing.publish(tenant_id=enterprise.pk, assessment_id=assessment.pk)
    _booth, listing = exhibit(world, fair, name_zh="伺服电机", name_en="Servo", tags=[], image=True)
    thumbnails = list(ListingProduct.objects.filter(listing=listing).values_list("thumbnail", flat=True))
    assert thumbnails and all(default_storage.exists(name) for name in thumbnails if name)
    folder = f"tenants/{enterprise.schema_name}"
    assert default_storage.listdir(folder)[0]  # the product pictures are there
    domains = list(Domain.objects.filter(tenant=enterprise).values_list("domain", flat=True))
    facts, cells = _facts(enterprise.pk), _cells()
    assert facts["assessment"] and facts["exhibition"]
    from core.models import Notice

    # the assessor was told the enterprise's name, with a link on the public site (not its host)
    assert Notice.objects.filter(user=assessor, text_en__contains=enterprise.name_en).exists()

    lifecycle.enterprise_close(
        enterprise=enterprise,
        actor=world.owner,
        reason="moving away",
        now=timezone.now() - datetime.timedelta(days=settings.ENTERPRISE_CLOSE_GRACE_DAYS + 1),
    )
    erase_closed_enterprises.delay()  # what the beat sends hourly; it sends one erase per enterprise due
    deadline = time.monotonic() + 60
    while Enterprise.objects.get(pk=enterprise.pk).lifecycle != "closed":
        assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-3000:]
        time.sleep(0.3)

    tomb = Enterprise.objects.get(pk=enterprise.pk)
    assert (tomb.name, tomb.name_en) == lifecycle.pseudonym(enterprise.pk)
    assert tomb.credit_code == lifecycle.credit_code_hash(enterprise.credit_code) != enterprise.credit_code
    assert tomb.contact_phone == "" and tomb.slug == f"closed-{enterprise.pk}" and tomb.erased_at
    assert (tomb.city_id, tomb.industry_id, tomb.revenue_band) == (
        enterprise.city_id,
        enterprise.industry_id,
        enterprise.revenue_band,
    )
    assert not _schema_exists(enterprise.schema_name)
    assert not default_storage.exists(folder)
    assert not any(default_storage.exists(name) for name in thumbnails if name)
    assert not Domain.objects.filter(domain__in=domains).exists()
    assert not tomb.user_set.exists()
    assert not BoothListing.objects.filter(tenant=enterprise).exists()
    assert not ReviewCase.objects.filter(tenant=enterprise).exists()
    assert not Notice.objects.filter(user=assessor).exists()  # review finding 5: nothing names it
    assert Client(HTTP_HOST=world.host).get("/").status_code == 404
    # the facts stay, de-identified, and the reports sum the same, even rebuilt from them
    assert _facts(enterprise.pk) == facts
    names = set(
        AssessmentFact.objects.filter(tenant=enterprise).values_list("enterprise_name", "enterprise_name_en")
    )
    assert names == {lifecycle.pseudonym(enterprise.pk)}
    assert _cells() == cells
    rollup.rebuild()
    assert _cells() == cells
    assert AuditEvent.objects.filter(tenant=enterprise, action=lifecycle.Action.ERASED).count() == 1
    # the owner and the member are still people of the platform, in no enterprise
    assert not member.tenants.exclude(schema_name="public").exists()

    # a second run (a redelivered message, the next beat) changes nothing
    events = AuditEvent.objects.count()
    assert lifecycle.enterprise_erase(enterprise_id=enterprise.pk) is False
    assert erase_closed_enterprises() == 0  # nothing due any more
    assert AuditEvent.objects.count() == events
    assert Enterprise.objects.get(pk=enterprise.pk).erased_at == tomb.erased_at
    _hall_cleanup(fair)
    # committed: these platform users must not show in later tests' lists of assessors and admins
    type(admin).objects.filter(pk__in=[admin.pk, assessor.pk]).update(platform_role="", is_active=False)


def _hall_cleanup(fair) -> None:
    """Committed tests leave the hall as it was for later tests (raw deletes: the ORM's cascade
    would look for the booths in the public schema)."""
    from exhibition.hall.models import Exhibition, Section
    from tests.conftest import references_checked

    with references_checked():
        ExhibitionFact.objects.filter(exhibition=fair["exhibition"]).delete()
        Section.objects.filter(exhibition=fair["exhibition"])._raw_delete("default")
        Exhibition.objects.filter(pk=fair["exhibition"].pk)._raw_delete("default")


def test_an_erase_that_dies_midway_is_finished_by_the_next_run(committed, fair, monkeypatch):
    """Committed, as in production (inside a test's transaction the schema's fresh rows would hold
    pending trigger events that forbid dropping it)."""
    import time

    from django.db.models.deletion import Collector

    from tests.conftest import build_enterprise

    world = build_enterprise(slug=f"dies{int(time.time() * 1000) % 10_000_000}")
    _booth, listing = exhibit(world, fair, name_zh="伺服电机", name_en="Servo", tags=[], image=True)
    lifecycle.enterprise_close(
        enterprise=world.enterprise,
        actor=None,
        reason="gone",
        now=timezone.now() - datetime.timedelta(days=settings.ENTERPRISE_CLOSE_GRACE_DAYS + 1),
    )

    def dies(self):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(Collector, "delete", dies)
    with pytest.raises(RuntimeError):
        lifecycle.enterprise_erase(enterprise_id=world.enterprise.pk)
    # "erasing" was committed first, then the files went; the rest rolled back: its schema and
    # rows still there, and nothing can reopen it (its files are gone)
    assert not default_storage.exists(f"tenants/{world.enterprise.schema_name}")
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "erasing"
    with pytest.raises(ConflictError):
        lifecycle.enterprise_reopen(enterprise=world.enterprise, actor=None, reason="too late")
    assert world.enterprise.pk in lifecycle.erase_due()  # the next beat resumes it
    assert (
        _schema_exists(world.enterprise.schema_name) and BoothListing.objects.filter(pk=listing.pk).exists()
    )
    monkeypatch.undo()
    assert lifecycle.enterprise_erase(enterprise_id=world.enterprise.pk) is True
    assert not _schema_exists(world.enterprise.schema_name)
    assert not BoothListing.objects.filter(pk=listing.pk).exists()
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "closed"
    assert lifecycle.enterprise_erase(enterprise_id=world.enterprise.pk) is False
    _hall_cleanup(fair)

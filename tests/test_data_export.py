"""An enterprise's data export (core/data_export.py, tenants/data_export.py): every tenant-schema
model is exported or excluded with a reason; the zip holds every area's rows, the files byte for byte
and a README; owners only; no enterprise reaches another's export; progress is kept; expired
exports are gone; a failed or interrupted export ends failed or is finished, never stuck."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import shutil
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core import data_export as kernel
from core.models import AuditEvent, DataExportOutbox
from tenants import data_export
from tenants.members.models import DataExport, Role
from tests.test_members import add_member

PDF = b"%PDF-1.4\n% evidence \xe2\x9c\x93\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.DATA_EXPORT_ROOT = tmp_path / "exports"


def populate(world) -> dict[str, bytes]:
    """A row in every tenant-schema table of the enterprise, some public rows of its own, and two
    stored files. Returns the files' storage names and contents."""
    from exhibition.hall.models import Exhibition, MeetingSlot, Section
    from exhibition.models import Booth, FeaturedProduct, Lead, Product, ProductImage
    from finance.models import FinancialStatement, FinancingRequest
    from manufacturing.frameworks.models import Framework
    from manufacturing.models import Answer, Assessment, AuditDetail, Comment, Evidence, Override
    from manufacturing.review.models import ReviewCase
    from tenants.members.models import Activity, Invitation

    schema = world.enterprise.schema_name
    files = {
        f"tenants/{schema}/evidence/1/e.pdf": PDF,
        f"tenants/{schema}/products/1/p.jpg": JPEG,
    }
    for name, content in files.items():
        default_storage.delete(name)
        assert default_storage.save(name, ContentFile(content)) == name
    now = timezone.now()
    framework = Framework.objects.get(is_default=True)
    exhibition = Exhibition.objects.create(
        name_zh=f"导出测试展{world.enterprise.pk}",
        status="open",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        registration_deadline=timezone.localdate(),
    )
    section = Section.objects.create(exhibition=exhibition, name_zh="装备")
    with tenant_context(world.enterprise):
        owner = world.owner
        a = Assessment.objects.create(
            framework=framework, created_by=owner, pledge_signed_by=owner, pledge_signed_at=now
        )
        Answer.objects.create(assessment=a, key="q1", value={"option": "a"}, updated_by=owner)
        Evidence.objects.create(
            assessment=a,
            question_key="q1",
            file=f"tenants/{schema}/evidence/1/e.pdf",
            original_name="证明.pdf",
            content_type="application/pdf",
            size=len(PDF),
            uploaded_by=owner,
        )
        Override.objects.create(
            assessment=a, key="q1", value={"option": "b"}, reason="=1+1 公式", created_by=owner
        )
        Comment.objects.create(assessment=a, key="q1", text="请补充", author=owner)
        AuditDetail.objects.create(event_id=10_000_000 + world.enterprise.pk, old=None, new={"x": 1})
        FinancialStatement.objects.create(
            year=2025,
            revenue=Decimal("12345678.90"),
            operating_cost=1,
            net_profit=1,
            total_assets=1,
            total_liabilities=1,
            rd_spend=1,
            employees=9,
            updated_by=owner,
        )
        FinancingRequest.objects.create(
            amount=Decimal("2000000"),
            term_months=12,
            purpose="digital",
            collateral="none",
            wanted_by=timezone.localdate(),
            created_by=owner,
        )
        product = Product.objects.create(
            name_zh="数控机床", industry=world.enterprise.industry, created_by=owner
        )
        ProductImage.objects.create(
            product=product,
            image=f"tenants/{schema}/products/1/p.jpg",
            thumbnail=f"tenants/{schema}/products/1/p.jpg",
            original_name="p.jpg",
            width=1,
            height=1,
        )
        booth = Booth.objects.create(exhibition_id=exhibition.pk, section_id=section.pk, created_by=owner)
        FeaturedProduct.objects.create(booth=booth, product=product)
        Lead.objects.create(
            inquiry_id=90_000_000 + world.enterprise.pk,
            buyer_name="买家",
            buyer_email="b@example.com",
            message="询价",
            received_at=now,
        )
        Invitation.objects.create(
            email="x@example.com",
            role=Role.MEMBER,
            invited_by=owner,
            expires_at=now + datetime.timedelta(days=1),
        )
        Activity.objects.create(actor=owner, action=Activity.Action.INVITED, subject="x@example.com")
        assessment_id = a.pk
    ReviewCase.objects.create(
        tenant=world.enterprise,
        assessment_id=assessment_id,
        framework=framework,
        self_total=70,
        self_level=3,
        submitted_at=now,
    )
    MeetingSlot.objects.create(
        tenant=world.enterprise, starts_at=now, ends_at=now + datetime.timedelta(hours=1)
    )
    return files


def unpopulate(world, files, *, rows: bool = True) -> None:
    """Removes the files, and the rows of a committed enterprise (a test transaction's roll back)."""
    from exhibition.hall.models import Exhibition, MeetingSlot
    from manufacturing.review.models import ReviewCase

    for name in files:
        default_storage.delete(name)
    shutil.rmtree(settings.MEDIA_ROOT / "tenants" / world.enterprise.schema_name, ignore_errors=True)
    if not rows:
        return
    ReviewCase.objects.filter(tenant=world.enterprise).delete()
    MeetingSlot.objects.filter(tenant=world.enterprise).delete()
    from exhibition.models import Booth
    from tests.conftest import references_checked

    # The enterprise's booth points at the exhibition: it goes first.

    with tenant_context(world.enterprise), references_checked():
        Booth.objects.all().delete()
        Exhibition.objects.filter(name_zh=f"导出测试展{world.enterprise.pk}").delete()


def tenant_models() -> list[str]:
    return [
        model._meta.label
        for label in settings.TENANT_APPS
        for model in apps.get_app_config(label.rsplit(".", 1)[-1]).get_models()
    ]


def test_every_tenant_schema_model_is_exported_or_excluded_with_a_reason():
    exported = {table.model._meta.label for table in kernel.tables()}
    excluded = kernel.excluded()
    assert all(str(reason).strip() for reason in excluded.values())
    missing = [label for label in tenant_models() if label not in exported and label not in excluded]
    assert missing == [], f"add these to an app's export_tables.py, or exclude them with a reason: {missing}"
    assert not exported & set(excluded)
    assert {"enterprise", "manufacturing", "finance", "exhibition"} <= set(kernel.areas())


def read_zip(content: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    return archive


def check_archive(archive: zipfile.ZipFile, world, files: dict[str, bytes]) -> dict:
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["enterprise"]["id"] == world.enterprise.pk
    # Every file listed with its checksum, and every checksum right.
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == entry["sha256"], name
    # Every table as JSON and CSV, every tenant-schema table with the rows populated.
    counts = {f"{s['area']}/{s['table']}": s["rows"] for s in manifest["sections"]}
    for table in kernel.tables():
        assert {f"{table.path}.json", f"{table.path}.csv"} <= names
        rows = json.loads(archive.read(f"{table.path}.json"))
        assert len(rows) == counts[table.path]
        if table.rows is None or table.path in {"manufacturing/review_cases", "exhibition/meeting_slots"}:
            assert rows, f"{table.path} is empty"
        csv_bytes = archive.read(f"{table.path}.csv")
        assert csv_bytes.startswith("\ufeff".encode())  # Excel reads UTF-8
        assert csv_bytes.decode("utf-8-sig").count("\n") == len(rows) + 1
    # Only this enterprise's public rows.
    assert {row["tenant_id"] for row in json.loads(archive.read("exhibition/meeting_slots.json"))} == {
        world.enterprise.pk
    }
    # The files, byte for byte, where the rows say they are.
    evidence = json.loads(archive.read("manufacturing/evidence.json"))
    assert archive.read(evidence[0]["file"]) == PDF
    image = json.loads(archive.read("exhibition/product_images.json"))[0]
    assert archive.read(image["image"]) == JPEG
    for name, content in files.items():
        path = kernel._file_path(name, world.enterprise.schema_name)
        assert hashlib.sha256(archive.read(path)).hexdigest() == hashlib.sha256(content).hexdigest()
    # Formats: money exact, dates ISO 8601, Chinese intact; formulas defused in the CSV.
    statement = json.loads(archive.read("finance/statements.json"))[0]
    assert statement["revenue"] == "12345678.90"
    assert datetime.datetime.fromisoformat(statement["updated_at"]).tzinfo is not None
    assert "'=1+1 公式" in archive.read("manufacturing/overrides.csv").decode("utf-8-sig")
    readme = archive.read("README.md").decode()
    assert "UTF-8" in readme and "ISO 8601" in readme and "万元" in readme and "数据表" in readme
    assert "`finance/statements.csv`" in readme and "`revenue`" in readme and "revenue (CNY)" in readme
    return manifest


@pytest.mark.django_db
def test_build_holds_every_area_the_files_and_the_readme_and_keeps_progress(make_enterprise, beta):
    world = make_enterprise()
    files = populate(world)
    populate_beta = populate(beta)  # another enterprise's public rows must not leak in
    try:
        export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
        seen = []

        def watch(enterprise):  # a table that looks at the export's progress as it is read
            seen.append(DataExport.objects.values_list("steps_done", "current_area").get(pk=export.pk))
            return DataExport.objects.none()

        kernel.register(kernel.Table("zz", "watch", DataExport, "progress", rows=watch))
        try:
            assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "ready"
        finally:
            kernel._registry.tables.pop("zz/watch")
        assert seen and seen[0][0] == len(kernel.tables()) and seen[0][1] == "zz"
        export = data_export.export_get(enterprise=world.enterprise, export_id=export.pk)
        assert export.state == "ready" and export.steps_done == export.steps_total and export.size > 0
        assert export.expires_at - export.finished_at == datetime.timedelta(
            days=settings.DATA_EXPORT_EXPIRE_DAYS
        )
        assert str(data_export.path_of(export)).startswith(str(settings.DATA_EXPORT_ROOT))
        assert not str(data_export.path_of(export)).startswith(str(settings.MEDIA_ROOT))
        archive = read_zip(data_export.path_of(export).read_bytes())
        check_archive(archive, world, files)
        assert (
            DataExportOutbox.objects.get(tenant=world.enterprise, export_id=export.pk).completed_at
            is not None
        )
    finally:
        unpopulate(world, files, rows=False)
        unpopulate(beta, populate_beta, rows=False)


def _ready(world) -> DataExport:
    export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
    data_export.export_build(enterprise=world.enterprise, export_id=export.pk)
    return data_export.export_get(enterprise=world.enterprise, export_id=export.pk)


@pytest.mark.django_db
def test_owner_page_download_and_api_are_audited(make_enterprise):
    world = make_enterprise()
    client = world.client()
    page = client.get("/data/")
    assert page.status_code == 200
    assert "Prepare an export" in page.content.decode() or "准备导出" in page.content.decode()
    assert client.post("/data/").status_code == 302
    export = data_export.export_list(enterprise=world.enterprise)[0]
    assert export.state == "queued"
    page = client.get("/data/").content.decode()
    assert 'http-equiv="refresh"' in page and f'data-export="{export.pk}"' in page  # follows without JS
    data_export.export_build(enterprise=world.enterprise, export_id=export.pk)
    page = client.get("/data/").content.decode()
    assert 'http-equiv="refresh"' not in page and f"/data/{export.pk}/download/" in page
    response = client.get(f"/data/{export.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    read_zip(b"".join(response.streaming_content))
    api = client.get(f"/api/v1/data-exports/{export.pk}/").json()
    assert api["state"] == "ready" and api["percent"] == 100 and api["download_url"].endswith("/download/")
    assert client.get(api["download_url"]).status_code == 200
    actions = list(
        AuditEvent.objects.filter(tenant=world.enterprise, action__startswith="export_").values_list(
            "action", "actor"
        )
    )
    assert sorted(actions) == [
        ("export_downloaded", world.owner.pk),
        ("export_downloaded", world.owner.pk),
        ("export_requested", world.owner.pk),
    ]
    # The API asks too, and while one is open the same one is answered.
    first = client.post("/api/v1/data-exports/")
    assert first.status_code == 202 and first.json()["state"] == "queued"
    assert client.post("/api/v1/data-exports/").json()["id"] == first.json()["id"]
    assert [e["id"] for e in client.get("/api/v1/data-exports/").json()] == [first.json()["id"], export.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, Role.VIEWER])
def test_other_roles_get_a_bilingual_403(make_enterprise, role):
    world = make_enterprise()
    export = _ready(world)
    user = add_member(world, f"{role}-export@example.com", role)
    client = Client(HTTP_HOST=world.host)
    client.force_login(user)
    for response in (
        client.get("/data/"),
        client.post("/data/"),
        client.get(f"/data/{export.pk}/download/"),
        client.get("/api/v1/data-exports/"),
        client.post("/api/v1/data-exports/"),
        client.get(f"/api/v1/data-exports/{export.pk}/"),
        client.get(f"/api/v1/data-exports/{export.pk}/download/"),
    ):
        assert response.status_code == 403
        is_json = "json" in response["Content-Type"]
        body = response.json()["detail"] if is_json else response.content.decode()
        assert "Only the owners" in body and "只有企业所有者" in body
    assert len(data_export.export_list(enterprise=world.enterprise)) == 1
    assert not AuditEvent.objects.filter(tenant=world.enterprise, action="export_downloaded").exists()


@pytest.mark.django_db
def test_no_enterprise_reaches_another_ones_export(make_enterprise):
    from tenants.tokens import token_create

    a, b = make_enterprise(), make_enterprise()
    export_a = _ready(a)
    export_b = _ready(b)
    # B's owner, on A's host: not a member, 404 everywhere (session and token).
    stranger = Client(HTTP_HOST=a.host)
    stranger.force_login(b.owner)
    _, token = token_create(user=b.owner)
    bearer = Client(HTTP_HOST=a.host, HTTP_AUTHORIZATION=f"Bearer {token}")
    for path in ("/data/", f"/data/{export_a.pk}/download/", f"/api/v1/data-exports/{export_a.pk}/download/"):
        assert stranger.get(path).status_code == 404, path
    api = "/api/v1/data-exports/"
    for path in (api, f"{api}{export_a.pk}/", f"{api}{export_a.pk}/download/"):
        assert bearer.get(path).status_code == 404, path
    assert bearer.post("/api/v1/data-exports/").status_code == 404
    # B's owner on B's host with A's export id: B's own export of that id or nothing, never A's.
    own = b.client()
    other_id = export_a.pk if export_a.pk != export_b.pk else export_a.pk + 1000
    with tenant_context(b.enterprise):
        DataExport.objects.filter(pk=other_id).delete()
    assert own.get(f"/data/{other_id}/download/").status_code == 404
    assert own.get(f"/api/v1/data-exports/{other_id}/").status_code == 404
    assert own.get(f"/api/v1/data-exports/{other_id}/download/").status_code == 404
    # A header naming A's host while talking to B's does not switch enterprises.
    forwarded = b.client()
    response = forwarded.get(f"/api/v1/data-exports/{other_id}/download/", HTTP_X_FORWARDED_HOST=a.host)
    assert response.status_code == 404
    content = b"".join(own.get(f"/data/{export_b.pk}/download/").streaming_content)
    assert json.loads(read_zip(content).read("manifest.json"))["enterprise"]["id"] == b.enterprise.pk


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_or_told_401(make_enterprise):
    world = make_enterprise()
    export = _ready(world)
    anonymous = world.client(logged_in=False)
    for path in ("/data/", f"/data/{export.pk}/download/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "login" in response["Location"], path
    for path in ("/api/v1/data-exports/", f"/api/v1/data-exports/{export.pk}/download/"):
        assert anonymous.get(path).status_code == 401, path


@pytest.mark.django_db
def test_an_expired_export_is_gone(make_enterprise):
    world = make_enterprise()
    export = _ready(world)
    path = data_export.path_of(export)
    assert path.is_file()
    client = world.client()
    later = timezone.now() + datetime.timedelta(days=settings.DATA_EXPORT_EXPIRE_DAYS, minutes=1)
    with tenant_context(world.enterprise):
        DataExport.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    assert client.get(f"/data/{export.pk}/download/").status_code == 410
    assert client.get(f"/api/v1/data-exports/{export.pk}/download/").status_code == 410
    assert client.get(f"/api/v1/data-exports/{export.pk}/").json()["download_url"] is None
    assert data_export.expire(now=later) == 1
    assert not path.exists()
    assert data_export.export_get(enterprise=world.enterprise, export_id=export.pk).state == "expired"
    assert data_export.expire(now=later) == 0
    assert client.get(f"/data/{export.pk}/download/").status_code == 410


@pytest.mark.django_db
def test_an_export_that_fails_is_marked_failed_not_left_running(make_enterprise):
    world = make_enterprise()
    export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)

    def broken(enterprise):
        raise RuntimeError("disk on fire")

    kernel.register(kernel.Table("zz", "broken", DataExport, "broken", rows=broken))
    try:
        assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "failed"
    finally:
        kernel._registry.tables.pop("zz/broken")
    export = data_export.export_get(enterprise=world.enterprise, export_id=export.pk)
    assert export.state == "failed" and "RuntimeError" in export.error and "请重试" in export.error
    assert not list(settings.DATA_EXPORT_ROOT.rglob("*.zip")) and not list(
        settings.DATA_EXPORT_ROOT.rglob("*.part")
    )
    assert DataExportOutbox.objects.get(tenant=world.enterprise, export_id=export.pk).completed_at is not None
    # The owner can ask again.
    again = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
    assert again.pk != export.pk and again.state == "queued"


@pytest.mark.django_db
def test_a_running_export_held_by_a_live_worker_is_not_taken_but_a_dead_ones_is(make_enterprise):
    world = make_enterprise()
    export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
    with tenant_context(world.enterprise):
        DataExport.objects.filter(pk=export.pk).update(
            state="running", heartbeat_at=timezone.now(), attempts=1
        )
    assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "running"
    stale = timezone.now() - datetime.timedelta(seconds=settings.DATA_EXPORT_LEASE_SECONDS + 1)
    with tenant_context(world.enterprise):
        DataExport.objects.filter(pk=export.pk).update(heartbeat_at=stale)
    assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "ready"
    assert data_export.export_get(enterprise=world.enterprise, export_id=export.pk).attempts == 2


@pytest.mark.django_db
def test_an_export_whose_resends_are_spent_is_marked_failed(make_enterprise, settings):
    from core import outbox

    world = make_enterprise()
    export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    with tenant_context(world.enterprise):
        DataExport.objects.filter(pk=export.pk).update(state="running", heartbeat_at=long_ago, attempts=3)
    row = DataExportOutbox.objects.filter(export_id=export.pk, tenant=world.enterprise)
    row.update(resends=settings.OUTBOX_MAX_RESENDS, sent_at=long_ago)
    connection.set_schema_to_public()
    outbox.sweep(names=["data-export"])
    export = data_export.export_get(enterprise=world.enterprise, export_id=export.pk)
    assert export.state == "failed" and "interrupted" in export.error and "中断" in export.error


# --- with a real worker -----------------------------------------------------------------------------


def _wait_for(world, export_id, states=("ready", "failed"), seconds=90) -> DataExport:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        export = data_export.export_get(enterprise=world.enterprise, export_id=export_id)
        if export.state in states:
            return export
        time.sleep(0.3)
    raise AssertionError(f"export {export_id}: {export.state} ({export.steps_done}/{export.steps_total})")


@pytest.fixture
def shared_exports(settings):
    """The worker (another process) writes where this process reads: the default folder."""
    settings.DATA_EXPORT_ROOT = settings.BASE_DIR / "var" / "exports"


@pytest.mark.worker
def test_the_worker_prepares_an_export_and_the_owner_downloads_it(committed, celery_worker, shared_exports):
    from tests.conftest import build_enterprise

    world = build_enterprise(slug=f"export{timezone.now():%H%M%S%f}")
    files = populate(world)
    try:
        client = world.client()
        assert client.post("/data/").status_code == 302
        export = data_export.export_list(enterprise=world.enterprise)[0]
        export = _wait_for(world, export.pk)
        assert export.state == "ready", export.error
        assert export.steps_done == export.steps_total == kernel.steps()
        response = client.get(f"/api/v1/data-exports/{export.pk}/download/")
        assert response.status_code == 200
        check_archive(read_zip(b"".join(response.streaming_content)), world, files)
    finally:
        unpopulate(world, files)
        shutil.rmtree(settings.DATA_EXPORT_ROOT / world.enterprise.schema_name, ignore_errors=True)


@pytest.mark.worker
def test_an_export_whose_worker_died_is_sent_again_and_finished(committed, celery_worker, shared_exports):
    """The message was taken by a worker that died mid-way: the export is left running, its stamp
    stale and its outbox row undone. The sweeper sends it again and the live worker finishes it."""
    from core import outbox
    from tests.conftest import build_enterprise

    world = build_enterprise(slug=f"exportd{timezone.now():%H%M%S%f}")
    try:
        long_ago = timezone.now() - datetime.timedelta(hours=1)
        with tenant_context(world.enterprise):
            export = DataExport.objects.create(
                requested_by=world.owner,
                state="running",
                attempts=1,
                heartbeat_at=long_ago,
                steps_done=3,
                steps_total=kernel.steps(),
                current_area="finance",
            )
        DataExportOutbox.objects.create(tenant=world.enterprise, export_id=export.pk, sent_at=long_ago)
        connection.set_schema_to_public()
        assert outbox.sweep(names=["data-export"])["data-export"] >= 1
        export = _wait_for(world, export.pk)
        assert export.state == "ready" and export.attempts == 2
        assert data_export.path_of(export).is_file()
    finally:
        shutil.rmtree(settings.DATA_EXPORT_ROOT / world.enterprise.schema_name, ignore_errors=True)


@pytest.mark.django_db
def test_closing_an_enterprise_can_erase_its_archives_and_only_its_own(make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    path_a, path_b = data_export.path_of(_ready(a)), data_export.path_of(_ready(b))
    data_export.exports_erase(enterprise=a.enterprise)
    assert not path_a.exists() and path_b.is_file()


@pytest.mark.django_db
def test_no_export_is_built_or_finished_for_an_enterprise_being_erased(make_enterprise):
    """Review finding 11: an archive written while the erase runs would outlive it."""
    from tenants.models import Enterprise

    world = make_enterprise()
    export = data_export.export_request(enterprise=world.enterprise, acting_user=world.owner)
    Enterprise.objects.filter(pk=world.enterprise.pk).update(lifecycle="erasing")
    assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "erased"
    assert not list((settings.DATA_EXPORT_ROOT / world.enterprise.schema_name).rglob("*"))

    # the erase begins while the archive is being written: the try deletes its own file
    Enterprise.objects.filter(pk=world.enterprise.pk).update(lifecycle="active")

    def erase_begins(enterprise):
        Enterprise.objects.filter(pk=enterprise.pk).update(lifecycle="erasing")
        return DataExport.objects.none()

    kernel.register(kernel.Table("zz", "erase_begins", DataExport, "erase_begins", rows=erase_begins))
    try:
        assert data_export.export_build(enterprise=world.enterprise, export_id=export.pk) == "erased"
    finally:
        kernel._registry.tables.pop("zz/erase_begins")
    assert not list((settings.DATA_EXPORT_ROOT / world.enterprise.schema_name).rglob("*"))
    assert data_export.export_get(enterprise=world.enterprise, export_id=export.pk).state != "ready"

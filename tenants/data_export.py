"""An enterprise's data export: an owner asks, a worker builds the zip (core/data_export.py) with
progress, the owners download it until it expires.

The export is a row in the enterprise's schema (`DataExport`); its public twin, written in the same
transaction, is the outbox row (`core.DataExportOutbox`): if the message is lost or the worker dies
mid-way, the one sweeper (core/outbox.py) sends the task again, and after OUTBOX_MAX_RESENDS the
export is marked failed, never left "running". A worker takes an export that is waiting, or running
but not stamped for DATA_EXPORT_LEASE_SECONDS (its worker died); each try writes its own file and
only the try that still holds the export marks it ready.

The archives live in DATA_EXPORT_ROOT, outside the media folder: nothing serves them but the
owners' download (a FileResponse)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context

from core import data_export, outbox
from core.api import ApplicationError, ConflictError
from core.audit import audit
from core.i18n import bilingual
from core.models import AuditEvent, DataExportOutbox
from tenants.members.models import DataExport, Role

logger = logging.getLogger(__name__)
OUTBOX = "data-export"


EXPIRED = _("This export has expired and its file is deleted. Prepare a new one.")
OWNERS_ONLY = _("Only the owners of this enterprise can export its data. Ask an owner to do it.")


class ExportNotReady(ConflictError):
    pass


class ExportGone(ApplicationError):
    status_code = 410


def require_owner(*, user, enterprise) -> None:
    """Owners only: a non-member gets 404 (as everywhere on the host), another member a 403 that
    says so in both languages."""
    from django.core.exceptions import PermissionDenied

    from tenants.roles import role_of

    role = role_of(user=user, enterprise=enterprise)
    if role is None:
        from django.http import Http404

        raise Http404
    if role != Role.OWNER:
        raise PermissionDenied(bilingual(OWNERS_ONLY))


def _root() -> Path:
    return Path(settings.DATA_EXPORT_ROOT)


def path_of(export: DataExport) -> Path:
    return _root() / export.file_name


# --- writes -----------------------------------------------------------------------------------------


def export_request(*, enterprise, acting_user) -> DataExport:
    """An owner asks for an export. While one is waiting or being prepared, that one is returned."""
    require_owner(user=acting_user, enterprise=enterprise)
    with tenant_context(enterprise), transaction.atomic():
        open_export = DataExport.objects.select_for_update().filter(
            state__in=[DataExport.State.QUEUED, DataExport.State.RUNNING]
        )
        existing = open_export.first()
        if existing is not None:
            return existing
        export = DataExport.objects.create(requested_by=acting_user, steps_total=data_export.steps())
        DataExportOutbox.objects.create(tenant=enterprise, export_id=export.pk, sent_at=timezone.now())
        audit(
            actor=acting_user,
            action=AuditEvent.Action.EXPORT_REQUESTED,
            tenant=enterprise,
            subject=f"export {export.pk}",
        )
        outbox.send_on_commit(OUTBOX, enterprise.pk, export.pk)
    return export


def _claim(export_id: int) -> DataExport | None:
    """Takes the export for this try, or None: done already, or held by a live try."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.DATA_EXPORT_LEASE_SECONDS)
    claimable = Q(state=DataExport.State.QUEUED) | Q(state=DataExport.State.RUNNING, heartbeat_at__lt=stale)
    taken = DataExport.objects.filter(claimable, pk=export_id).update(
        state=DataExport.State.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        steps_done=0,
        steps_total=data_export.steps(),
        current_area="",
    )
    return DataExport.objects.get(pk=export_id) if taken else None


def _erasing(enterprise, *, lock: bool = False) -> bool:
    """Whether the enterprise's erase has begun (tenants/lifecycle.py). With `lock`, the row is
    held (FOR NO KEY UPDATE, inside the caller's transaction) until the caller commits: the erase's
    move to "erasing" waits for it, and its deletion of the archives comes after."""
    from tenants.models import Enterprise

    rows = Enterprise.objects.filter(pk=enterprise.pk)
    if lock:
        rows = rows.select_for_update(no_key=True)
    state = rows.values_list("lifecycle", flat=True).first()
    return state in (None, Enterprise.Lifecycle.ERASING, Enterprise.Lifecycle.CLOSED)


def export_build(*, enterprise, export_id: int) -> str:
    """The worker's part: builds the zip with progress, then marks the export ready. Idempotent: an
    export already finished, or being built by a live try, is left alone. Nothing is built or
    finished for an enterprise being erased (its archive would outlive the erase)."""
    if _erasing(enterprise):
        DataExportOutbox.objects.filter(
            tenant_id=enterprise.pk, export_id=export_id, completed_at__isnull=True
        ).update(completed_at=timezone.now())
        return "erased"
    with tenant_context(enterprise):
        export = _claim(export_id)
        if export is None:
            state = DataExport.objects.filter(pk=export_id).values_list("state", flat=True).first()
            if state not in (DataExport.State.QUEUED, DataExport.State.RUNNING):
                _complete(enterprise, export_id)
            return state or "missing"
        mine = DataExport.objects.filter(pk=export_id, attempts=export.attempts)

        def progress(done: int, current: str) -> None:
            mine.update(steps_done=done, current_area=current[:40], heartbeat_at=timezone.now())

        name = f"{enterprise.schema_name}/{export.pk}-{export.attempts}-{secrets.token_hex(8)}.zip"
        target = _root() / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        try:
            with partial.open("wb") as out:
                data_export.build(enterprise=enterprise, target=out, progress=progress)
            os.replace(partial, target)
        except Exception as exc:
            partial.unlink(missing_ok=True)
            logger.exception("the data export %s of enterprise %s failed", export_id, enterprise.pk)
            reason = bilingual(
                _("An internal error stopped the export (%(error)s). It has been logged; please try again."),
                error=exc.__class__.__name__,
            )
            _fail(enterprise, export_id, reason, attempts=export.attempts)
            return DataExport.State.FAILED
        now = timezone.now()
        expires = now + timezone.timedelta(days=settings.DATA_EXPORT_EXPIRE_DAYS)
        with transaction.atomic():
            if _erasing(enterprise, lock=True):
                target.unlink(missing_ok=True)
                return "erased"
            finished = mine.filter(state=DataExport.State.RUNNING).update(
                state=DataExport.State.READY,
                steps_done=F("steps_total"),
                current_area="",
                finished_at=now,
                file_name=name,
                size=target.stat().st_size,
                expires_at=expires,
            )
            if finished:
                DataExportOutbox.objects.filter(tenant=enterprise, export_id=export_id).update(
                    completed_at=now, expires_at=expires
                )
        if not finished:  # another try took it over meanwhile; its file is the one kept
            target.unlink(missing_ok=True)
            return "superseded"
        return DataExport.State.READY


def _complete(enterprise, export_id: int) -> None:
    DataExportOutbox.objects.filter(tenant=enterprise, export_id=export_id, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )


def _fail(enterprise, export_id: int, reason: str, *, attempts: int | None = None) -> None:
    with tenant_context(enterprise), transaction.atomic():
        rows = DataExport.objects.filter(
            pk=export_id, state__in=[DataExport.State.QUEUED, DataExport.State.RUNNING]
        )
        if attempts is not None:
            rows = rows.filter(attempts=attempts)
        rows.update(state=DataExport.State.FAILED, error=reason, finished_at=timezone.now(), current_area="")
        _complete(enterprise, export_id)


def export_give_up(enterprise_id: int, export_id: int) -> None:
    """The outbox's give-up: the export was sent again and again without finishing."""
    from tenants.models import Enterprise

    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        return
    reason = bilingual(
        _("The export was interrupted too many times and has been stopped. Please try again later.")
    )
    _fail(enterprise, export_id, reason)


def export_downloaded(*, enterprise, export: DataExport, acting_user) -> None:
    audit(
        actor=acting_user,
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        tenant=enterprise,
        subject=f"export {export.pk}",
    )


def expire(*, now=None) -> int:
    """Deletes the archives past their expiry (found in public, one query) and marks them expired.
    Returns how many."""
    from tenants.models import Enterprise

    now = now or timezone.now()
    due = DataExportOutbox.objects.filter(expires_at__lt=now, purged_at__isnull=True).order_by("pk")[:500]
    count = 0
    for row in due:
        enterprise = Enterprise.objects.filter(pk=row.tenant_id).first()
        if enterprise is not None:
            with tenant_context(enterprise):
                export = DataExport.objects.filter(pk=row.export_id).first()
                if export is not None:
                    if export.file_name:
                        path_of(export).unlink(missing_ok=True)
                    DataExport.objects.filter(pk=export.pk).update(
                        state=DataExport.State.EXPIRED, file_name=""
                    )
        DataExportOutbox.objects.filter(pk=row.pk).update(purged_at=now)
        count += 1
    return count


def exports_erase(*, enterprise) -> None:
    """Deletes every archive of the enterprise (for closing it: its schema and public rows go with
    the enterprise, the files here would not)."""
    import shutil

    shutil.rmtree(_root() / enterprise.schema_name, ignore_errors=True)


# --- reads ------------------------------------------------------------------------------------------


def export_list(*, enterprise) -> list[DataExport]:
    with tenant_context(enterprise):
        return list(DataExport.objects.all()[:20])


def export_get(*, enterprise, export_id) -> DataExport | None:
    with tenant_context(enterprise):
        return DataExport.objects.filter(pk=export_id).first()


def is_downloadable(export: DataExport, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        export.state == DataExport.State.READY
        and export.expires_at is not None
        and export.expires_at > now
        and bool(export.file_name)
    )


def export_file(*, enterprise, export_id) -> tuple[DataExport, Path]:
    """The export and its archive for download, or a clear error: not found (404), not ready or
    expired (409)."""
    from django.http import Http404

    export = export_get(enterprise=enterprise, export_id=export_id)
    if export is None:
        raise Http404
    if not is_downloadable(export):
        if export.state in (DataExport.State.READY, DataExport.State.EXPIRED):
            raise ExportGone(EXPIRED)
        raise ExportNotReady(_("This export is not ready to download."))
    path = path_of(export)
    if not path.is_file():
        raise ExportGone(EXPIRED)
    return export, path


def export_download(*, enterprise, export_id, acting_user) -> tuple:
    """An owner's download: (the open archive, the file name it is saved as), audited; or the error
    of `export_file`."""
    export, path = export_file(enterprise=enterprise, export_id=export_id)
    handle = path.open("rb")
    export_downloaded(enterprise=enterprise, export=export, acting_user=acting_user)
    name = f"{enterprise.schema_name}-data-{timezone.localtime(export.created_at):%Y%m%d}-{export.pk}.zip"
    return handle, name

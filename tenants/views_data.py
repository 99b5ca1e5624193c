"""The enterprise's data page (owners only): prepare an export, follow its progress, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.api import ApplicationError
from tenants import data_export
from tenants.access import current_enterprise

# While an export is being prepared the page reloads itself (a meta refresh: no script needed).
REFRESH_SECONDS = 3


def _owner_enterprise(request):
    enterprise = current_enterprise(request)
    data_export.require_owner(user=request.user, enterprise=enterprise)
    return enterprise


def _page(request, enterprise, *, status=200, error=None):
    exports = data_export.export_list(enterprise=enterprise)
    for export in exports:
        export.downloadable = data_export.is_downloadable(export)
    busy = any(export.is_open for export in exports)
    return render(
        request,
        "tenants/data_export.html",
        {
            "enterprise": enterprise,
            "exports": exports,
            "busy": busy,
            "refresh": REFRESH_SECONDS if busy else None,
            "error": error,
        },
        status=status,
    )


@never_cache
@login_required
def data_export_page(request):
    enterprise = _owner_enterprise(request)
    if request.method == "POST":
        data_export.export_request(enterprise=enterprise, acting_user=request.user)
        messages.success(request, _("Your export is being prepared. This page shows its progress."))
        return redirect("data-export")
    return _page(request, enterprise)


@never_cache
@login_required
def data_export_download(request, export_id):
    enterprise = _owner_enterprise(request)
    try:
        handle, name = data_export.export_download(
            enterprise=enterprise, export_id=export_id, acting_user=request.user
        )
    except ApplicationError as exc:
        return _page(request, enterprise, status=exc.status_code, error=exc.message)
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")

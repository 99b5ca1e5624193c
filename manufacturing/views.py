"""Industrial-cloud pages of an enterprise's workspace."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from manufacturing.models import Evidence
from tenants import roles
from tenants.access import current_enterprise


@login_required
def evidence_download(request, assessment_id, evidence_id):
    """Evidence files are never public media: only the enterprise's members get them."""
    if roles.role_of(user=request.user, enterprise=current_enterprise(request)) is None:
        raise Http404
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment_id=assessment_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )

"""The lead inbox on an enterprise's host: buyers' inquiries, replies, status, CSV export."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from core.exports import text_safe
from exhibition import leads
from exhibition.models import Lead
from tenants import roles
from tenants.members.models import Role


def _rows(request):
    status = request.GET.get("status", "")
    rows = Lead.objects.all()
    if status in Lead.Status.values:
        rows = rows.filter(status=status)
    return rows, status


@login_required
def inbox(request):
    enterprise, _role = roles.host_member_or_404(request)
    rows, status = _rows(request)
    return render(
        request,
        "exhibition/leads.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": Lead.Status.choices,
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
        },
    )


@login_required
def export(request):
    roles.host_member_or_404(request)
    rows, _status = _rows(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Received"), _("Buyer"), _("Email"), _("Company"), _("Exhibition"), _("Inquiry"),
                     _("Status"), _("Reply"), _("Replied at")])  # fmt: skip
    for lead in rows:
        replied = timezone.localtime(lead.replied_at).strftime("%Y-%m-%d %H:%M") if lead.replied_at else ""
        cells = (
            timezone.localtime(lead.received_at).strftime("%Y-%m-%d %H:%M"),
            lead.buyer_name,
            lead.buyer_email,
            lead.company,
            lead.exhibition_name,
            lead.message,
            lead.get_status_display(),
            lead.reply,
            replied,
        )
        writer.writerow([text_safe(value) for value in cells])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{timezone.localdate().isoformat()}.csv"'
    return response


@login_required
@require_POST
def answer(request, lead_id):
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    lead = get_object_or_404(Lead, pk=lead_id)
    try:
        if request.POST.get("close"):
            leads.lead_close(enterprise=enterprise, lead_id=lead.pk, user=request.user)
            messages.success(request, _("Lead closed."))
        else:
            leads.lead_reply(
                enterprise=enterprise, lead_id=lead.pk, user=request.user, text=request.POST.get("reply")
            )
            messages.success(request, _("Reply sent to the buyer."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exhibition-leads")

"""Writes of the lead inbox (tenant schema): replying to a buyer, closing a lead."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from exhibition.models import Lead
from tenants.members.models import Activity

TEXT_MAX = 2000


def _activity(lead: Lead, *, enterprise, user, action: str, old: str) -> None:
    """The row of the workspace's activity log for a change of this lead (same transaction)."""
    from tenants.members.services import activity_record

    buyer = ", ".join(part for part in (lead.buyer_name, lead.company) if part)
    activity_record(
        enterprise=enterprise,
        actor=user,
        action=action,
        subject=f"{buyer} (#{lead.pk})",
        object_id=lead.pk,
        old=old,
        new=lead.status,
    )


def _locked(lead_id) -> Lead:
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None:
        raise Http404
    return lead


@transaction.atomic
def lead_reply(*, enterprise, lead_id: int, user, text) -> Lead:
    """Sends the reply to the buyer (email after commit, and a notice on the public site). `enterprise`
    is the lead inbox's owner, whose schema the caller has entered."""
    from core.notices import notify
    from exhibition.hall.models import Inquiry
    from tenants.registration import public_url

    text = (text or "").strip() if isinstance(text, str) or text is None else ""
    if not text:
        raise ApplicationError(_("Write your reply."), extra={"field": "reply"})
    if len(text) > TEXT_MAX or "\x00" in text:
        raise ApplicationError(
            _(
                "The reply is too long (2,000 characters at most) "
                "or contains a character that cannot be stored."
            )
        )
    lead = _locked(lead_id)
    if lead.status == Lead.Status.CLOSED:
        raise ConflictError(_("This lead is closed."))
    lead.reply, lead.replied_by, lead.replied_at = text, user, timezone.now()
    old, lead.status = lead.status, Lead.Status.REPLIED
    lead.save(update_fields=["reply", "replied_by", "replied_at", "status"])
    _activity(lead, enterprise=enterprise, user=user, action=Activity.Action.LEAD_REPLIED, old=old)
    # The buyer's copy of this enterprise's inquiry (never another's, whatever the lead says).
    inquiry = Inquiry.objects.select_related("buyer").filter(pk=lead.inquiry_id, tenant=enterprise).first()
    if inquiry is not None:
        inquiry.reply, inquiry.replied_at = text, lead.replied_at  # the buyer's copy, same transaction
        inquiry.save(update_fields=["reply", "replied_at"])
        notify(
            users=[inquiry.buyer],
            message=_("An exhibitor answered your inquiry: %(reply)s"),
            params={"reply": text[:200]},
            url=public_url("/hall/inquiries/"),
            about=enterprise,
        )
    else:
        transaction.on_commit(
            lambda: send_mail(
                subject="[京津冀工业云 Jingjinji Cloud] 展商回复 Exhibitor reply",
                message=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[lead.buyer_email],
            ),
            robust=True,
        )
    return lead


@transaction.atomic
def lead_close(*, enterprise, lead_id: int, user) -> Lead:
    lead = _locked(lead_id)
    if lead.status == Lead.Status.CLOSED:
        return lead
    old, lead.status = lead.status, Lead.Status.CLOSED
    lead.save(update_fields=["status"])
    _activity(lead, enterprise=enterprise, user=user, action=Activity.Action.LEAD_CLOSED, old=old)
    return lead

"""Meeting slots (offered by an enterprise from its host) and bookings (made by buyers in the hall).
Times are entered and shown in Asia/Shanghai; one booking per slot is a database constraint."""

import datetime

from django import forms
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from exhibition.hall.facts import fact_refresh
from exhibition.hall.models import Booking, MeetingSlot
from exhibition.hall.policy import visible_listings

NOTE_MAX = 500


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at (Beijing time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.TypedChoiceField(
        label=_("Length"), coerce=int, choices=[(15, "15"), (30, "30"), (45, "45"), (60, "60"), (90, "90")]
    )
    count = forms.TypedChoiceField(
        label=_("Slots one after another"), coerce=int, choices=[(n, str(n)) for n in range(1, 9)], initial=1
    )

    def clean_starts_at(self):
        starts = self.cleaned_data["starts_at"]
        if starts <= timezone.now():
            raise forms.ValidationError(_("A slot must start in the future."))
        if starts > timezone.now() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("A slot can be at most a year ahead."))
        return starts


def slots_add(*, tenant, form: SlotForm) -> list[MeetingSlot]:
    data = form.cleaned_data
    length = datetime.timedelta(minutes=data["minutes"])
    starts = [data["starts_at"] + n * length for n in range(data["count"])]
    return MeetingSlot.objects.bulk_create(
        MeetingSlot(tenant=tenant, starts_at=start, ends_at=start + length) for start in starts
    )


@transaction.atomic
def slot_cancel(*, tenant, slot_id, message) -> MeetingSlot:
    """Cancels a slot; a buyer who booked it is told, with the enterprise's message."""
    from core.notices import notify

    slot = MeetingSlot.objects.select_for_update().filter(pk=slot_id, tenant=tenant).first()
    if slot is None:
        raise Http404
    text = (message or "").strip() if isinstance(message, str) else ""
    if slot.cancelled_at is not None:
        raise ConflictError(_("This slot is already cancelled."))
    booking = Booking.objects.filter(slot=slot).select_related("buyer").first()
    if booking is not None and not text:
        raise ApplicationError(_("Tell the buyer why the meeting is cancelled."), extra={"field": "message"})
    if len(text) > NOTE_MAX or "\x00" in text:
        raise ApplicationError(_("The message is too long (500 characters at most)."))
    slot.cancelled_at, slot.cancel_message = timezone.now(), text
    slot.save(update_fields=["cancelled_at", "cancel_message"])
    if booking is not None and booking.booth_id is not None:
        fact_refresh(tenant_id=tenant.pk, booth_id=booking.booth_id)
    if booking is not None:
        local = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
        notify(
            users=[booking.buyer],
            message=_("%(enterprise)s cancelled your meeting of %(when)s: %(message)s"),
            params={"enterprise": tenant.name, "when": local, "message": text},
        )
    return slot


def free_slots(*, tenant_id: int):
    return MeetingSlot.objects.filter(
        tenant_id=tenant_id, cancelled_at__isnull=True, booking__isnull=True, starts_at__gt=timezone.now()
    ).order_by("starts_at")[:50]


@transaction.atomic
def book(*, buyer, slot_id, listing_id, note="") -> Booking:
    """Books a slot from a booth in the hall (`listing_id`): the booking counts for that booth."""
    # Locked like a cancellation locks it, so a booking never lands on a slot cancelled meanwhile; two
    # bookings queue here and the unique booking per slot turns the second into a 409.
    slot = MeetingSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    listing = visible_listings().filter(pk=listing_id, tenant_id=slot.tenant_id).first()
    if listing is None:
        raise Http404  # not a slot of this booth's enterprise, or the booth has left the hall
    if slot.cancelled_at is not None or slot.starts_at <= timezone.now():
        raise ConflictError(_("This slot can no longer be booked."))
    text = (note or "").strip() if isinstance(note, str) else ""
    if len(text) > NOTE_MAX or "\x00" in text:
        raise ApplicationError(_("The note is too long (500 characters at most)."))
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=slot,
                buyer=buyer,
                note=text,
                exhibition_id=listing.exhibition_id,
                booth_id=listing.booth_id,
            )
    except IntegrityError as exc:
        raise ConflictError(_("Someone has just booked this slot: please choose another.")) from exc
    fact_refresh(tenant_id=slot.tenant_id, booth_id=listing.booth_id, exhibition_id=listing.exhibition_id)
    return booking


def ics(booking: Booking, *, enterprise_name: str, url: str) -> str:
    """The meeting as an iCalendar event (RFC 5545), times in UTC."""

    def stamp(moment):
        return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    slot = booking.slot
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Jingjinji Industrial Cloud//Exhibition hall//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@jingjinji-cloud",
        f"DTSTAMP:{stamp(booking.created_at)}",
        f"DTSTART:{stamp(slot.starts_at)}",
        f"DTEND:{stamp(slot.ends_at)}",
        f"SUMMARY:{text('洽谈 Meeting: ' + enterprise_name)}",
        f"DESCRIPTION:{text(booking.note)}",
        f"URL:{url}",
        "STATUS:CANCELLED" if slot.cancelled_at else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"

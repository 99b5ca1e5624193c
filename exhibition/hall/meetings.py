"""Meeting slots (offered by an enterprise from its host) and bookings (made by buyers in the hall).
Times are entered and shown in Asia/Shanghai; one booking per slot is a database constraint."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from exhibition.hall.facts import fact_refresh
from exhibition.hall.models import Booking, MeetingSlot
from exhibition.hall.policy import visible_listings

NOTE_MAX = 500
# Line breaks, tabs and other control characters: an address is one line (it goes into the .ics too).
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at (Beijing time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.TypedChoiceField(
        label=_("Length (minutes)"),
        coerce=int,
        choices=[(15, "15"), (30, "30"), (45, "45"), (60, "60"), (90, "90")],
    )
    count = forms.TypedChoiceField(
        label=_("Number of consecutive slots"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 9)],
        initial=1,
    )
    mode = forms.ChoiceField(
        label=_("How the meeting is held"),
        choices=MeetingSlot.Mode.choices,
        initial=MeetingSlot.Mode.BOOTH,
        widget=forms.RadioSelect,
    )
    link = forms.CharField(
        label=_("Online meeting link"),
        max_length=500,
        required=False,
        help_text=_("For an online meeting: the address of the video call, starting with https://."),
        widget=forms.URLInput(attrs={"placeholder": "https://meeting.example.com/…"}),
    )
    address = forms.CharField(
        label=_("Meeting address"),
        max_length=300,
        required=False,
        help_text=_("For a meeting at an address: street, building and room, as the buyer should find it."),
    )

    def clean_starts_at(self):
        starts = self.cleaned_data["starts_at"]
        if starts <= timezone.now():
            raise forms.ValidationError(_("A slot must start in the future."))
        if starts > timezone.now() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("A slot can be at most a year ahead."))
        return starts

    def clean(self):
        """The link for an online meeting (http or https only), the address for one at an address;
        what the chosen way does not need is dropped."""
        data = super().clean()
        mode = data.get("mode")
        link, address = (data.get("link") or "").strip(), (data.get("address") or "").strip()
        if mode == MeetingSlot.Mode.ONLINE:
            if not link:
                self.add_error("link", _("Give the link of the online meeting."))
            else:
                try:
                    URLValidator(schemes=["http", "https"])(link)
                except ValidationError:
                    self.add_error("link", _("A meeting link starts with http:// or https://."))
        if mode == MeetingSlot.Mode.ADDRESS and not address:
            self.add_error("address", _("Give the address where the meeting is held."))
        elif mode == MeetingSlot.Mode.ADDRESS and CONTROL.search(address):
            self.add_error("address", _("Write the address on one line, without line breaks or tabs."))
        data["link"] = link if mode == MeetingSlot.Mode.ONLINE else ""
        data["address"] = address if mode == MeetingSlot.Mode.ADDRESS else ""
        return data


def slots_add(*, tenant, form: SlotForm) -> list[MeetingSlot]:
    data = form.cleaned_data
    length = datetime.timedelta(minutes=data["minutes"])
    starts = [data["starts_at"] + n * length for n in range(data["count"])]
    place = {"mode": data["mode"], "link": data["link"], "address": data["address"]}
    return MeetingSlot.objects.bulk_create(
        MeetingSlot(tenant=tenant, starts_at=start, ends_at=start + length, **place) for start in starts
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
            about=tenant,
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
    _tell_exhibitor(
        slot,
        _("%(buyer)s booked a meeting with you for %(when)s."),
        buyer,
    )
    return booking


def _tell_exhibitor(slot: MeetingSlot, message, buyer) -> None:
    """A notice (and email) to the exhibitor's owners and administrators about a slot's booking."""
    from core.notices import notify
    from tenants.members.selectors import enterprise_admins
    from tenants.models import Enterprise
    from tenants.services import tenant_url

    tenant = Enterprise.objects.get(pk=slot.tenant_id)
    notify(
        users=enterprise_admins(tenant),
        message=message,
        params={
            "buyer": buyer.name or buyer.email,
            "when": timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M"),
        },
        url=tenant_url(tenant, "/exhibition/slots/"),
        about=tenant,
    )


@transaction.atomic
def booking_cancel(*, buyer, booking_id) -> MeetingSlot:
    """The buyer calls off their meeting: the booking is deleted, so the slot is free again for other
    buyers, and the exhibitor's owners and administrators are told. A slot already cancelled by the
    exhibitor, or a meeting that has begun, cannot be called off."""
    slot_id = Booking.objects.filter(pk=booking_id, buyer=buyer).values_list("slot_id", flat=True).first()
    # The slot's lock first, as booking and the exhibitor's cancellation take it.
    slot = MeetingSlot.objects.select_for_update().filter(pk=slot_id).first() if slot_id else None
    booking = Booking.objects.select_related("slot__tenant").filter(pk=booking_id, buyer=buyer).first()
    if slot is None or booking is None:
        raise Http404
    if slot.cancelled_at is not None:
        raise ConflictError(_("The exhibitor has already cancelled this meeting."))
    if slot.starts_at <= timezone.now():
        raise ConflictError(_("This meeting has begun: it can no longer be called off."))
    booth_id, tenant_id = booking.booth_id, slot.tenant_id
    booking.delete()
    if booth_id is not None:
        fact_refresh(tenant_id=tenant_id, booth_id=booth_id)
    _tell_exhibitor(
        slot, _("%(buyer)s called off the meeting of %(when)s; the slot is free to book again."), buyer
    )
    return slot


def ics(booking: Booking, *, enterprise_name: str, url: str) -> str:
    """The meeting as an iCalendar event (RFC 5545), times in UTC."""

    def stamp(moment):
        return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    def text(value: str) -> str:
        """A TEXT value (RFC 5545 3.3.11): line breaks as \\n, never a raw CR or LF that would end
        the line and let the value add its own properties; other control characters dropped."""
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)
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
        f"LOCATION:{text(slot.link or slot.address or '展位 At the booth')}",
        f"URL:{url}",
        "STATUS:CANCELLED" if slot.cancelled_at else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"

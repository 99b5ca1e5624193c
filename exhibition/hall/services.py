"""Writes of the exhibition hall (public schema): exhibitions, their sections and their status."""

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ConflictError
from exhibition.hall.forms import ExhibitionForm, SectionForm
from exhibition.hall.models import Exhibition, Section

# Which status may follow which (the admin's buttons).
MOVES = {
    "open": ({Exhibition.Status.DRAFT, Exhibition.Status.CLOSED}, Exhibition.Status.OPEN),
    "close": ({Exhibition.Status.OPEN}, Exhibition.Status.CLOSED),
    "end": ({Exhibition.Status.OPEN, Exhibition.Status.CLOSED}, Exhibition.Status.ENDED),
}


def exhibition_save(*, form: ExhibitionForm, user) -> Exhibition:
    if not form.instance.pk:
        form.instance.created_by = user
    return form.save()


@transaction.atomic
def exhibition_move(*, exhibition_id: int, move: str, actor) -> Exhibition:
    """Opens or closes booth registration, or ends the exhibition, with an audit row (the regional
    admins' audit log). A move that does not fit the current status is a 409 naming it;
    registration cannot open after its deadline."""
    from core.audit import audit
    from core.models import AuditEvent

    exhibition = Exhibition.objects.select_for_update().filter(pk=exhibition_id).first()
    if exhibition is None:
        raise Http404
    allowed, target = MOVES[move]
    if exhibition.status not in allowed:
        raise ConflictError(
            _("This cannot be done while the exhibition is: %(status)s."),
            params={"status": Exhibition.Status(exhibition.status).label},
        )
    if target == Exhibition.Status.OPEN and exhibition.registration_deadline < timezone.localdate():
        raise ConflictError(_("The booth registration deadline has passed: move it first."))
    old = exhibition.status
    exhibition.status = target
    exhibition.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.EXHIBITION,
        subject=f"#{exhibition.pk} {exhibition.name_zh}"[:80],
        old=old,
        new=target,
    )
    return exhibition


def section_save(*, form: SectionForm, exhibition: Exhibition) -> Section:
    form.instance.exhibition = exhibition
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("This exhibition already has a section called %(name)s."),
            params={"name": form.instance.name_zh},
        ) from exc

"""What an assignment's notices show beside them (core.notices): the assignment's state now, so a
notice of an assignment that has since been approved or cancelled says so, and its link opens the
assignment (read-only once closed). Registered by ReviewConfig.ready()."""

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from core.notices import SubjectState, follow_state_with
from manufacturing.review.models import Assignment, ReviewCase


def when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def assignment_state(assignment: Assignment) -> SubjectState:
    """An assignment's state as its assessor reads it, with when it changed."""
    status = assignment.status
    if status == Assignment.Status.OPEN:
        return SubjectState(_("Now: waiting for your verification"), "warn")
    if status == Assignment.Status.RETURNED:
        return SubjectState(_("Now: returned, waiting for the enterprise to resubmit"), "info")
    if status == Assignment.Status.APPROVED:
        if assignment.case.status == ReviewCase.Status.VERIFIED:
            text = _("Now: approved on %(when)s; the verified result is published")
        else:
            text = _("Now: approved on %(when)s; the verified result is being published")
        return SubjectState(text % {"when": when(assignment.closed_at)}, "ok")
    return SubjectState(
        _("Now: cancelled on %(when)s; nothing more to do") % {"when": when(assignment.closed_at)}, "muted"
    )


def describe(*, user, ids: list[int]) -> dict[int, SubjectState]:
    rows = Assignment.objects.select_related("case").filter(pk__in=ids, assessor=user)
    return {a.pk: assignment_state(a) for a in rows}


def register() -> None:
    follow_state_with(r"/review/assignments/(\d+)/", describe)

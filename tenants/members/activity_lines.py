"""How the workspace's activity rows read: one function per action, each a sentence in the active
language ("Zhang Wei's role: Member → Administrator", "Booth 2026 Expo: Draft → Published"),
people named by their names (their email only for an invitation, which has no person yet), and
never a stored code."""

from django.utils.translation import gettext as _

from core.audit import sep
from tenants.members.models import STATE_LABELS, Activity


def _label(code: str) -> str:
    return str(STATE_LABELS.get(code, code)) if code else "—"


def _item(subject: str) -> str:
    # Booths and leads are written "name (#id)": the id is the platform's, not a person's word.
    head, sep, tail = subject.rpartition(" (#")
    return head if sep and tail.endswith(")") and tail[:-1].isdigit() else subject


def invited(row, names) -> str:
    return _("Invited %(email)s as %(role)s") % {"email": row.subject, "role": _label(row.new)}


def invitation_revoked(row, names) -> str:
    return _("Withdrew the invitation of %(email)s") % {"email": row.subject}


def joined(row, names) -> str:
    return _("%(name)s joined as %(role)s") % {"name": names(row.subject), "role": _label(row.new)}


def role_changed(row, names) -> str:
    return _("%(name)s's role: %(old)s → %(new)s") % {
        "name": names(row.subject),
        "old": _label(row.old),
        "new": _label(row.new),
    }


def removed(row, names) -> str:
    return _("Removed %(name)s (was %(role)s)") % {"name": names(row.subject), "role": _label(row.old)}


def booth(row, names) -> str:
    return _("Booth at %(exhibition)s: %(old)s → %(new)s") % {
        "exhibition": _item(row.subject),
        "old": _label(row.old),
        "new": _label(row.new),
    }


def lead(row, names) -> str:
    return _("Lead from %(buyer)s: %(old)s → %(new)s") % {
        "buyer": _item(row.subject),
        "old": _label(row.old),
        "new": _label(row.new),
    }


PRESENTERS = {
    Activity.Action.INVITED: invited,
    Activity.Action.INVITATION_REVOKED: invitation_revoked,
    Activity.Action.JOINED: joined,
    Activity.Action.ROLE_CHANGED: role_changed,
    Activity.Action.REMOVED: removed,
    Activity.Action.BOOTH_REGISTERED: booth,
    Activity.Action.BOOTH_PUBLISHED: booth,
    Activity.Action.BOOTH_WITHDRAWN: booth,
    Activity.Action.LEAD_REPLIED: lead,
    Activity.Action.LEAD_CLOSED: lead,
}


def _fallback(row, names) -> str:
    if row.old or row.new:
        return f"{_item(row.subject)}{sep('colon')}{_label(row.old)} → {_label(row.new)}"
    return _item(row.subject)


def presented(rows) -> list[Activity]:
    """`rows` with `sentence` (the change) and `who` (the actor's name) set; one query for names."""
    from tenants.models import User

    rows = list(rows)
    emails = {row.subject for row in rows if "@" in row.subject}
    known = {}
    if emails:
        known = {u.email: u.name for u in User.objects.filter(email__in=emails).only("email", "name")}

    def names(email: str) -> str:
        return known.get(email) or email

    for row in rows:
        row.sentence = PRESENTERS.get(row.action, _fallback)(row, names)
        row.who = (row.actor.name or row.actor.email) if row.actor else str(_("the platform"))
    return rows

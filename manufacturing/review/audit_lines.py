"""How the audit rows of assessments read (core.audit's presenters): one function per action, each
a sentence in the active language: "Total 71.3 → 65.6, level L3 → L2", "Status: Draft → Submitted",
the question's number and title instead of its key, the assessor's name instead of their email.
Registered by ReviewConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from core.audit import Line, label_fields, label_values, prepare_with, present_with, sep, value_text
from core.models import AuditEvent
from manufacturing.answers import framework_definition
from manufacturing.models import Assessment
from manufacturing.review import questions
from manufacturing.review.models import Assignment, ReviewCase
from manufacturing.templatetags.bilingual import answer_text
from tenants.models import User


def _prepare(events: list[AuditEvent]) -> dict:
    """The frameworks of the assessments and the names of the assessors the rows mention."""
    pairs = {(e.tenant_id, e.assessment_id) for e in events if e.tenant_id and e.assessment_id}
    frameworks = {}
    if pairs:
        tenants = {t for t, _a in pairs}
        for tenant_id, assessment_id, framework_id in ReviewCase.objects.filter(
            tenant_id__in=tenants, assessment_id__in={a for _t, a in pairs}
        ).values_list("tenant_id", "assessment_id", "framework_id"):
            frameworks[(tenant_id, assessment_id)] = framework_id
    emails = set()
    for event in events:
        for value in (event.old, event.new):
            if isinstance(value, dict) and isinstance(value.get("assessor"), str):
                emails.add(value["assessor"])
    names = (
        {u.email: u.name or u.email for u in User.objects.filter(email__in=emails).only("email", "name")}
        if emails
        else {}
    )
    return {"review_frameworks": frameworks, "review_people": names}


def _definition(event, context):
    framework_id = context.get("review_frameworks", {}).get((event.tenant_id, event.assessment_id))
    return framework_definition(framework_id) if framework_id else None


def _person(context, email) -> str:
    return context.get("review_people", {}).get(email) or str(_("an assessor"))


def _question(event, context) -> tuple[str, dict | None]:
    """The row's question as "2.3 title" and its numbered entry (None when not found)."""
    definition = _definition(event, context)
    if not event.subject or definition is None:
        return event.subject, None
    entry = questions.numbered(definition).get(event.subject)
    if entry is None:
        return event.subject, None
    return f"{entry['number']} {questions.title(entry['kind'], entry['item'])}", entry


def _answer(entry, value) -> str:
    if value is None:
        return str(_("no answer"))
    if entry is None:
        return value_text(value)
    return answer_text(entry["kind"], entry["item"], value)


def _scores(old, new, *, label) -> str:
    """ "Total 71.3 → 65.6, level L3 → L2" (or one side only)."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}

    def pair(key, fmt):
        before, after = old.get(key), new.get(key)
        if before is None or before == after:
            return fmt(after)
        return f"{fmt(before)} → {fmt(after)}"

    parts = [
        f"{label} {pair('total', lambda v: '—' if v is None else f'{float(v):.1f}')}",
        f"{pgettext('score', 'level')} {pair('level', lambda v: '—' if v is None else f'L{v}')}",
    ]
    return sep("list").join(parts)


def _status(old, new) -> str:
    def name(code):
        try:
            return str(Assessment.Status(code).label)
        except ValueError:
            return value_text(code)

    return f"{_('Status')}{sep('colon')}{name(old)} → {name(new)}"


def _withheld(event) -> bool:
    return getattr(event, "values_withheld", False)


def submitted(event, context) -> Line:
    return Line(change=_status(event.old, event.new))


def scored(event, context) -> Line:
    return Line(change=_scores(None, event.new, label=_("Self-assessed score")))


def assigned(event, context) -> Line:
    name = _person(context, (event.new or {}).get("assessor"))
    return Line(change=_("Assigned to %(name)s") % {"name": name})


def unassigned(event, context) -> Line:
    name = _person(context, (event.old or {}).get("assessor"))
    return Line(change=_("%(name)s's assignment was cancelled") % {"name": name})


def overridden(event, context) -> Line:
    item, entry = _question(event, context)
    if _withheld(event):
        return Line(item=item, change=str(_("The assessor changed the answer.")))
    return Line(
        item=item,
        change=_("Answer: %(old)s → %(new)s")
        % {"old": _answer(entry, event.old), "new": _answer(entry, event.new)},
    )


def override_removed(event, context) -> Line:
    item, entry = _question(event, context)
    if _withheld(event):
        return Line(item=item, change=str(_("The enterprise's answer counts again.")))
    return Line(
        item=item,
        change=_("Override %(old)s removed; the enterprise's answer counts again: %(new)s")
        % {"old": _answer(entry, event.old), "new": _answer(entry, event.new)},
    )


def commented(event, context) -> Line:
    item, _entry = _question(event, context)
    if _withheld(event):
        return Line(item=item, change=str(_("The assessor wrote a comment.")))
    return Line(item=item, change=value_text(event.new))


def returned(event, context) -> Line:
    old, new = event.old or Assessment.Status.SCORED, event.new or Assessment.Status.RETURNED
    return Line(change=_status(old, new))


def approved(event, context) -> Line:
    return Line(change=_scores(event.old, event.new, label=_("Total score")))


def published(event, context) -> Line:
    new = event.new if isinstance(event.new, dict) else {}
    text = _scores(None, new, label=_("Verified score"))
    if new.get("percentile") is not None:
        text += sep("list") + _("ahead of %(p)s%% of peers") % {"p": f"{float(new['percentile']):.0f}"}
    return Line(change=text)


def register() -> None:
    Action = AuditEvent.Action
    for action, presenter in (
        (Action.SUBMITTED, submitted),
        (Action.SCORED, scored),
        (Action.ASSIGNED, assigned),
        (Action.UNASSIGNED, unassigned),
        (Action.OVERRIDDEN, overridden),
        (Action.OVERRIDE_REMOVED, override_removed),
        (Action.COMMENTED, commented),
        (Action.RETURNED, returned),
        (Action.APPROVED, approved),
        (Action.PUBLISHED, published),
    ):
        present_with(action, presenter)
    prepare_with(_prepare)
    label_fields(
        {
            "total": gettext_lazy("total score"),
            "level": pgettext_lazy("score", "level"),
            "percentile": gettext_lazy("peer percentile"),
            "assessor": gettext_lazy("Assessor"),
            "status": gettext_lazy("Status"),
        }
    )
    label_values({**dict(Assignment.Status.choices), **dict(Assessment.Status.choices)})

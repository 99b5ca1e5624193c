"""What the programmes listen to, connected at start-up (ProgrammesConfig.ready()):

* the review's `facts_changed` (through manufacturing.interface): a completed project's after-level,
  once an assessor verified the enterprise's new assessment, is recorded on the project (VERIFIED);
* the kernel's assessor fences (core.assessor_fences): the assessor who verified a project's before
  level may not verify its after level."""

from django.utils.translation import gettext_lazy as _

from core import assessor_fences
from core.i18n import in_both_languages
from manufacturing import interface
from programmes import events, facts, projects, rules
from programmes.models import Event, Project

SAME_ASSESSOR = _(
    "This assessor verified the enterprise's level before its transformation project; "
    "another assessor must verify the level after it."
)
# From the application on: an assessment the enterprise submits while its project is live may become
# the after-level, so its before-assessor is kept from it from the start.
FENCED = Project.ACTIVE


def before_assessor_fence(*, tenant_id: int, assessment_id: int) -> dict[int, dict]:
    """The before-assessors of the enterprise's live projects, for any assessment but the before one
    itself (one indexed query)."""
    ids = (
        Project.objects.filter(tenant_id=tenant_id, state__in=FENCED, before_assessor__isnull=False)
        .exclude(before_assessment_id=assessment_id)
        .values_list("before_assessor_id", flat=True)
    )
    reason = None
    found = {}
    for user_id in ids:
        reason = reason or in_both_languages(SAME_ASSESSOR)
        found[user_id] = reason
    return found


def facts_changed(sender, *, tenant_id: int, framework_id: int, **kwargs) -> None:
    """Inside the publishing transaction: each completed project of the enterprise in this framework
    whose after-assessment is now verified becomes VERIFIED. A redelivered publish finds the project
    already VERIFIED and changes nothing."""
    rows = Project.objects.select_for_update(of=("self",)).filter(
        tenant_id=tenant_id, state=Project.State.COMPLETED, programme__framework_id=framework_id
    )
    pending = list(rows.select_related("programme", "tenant"))
    if not pending:
        return
    fact = interface.verified_fact(tenant_id=tenant_id, framework_id=framework_id)
    for project in pending:
        if fact is None or fact["assessment_id"] == project.before_assessment_id:
            continue
        if project.completed_at is None or fact["approved_at"] <= project.completed_at:
            continue
        if fact["submitted_at"] is None or fact["submitted_at"] <= project.completed_at:
            # The assessment taken again at completion, not one submitted while the work went on.
            continue
        if fact["assessor_id"] is not None and fact["assessor_id"] == project.before_assessor_id:
            # The fence keeps the before-assessor from the assignment; one assigned before the fence
            # applied (a project not yet approved) does not verify the after-level either.
            continue
        after_verified(project, fact)


def after_verified(project: Project, fact: dict) -> None:
    programme = project.programme
    project.after_assessment_id = fact["assessment_id"]
    project.after_level = fact["level"]
    project.after_total = fact["total"]
    project.after_approved_at = fact["approved_at"]
    project.after_assessor_id = fact["assessor_id"]
    project.target_met = rules.target_met(
        target_level=programme.target_level,
        target_gain=programme.target_gain,
        before_level=project.before_level,
        after_level=fact["level"],
    )
    project.state = Project.State.VERIFIED
    project.save(
        update_fields=[
            "after_assessment_id",
            "after_level",
            "after_total",
            "after_approved_at",
            "after_assessor",
            "target_met",
            "state",
            "updated_at",
        ]
    )
    events.record(
        actor=None,
        action=Event.Action.AFTER_VERIFIED,
        project=project,
        old=Project.State.COMPLETED,
        new=Project.State.VERIFIED,
        detail={
            "after_assessment_id": project.after_assessment_id,
            "before_level": project.before_level,
            "after_level": project.after_level,
            "target_met": project.target_met,
        },
    )
    facts.fact_changed(project)
    params = {"name": project.tenant.name, "before": project.before_level, "after": project.after_level}
    projects.tell_admins(
        project,
        _(
            "The after-level of %(name)s is verified (level %(before)s before, %(after)s after): "
            "decide its subsidy."
        ),
        params,
    )
    projects.tell_enterprise(
        project,
        _("Your level after the transformation is verified: level %(after)s (level %(before)s before)."),
        params,
    )


def connect() -> None:
    interface.on_facts_changed(facts_changed, dispatch_uid="programmes.receivers.facts_changed")
    assessor_fences.fence_with(before_assessor_fence)

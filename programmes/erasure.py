"""An enterprise's projects when it is erased (tenants/lifecycle.py runs `projects_settle` in the
erase's last transaction, before the enterprise's public rows are collected and deleted).

* An active project is withdrawn, and the budget reserved for it goes back to its programme
  (programmes.budget.release): the programme must not keep money reserved for a project that no
  longer exists. The release is recorded on the programme's trail (an Event without the project,
  which is deleted, naming only its id and the amount), so the budget's history still adds up.
* Each project's fact is published once more, here and now (the project row is deleted right after,
  so no worker could): it keeps the final state and the figures the reports sum, and is then kept
  (lifecycle.keep_on_erase, registered in programmes/registrations.py) with the enterprise's name
  blanked and `publish_name` off; its tenant is the tombstone.
* The projects themselves, their milestones, their events and their signed contracts (files) are the
  enterprise's own record: deleted with it, like its other public rows."""

from django.db import transaction

from programmes import events, facts
from programmes.models import Event, Project

ERASED = "the enterprise was erased"


@transaction.atomic
def projects_settle(enterprise_id: int) -> None:
    projects = list(Project.objects.select_for_update().filter(tenant_id=enterprise_id).order_by("pk"))
    for project in projects:
        if project.state in Project.ACTIVE:
            old, released = project.state, project.subsidy_reserved
            if project.state in Project.RESERVING and project.subsidy_reserved:
                from programmes import budget  # area B's; imported only when there is budget to release

                budget.release(project=project)
            project.subsidy_reserved = 0
            project.state = Project.State.WITHDRAWN
            project.save(update_fields=["state", "subsidy_reserved", "updated_at"])
            events.record(
                actor=None,
                action=Event.Action.PROJECT_WITHDRAWN,
                programme=project.programme,
                old=old,
                new=Project.State.WITHDRAWN,
                detail={"project": project.pk, "released": str(released)},
                reason=ERASED,
            )
        else:
            # A decided project goes with its enterprise; the programme's trail keeps what it cost,
            # so the granted total is still explained by its events.
            events.record(
                actor=None,
                action=Event.Action.PROJECT_ERASED,
                programme=project.programme,
                old=project.state,
                detail={
                    "project": project.pk,
                    "granted": str(project.subsidy_granted) if project.subsidy_granted is not None else None,
                },
                reason=ERASED,
            )
        facts.fact_publish(project_id=project.pk)

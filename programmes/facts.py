"""The project facts (programmes.models.ProjectFact): what the reports read, published by a worker.

Every change to a project calls `fact_changed(project)` inside its transaction: the project's
`fact_version` goes up (its outbox, core/outbox.py: the undone rows are those with
`fact_published < fact_version`) and, once the transaction commits, the task
`programmes.publish_fact` is sent with the project's id. The task (`fact_publish`) upserts the one
fact row of the project from the project as it is then, and marks as published only the version it
read: a change committed meanwhile stays undone for its own message. A message lost between the
commit and the worker (a broker restart) is sent again by the sweeper; a redelivered or repeated
message writes the same row. `updated_at` is the outbox's stamp: every change moves it, and so does
every re-send of the sweeper."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import outbox
from programmes.models import Project, ProjectFact
from tenants.models import Enterprise

OUTBOX = "programme-facts"
TASK = "programmes.tasks.publish_fact"


def fact_changed(project: Project) -> None:
    """Called inside the transaction of every change to a project: its fact must be (re)published.
    The new version is also set on `project`, so a later `project.save()` keeps it."""
    rows = Project.objects.filter(pk=project.pk)
    rows.update(fact_version=F("fact_version") + 1, updated_at=timezone.now(), resends=0, gave_up_at=None)
    project.fact_version = rows.values_list("fact_version", flat=True).get()
    project.resends, project.gave_up_at = 0, None
    outbox.send_on_commit(OUTBOX, project.pk)


def register_outbox() -> None:
    """The facts' outbox for the sweeper (called by programmes/registrations.py at start-up)."""
    outbox.register(
        outbox.Outbox(
            name=OUTBOX,
            rows=Project.objects.filter(fact_published__lt=F("fact_version")),
            stamp="updated_at",
            args=("pk",),
            task=TASK,
        )
    )


def _values(project: Project) -> dict:
    name = Enterprise.objects.filter(pk=project.tenant_id).values_list("name", flat=True).first() or ""
    return {
        "tenant_id": project.tenant_id,
        "programme_id": project.programme_id,
        "state": project.state,
        "city_id": project.city_id,
        "province_code": project.province_code,
        "industry_id": project.industry_id,
        "segment_id": project.segment_id,
        "size": project.size,
        "provider_id": project.provider_id,
        "solution_id": project.solution_id,
        "before_level": project.before_level,
        "before_total": project.before_total,
        "after_level": project.after_level,
        "after_total": project.after_total,
        "target_met": project.target_met,
        "contract_amount": project.contract_amount,
        "subsidy_granted": project.subsidy_granted,
        "enterprise_name": name[:200],
        "publish_name": project.publish_name,
        "applied_at": project.applied_at,
        "approved_at": project.approved_at,
        "completed_at": project.completed_at,
        "decided_at": project.decided_at,
    }


@transaction.atomic
def fact_publish(*, project_id: int) -> ProjectFact | None:
    """Upserts the project's fact from the project (idempotent). The project's row is locked while it
    is read, so two publishers (a re-send racing the original) write one after the other, the later
    one from the newer project. None when the project is gone (its enterprise erased: its fact was
    written by the erasure and stays as it is)."""
    project = Project.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        return None
    version = project.fact_version
    fact, _created = ProjectFact.objects.update_or_create(project_id=project.pk, defaults=_values(project))
    # Compare-and-set: only the version read above, and never back to an older one.
    Project.objects.filter(pk=project.pk, fact_published__lt=version).update(fact_published=version)
    return fact

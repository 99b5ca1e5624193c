"""What the programmes register into the kernel at start-up (called by ProgrammesConfig.ready()):
the facts' outbox (core/outbox.py), the erasure (tenants/lifecycle.py: the facts kept, the projects
settled first) and the enterprise's data export (core/data_export.py)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from core import data_export
    from programmes import erasure, facts
    from programmes.models import Event, Milestone, Project, ProjectFact
    from tenants import lifecycle

    facts.register_outbox()

    # The facts the reports sum stay, de-identified: no name, and never named on a provider's page.
    lifecycle.keep_on_erase(
        "programmes.ProjectFact",
        rewrite={"enterprise_name": lambda _id: "", "publish_name": lambda _id: False},
    )
    lifecycle.on_erase("programmes.projects", erasure.projects_settle)

    outbox = ("fact_version", "fact_published", "resends", "gave_up_at")
    Table = data_export.Table
    data_export.register(
        Table(
            "programmes",
            "projects",
            Project,
            _("Transformation projects in programmes: levels, contract, subsidy (amounts in yuan)."),
            rows=lambda enterprise: Project.objects.filter(tenant=enterprise),
            leave_out=outbox,
        ),
        Table(
            "programmes",
            "milestones",
            Milestone,
            _("The milestones of each project, reported and confirmed."),
            rows=lambda enterprise: Milestone.objects.filter(project__tenant=enterprise),
        ),
        Table(
            "programmes",
            "project_events",
            Event,
            _("The history of each project."),
            rows=lambda enterprise: Event.objects.filter(project__tenant=enterprise),
        ),
        Table(
            "programmes",
            "project_facts",
            ProjectFact,
            _("The project facts the regional reports count."),
            rows=lambda enterprise: ProjectFact.objects.filter(tenant=enterprise),
        ),
    )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """The tenant-schema half of `tenants`: each enterprise's members, roles and invitations."""

    name = "tenants.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from core import outbox
        from core.models import DataExportOutbox
        from tenants.members import export_tables

        export_tables.register()  # its part of an enterprise's data export (core/data_export.py)
        # The data export's outbox: an export whose message was lost or whose worker died is sent
        # again; given up, it is marked failed (tenants/data_export.py).
        outbox.register(
            outbox.Outbox(
                name="data-export",
                rows=DataExportOutbox.objects.filter(completed_at__isnull=True),
                stamp="sent_at",
                args=("tenant_id", "export_id"),
                task="tenants.tasks.export_data",
                on_give_up=_export_give_up,
            )
        )


def _export_give_up(enterprise_id: int, export_id: int) -> None:
    from tenants import data_export

    data_export.export_give_up(enterprise_id, export_id)

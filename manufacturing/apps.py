from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManufacturingConfig(AppConfig):
    """Industrial cloud (tenant side): assessments, answers, evidence. Shared frameworks are the app
    `manufacturing.frameworks`; the review across enterprises is `manufacturing.review`."""

    name = "manufacturing"
    verbose_name = _("Industrial cloud")

    def ready(self) -> None:
        from core import outbox
        from core.audit import keep_private_values_with
        from manufacturing import export_tables
        from manufacturing.audit_details import TenantAuditDetails
        from manufacturing.frameworks.models import ScoringRequest

        keep_private_values_with(TenantAuditDetails())
        export_tables.register()  # its part of an enterprise's data export (core/data_export.py)
        # Scoring's outbox: a submission without a score (its message lost, or its worker died) is
        # scored again; the task takes the enterprise and enters it (manufacturing/tasks.py).
        outbox.register(
            outbox.Outbox(
                name="scoring",
                rows=ScoringRequest.objects.filter(completed_at__isnull=True),
                stamp="sent_at",
                since="requested_at",
                args=("tenant_id", "assessment_id"),
                task="manufacturing.tasks.score_assessment",
            )
        )

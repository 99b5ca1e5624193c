from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManufacturingConfig(AppConfig):
    """Industrial cloud (tenant side): assessments, answers, evidence. Shared frameworks come in a
    separate app, `manufacturing.frameworks`, when the assessment issue lands."""

    name = "manufacturing"
    verbose_name = _("Industrial cloud")

    def ready(self) -> None:
        from core.audit import keep_private_values_with
        from manufacturing.audit_details import TenantAuditDetails

        keep_private_values_with(TenantAuditDetails())

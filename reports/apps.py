from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Regional cross-city reports (public schema): rollups of the published facts, the dashboard,
    its drill-down, exports and API. Reads public rows only, never a tenant schema. Its cells follow
    what the review and provisioning announce (reports/receivers.py): nothing below imports reports."""

    name = "reports"
    label = "reports"
    verbose_name = _("Regional reports")

    def ready(self) -> None:
        from manufacturing.review import signals as review_signals
        from reports import receivers
        from tenants import signals as tenants_signals

        uid = "reports.receivers"
        review_signals.facts_changing.connect(receivers.facts_changing, dispatch_uid=f"{uid}.facts_changing")
        review_signals.facts_changed.connect(receivers.facts_changed, dispatch_uid=f"{uid}.facts_changed")
        tenants_signals.enterprise_ready.connect(
            receivers.enterprise_ready, dispatch_uid=f"{uid}.enterprise_ready"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Regional cross-city reports (public schema): rollups of the published facts, the dashboard,
    its drill-down, exports and API. Reads public rows only, never a tenant schema."""

    name = "portal.reports"
    label = "reports"
    verbose_name = _("Regional reports")

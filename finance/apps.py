from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Financial cloud (tenant side): financial profile, financing requests."""

    name = "finance"
    verbose_name = _("Financial cloud")

    def ready(self) -> None:
        from finance import export_tables

        export_tables.register()  # its part of an enterprise's data export (core/data_export.py)

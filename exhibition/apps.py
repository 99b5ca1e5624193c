from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExhibitionConfig(AppConfig):
    """Exhibition cloud (tenant side): products, booths, leads, meeting slots."""

    name = "exhibition"
    verbose_name = _("Exhibition cloud")

    def ready(self) -> None:
        from exhibition import export_tables

        export_tables.register()  # its part of an enterprise's data export (core/data_export.py)

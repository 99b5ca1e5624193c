from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExhibitionConfig(AppConfig):
    """Exhibition cloud (tenant side): products, booths, leads, meeting slots."""

    name = "exhibition"
    verbose_name = _("Exhibition cloud")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Financial cloud (tenant side): financial profile, financing requests."""

    name = "finance"
    verbose_name = _("Financial cloud")

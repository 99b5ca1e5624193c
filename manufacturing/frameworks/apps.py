from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    """The shared half of the industrial cloud: published assessment frameworks (public schema)."""

    name = "manufacturing.frameworks"
    label = "frameworks"
    verbose_name = _("Assessment frameworks")

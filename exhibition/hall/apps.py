from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    """The exhibition cloud's shared side (public schema): exhibitions and their sections, run by the
    regional admins."""

    name = "exhibition.hall"
    label = "hall"
    verbose_name = _("Exhibition hall")

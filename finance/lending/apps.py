from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    """The financial cloud's shared side (public schema): institutions and their users, loan
    products, applications (with the data the enterprise consented to share) and financing facts."""

    name = "finance.lending"
    label = "lending"
    verbose_name = _("Lending")

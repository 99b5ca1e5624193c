from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Assessor verification across tenants (public schema): the index of scored assessments,
    assignments, the audit log, in-app notices and the published assessment facts."""

    name = "manufacturing.review"
    label = "review"
    verbose_name = _("Assessment review")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """The tenant-schema half of `tenants`: each enterprise's members, roles and invitations."""

    name = "tenants.members"
    label = "members"
    verbose_name = _("Members")

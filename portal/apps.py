from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # The workspace home's next steps from the industrial, financial and exhibition clouds
        # (tenants may not import them; the portal may): portal/next_steps.py.
        from portal.next_steps import register_workspace_providers

        register_workspace_providers()

        # What the clouds keep or change when an enterprise is erased or an account deleted.
        from portal.erasure import register_erasure

        register_erasure()

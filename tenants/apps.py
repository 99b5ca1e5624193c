from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Enterprises and users")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tenants import routing
        from tenants.models import Domain, Enterprise

        # The host cache (tenants/routing.py) must hear of every change, the admin's included.
        for model in (Enterprise, Domain):
            post_save.connect(
                routing.forget_on_commit, sender=model, dispatch_uid=f"routing-{model.__name__}"
            )
            post_delete.connect(
                routing.forget_on_commit, sender=model, dispatch_uid=f"routing-d-{model.__name__}"
            )

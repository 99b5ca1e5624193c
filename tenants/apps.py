from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Enterprises and users")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core import outbox
        from tenants import routing
        from tenants.models import Domain, Enterprise

        # Provisioning's outbox: a registration still pending (its message lost, or its worker died)
        # is sent again; given up, the registration is marked failed so the registrant can retry.
        outbox.register(
            outbox.Outbox(
                name="provisioning",
                rows=Enterprise.objects.filter(status=Enterprise.Status.PENDING),
                stamp="modified",
                since="created",
                args=("pk",),
                task="tenants.tasks.provision_enterprise",
                on_give_up=_registration_give_up,
            )
        )

        # Account deletion's audit rewrite (tenants/accounts.py), done by a worker.
        from tenants.models import AccountErasure

        outbox.register(
            outbox.Outbox(
                name="account-audit-rewrite",
                rows=AccountErasure.objects.filter(completed_at__isnull=True),
                stamp="sent_at",
                args=("user_id",),
                task="tenants.tasks.account_audit_rewrite",
            )
        )

        from tenants import audit_lines

        audit_lines.register()

        # The host cache (tenants/routing.py) must hear of every change, the admin's included.
        for model in (Enterprise, Domain):
            post_save.connect(
                routing.forget_on_commit, sender=model, dispatch_uid=f"routing-{model.__name__}"
            )
            post_delete.connect(
                routing.forget_on_commit, sender=model, dispatch_uid=f"routing-d-{model.__name__}"
            )


def _registration_give_up(enterprise_id: int) -> None:
    from tenants.registration import registration_give_up

    registration_give_up(enterprise_id)

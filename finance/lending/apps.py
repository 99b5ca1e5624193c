from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    """The financial cloud's shared side (public schema): institutions and their users, loan
    products, applications (with the data the enterprise consented to share) and financing facts."""

    name = "finance.lending"
    label = "lending"
    verbose_name = _("Lending")

    def ready(self) -> None:
        from core import outbox
        from finance.lending.models import FinancingOutbox

        # The financing facts' outbox: one row per request, written with its change.
        outbox.register(
            outbox.Outbox(
                name="financing-facts",
                rows=FinancingOutbox.objects.filter(completed_at__isnull=True),
                stamp="sent_at",
                args=("tenant_id", "request_id"),
                task="finance.lending.tasks.publish_financing",
            )
        )

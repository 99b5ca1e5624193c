from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    """The exhibition cloud's shared side (public schema): exhibitions and their sections, run by the
    regional admins."""

    name = "exhibition.hall"
    label = "hall"
    verbose_name = _("Exhibition hall")

    def ready(self) -> None:
        from django.db.models import F

        from core import outbox
        from exhibition.hall import audit_lines
        from exhibition.hall.models import BoothListing, Inquiry

        audit_lines.register()

        # Two outboxes: the booth copies still wanted in the hall, and the inquiries not yet in the
        # enterprise's lead inbox.
        outbox.register(
            outbox.Outbox(
                name="hall-publishing",
                rows=BoothListing.objects.filter(wanted__gt=F("published")),
                stamp="requested_at",
                args=("tenant_id", "booth_id"),
                task="exhibition.hall.tasks.publish_booth",
            )
        )
        outbox.register(
            outbox.Outbox(
                name="inquiry-delivery",
                rows=Inquiry.objects.filter(delivered_at__isnull=True),
                stamp="sent_at",
                args=("pk",),
                task="exhibition.hall.tasks.deliver_inquiry",
            )
        )

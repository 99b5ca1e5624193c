from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Assessor verification across tenants (public schema): the index of scored assessments,
    assignments, the audit log, in-app notices and the published assessment facts."""

    name = "manufacturing.review"
    label = "review"
    verbose_name = _("Assessment review")

    def ready(self) -> None:
        from core import outbox
        from manufacturing.review import audit_lines, notice_states
        from manufacturing.review.models import ReviewCase

        audit_lines.register()
        notice_states.register()

        # Publishing's outbox: an approval still unpublished (a lost message, a worker that died)
        # is published again; the case's updated_at is the time of the last send.
        outbox.register(
            outbox.Outbox(
                name="review-publishing",
                rows=ReviewCase.objects.filter(status=ReviewCase.Status.VERIFYING),
                stamp="updated_at",
                args=("tenant_id", "assessment_id"),
                task="manufacturing.review.tasks.publish_verified",
            )
        )

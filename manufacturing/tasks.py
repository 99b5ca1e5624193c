"""Scoring task: thin and idempotent; takes the enterprise id and enters it (as the publishing tasks
do), so a re-send by the outbox's sweeper (core/outbox.py) needs no schema of its own."""

from celery import shared_task
from django_tenants.utils import tenant_context

from manufacturing import services


# The outcome lives in the assessment row, so no result is stored in Redis and no "started" state is
# tracked: two Redis writes fewer per assessment.
@shared_task(
    name="manufacturing.score_assessment",
    acks_late=True,
    ignore_result=True,
    track_started=False,
    soft_time_limit=60,
    time_limit=90,
)
def score_assessment(tenant_id: int, assessment_id: int) -> str:
    from tenants.models import Enterprise

    # Entering an enterprise whose schema is being upgraded raises SchemaBeingUpgraded, and the
    # task base (worker/base.py) sends the task again later instead of running it.
    enterprise = Enterprise.objects.get(pk=tenant_id)
    with tenant_context(enterprise):
        return services.assessment_score(enterprise=enterprise, assessment_id=assessment_id).status

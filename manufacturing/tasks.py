"""Scoring task: thin and idempotent; takes the enterprise id and enters it (as the publishing tasks
do), so a re-send by the outbox's sweeper (core/outbox.py) needs no schema of its own."""

from celery import shared_task
from django_tenants.utils import tenant_context
from tenant_schemas_celery.app import get_schema_name_from_task

from manufacturing import services


# The outcome lives in the assessment row, so no result is stored in Redis and no "started" state is
# tracked: two Redis writes fewer per assessment.
@shared_task(
    name="manufacturing.score_assessment",
    bind=True,
    acks_late=True,
    ignore_result=True,
    track_started=False,
    soft_time_limit=60,
    time_limit=90,
)
def score_assessment(self, tenant_id: int, assessment_id: int | None = None) -> str:
    from tenants.models import Enterprise

    if assessment_id is None:
        # A message sent before the one outbox (one argument, the assessment's id; the enterprise is
        # the schema its sender stamped on it), still in the queue at the deploy, or re-delivered
        # after it. Scored as it asked. Kept for one release.
        schema = get_schema_name_from_task(self, {})
        assessment_id, tenant_id = (
            tenant_id,
            Enterprise.objects.values_list("pk", flat=True).get(schema_name=schema),
        )
    # Entering an enterprise whose schema is being upgraded raises SchemaBeingUpgraded, and the
    # task base (worker/base.py) sends the task again later instead of running it.
    enterprise = Enterprise.objects.get(pk=tenant_id)
    with tenant_context(enterprise):
        return services.assessment_score(enterprise=enterprise, assessment_id=assessment_id).status

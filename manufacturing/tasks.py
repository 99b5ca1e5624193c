"""Scoring task: thin and idempotent; runs in the tenant schema the sender stamped on it."""

from celery import shared_task
from django.db import connection

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
def score_assessment(assessment_id: int) -> str:
    # The worker has entered the schema the sender stamped; the service is told whose it is.
    return services.assessment_score(enterprise=connection.tenant, assessment_id=assessment_id).status


@shared_task(name="manufacturing.sweep_scoring", ignore_result=True)
def sweep_scoring() -> int:
    """Beat, every minute: re-sends scoring left undone (see services.scoring_sweep)."""
    return services.scoring_sweep()

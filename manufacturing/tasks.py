"""Scoring task: thin and idempotent; runs in the tenant schema the sender stamped on it."""

from celery import shared_task

from manufacturing import services


@shared_task(name="manufacturing.score_assessment", acks_late=True, soft_time_limit=60, time_limit=90)
def score_assessment(assessment_id: int) -> str:
    return services.assessment_score(assessment_id=assessment_id).status


@shared_task(name="manufacturing.sweep_scoring", ignore_result=True)
def sweep_scoring() -> int:
    """Beat, every minute: re-sends scoring left undone (see services.scoring_sweep)."""
    return services.scoring_sweep()

"""Publishing a verified assessment: thin and idempotent; takes the tenant id and enters it."""

from celery import shared_task

from manufacturing.review import publishing


@shared_task(name="review.publish_verified", acks_late=True, soft_time_limit=60, time_limit=90)
def publish_verified(tenant_id: int, assessment_id: int) -> dict:
    fact = publishing.publish(tenant_id=tenant_id, assessment_id=assessment_id)
    return {"fact": fact.pk, "total": fact.total, "level": fact.level, "percentile": fact.percentile}

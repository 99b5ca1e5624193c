"""Publishing a project's fact: thin and idempotent; takes the project's id (a public row)."""

from celery import shared_task

from programmes import facts


@shared_task(name="programmes.publish_fact", acks_late=True, soft_time_limit=60, time_limit=90)
def publish_fact(project_id: int) -> dict:
    fact = facts.fact_publish(project_id=project_id)
    return {"fact": fact.pk if fact else None}

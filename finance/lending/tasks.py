"""Publishing a financing request's fact: thin and idempotent; takes the tenant id and enters it."""

from celery import shared_task

from finance.lending import services_facts


@shared_task(name="lending.publish_financing", acks_late=True, soft_time_limit=60, time_limit=90)
def publish_financing(tenant_id: int, request_id: int) -> dict:
    fact = services_facts.financing_publish(tenant_id=tenant_id, request_id=request_id)
    return {"fact": fact.pk if fact else None}

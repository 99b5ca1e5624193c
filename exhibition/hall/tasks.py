"""Copying booths into the public hall: thin and idempotent; takes the tenant id and enters it."""

from celery import shared_task

from exhibition.hall import publishing


@shared_task(name="hall.publish_booth", acks_late=True, soft_time_limit=60, time_limit=90)
def publish_booth(tenant_id: int, booth_id: int) -> dict:
    listing = publishing.listing_publish(tenant_id=tenant_id, booth_id=booth_id)
    return {"listing": listing.pk if listing else None}


@shared_task(name="hall.deliver_inquiry", acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_inquiry(inquiry_id: int) -> dict:
    from exhibition.hall import buyers

    lead = buyers.inquiry_deliver(inquiry_id=inquiry_id)
    return {"lead": lead.pk if lead else None}

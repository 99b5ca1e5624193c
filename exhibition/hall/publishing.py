"""Copies a published booth into the public hall (worker), and removes it. Idempotent: a redelivered
task copies the same snapshot again; a booth unpublished meanwhile is removed, never resurrected."""

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from exhibition.hall.models import BoothListing, ListingProduct
from tenants.models import Enterprise


def listing_remove(*, tenant: Enterprise, booth_id: int) -> None:
    listing = BoothListing.objects.filter(tenant=tenant, booth_id=booth_id).first()
    if listing is None:
        return
    files = [p.thumbnail.name for p in listing.products.all() if p.thumbnail]
    listing.delete()
    _delete_files_on_commit(files)


def _delete_files_on_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@transaction.atomic
def listing_publish(*, tenant_id: int, booth_id: int) -> BoothListing | None:
    from exhibition.models import Booth

    tenant = Enterprise.objects.select_related("city").get(pk=tenant_id)
    with tenant_context(tenant):
        booth = Booth.objects.select_for_update().filter(pk=booth_id).first()  # orders us with the enterprise
        if booth is None or booth.status != Booth.Status.PUBLISHED:
            listing_remove(tenant=tenant, booth_id=booth_id)
            return None
        listing = BoothListing.objects.select_for_update().filter(tenant=tenant, booth_id=booth_id).first()
        if listing is None:  # published before the listing row existed (cannot happen) or removed: redo it
            listing = BoothListing.objects.create(
                tenant=tenant,
                booth_id=booth_id,
                exhibition_id=booth.exhibition_id,
                requested_at=timezone.now(),
            )
        version = listing.wanted
        products = list(booth.featured.select_related("industry").prefetch_related("images").order_by("pk"))
        old_files = [p.thumbnail.name for p in listing.products.all() if p.thumbnail]
        listing.products.all().delete()
        for position, product in enumerate(products):
            copy = ListingProduct(
                listing=listing,
                product_id=product.pk,
                position=position,
                name_zh=product.name_zh,
                name_en=product.name_en,
                description_zh=product.description_zh,
                description_en=product.description_en,
                specifications=product.specifications,
                tags=product.tags,
                industry=product.industry,
            )
            first = next(iter(product.images.all()), None)
            if first is not None and first.thumbnail:
                with first.thumbnail.open("rb") as handle:
                    copy.thumbnail.save(f"{uuid.uuid4().hex}.jpg", ContentFile(handle.read()), save=False)
            copy.save()
        texts = [tenant.name, tenant.name_en, booth.intro_zh, booth.intro_en]
        for product in products:
            texts += [product.name_zh, product.name_en, product.description_zh, product.description_en]
        BoothListing.objects.filter(pk=listing.pk).update(
            section_id=booth.section_id,
            exhibition_id=booth.exhibition_id,
            enterprise_name=tenant.name,
            enterprise_name_en=tenant.name_en,
            city=tenant.city,
            industry_id=tenant.industry_id,
            intro_zh=booth.intro_zh,
            intro_en=booth.intro_en,
            tags=sorted({tag for product in products for tag in product.tags}),
            search_text=" ".join(t for t in texts if t).lower(),
            live=True,
            published=version,
            published_at=timezone.now(),
        )
    _delete_files_on_commit(old_files)
    return BoothListing.objects.get(pk=listing.pk)


def listings_sweep(*, older_than_seconds: int | None = None) -> int:
    """Beat, every minute: re-sends the copies still wanted a few minutes after the request."""
    from exhibition.hall.tasks import publish_booth
    from worker.outbox import resend_stale

    return resend_stale(
        BoothListing.objects.filter(wanted__gt=F("published")),
        stamp="requested_at",
        args=("tenant_id", "booth_id"),
        task=publish_booth,
        older_than_seconds=older_than_seconds,
    )

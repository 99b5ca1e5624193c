"""Copies a published booth into the public hall (worker), and removes it. Idempotent: the snapshot
is taken when the owner publishes, and a version already copied is not copied again; a booth
unpublished meanwhile is removed, never resurrected."""

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from exhibition.hall.facts import fact_refresh
from exhibition.hall.models import BoothListing, ListingProduct
from exhibition.hall.policy import booth_copyable
from exhibition.hall.search import grams, listing_text
from tenants.models import Enterprise


def listing_remove(*, tenant: Enterprise, booth_id: int) -> None:
    listing = BoothListing.objects.filter(tenant=tenant, booth_id=booth_id).first()
    if listing is None:
        return
    files = [p.thumbnail.name for p in listing.products.all() if p.thumbnail]
    listing.delete()
    fact_refresh(tenant_id=tenant.pk, booth_id=booth_id)
    _delete_files_on_commit(files)


def _delete_files_on_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@transaction.atomic
def listing_publish(*, tenant_id: int, booth_id: int) -> BoothListing | None:
    """Copies the snapshot taken when the booth was last published. A version already copied is left
    alone, so a redelivered or re-sent task changes nothing."""
    from django.core.files.storage import default_storage

    from exhibition.models import Booth

    tenant = Enterprise.objects.select_related("city").get(pk=tenant_id)
    with tenant_context(tenant):
        booth = Booth.objects.select_for_update().filter(pk=booth_id).first()  # orders us with the enterprise
        if not booth_copyable(booth):
            listing_remove(tenant=tenant, booth_id=booth_id)
            return None
        listing = BoothListing.objects.select_for_update().filter(tenant=tenant, booth_id=booth_id).first()
        if listing is None or (listing.live and listing.published >= listing.wanted):
            return listing
        version, snap = listing.wanted, listing.pending
        old_files = [p.thumbnail.name for p in listing.products.all() if p.thumbnail]
        listing.products.all().delete()
        for position, item in enumerate(snap.get("products", [])):
            copy = ListingProduct(
                listing=listing,
                product_id=item["id"],
                position=position,
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                description_zh=item["description_zh"],
                description_en=item["description_en"],
                specifications=item["specifications"],
                tags=item["tags"],
                industry_id=item["industry"],
            )
            try:
                with default_storage.open(item["thumbnail"], "rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, ValueError, OSError):
                data = None  # the picture was removed meanwhile: the product shows without it
            if data:
                copy.thumbnail.save(f"{uuid.uuid4().hex}.jpg", ContentFile(data), save=False)
            copy.save()
        search_text = listing_text(tenant.name, tenant.name_en, snap)
        BoothListing.objects.filter(pk=listing.pk).update(
            section_id=snap.get("section") or booth.section_id,
            exhibition_id=booth.exhibition_id,
            enterprise_name=tenant.name,
            enterprise_name_en=tenant.name_en,
            city=tenant.city,
            industry_id=tenant.industry_id,
            intro_zh=snap.get("intro_zh", ""),
            intro_en=snap.get("intro_en", ""),
            tags=sorted({tag for item in snap.get("products", []) for tag in item["tags"]}),
            search_text=search_text,
            search_grams=sorted(grams(search_text)),
            live=True,
            published=version,
            published_at=timezone.now(),
        )
    fact_refresh(tenant_id=tenant.pk, booth_id=booth_id, exhibition_id=booth.exhibition_id)
    _delete_files_on_commit(old_files)
    return BoothListing.objects.get(pk=listing.pk)

"""Writes of the exhibition cloud inside an enterprise's schema: the product catalogue."""

from django.db import transaction

from exhibition import images
from exhibition.forms import ProductForm
from exhibition.models import Product, ProductImage

MAX_IMAGES = 8


def product_save(*, form: ProductForm, user) -> Product:
    if not form.instance.pk:
        form.instance.created_by = user
    return form.save()


@transaction.atomic
def image_add(*, enterprise, product: Product, upload) -> ProductImage:
    """Adds a checked, re-encoded picture (images.process refuses anything else, with a message). The
    files go to the folder of `enterprise`, the product's owner (whose schema the caller has entered)."""
    from django.utils.translation import gettext_lazy as _

    from core.api import ConflictError

    product = Product.objects.select_for_update().get(pk=product.pk)
    count = product.images.count()
    if count >= MAX_IMAGES:
        raise ConflictError(_("A product has at most %(n)s pictures."), params={"n": MAX_IMAGES})
    processed = images.process(upload)
    picture = ProductImage(product=product, original_name=(upload.name or "")[:255], position=count)
    picture.enterprise = enterprise
    picture.image.save(processed.image.name, processed.image, save=False)
    picture.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    picture.save()
    return picture


def image_delete(*, picture: ProductImage) -> None:
    files = [picture.image.name, picture.thumbnail.name]
    storage = picture.image.storage
    picture.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])


def product_delete(*, product: Product) -> None:
    for picture in list(product.images.all()):
        image_delete(picture=picture)
    product.delete()

"""The exhibition cloud of one enterprise (tenant schema): its product catalogue and images."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual
from tenants.public_refs import public_reference, user_reference


class Product(Bilingual, models.Model):
    class Tag(models.TextChoices):
        SMART = "smart", _("Smart manufacturing")
        GREEN = "green", _("Green and low-carbon")
        EXPORT = "export", _("Export-ready")
        NEW = "new", _("New product")
        CUSTOM = "custom", _("Made to order")

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    # "Key: value" lines, e.g. "Spindle speed: 12,000 rpm"; shown as a table.
    specifications = models.TextField(_("specifications"), blank=True)
    tags = models.JSONField(_("tags"), default=list)
    # A workspace has tens of products: no index (it would be two, with Django's LIKE index).
    industry = public_reference("tenants.Industry", verbose_name=_("industry division"), db_index=False)
    created_by = user_reference()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    def specification_rows(self) -> list[tuple[str, str]]:
        return specification_rows(self.specifications)


def specification_rows(text: str) -> list[tuple[str, str]]:
    """ "name: value" lines (either colon) as (name, value) rows; a line without one as ("", line)."""
    rows = []
    for line in (text or "").splitlines():
        key, sep, value = line.partition(":") if ":" in line else line.partition("：")
        if line.strip():
            rows.append((key.strip(), value.strip()) if sep else ("", line.strip()))
    return rows


def image_path(instance: "ProductImage", filename: str) -> str:
    # Under the enterprise's own folder, a random name; only re-encoded JPEGs are ever stored.
    if instance.enterprise is None:
        raise ValueError("A product's pictures are stored by services.image_add, which names the enterprise.")
    folder = instance.enterprise.schema_name
    return f"tenants/{folder}/products/{instance.product_id}/{uuid.uuid4().hex}-{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=image_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=image_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("file name"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # The enterprise whose folder new files are stored in (not a column: the row is in its schema
    # already); set by services.image_add, read by image_path.
    enterprise = None

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.original_name}"


class Booth(models.Model):
    """The enterprise's booth at one exhibition. Edited here as a draft; what the hall shows is the
    snapshot taken when it was last published (hall.BoothListing), so a later edit changes nothing
    public until it is published again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # one_booth_per_exhibition is the exhibition's index; a workspace has a few booths.
    exhibition = public_reference("hall.Exhibition", verbose_name=_("exhibition"), db_index=False)
    section = public_reference("hall.Section", verbose_name=_("section"), db_index=False)
    intro_zh = models.TextField(_("Chinese introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)
    featured = models.ManyToManyField(
        Product, verbose_name=_("featured products"), blank=True, related_name="+", through="FeaturedProduct"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        constraints = [models.UniqueConstraint(fields=["exhibition"], name="one_booth_per_exhibition")]

    def __str__(self) -> str:
        return f"booth {self.pk} @ {self.exhibition_id}"


class FeaturedProduct(models.Model):
    """A product featured at a booth, in the order the enterprise arranged (the hall shows it so)."""

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, db_index=False)  # (booth, product) is unique
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        db_table = "exhibition_booth_featured"  # the table of the plain many-to-many it grew from
        ordering = ["position", "pk"]
        unique_together = [("booth", "product")]

    def __str__(self) -> str:
        return f"{self.booth_id}:{self.product_id}@{self.position}"


class Lead(models.Model):
    """A buyer's inquiry, delivered into the enterprise's inbox (once: `inquiry_id` is unique)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    inquiry_id = models.BigIntegerField(unique=True)
    buyer_name = models.CharField(_("buyer"), max_length=100)
    buyer_email = models.EmailField(_("email"))
    company = models.CharField(_("company"), max_length=200, blank=True)
    message = models.TextField(_("inquiry"))
    exhibition_name = models.CharField(_("exhibition"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = user_reference(null=True, blank=True, on_delete=models.SET_NULL)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.buyer_email}: {self.message[:40]}"

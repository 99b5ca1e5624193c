"""The exhibition cloud of one enterprise (tenant schema): its product catalogue and images."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
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
    industry = models.ForeignKey(
        "tenants.Industry", verbose_name=_("industry division"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        zh = (get_language() or "zh").startswith("zh")
        return self.name_zh if zh or not self.name_en else self.name_en

    def specification_rows(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.specifications.splitlines():
            key, sep, value = line.partition(":") if ":" in line else line.partition("：")
            if line.strip():
                rows.append((key.strip(), value.strip()) if sep else ("", line.strip()))
        return rows


def image_path(instance: "ProductImage", filename: str) -> str:
    # Under the tenant's own folder, a random name; only re-encoded JPEGs are ever stored.
    from django.db import connection

    return f"tenants/{connection.schema_name}/products/{instance.product_id}/{uuid.uuid4().hex}-{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=image_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=image_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("file name"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.original_name}"

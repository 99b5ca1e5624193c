"""Exhibitions and their sections (public schema)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Bilingual


class Exhibition(Bilingual, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not public)")
        OPEN = "open", _("Booth registration open")
        CLOSED = "closed", _("Booth registration closed")
        ENDED = "ended", _("Ended")

    PUBLIC = (Status.OPEN, Status.CLOSED, Status.ENDED)

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    theme_zh = models.TextField(_("Chinese theme"), blank=True)
    theme_en = models.TextField(_("English theme"), blank=True)
    starts_on = models.DateField(_("opens on"))
    ends_on = models.DateField(_("closes on"))
    registration_deadline = models.DateField(_("booth registration deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        "tenants.User", verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="exhibition_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=F("ends_on")), name="exhibition_deadline_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def theme(self) -> str:
        from django.utils.translation import get_language

        zh = (get_language() or "zh").startswith("zh")
        return self.theme_zh if zh or not self.theme_en else self.theme_en


class Section(Bilingual, models.Model):
    """A hall of the exhibition for some industry divisions (e.g. equipment manufacturing: C34-C35)."""

    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="sections")
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    industries = models.ManyToManyField(
        "tenants.Industry", verbose_name=_("industry divisions"), blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["exhibition", "name_zh"], name="section_name_unique")]

    def __str__(self) -> str:
        return self.name

"""Booths of one enterprise (tenant side) and their publishing to the public hall.

Publishing is requested here, in the enterprise's transaction: the booth is marked published and its
public listing row counts one more wanted version; a worker task copies the snapshot (publish_booth).
Unpublishing deletes the listing at once. A booth row lock orders the enterprise's requests and the
worker's copy, so a copy never resurrects a booth unpublished meanwhile.
"""

from django import forms
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.api import ApplicationError, ConflictError, small_id
from exhibition.hall.models import BoothListing, Exhibition, Section
from exhibition.hall.policy import booth_publishable, exhibition_public
from exhibition.models import Booth, FeaturedProduct, Product
from tenants.members.models import Activity

INTRO_MAX = 5000


class BoothForm(forms.ModelForm):
    featured = forms.ModelMultipleChoiceField(
        Product.objects.all(),
        required=False,
        label=_("Featured products"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Booth
        fields = ["section", "intro_zh", "intro_en", "featured"]
        widgets = {
            "intro_zh": forms.Textarea(attrs={"rows": 4, "maxlength": INTRO_MAX}),
            "intro_en": forms.Textarea(attrs={"rows": 4, "maxlength": INTRO_MAX}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(exhibition_id=self.instance.exhibition_id)
        self.fields["section"].label = _("Section")  # 展区 (the model field's "section" reads 门类)
        self.fields["featured"].queryset = Product.objects.order_by("name_zh", "pk")
        self.arranged = (
            {f.product_id: f.position + 1 for f in FeaturedProduct.objects.filter(booth=self.instance)}
            if self.instance.pk
            else {}
        )

    def featured_rows(self) -> list[dict]:
        """Per product: its checkbox and the position it is shown at (the page's table)."""
        rows = []
        for widget in self["featured"]:
            pk = int(str(widget.data["value"]))
            shown = self.data.get(f"position_{pk}", "") if self.is_bound else self.arranged.get(pk, "")
            rows.append({"widget": widget, "pk": pk, "position": shown})
        return rows

    def clean(self):
        data = super().clean()
        for name in ("intro_zh", "intro_en"):
            if len(data.get(name) or "") > INTRO_MAX:
                self.add_error(name, _("At most 5,000 characters."))
        featured = list(data.get("featured") or ())
        if len(featured) > 12:
            self.add_error("featured", _("Feature at most 12 products."))
        # The order: the positions typed on the page, else the order of the ids sent (the API).
        sent = [str(v) for v in self.data.getlist("featured")] if hasattr(self.data, "getlist") else []
        positions = {}
        for product in featured:
            raw = (self.data.get(f"position_{product.pk}") or "").strip()
            position = small_id(raw) if raw else 100  # unnumbered: after the numbered ones
            if position is None or (raw and not 1 <= position <= 99):
                self.add_error("featured", _("A position is a whole number from 1 to 99."))
                break
            positions[product.pk] = position
        data["featured"] = sorted(
            featured,
            key=lambda p: (
                positions.get(p.pk, 100),
                sent.index(str(p.pk)) if str(p.pk) in sent else len(sent),
                p.pk,
            ),
        )
        return data

    def save(self, commit=True):
        booth = super().save(commit)
        if commit:
            order = {product.pk: n for n, product in enumerate(self.cleaned_data.get("featured") or ())}
            for row in FeaturedProduct.objects.filter(booth=booth):
                if row.position != order.get(row.product_id, 0):
                    row.position = order.get(row.product_id, 0)
                    row.save(update_fields=["position"])
        return booth


@transaction.atomic
def booth_save(*, form: BoothForm) -> Booth:
    """Saves the draft (fields, featured products and their order) in one transaction, under the
    booth's row lock, so a publish never copies a half-saved order and two saves do not interleave."""
    _locked(form.instance.pk)
    return form.save()


@transaction.atomic
def booth_register(*, enterprise, exhibition_id, section_id, user) -> Booth:
    """Registers the enterprise's booth (in its schema, which the caller has entered) at an exhibition
    whose registration is open."""
    exhibition = Exhibition.objects.select_for_update().filter(pk=exhibition_id).first()
    if exhibition is None or not exhibition_public(exhibition):
        raise Http404
    if exhibition.status != Exhibition.Status.OPEN or exhibition.registration_deadline < timezone.localdate():
        raise ConflictError(_("Booth registration for this exhibition is closed."))
    section = Section.objects.filter(pk=section_id, exhibition=exhibition).first()
    if section is None:
        raise ApplicationError(_("Choose one of this exhibition's sections."), extra={"field": "section"})
    if Booth.objects.filter(exhibition=exhibition).exists():
        raise ConflictError(_("You already have a booth at this exhibition."))
    from exhibition.hall.facts import fact_refresh

    booth = Booth.objects.create(exhibition=exhibition, section=section, created_by=user)
    _activity(
        booth,
        enterprise=enterprise,
        user=user,
        action=Activity.Action.BOOTH_REGISTERED,
        old="",
        new=booth.status,
        name=exhibition.name_zh,
    )
    fact_refresh(
        tenant_id=enterprise.pk, booth_id=booth.pk, exhibition_id=exhibition.pk, section_id=section.pk
    )
    return booth


def _activity(
    booth: Booth, *, enterprise, user, action: str, old: str, new: str, name: str | None = None
) -> None:
    """The row of the workspace's activity log for a change of this booth (same transaction)."""
    from tenants.members.services import activity_record

    if name is None:
        name = Exhibition.objects.filter(pk=booth.exhibition_id).values_list("name_zh", flat=True).first()
    activity_record(
        enterprise=enterprise,
        actor=user,
        action=action,
        subject=f"{name or '—'} (#{booth.pk})",
        object_id=booth.pk,
        old=old,
        new=new,
    )


def _locked(booth_id) -> Booth:
    booth = Booth.objects.select_for_update().filter(pk=booth_id).first()
    if booth is None:
        raise Http404
    return booth


def snapshot(booth: Booth) -> dict:
    """The booth and its featured products as they are now (plain data; pictures by file name)."""
    products = []
    arranged = (
        FeaturedProduct.objects.filter(booth=booth).select_related("product").order_by("position", "pk")
    )
    for product in (row.product for row in arranged.prefetch_related("product__images")):
        first = next(iter(product.images.all()), None)
        products.append(
            {
                "id": product.pk,
                "name_zh": product.name_zh,
                "name_en": product.name_en,
                "description_zh": product.description_zh,
                "description_en": product.description_en,
                "specifications": product.specifications,
                "tags": product.tags,
                "industry": product.industry_id,
                "thumbnail": first.thumbnail.name if first is not None and first.thumbnail else "",
            }
        )
    return {
        "section": booth.section_id,
        "intro_zh": booth.intro_zh,
        "intro_en": booth.intro_en,
        "products": products,
    }


@transaction.atomic
def booth_publish(*, booth_id, enterprise, user) -> Booth:
    booth = _locked(booth_id)
    if not booth_publishable(booth):
        raise ApplicationError(_("Write an introduction or feature a product before publishing."))
    _activity(
        booth,
        enterprise=enterprise,
        user=user,
        action=Activity.Action.BOOTH_PUBLISHED,
        old=booth.status,
        new=Booth.Status.PUBLISHED,
    )
    booth.status = Booth.Status.PUBLISHED
    booth.published_at = timezone.now()
    booth.save(update_fields=["status", "published_at", "updated_at"])
    pending = snapshot(booth)
    updated = BoothListing.objects.filter(tenant=enterprise, booth_id=booth.pk).update(
        wanted=F("wanted") + 1, requested_at=timezone.now(), pending=pending, resends=0, gave_up_at=None
    )
    if not updated:
        BoothListing.objects.create(
            tenant=enterprise,
            booth_id=booth.pk,
            exhibition_id=booth.exhibition_id,
            requested_at=timezone.now(),
            pending=pending,
        )
    outbox.send_on_commit("hall-publishing", enterprise.pk, booth.pk)
    return booth


@transaction.atomic
def booth_unpublish(*, booth_id, enterprise, user) -> Booth:
    """Off the hall at once: the listing is deleted in this transaction."""
    from exhibition.hall.publishing import listing_remove

    booth = _locked(booth_id)
    if booth.status != Booth.Status.DRAFT:
        _activity(
            booth,
            enterprise=enterprise,
            user=user,
            action=Activity.Action.BOOTH_WITHDRAWN,
            old=booth.status,
            new=Booth.Status.DRAFT,
        )
    booth.status = Booth.Status.DRAFT
    booth.save(update_fields=["status", "updated_at"])
    listing_remove(tenant=enterprise, booth_id=booth.pk)
    return booth

"""Exhibitions and their sections (public schema)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual, in_language


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
        return in_language(self.theme_zh, self.theme_en)


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
        # "section" alone is GB/T 4754's 门类 (tenants.Industry); an exhibition's section is a 展区.
        verbose_name = _("exhibition section")
        verbose_name_plural = _("exhibition sections")
        constraints = [models.UniqueConstraint(fields=["exhibition", "name_zh"], name="section_name_unique")]

    def __str__(self) -> str:
        return self.name


class BoothListing(models.Model):
    """What the public hall shows of a booth: a snapshot taken by the publishing worker. The row is
    written with the enterprise's request (`wanted` counts the publish requests); the worker copies
    the booth and its featured products and sets `published` to the version it copied. `live` is
    false until the first copy. Unpublishing deletes the row at once."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    booth_id = models.BigIntegerField()
    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="listings")
    section = models.ForeignKey(Section, null=True, on_delete=models.SET_NULL, related_name="listings")
    enterprise_name = models.CharField(max_length=200, blank=True)
    enterprise_name_en = models.CharField(max_length=200, blank=True)
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    intro_zh = models.TextField(blank=True)
    intro_en = models.TextField(blank=True)
    tags = models.JSONField(default=list)  # the featured products' tags
    search_text = models.TextField(blank=True)  # names, intro, products, lower-cased, both languages
    search_grams = ArrayField(models.TextField(), default=list)  # search.grams(search_text), indexed
    live = models.BooleanField(default=False)
    # The booth as it was when its owner last asked to publish it: what the worker copies, so that
    # an edit made after that request stays private even if the copy runs later or runs again.
    pending = models.JSONField(default=dict)
    wanted = models.PositiveIntegerField(default=1)
    published = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True)
    # The outbox (core/outbox.py): re-sends of the copy wanted, and when the sweeper gave up; both
    # start again at the owner's next request.
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["tenant", "booth_id"], name="listing_unique")]
        indexes = [
            models.Index(fields=["exhibition", "live", "section"], name="listing_hall"),
            # The sweeper's copies still wanted (few rows: a partial index).
            models.Index(
                fields=["requested_at"], condition=Q(wanted__gt=F("published")), name="listing_wanted"
            ),
            # The hall's page: its filter and order, so a page reads 24 rows, not every booth.
            models.Index(fields=["exhibition", "live", "enterprise_name", "id"], name="listing_hall_order"),
            GinIndex(fields=["search_grams"], name="listing_search_grams"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} @ {self.exhibition_id}"

    @property
    def name(self) -> str:
        return in_language(self.enterprise_name, self.enterprise_name_en)

    @property
    def intro(self) -> str:
        return in_language(self.intro_zh, self.intro_en)


class ListingProduct(Bilingual, models.Model):
    listing = models.ForeignKey(BoothListing, on_delete=models.CASCADE, related_name="products")
    product_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    specifications = models.TextField(blank=True)
    tags = models.JSONField(default=list)
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    thumbnail = models.ImageField(upload_to="hall/listings/", blank=True)  # a public copy

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def description(self) -> str:
        return in_language(self.description_zh, self.description_en)

    def specification_rows(self) -> list[tuple[str, str]]:
        from exhibition.models import specification_rows

        return specification_rows(self.specifications)


class Inquiry(models.Model):
    """A buyer's inquiry to a booth (public schema): the buyer's copy, and the outbox of its delivery
    into the enterprise's lead inbox (`delivered_at` set once it is there)."""

    listing = models.ForeignKey(BoothListing, null=True, on_delete=models.SET_NULL, related_name="inquiries")
    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    booth_id = models.BigIntegerField()
    buyer = models.ForeignKey("tenants.User", on_delete=models.CASCADE, related_name="inquiries")
    buyer_name = models.CharField(max_length=100)
    buyer_email = models.EmailField()
    company = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True)
    # The outbox (core/outbox.py): re-sends of the delivery, and when the sweeper gave up.
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # The enterprise's latest reply, mirrored here (in its transaction) for the buyer's "My inquiries".
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["buyer", "created_at"], name="inquiry_buyer"),
            models.Index(fields=["delivered_at", "sent_at"], name="inquiry_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_email} -> {self.tenant_id}:{self.booth_id}"


class MeetingSlot(models.Model):
    """A time an enterprise offers buyers for a meeting (public: buyers book it on the hall), and how
    the meeting is held: online (at `link`), at the enterprise's booth at the fair, or at `address`.
    The address is shown with the free slot; the link only to the buyer who booked it."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online video call")
        BOOTH = "booth", _("On site at the booth")
        ADDRESS = "address", _("At an address")

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(
        _("how the meeting is held"), max_length=10, choices=Mode.choices, default=Mode.BOOTH
    )
    link = models.URLField(_("online meeting link"), max_length=500, blank=True)
    address = models.CharField(_("meeting address"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True)
    cancel_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
            # An online meeting has its link, a meeting at an address has the address.
            models.CheckConstraint(
                condition=(~Q(mode="online") | ~Q(link="")) & (~Q(mode="address") | ~Q(address="")),
                name="slot_place_given",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "starts_at"], name="slot_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """A buyer's booking of a slot. One per slot, by the database: two buyers booking at once, one wins."""

    slot = models.OneToOneField(MeetingSlot, on_delete=models.CASCADE, related_name="booking")
    buyer = models.ForeignKey("tenants.User", on_delete=models.CASCADE, related_name="bookings")
    # The booth it was booked from (a slot is the enterprise's, offered on each of its booths).
    exhibition = models.ForeignKey(Exhibition, null=True, on_delete=models.SET_NULL, related_name="+")
    booth_id = models.BigIntegerField(null=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.buyer_id} @ {self.slot_id}"


class ExhibitionFact(models.Model):
    """One booth's participation in an exhibition, for the region's reports (public schema): where
    the enterprise is, and what came of the booth. Written by `facts.fact_refresh` in the transaction
    of every change it counts (registration, publishing, unpublishing, an inquiry delivered, a meeting
    booked or cancelled), recounted from those rows under this row's lock: running it again, or
    after a redelivered task, gives the same row. It outlives the booth's listing, so a booth taken
    off the hall after the fair still counts as having exhibited."""

    tenant = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+")
    booth_id = models.BigIntegerField()
    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="facts")
    section = models.ForeignKey(Section, null=True, on_delete=models.SET_NULL, related_name="+")
    city = models.ForeignKey("tenants.Region", null=True, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey("tenants.Industry", null=True, on_delete=models.PROTECT, related_name="+")
    size = models.CharField(max_length=10, blank=True)  # the enterprise's revenue band
    registered_at = models.DateTimeField()
    first_published_at = models.DateTimeField(null=True)  # first time in the hall
    live = models.BooleanField(default=False)  # in the hall now
    inquiries = models.PositiveIntegerField(default=0)  # delivered to the lead inbox
    meetings = models.PositiveIntegerField(default=0)  # booked from the booth, not cancelled
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "booth_id"], name="exhibition_fact_unique")]
        indexes = [
            models.Index(fields=["exhibition", "city"], name="exhibition_fact_city"),
            models.Index(fields=["city", "exhibition"], name="exhibition_fact_region"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.booth_id} @ {self.exhibition_id}"

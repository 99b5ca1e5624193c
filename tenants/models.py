"""Enterprises (tenants), their domains, global users and the reference data. All in the public schema."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tenants.models import DomainMixin
from tenant_users.tenants.models import TenantBase, UserProfile

from core.i18n import Bilingual, in_language
from core.roles import PlatformRole


class Region(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    """An administrative division of Beijing, Tianjin or Hebei (GB/T 2260 codes)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        MUNICIPALITY = "municipality", _("Municipality")
        PREFECTURE_CITY = "prefecture_city", _("Prefecture-level city")
        NEW_AREA = "new_area", _("New area")
        DISTRICT = "district", _("District")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    province_code = models.CharField(_("province code"), max_length=6)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # One of the 14 units the regional reports compare: Beijing, Tianjin, 11 Hebei cities, Xiong'an.
    is_report_city = models.BooleanField(_("report city"), default=False)
    verified = models.BooleanField(_("code verified"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Industry(Bilingual, models.Model):  # noqa: DJ008 - __str__ is Bilingual's
    """A manufacturing division of GB/T 4754-2017, section C (C13-C43)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    section = models.CharField(_("section"), max_length=1)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=160)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry division")
        verbose_name_plural = _("industry divisions")


class SchemaVersion(models.Model):
    """One state of the enterprise schemas' migrations, as the code defines it: a fingerprint of the
    migration graph's leaf nodes of the tenant apps (tenants/schema.py). Rows are added in the order
    the states were first seen, so a larger id is a newer state.

    Each enterprise records the state its schema is at (`Enterprise.schema_version`), so a start
    with nothing to migrate reads one row instead of visiting every schema. Once the template schema
    is at a state, `clone_sql` holds the SQL that creates a copy of it (tables, indexes,
    constraints, triggers, rows, sequence positions): provisioning runs that, never the catalogue
    queries that built it."""

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    leaf_nodes = models.JSONField(_("leaf migrations"), default=list)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    template_ready_at = models.DateTimeField(_("template migrated at"), null=True, blank=True)
    clone_sql = models.TextField(_("clone script"), blank=True)

    class Meta:
        verbose_name = _("schema version")
        verbose_name_plural = _("schema versions")

    def __str__(self) -> str:
        return f"v{self.pk} {self.fingerprint[:12]}"


class Enterprise(TenantBase):
    """A registered manufacturing enterprise; its workspace is its own PostgreSQL schema.

    The public schema's own row (schema "public") is the platform itself and has no company data.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Lifecycle(models.TextChoices):
        # Apart from `status` (provisioning): an operator's or the owner's decision about a
        # workspace that is (or was) ready. tenants/lifecycle.py moves it; "closed" is a tombstone.
        ACTIVE = "active", pgettext_lazy("lifecycle", "Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSING = "closing", _("Closing")
        # The erase has begun (committed before any file is deleted): nothing reopens it.
        ERASING = "erasing", _("Being erased")
        CLOSED = "closed", _("Closed")

    class RevenueBand(models.TextChoices):
        # Industrial-enterprise size bounds of the national SME classification (工信部联企业〔2011〕300号).
        UNDER_3M = "lt3m", _("under CNY 3 million")
        FROM_3M = "3m-20m", _("CNY 3 million to 20 million")
        FROM_20M = "20m-400m", _("CNY 20 million to 400 million")
        OVER_400M = "ge400m", _("CNY 400 million or more")

    # The schema is made by the provisioning task (a clone of the template), not on save.
    auto_create_schema = False

    name = models.CharField(_("company name (Chinese)"), max_length=200)
    name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    # NULL only for the platform's own public row; a unique constraint lets NULLs repeat, "" would not.
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18, null=True, blank=True)  # noqa: DJ001
    city = models.ForeignKey(
        Region, verbose_name=_("city"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        Region, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry division"), null=True, blank=True, on_delete=models.PROTECT
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    revenue_band = models.CharField(
        _("annual revenue"), max_length=10, choices=RevenueBand.choices, blank=True
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("status reason"), blank=True)
    # Public handle of the registration (status URL); never the primary key.
    registration_id = models.UUIDField(_("registration id"), default=uuid.uuid4, unique=True, editable=False)
    provisioning_attempts = models.PositiveSmallIntegerField(_("provisioning attempts"), default=0)
    # The outbox (core/outbox.py): the sweeper's re-sends of the provisioning message while pending,
    # and when it gave up (the registration is then marked failed).
    resends = models.PositiveSmallIntegerField(default=0, editable=False)
    gave_up_at = models.DateTimeField(null=True, blank=True, editable=False)
    provisioned_at = models.DateTimeField(_("provisioned at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # The migration state of this enterprise's schema; NULL until first recorded (an installation
    # that predates the records, whose schemas the migrator checks and records).
    schema_version = models.ForeignKey(
        SchemaVersion,
        verbose_name=_("schema version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # The lifecycle (tenants/lifecycle.py): a plain indexed field, counted by state for the metrics.
    lifecycle = models.CharField(
        _("lifecycle"), max_length=10, choices=Lifecycle.choices, default=Lifecycle.ACTIVE, db_index=True
    )
    lifecycle_reason = models.TextField(_("lifecycle reason"), blank=True)
    lifecycle_changed_at = models.DateTimeField(_("lifecycle changed at"), null=True, blank=True)
    lifecycle_changed_by = models.ForeignKey(
        "tenants.User",
        verbose_name=_("lifecycle changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # While closing: the state it was closed from (reopening goes back to it).
    closed_from = models.CharField(_("closed from"), max_length=10, choices=Lifecycle.choices, blank=True)
    # While closing: when the worker erases the workspace; once closed, when it did.
    erase_after = models.DateTimeField(_("erase after"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            # One credit code registers one enterprise, enforced by the database (races included).
            models.UniqueConstraint(fields=["credit_code"], name="enterprise_credit_code_unique"),
            models.UniqueConstraint(Lower("slug"), name="enterprise_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class User(UserProfile):
    """A global user. Per-enterprise membership and permissions live in each tenant schema
    (django-tenant-users); platform roles (assessor, regional admin) live here."""

    PlatformRole = PlatformRole  # the kernel's (core.roles), which checks them

    name = models.CharField(_("name"), max_length=100, blank=True)
    platform_role = models.CharField(
        _("platform role"), max_length=20, choices=PlatformRole.choices, blank=True, default=""
    )
    # A regional admin's scope: empty for the whole region, else a province or a report city.
    scope_region = models.ForeignKey(
        Region, verbose_name=_("scope"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_joined = models.DateTimeField(_("date joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope_region__isnull=True) | models.Q(platform_role="regional_admin"),
                name="user_scope_only_for_regional_admin",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        # A changed password revokes every API token of the account, as it ends its other sessions
        # (Django's session hash). Here rather than in each view: every way of changing a password
        # (the reset pages, the admin's password change, `manage.py changepassword`, any later page
        # or API) is set_password() followed by save(), and this is where Django itself tells the
        # password validators of a change (AbstractBaseUser.save, `password_changed`).
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from tenants.tokens import user_tokens_revoke

            user_tokens_revoke(user=self)


class LegalDocument(models.Model):
    """A version of the user agreement or the privacy policy (PIPL), as published on /legal/<kind>/.
    A new version is a new row; a version someone has consented to is never changed (the admin
    refuses), so each consent names the exact text that was shown."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("User agreement")
        PRIVACY = "privacy", _("Privacy policy")

    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title_zh = models.CharField(_("Chinese title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100)
    body_zh = models.TextField(
        _("Chinese text"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    body_en = models.TextField(
        _("English text"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    effective_on = models.DateField(_("effective from"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="legal_document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def title(self) -> str:
        return in_language(self.title_zh, self.title_en)

    @property
    def body(self) -> str:
        return in_language(self.body_zh, self.body_en)


class LegalConsent(models.Model):
    """A person's consent to one version of a legal document: who, which, when, from where."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="consents")
    document = models.ForeignKey(
        LegalDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="consents"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.document}"


class AccountErasure(models.Model):
    """The outbox of an account deletion's audit rewrite (tenants/accounts.py): the public audit
    rows that spelt the person's email are rewritten to their pseudonym by a worker, not in the web
    request (finding them reads the whole audit table). The email is kept here only until that is
    done (then blanked); the sweeper (core/outbox.py) sends the task again if its message is lost."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254, blank=True)
    sent_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveSmallIntegerField(default=0)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}"

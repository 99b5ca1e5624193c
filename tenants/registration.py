"""Self-registration and provisioning of enterprises (services: writes)."""

import logging
import re
import smtplib
import uuid

from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists
from pypinyin import lazy_pinyin

from core import outbox
from core.api import ApplicationError, ConflictError
from core.client_ip import client_ip
from core.i18n import bilingual
from tenants import signals
from tenants.models import Domain, Enterprise, Industry, Region, User
from tenants.schema import TEMPLATE_OUT_OF_DATE, TemplateOutOfDate, enterprise_schema_create

logger = logging.getLogger(__name__)

RESERVED_SLUGS = frozenset(
    """www api admin administrator public static media assets cdn mail smtp imap pop ftp app apps portal
    docs doc help support status health healthz login logout auth oauth account accounts register
    registration signup sign-up dashboard internal intranet test testing dev staging demo localhost
    tenant tenants template system root ns ns1 ns2 dns blog news shop store billing security
    assessor assessors region regions report reports""".split()
)
SLUG_MAX = 30
_SUFFIXES_ZH = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "厂")
_SUFFIXES_EN = re.compile(
    r"[\s,.]*(co\.?,?\s*ltd\.?|company\s+limited|corporation|corp\.?|inc\.?|ltd\.?|limited|group)[\s.]*$",
    re.I,
)
VERIFY_SALT = "portal.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600


# --- slugs ------------------------------------------------------------------------------------------


def slug_base(*, name: str, name_en: str = "") -> str:
    """A readable host label from the English name, else the pinyin of the Chinese name.

    Company-form suffixes (有限公司, Co., Ltd.) are dropped; the result is [a-z0-9-], at most 30
    characters, starts with a letter and is never a reserved name.
    """
    source = _SUFFIXES_EN.sub("", name_en.strip()) if name_en.strip() else ""
    slug = slugify(source)
    if not slug:
        chinese = name.strip()
        for suffix in _SUFFIXES_ZH:
            if chinese.endswith(suffix) and len(chinese) > len(suffix):
                chinese = chinese[: -len(suffix)]
                break
        syllables = [s for s in lazy_pinyin(chinese, errors="ignore") if s.isascii()]
        slug = slugify("".join(syllables))
    slug = slug[:SLUG_MAX].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"e-{slug}".strip("-")[:SLUG_MAX]
    if slug in RESERVED_SLUGS or slug == "e":
        slug = f"{slug}-co"
    return slug


def slug_unique(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free (the database constraint has the last word)."""
    # Every candidate (base, or base cut short enough for "-n") starts with this prefix.
    taken = {
        slug.lower()
        for slug in Enterprise.objects.filter(slug__istartswith=base[: SLUG_MAX - 4]).values_list(
            "slug", flat=True
        )
    }
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


# --- registration -----------------------------------------------------------------------------------


def _owner_for(*, email: str, name: str, password: str, request=None) -> User:
    """A new user, or the existing account of that email if the password is its own (one login for
    several enterprises). With a request, the password check counts towards the sign-in lockout."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic(), schema_context(get_public_schema_name()):
                return User.objects.create_user(email=email, password=password, name=name)
        except IntegrityError as exc:  # the same new address registering twice at the same moment
            raise ConflictError(
                _("An account for this email was created a moment ago; please try again."),
                extra={"field": "owner_email"},
            ) from exc
    if request is not None:
        matches = authenticate(request=request, username=existing.email, password=password) is not None
        if not matches and _locked_out(request):
            raise ApplicationError(
                _("Too many failed sign-in attempts. This account or address is locked for 15 minutes."),
                status_code=429,
            )
    else:
        matches = existing.check_password(password)
    if existing.is_active and matches:
        return existing
    if existing.is_active:
        # Whoever typed the address is told it has an account (see the README, "Security", for why
        # registration cannot hide that); the account's owner hears of the attempt.
        account_notice_send(
            user=existing,
            subject=gettext_lazy("Registration attempt with your email address"),
            body=gettext_lazy(
                "Hello %(name)s,\n\nsomeone tried to register an enterprise on the Jingjinji Industrial "
                "Cloud Portal with your email address, which already has an account, but not with its "
                "password. If it was you, register again with your account's password, or reset it "
                "(%(reset)s). If it was not you, ignore this message: nothing was changed."
            ),
        )
    raise ApplicationError(
        _("This email already has an account. Enter that account's password to register another enterprise."),
        extra={"field": "owner_email"},
    )


def _locked_out(request) -> bool:
    """django-axes marks the request it was given (a DRF Request wraps the Django one)."""
    return bool(
        getattr(request, "axes_locked_out", False)
        or getattr(getattr(request, "_request", None), "axes_locked_out", False)
    )


@transaction.atomic
def enterprise_register(
    *,
    name: str,
    name_en: str,
    credit_code: str,
    city: Region,
    district: Region | None,
    industry: Industry,
    employees: int | None,
    revenue_band: str,
    contact_phone: str,
    owner_email: str,
    owner_name: str,
    password: str,
    accept_terms: bool | None,
    is_demo: bool = False,
    send_emails: bool = True,
    provision_async: bool = True,
    slug: str | None = None,
    request=None,
) -> Enterprise:
    """Records the registration (the credit code and the host name are claimed here, by database
    constraints) and queues provisioning on commit. Raises ConflictError (409) for a credit code
    that is already registered.

    `accept_terms`: the registrant's consent to the user agreement and the privacy policy in force,
    recorded (tenants.legal.consent_record) in the same transaction as the registration; False is a
    field error, and with no documents in force registration is refused (LegalUnavailable, 503).
    None only for the platform's own data (demo, tests, benchmarks): nobody was asked."""
    from tenants import legal

    documents = []
    if accept_terms is not None:
        documents = legal.documents_required()
        if not accept_terms:
            raise ApplicationError(legal.TERMS_REQUIRED, extra={"field": "accept_terms"})
    with transaction.atomic():
        enterprise = _register(
            name=name,
            name_en=name_en,
            credit_code=credit_code,
            city=city,
            district=district,
            industry=industry,
            employees=employees,
            revenue_band=revenue_band,
            contact_phone=contact_phone,
            owner_email=owner_email,
            owner_name=owner_name,
            password=password,
            is_demo=is_demo,
            send_emails=send_emails,
            provision_async=provision_async,
            slug=slug,
            request=request,
        )
        if documents:
            legal.consent_record(
                user=enterprise.owner,
                documents=documents,
                ip=client_ip(request) if request is not None else None,
                enterprise=enterprise,
            )
    return enterprise


def _register(
    *,
    name,
    name_en,
    credit_code,
    city,
    district,
    industry,
    employees,
    revenue_band,
    contact_phone,
    owner_email,
    owner_name,
    password,
    is_demo,
    send_emails,
    provision_async,
    slug,
    request,
) -> Enterprise:
    owner = _owner_for(email=owner_email, name=owner_name, password=password, request=request)
    # `slug` is for the platform's own demo data only; registrants get one derived from the name.
    base = slug or slug_base(name=name, name_en=name_en)
    for _attempt in range(5):
        slug = slug_unique(base)
        enterprise = Enterprise(
            name=name,
            name_en=name_en,
            slug=slug,
            credit_code=credit_code,
            city=city,
            district=district,
            industry=industry,
            employees=employees,
            revenue_band=revenue_band,
            contact_phone=contact_phone,
            owner=owner,
            schema_name=f"ent_{uuid.uuid4().hex[:20]}",
            status=Enterprise.Status.PENDING,
            is_demo=is_demo,
        )
        try:
            with transaction.atomic():
                enterprise.save()
                Domain.objects.create(
                    domain=f"{slug}.{settings.PORTAL_DOMAIN}", tenant=enterprise, is_primary=True
                )
        except IntegrityError as exc:
            text = str(exc)
            if "enterprise_credit_code_unique" in text:
                raise ConflictError(
                    _("An enterprise with this Unified Social Credit Code is already registered."),
                    extra={"field": "credit_code"},
                ) from exc
            if "enterprise_slug_unique" in text or "tenants_domain_domain_key" in text:
                continue  # someone took the slug a moment ago: take the next one
            raise
        break
    else:
        raise ConflictError(_("Could not reserve a host name for this enterprise; please try again."))

    if provision_async:
        outbox.send_on_commit("provisioning", enterprise.pk)
    if send_emails and not owner.is_verified:
        transaction.on_commit(lambda: verification_email_send(user=owner), robust=True)
    logger.info("registration %s queued (enterprise %s)", enterprise.registration_id, enterprise.pk)
    return enterprise


def verification_email_send(*, user: User) -> None:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    url = public_url(reverse("verify-email", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        subject = _("Confirm your email for the Jingjinji Industrial Cloud Portal")
        body = _(
            "Hello %(name)s,\n\nplease confirm your email address by opening this link (valid for 3 days):\n"
            "%(url)s\n\nIf you did not register, ignore this message."
        ) % {"name": user.name or user.email, "url": url}
    send_mail(subject, body, None, [user.email])


def account_notice_send(*, user: User, subject, body) -> None:
    """An email to an account about something someone else did with its address, in Chinese and
    English: the request's language is the stranger's, not necessarily the account owner's. `body`
    may use %(name)s, %(login)s and %(reset)s."""
    params = {
        "name": user.name or user.email,
        "login": public_url("/login/"),
        "reset": public_url("/password-reset/"),
    }
    subjects, bodies = [], []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            subjects.append(str(subject))
            bodies.append(str(body) % params)
    try:
        send_mail(" / ".join(subjects), "\n\n---\n\n".join(bodies), None, [user.email])
    except (OSError, smtplib.SMTPException):
        # A courtesy to the account: the stranger's request still gets its answer without it.
        logger.warning("Could not send an account notice to user %s", user.pk, exc_info=True)


def email_verify(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ApplicationError(_("This confirmation link has expired.")) from exc
    except signing.BadSignature as exc:
        raise ApplicationError(_("This confirmation link is not valid.")) from exc
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise ApplicationError(_("This confirmation link is not valid."))
    if not user.is_verified:
        user.is_verified = True
        user.save(update_fields=["is_verified"])
    return user


def public_url(path: str) -> str:
    from tenants.services import site_url

    return site_url(settings.PORTAL_DOMAIN, path)


# --- provisioning -----------------------------------------------------------------------------------


class ProvisioningError(Exception):
    """Provisioning cannot go on until someone fixes the cause (kept as the status reason)."""


class TemplateNotReady(ProvisioningError):
    """The template is not at this code's migration state yet (a deploy whose setup_platform has
    not finished): the task tries again for a while before calling the registration failed."""


def enterprise_provision(*, enterprise_id: int) -> Enterprise:
    """Clones the enterprise's schema from the template and makes the owner its first member.

    All in one transaction: a worker that dies half-way leaves no schema and no membership behind,
    and the next attempt starts clean. Safe to run twice: a ready enterprise is left alone.
    """
    from tenants.members import services as member_services
    from tenants.members.models import Role

    Enterprise.objects.filter(pk=enterprise_id).exclude(status=Enterprise.Status.READY).update(
        provisioning_attempts=F("provisioning_attempts") + 1
    )
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().select_related("owner").get(pk=enterprise_id)
        if enterprise.status == Enterprise.Status.READY:
            return enterprise
        if not enterprise.owner.is_active:
            raise ProvisioningError(bilingual(gettext_lazy("The owner's account is deactivated.")))
        if schema_exists(enterprise.schema_name):
            # Only this enterprise ever uses this (generated) name: a schema that exists while the
            # enterprise is not ready is a leftover of an attempt made outside a transaction.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{enterprise.schema_name}" CASCADE')
        try:
            enterprise_schema_create(enterprise)
        except TemplateOutOfDate as exc:
            logger.error("cannot provision enterprise %s: %s", enterprise.pk, exc)
            raise TemplateNotReady(bilingual(TEMPLATE_OUT_OF_DATE)) from exc
        member_services.member_add(
            enterprise=enterprise, user=enterprise.owner, role=Role.OWNER, invited_by=None
        )
        enterprise.status = Enterprise.Status.READY
        enterprise.status_reason = ""
        enterprise.provisioned_at = timezone.now()
        enterprise.save(update_fields=["status", "status_reason", "provisioned_at", "schema_version"])
        signals.enterprise_ready.send(sender=Enterprise, enterprise=enterprise)
    logger.info("enterprise %s provisioned in schema %s", enterprise.pk, enterprise.schema_name)
    return enterprise


def enterprise_provision_failed(*, enterprise_id: int, reason: str) -> None:
    Enterprise.objects.filter(pk=enterprise_id).exclude(status=Enterprise.Status.READY).update(
        status=Enterprise.Status.FAILED, status_reason=reason[:1000]
    )


@transaction.atomic
def enterprise_provision_retry(*, enterprise: Enterprise) -> Enterprise:
    """Puts a failed registration back in the queue. Running it twice queues it twice, which is
    harmless: provisioning is idempotent."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status == Enterprise.Status.READY:
        return enterprise
    enterprise.status = Enterprise.Status.PENDING
    enterprise.resends, enterprise.gave_up_at = 0, None  # the outbox starts again (core/outbox.py)
    enterprise.save(update_fields=["status", "resends", "gave_up_at", "modified"])
    outbox.send_on_commit("provisioning", enterprise.pk)
    return enterprise


def registration_give_up(enterprise_id: int) -> None:
    """The outbox gave up re-sending this registration's provisioning (core/outbox.py): the
    registrant, who would otherwise wait on "being prepared" for ever, sees it failed and can retry;
    the platform staff were alerted."""
    reason = bilingual(
        gettext_lazy(
            "The preparation did not start after several attempts. The platform staff have been "
            "alerted; please retry later."
        )
    )
    Enterprise.objects.filter(pk=enterprise_id, status=Enterprise.Status.PENDING).update(
        status=Enterprise.Status.FAILED, status_reason=reason[:1000]
    )


def enterprise_create_ready(**fields) -> Enterprise:
    """Registers and provisions in this process, for demo data, tests and benchmarks."""
    with transaction.atomic():
        fields.setdefault("accept_terms", None)  # the platform's own data: nobody was asked
        enterprise = enterprise_register(**fields, send_emails=False, provision_async=False)
        return enterprise_provision(enterprise_id=enterprise.pk)

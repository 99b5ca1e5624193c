"""Service providers (writes): self-registration, the profile, applications to a programme's
provider list.

Applying: the programme must be open and today within its provider window; one application per
provider and programme (the database's unique constraint settles a race). A provider that
**withdrew** may apply again while the window is open (the same row goes back to pending, its old
decision cleared); a **rejected** provider may not (the admin's decision stands for that programme:
409), nor one already pending or accepted (409). Withdrawing is possible while pending or accepted,
but not while one of the provider's projects in that programme is under way (409)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError, small_id
from core.notices import notify
from core.roles import PlatformRole
from programmes import events, policy
from programmes.models import Enrolment, Event, Programme, Project, Provider, ProviderMember
from tenants.models import User
from tenants.services import site_url, user_create

DUPLICATE_CODE = _("A service provider with this Unified Social Credit Code is already registered.")
DUPLICATE_NAME = _("A service provider with this name is already registered.")
DUPLICATE_EMAIL = _(
    "This email already has an account on the platform. Use another address for the provider's user."
)


def _duplicates(*, credit_code: str, name_zh: str, email: str) -> None:
    if Provider.objects.filter(credit_code=credit_code).exists():
        raise ConflictError(DUPLICATE_CODE, extra={"field": "credit_code"})
    if Provider.objects.filter(name_zh=name_zh).exists():
        raise ConflictError(DUPLICATE_NAME, extra={"field": "name_zh"})
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(DUPLICATE_EMAIL, extra={"field": "email"})


def provider_register(
    *,
    name_zh: str,
    name_en: str,
    credit_code: str,
    city,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    website: str,
    description_zh: str,
    description_en: str,
    user_name: str,
    email: str,
    password: str,
    accept_terms: bool | None,
    ip: str | None = None,
) -> tuple[Provider, User]:
    """The provider, its first user (platform role provider) and the link, in one transaction, with
    the user's consent to the documents in force and the PROVIDER_REGISTERED event. A credit code,
    Chinese name or email already registered is a 409 naming the field (also when two registrations
    race: the unique constraints decide). `accept_terms` None only for platform data (tests, demo)."""
    from tenants import legal

    documents = []
    if accept_terms is not None:
        documents = legal.documents_required()
        if not accept_terms:
            raise ApplicationError(legal.TERMS_REQUIRED, extra={"field": "accept_terms"})
    _duplicates(credit_code=credit_code, name_zh=name_zh, email=email)
    try:
        with transaction.atomic():
            provider = Provider.objects.create(
                name_zh=name_zh,
                name_en=name_en or "",
                credit_code=credit_code,
                city=city,
                contact_name=contact_name,
                contact_phone=contact_phone,
                contact_email=contact_email,
                website=website or "",
                description_zh=description_zh or "",
                description_en=description_en or "",
            )
            user = user_create(
                email=email, password=password, name=user_name, platform_role=PlatformRole.PROVIDER
            )
            ProviderMember.objects.create(user=user, provider=provider)
            if documents:
                legal.consent_record(user=user, documents=documents, ip=ip)
            events.record(
                actor=user,
                action=Event.Action.PROVIDER_REGISTERED,
                provider=provider,
                detail={"credit_code": credit_code, "city": getattr(city, "pk", None)},
            )
    except IntegrityError as exc:  # a registration of the same code, name or email a moment ago
        _duplicates(credit_code=credit_code, name_zh=name_zh, email=email)
        raise ConflictError(DUPLICATE_CODE, extra={"field": "credit_code"}) from exc
    return provider, user


PROFILE_FIELDS = (
    "name_en",
    "contact_name",
    "contact_phone",
    "contact_email",
    "website",
    "description_zh",
    "description_en",
)


@transaction.atomic
def provider_profile_save(*, user, data: dict) -> Provider:
    """Saves the profile fields of the user's provider (cleaned by ProviderProfileForm)."""
    provider = policy.require_provider(user)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    changed = {}
    for name in PROFILE_FIELDS:
        if name in data and data[name] != getattr(provider, name):
            changed[name] = [getattr(provider, name), data[name]]
            setattr(provider, name, data[name])
    if changed:
        provider.save(update_fields=[*changed])
        events.record(
            actor=user,
            action=Event.Action.PROVIDER_CHANGED,
            provider=provider,
            detail={name: [str(old), str(new)] for name, (old, new) in changed.items()},
        )
    return provider


# --- applications to a programme's provider list ----------------------------------------------------


def window_open(programme: Programme, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        programme.state == Programme.State.OPEN
        and programme.providers_from <= today <= programme.providers_until
    )


def _public_programme(programme_id, *, lock: bool = False) -> Programme:
    pk = small_id(programme_id)
    if pk is None:
        raise ApplicationError(_("Name the programme by its number."), extra={"field": "programme"})
    rows = Programme.objects.exclude(state=Programme.State.DRAFT)
    if lock:
        rows = rows.select_for_update()
    programme = rows.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def programme_admins(programme: Programme) -> list[User]:
    """The regional admins who manage the programme (policy.manages), found cheaply: those without a
    scope, or scoped to one of its cities or their provinces."""
    cities = list(programme.cities.all())
    provinces = {c.province_code for c in cities}
    candidates = (
        User.objects.filter(platform_role=PlatformRole.REGIONAL_ADMIN, is_active=True)
        .filter(
            Q(scope_region__isnull=True)
            | Q(scope_region__in=[c.pk for c in cities])
            | Q(scope_region__province_code__in=provinces, scope_region__level="province")
        )
        .select_related("scope_region")
    )
    return [admin for admin in candidates if policy.manages(admin, programme)]


def enrolment_apply(*, user, programme_id, statement: str = "") -> Enrolment:
    """The user's provider applies to the programme's provider list (see the module's rules)."""
    provider = policy.require_provider(user)
    if not isinstance(statement, str | None):
        raise ApplicationError(_("The statement must be text."), extra={"field": "statement"})
    statement = (statement or "").strip()
    from programmes.forms_providers import STATEMENT_MAX

    if len(statement) > STATEMENT_MAX:
        raise ApplicationError(
            _("The statement may have at most %(n)s characters."),
            params={"n": STATEMENT_MAX},
            extra={"field": "statement"},
        )
    try:
        with transaction.atomic():
            programme = _public_programme(programme_id, lock=True)
            if not window_open(programme):
                raise ConflictError(
                    _(
                        "This programme does not take provider applications now: they are open from "
                        "%(start)s to %(end)s while the programme is open."
                    ),
                    params={"start": programme.providers_from, "end": programme.providers_until},
                    extra={"field": "programme"},
                )
            enrolment = (
                Enrolment.objects.select_for_update().filter(programme=programme, provider=provider).first()
            )
            old = ""
            if enrolment is not None:
                if enrolment.status == Enrolment.Status.REJECTED:
                    raise ConflictError(
                        _(
                            "The programme's administrators rejected your application; "
                            "you cannot apply again."
                        ),
                        extra={"field": "programme"},
                    )
                if enrolment.status != Enrolment.Status.WITHDRAWN:
                    raise ConflictError(
                        _("Your organisation has already applied to this programme."),
                        extra={"field": "programme"},
                    )
                old = enrolment.status
                enrolment.status = Enrolment.Status.PENDING
                enrolment.statement = statement
                enrolment.reason = ""
                enrolment.applied_by = user
                enrolment.applied_at = timezone.now()
                enrolment.decided_by = None
                enrolment.decided_at = None
                enrolment.save()
            else:
                enrolment = Enrolment.objects.create(
                    programme=programme, provider=provider, statement=statement, applied_by=user
                )
            events.record(
                actor=user,
                action=Event.Action.ENROLMENT_APPLIED,
                programme=programme,
                provider=provider,
                old=old,
                new=Enrolment.Status.PENDING,
            )
            notify(
                users=programme_admins(programme),
                message=_("%(provider)s applied to the provider list of %(programme)s."),
                params={"provider": provider.name_zh, "programme": programme.name_zh},
                url=site_url(_domain(), reverse("programmes-manage-providers", args=[programme.pk])),
            )
    except IntegrityError as exc:  # the same provider applying twice at the same moment
        raise ConflictError(
            _("Your organisation has already applied to this programme."), extra={"field": "programme"}
        ) from exc
    return enrolment


def _domain() -> str:
    from django.conf import settings

    return settings.PORTAL_DOMAIN


def own_enrolment(provider: Provider, enrolment_id, *, lock: bool = False) -> Enrolment:
    pk = small_id(enrolment_id)
    rows = Enrolment.objects.filter(provider=provider)
    if lock:
        rows = rows.select_for_update()
    enrolment = rows.select_related("programme").filter(pk=pk).first() if pk else None
    if enrolment is None:
        raise Http404
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, user, enrolment_id) -> Enrolment:
    """Withdraws the provider's pending or accepted application (another provider's: 404)."""
    provider = policy.require_provider(user)
    enrolment = own_enrolment(provider, enrolment_id, lock=True)
    if enrolment.status not in (Enrolment.Status.PENDING, Enrolment.Status.ACCEPTED):
        raise ConflictError(
            _("This application is %(status)s: there is nothing to withdraw."),
            params={"status": enrolment.get_status_display()},
        )
    busy = Project.objects.filter(
        programme_id=enrolment.programme_id, provider=provider, state__in=Project.ACTIVE
    ).exists()
    if busy:
        raise ConflictError(
            _("Enterprises' projects with your solutions are under way in this programme: finish them first.")
        )
    old = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    events.record(
        actor=user,
        action=Event.Action.ENROLMENT_WITHDRAWN,
        programme=enrolment.programme,
        provider=provider,
        old=old,
        new=enrolment.status,
    )
    return enrolment

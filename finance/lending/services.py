"""Applications and the institutions' side (public schema).

An enterprise applies from its own host: the application is created in the public schema, in the
same transaction as the checks on its request (tenant and public tables share one connection), with a
snapshot of exactly the data the enterprise consented to share. An institution user reaches only the
applications to their institution's products; anything else is 404. Every step writes an event (the
audit trail) and notifies the other side after commit.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from finance import matching
from finance import selectors as tenant_selectors
from finance.forms import REQUEST_CAP, TERM_MAX
from finance.lending.models import Application, ApplicationEvent, Institution, LoanProduct
from finance.models import FinancingRequest
from finance.money import format_wan
from tenants.models import Enterprise, User

# What an enterprise may choose to share; the request itself and who is asking always go.
OPTIONAL_SHARES = ("statements", "verified_level")
ALWAYS_SHARED = ("enterprise", "request")
TEXT_MAX = 2000


# --- who is who ----------------------------------------------------------------------------------------


def institution_of(user) -> Institution | None:
    if not (user.is_authenticated and user.is_active and user.platform_role == User.PlatformRole.INSTITUTION):
        return None
    link = getattr(user, "institution_link", None)
    return link.institution if link and link.institution.is_active else None


def require_institution(user) -> Institution:
    institution = institution_of(user)
    if institution is None:
        raise Http404
    return institution


@dataclass(frozen=True)
class ProductScope:
    """Whose loan products a user manages: an institution user their institution's (`institution`
    set); a regional admin those of the institutions in their scope (`institution` None)."""

    institution: Institution | None
    institutions: QuerySet

    def products(self) -> QuerySet:
        return LoanProduct.objects.filter(institution__in=self.institutions).select_related("institution")


def product_scope(user) -> ProductScope:
    """404 for anyone who manages no product."""
    from core.roles import is_regional_admin, scope_q

    institution = institution_of(user)
    if institution is not None:
        return ProductScope(institution, Institution.objects.filter(pk=institution.pk))
    if not is_regional_admin(user):
        raise Http404
    # a scoped admin: the institutions based in the scope
    return ProductScope(None, Institution.objects.filter(scope_q(user, province="city__province_code")))


def _event(application, *, actor, action, old="", new="", detail=None, message="") -> None:
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        action=action,
        old=old,
        new=new,
        detail=detail or {},
        message=message,
    )


def _notify_institution(application, message, params=None) -> None:
    from core.notices import notify
    from tenants.registration import public_url

    users = User.objects.filter(
        institution_link__institution=application.institution,
        platform_role=User.PlatformRole.INSTITUTION,
        is_active=True,
    ).order_by("pk")
    notify(
        users=list(users),
        message=message,
        params=params,
        url=public_url(f"/lending/applications/{application.pk}/"),
        about=application.tenant_id,
    )


def _notify_enterprise(application, message, params=None) -> None:
    from core.notices import notify
    from tenants.members.selectors import enterprise_admins
    from tenants.services import tenant_url

    tenant = application.tenant
    notify(
        users=enterprise_admins(tenant),
        message=message,
        params=params,
        url=tenant_url(tenant, f"/finance/requests/{application.request_id}/"),
        about=tenant,
    )


# --- messages ------------------------------------------------------------------------------------------


def bilingual_text(render):
    """A lazy text for message params: render(zh: bool) in whichever language the message is shown."""
    return lazy(lambda: render((get_language() or "zh").startswith("zh")), str)()


def bilingual_name(obj):
    """An object's name (tenants.models.Bilingual), lazily in the language the message is shown in."""
    return lazy(lambda: obj.name, str)()


# --- the enterprise's side -----------------------------------------------------------------------------


def snapshot_build(*, enterprise: Enterprise, request: FinancingRequest, share: set[str]) -> dict:
    """Exactly what goes to the institution: the enterprise's public identity and the request, plus
    what it ticked (the last three statements with their derived figures, its verified level)."""
    data = {
        "enterprise": {
            "name": enterprise.name,
            "name_en": enterprise.name_en,
            "credit_code": enterprise.credit_code,
            "city": enterprise.city_id,
            "industry": enterprise.industry_id,
        },
        "request": {
            "amount": str(request.amount),
            "term_months": request.term_months,
            "purpose": request.purpose,
            "collateral": request.collateral,
            "wanted_by": request.wanted_by.isoformat(),
        },
    }
    if "statements" in share:
        data["statements"] = [
            {
                "year": y.statement.year,
                "revenue": str(y.statement.revenue),
                "operating_cost": str(y.statement.operating_cost),
                "net_profit": str(y.statement.net_profit),
                "total_assets": str(y.statement.total_assets),
                "total_liabilities": str(y.statement.total_liabilities),
                "rd_spend": str(y.statement.rd_spend),
                "employees": y.statement.employees,
                "debt_to_asset_percent": None if y.debt_to_asset is None else str(y.debt_to_asset),
                "net_margin_percent": None if y.net_margin is None else str(y.net_margin),
                "revenue_growth_percent": None if y.revenue_growth is None else str(y.revenue_growth),
                "rd_intensity_percent": None if y.rd_intensity is None else str(y.rd_intensity),
            }
            for y in tenant_selectors.profile()
        ]
    if "verified_level" in share:
        level = tenant_selectors.verified_level(enterprise)  # the level, not the score behind it
        data["verified_level"] = level and {k: level[k] for k in ("level", "framework", "approved_at")}
    return data


@transaction.atomic
def apply(*, enterprise: Enterprise, user, request_id, product_id, consent: bool, share) -> Application:
    """Applies with a submitted request to an active product, sharing only what was consented to."""
    share = set(share or ())
    unknown = share - set(OPTIONAL_SHARES)
    if unknown:
        raise ApplicationError(_("Only the financial statements and the verified level can be shared."))
    if not consent:
        raise ApplicationError(
            _("Tick the consent to share the data listed with the institution."), extra={"field": "consent"}
        )
    request = FinancingRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise Http404
    if request.status != FinancingRequest.Status.SUBMITTED:
        raise ConflictError(_("Submit the financing need before applying with it."))
    product = (
        LoanProduct.objects.select_for_update(of=("self",))
        .select_related("institution")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise Http404
    if not (product.is_active and product.institution.is_active):
        raise ConflictError(_("This product is no longer offered."))
    if not product.amount_min <= request.amount <= product.amount_max:
        raise ApplicationError(
            _(
                "The amount asked, %(amount)s (CNY 10,000), is outside this product's range "
                "(%(low)s to %(high)s, CNY 10,000)."
            ),
            params={
                "amount": format_wan(request.amount),
                "low": format_wan(product.amount_min),
                "high": format_wan(product.amount_max),
            },
        )
    failed = [
        check
        for check in matching.checks(
            tenant_selectors.need_of(request, enterprise), tenant_selectors.offer_of(product)
        )
        if check.hard and not check.ok
    ]
    if failed:  # the page offers no apply button then; the API must refuse as plainly
        raise ApplicationError(
            _("This product's conditions are not met: %(reasons)s."),
            params={
                "reasons": bilingual_text(lambda zh: "; ".join(c.text["zh" if zh else "en"] for c in failed))
            },
        )
    snapshot = snapshot_build(enterprise=enterprise, request=request, share=share)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tenant=enterprise,
                request_id=request.pk,
                product=product,
                institution=product.institution,
                snapshot=snapshot,
                shared=[*ALWAYS_SHARED, *sorted(share)],
                consented_by=user,
                city_id=enterprise.city_id,
                industry_id=enterprise.industry_id,
                amount=request.amount,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("This financing need has already been used to apply for this product.")
        ) from exc
    _event(
        application,
        actor=user,
        action="applied",
        new=application.status,
        detail={"shared": application.shared},
    )
    _notify_institution(
        application,
        _("New loan application from %(enterprise)s for %(product)s."),
        {
            "product": bilingual_name(product),
            "enterprise": lazy(lambda: enterprise.display_name, str)(),
        },
    )
    return application


def applications_withdraw(*, enterprise: Enterprise, request_id: int, user) -> int:
    """Called when the enterprise withdraws its request: its open applications are withdrawn too."""
    rows = list(
        Application.objects.select_for_update().filter(
            tenant=enterprise, request_id=request_id, status__in=Application.OPEN
        )
    )
    for application in rows:
        old = application.status
        application.status = Application.Status.WITHDRAWN
        application.save(update_fields=["status"])
        _event(application, actor=user, action="withdrawn", old=old, new=application.status)
        _notify_institution(application, _("An application was withdrawn by the enterprise."))
    return len(rows)


@transaction.atomic
def reply(*, enterprise: Enterprise, user, application_id, message) -> Application:
    """The enterprise answers a request for more information; the application is open again."""
    application = Application.objects.select_for_update().filter(pk=application_id, tenant=enterprise).first()
    if application is None:
        raise Http404
    text = _text(message, required=True)
    if application.status != Application.Status.INFO_REQUESTED:
        raise ConflictError(_("No information was asked for on this application."))
    application.status = Application.Status.SUBMITTED
    application.save(update_fields=["status"])
    _event(
        application, actor=user, action="replied", old="info_requested", new=application.status, message=text
    )
    _notify_institution(application, _("The enterprise answered your request for information."))
    return application


# --- the institution's side ----------------------------------------------------------------------------


def _text(value, *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ApplicationError(_("The message must be text."))
    if "\x00" in text:
        raise ApplicationError(_("The message contains a character that cannot be stored."))
    if required and not text:
        raise ApplicationError(_("Write a message for the enterprise."), extra={"field": "message"})
    if len(text) > TEXT_MAX:
        raise ApplicationError(_("The message is too long (2,000 characters at most)."))
    return text


FIELD_LABELS = {"amount": _("The approved amount"), "rate": _("The annual rate")}


def _decimal(value, *, field: str) -> Decimal:
    label = FIELD_LABELS[field]
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ApplicationError(
            _("%(field)s must be a number."), params={"field": label}, extra={"field": field}
        ) from exc
    if not number.is_finite():
        raise ApplicationError(
            _("%(field)s must be a number."), params={"field": label}, extra={"field": field}
        )
    return number


def application_get(*, user, application_id) -> Application:
    """The fence: an application to one of the user's institution's products, else 404."""
    institution = require_institution(user)
    application = (
        Application.objects.select_related("product", "tenant", "city", "industry")
        .filter(pk=application_id, institution=institution)
        .first()
    )
    if application is None:
        raise Http404
    return application


ACTIONS = ("request_info", "approve", "decline")


@transaction.atomic
def respond(*, user, application_id, action, message="", amount=None, rate=None, term=None) -> Application:
    """Answers an open application. Two answers racing: the row lock queues them and the second finds
    it answered (409); nothing is changed by a refused answer."""
    institution = require_institution(user)
    application = (
        Application.objects.select_for_update()
        .filter(pk=application_id, institution=institution)
        .select_related("product")
        .first()
    )
    if application is None:
        raise Http404
    if action not in ACTIONS:
        raise ApplicationError(_("Answer with request_info, approve or decline."), extra={"field": "action"})
    if application.status not in Application.OPEN:
        raise ConflictError(
            _("This application has already been answered: %(status)s."),
            params={"status": Application.Status(application.status).label},
        )
    old = application.status
    detail = {}
    if action == "approve":
        text = _text(message, required=False)
        amount = _decimal(amount, field="amount")
        rate = _decimal(rate, field="rate")
        if amount > REQUEST_CAP:  # checked before rounding: a huge number cannot be rounded
            raise ApplicationError(
                _("The approved amount is more than CNY 100 billion; check the number of digits."),
                extra={"field": "amount"},
            )
        amount = amount.quantize(Decimal("0.01"))
        if amount <= 0:
            raise ApplicationError(
                _("The approved amount must be more than zero."), extra={"field": "amount"}
            )
        if not Decimal("0") <= rate <= Decimal("36"):
            raise ApplicationError(_("The annual rate must be between 0 and 36%."), extra={"field": "rate"})
        try:
            term = int(str(term).strip())
        except (TypeError, ValueError) as exc:
            raise ApplicationError(
                _("The term must be a whole number of months."), extra={"field": "term"}
            ) from exc
        if not 1 <= term <= TERM_MAX:
            raise ApplicationError(_("The term must be between 1 and 360 months."), extra={"field": "term"})
        application.status = Application.Status.APPROVED
        application.approved_amount = amount
        application.approved_rate = rate.quantize(Decimal("0.01"))
        application.approved_term = term
        detail = {
            "amount": str(application.approved_amount),
            "rate": str(application.approved_rate),
            "term": term,
        }
    else:
        text = _text(message, required=True)
        application.status = (
            Application.Status.INFO_REQUESTED if action == "request_info" else Application.Status.DECLINED
        )
    application.message = text
    application.responded_by = user
    application.responded_at = timezone.now()
    application.save()
    _event(
        application, actor=user, action=action, old=old, new=application.status, detail=detail, message=text
    )
    _notify_enterprise(
        application,
        _("%(institution)s answered your loan application: %(status)s."),
        # the lazy label, so that each language's notice names the status in that language
        {"institution": bilingual_name(institution), "status": Application.Status(application.status).label},
    )
    return application


@transaction.atomic
def product_save(*, form) -> LoanProduct:
    """Saves a valid product form (the caller has checked who may manage which institution's)."""
    return form.save()

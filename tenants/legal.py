"""The user agreement and the privacy policy: the version in force, and consents to it."""

import ipaddress

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError
from tenants.models import LegalConsent, LegalDocument


def document_current(*, kind: str) -> LegalDocument | None:
    """The highest version of `kind` in force today (a version with a later date waits for it)."""
    today = timezone.localdate()
    return LegalDocument.objects.filter(Q(kind=kind), Q(effective_on__lte=today)).order_by("-version").first()


def documents_current() -> list[LegalDocument]:
    """The documents a registrant consents to, in the order shown: the agreement, then the policy."""
    return [d for kind in LegalDocument.Kind.values if (d := document_current(kind=kind)) is not None]


class LegalUnavailable(ApplicationError):
    """Registration is closed while the user agreement or the privacy policy is not in force."""

    def __init__(self):
        super().__init__(
            _(
                "Registration is closed for the moment: the user agreement and the privacy policy are "
                "being updated. Please try again later."
            ),
            status_code=503,
        )


def documents_required() -> list[LegalDocument]:
    """Both documents in force (the agreement and the policy); LegalUnavailable when either is
    missing: nobody can consent to a document that is not there."""
    documents = documents_current()
    if {d.kind for d in documents} != set(LegalDocument.Kind.values):
        raise LegalUnavailable
    return documents


TERMS_REQUIRED = _(
    "Please tick this box: registration needs your consent to the user agreement and the privacy policy."
)


def consent_field():
    """The consent checkbox of every page that creates an account (registration, an invitation
    for a new person, a buyer's sign-up); the page shows it with tenants/_consent.html."""
    from django import forms

    return forms.BooleanField(
        label=_("I have read and agree to the user agreement and the privacy policy."),
        required=True,
        error_messages={"required": TERMS_REQUIRED},
    )


def links() -> dict:
    """The documents' addresses on the public site (pages on a workspace's host link there too)."""
    from django.conf import settings

    from tenants.services import site_url

    return {
        "terms_url": site_url(settings.PORTAL_DOMAIN, "/legal/terms/"),
        "privacy_url": site_url(settings.PORTAL_DOMAIN, "/legal/privacy/"),
    }


def consent_record(*, user, documents, ip: str | None = None, enterprise=None) -> list[LegalConsent]:
    """One consent row per document: the user, the exact version, the time, the address."""
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    return LegalConsent.objects.bulk_create(
        LegalConsent(user=user, document=document, ip=ip, enterprise=enterprise) for document in documents
    )

"""The user agreement and the privacy policy: the version in force, and consents to it."""

import ipaddress

from django.db.models import Q
from django.utils import timezone

from tenants.models import LegalConsent, LegalDocument


def document_current(*, kind: str) -> LegalDocument | None:
    """The highest version of `kind` in force today (a version with a later date waits for it)."""
    today = timezone.localdate()
    return LegalDocument.objects.filter(Q(kind=kind), Q(effective_on__lte=today)).order_by("-version").first()


def documents_current() -> list[LegalDocument]:
    """The documents a registrant consents to, in the order shown: the agreement, then the policy."""
    return [d for kind in LegalDocument.Kind.values if (d := document_current(kind=kind)) is not None]


def consent_record(*, user, documents, ip: str | None = None, enterprise=None) -> list[LegalConsent]:
    """One consent row per document: the user, the exact version, the time, the address."""
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    return LegalConsent.objects.bulk_create(
        LegalConsent(user=user, document=document, ip=ip, enterprise=enterprise) for document in documents
    )

"""Buyers (visitors: global users without an enterprise) and their inquiries to booths.

An inquiry is written in the public schema with the buyer's request and delivered into the
enterprise's lead inbox by a worker task, exactly once: the lead's unique inquiry id makes a
redelivered task a no-op, and the inquiry row itself is the outbox the sweeper re-sends from.
"""

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.api import RateLimited
from exhibition.hall import policy
from exhibition.hall.facts import fact_refresh
from exhibition.hall.models import BoothListing, Inquiry
from tenants import legal
from tenants.models import User
from tenants.passwords import validate_new_password

MESSAGE_MAX = 2000
# Per buyer: at most this many inquiries in the last hour, and in the last day.
LIMITS = ((timezone.timedelta(hours=1), 5), (timezone.timedelta(days=1), 20))


class VisitorSignupForm(forms.Form):
    """Validates what was typed, never whether the address has an account (visitor_signup answers
    both the same way)."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False, max_length=128)
    accept_terms = legal.consent_field()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        validate_new_password(self, data.get("password"), email=data.get("email"), name=data.get("name"))
        return data


class InquiryForm(forms.Form):
    message = forms.CharField(
        label=_("Your inquiry"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX}),
        error_messages={"required": _("Write your inquiry.")},
    )
    company = forms.CharField(label=_("Your company"), max_length=200, required=False)

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write your inquiry."))
        return message


def visitor_signup(*, email: str, password: str, name: str, ip: str | None = None) -> User | None:
    """A visitor's account for a new address; for an address that has an account already, nothing
    but an email to that account. The caller answers both alike (it must not tell who has an
    account), so the new account is not signed in here: its owner signs in next, as anyone would.
    Returns the new user, or None when the address was taken (the email went there instead).
    A new account's consent to the documents in force is recorded with it (the form asked for it);
    with either document missing nobody signs up (tenants.legal.LegalUnavailable, 503)."""
    from django.contrib.auth.hashers import make_password
    from django.db import IntegrityError

    from tenants.registration import verification_email_send
    from tenants.services import user_create

    documents = legal.documents_required()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = user_create(email=email, password=password, name=name)
                legal.consent_record(user=user, documents=documents, ip=ip)
        except IntegrityError:  # the same address signed up a moment earlier
            existing = User.objects.filter(email__iexact=email).first()
        else:
            transaction.on_commit(lambda: verification_email_send(user=user), robust=True)
            return user
    # As long as hashing a new account's password takes, so the time taken tells nothing either.
    make_password(password)
    if existing is not None:
        transaction.on_commit(lambda: signup_attempt_email_send(user=existing), robust=True)
    return None


def signup_attempt_email_send(*, user: User) -> None:
    from tenants.registration import account_notice_send

    account_notice_send(
        user=user,
        subject=_("Sign-up attempt with your email address"),
        body=_(
            "Hello %(name)s,\n\nsomeone tried to sign up on the Jingjinji Industrial Cloud "
            "Portal with your email address, which already has an account. If it was you, "
            "sign in (%(login)s) or, if you forgot your password, reset it (%(reset)s). If it "
            "was not you, ignore this message: nothing was changed."
        ),
    )


@transaction.atomic
def inquiry_send(*, buyer, listing_id: int, message: str, company: str = "") -> Inquiry:
    # Locked: an unpublish committing meanwhile waits, so the inquiry never points at a deleted listing.
    locked = BoothListing.objects.select_for_update(of=("self",))
    listing = policy.visible_listings(locked).filter(pk=listing_id).first()
    if listing is None:
        from django.http import Http404

        raise Http404
    # Serialises one buyer's inquiries, so the limit holds under parallel requests too.
    User.objects.select_for_update().filter(pk=buyer.pk).first()
    now = timezone.now()
    for window, limit in LIMITS:
        recent = Inquiry.objects.filter(buyer=buyer, created_at__gte=now - window).order_by("created_at")
        count = recent.count()
        if count >= limit:
            # Free again when enough of these leave the window to bring the count below the limit.
            freed_at = recent.values_list("created_at", flat=True)[count - limit] + window
            raise RateLimited(
                _("You have sent %(limit)s inquiries recently: please wait a while before sending more."),
                params={"limit": limit},
                retry_after=(freed_at - now).total_seconds(),
            )
    inquiry = Inquiry.objects.create(
        listing=listing,
        tenant_id=listing.tenant_id,
        booth_id=listing.booth_id,
        buyer=buyer,
        buyer_name=buyer.name or buyer.email,
        buyer_email=buyer.email,
        company=company,
        message=message,
        sent_at=now,
    )
    outbox.send_on_commit("inquiry-delivery", inquiry.pk)
    return inquiry


@transaction.atomic
def inquiry_deliver(*, inquiry_id: int):
    """Into the enterprise's lead inbox, exactly once (get_or_create on the unique inquiry id)."""
    from django_tenants.utils import tenant_context

    from exhibition.models import Lead

    inquiry = (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("tenant", "listing__exhibition")
        .filter(pk=inquiry_id)
        .first()
    )
    if inquiry is None:
        return None
    with tenant_context(inquiry.tenant):
        lead, _created = Lead.objects.get_or_create(
            inquiry_id=inquiry.pk,
            defaults={
                "buyer_name": inquiry.buyer_name,
                "buyer_email": inquiry.buyer_email,
                "company": inquiry.company,
                "message": inquiry.message,
                "exhibition_name": inquiry.listing.exhibition.name_zh if inquiry.listing else "",
                "received_at": inquiry.created_at,
            },
        )
    if inquiry.delivered_at is None:
        inquiry.delivered_at = timezone.now()
        inquiry.save(update_fields=["delivered_at"])
    fact_refresh(
        tenant_id=inquiry.tenant_id,
        booth_id=inquiry.booth_id,
        exhibition_id=inquiry.listing.exhibition_id if inquiry.listing else None,
    )
    return lead

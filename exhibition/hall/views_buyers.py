"""Buyers on the public site: signing up as a visitor, and sending an inquiry to a booth."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError, RateLimited, small_id
from core.client_ip import client_ip
from core.limits import limit_posts, limited_page
from exhibition.hall import buyers
from exhibition.hall.policy import visible_listings
from tenants import legal


def join(request):
    """The header's "Register": who is signing up, an enterprise (tenants' registration) or a buyer."""
    return render(request, "hall/join.html")


@limit_posts("signup")
def signup(request):
    """A visitor's account: a global user without an enterprise, to send inquiries and book meetings.

    The answer is the same whether the address is new or has an account already (then that account
    is told by email): a redirect to the sign-in page with the same message, signed in or not."""
    form = buyers.VisitorSignupForm(request.POST or None)
    target = request.POST.get("next") or request.GET.get("next") or "/hall/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/hall/"
    if len(legal.documents_current()) < 2:
        message = legal.LegalUnavailable().message
        return render(request, "hall/signup.html", {"closed": message, "next": target}, status=503)
    if request.method == "POST" and form.is_valid():
        buyers.visitor_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
            ip=client_ip(request),
        )
        messages.success(
            request,
            _(
                "Thank you. We sent a message to %(email)s. Sign in with your email and password to "
                "send inquiries to the exhibitors."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
    return render(
        request,
        "hall/signup.html",
        {"form": form, "next": target, **legal.links()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@limit_posts("inquiry")
def inquire(request, listing_id):
    listing = get_object_or_404(visible_listings(), pk=listing_id)
    form = buyers.InquiryForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("hall-booth", listing_id=listing.pk)
    try:
        buyers.inquiry_send(
            buyer=request.user,
            listing_id=listing.pk,
            message=form.cleaned_data["message"],
            company=form.cleaned_data["company"],
        )
    except RateLimited as exc:
        return limited_page(request, exc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Inquiry sent: the exhibitor receives it in its lead inbox."))
    return redirect("hall-booth", listing_id=listing.pk)


@login_required
@require_POST
def book(request, slot_id):
    from exhibition.hall import meetings

    listing_id = small_id(request.POST.get("listing"))
    if listing_id is None:
        raise Http404  # a slot is booked from a booth's page
    try:
        meetings.book(
            buyer=request.user, slot_id=slot_id, listing_id=listing_id, note=request.POST.get("note")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Meeting booked; the exhibitor has been told. How it is held, and the calendar file, "
                "are in My meetings."
            ),
        )
    return redirect("hall-booth", listing_id=listing_id)


@login_required
@require_POST
def booking_cancel(request, booking_id):
    """The buyer calls off a meeting they booked: the slot is free again, the exhibitor is told."""
    from exhibition.hall import meetings

    try:
        meetings.booking_cancel(buyer=request.user, booking_id=booking_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Meeting called off; the exhibitor has been told."))
    return redirect("hall-bookings")


@login_required
def bookings(request):
    from django.utils import timezone

    from exhibition.hall.selectors import buyer_bookings

    return render(
        request, "hall/bookings.html", {"bookings": buyer_bookings(request.user), "now": timezone.now()}
    )


@login_required
def inquiries(request):
    """The buyer's inquiries, newest first, with whether they reached the exhibitor and its reply."""
    from django.core.paginator import Paginator

    from exhibition.hall.selectors import buyer_inquiries

    page = Paginator(buyer_inquiries(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "hall/inquiries.html", {"page": page})


@login_required
def booking_ics(request, booking_id):
    from django.http import HttpResponse

    from exhibition.hall import meetings
    from exhibition.hall.models import Booking
    from tenants.registration import public_url

    booking = get_object_or_404(
        Booking.objects.select_related("slot__tenant"), pk=booking_id, buyer=request.user
    )
    body = meetings.ics(
        booking, enterprise_name=booking.slot.tenant.display_name, url=public_url("/hall/bookings/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{booking.pk}.ics"'
    return response

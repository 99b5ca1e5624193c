"""Public-site pages of the tenants app: sign-up, registration progress, email confirmation,
and the one-time hand-over that signs a member in on an enterprise's host."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from core.limits import limit_posts
from tenants import handoff, registration
from tenants.forms import RegistrationForm
from tenants.models import Enterprise
from tenants.roles import is_member
from tenants.services import tenant_url


@limit_posts("registration")
def register(request):
    form = RegistrationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = registration.enterprise_register(**form.cleaned_data, request=request)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            return redirect("registration-progress", registration_id=enterprise.registration_id)
    return render(request, "tenants/register.html", {"form": form}, status=400 if form.errors else 200)


def registration_progress(request, registration_id):
    enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
    template = (
        "tenants/_registration_status.html"
        if request.headers.get("HX-Request")
        else "tenants/registration_progress.html"
    )
    return render(
        request,
        template,
        {"enterprise": enterprise, "workspace_url": tenant_url(enterprise, "/login/")},
    )


@require_POST
@limit_posts("registration")
def registration_retry(request, registration_id):
    enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
    registration.enterprise_provision_retry(enterprise=enterprise)
    return redirect("registration-progress", registration_id=registration_id)


def verify_email(request, token):
    try:
        registration.email_verify(token=token)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "tenants/verify_email.html", {"ok": False}, status=400)
    return render(request, "tenants/verify_email.html", {"ok": True})


@login_required
@require_POST
def workspace_open(request, registration_id):
    """Hands the signed-in user over to an enterprise's host with a one-time, 60-second token
    (each host keeps its own session: tenants/handoff.py)."""
    enterprise = get_object_or_404(
        Enterprise, registration_id=registration_id, status=Enterprise.Status.READY
    )
    if not is_member(user=request.user, enterprise=enterprise):
        raise Http404
    return HttpResponseRedirect(
        handoff.handoff_url(user=request.user, host=enterprise.get_primary_domain().domain)
    )

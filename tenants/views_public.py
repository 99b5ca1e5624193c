"""Public-site pages of the tenants app: sign-up, registration progress, email confirmation,
and the one-time hand-over that signs a member in on an enterprise's host."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from core.limits import limit_posts
from tenants import handoff, legal, registration
from tenants.forms import RegistrationPageForm
from tenants.models import Enterprise
from tenants.roles import is_member
from tenants.services import tenant_url
from tenants.views_auth import BACKEND, HANDOFF_REFERRER_POLICY, handoff_redirect


@never_cache
@limit_posts("registration")
def register(request):
    """The sign-up page. A registration records the owner's consent to the documents in force and
    signs the owner in on the public site, so that the progress page can hand them over to the new
    workspace, signed in, once it is ready."""
    form = RegistrationPageForm(data=request.POST or None)
    documents = legal.documents_current()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            # Records the consent to the documents in force in the same transaction.
            enterprise = registration.enterprise_register(**form.registration_data(), request=request)
        except ApplicationError as exc:
            # Never show a password back after a refusal about the account (a wrong password for an
            # existing email, a lockout): it may be the wrong one.
            form.fields["password"].widget.render_value = False
            form.add_error(exc.extra.get("field"), exc.message)
            if exc.status_code in {429, 503}:  # a lockout, or no documents in force
                status = exc.status_code
        else:
            login(request, enterprise.owner, backend=BACKEND)
            return redirect("registration-progress", registration_id=enterprise.registration_id)
    elif len(documents) < 2:
        status = 503
    if status == 200 and form.errors:
        status = 400
    return render(
        request,
        "tenants/register.html",
        {"form": form, "documents": documents, "closed": len(documents) < 2},
        status=status,
    )


@never_cache  # its HX-Redirect carries a live hand-off token
def registration_progress(request, registration_id):
    """The registration's state, polled by htmx. Its owner, signed in here since registering, is
    handed over to the workspace once it is ready: the poll that sees it ready answers HX-Redirect
    to a fresh one-time hand-off, and the page's button goes through `go` (a fresh token per click)."""
    enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
    is_owner = request.user.is_authenticated and request.user.pk == enterprise.owner_id
    ready = enterprise.status == Enterprise.Status.READY
    if is_owner:
        workspace_url = f"{reverse('go')}?{urlencode({'next': tenant_url(enterprise, '/')})}"
    else:
        workspace_url = tenant_url(enterprise, "/login/")
    if request.headers.get("HX-Request"):
        response = render(
            request,
            "tenants/_registration_status.html",
            {"enterprise": enterprise, "workspace_url": workspace_url, "is_owner": is_owner},
        )
        if ready and is_owner:
            response["HX-Redirect"] = handoff.handoff_url(
                user=request.user, host=enterprise.get_primary_domain().domain
            )
        response["Referrer-Policy"] = HANDOFF_REFERRER_POLICY
        return response
    if ready and is_owner:
        # Ready before the page was first shown (a warm worker is faster than the browser's redirect):
        # no poll would follow, so the owner is handed over now rather than left before a button.
        response = redirect(
            handoff.handoff_url(user=request.user, host=enterprise.get_primary_domain().domain)
        )
    else:
        response = render(
            request,
            "tenants/registration_progress.html",
            {"enterprise": enterprise, "workspace_url": workspace_url, "is_owner": is_owner},
        )
    # The page's script follows HX-Redirect to the new workspace's hand-off (tenants.views_auth).
    response["Referrer-Policy"] = HANDOFF_REFERRER_POLICY
    return response


@require_POST
@limit_posts("registration")
def registration_retry(request, registration_id):
    enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
    registration.enterprise_provision_retry(enterprise=enterprise)
    return redirect("registration-progress", registration_id=registration_id)


def legal_document(request, kind):
    """/legal/terms/ and /legal/privacy/: the version in force, with its effective date."""
    document = legal.document_current(kind=kind)
    if document is None:
        raise Http404
    return render(
        request,
        "tenants/legal.html",
        {"document": document, "other": legal.documents_current()},
    )


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
    return handoff_redirect(
        handoff.handoff_url(user=request.user, host=enterprise.get_primary_domain().domain)
    )

"""Pages of an enterprise's workspace (tenant host)."""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from core.api import ApplicationError
from core.client_ip import client_ip
from core.models import Notice
from core.notices import with_states
from tenants import handoff, legal, next_steps, roles
from tenants.access import current_enterprise
from tenants.forms import AcceptInvitationForm, InviteForm, RoleForm
from tenants.members import activity_lines
from tenants.members import selectors as member_selectors
from tenants.members import services as member_services
from tenants.members.models import Invitation, Membership, Role
from tenants.models import User
from tenants.services import user_create


@login_required
def workspace_home(request):
    enterprise, role = roles.host_member_or_404(request)
    members = list(member_selectors.member_list(enterprise=enterprise))
    steps = next_steps.for_workspace(request=request, enterprise=enterprise, role=role)
    steps += next_steps.members_step(
        request=request, enterprise=enterprise, role=role, member_count=len(members)
    )
    return render(
        request,
        "tenants/workspace_home.html",
        {"enterprise": enterprise, "role": role, "members": members, "steps": steps},
    )


@login_required
def notices(request):
    """The signed-in member's notices, on the workspace's host: all of them (a notice is the
    person's, whichever enterprise or public page it is about; the count in the nav agrees with the
    public site's), those about this workspace marked. Each link opens its subject on its own host
    through `go` (signed in there by a hand-off). Opening the page marks them read, as on the public
    site."""
    enterprise, _role = roles.host_member_or_404(request)
    rows = Notice.objects.filter(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    host = request.get_host().rsplit(":", 1)[0].lower()
    items = [
        {"notice": n, "here": handoff.host_of(n.url) in ("", host) and bool(n.url)}
        for n in with_states(page, user=request.user)  # each beside its subject's state now
    ]
    response = render(
        request, "tenants/notices.html", {"enterprise": enterprise, "page": page, "items": items}
    )
    # Only the notices shown are read; those on later pages stay unread.
    rows.filter(pk__in=[n.pk for n in page.object_list], read_at__isnull=True).update(read_at=timezone.now())
    return response


@login_required
def members(request):
    enterprise, role = roles.host_member_or_404(request)
    can_manage = roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    invite_form = InviteForm(data=request.POST or None)
    if request.method == "POST":
        roles.require_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
        if invite_form.is_valid():
            try:
                member_services.invitation_create(
                    enterprise=enterprise, invited_by=request.user, **invite_form.cleaned_data
                )
            except ApplicationError as exc:
                invite_form.add_error("email", exc.message)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invite_form.cleaned_data["email"]}
                )
                return redirect("members")
    return render(
        request,
        "tenants/members.html",
        {
            "enterprise": enterprise,
            "role": role,
            "can_manage": can_manage,
            "members": member_selectors.member_list(enterprise=enterprise),
            "invitations": member_selectors.invitation_pending_list(enterprise=enterprise)
            if can_manage
            else [],
            "invite_form": invite_form,
            "roles": Role.choices,
        },
        status=400 if invite_form.errors else 200,
    )


@login_required
def activity(request):
    """The workspace's activity log: owners and administrators (403 below, 404 for non-members)."""
    enterprise, _role = roles.host_member_or_404(request, minimum=Role.ADMIN)
    page = Paginator(member_selectors.activity_list(), 50).get_page(request.GET.get("page"))
    rows = activity_lines.presented(page)
    return render(request, "tenants/activity.html", {"enterprise": enterprise, "page": page, "rows": rows})


def _membership_or_404(enterprise, member_id) -> Membership:
    with tenant_context(enterprise):
        membership = Membership.objects.select_related("user").filter(pk=member_id).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def member_role(request, member_id):
    enterprise, _role = roles.host_member_or_404(request)
    roles.require_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    form = RoleForm(data=request.POST)
    membership = _membership_or_404(enterprise, member_id)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("members")
    try:
        member_services.member_role_change(
            enterprise=enterprise,
            membership=membership,
            role=form.cleaned_data["role"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role of %(email)s changed.") % {"email": membership.user.email})
    return redirect("members")


@login_required
@require_POST
def member_remove(request, member_id):
    enterprise, _role = roles.host_member_or_404(request)
    roles.require_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    membership = _membership_or_404(enterprise, member_id)
    try:
        member_services.member_remove(enterprise=enterprise, membership=membership, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("members")
    messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    if membership.user_id == request.user.pk:
        return redirect("/")
    return redirect("members")


@login_required
@require_POST
def invitation_revoke(request, invitation_id):
    enterprise, _role = roles.host_member_or_404(request)
    roles.require_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    with tenant_context(enterprise):
        invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    member_services.invitation_revoke(enterprise=enterprise, invitation=invitation, acting_user=request.user)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("members")


@never_cache
def invitation_accept(request, token):
    """Anyone with the link: a new person creates an account, an existing one gives its password."""
    enterprise = current_enterprise(request)
    try:
        invitation = member_services.invitation_from_token(enterprise=enterprise, token=token)
    except ApplicationError as exc:
        return render(
            request, "tenants/invitation_invalid.html", {"message": exc.message}, status=exc.status_code
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and not existing.is_active:
        message = _("The account of this email address is deactivated. Please contact the platform operator.")
        return render(request, "tenants/invitation_invalid.html", {"message": message}, status=403)
    documents = []
    if existing is None:  # a new account consents to the documents in force: none, no account
        try:
            documents = legal.documents_required()
        except ApplicationError as exc:
            return render(
                request, "tenants/invitation_invalid.html", {"message": exc.message}, status=exc.status_code
            )
    form = AcceptInvitationForm(
        data=request.POST or None, new_account=existing is None, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        if existing is None:
            with transaction.atomic():
                user = user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                )
                user.is_verified = True  # the invitation link reached this address
                user.save(update_fields=["is_verified"])
                legal.consent_record(user=user, documents=documents, ip=client_ip(request))
        else:
            user = authenticate(request, username=existing.email, password=form.cleaned_data["password"])
        if user is None:
            form.add_error("password", _("The password is not correct."))
        else:
            try:
                member_services.invitation_accept(enterprise=enterprise, token=token, user=user)
            except ApplicationError as exc:
                return render(
                    request,
                    "tenants/invitation_invalid.html",
                    {"message": exc.message},
                    status=exc.status_code,
                )
            login(request, user, backend="tenant_users.permissions.backend.UserBackend")
            messages.success(request, _("Welcome to %(name)s.") % {"name": enterprise.display_name})
            return redirect("home")
    return render(
        request,
        "tenants/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "existing": existing,
            "enterprise": enterprise,
            **legal.links(),
        },
        status=400 if form.errors else 200,
    )

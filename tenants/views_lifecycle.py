"""The owner's "close this workspace" page (tenant host) and a person's "delete my account" page
(public site). The services are tenants/lifecycle.py and tenants/accounts.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.api import ApplicationError
from core.limits import limit_posts
from tenants import accounts, lifecycle, roles
from tenants.forms import CloseEnterpriseForm, PasswordConfirmForm
from tenants.members.models import Role
from tenants.services import tenant_url


@never_cache
@login_required
@limit_posts("password_confirm")
def enterprise_close(request):
    """Owners only (others: 403; non-members: 404, as on every page of the host). The enterprise is
    the host's: no id in the URL or the form, so no other enterprise can be named."""
    enterprise, _role = roles.host_member_or_404(request, minimum=Role.OWNER)
    form = CloseEnterpriseForm(data=request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("do") == "reopen":
                lifecycle.enterprise_reopen(
                    enterprise=enterprise, actor=request.user, reason=_("Reopened by its owner.")
                )
                messages.success(request, _("The workspace is open again; nothing will be erased."))
            else:
                reason = form.cleaned_data["reason"] or _("Closed by its owner.")
                closed = lifecycle.enterprise_close(enterprise=enterprise, actor=request.user, reason=reason)
                messages.success(
                    request,
                    _("The workspace is closing. Its data will be erased on %(date)s unless you reopen it.")
                    % {"date": closed.erase_after.strftime("%Y-%m-%d")},
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("enterprise-close")
    return render(
        request,
        "tenants/enterprise_close.html",
        {"enterprise": enterprise, "form": form, "grace_days": settings.ENTERPRISE_CLOSE_GRACE_DAYS},
    )


@never_cache
@login_required
@limit_posts("password_confirm")
def account_delete(request):
    """Public site. The last owner of an enterprise is refused, with links to hand over; for a
    suspended enterprise, whose pages are closed to its members, the operator's contact instead."""
    blocking = _blocking(accounts.last_owner_of(request.user))
    form = PasswordConfirmForm(data=request.POST or None, user=request.user)
    if request.method == "POST" and not blocking and form.is_valid():
        try:
            accounts.account_delete(user=request.user, password=form.cleaned_data["password"])
        except accounts.LastOwnerError as exc:
            blocking = _blocking(exc.enterprises)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            logout(request)
            return render(request, "tenants/account_deleted.html")
    status = 409 if blocking and request.method == "POST" else 200
    return render(
        request,
        "tenants/account_delete.html",
        {"form": form, "blocking": blocking, "memberships": accounts.enterprises_of(request.user)},
        status=status,
    )


def _blocking(enterprises) -> list[dict]:
    return [
        {
            "enterprise": e,
            "members_url": tenant_url(e, "/members/"),
            "suspended": lifecycle.is_suspended(e),
        }
        for e in enterprises
    ]

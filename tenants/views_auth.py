"""Sign-in across hosts, served on every host (tenants/urls_common.py): the hand-off that lands a
one-time token (tenants/handoff.py), and `go`, which sends a signed-in user to a page on another
of their hosts (a notice's subject, "My enterprises") without a second sign-in."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tenants import handoff, roles, routing
from tenants.access import current_enterprise

BACKEND = "tenant_users.permissions.backend.UserBackend"


def _host(request) -> str:
    return request.get_host().rsplit(":", 1)[0].lower()


def _refused(request, message, *, next_path: str = "/", status: int = 403):
    """A clear page saying why, with the sign-in of this host (never a 500)."""
    login_url = f"{reverse('login')}?{urlencode({'next': next_path})}"
    return render(
        request,
        "tenants/handoff_invalid.html",
        {"message": message, "login_url": login_url},
        status=status,
    )


@never_cache
@require_safe
def handoff_land(request):
    """GET /auth/handoff/?token=…: signs the token's user in on this host, once, and goes on."""
    enterprise = current_enterprise(request)
    try:
        user, next_path = handoff.handoff_use(
            token=request.GET.get("token", ""), host=_host(request), enterprise=enterprise
        )
    except handoff.HandoffRefused as exc:
        return _refused(request, exc.message)
    if request.user.is_authenticated and request.user.pk != user.pk:
        # Never swap the account a browser is signed in with for another one behind its back.
        return _refused(
            request,
            _("You are signed in here with another account. Sign out first, then open the link again."),
        )
    if not request.user.is_authenticated:
        login(request, user, backend=BACKEND)
    return HttpResponseRedirect(next_path)


@never_cache
@require_safe
@login_required
def go(request):
    """GET /auth/go/?next=<URL>: to a page on the public site or one of the user's enterprises,
    signed in there by a hand-off; a path or this host's URL is followed as is. Any other host
    (unknown, or an enterprise the user is not a member of) is refused: this is no open redirect."""
    target = request.GET.get("next", "") or "/"
    host = handoff.host_of(target)
    path = handoff.path_of(target)
    if not host or host == _host(request):
        return HttpResponseRedirect(path)
    if host != settings.PORTAL_DOMAIN:
        enterprise = routing.tenant_for_host(host)
        if enterprise is None or not roles.is_member(user=request.user, enterprise=enterprise):
            return _refused(
                request, _("This page belongs to an enterprise you are not a member of."), status=404
            )
    return HttpResponseRedirect(handoff.handoff_url(user=request.user, host=host, next_path=path))

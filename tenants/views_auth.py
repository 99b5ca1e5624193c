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
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

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


# A navigation from one of our own hosts (all are PORTAL_DOMAIN or its subdomains: one site).
_OUR_SITE = {"same-origin", "same-site"}
# Pages that send a browser to a hand-off let it name their origin (only the origin, never the path:
# the site's policy is otherwise "same-origin"), so that the landing host knows the navigation came
# from one of ours even where browsers call the hosts different sites (*.localhost in development).
HANDOFF_REFERRER_POLICY = "strict-origin-when-cross-origin"


def _ours(host: str) -> bool:
    domain = settings.PORTAL_DOMAIN.lower()
    return host == domain or host.endswith("." + domain)


def _from_our_site(request) -> bool:
    """Whether the browser came here from a page of ours: Sec-Fetch-Site says same-site, or the
    referring page (its origin) is the public site or a workspace."""
    if request.headers.get("Sec-Fetch-Site", "") in _OUR_SITE:
        return True
    referer = handoff.host_of(request.headers.get("Referer", ""))
    return bool(referer) and _ours(referer)


def handoff_redirect(url: str) -> HttpResponseRedirect:
    """A redirect to a hand-off URL, telling the landing host where the browser came from."""
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = HANDOFF_REFERRER_POLICY
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def handoff_land(request):
    """GET /auth/handoff/?token=…: signs the token's user in on this host, once, and goes on.

    A browser with no session here that arrives from another site (or from nowhere: a typed or
    pasted link, an e-mail) is not signed in by the GET: someone could make a link for their own
    account and send a victim to it (login CSRF). It is shown "Continue as <name>", whose button
    POSTs the token (CSRF-protected) and claims it. Real hand-offs come from our own hosts, which
    browsers mark Sec-Fetch-Site: same-site / same-origin, and go straight on. GET only (not
    HEAD): a probe must not spend the token."""
    enterprise = current_enterprise(request)
    host = _host(request)
    token = (request.POST if request.method == "POST" else request.GET).get("token", "")
    from_our_site = _from_our_site(request)
    try:
        if request.method == "GET" and not request.user.is_authenticated and not from_our_site:
            user, next_path, _nonce = handoff.handoff_check(token=token, host=host, enterprise=enterprise)
            return render(
                request,
                "tenants/handoff_confirm.html",
                {"person": user.name or user.email, "email": user.email, "token": token},
            )
        user, next_path = handoff.handoff_use(token=token, host=host, enterprise=enterprise)
    except handoff.HandoffRefused as exc:
        return _refused(request, exc.message, status=exc.status_code)
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
    return handoff_redirect(handoff.handoff_url(user=request.user, host=host, next_path=path))

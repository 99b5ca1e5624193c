from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from core import outages
from core.api import in_both_languages
from portal.outage import outage_response
from tenants import routing, upgrades

UPGRADING = gettext_lazy(
    "This workspace is being upgraded and will be back in a moment. Please try again shortly."
)
# Seconds a client should wait before asking again while its enterprise's schema is migrated.
UPGRADE_RETRY_AFTER = "10"


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host resolution, case-insensitive (host names are; domain rows are lower
    case), from the in-memory host map (tenants/routing.py) rather than a query per request, and
    aware of the schema's state: an enterprise whose schema is not ready yet answers a bilingual
    "being prepared" page, and one whose schema is behind the code "being upgraded" (both 503 with
    Retry-After), instead of touching a schema that does not exist or lacks a column.

    A host outside ALLOWED_HOSTS gets django-tenants' empty 404; an allowed host that matches no
    enterprise gets the bilingual 404 page.
    """

    @staticmethod
    def hostname_from_request(request):
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def get_tenant(self, domain_model, hostname):
        tenant = routing.tenant_for_host(hostname)
        if tenant is None:
            raise domain_model.DoesNotExist
        return tenant

    def process_request(self, request):
        try:
            response = super().process_request(request)
        except upgrades.SchemaBeingUpgraded:
            return self.upgrading(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name == get_public_schema_name():
            return None
        if tenant.status != tenant.Status.READY:
            self.setup_url_routing(request, force_public=True)
            connection_to_public()
            response = render(request, "tenants/preparing.html", {"enterprise": tenant}, status=503)
            if tenant.status == tenant.Status.PENDING:
                response["Retry-After"] = "2"
            return response
        return None

    def process_exception(self, request, exception):
        # A view that entered another enterprise's schema still being upgraded (an assessor's
        # workbench, say): the same answer as that enterprise's own pages.
        if isinstance(exception, upgrades.SchemaBeingUpgraded):
            return self.upgrading(request, exception.enterprise)
        return None

    def upgrading(self, request, enterprise=None):
        """503 "being upgraded, back in a moment", bilingual, JSON under /api/."""
        enterprise = enterprise or getattr(request, "tenant", None)
        self.setup_url_routing(request, force_public=True)
        connection_to_public()
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": str(UPGRADING), "messages": in_both_languages(UPGRADING)}, status=503
            )
        else:
            response = render(request, "tenants/upgrading.html", {"enterprise": enterprise}, status=503)
        response["Retry-After"] = UPGRADE_RETRY_AFTER
        response._has_been_logged = True  # expected while migrating: not a server error to log
        return response


class MembersOnlyMiddleware:
    """A signed-in user who is not a member of the host's enterprise gets 404 on every page of its
    host, as django-tenant-users' TenantAccessMiddleware did; the role is read once (one query,
    tenants.roles.role_of) and kept for the views of the same request. An enterprise suspended by an
    operator answers its "suspended" page (or JSON) here, after sign-in is known, so that the page
    can offer sign-out (tenants/lifecycle.py). Bearer tokens are checked by
    the API's permission class (tenants/permissions.py), which asks the same question."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import Http404

        from tenants import roles
        from tenants.access import current_enterprise

        enterprise = current_enterprise(request)
        user = request.user
        if (
            enterprise is not None
            and user.is_authenticated
            and roles.role_of(user=user, enterprise=enterprise) is None
        ):
            raise Http404
        if enterprise is not None and enterprise.lifecycle != enterprise.Lifecycle.ACTIVE:
            # Suspended by an operator: every page and the API say so (403), sign-out still works.
            from tenants import lifecycle

            if lifecycle.blocked(request, enterprise):
                return lifecycle.suspended_response(request, enterprise)
        return self.get_response(request)


class SessionHostMiddleware:
    """A session is good only on the host it was made on. Each host has its own session cookie,
    but the sessions share one table, so a session id copied by hand from one enterprise's host to
    another's, or to the public site, would sign its user in there. The host is written into the
    session when it is first saved (sign-in included); on any other host the session reads as an
    empty, anonymous one of that host's own, and the session itself is left as it was for its own
    host. A session saved without a host (by code outside a request: a test client's force_login,
    a shell) takes the host of the first request it comes with; the sessions from before this check
    were ended by a migration (tenants 0006), so no real visitor's session is ever adopted so.

    After SessionMiddleware, before AuthenticationMiddleware (which reads the user from the session).
    """

    SESSION_KEY = "_portal_host"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        host = TenantMiddleware.hostname_from_request(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            bound = request.session.get(self.SESSION_KEY)
            if bound is not None and bound != host:
                request.session = request.session.__class__()
            elif bound is None and not request.session.is_empty():
                request.session[self.SESSION_KEY] = host
        response = self.get_response(request)
        session = request.session
        # Only a session about to be saved (SessionMiddleware saves a modified, non-empty one).
        if session.modified and not session.is_empty() and self.SESSION_KEY not in session:
            session[self.SESSION_KEY] = host
        return response


def connection_to_public():
    from django.db import connection

    connection.set_schema_to_public()


class HealthCheckMiddleware:
    """Answers /healthz on the public host before tenant resolution, which needs the database:
    with the database down, /healthz must still say so (503 JSON) rather than fail with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from django.conf import settings

            from portal.views import healthz

            try:
                host = request.get_host().split(":")[0].lower()
            except Exception:  # noqa: BLE001 - a disallowed host is for the tenant middleware to refuse
                host = None
            if host == settings.PORTAL_DOMAIN:
                return healthz(request)
        return self.get_response(request)


class UnstorableTextMiddleware:
    """A query, form or path value holding a NUL character is a 400 naming the field, on pages and the
    API alike, before any view (or database query) sees it: PostgreSQL cannot store or even compare
    it. JSON bodies are checked by the API's parser (core/parsers.py), which also catches lone
    surrogates (a form-encoded body cannot carry one: Django decodes it with replacement)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here rather than in __call__: the URL is resolved, so the 400 page can link the site's pages.
        from core.parsers import UNSTORABLE, unstorable_fields

        fields = unstorable_fields({key: request.GET.getlist(key) for key in request.GET})
        # A path segment (`answers/%00/`) reaches the view as a keyword argument.
        fields += unstorable_fields(
            {key: value for key, value in view_kwargs.items() if isinstance(value, str)}
        )
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            # Under /api/ the parsers read the body (and check it): DRF may refuse the content type.
            fields += unstorable_fields({key: request.POST.getlist(key) for key in request.POST})
        if not fields:
            return None
        fields = sorted({field.split(".")[0] for field in fields})
        if request.path_info.startswith("/api/"):
            body = {field: [str(UNSTORABLE)] for field in fields}
            body["detail"] = str(UNSTORABLE)
            body["messages"] = in_both_languages(UNSTORABLE)
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"fields": fields, "message": UNSTORABLE}, status=400)


class OutageMiddleware:
    """PostgreSQL or Redis cannot be reached: 503 with Retry-After, the house error body under /api/
    and a static bilingual page elsewhere, instead of a 500 (core/outages.py says which errors are an
    outage; anything else is still a 500).

    Outermost but for the CSP header. An error in a view reaches `process_exception`; one raised
    inside another middleware (the tenant middleware's host lookup, the session read behind
    request.user...) is turned into a response by Django at that middleware's own layer, through
    the 500 handler (portal.views.server_error), which gives the same response (portal/outage.py);
    one that escapes everything (the 500 handler failing) is caught here. DRF's views answer
    through core.api.exception_handler, with the same body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except Exception as exc:
            if outages.dependency_down(exc) is None:
                raise
            return outage_response(request, exc)

    def process_exception(self, request, exception):
        if outages.dependency_down(exception) is None:
            return None
        return outage_response(request, exception)

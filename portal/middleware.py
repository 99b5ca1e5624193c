from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host resolution, case-insensitive (host names are; domain rows are lower
    case), and aware of provisioning: an enterprise whose schema is not ready yet answers a
    bilingual "being prepared" page (503) instead of touching a schema that does not exist.

    A host outside ALLOWED_HOSTS gets django-tenants' empty 404; an allowed host that matches no
    enterprise gets the bilingual 404 page.
    """

    @staticmethod
    def hostname_from_request(request):
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name != get_public_schema_name() and tenant.status != tenant.Status.READY:
            self.setup_url_routing(request, force_public=True)
            connection_to_public()
            response = render(request, "tenants/preparing.html", {"enterprise": tenant}, status=503)
            if tenant.status == tenant.Status.PENDING:
                response["Retry-After"] = "2"
            return response
        return None


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

"""Access checks: resolved once at the edge, then the enterprise is handed down."""

from django_tenants.utils import get_public_schema_name


def current_enterprise(request):
    """The enterprise whose host served this request, or None on the public site."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return tenant

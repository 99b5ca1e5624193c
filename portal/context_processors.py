from django.conf import settings
from django_tenants.utils import get_public_schema_name

from tenants.registration import public_url


def portal(request):
    """`site`: "public" (the portal), "tenant" (an enterprise's workspace) or "unknown" (a host that
    matches no enterprise, e.g. on the 404 page)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        site = "unknown"
    elif tenant.schema_name == get_public_schema_name():
        site = "public"
    else:
        site = "tenant"
    unread = 0
    user = getattr(request, "user", None)
    if site != "unknown" and user is not None and user.is_authenticated:
        from core.models import Notice

        unread = Notice.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "unread_notices": unread,
        "site": site,
        "tenant": tenant if site == "tenant" else None,
        "is_public_site": site == "public",
        "portal_domain": settings.PORTAL_DOMAIN,
        "public_site_url": public_url("/"),
        "site_facts": {
            "operator": settings.PORTAL_OPERATOR_NAME,
            "sponsor": settings.PORTAL_SPONSOR_NAME,
            "hotline": settings.PORTAL_HOTLINE,
            "icp": settings.PORTAL_ICP_NUMBER,
        },
    }

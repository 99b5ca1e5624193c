"""What the OpenAPI document describes: the public site's API and the enterprise-host API.

Only for schema generation; requests are routed by urls_public / urls_tenant. Enterprise-host
operations carry the tag prefix "workspace" and are called on <slug>.<PORTAL_DOMAIN>.
"""

from django.urls import URLResolver

from portal.urls_public import api_patterns as public_includes
from portal.urls_tenant import api_patterns as tenant_includes


def _endpoints(patterns) -> list:
    """The apps' API routes out of the host confs' includes (all at the root, so no prefix is lost)."""
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            assert str(p.pattern) == "", p
            found += _endpoints(p.url_patterns)
        else:
            found.append(p)
    return found


public_api = _endpoints(public_includes)
tenant_api = _endpoints(tenant_includes)

# The frameworks endpoints exist on both hosts; documented once.
_seen = {str(p.pattern) for p in public_api}
urlpatterns = [*public_api, *[p for p in tenant_api if str(p.pattern) not in _seen]]

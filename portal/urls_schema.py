"""What the OpenAPI document describes: the public site's API and the enterprise-host API.

Only for schema generation; requests are routed by urls_public / urls_tenant. Enterprise-host
operations carry the tag prefix "workspace" and are called on <slug>.<PORTAL_DOMAIN>.
"""

from portal.urls_public import api_patterns as public_api
from portal.urls_tenant import api_patterns as tenant_api

# The frameworks endpoints exist on both hosts; documented once.
_seen = {str(p.pattern) for p in public_api}
urlpatterns = [*public_api, *[p for p in tenant_api if str(p.pattern) not in _seen]]

"""What the OpenAPI document describes: the public site's API and the enterprise-host API.

Only for schema generation; requests are routed by urls_public / urls_tenant. Enterprise-host
operations carry the tag prefix "workspace" and are called on <slug>.<PORTAL_DOMAIN>.
"""

from portal.urls_public import api_patterns as public_api
from portal.urls_tenant import api_patterns as tenant_api

urlpatterns = [*public_api, *tenant_api]

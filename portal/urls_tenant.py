"""An enterprise's workspace: <slug>.<PORTAL_DOMAIN>. Only its members get past the login page.
Each app owns its routes (its urls_tenant.py); this conf only includes them."""

from exhibition import urls_tenant as exhibition
from finance import urls_tenant as finance
from manufacturing import urls_tenant as manufacturing
from portal.urls_common import urlpatterns as common
from programmes import urls_tenant as programmes
from tenants import urls_tenant as tenants
from tenants.members import urls_tenant as members

APPS = (tenants, manufacturing, finance, members, exhibition, programmes)

# The enterprise host's API (what portal/urls_schema.py documents).
# Each app's lists are spread in, not nested under include(""): one flat list, resolved in one pass.
api_patterns = [route for app in APPS for route in app.api_patterns]

urlpatterns = [
    *(route for app in APPS for route in getattr(app, "pages", [])),
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

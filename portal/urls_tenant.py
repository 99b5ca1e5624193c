"""An enterprise's workspace: <slug>.<PORTAL_DOMAIN>. Only its members get past the login page.
Each app owns its routes (its urls_tenant.py); this conf only includes them."""

from django.urls import include, path

from exhibition import urls_tenant as exhibition
from finance import urls_tenant as finance
from manufacturing import urls_tenant as manufacturing
from portal.urls_common import urlpatterns as common
from tenants import urls_tenant as tenants
from tenants.members import urls_tenant as members

APPS = (tenants, manufacturing, finance, members, exhibition)

# The enterprise host's API (what portal/urls_schema.py documents).
api_patterns = [path("", include(app.api_patterns)) for app in APPS]

urlpatterns = [
    *(path("", include(app.pages)) for app in APPS if hasattr(app, "pages")),
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

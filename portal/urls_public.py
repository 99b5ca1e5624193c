"""The public site: <PORTAL_DOMAIN>. Each app owns its routes (its urls_public.py); this conf
includes them, and adds the portal's own pages: home, health, the workspaces list, the API's
schema and docs, and the Django admin."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from exhibition.hall import urls_public as hall
from finance.lending import urls_public as lending
from manufacturing import urls_public as manufacturing
from manufacturing.review import urls_public as review
from portal import metrics, views
from portal.urls_common import urlpatterns as common
from programmes import urls_public as programmes
from reports import urls_public as reports
from tenants import urls_public as tenants

APPS = (tenants, review, reports, lending, hall, manufacturing, programmes)

# The public site's API (what portal/urls_schema.py documents).
# Each app's lists are spread in, not nested under include(""): one flat list, resolved in one pass.
api_patterns = [route for app in APPS for route in app.api_patterns]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus, behind METRICS_TOKEN / METRICS_ALLOWED_ADDRESSES; public host only (portal/metrics.py).
    path("metrics", metrics.metrics, name="metrics"),
    path("about/", views.about, name="about"),
    path("workspaces/", views.workspaces, name="workspaces"),
    *(route for app in APPS for route in getattr(app, "pages", [])),
    # One document for both hosts' APIs; see portal/urls_schema.py.
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal.urls_schema"), name="api-schema"),
    # Swagger UI with its init script served as a file (?script), not inline: the page passes the
    # Content-Security-Policy; Swagger UI's style sheet draws its icons with data: images.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

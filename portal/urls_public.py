"""The public site: <PORTAL_DOMAIN>."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal import views
from portal.urls_common import urlpatterns as common
from tenants import api as tenants_api

api_patterns = [
    path("api/v1/reference/cities/", tenants_api.CityListApi.as_view(), name="api-cities"),
    path("api/v1/reference/industries/", tenants_api.IndustryListApi.as_view(), name="api-industries"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("workspaces/", views.workspaces, name="workspaces"),
    # One document for both hosts' APIs; see portal/urls_schema.py.
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal.urls_schema"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *api_patterns,
    *common,
]

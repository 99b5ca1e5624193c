"""An enterprise's workspace: <slug>.<PORTAL_DOMAIN>. Only its members get past the login page."""

from django.urls import path

from portal.urls_common import urlpatterns as common
from tenants import api as tenants_api
from tenants import views as tenants_views

api_patterns = [
    path("api/v1/workspace/", tenants_api.WorkspaceApi.as_view(), name="api-workspace"),
]

urlpatterns = [
    path("", tenants_views.workspace_home, name="home"),
    *api_patterns,
    *common,
]

"""Tenants' routes on an enterprise's host: the workspace, its members and invitations."""

from django.urls import path

from tenants import api as tenants_api
from tenants import api_data, views_data, views_lifecycle
from tenants import views as tenants_views

api_patterns = [
    path("api/v1/workspace/", tenants_api.WorkspaceApi.as_view(), name="api-workspace"),
    path("api/v1/data-exports/", api_data.DataExportListApi.as_view(), name="api-data-exports"),
    path(
        "api/v1/data-exports/<int:export_id>/", api_data.DataExportDetailApi.as_view(), name="api-data-export"
    ),
    path(
        "api/v1/data-exports/<int:export_id>/download/",
        api_data.DataExportDownloadApi.as_view(),
        name="api-data-export-download",
    ),
]

pages = [
    path("", tenants_views.workspace_home, name="home"),
    path("notices/", tenants_views.notices, name="workspace-notices"),
    path("members/", tenants_views.members, name="members"),
    path("activity/", tenants_views.activity, name="activity"),
    path("settings/close/", views_lifecycle.enterprise_close, name="enterprise-close"),
    path("data/", views_data.data_export_page, name="data-export"),
    path("data/<int:export_id>/download/", views_data.data_export_download, name="data-export-download"),
    path("members/<int:member_id>/role/", tenants_views.member_role, name="member-role"),
    path("members/<int:member_id>/remove/", tenants_views.member_remove, name="member-remove"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        tenants_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", tenants_views.invitation_accept, name="invitation-accept"),
]

urlpatterns = [*pages, *api_patterns]

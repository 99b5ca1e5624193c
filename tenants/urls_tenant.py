"""Tenants' routes on an enterprise's host: the workspace, its members and invitations."""

from django.urls import path

from tenants import api as tenants_api
from tenants import views as tenants_views

api_patterns = [
    path("api/v1/workspace/", tenants_api.WorkspaceApi.as_view(), name="api-workspace"),
]

pages = [
    path("", tenants_views.workspace_home, name="home"),
    path("notices/", tenants_views.notices, name="workspace-notices"),
    path("members/", tenants_views.members, name="members"),
    path("activity/", tenants_views.activity, name="activity"),
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

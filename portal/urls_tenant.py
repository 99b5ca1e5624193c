"""An enterprise's workspace: <slug>.<PORTAL_DOMAIN>. Only its members get past the login page."""

from django.urls import path

from portal.urls_common import urlpatterns as common
from tenants import api as tenants_api
from tenants import views as tenants_views
from tenants.members import api as members_api

api_patterns = [
    path("api/v1/workspace/", tenants_api.WorkspaceApi.as_view(), name="api-workspace"),
    path("api/v1/members/", members_api.MemberListApi.as_view(), name="api-members"),
    path("api/v1/members/<int:member_id>/", members_api.MemberDetailApi.as_view(), name="api-member"),
    path("api/v1/members/invitations/", members_api.InvitationCreateApi.as_view(), name="api-invitations"),
]

urlpatterns = [
    path("", tenants_views.workspace_home, name="home"),
    path("members/", tenants_views.members, name="members"),
    path("members/<int:member_id>/role/", tenants_views.member_role, name="member-role"),
    path("members/<int:member_id>/remove/", tenants_views.member_remove, name="member-remove"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        tenants_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", tenants_views.invitation_accept, name="invitation-accept"),
    path("switch/", tenants_views.switch, name="switch"),
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

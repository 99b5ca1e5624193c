"""The members' API on an enterprise's host."""

from django.urls import path

from tenants.members import api as members_api

api_patterns = [
    path("api/v1/members/", members_api.MemberListApi.as_view(), name="api-members"),
    path("api/v1/members/<int:member_id>/", members_api.MemberDetailApi.as_view(), name="api-member"),
    path("api/v1/members/invitations/", members_api.InvitationCreateApi.as_view(), name="api-invitations"),
    path("api/v1/activity/", members_api.ActivityListApi.as_view(), name="api-activity"),
]

urlpatterns = api_patterns

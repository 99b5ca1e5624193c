"""Members API, on an enterprise's host: list (any member), invite, change role, remove (admins)."""

from django.shortcuts import get_object_or_404
from django_tenants.utils import tenant_context
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import in_both_languages, page_of, paginated
from tenants.access import current_enterprise
from tenants.members import selectors, services
from tenants.members.models import Activity, Membership, Role
from tenants.permissions import IsHostMember, role_at_least


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")
    role = serializers.CharField()
    joined_at = serializers.DateTimeField()


class MemberListApi(APIView):
    permission_classes = [IsHostMember]

    @extend_schema(responses=MemberOutput(many=True), tags=["workspace"])
    def get(self, request):
        members = selectors.member_list(enterprise=current_enterprise(request))
        return Response(MemberOutput(members, many=True).data)


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberDetailApi(APIView):
    permission_classes = [role_at_least(Role.ADMIN)]

    def _membership(self, request, member_id) -> Membership:
        with tenant_context(current_enterprise(request)):
            return get_object_or_404(Membership.objects.select_related("user"), pk=member_id)

    @extend_schema(request=RoleInput, responses=MemberOutput, tags=["workspace"])
    def patch(self, request, member_id):
        data = RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = current_enterprise(request)
        membership = services.member_role_change(
            enterprise=enterprise,
            membership=self._membership(request, member_id),
            role=data.validated_data["role"],
            acting_user=request.user,
        )
        return Response(MemberOutput(membership).data)

    @extend_schema(responses={204: None}, tags=["workspace"])
    def delete(self, request, member_id):
        services.member_remove(
            enterprise=current_enterprise(request),
            membership=self._membership(request, member_id),
            acting_user=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()


class InvitationCreateApi(APIView):
    """Invites someone by email; the signed link in the email expires after 7 days."""

    permission_classes = [role_at_least(Role.ADMIN)]

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput}, tags=["workspace"])
    def post(self, request):
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            enterprise=current_enterprise(request), invited_by=request.user, **data.validated_data
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class BilingualLabel(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class ActivityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)
    actor_name = serializers.CharField(source="actor.name", allow_null=True, default=None)
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    subject = serializers.CharField(help_text="What was changed: a member's email, a lead, a booth.")
    object_id = serializers.IntegerField(
        allow_null=True, help_text="The membership, invitation, lead or booth."
    )
    old = serializers.CharField(help_text="The role or status before (empty when there was none).")
    old_label = serializers.SerializerMethodField()
    new = serializers.CharField(help_text="The role or status after (empty when there is none).")
    new_label = serializers.SerializerMethodField()

    @extend_schema_field(BilingualLabel)
    def get_action_label(self, row) -> dict:
        return in_both_languages(Activity.Action(row.action).label)

    @extend_schema_field(BilingualLabel(allow_null=True))
    def get_old_label(self, row) -> dict | None:
        return in_both_languages(row.old_label) if row.old else None

    @extend_schema_field(BilingualLabel(allow_null=True))
    def get_new_label(self, row) -> dict | None:
        return in_both_languages(row.new_label) if row.new else None


class ActivityListApi(APIView):
    """The workspace's activity log, newest first: who invited whom, changed whose role, removed
    whom, published or withdrew a booth, answered or closed a lead. Owners and administrators;
    paginated with ?limit= and ?offset=."""

    permission_classes = [role_at_least(Role.ADMIN)]

    @extend_schema(**page_of(ActivityOutput), tags=["workspace"])
    def get(self, request):
        return paginated(request, self, selectors.activity_list(), ActivityOutput)

"""The provider's projects through the API (public site): the same fence as the pages, a project is
visible only to the provider whose solution it chose (404 for anyone else)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import page_of, paginated
from programmes import projects
from programmes.api_enterprise import TransformationMilestoneOutput
from programmes.policy import require_provider
from programmes.views_provider_projects import project_of_provider, projects_of_provider

TAGS = ["provider"]


class ProviderProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.CharField(source="tenant.name")
    programme = serializers.IntegerField(source="programme_id")
    programme_name = serializers.CharField(source="programme.name_zh")
    solution = serializers.IntegerField(source="solution_id", allow_null=True)
    state = serializers.CharField()
    contract_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    contract_signed_on = serializers.DateField(allow_null=True)
    contract_start = serializers.DateField(allow_null=True)
    contract_end = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class ProviderProjectDetail(serializers.Serializer):
    project = ProviderProjectOutput()
    milestones = TransformationMilestoneOutput(many=True)


class ProviderApi(APIView):
    permission_classes = [IsAuthenticated]


class ProjectListApi(ProviderApi):
    """The provider's projects, newest first; paginated with ?limit= and ?offset=."""

    @extend_schema(**page_of(ProviderProjectOutput), tags=TAGS)
    def get(self, request):
        provider = require_provider(request.user)
        return paginated(request, self, projects_of_provider(provider), ProviderProjectOutput)


class ProjectDetailApi(ProviderApi):
    @extend_schema(
        responses=ProviderProjectDetail,
        parameters=[OpenApiParameter("project_id", int, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def get(self, request, project_id):
        project = project_of_provider(request.user, project_id)
        return Response(
            {
                "project": ProviderProjectOutput(project).data,
                "milestones": TransformationMilestoneOutput(project.milestones.all(), many=True).data,
            }
        )


class MilestoneConfirmApi(ProviderApi):
    @extend_schema(
        request=None,
        responses=TransformationMilestoneOutput,
        parameters=[OpenApiParameter("milestone_id", int, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def post(self, request, milestone_id):
        milestone = projects.milestone_confirm(user=request.user, milestone_id=milestone_id)
        return Response(TransformationMilestoneOutput(milestone).data)


api_patterns = [
    path("api/v1/provider/projects/", ProjectListApi.as_view(), name="api-provider-projects"),
    path(
        "api/v1/provider/projects/<int:project_id>/", ProjectDetailApi.as_view(), name="api-provider-project"
    ),
    path(
        "api/v1/provider/milestones/<int:milestone_id>/confirm/",
        MilestoneConfirmApi.as_view(),
        name="api-provider-milestone-confirm",
    ),
]
pages = []

"""The programmes through the API, on an enterprise's host (`{slug}.PORTAL_DOMAIN`): the same
services and roles as the pages. Members read; owners and administrators act; a non-member gets 404
(by session or token)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import json_body
from core.parsers import FormParser, MultiPartParser
from programmes import projects, selectors_enterprise
from tenants.access import current_enterprise
from tenants.members.models import Role
from tenants.permissions import IsHostMember, role_at_least

TAGS = ["transformation"]
PROGRAMME_ID = OpenApiParameter("programme_id", int, OpenApiParameter.PATH)
PROJECT_ID = OpenApiParameter("project_id", int, OpenApiParameter.PATH)
MILESTONE_ID = OpenApiParameter("milestone_id", int, OpenApiParameter.PATH)


def _both(name):
    return inline_serializer(name, {"zh": serializers.CharField(), "en": serializers.CharField()})


class TransformationReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    message = _both("TransformationReasonMessage")
    action = serializers.CharField(help_text='"assess": take the assessment and have it verified; "": none')


class TransformationProgrammeBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    state = serializers.CharField()
    apply_from = serializers.DateField()
    apply_until = serializers.DateField()
    complete_by = serializers.DateField()
    target_level = serializers.IntegerField()
    target_gain = serializers.IntegerField()
    subsidy_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    subsidy_cap = serializers.DecimalField(max_digits=16, decimal_places=2)
    contract_max = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    segments = serializers.SerializerMethodField()

    def get_segments(self, programme) -> list[str]:
        return [s.pk for s in programme.segments.all()]


class TransformationProgrammeOutput(serializers.Serializer):
    programme = TransformationProgrammeBrief()
    eligible = serializers.BooleanField()
    reasons = TransformationReasonOutput(many=True)
    project = serializers.IntegerField(allow_null=True, help_text="your live project in it, if any")


class TransformationMilestoneOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.CharField()
    report = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)


class TransformationProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    programme = serializers.IntegerField(source="programme_id")
    state = serializers.CharField()
    segment = serializers.CharField(source="segment_id", allow_null=True)
    before_assessment_id = serializers.IntegerField()
    before_level = serializers.IntegerField()
    before_total = serializers.FloatField()
    before_approved_at = serializers.DateTimeField()
    solution = serializers.IntegerField(source="solution_id", allow_null=True)
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    contract_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    contract_signed_on = serializers.DateField(allow_null=True)
    contract_start = serializers.DateField(allow_null=True)
    contract_end = serializers.DateField(allow_null=True)
    has_contract = serializers.SerializerMethodField()
    subsidy_reserved = serializers.DecimalField(max_digits=16, decimal_places=2)
    after_level = serializers.IntegerField(allow_null=True)
    after_total = serializers.FloatField(allow_null=True)
    target_met = serializers.BooleanField(allow_null=True)
    subsidy_granted = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    reason = serializers.CharField()
    applied_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    publish_name = serializers.BooleanField(
        help_text="the provider may name the enterprise on its public page"
    )

    def get_has_contract(self, project) -> bool:
        return bool(project.contract_file)


class TransformationRecommendationReason(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    name = _both("TransformationItemName")
    message = _both("TransformationRecommendationMessage")


class TransformationRecommendationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = _both("TransformationSolutionName")
    provider = inline_serializer(
        "TransformationSolutionProvider",
        {"id": serializers.IntegerField(), "zh": serializers.CharField(), "en": serializers.CharField()},
    )
    price_min = serializers.DecimalField(max_digits=16, decimal_places=2)
    price_max = serializers.DecimalField(max_digits=16, decimal_places=2)
    delivery_days = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = TransformationRecommendationReason(many=True)


class TransformationSubsidyOutput(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="min(share x contract amount, cap), CNY (yuan)"
    )
    covered = serializers.BooleanField(
        help_text="the programme's remaining budget covers it now (informative)"
    )


class TransformationProjectDetailOutput(serializers.Serializer):
    project = TransformationProjectOutput()
    subsidy = TransformationSubsidyOutput(allow_null=True, help_text="once a contract amount is given")
    milestones = TransformationMilestoneOutput(many=True)
    recommendations = TransformationRecommendationOutput(many=True)


def _detail(project) -> dict:
    return {
        "project": TransformationProjectOutput(project).data,
        "subsidy": TransformationSubsidyOutput(selectors_enterprise.subsidy_of(project)).data
        if project.contract_amount
        else None,
        "milestones": TransformationMilestoneOutput(project.milestones.all(), many=True).data,
        "recommendations": TransformationRecommendationOutput(
            selectors_enterprise.recommendations(project), many=True
        ).data,
    }


class ActApi(APIView):
    permission_classes = [role_at_least(Role.ADMIN)]


class ProgrammeListApi(APIView):
    """The open programmes of the enterprise's city, each with every reason it may not apply (yet)."""

    permission_classes = [IsHostMember]

    @extend_schema(responses=TransformationProgrammeOutput(many=True), tags=TAGS)
    def get(self, request):
        rows = selectors_enterprise.programmes_open_to(current_enterprise(request))
        return Response(
            TransformationProgrammeOutput(
                [
                    {
                        "programme": row["programme"],
                        "eligible": not row["reasons"],
                        "reasons": [r.as_dict() for r in row["reasons"]],
                        "project": row["project"].pk if row["project"] else None,
                    }
                    for row in rows
                ],
                many=True,
            ).data
        )


class ApplyApi(ActApi):
    """Applies with the enterprise's verified level (400 with the reasons when it may not; 409 when
    it already applied). `segment`: one of the programme's segments of its division, when it lists any."""

    @extend_schema(
        request=inline_serializer(
            "TransformationApplyInput",
            {
                "segment": serializers.CharField(required=False),
                "publish_name": serializers.BooleanField(required=False),
            },
        ),
        responses={201: TransformationProjectOutput},
        parameters=[PROGRAMME_ID],
        tags=TAGS,
    )
    def post(self, request, programme_id):
        body = json_body(request)
        project = projects.project_apply(
            enterprise=current_enterprise(request),
            user=request.user,
            programme_id=programme_id,
            segment_code=body.get("segment"),
            publish_name=body.get("publish_name") is True,
        )
        return Response(TransformationProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectListApi(APIView):
    """The enterprise's projects (its host), newest first, every state."""

    permission_classes = [IsHostMember]

    @extend_schema(responses=TransformationProjectOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(
            TransformationProjectOutput(
                selectors_enterprise.projects_of(current_enterprise(request)), many=True
            ).data
        )


class ProjectDetailApi(APIView):
    """The project, its milestones and the recommended solutions with why."""

    permission_classes = [IsHostMember]

    @extend_schema(responses=TransformationProjectDetailOutput, parameters=[PROJECT_ID], tags=TAGS)
    def get(self, request, project_id):
        project = projects.project_of(enterprise=current_enterprise(request), project_id=project_id)
        return Response(_detail(project))


class SubmitApi(ActApi):
    """The chosen solution and the signed contract (multipart, the PDF in `contract_file`)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "TransformationSubmitInput",
                {
                    "solution": serializers.IntegerField(),
                    "contract_amount": serializers.DecimalField(
                        max_digits=16, decimal_places=2, help_text="CNY (yuan), two decimals"
                    ),
                    "contract_signed_on": serializers.DateField(),
                    "contract_start": serializers.DateField(),
                    "contract_end": serializers.DateField(),
                    "contract_file": serializers.FileField(
                        help_text="the signed contract, a PDF of at most 10 MB"
                    ),
                },
            )
        },
        responses=TransformationProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
    )
    def post(self, request, project_id):
        data = request.data
        project = projects.project_submit(
            enterprise=current_enterprise(request),
            user=request.user,
            project_id=project_id,
            solution_id=data.get("solution"),
            contract_amount=data.get("contract_amount"),
            contract_signed_on=data.get("contract_signed_on"),
            contract_start=data.get("contract_start"),
            contract_end=data.get("contract_end"),
            contract_file=request.FILES.get("contract_file"),
        )
        return Response(TransformationProjectOutput(project).data)


class WithdrawApi(ActApi):
    """Withdraws a project before its approval (409 after); owners and administrators."""

    @extend_schema(request=None, responses=TransformationProjectOutput, parameters=[PROJECT_ID], tags=TAGS)
    def post(self, request, project_id):
        project = projects.project_withdraw(
            enterprise=current_enterprise(request), user=request.user, project_id=project_id
        )
        return Response(TransformationProjectOutput(project).data)


class MilestoneAddApi(ActApi):
    """Plans a milestone of an approved project, due within the contract's dates."""

    @extend_schema(
        request=inline_serializer(
            "TransformationMilestoneInput",
            {"title": serializers.CharField(), "due_on": serializers.DateField()},
        ),
        responses={201: TransformationMilestoneOutput},
        parameters=[PROJECT_ID],
        tags=TAGS,
    )
    def post(self, request, project_id):
        body = json_body(request)
        milestone = projects.milestone_add(
            enterprise=current_enterprise(request),
            user=request.user,
            project_id=project_id,
            title=body.get("title"),
            due_on=body.get("due_on"),
        )
        return Response(TransformationMilestoneOutput(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneReportApi(ActApi):
    """Reports a milestone done; its provider is asked to confirm it."""

    @extend_schema(
        request=inline_serializer("TransformationMilestoneReportInput", {"report": serializers.CharField()}),
        responses=TransformationMilestoneOutput,
        parameters=[MILESTONE_ID],
        tags=TAGS,
    )
    def post(self, request, milestone_id):
        milestone = projects.milestone_report(
            enterprise=current_enterprise(request),
            user=request.user,
            milestone_id=milestone_id,
            report=json_body(request).get("report"),
        )
        return Response(TransformationMilestoneOutput(milestone).data)


class MilestoneDeleteApi(ActApi):
    """Deletes a planned milestone (409 once reported or confirmed); owners and administrators."""

    @extend_schema(request=None, responses={204: None}, parameters=[MILESTONE_ID], tags=TAGS)
    def post(self, request, milestone_id):
        projects.milestone_delete(
            enterprise=current_enterprise(request), user=request.user, milestone_id=milestone_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentApi(ActApi):
    """Says whether the provider may name the enterprise on its public page (the consent given when
    applying, changed at any time); owners and administrators."""

    @extend_schema(
        request=inline_serializer("TransformationConsentInput", {"publish_name": serializers.BooleanField()}),
        responses=TransformationProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
    )
    def post(self, request, project_id):
        project = projects.project_consent(
            enterprise=current_enterprise(request),
            user=request.user,
            project_id=project_id,
            publish_name=json_body(request).get("publish_name"),
        )
        return Response(TransformationProjectOutput(project).data)


class CompleteApi(ActApi):
    """Completes an approved project whose milestones (one at least) the provider all confirmed.
    Then the enterprise takes the assessment again; an assessor other than the before-level's
    verifies it, and the project becomes `verified` with the after-level."""

    @extend_schema(request=None, responses=TransformationProjectOutput, parameters=[PROJECT_ID], tags=TAGS)
    def post(self, request, project_id):
        project = projects.project_complete(
            enterprise=current_enterprise(request), user=request.user, project_id=project_id
        )
        return Response(TransformationProjectOutput(project).data)


PREFIX = "api/v1/transformation/"
api_patterns = [
    path(f"{PREFIX}programmes/", ProgrammeListApi.as_view(), name="api-transformation-programmes"),
    path(
        f"{PREFIX}programmes/<int:programme_id>/apply/", ApplyApi.as_view(), name="api-transformation-apply"
    ),
    path(f"{PREFIX}projects/", ProjectListApi.as_view(), name="api-transformation-projects"),
    path(
        f"{PREFIX}projects/<int:project_id>/", ProjectDetailApi.as_view(), name="api-transformation-project"
    ),
    path(f"{PREFIX}projects/<int:project_id>/submit/", SubmitApi.as_view(), name="api-transformation-submit"),
    path(
        f"{PREFIX}projects/<int:project_id>/withdraw/",
        WithdrawApi.as_view(),
        name="api-transformation-withdraw",
    ),
    path(
        f"{PREFIX}projects/<int:project_id>/milestones/",
        MilestoneAddApi.as_view(),
        name="api-transformation-milestones",
    ),
    path(
        f"{PREFIX}milestones/<int:milestone_id>/report/",
        MilestoneReportApi.as_view(),
        name="api-transformation-milestone-report",
    ),
    path(
        f"{PREFIX}milestones/<int:milestone_id>/delete/",
        MilestoneDeleteApi.as_view(),
        name="api-transformation-milestone-delete",
    ),
    path(
        f"{PREFIX}projects/<int:project_id>/consent/",
        ConsentApi.as_view(),
        name="api-transformation-consent",
    ),
    path(
        f"{PREFIX}projects/<int:project_id>/complete/",
        CompleteApi.as_view(),
        name="api-transformation-complete",
    ),
]
pages = []

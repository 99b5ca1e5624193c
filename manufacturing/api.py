"""Industrial-cloud API on an enterprise's host: frameworks, assessments, answers, evidence,
pledge, submit, status and result. Reading needs membership; changing needs the member role."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, ConflictError
from core.parsers import MultiPartParser
from manufacturing import policy, presenters, scoring, selectors, services
from manufacturing.answers import answers_of
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment
from tenants.access import current_enterprise
from tenants.members.models import Role
from tenants.permissions import IsHostMember, PublicSiteOrHostMember, role_at_least


class FrameworkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.CharField()
    kind = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    is_default = serializers.BooleanField()
    questions = serializers.SerializerMethodField()

    def get_questions(self, framework) -> int:
        return scoring.question_count(framework.definition)


class FrameworkListApi(APIView):
    """Published assessment frameworks (public site; on an enterprise host, for its members)."""

    permission_classes = [PublicSiteOrHostMember]

    @extend_schema(responses=FrameworkOutput(many=True), tags=["industrial"])
    def get(self, request):
        return Response(FrameworkOutput(selectors.framework_list(), many=True).data)


class FrameworkDetailApi(APIView):
    """One framework with its full definition (dimensions, questions, options, scenes, rules)."""

    permission_classes = [PublicSiteOrHostMember]

    @extend_schema(
        responses=inline_serializer("FrameworkDetail", {"definition": serializers.JSONField()}),
        tags=["industrial"],
    )
    def get(self, request, framework_id):
        framework = get_object_or_404(Framework, pk=framework_id)
        definition = framework.definition
        if not policy.framework_notes_visible_to(request.user):
            definition = presenters.without_platform_notes(definition)
        return Response({**FrameworkOutput(framework).data, "definition": definition})


class AssessmentOutput(serializers.Serializer):
    """Needs the enterprise in its context (`output()` below): the scoring state is looked up in the
    public schema, where assessment ids repeat across enterprises."""

    id = serializers.IntegerField()
    framework = serializers.IntegerField(source="framework_id")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)
    pledge_signed_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.SerializerMethodField()
    scoring = serializers.SerializerMethodField(
        help_text="While submitted: scoring, delayed (re-sent to the workers) or stalled (operators alerted)."
    )

    def get_progress(self, assessment) -> dict:
        return selectors.assessment_progress(assessment=assessment)

    def get_scoring(self, assessment) -> str | None:
        return selectors.scoring_state(assessment=assessment, enterprise=self.context["enterprise"])


def output(request, assessment_or_rows, **kwargs) -> AssessmentOutput:
    return AssessmentOutput(assessment_or_rows, context={"enterprise": current_enterprise(request)}, **kwargs)


def _assessment(assessment_id: int) -> Assessment:
    # The connection is in the host's schema: another enterprise's id simply does not exist here.
    # The framework's definition comes from the process's cache (framework_definition) where needed.
    rows = Assessment.objects.select_related("framework").defer("framework__definition")
    return get_object_or_404(rows, pk=assessment_id)


class AssessmentListCreateApi(APIView):
    def get_permissions(self):
        return [IsHostMember()] if self.request.method == "GET" else [role_at_least(Role.MEMBER)()]

    @extend_schema(responses=AssessmentOutput(many=True), tags=["industrial"])
    def get(self, request):
        return Response(output(request, selectors.assessment_summaries(), many=True).data)

    @extend_schema(
        request=inline_serializer(
            "AssessmentCreate", {"framework": serializers.IntegerField(required=False)}
        ),
        responses={201: AssessmentOutput},
        tags=["industrial"],
    )
    def post(self, request):
        framework_id = request.data.get("framework") if isinstance(request.data, dict) else None
        if framework_id is None:
            framework = selectors.framework_default()
        else:
            if not isinstance(framework_id, int) or isinstance(framework_id, bool):
                return Response({"framework": [_("Give the framework's id (a number).")]}, status=400)
            framework = Framework.objects.filter(pk=framework_id).first()
        if framework is None:
            return Response({"framework": [_("There is no such framework.")]}, status=400)
        assessment = services.assessment_create(framework=framework, user=request.user)
        return Response(output(request, assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailApi(APIView):
    permission_classes = [IsHostMember]

    @extend_schema(
        responses=inline_serializer(
            "AssessmentDetail", {"assessment": AssessmentOutput(), "answers": serializers.DictField()}
        ),
        tags=["industrial"],
    )
    def get(self, request, assessment_id):
        assessment = _assessment(assessment_id)
        readable = policy.evidence_readable_by(
            user=request.user, enterprise=current_enterprise(request), assessment_id=assessment.pk
        )
        return Response(
            {
                "assessment": output(request, assessment).data,
                "answers": answers_of(assessment),
                "evidence": selectors.evidence_list(assessment=assessment) if readable else [],
            }
        )


class AnswerApi(APIView):
    """PUT an answer: {"option": key} (single), {"options": [keys]} (multi), {"inputs": {...}} (band),
    {"level": 0-4} (scene), {"rating": r} (CMMM requirement). 409 once submitted."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}, tags=["industrial"])
    def put(self, request, assessment_id, key):
        answer = services.answer_put(
            enterprise=current_enterprise(request),
            assessment=_assessment(assessment_id),
            key=key,
            value=request.data,
            user=request.user,
        )
        return Response({"key": answer.key, "value": answer.value})

    @extend_schema(responses={204: None}, tags=["industrial"])
    def delete(self, request, assessment_id, key):
        services.answer_delete(assessment=_assessment(assessment_id), key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EvidenceUploadApi(APIView):
    """Multipart upload: `question` (key) and `file` (PDF, PNG, JPEG, XLSX or DOCX, at most 10 MB)."""

    permission_classes = [role_at_least(Role.MEMBER)]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "EvidenceUpload", {"question": serializers.CharField(), "file": serializers.FileField()}
            )
        },
        responses={201: OpenApiTypes.OBJECT},
        tags=["industrial"],
    )
    def post(self, request, assessment_id):
        upload = request.FILES.get("file")
        question = request.data.get("question")
        if upload is None or not question:
            raise ApplicationError(_("Send a `question` key and a `file`."))
        evidence = services.evidence_add(
            enterprise=current_enterprise(request),
            assessment=_assessment(assessment_id),
            question_key=question,
            upload=upload,
            user=request.user,
        )
        return Response(selectors.evidence_item(evidence), status=status.HTTP_201_CREATED)


class PledgeApi(APIView):
    """Signs the authenticity pledge (真实性承诺) for the answers given."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(request=None, responses=AssessmentOutput, tags=["industrial"])
    def post(self, request, assessment_id):
        return Response(
            output(
                request, services.pledge_sign(assessment=_assessment(assessment_id), user=request.user)
            ).data
        )


class SubmitApi(APIView):
    """Submits for scoring: 202 (poll the assessment for `scored`), 400 naming what is missing, 409 if
    already submitted."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(request=None, responses={202: AssessmentOutput}, tags=["industrial"])
    def post(self, request, assessment_id):
        assessment = services.assessment_submit(
            assessment=_assessment(assessment_id), user=request.user, enterprise=current_enterprise(request)
        )
        return Response(output(request, assessment).data, status=status.HTTP_202_ACCEPTED)


class ResultApi(APIView):
    """The scored result; 409 while it is not there yet."""

    permission_classes = [IsHostMember]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("assessment_id", int, OpenApiParameter.PATH)],
        tags=["industrial"],
    )
    def get(self, request, assessment_id):
        assessment = _assessment(assessment_id)
        if assessment.status not in services.SCORED_OR_LATER:
            raise ConflictError(_("The result is not ready yet."), extra={"status": assessment.status})
        # The self-assessed result as before; after an assessor's approval also the verified one.
        return Response(
            {**assessment.result, "status": assessment.status, "verified": assessment.verified_result}
        )

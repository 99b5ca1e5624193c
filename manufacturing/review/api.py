"""The review through the API (public site): the assessor's assignments and actions, the regional
admins' cases, assignment and audit log. The same services and the same fence as the pages: anyone
without the role, or not the assignment's assessor, gets 404."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import assessor_fences
from core.api import json_body, page_of, paginated
from core.models import AuditEvent
from core.roles import is_assessor
from manufacturing.review import assignments, selectors, workbench
from manufacturing.review.models import Assignment
from manufacturing.review.views import AuditFilter, CaseFilter

TAGS = ["review"]
ID = OpenApiParameter("assignment_id", int, OpenApiParameter.PATH)


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.CharField(source="tenant.name")
    city = serializers.CharField(source="city_id", allow_null=True)
    industry = serializers.CharField(source="industry_id", allow_null=True)
    framework = serializers.CharField(source="framework.code")
    framework_version = serializers.CharField(source="framework.version")
    self_total = serializers.FloatField()
    self_level = serializers.IntegerField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    excluded_assessors = serializers.SerializerMethodField(
        help_text="Assessors who may not verify this assessment (core.assessor_fences), with the reason"
    )

    @extend_schema_field(
        inline_serializer(
            "ExcludedAssessor",
            {
                "id": serializers.IntegerField(),
                "reason": inline_serializer(
                    "ExcludedReason", {"zh": serializers.CharField(), "en": serializers.CharField()}
                ),
            },
            many=True,
        )
    )
    def get_excluded_assessors(self, case) -> list:
        fenced = assessor_fences.excluded(tenant_id=case.tenant_id, assessment_id=case.assessment_id)
        return [{"id": user_id, "reason": reason} for user_id, reason in sorted(fenced.items())]


class AssignmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = CaseOutput()
    assessor = serializers.EmailField(source="assessor.email")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class AuditOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)
    enterprise = serializers.CharField(source="tenant.name", allow_null=True, default=None)
    assessment_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField()
    subject = serializers.CharField(help_text="A reference: the question key, 'status', an exhibition.")
    old = serializers.JSONField(
        allow_null=True,
        help_text="The platform's own value before (a status, a score, the assessor); always null for "
        "overridden, override_removed, commented and returned: those values stay in the enterprise.",
    )
    new = serializers.JSONField(allow_null=True, help_text="As `old`, after the change.")
    reason = serializers.CharField(
        help_text="A regional admin's reason for cancelling an assignment; empty otherwise."
    )

    def to_representation(self, event):
        # Rows written before the values moved into the enterprises keep them in public until the
        # enterprise's schema is migrated (manufacturing 0005): never shown here meanwhile.
        data = super().to_representation(event)
        if event.action in AuditEvent.PRIVATE:
            data.update(old=None, new=None, reason="")
        return data


class Reason(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class ReviewApi(APIView):
    permission_classes = [IsAuthenticated]


class AssignmentListApi(ReviewApi):
    @extend_schema(responses=AssignmentOutput(many=True), tags=TAGS)
    def get(self, request):
        if not is_assessor(request.user):
            raise Http404
        rows = Assignment.objects.select_related("case__tenant", "case__framework", "assessor").filter(
            assessor=request.user, status__in=Assignment.ACTIVE
        )
        return Response(AssignmentOutput(rows, many=True).data)


class AssignmentDetailApi(ReviewApi):
    """Everything the assessor works from: answers, overrides, evidence, comments, the self-assessed
    result and the score of the answers as verified so far (`live`)."""

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[ID], tags=TAGS)
    def get(self, request, assignment_id):
        assignment = workbench.assignment_get(assessor=request.user, assignment_id=assignment_id)
        data = workbench.workbench(assessor=request.user, assignment=assignment)
        return Response(
            {
                "assignment": AssignmentOutput(assignment).data,
                "assessment": {"id": data["assessment"].pk, "status": data["assessment"].status},
                "answers": data["answers"],
                "overrides": {
                    k: {"value": o.value, "reason": o.reason, "by": o.created_by.email, "at": o.created_at}
                    for k, o in data["overrides"].items()
                },
                "evidence": {
                    key: [
                        {
                            "id": f.pk,
                            "name": f.original_name,
                            "url": f"/review/assignments/{assignment.pk}/evidence/{f.pk}/",
                        }
                        for f in files
                    ]
                    for key, files in data["evidence"].items()
                },
                "comments": [
                    {"key": c.key, "kind": c.kind, "text": c.text, "by": c.author.email, "at": c.created_at}
                    for c in data["comments"]
                ],
                "self_result": data["self_result"],
                "live": data["live"],
            }
        )


class OverrideApi(ReviewApi):
    """PUT {"value": <an answer in the API's answer format>, "reason": "..."}; DELETE {"reason": "..."}."""

    @extend_schema(
        request=inline_serializer(
            "OverrideInput", {"value": serializers.JSONField(), "reason": serializers.CharField()}
        ),
        responses={200: OpenApiTypes.OBJECT},
        parameters=[ID, OpenApiParameter("key", str, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def put(self, request, assignment_id, key):
        body = json_body(request)
        override = workbench.override_set(
            assessor=request.user,
            assignment_id=assignment_id,
            key=key,
            value=body.get("value"),
            reason=body.get("reason"),
        )
        return Response({"key": override.key, "value": override.value, "reason": override.reason})

    @extend_schema(request=Reason, responses={204: None}, parameters=[ID], tags=TAGS)
    def delete(self, request, assignment_id, key):
        body = json_body(request)
        workbench.override_clear(
            assessor=request.user, assignment_id=assignment_id, key=key, reason=body.get("reason")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentApi(ReviewApi):
    """POST {"text": "...", "key": "<question key, optional>"}: a comment on the whole assessment or on
    one question (its key, as in `answers`). An unknown key is a 400 with "field": "key"."""

    @extend_schema(
        request=inline_serializer(
            "CommentInput", {"text": serializers.CharField(), "key": serializers.CharField(required=False)}
        ),
        responses={201: None},
        parameters=[ID],
        tags=TAGS,
    )
    def post(self, request, assignment_id):
        body = json_body(request)
        key = body.get("key") or ""
        workbench.comment_add(
            assessor=request.user, assignment_id=assignment_id, text=body.get("text"), key=str(key)
        )
        return Response(status=status.HTTP_201_CREATED)


class ReturnApi(ReviewApi):
    @extend_schema(request=Reason, responses=AssignmentOutput, parameters=[ID], tags=TAGS)
    def post(self, request, assignment_id):
        body = json_body(request)
        assignment = workbench.return_to_enterprise(
            assessor=request.user, assignment_id=assignment_id, reason=body.get("reason")
        )
        return Response(AssignmentOutput(assignment).data)


class ApproveApi(ReviewApi):
    """202: the worker re-scores with the verified answers and publishes."""

    @extend_schema(request=None, responses={202: AssignmentOutput}, parameters=[ID], tags=TAGS)
    def post(self, request, assignment_id):
        assignment = workbench.approve(assessor=request.user, assignment_id=assignment_id)
        return Response(AssignmentOutput(assignment).data, status=status.HTTP_202_ACCEPTED)


class CaseListApi(ReviewApi):
    """Scored assessments in the regional admin's scope; ?status=unassigned|scored|returned|
    verifying|verified, ?city=<region code>; paginated with ?limit= and ?offset=."""

    @extend_schema(**page_of(CaseOutput), tags=TAGS)
    def get(self, request):
        filters = CaseFilter(request.query_params, queryset=selectors.cases_in_scope(request.user))
        if not filters.is_valid():
            return Response(filters.errors, status=status.HTTP_400_BAD_REQUEST)
        return paginated(request, self, filters.qs, CaseOutput)


class AssignApi(ReviewApi):
    @extend_schema(
        request=inline_serializer("AssignInput", {"assessor": serializers.IntegerField()}),
        responses={201: AssignmentOutput},
        parameters=[OpenApiParameter("case_id", int, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def post(self, request, case_id):
        body = json_body(request)
        assignment = assignments.assign(admin=request.user, case_id=case_id, assessor_id=body.get("assessor"))
        return Response(AssignmentOutput(assignment).data, status=status.HTTP_201_CREATED)


class AuditApi(ReviewApi):
    """The audit log of the enterprises in the admin's scope; ?action=, ?enterprise=, ?actor=,
    ?since=YYYY-MM-DD, ?until=YYYY-MM-DD; paginated with ?limit= and ?offset=."""

    @extend_schema(**page_of(AuditOutput), tags=TAGS)
    def get(self, request):
        filters = AuditFilter(request.query_params, queryset=selectors.audit_in_scope(request.user))
        if not filters.is_valid():
            return Response(filters.errors, status=status.HTTP_400_BAD_REQUEST)
        return paginated(request, self, filters.qs, AuditOutput)

"""The regional admins' programme work through the API (public site): their programmes (list, create,
read, edit, state), the provider applications to them (list, decide), the projects (list, read,
approve, return, grant, refuse). A regional admin sees the programmes with a city in their scope and
acts on those whose every city is in it; anyone else gets 404. Amounts in CNY (yuan), two decimals."""

from django.db.models import Count
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, form_data, json_body, page_of, paginated
from programmes import admin_programmes, decisions, policy, presenters, rules
from programmes.forms_admin import ProgrammeForm
from programmes.models import Enrolment, Milestone, Programme, Project

TAGS = ["programmes-admin"]
YUAN = "CNY (yuan), two decimals"
PROGRAMME_ID = OpenApiParameter("programme_id", int, OpenApiParameter.PATH)
PROJECT_ID = OpenApiParameter("project_id", int, OpenApiParameter.PATH)
ENROLMENT_ID = OpenApiParameter("enrolment_id", int, OpenApiParameter.PATH)


def _codes():
    return serializers.PrimaryKeyRelatedField(many=True, read_only=True)


class ProgrammeInput(serializers.Serializer):
    """Every field (a PUT replaces them all)."""

    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    cities = serializers.ListField(
        child=serializers.CharField(), help_text="region codes of report cities in your scope"
    )
    divisions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="GB/T 4754 division codes; empty: every one"
    )
    segments = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="segment codes; empty: any segment"
    )
    sizes = serializers.ListField(
        child=serializers.ChoiceField(choices=[c for c, _l in ProgrammeForm.base_fields["sizes"].choices]),
        required=False,
        help_text="enterprise revenue bands; empty: every size",
    )
    framework = serializers.IntegerField(help_text="framework version id")
    target_level = serializers.IntegerField(min_value=1)
    target_gain = serializers.IntegerField(min_value=0, max_value=5)
    subsidy_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    subsidy_cap = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=YUAN)
    contract_max = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, help_text=f"{YUAN}; null: no limit"
    )
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=YUAN)
    verified_since = serializers.DateField()
    apply_from = serializers.DateField()
    apply_until = serializers.DateField()
    providers_from = serializers.DateField()
    providers_until = serializers.DateField()
    complete_by = serializers.DateField()


class ProgrammeOutput(serializers.ModelSerializer):
    cities = _codes()
    divisions = _codes()
    segments = _codes()
    framework = serializers.IntegerField(source="framework_id")
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text=YUAN)
    manages = serializers.SerializerMethodField(help_text="you may edit it and decide in it")
    projects = serializers.SerializerMethodField(help_text="the number of projects in each state")

    class Meta:
        model = Programme
        fields = [
            "id",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "cities",
            "divisions",
            "segments",
            "sizes",
            "framework",
            "target_level",
            "target_gain",
            "subsidy_percent",
            "subsidy_cap",
            "contract_max",
            "budget",
            "reserved",
            "granted",
            "remaining",
            "verified_since",
            "apply_from",
            "apply_until",
            "providers_from",
            "providers_until",
            "complete_by",
            "state",
            "manages",
            "projects",
            "created_at",
            "updated_at",
        ]

    def get_manages(self, programme) -> bool:
        return policy.manages(self.context["request"].user, programme)

    def get_projects(self, programme) -> dict[str, int]:
        rows = programme.projects.values("state").annotate(n=Count("pk")).order_by()
        return {row["state"]: row["n"] for row in rows}


class AdminEnrolmentOutput(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id")
    provider_name_zh = serializers.CharField(source="provider.name_zh")
    provider_name_en = serializers.CharField(source="provider.name_en")

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "provider",
            "provider_name_zh",
            "provider_name_en",
            "status",
            "statement",
            "reason",
            "applied_at",
            "decided_at",
        ]


class ProjectRow(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="programme_id")
    enterprise = serializers.CharField(source="tenant.name")
    city = serializers.CharField(source="city_id", allow_null=True)
    industry = serializers.CharField(source="industry_id", allow_null=True)
    segment = serializers.CharField(source="segment_id", allow_null=True)
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    solution = serializers.IntegerField(source="solution_id", allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "programme",
            "enterprise",
            "state",
            "city",
            "industry",
            "segment",
            "size",
            "before_level",
            "after_level",
            "provider",
            "solution",
            "contract_amount",
            "subsidy_reserved",
            "subsidy_granted",
            "target_met",
            "applied_at",
        ]


class MilestoneOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=Milestone.State.choices)


class ProjectOutput(ProjectRow):
    credit_code = serializers.CharField(source="tenant.credit_code")
    subsidy_computed = serializers.SerializerMethodField(
        help_text=f"min(share x contract, cap) by the programme's rule, {YUAN}; null without a contract"
    )
    target_met_computed = serializers.SerializerMethodField(
        help_text="the programme's target applied to the verified levels; null before the after-level"
    )
    budget_remaining = serializers.DecimalField(
        source="programme.remaining", max_digits=16, decimal_places=2, read_only=True, help_text=YUAN
    )
    outside_price_range = serializers.SerializerMethodField(
        help_text="the contract amount lies outside the chosen solution's published price range "
        "(accepted, worth a second look); false without a contract"
    )
    milestones = serializers.SerializerMethodField()
    manages = serializers.SerializerMethodField(help_text="you may decide on it")

    class Meta(ProjectRow.Meta):
        fields = [
            *ProjectRow.Meta.fields,
            "credit_code",
            "before_total",
            "before_approved_at",
            "after_total",
            "after_approved_at",
            "contract_signed_on",
            "contract_start",
            "contract_end",
            "subsidy_computed",
            "target_met_computed",
            "outside_price_range",
            "budget_remaining",
            "reason",
            "submitted_at",
            "approved_at",
            "completed_at",
            "decided_at",
            "milestones",
            "manages",
        ]

    def get_subsidy_computed(self, project) -> str | None:
        if project.contract_amount is None:
            return None
        p = project.programme
        return str(
            rules.subsidy_for(percent=p.subsidy_percent, cap=p.subsidy_cap, amount=project.contract_amount)
        )

    def get_outside_price_range(self, project) -> bool:
        return presenters.outside_price_range(project)

    def get_target_met_computed(self, project) -> bool | None:
        if project.after_level is None:
            return None
        p = project.programme
        return rules.target_met(
            target_level=p.target_level,
            target_gain=p.target_gain,
            before_level=project.before_level,
            after_level=project.after_level,
        )

    @extend_schema_field(MilestoneOutput(many=True))
    def get_milestones(self, project) -> list[dict]:
        rows = [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "state": m.state}
            for m in project.milestones.all()
        ]
        return MilestoneOutput(rows, many=True).data

    def get_manages(self, project) -> bool:
        return policy.manages(self.context["request"].user, project.programme)


# --- programmes ------------------------------------------------------------------------------------------


def _saved(request, programme_id=None):
    data, errors = form_data(request.data, ProgrammeForm)
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(messages[0], extra={"field": field})
    return admin_programmes.programme_save(admin=request.user, programme_id=programme_id, data=data)


def _programmes(user):
    return (
        policy.programmes_seen(user)
        .prefetch_related("cities", "divisions", "segments")
        .order_by("-apply_from", "pk")
    )


class ManageListApi(APIView):
    """GET: the programmes you see (a city in your scope), paginated. POST: a new programme (a
    draft), every city in your scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(**page_of(ProgrammeOutput), tags=TAGS, operation_id="programmes_manage_list")
    def get(self, request):
        return paginated(
            request,
            self,
            _programmes(request.user),
            lambda rows, many: ProgrammeOutput(rows, many=many, context={"request": request}),
        )

    @extend_schema(
        request=ProgrammeInput,
        responses={201: ProgrammeOutput},
        tags=TAGS,
        operation_id="programmes_manage_create",
    )
    def post(self, request):
        programme = _saved(request)
        return Response(
            ProgrammeOutput(programme, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ManageDetailApi(APIView):
    """GET: a programme you see. PUT: edit one you manage (every field; 409 when a rule enrolled
    enterprises rely on would change or narrow)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ProgrammeOutput,
        parameters=[PROGRAMME_ID],
        tags=TAGS,
        operation_id="programmes_manage_retrieve",
    )
    def get(self, request, programme_id):
        programme = _programmes(request.user).filter(pk=programme_id).first()
        if programme is None:
            raise Http404
        return Response(ProgrammeOutput(programme, context={"request": request}).data)

    @extend_schema(
        request=ProgrammeInput,
        responses=ProgrammeOutput,
        parameters=[PROGRAMME_ID],
        tags=TAGS,
        operation_id="programmes_manage_update",
    )
    def put(self, request, programme_id):
        programme = _saved(request, programme_id)
        return Response(ProgrammeOutput(programme, context={"request": request}).data)


class ManageStateApi(APIView):
    """Moves a programme you manage: draft -> open; open <-> closed; open or closed -> finished (once
    no project is active). 409 for any other move."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer(
            "ProgrammeStateInput", {"state": serializers.ChoiceField(choices=Programme.State.choices)}
        ),
        responses=ProgrammeOutput,
        parameters=[PROGRAMME_ID],
        tags=TAGS,
        operation_id="programmes_manage_state",
    )
    def post(self, request, programme_id):
        state = json_body(request).get("state")
        programme = admin_programmes.programme_set_state(
            admin=request.user, programme_id=programme_id, state=state if isinstance(state, str) else ""
        )
        return Response(ProgrammeOutput(programme, context={"request": request}).data)


# --- provider applications ------------------------------------------------------------------------------


def _status_filter(request, rows, field, choices):
    wanted = request.query_params.get(field)
    if not wanted:
        return rows
    if wanted not in choices:
        raise ApplicationError(
            _("%(field)s must be one of: %(allowed)s."),
            params={"field": field, "allowed": ", ".join(choices)},
            extra={"field": field},
        )
    return rows.filter(**{field: wanted})


class ManageEnrolmentsApi(APIView):
    """The provider applications to a programme you see; ?status=; paginated."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            PROGRAMME_ID,
            OpenApiParameter("status", str, enum=Enrolment.Status.values),
            *page_of(AdminEnrolmentOutput)["parameters"],
        ],
        responses=page_of(AdminEnrolmentOutput)["responses"],
        tags=TAGS,
        operation_id="programmes_manage_enrolments_list",
    )
    def get(self, request, programme_id):
        programme = policy.programmes_seen(request.user).filter(pk=programme_id).first()
        if programme is None:
            raise Http404
        rows = programme.enrolments.select_related("provider").order_by("applied_at", "pk")
        rows = _status_filter(request, rows, "status", Enrolment.Status.values)
        return paginated(request, self, rows, AdminEnrolmentOutput)


class EnrolmentDecideApi(APIView):
    """Accepts or rejects (a reason required) a pending provider application to a programme you
    manage; 409 when it was decided already."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer(
            "EnrolmentDecideInput",
            {"accept": serializers.BooleanField(), "reason": serializers.CharField(required=False)},
        ),
        responses=AdminEnrolmentOutput,
        parameters=[ENROLMENT_ID],
        tags=TAGS,
        operation_id="programmes_enrolment_decide",
    )
    def post(self, request, enrolment_id):
        body = json_body(request)
        enrolment = decisions.enrolment_decide(
            admin=request.user,
            enrolment_id=enrolment_id,
            accept=body.get("accept"),
            reason=body.get("reason", ""),
        )
        return Response(AdminEnrolmentOutput(enrolment).data)


# --- projects ---------------------------------------------------------------------------------------------


def project_seen(user, project_id) -> Project:
    """A project of a programme the admin sees (read-only when they do not manage it); 404 otherwise."""
    project = (
        Project.objects.select_related(
            "programme", "tenant", "provider", "solution", "city", "industry", "segment"
        )
        .filter(pk__in=policy.projects_seen(user).filter(pk=project_id).values("pk"))
        .first()
    )
    if project is None:
        raise Http404
    return project


class ManageProjectsApi(APIView):
    """The projects of a programme you see; ?state= and ?city= (a region code); paginated."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            PROGRAMME_ID,
            OpenApiParameter("state", str, enum=Project.State.values),
            OpenApiParameter("city", str, description="a region code"),
            *page_of(ProjectRow)["parameters"],
        ],
        responses=page_of(ProjectRow)["responses"],
        tags=TAGS,
        operation_id="programmes_manage_projects_list",
    )
    def get(self, request, programme_id):
        programme = policy.programmes_seen(request.user).filter(pk=programme_id).first()
        if programme is None:
            raise Http404
        rows = (
            policy.projects_seen(request.user)
            .filter(programme=programme)
            .select_related("tenant")
            .order_by("-applied_at", "pk")
        )
        rows = _status_filter(request, rows, "state", Project.State.values)
        city = request.query_params.get("city")
        if city:
            rows = rows.filter(city_id=city)
        return paginated(request, self, rows, ProjectRow)


class ProjectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ProjectOutput, parameters=[PROJECT_ID], tags=TAGS, operation_id="programmes_manage_project"
    )
    def get(self, request, project_id):
        project = project_seen(request.user, project_id)
        return Response(ProjectOutput(project, context={"request": request}).data)


REASON_INPUT = inline_serializer("ProjectReasonInput", {"reason": serializers.CharField()})


def _decided(request, project):
    project = project_seen(request.user, project.pk)
    return Response(ProjectOutput(project, context={"request": request}).data)


class ProjectApproveApi(APIView):
    """submitted -> approved; the subsidy is reserved from the budget (409 naming what remains when it
    does not fit)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=ProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
        operation_id="programmes_project_approve",
    )
    def post(self, request, project_id):
        return _decided(request, decisions.project_approve(admin=request.user, project_id=project_id))


class ProjectReturnApi(APIView):
    """submitted -> returned to the enterprise, with the reason."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=REASON_INPUT,
        responses=ProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
        operation_id="programmes_project_return",
    )
    def post(self, request, project_id):
        reason = json_body(request).get("reason")
        return _decided(
            request, decisions.project_return(admin=request.user, project_id=project_id, reason=reason)
        )


class ProjectGrantApi(APIView):
    """verified, target met -> granted: the reserved subsidy is granted (409 when the target is not
    met)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=ProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
        operation_id="programmes_project_grant",
    )
    def post(self, request, project_id):
        return _decided(request, decisions.subsidy_grant(admin=request.user, project_id=project_id))


class ProjectRefuseApi(APIView):
    """verified (or failed: approved or completed past the programme's completion date) -> refused,
    with the reason; the reserved subsidy is released."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=REASON_INPUT,
        responses=ProjectOutput,
        parameters=[PROJECT_ID],
        tags=TAGS,
        operation_id="programmes_project_refuse",
    )
    def post(self, request, project_id):
        reason = json_body(request).get("reason")
        return _decided(
            request, decisions.subsidy_refuse(admin=request.user, project_id=project_id, reason=reason)
        )


pages: list = []  # the pages are programmes/views_admin.py

api_patterns = [
    path("api/v1/programmes/manage/", ManageListApi.as_view(), name="api-programmes-manage"),
    path(
        "api/v1/programmes/manage/<int:programme_id>/",
        ManageDetailApi.as_view(),
        name="api-programmes-manage-programme",
    ),
    path(
        "api/v1/programmes/manage/<int:programme_id>/state/",
        ManageStateApi.as_view(),
        name="api-programmes-manage-state",
    ),
    path(
        "api/v1/programmes/manage/<int:programme_id>/enrolments/",
        ManageEnrolmentsApi.as_view(),
        name="api-programmes-manage-enrolments",
    ),
    path(
        "api/v1/programmes/enrolments/<int:enrolment_id>/decide/",
        EnrolmentDecideApi.as_view(),
        name="api-programmes-enrolment-decide",
    ),
    path(
        "api/v1/programmes/manage/<int:programme_id>/projects/",
        ManageProjectsApi.as_view(),
        name="api-programmes-manage-projects",
    ),
    path("api/v1/programmes/projects/<int:project_id>/", ProjectApi.as_view(), name="api-programmes-project"),
    path(
        "api/v1/programmes/projects/<int:project_id>/approve/",
        ProjectApproveApi.as_view(),
        name="api-programmes-project-approve",
    ),
    path(
        "api/v1/programmes/projects/<int:project_id>/return/",
        ProjectReturnApi.as_view(),
        name="api-programmes-project-return",
    ),
    path(
        "api/v1/programmes/projects/<int:project_id>/grant/",
        ProjectGrantApi.as_view(),
        name="api-programmes-project-grant",
    ),
    path(
        "api/v1/programmes/projects/<int:project_id>/refuse/",
        ProjectRefuseApi.as_view(),
        name="api-programmes-project-refuse",
    ),
]

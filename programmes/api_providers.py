"""The providers' side through the API (public site): registration (anyone, rate-limited like an
enterprise's), the provider's profile, applications and solutions (provider users; anyone else's
ids are 404), and the public reads: the solution catalogue, providers, programmes.

A public programme shows its terms and, of its money, only the budget and the totals reserved and
granted (what the programme's public notice would say); never a project, an enterprise or an admin."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import limits
from core.api import ApplicationError, form_data, json_body, page_of, paginated
from core.client_ip import client_ip
from programmes import catalogue, policy, providers, solutions
from programmes.forms_providers import ProviderProfileForm, ProviderRegistrationForm
from programmes.models import Enrolment, Programme, Provider, Solution

TAGS = ["programmes-providers"]
PUBLIC_TAGS = ["programmes-public"]
YUAN = "CNY (yuan), two decimals"


def _id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH)


class SolutionOutput(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name_zh", read_only=True)
    provider_name_en = serializers.CharField(source="provider.name_en", read_only=True)
    framework = serializers.IntegerField(source="framework_id", read_only=True)
    divisions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    segments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sizes = serializers.ListField(child=serializers.CharField(), read_only=True)
    scenes = serializers.ListField(child=serializers.CharField(), read_only=True)
    questions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Solution
        fields = [
            "id",
            "provider",
            "provider_name",
            "provider_name_en",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "framework",
            "divisions",
            "segments",
            "sizes",
            "scenes",
            "questions",
            "price_min",
            "price_max",
            "delivery_days",
            "references",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "price_min": {"help_text": f"the lowest price, {YUAN}"},
            "price_max": {"help_text": f"the highest price, {YUAN}"},
        }


class SolutionInput(serializers.Serializer):
    name_zh = serializers.CharField()
    name_en = serializers.CharField(required=False, allow_blank=True)
    description_zh = serializers.CharField()
    description_en = serializers.CharField(required=False, allow_blank=True)
    price_min = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=f"> 0, {YUAN}")
    price_max = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=f">= price_min, {YUAN}")
    delivery_days = serializers.IntegerField(min_value=1, max_value=3650)
    divisions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="industry division codes; none: every one"
    )
    segments = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="segment codes; none: every one"
    )
    sizes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="revenue bands; none: every size"
    )
    scenes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="scene keys of the default framework"
    )
    questions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="question keys of the default framework"
    )
    references = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="published in the catalogue; default: true (new), unchanged (update)"
    )


class ProviderOutput(serializers.ModelSerializer):
    city = serializers.CharField(source="city_id", allow_null=True, read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name_zh",
            "name_en",
            "city",
            "contact_name",
            "contact_phone",
            "contact_email",
            "website",
            "description_zh",
            "description_en",
        ]
        read_only_fields = fields


class ProgrammeBrief(serializers.ModelSerializer):
    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name_zh", "name_en", "state", "cities", "apply_from", "apply_until"]
        read_only_fields = fields


class ProviderPublicOutput(ProviderOutput):
    solutions = serializers.SerializerMethodField()
    programmes = serializers.SerializerMethodField()
    completed_projects = serializers.SerializerMethodField()
    named_enterprises = serializers.SerializerMethodField()

    class Meta(ProviderOutput.Meta):
        fields = [
            *ProviderOutput.Meta.fields,
            "solutions",
            "programmes",
            "completed_projects",
            "named_enterprises",
        ]
        read_only_fields = fields

    def _record(self, provider) -> dict:
        if not hasattr(provider, "_record"):
            provider._record = catalogue.provider_record(provider)
        return provider._record

    def get_solutions(self, provider) -> list[int]:
        """The ids of its published solutions (GET /api/v1/solutions/<id>/)."""
        return list(provider.solutions.filter(is_active=True).values_list("pk", flat=True))

    def get_programmes(self, provider) -> list[int]:
        return list(catalogue.provider_programmes(provider).values_list("pk", flat=True))

    def get_completed_projects(self, provider) -> int:
        return self._record(provider)["completed"]

    def get_named_enterprises(self, provider) -> list[str]:
        return self._record(provider)["named"]


class AcceptedProvider(serializers.Serializer):
    id = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    solutions = serializers.SerializerMethodField()

    def get_solutions(self, provider) -> list[int]:
        return [s.pk for s in provider.solutions.all()]  # prefetched: the published ones


class ProgrammePublicOutput(serializers.ModelSerializer):
    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    divisions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    segments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sizes = serializers.ListField(child=serializers.CharField(), read_only=True)
    framework = serializers.IntegerField(source="framework_id", read_only=True)
    provider_window_open = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "state",
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
            "verified_since",
            "apply_from",
            "apply_until",
            "providers_from",
            "providers_until",
            "complete_by",
            "provider_window_open",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "subsidy_cap": {"help_text": f"the most one enterprise is granted, {YUAN}"},
            "budget": {"help_text": f"the total budget, {YUAN}"},
            "reserved": {"help_text": f"reserved for approved projects, {YUAN}"},
            "granted": {"help_text": f"granted so far, {YUAN}"},
        }

    def get_provider_window_open(self, programme) -> bool:
        return providers.window_open(programme)


class ProgrammeDetailOutput(ProgrammePublicOutput):
    accepted_providers = serializers.SerializerMethodField()

    class Meta(ProgrammePublicOutput.Meta):
        fields = [*ProgrammePublicOutput.Meta.fields, "accepted_providers"]
        read_only_fields = fields

    @extend_schema_field(AcceptedProvider(many=True))
    def get_accepted_providers(self, programme):
        return AcceptedProvider(catalogue.accepted_providers(programme), many=True).data


class EnrolmentOutput(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="programme_id", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    programme_name_en = serializers.CharField(source="programme.name_en", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "programme_name",
            "programme_name_en",
            "status",
            "statement",
            "reason",
            "applied_at",
            "decided_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"reason": {"help_text": "the administrators' reason (a rejection's)"}}


class EnrolmentInput(serializers.Serializer):
    programme = serializers.IntegerField()
    statement = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ProviderRegistrationInput(serializers.Serializer):
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    credit_code = serializers.CharField(help_text="the Unified Social Credit Code, 18 characters")
    city = serializers.CharField(help_text="a report city's region code, e.g. 110000")
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=30)
    contact_email = serializers.EmailField()
    website = serializers.URLField(required=False, allow_blank=True)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    user_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(help_text="the first user's address, to sign in")
    password = serializers.CharField(write_only=True)
    accept_terms = serializers.BooleanField(help_text="consent to the user agreement and the privacy policy")


class ProviderRegistrationOutput(serializers.Serializer):
    provider = ProviderOutput()
    user_email = serializers.EmailField()
    token_url = serializers.CharField(help_text="POST email and password there for an API token")


def _form_errors(form) -> dict:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


# --- registration and the provider's own ------------------------------------------------------------


class ProviderRegisterApi(APIView):
    """Registers a service provider and its first user (platform role provider). 201; 400: field
    errors (also accept_terms not true); 409: the credit code, the Chinese name or the email is
    already registered; 429: too many registrations from the address (the enterprise
    registrations' budget); 503: registration closed (no documents in force)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [limits.throttle("registration")]

    @extend_schema(request=ProviderRegistrationInput, responses={201: ProviderRegistrationOutput}, tags=TAGS)
    def post(self, request):
        data, errors = form_data(request.data, ProviderRegistrationForm)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        form = ProviderRegistrationForm(data=data)
        if not form.is_valid():
            return Response(_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        provider, user = providers.provider_register(**form.cleaned_data, ip=client_ip(request))
        body = {"provider": provider, "user_email": user.email, "token_url": "/api/v1/auth/token/"}
        return Response(ProviderRegistrationOutput(body).data, status=status.HTTP_201_CREATED)


class ProfileApi(APIView):
    """The provider's own record (provider users; 404 for anyone else). PUT changes the contact,
    the English name, the website and the descriptions (the Chinese name and the code stay)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProviderOutput, tags=TAGS)
    def get(self, request):
        return Response(ProviderOutput(policy.require_provider(request.user)).data)

    @extend_schema(
        request=inline_serializer(
            "ProviderProfileInput",
            {
                "name_en": serializers.CharField(required=False, allow_blank=True),
                "contact_name": serializers.CharField(),
                "contact_phone": serializers.CharField(),
                "contact_email": serializers.EmailField(),
                "website": serializers.URLField(required=False, allow_blank=True),
                "description_zh": serializers.CharField(required=False, allow_blank=True),
                "description_en": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses=ProviderOutput,
        tags=TAGS,
    )
    def put(self, request):
        provider = policy.require_provider(request.user)
        data, errors = form_data(request.data, ProviderProfileForm)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        form = ProviderProfileForm(data, instance=Provider.objects.get(pk=provider.pk))
        if not form.is_valid():
            return Response(_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        return Response(
            ProviderOutput(providers.provider_profile_save(user=request.user, data=form.cleaned_data)).data
        )


class EnrolmentListApi(APIView):
    """GET: the provider's applications to programmes, with their status and the administrators'
    reason. POST: applies to a programme's provider list (409: not taking applications now, or
    applied already or rejected; 404: no such public programme)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(**page_of(EnrolmentOutput), tags=TAGS)
    def get(self, request):
        provider = policy.require_provider(request.user)
        rows = Enrolment.objects.filter(provider=provider).select_related("programme").order_by("-applied_at")
        return paginated(request, self, rows, EnrolmentOutput)

    @extend_schema(request=EnrolmentInput, responses={201: EnrolmentOutput}, tags=TAGS)
    def post(self, request):
        policy.require_provider(request.user)
        body = json_body(request)
        if "programme" not in body:
            raise ApplicationError(_need_programme(), extra={"field": "programme"})
        enrolment = providers.enrolment_apply(
            user=request.user, programme_id=body.get("programme"), statement=body.get("statement", "")
        )
        return Response(EnrolmentOutput(enrolment).data, status=status.HTTP_201_CREATED)


def _need_programme():
    from django.utils.translation import gettext_lazy as _

    return _("Name the programme by its number.")


class EnrolmentWithdrawApi(APIView):
    """Withdraws the provider's pending or accepted application (409 otherwise, or while its
    projects in the programme are under way)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=EnrolmentOutput, parameters=[_id("enrolment_id")], tags=TAGS)
    def post(self, request, enrolment_id):
        enrolment = providers.enrolment_withdraw(user=request.user, enrolment_id=enrolment_id)
        return Response(EnrolmentOutput(enrolment).data)


def _solution_errors(exc: ApplicationError) -> Response:
    errors = exc.extra.get("errors") or {exc.extra.get("field") or "non_field_errors": [exc.message]}
    return Response(
        {field: [str(e) for e in messages] for field, messages in errors.items()},
        status=status.HTTP_400_BAD_REQUEST,
    )


class SolutionListApi(APIView):
    """The provider's solutions (GET, paginated) and a new one (POST)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(**page_of(SolutionOutput), tags=TAGS)
    def get(self, request):
        provider = policy.require_provider(request.user)
        rows = provider.solutions.select_related("provider").prefetch_related("divisions", "segments")
        return paginated(request, self, rows.order_by("name_zh", "pk"), SolutionOutput)

    @extend_schema(request=SolutionInput, responses={201: SolutionOutput}, tags=TAGS)
    def post(self, request):
        policy.require_provider(request.user)
        try:
            saved = solutions.solution_save(user=request.user, data=json_body(request))
        except ApplicationError as exc:
            if exc.status_code != 400:
                raise
            return _solution_errors(exc)
        return Response(SolutionOutput(saved).data, status=status.HTTP_201_CREATED)


class SolutionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SolutionOutput, parameters=[_id("solution_id")], tags=TAGS)
    def get(self, request, solution_id):
        provider = policy.require_provider(request.user)
        return Response(SolutionOutput(solutions.own_solution(provider, solution_id)).data)

    @extend_schema(
        request=SolutionInput, responses=SolutionOutput, parameters=[_id("solution_id")], tags=TAGS
    )
    def put(self, request, solution_id):
        provider = policy.require_provider(request.user)
        solutions.own_solution(provider, solution_id)  # the fence first
        try:
            saved = solutions.solution_save(
                user=request.user, solution_id=solution_id, data=json_body(request)
            )
        except ApplicationError as exc:
            if exc.status_code != 400:
                raise
            return _solution_errors(exc)
        return Response(SolutionOutput(saved).data)


# --- public --------------------------------------------------------------------------------------------


class CatalogueApi(APIView):
    """The published solutions of active providers (anyone): ?q= (Chinese or English, in names and
    descriptions of the solution and its provider), ?division=, ?segment=, ?scene=, ?size=,
    ?provider=, ?programme= (solutions of providers accepted in it); a filter of a wrong value is a 400."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="a keyword, Chinese or English"),
            OpenApiParameter("division", str, description="an industry division code, e.g. C34"),
            OpenApiParameter("segment", str, description="a key industry segment code"),
            OpenApiParameter("scene", str, description="a scene key of the framework"),
            OpenApiParameter("size", str, description="a revenue band, e.g. 20m-400m"),
            OpenApiParameter("provider", int),
            OpenApiParameter("programme", int),
            *page_of(SolutionOutput)["parameters"],
        ],
        responses=page_of(SolutionOutput)["responses"],
        tags=PUBLIC_TAGS,
    )
    def get(self, request):
        chosen = catalogue.catalogue_filters(request.query_params, strict=True)
        return paginated(request, self, catalogue.solutions_found(chosen), SolutionOutput)


class SolutionPublicApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SolutionOutput, parameters=[_id("solution_id")], tags=PUBLIC_TAGS)
    def get(self, request, solution_id):
        return Response(SolutionOutput(catalogue.solution_public(solution_id)).data)


class ProviderPublicApi(APIView):
    """A provider's public record: profile, published solutions, the programmes it is accepted in,
    its completed projects, and the enterprises that agreed to be named."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ProviderPublicOutput, parameters=[_id("provider_id")], tags=PUBLIC_TAGS)
    def get(self, request, provider_id):
        return Response(ProviderPublicOutput(catalogue.provider_public(provider_id)).data)


class ProgrammeListApi(APIView):
    """The public programmes (open, closed to applications, finished; never a draft)."""

    permission_classes = [AllowAny]

    @extend_schema(**page_of(ProgrammePublicOutput), tags=PUBLIC_TAGS)
    def get(self, request):
        rows = catalogue.programmes_public().prefetch_related("divisions", "segments")
        return paginated(request, self, rows, ProgrammePublicOutput)


class ProgrammePublicApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProgrammeDetailOutput, parameters=[_id("programme_id")], tags=PUBLIC_TAGS)
    def get(self, request, programme_id):
        return Response(ProgrammeDetailOutput(catalogue.programme_public(programme_id)).data)


api_patterns = [
    path("api/v1/providers/", ProviderRegisterApi.as_view(), name="api-providers-register"),
    path("api/v1/providers/<int:provider_id>/", ProviderPublicApi.as_view(), name="api-provider-public"),
    path("api/v1/provider/profile/", ProfileApi.as_view(), name="api-provider-profile"),
    path("api/v1/provider/enrolments/", EnrolmentListApi.as_view(), name="api-provider-enrolments"),
    path(
        "api/v1/provider/enrolments/<int:enrolment_id>/withdraw/",
        EnrolmentWithdrawApi.as_view(),
        name="api-provider-enrolment-withdraw",
    ),
    path("api/v1/provider/solutions/", SolutionListApi.as_view(), name="api-provider-solutions"),
    path(
        "api/v1/provider/solutions/<int:solution_id>/",
        SolutionDetailApi.as_view(),
        name="api-provider-solution",
    ),
    path("api/v1/solutions/", CatalogueApi.as_view(), name="api-solutions-public"),
    path("api/v1/solutions/<int:solution_id>/", SolutionPublicApi.as_view(), name="api-solution-public"),
    path("api/v1/programmes/", ProgrammeListApi.as_view(), name="api-programmes-public"),
    path("api/v1/programmes/<int:programme_id>/", ProgrammePublicApi.as_view(), name="api-programme-public"),
]

pages = []

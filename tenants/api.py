"""API: reference data (public site) and the workspace profile (enterprise host)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import limits
from tenants import registration, selectors, tokens
from tenants.access import current_enterprise
from tenants.auth import BearerTokenAuthentication, lockout_response
from tenants.forms import RegistrationForm
from tenants.models import Enterprise
from tenants.services import tenant_url


class RegionOutput(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    level = serializers.CharField()
    province_code = serializers.CharField()
    verified = serializers.BooleanField()
    districts = serializers.SerializerMethodField()

    def get_districts(self, region) -> list[dict]:
        return [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en} for d in region.children.all()]


class CityListApi(APIView):
    """The 14 report cities (Beijing, Tianjin, 11 Hebei cities, Xiong'an) with their districts."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=RegionOutput(many=True), tags=["reference"])
    def get(self, request):
        cities = selectors.report_city_list().prefetch_related("children")
        return Response(RegionOutput(cities, many=True).data)


class IndustryOutput(serializers.Serializer):
    code = serializers.CharField()
    section = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class IndustryListApi(APIView):
    """GB/T 4754-2017 manufacturing divisions C13-C43."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=IndustryOutput(many=True), tags=["reference"])
    def get(self, request):
        return Response(IndustryOutput(selectors.industry_list(), many=True).data)


class WorkspaceOutput(serializers.Serializer):
    name = serializers.CharField()
    name_en = serializers.CharField()
    slug = serializers.CharField()
    credit_code = serializers.CharField()
    city = serializers.CharField(source="city.code")
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    industry = serializers.CharField(source="industry.code")
    status = serializers.CharField()


class WorkspaceApi(APIView):
    """The enterprise whose host this is. Members only; anyone else gets 404."""

    @extend_schema(responses=WorkspaceOutput, tags=["workspace"])
    def get(self, request):
        # IsHostMember (the default permission) has already turned non-members away with 404.
        return Response(WorkspaceOutput(current_enterprise(request)).data)


# --- registration (public site) ---------------------------------------------------------------------


class RegistrationInput(serializers.Serializer):
    """Documents the body; RegistrationForm validates it (one validator for page and API)."""

    name = serializers.CharField(help_text="Company name in Chinese (required)")
    name_en = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(help_text="Unified Social Credit Code, 18 characters")
    city = serializers.CharField(help_text="Report-city code, see /api/v1/reference/cities/")
    district = serializers.CharField(required=False, allow_blank=True, help_text="District code of the city")
    industry = serializers.CharField(help_text="GB/T 4754 division, C13-C43")
    employees = serializers.IntegerField(min_value=1)
    revenue_band = serializers.ChoiceField(choices=Enterprise.RevenueBand.choices)
    contact_phone = serializers.CharField()
    owner_name = serializers.CharField()
    owner_email = serializers.EmailField()
    password = serializers.CharField(write_only=True)
    accept_terms = serializers.BooleanField(
        help_text=(
            "Required, must be true: the owner has read and agrees to the user agreement "
            "(/legal/terms/) and the privacy policy (/legal/privacy/) in force; their versions are "
            "recorded with the registration. 503 while either document is not in force."
        )
    )


class RegistrationOutput(serializers.Serializer):
    id = serializers.UUIDField(source="registration_id")
    status = serializers.CharField()
    status_reason = serializers.CharField()
    status_url = serializers.SerializerMethodField()
    domain = serializers.SerializerMethodField()
    workspace_url = serializers.SerializerMethodField()

    def get_status_url(self, enterprise) -> str:
        return reverse(
            "api-registration",
            kwargs={"registration_id": enterprise.registration_id},
            urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        )

    def get_domain(self, enterprise) -> str:
        return f"{enterprise.slug}.{settings.PORTAL_DOMAIN}"

    def get_workspace_url(self, enterprise) -> str | None:
        return tenant_url(enterprise) if enterprise.status == Enterprise.Status.READY else None


def form_errors(form) -> dict:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


class RegistrationCreateApi(APIView):
    """Registers an enterprise. 202: the workspace is being prepared (poll `status_url`).
    400: field errors (also `accept_terms` not true). 409: the credit code is already registered.
    503: registration is closed (the user agreement or the privacy policy is not in force)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    # Per client address, the same budget as the /register/ page (RATE_LIMITS["registration"]).
    throttle_classes = [limits.throttle("registration")]

    @extend_schema(request=RegistrationInput, responses={202: RegistrationOutput}, tags=["registration"])
    def post(self, request):
        if not isinstance(request.data, dict):
            return Response({"detail": _("Send a JSON object.")}, status=status.HTTP_400_BAD_REQUEST)
        form = RegistrationForm(data=request.data)
        if not form.is_valid():
            return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        enterprise = registration.enterprise_register(**form.cleaned_data, request=request)
        return Response(RegistrationOutput(enterprise).data, status=status.HTTP_202_ACCEPTED)


class RegistrationStatusApi(APIView):
    """The state of a registration: pending, ready (with the workspace URL) or failed (with the reason)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=RegistrationOutput, tags=["registration"])
    def get(self, request, registration_id):
        enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
        return Response(RegistrationOutput(enterprise).data)


class RegistrationRetryApi(APIView):
    """Queues a failed registration again. The registration id is the capability (as for the status);
    retrying only re-runs idempotent provisioning, so calling it twice is harmless."""

    permission_classes = [AllowAny]
    authentication_classes = []
    # Per client address, the same budget as the /register/ page (RATE_LIMITS["registration"]).
    throttle_classes = [limits.throttle("registration")]

    @extend_schema(request=None, responses={202: RegistrationOutput}, tags=["registration"])
    def post(self, request, registration_id):
        enterprise = get_object_or_404(Enterprise, registration_id=registration_id)
        enterprise = registration.enterprise_provision_retry(enterprise=enterprise)
        return Response(RegistrationOutput(enterprise).data, status=status.HTTP_202_ACCEPTED)


# --- tokens ------------------------------------------------------------------------------------------


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`; shown only this once.")
    token_type = serializers.CharField(help_text='Always "Bearer".')
    expiry = serializers.DateTimeField(
        help_text="When the token lapses unless used: each use moves it on by the idle timeout "
        "(10 hours by default), up to 7 days (by default) after it was issued."
    )


class TokenCreateApi(knox_views.LoginView):
    """Exchanges email and password for a new API token: send it as `Authorization: Bearer <token>`.
    Each call issues another token (one per client); it lapses after the idle timeout without use and
    at the latest after the maximum age (see `expiry`). Failed attempts count towards the sign-in
    lockout (429)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [limits.throttle("token")]

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
        tags=["auth"],
        auth=[],
    )
    def post(self, request, format=None):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["email"].strip().lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            return Response(
                {"detail": _("Email or password is not correct.")},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        request.user = user
        # knox's LoginView: creates the token (create_token below), signals user_logged_in (the last
        # login, and django-axes clears the failures) and answers with the key and its expiry.
        return super().post(request, format=format)

    def create_token(self):
        return tokens.token_create(user=self.request.user)

    def get_post_response_data(self, request, token, instance):
        return {**super().get_post_response_data(request, token, instance), "token_type": "Bearer"}


class LogoutApi(knox_views.LogoutView):
    """Revokes the token this request is authenticated with. 204."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request, format=None):
        return super().post(request, format=format)


class LogoutAllApi(knox_views.LogoutAllView):
    """Revokes every token of the user this request is authenticated as (every client). 204."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request, format=None):
        tokens.user_tokens_revoke(user=request.user)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The financial cloud through the API, on an enterprise's host. The same forms, services and roles as
the pages: members read, members and up keep the profile and drafts, owners and admins apply and
withdraw; a non-member gets 404."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, form_data, json_body
from finance import selectors, services
from finance.forms import RequestForm, StatementForm
from finance.lending import selectors as lending_selectors
from finance.lending import services as lending
from finance.models import FinancialStatement, FinancingRequest
from tenants.access import current_enterprise
from tenants.members.models import Role
from tenants.permissions import IsHostMember, role_at_least

TAGS = ["financial"]
# The API speaks yuan (CNY, two decimals), as it always has; the pages show and take 万元 (CNY 10,000).
YUAN = "CNY (yuan), two decimals; the pages show this amount in CNY 10,000 (万元)"
STATEMENT_MONEY = ("revenue", "operating_cost", "net_profit", "total_assets", "total_liabilities", "rd_spend")
REQUEST_ID = OpenApiParameter("request_id", int, OpenApiParameter.PATH)


class StatementOutput(serializers.ModelSerializer):
    class Meta:
        model = FinancialStatement
        fields = [*StatementForm.Meta.fields, "updated_at"]
        extra_kwargs = {name: {"help_text": YUAN} for name in STATEMENT_MONEY} | {
            "net_profit": {"help_text": f"{YUAN}; negative for a loss"}
        }


class ProfileYearOutput(serializers.Serializer):
    statement = StatementOutput()
    # Percentages; unbounded (liabilities may be many times the assets, growth many times the base).
    debt_to_asset = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    net_margin = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    revenue_growth = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    rd_intensity = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)


class RequestOutput(serializers.ModelSerializer):
    class Meta:
        model = FinancingRequest
        fields = [
            "id",
            "amount",
            "term_months",
            "purpose",
            "collateral",
            "wanted_by",
            "note",
            "status",
            "created_at",
            "submitted_at",
            "withdrawn_at",
        ]
        extra_kwargs = {"amount": {"help_text": f"the amount asked, {YUAN}"}}


class CheckOutput(serializers.Serializer):
    key = serializers.CharField()
    ok = serializers.BooleanField()
    hard = serializers.BooleanField()
    text = inline_serializer("CheckText", {"zh": serializers.CharField(), "en": serializers.CharField()})


class MatchOutput(serializers.Serializer):
    product = serializers.IntegerField()
    name = serializers.CharField()
    institution = serializers.CharField()
    rate_min = serializers.DecimalField(max_digits=5, decimal_places=2)
    rate_max = serializers.DecimalField(max_digits=5, decimal_places=2)
    eligible = serializers.BooleanField()
    failed = serializers.IntegerField()
    checks = CheckOutput(many=True)


class RequestApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    institution = serializers.CharField(source="institution.name_zh")
    institution_en = serializers.CharField(source="institution.name_en")
    status = serializers.CharField()
    shared = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    approved_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text=f"the amount approved, {YUAN}"
    )
    approved_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    approved_term = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)


class ProfileApi(APIView):
    """GET the last three years with derived figures (%); POST a year's statement (409 if the year exists)."""

    def get_permissions(self):
        return [IsHostMember()] if self.request.method == "GET" else [role_at_least(Role.MEMBER)()]

    @extend_schema(responses=ProfileYearOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(ProfileYearOutput(selectors.profile(), many=True).data)

    @extend_schema(request=StatementOutput, responses={201: StatementOutput}, tags=TAGS)
    def post(self, request):
        data, errors = form_data(request.data, StatementForm)
        form = StatementForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        statement = services.statement_save(form=form, user=request.user)
        return Response(StatementOutput(statement).data, status=status.HTTP_201_CREATED)


class StatementApi(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]

    def _get(self, year) -> FinancialStatement:
        statement = FinancialStatement.objects.filter(year=year).first()
        if statement is None:
            raise Http404
        return statement

    @extend_schema(
        request=StatementOutput,
        responses=StatementOutput,
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def put(self, request, year):
        statement = self._get(year)
        data, errors = form_data(request.data, StatementForm)
        data["year"] = str(year)
        form = StatementForm(data, instance=statement)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(StatementOutput(services.statement_save(form=form, user=request.user)).data)

    @extend_schema(
        responses={204: None}, parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)], tags=TAGS
    )
    def delete(self, request, year):
        services.statement_delete(statement=self._get(year))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RequestListApi(APIView):
    def get_permissions(self):
        return [IsHostMember()] if self.request.method == "GET" else [role_at_least(Role.MEMBER)()]

    @extend_schema(responses=RequestOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(RequestOutput(selectors.request_list(), many=True).data)

    @extend_schema(request=RequestOutput, responses={201: RequestOutput}, tags=TAGS)
    def post(self, request):
        data, errors = form_data(request.data, RequestForm)
        form = RequestForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            RequestOutput(services.request_save(form=form, user=request.user)).data,
            status=status.HTTP_201_CREATED,
        )


def _request(request_id) -> FinancingRequest:
    financing = FinancingRequest.objects.filter(pk=request_id).first()
    if financing is None:
        raise Http404
    return financing


class RequestDetailApi(APIView):
    """GET a request with its applications; PUT changes a draft (409 once submitted)."""

    def get_permissions(self):
        return [IsHostMember()] if self.request.method == "GET" else [role_at_least(Role.MEMBER)()]

    @extend_schema(
        responses=inline_serializer(
            "FinancingRequestDetail",
            {"request": RequestOutput(), "applications": RequestApplicationOutput(many=True)},
        ),
        parameters=[REQUEST_ID],
        tags=TAGS,
    )
    def get(self, request, request_id):
        financing = _request(request_id)
        applications = lending_selectors.applications_of_request(
            enterprise=current_enterprise(request), request_id=financing.pk
        )
        return Response(
            {
                "request": RequestOutput(financing).data,
                "applications": RequestApplicationOutput(applications, many=True).data,
            }
        )

    @extend_schema(request=RequestOutput, responses=RequestOutput, parameters=[REQUEST_ID], tags=TAGS)
    def put(self, request, request_id):
        financing = _request(request_id)
        data, errors = form_data(request.data, RequestForm)
        form = RequestForm(data, instance=financing)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(RequestOutput(services.request_save(form=form, user=request.user)).data)


class RequestSubmitApi(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(request=None, responses=RequestOutput, parameters=[REQUEST_ID], tags=TAGS)
    def post(self, request, request_id):
        _request(request_id)
        financing = services.request_submit(request_id=request_id, enterprise=current_enterprise(request))
        return Response(RequestOutput(financing).data)


class RequestWithdrawApi(APIView):
    permission_classes = [role_at_least(Role.ADMIN)]

    @extend_schema(request=None, responses=RequestOutput, parameters=[REQUEST_ID], tags=TAGS)
    def post(self, request, request_id):
        _request(request_id)
        financing = services.request_withdraw(
            request_id=request_id, enterprise=current_enterprise(request), user=request.user
        )
        return Response(RequestOutput(financing).data)


class MatchesApi(APIView):
    """Every active loan product for a submitted request, best fit first, with the reason of each check."""

    permission_classes = [IsHostMember]

    @extend_schema(responses=MatchOutput(many=True), parameters=[REQUEST_ID], tags=TAGS)
    def get(self, request, request_id):
        financing = _request(request_id)
        if financing.status != FinancingRequest.Status.SUBMITTED:
            return Response([])
        return Response(
            [
                {
                    "product": product.pk,
                    "name": product.name,
                    "institution": product.institution.name,
                    "rate_min": product.rate_min,
                    "rate_max": product.rate_max,
                    "eligible": match.eligible,
                    "failed": match.failed,
                    "checks": [c.__dict__ for c in match.checks],
                }
                for product, match in selectors.matches(financing, current_enterprise(request))
            ]
        )


class ApplyApi(APIView):
    """Applies to a product with a submitted request. `consent` must be true; `share` may hold
    "statements" and "verified_level"; the enterprise's identity and the request are always shared."""

    permission_classes = [role_at_least(Role.ADMIN)]

    @extend_schema(
        request=inline_serializer(
            "ApplyInput",
            {
                "product": serializers.IntegerField(),
                "consent": serializers.BooleanField(),
                "share": serializers.ListField(child=serializers.CharField(), required=False),
            },
        ),
        responses={201: RequestApplicationOutput},
        parameters=[REQUEST_ID],
        tags=TAGS,
    )
    def post(self, request, request_id):
        _request(request_id)
        body = json_body(request)
        product = body.get("product")
        share = body.get("share") or []
        if not isinstance(product, int) or isinstance(product, bool):
            raise ApplicationError(_("Give the product's id (a number)."), extra={"field": "product"})
        if not isinstance(share, list) or not all(isinstance(s, str) for s in share):
            raise ApplicationError(_("Give a list of names."), extra={"field": "share"})
        application = lending.apply(
            enterprise=current_enterprise(request),
            user=request.user,
            request_id=request_id,
            product_id=product,
            consent=body.get("consent") is True,
            share=share,
        )
        return Response(RequestApplicationOutput(application).data, status=status.HTTP_201_CREATED)


class ReplyApi(APIView):
    """Answers an institution's request for more information."""

    permission_classes = [role_at_least(Role.ADMIN)]

    @extend_schema(
        request=inline_serializer("ReplyInput", {"message": serializers.CharField()}),
        responses=RequestApplicationOutput,
        parameters=[OpenApiParameter("application_id", int, OpenApiParameter.PATH)],
        tags=TAGS,
    )
    def post(self, request, application_id):
        application = lending.reply(
            enterprise=current_enterprise(request),
            user=request.user,
            application_id=application_id,
            message=json_body(request).get("message"),
        )
        return Response(RequestApplicationOutput(application).data)

"""The lending side through the API (public site). Loan products are listed for anyone; institution
users manage their own and regional admins every one; institution users read and answer the
applications to their products only (404 for anything else)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, form_data, json_body, page_of, paginated
from finance.lending import selectors, services
from finance.lending.forms import ProductForm
from finance.lending.models import Application, LoanProduct

TAGS = ["lending"]
# The API speaks yuan (CNY, two decimals), as it always has; the pages show and take 万元 (CNY 10,000).
YUAN = "CNY (yuan), two decimals; the pages show this amount in CNY 10,000 (万元)"
APPLICATION_ID = OpenApiParameter("application_id", int, OpenApiParameter.PATH)
PRODUCT_ID = OpenApiParameter("product_id", int, OpenApiParameter.PATH)


class ProductOutput(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name_zh")
    institution_en = serializers.CharField(source="institution.name_en")
    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = LoanProduct
        fields = ["id", "institution_en", *ProductForm.Meta.fields]  # what the form edits, and the ids
        extra_kwargs = {
            "amount_min": {"help_text": f"the smallest loan, {YUAN}"},
            "amount_max": {"help_text": f"the largest loan, {YUAN}"},
        }


class ApplicationOutput(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id")
    city = serializers.CharField(source="city_id", allow_null=True)
    industry = serializers.CharField(source="industry_id", allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "product",
            "status",
            "amount",
            "city",
            "industry",
            "snapshot",
            "shared",
            "message",
            "approved_amount",
            "approved_rate",
            "approved_term",
            "created_at",
            "responded_at",
        ]
        extra_kwargs = {
            "amount": {"help_text": f"the amount asked, {YUAN}"},
            "approved_amount": {"help_text": f"the amount approved, {YUAN}"},
            "snapshot": {"help_text": f"what the enterprise consented to share; its amounts in {YUAN}"},
        }


class ProductListApi(APIView):
    """GET: the active loan products (anyone). POST: a new product (its institution's users, or a
    regional admin who names the institution)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=ProductOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(ProductOutput(selectors.products_active(), many=True).data)

    @extend_schema(request=ProductOutput, responses={201: ProductOutput}, tags=TAGS)
    def post(self, request):
        scope = services.product_scope(request.user)
        data, errors = form_data(request.data, ProductForm)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        form = ProductForm(data, scope=scope)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        product = services.product_save(form=form)
        return Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    def _get(self, request, product_id) -> tuple:
        scope = services.product_scope(request.user)
        product = scope.products().filter(pk=product_id).first()
        if product is None:
            raise Http404
        return scope, product

    @extend_schema(responses=ProductOutput, parameters=[PRODUCT_ID], tags=TAGS)
    def get(self, request, product_id):
        return Response(ProductOutput(self._get(request, product_id)[1]).data)

    @extend_schema(request=ProductOutput, responses=ProductOutput, parameters=[PRODUCT_ID], tags=TAGS)
    def put(self, request, product_id):
        scope, product = self._get(request, product_id)
        data, errors = form_data(request.data, ProductForm)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        form = ProductForm(data, instance=product, scope=scope)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(ProductOutput(services.product_save(form=form)).data)


class InboxApi(APIView):
    """The applications to the institution's products; ?status=; paginated with ?limit= and ?offset=."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[s for s, _l in Application.Status.choices]),
            *page_of(ApplicationOutput)["parameters"],
        ],
        responses=page_of(ApplicationOutput)["responses"],
        tags=TAGS,
    )
    def get(self, request):
        institution = services.require_institution(request.user)
        rows = selectors.inbox(institution=institution).order_by("-created_at")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in Application.Status.values:
                raise ApplicationError(
                    _("Status must be one of: %(allowed)s."),
                    params={"allowed": ", ".join(Application.Status.values)},
                    extra={"field": "status"},
                )
            rows = rows.filter(status=wanted)
        return paginated(request, self, rows, ApplicationOutput)


class ApplicationApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ApplicationOutput,
        parameters=[APPLICATION_ID],
        tags=TAGS,
        operation_id="lending_application",
    )
    def get(self, request, application_id):
        return Response(
            ApplicationOutput(services.application_get(user=request.user, application_id=application_id)).data
        )


class RespondApi(APIView):
    """Answers an open application: action approve (amount, rate, term), request_info or decline
    (message). 409 if it was answered meanwhile."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer(
            "RespondInput",
            {
                "action": serializers.ChoiceField(choices=services.ACTIONS),
                "message": serializers.CharField(required=False),
                "amount": serializers.DecimalField(
                    max_digits=16, decimal_places=2, required=False, help_text=f"to approve: {YUAN}"
                ),
                "rate": serializers.DecimalField(max_digits=5, decimal_places=2, required=False),
                "term": serializers.IntegerField(required=False),
            },
        ),
        responses=ApplicationOutput,
        parameters=[APPLICATION_ID],
        tags=TAGS,
    )
    def post(self, request, application_id):
        body = json_body(request)
        application = services.respond(
            user=request.user,
            application_id=application_id,
            action=body.get("action"),
            message=body.get("message"),
            amount=body.get("amount"),
            rate=body.get("rate"),
            term=body.get("term"),
        )
        return Response(ApplicationOutput(application).data)

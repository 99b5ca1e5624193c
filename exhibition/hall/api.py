"""The public hall through the API, on the public site: anyone browses exhibitions and booths (a signed-in
buyer's inquiries and bookings are exhibition/hall/api_buyers.py); regional admins manage exhibitions and
read participation. The same selectors and services as the pages."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import form_data, page_of, paginated
from core.roles import is_regional_admin, require_regional_admin
from exhibition.hall import meetings, policy, selectors, services
from exhibition.hall.forms import ExhibitionForm, SectionForm
from exhibition.hall.models import BoothListing, Exhibition, ListingProduct, Section

TAGS = ["hall"]
EXHIBITION_ID = OpenApiParameter("exhibition_id", int, OpenApiParameter.PATH)
LISTING_ID = OpenApiParameter("listing_id", int, OpenApiParameter.PATH)
SLOT_ID = OpenApiParameter("slot_id", int, OpenApiParameter.PATH)
FILTERS = [
    OpenApiParameter("q", str, description="keyword, Chinese or English"),
    OpenApiParameter("section", int),
    OpenApiParameter("city", str, description="city code, e.g. 110000"),
    OpenApiParameter("industry", str, description="industry division code, e.g. C34"),
    OpenApiParameter("tag", str),
]


class HallPages(LimitOffsetPagination):
    default_limit = 24
    max_limit = 200


# --- exhibitions ----------------------------------------------------------------------------------------


class SectionOutput(serializers.ModelSerializer):
    industries = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Section
        fields = ["id", *SectionForm.Meta.fields]


class ExhibitionOutput(serializers.ModelSerializer):
    sections = SectionOutput(many=True, read_only=True)

    class Meta:
        model = Exhibition
        fields = ["id", *ExhibitionForm.Meta.fields, "status", "sections"]


def _exhibitions(request):
    rows = Exhibition.objects.prefetch_related("sections__industries")
    if request.user.is_authenticated and is_regional_admin(request.user):
        return rows  # drafts too
    return rows.filter(policy.public_exhibitions_q())


class ExhibitionListApi(APIView):
    """GET the public exhibitions (regional admins see drafts too); POST one (regional admins)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=ExhibitionOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(ExhibitionOutput(_exhibitions(request), many=True).data)

    @extend_schema(request=ExhibitionOutput, responses={201: ExhibitionOutput}, tags=TAGS)
    def post(self, request):
        require_regional_admin(request.user)
        data, errors = form_data(request.data, ExhibitionForm)
        form = ExhibitionForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        exhibition = services.exhibition_save(form=form, user=request.user)
        return Response(ExhibitionOutput(exhibition).data, status=status.HTTP_201_CREATED)


def _exhibition(request, exhibition_id) -> Exhibition:
    exhibition = _exhibitions(request).filter(pk=exhibition_id).first()
    if exhibition is None:
        raise Http404
    return exhibition


class ExhibitionDetailApi(APIView):
    """GET one exhibition with its sections; PUT it (regional admins; status moves by their own calls)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=ExhibitionOutput, parameters=[EXHIBITION_ID], tags=TAGS)
    def get(self, request, exhibition_id):
        return Response(ExhibitionOutput(_exhibition(request, exhibition_id)).data)

    @extend_schema(
        request=ExhibitionOutput, responses=ExhibitionOutput, parameters=[EXHIBITION_ID], tags=TAGS
    )
    def put(self, request, exhibition_id):
        require_regional_admin(request.user)
        exhibition = _exhibition(request, exhibition_id)
        data, errors = form_data(request.data, ExhibitionForm)
        form = ExhibitionForm(data, instance=exhibition)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(ExhibitionOutput(services.exhibition_save(form=form, user=request.user)).data)


class ExhibitionMoveApi(APIView):
    """POST: open or close booth registration, or end the exhibition (regional admins); a move that
    does not fit the status is a 409."""

    permission_classes = [IsAuthenticated]
    move = "open"

    @extend_schema(request=None, responses=ExhibitionOutput, parameters=[EXHIBITION_ID], tags=TAGS)
    def post(self, request, exhibition_id):
        require_regional_admin(request.user)
        services.exhibition_move(exhibition_id=exhibition_id, move=self.move, actor=request.user)
        return Response(ExhibitionOutput(_exhibition(request, exhibition_id)).data)


class SectionCreateApi(APIView):
    """POST a section {name_zh, name_en, industries: [codes], position} (regional admins)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SectionOutput, responses={201: SectionOutput}, parameters=[EXHIBITION_ID], tags=TAGS
    )
    def post(self, request, exhibition_id):
        require_regional_admin(request.user)
        exhibition = _exhibition(request, exhibition_id)
        data, errors = form_data(request.data, SectionForm)
        data.setdefault("position", str(exhibition.sections.count()))  # last, unless given
        form = SectionForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        section = services.section_save(form=form, exhibition=exhibition)
        return Response(SectionOutput(section).data, status=status.HTTP_201_CREATED)


class ParticipationFigures(serializers.Serializer):
    registered = serializers.IntegerField()
    booths = serializers.IntegerField(help_text="booths that went into the hall, also if taken off since")
    live = serializers.IntegerField(help_text="booths in the hall now")
    inquiries = serializers.IntegerField(help_text="buyers' inquiries delivered to these booths")
    meetings = serializers.IntegerField(help_text="meetings booked from these booths, not cancelled")


class ParticipationRow(ParticipationFigures):
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class ParticipationOutput(serializers.Serializer):
    total = ParticipationFigures()
    cities = ParticipationRow(many=True)
    sections = ParticipationRow(many=True)
    industries = ParticipationRow(many=True)


class ParticipationApi(APIView):
    """Participation by city, section and industry division (regional admins; a scoped admin gets
    the cities of their scope)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ParticipationOutput, parameters=[EXHIBITION_ID], tags=TAGS)
    def get(self, request, exhibition_id):
        from exhibition.hall.participation import participation

        require_regional_admin(request.user)
        report = participation(exhibition=_exhibition(request, exhibition_id), admin=request.user)

        def rows(pairs):
            return [
                {
                    "code": None if obj is None else str(getattr(obj, "code", obj.pk)),
                    "name": "" if obj is None else obj.name,
                    **figures,
                }
                for obj, figures in pairs
            ]

        return Response(
            {
                "total": report["total"],
                "cities": rows(report["cities"]),
                "sections": rows(report["sections"]),
                "industries": rows(report["industries"]),
            }
        )


# --- booths in the hall ---------------------------------------------------------------------------------


class HallProductOutput(serializers.ModelSerializer):
    thumbnail_url = serializers.SerializerMethodField()
    specifications = serializers.SerializerMethodField()

    class Meta:
        model = ListingProduct
        fields = [
            "id",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "specifications",
            "tags",
            "industry",
            "thumbnail_url",
        ]

    def get_thumbnail_url(self, product) -> str | None:
        return f"/hall/images/{product.pk}/" if product.thumbnail else None

    def get_specifications(self, product) -> list[list[str]]:
        return [list(row) for row in product.specification_rows()]


class HallBoothCardOutput(serializers.ModelSerializer):
    exhibition = serializers.IntegerField(source="exhibition_id")
    section = serializers.IntegerField(source="section_id", allow_null=True)
    city = serializers.CharField(source="city_id", allow_null=True)
    industry = serializers.CharField(source="industry_id", allow_null=True)
    products = serializers.SerializerMethodField()

    class Meta:
        model = BoothListing
        fields = [
            "id",
            "exhibition",
            "section",
            "enterprise_name",
            "enterprise_name_en",
            "city",
            "industry",
            "tags",
            "intro_zh",
            "intro_en",
            "products",
            "published_at",
        ]

    def get_products(self, listing) -> list[dict]:
        return [{"id": p.pk, "name_zh": p.name_zh, "name_en": p.name_en} for p in listing.products.all()]


class FreeSlotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    mode = serializers.CharField(help_text="online | booth (on site at the booth) | address")
    address = serializers.CharField(help_text="Where the meeting is held (mode address), else empty.")
    # An online meeting's link is given only to the buyer who booked it (My meetings).


class HallBoothOutput(HallBoothCardOutput):
    products = HallProductOutput(many=True, read_only=True)
    free_slots = serializers.SerializerMethodField()

    class Meta(HallBoothCardOutput.Meta):
        fields = [*HallBoothCardOutput.Meta.fields, "free_slots"]

    def get_free_slots(self, listing) -> list[dict]:
        return FreeSlotOutput(meetings.free_slots(tenant_id=listing.tenant_id), many=True).data


class BoothListApi(APIView):
    """GET an exhibition's booths in the hall: ?q= (Chinese or English), ?section=, ?city=,
    ?industry=, ?tag=; paginated with ?limit= and ?offset= (24 by default)."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=page_of(HallBoothCardOutput, HallPages)["responses"],
        parameters=[EXHIBITION_ID, *FILTERS, *page_of(HallBoothCardOutput, HallPages)["parameters"]],
        tags=TAGS,
    )
    def get(self, request, exhibition_id):
        exhibition = selectors.public_exhibitions().filter(pk=exhibition_id).first()
        if exhibition is None:
            raise Http404
        rows = selectors.hall_listings(exhibition, selectors.hall_filters(request.query_params))
        return paginated(request, self, rows.prefetch_related("products"), HallBoothCardOutput, HallPages())


class BoothDetailApi(APIView):
    """GET a booth in the hall with its products and the enterprise's free meeting slots."""

    permission_classes = [AllowAny]

    @extend_schema(responses=HallBoothOutput, parameters=[LISTING_ID], tags=TAGS)
    def get(self, request, listing_id):
        listing = selectors.public_listing(listing_id)
        if listing is None:
            raise Http404
        return Response(HallBoothOutput(listing).data)

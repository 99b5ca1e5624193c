"""The exhibition cloud through the API, on an enterprise's host: the product catalogue, booths and
their publishing (the lead inbox and meeting slots are exhibition/api_leads.py). The same forms and
services as the pages: members read; members and up write; anyone else gets 404."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, form_data, json_body, page_of, paginated, small_id
from core.parsers import MultiPartParser
from exhibition import booths, services
from exhibition.forms import ProductForm
from exhibition.models import Booth, FeaturedProduct, Product, ProductImage
from tenants.members.models import Role
from tenants.permissions import IsHostMember, role_at_least
from tenants.registration import public_url

TAGS = ["exhibition"]
PRODUCT_ID = OpenApiParameter("product_id", int, OpenApiParameter.PATH)
IMAGE_ID = OpenApiParameter("image_id", int, OpenApiParameter.PATH)
BOOTH_ID = OpenApiParameter("booth_id", int, OpenApiParameter.PATH)
LEAD_ID = OpenApiParameter("lead_id", int, OpenApiParameter.PATH)
SLOT_ID = OpenApiParameter("slot_id", int, OpenApiParameter.PATH)


def readers_and_members(view) -> list:
    return [IsHostMember()] if view.request.method == "GET" else [role_at_least(Role.MEMBER)()]


# --- the catalogue --------------------------------------------------------------------------------------


class CatalogueImageOutput(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "original_name", "width", "height", "position", "image_url", "thumbnail_url"]

    def get_image_url(self, picture) -> str:
        return f"/exhibition/products/{picture.product_id}/images/{picture.pk}/full/"

    def get_thumbnail_url(self, picture) -> str:
        return f"/exhibition/products/{picture.product_id}/images/{picture.pk}/thumb/"


class CatalogueProductOutput(serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.ChoiceField(choices=Product.Tag.choices))
    images = CatalogueImageOutput(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", *ProductForm.Meta.fields, "images", "created_at", "updated_at"]
        read_only_fields = ["id", "images", "created_at", "updated_at"]


def _product(product_id) -> Product:
    product = Product.objects.prefetch_related("images").filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


def _product_form(request, instance=None):
    data, errors = form_data(request.data, ProductForm)
    if "industry" not in data:  # by default the product's, or the enterprise's own division
        industry = instance.industry_id if instance is not None else request.tenant.industry_id
        if industry:
            data["industry"] = industry
    form = ProductForm(data, instance=instance)
    if errors or not form.is_valid():
        return None, Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
    return form, None


class ProductListApi(APIView):
    """GET the catalogue (?limit=, ?offset=); POST a product (industry defaults to the enterprise's)."""

    def get_permissions(self):
        return readers_and_members(self)

    @extend_schema(**page_of(CatalogueProductOutput), tags=TAGS)
    def get(self, request):
        rows = Product.objects.prefetch_related("images").order_by("-updated_at", "-pk")
        return paginated(request, self, rows, CatalogueProductOutput)

    @extend_schema(request=CatalogueProductOutput, responses={201: CatalogueProductOutput}, tags=TAGS)
    def post(self, request):
        form, error = _product_form(request)
        if error:
            return error
        product = services.product_save(form=form, user=request.user)
        return Response(CatalogueProductOutput(_product(product.pk)).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    """GET, PUT (every field, as the form) or DELETE (with its pictures) one product."""

    def get_permissions(self):
        return readers_and_members(self)

    @extend_schema(responses=CatalogueProductOutput, parameters=[PRODUCT_ID], tags=TAGS)
    def get(self, request, product_id):
        return Response(CatalogueProductOutput(_product(product_id)).data)

    @extend_schema(
        request=CatalogueProductOutput, responses=CatalogueProductOutput, parameters=[PRODUCT_ID], tags=TAGS
    )
    def put(self, request, product_id):
        form, error = _product_form(request, instance=_product(product_id))
        if error:
            return error
        services.product_save(form=form, user=request.user)
        return Response(CatalogueProductOutput(_product(product_id)).data)

    @extend_schema(responses={204: None}, parameters=[PRODUCT_ID], tags=TAGS)
    def delete(self, request, product_id):
        services.product_delete(product=_product(product_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImageUploadApi(APIView):
    """Multipart `file`: a JPEG, PNG, GIF or WebP picture (checked and re-encoded; 8 MB and 40
    megapixels at most; 8 pictures a product)."""

    permission_classes = [role_at_least(Role.MEMBER)]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ImageUpload", {"file": serializers.FileField()})},
        responses={201: CatalogueImageOutput},
        parameters=[PRODUCT_ID],
        tags=TAGS,
    )
    def post(self, request, product_id):
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(_("Send the picture as `file`."))
        picture = services.image_add(enterprise=request.tenant, product=_product(product_id), upload=upload)
        return Response(CatalogueImageOutput(picture).data, status=status.HTTP_201_CREATED)


class ImageDetailApi(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(responses={204: None}, parameters=[PRODUCT_ID, IMAGE_ID], tags=TAGS)
    def delete(self, request, product_id, image_id):
        picture = ProductImage.objects.filter(pk=image_id, product_id=product_id).first()
        if picture is None:
            raise Http404
        services.image_delete(picture=picture)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- booths ---------------------------------------------------------------------------------------------


class OwnBoothOutput(serializers.ModelSerializer):
    exhibition_name = serializers.CharField(source="exhibition.name_zh")
    exhibition_name_en = serializers.CharField(source="exhibition.name_en")
    featured = serializers.SerializerMethodField(help_text="product ids, in the order the hall shows them")
    hall = serializers.SerializerMethodField(help_text="the public hall's copy, once the worker made it")

    class Meta:
        model = Booth
        fields = [
            "id",
            "exhibition",
            "exhibition_name",
            "exhibition_name_en",
            "section",
            "intro_zh",
            "intro_en",
            "featured",
            "status",
            "published_at",
            "hall",
            "created_at",
            "updated_at",
        ]

    def get_featured(self, booth) -> list[int]:
        return [row.product_id for row in booth.featuredproduct_set.all()]  # prefetched, in order

    def get_hall(self, booth) -> dict | None:
        listing = self.context.get("listings", {}).get(booth.pk)
        if listing is None:
            return None
        return {
            "listing": listing.pk,
            "live": listing.live,
            "up_to_date": listing.published >= listing.wanted,
            "published_at": listing.published_at,
            "url": public_url(f"/hall/booths/{listing.pk}/"),  # the hall is on the public site
        }


def _booth_data(request, rows) -> dict:
    from exhibition.hall.models import BoothListing

    listings = BoothListing.objects.filter(tenant=request.tenant, booth_id__in=[b.pk for b in rows])
    return {"listings": {listing.booth_id: listing for listing in listings}}


def _booths():
    arranged = Prefetch("featuredproduct_set", queryset=FeaturedProduct.objects.order_by("position", "pk"))
    return Booth.objects.select_related("exhibition").prefetch_related(arranged)


def _booth(booth_id) -> Booth:
    booth = _booths().filter(pk=booth_id).first()
    if booth is None:
        raise Http404
    return booth


def _booth_response(request, booth_id, code=status.HTTP_200_OK) -> Response:
    booth = _booth(booth_id)
    return Response(OwnBoothOutput(booth, context=_booth_data(request, [booth])).data, status=code)


class BoothListApi(APIView):
    """GET the enterprise's booths; POST registers one for an open exhibition: {exhibition, section}."""

    def get_permissions(self):
        return readers_and_members(self)

    @extend_schema(responses=OwnBoothOutput(many=True), tags=TAGS)
    def get(self, request):
        rows = list(_booths().order_by("-pk"))
        return Response(OwnBoothOutput(rows, many=True, context=_booth_data(request, rows)).data)

    @extend_schema(
        request=inline_serializer(
            "BoothRegister", {"exhibition": serializers.IntegerField(), "section": serializers.IntegerField()}
        ),
        responses={201: OwnBoothOutput},
        tags=TAGS,
    )
    def post(self, request):
        body = json_body(request)
        exhibition = small_id(body.get("exhibition"))
        if exhibition is None:
            raise ApplicationError(_("Give the exhibition's id."), extra={"field": "exhibition"})
        booth = booths.booth_register(
            enterprise=request.tenant,
            exhibition_id=exhibition,
            section_id=small_id(body.get("section")),
            user=request.user,
        )
        return _booth_response(request, booth.pk, status.HTTP_201_CREATED)


class BoothDetailApi(APIView):
    """GET one booth; PUT its draft, replacing it whole: {section, intro_zh, intro_en, featured:
    [product ids, in the order to show]}; a field left out is emptied. The hall keeps showing the
    last published version until the booth is published again."""

    def get_permissions(self):
        return readers_and_members(self)

    @extend_schema(responses=OwnBoothOutput, parameters=[BOOTH_ID], tags=TAGS)
    def get(self, request, booth_id):
        return _booth_response(request, booth_id)

    @extend_schema(
        request=inline_serializer(
            "BoothDraft",
            {
                "section": serializers.IntegerField(),
                "intro_zh": serializers.CharField(required=False, help_text="left out: emptied"),
                "intro_en": serializers.CharField(required=False, help_text="left out: emptied"),
                "featured": serializers.ListField(
                    child=serializers.IntegerField(), required=False, help_text="left out: none featured"
                ),
            },
        ),
        responses=OwnBoothOutput,
        parameters=[BOOTH_ID],
        tags=TAGS,
    )
    def put(self, request, booth_id):
        booth = _booth(booth_id)
        data, errors = form_data(request.data, booths.BoothForm)
        form = booths.BoothForm(data, instance=booth)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        booths.booth_save(form=form)
        return _booth_response(request, booth.pk)


class BoothPublishApi(APIView):
    """POST: publish (the worker copies the booth as it is now into the hall within moments) or
    unpublish (off the hall at once)."""

    permission_classes = [role_at_least(Role.MEMBER)]
    action = "publish"

    @extend_schema(request=None, responses=OwnBoothOutput, parameters=[BOOTH_ID], tags=TAGS)
    def post(self, request, booth_id):
        _booth(booth_id)
        if self.action == "publish":
            booths.booth_publish(booth_id=booth_id, enterprise=request.tenant, user=request.user)
        else:
            booths.booth_unpublish(booth_id=booth_id, enterprise=request.tenant, user=request.user)
        return _booth_response(request, booth_id)

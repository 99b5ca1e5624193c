"""A signed-in buyer through the hall's API, on the public site: inquiries to booths and meeting
bookings (browsing the hall is exhibition/hall/api.py)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import limits
from core.api import ApplicationError, form_data, json_body, page_of, paginated, small_id
from exhibition.hall import buyers, meetings, selectors
from exhibition.hall.api import LISTING_ID, SLOT_ID, TAGS, FreeSlotOutput, HallPages
from exhibition.hall.models import Booking, Inquiry

BOOKING_ID = OpenApiParameter("booking_id", int, OpenApiParameter.PATH)


class InquiryOutput(serializers.ModelSerializer):
    booth = serializers.IntegerField(source="listing_id", allow_null=True)
    enterprise_name = serializers.CharField(source="tenant.name")
    enterprise_name_en = serializers.CharField(source="tenant.name_en")
    delivered = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "booth",
            "enterprise_name",
            "enterprise_name_en",
            "company",
            "message",
            "sent_at",
            "delivered",
            "reply",
            "replied_at",
        ]

    def get_delivered(self, inquiry) -> bool:
        return inquiry.delivered_at is not None


class InquiryCreateApi(APIView):
    """POST {message, company}: an inquiry to this booth, delivered to the enterprise's lead inbox by a
    worker. At most 5 an hour and 20 a day per buyer, and RATE_LIMITS["inquiry"] per client address
    (429 with Retry-After beyond)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [limits.throttle("inquiry")]

    @extend_schema(
        request=inline_serializer(
            "InquiryInput",
            {"message": serializers.CharField(), "company": serializers.CharField(required=False)},
        ),
        responses={201: InquiryOutput},
        parameters=[LISTING_ID],
        tags=TAGS,
    )
    def post(self, request, listing_id):
        if selectors.public_listing(listing_id) is None:
            raise Http404
        data, errors = form_data(request.data, buyers.InquiryForm)
        form = buyers.InquiryForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        inquiry = buyers.inquiry_send(
            buyer=request.user,
            listing_id=listing_id,
            message=form.cleaned_data["message"],
            company=form.cleaned_data["company"],
        )
        return Response(InquiryOutput(inquiry).data, status=status.HTTP_201_CREATED)


class MyInquiriesApi(APIView):
    """GET the signed-in buyer's inquiries, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(**page_of(InquiryOutput, HallPages), tags=TAGS)
    def get(self, request):
        return paginated(request, self, selectors.buyer_inquiries(request.user), InquiryOutput, HallPages())


class BookingOutput(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    enterprise_name = serializers.CharField(source="slot.tenant.name")
    enterprise_name_en = serializers.CharField(source="slot.tenant.name_en")
    cancelled = serializers.SerializerMethodField()
    cancel_message = serializers.CharField(source="slot.cancel_message")
    mode = serializers.CharField(
        source="slot.mode",
        help_text="How the meeting is held: online | booth (on site at the booth) | address",
    )
    link = serializers.CharField(source="slot.link", help_text="The online meeting's link (mode online).")
    address = serializers.CharField(source="slot.address", help_text="The meeting's address (mode address).")
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "enterprise_name",
            "enterprise_name_en",
            "exhibition",
            "note",
            "cancelled",
            "cancel_message",
            "mode",
            "link",
            "address",
            "ics_url",
            "created_at",
        ]

    def get_cancelled(self, booking) -> bool:
        return booking.slot.cancelled_at is not None

    def get_ics_url(self, booking) -> str:
        return f"/hall/bookings/{booking.pk}/meeting.ics"


def _booking_id(value) -> int:
    listing = small_id(value)
    if listing is None:
        raise ApplicationError(
            _("Give the booth (`listing`) the slot is booked from."), extra={"field": "listing"}
        )
    return listing


class BookingCreateApi(APIView):
    """POST {listing, note}: books this free slot from the booth `listing` (one booking per slot: a
    second buyer gets 409)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer(
            "BookingInput",
            {"listing": serializers.IntegerField(), "note": serializers.CharField(required=False)},
        ),
        responses={201: BookingOutput},
        parameters=[SLOT_ID],
        tags=TAGS,
    )
    def post(self, request, slot_id):
        body = json_body(request)
        booking = meetings.book(
            buyer=request.user,
            slot_id=slot_id,
            listing_id=_booking_id(body.get("listing")),
            note=body.get("note"),
        )
        booking = Booking.objects.select_related("slot__tenant").get(pk=booking.pk)
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


class BookingCancelApi(APIView):
    """POST: the buyer calls off their meeting before it begins. The booking is deleted, so the slot
    is free for other buyers again, and the exhibitor's owners and administrators are told; 409 when
    the exhibitor has cancelled the slot already or the meeting has begun. Answers the freed slot."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=FreeSlotOutput, parameters=[BOOKING_ID], tags=TAGS)
    def post(self, request, booking_id):
        slot = meetings.booking_cancel(buyer=request.user, booking_id=booking_id)
        return Response(FreeSlotOutput(slot).data)


class MyBookingsApi(APIView):
    """GET the signed-in buyer's meetings, soonest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BookingOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(BookingOutput(selectors.buyer_bookings(request.user), many=True).data)

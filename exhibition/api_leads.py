"""The lead inbox and meeting slots of an enterprise through the API, on its host (the catalogue and
booths are exhibition/api.py): members read; members and up write; anyone else gets 404."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, form_data, json_body, page_of, paginated
from exhibition import leads
from exhibition.api import LEAD_ID, SLOT_ID, TAGS, readers_and_members
from exhibition.hall.models import MeetingSlot
from exhibition.models import Lead
from tenants.members.models import Role
from tenants.permissions import role_at_least


class LeadOutput(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = [
            "id",
            "buyer_name",
            "buyer_email",
            "company",
            "message",
            "exhibition_name",
            "status",
            "reply",
            "replied_at",
            "received_at",
        ]


def _lead(lead_id) -> Lead:
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise Http404
    return lead


class LeadListApi(APIView):
    """GET buyers' inquiries, newest first; ?status=new|replied|closed; ?limit=, ?offset=."""

    @extend_schema(
        responses=page_of(LeadOutput)["responses"],
        parameters=[
            OpenApiParameter("status", str, enum=Lead.Status.values),
            *page_of(LeadOutput)["parameters"],
        ],
        tags=TAGS,
    )
    def get(self, request):
        rows = Lead.objects.all()
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in Lead.Status.values:
                raise ApplicationError(_("Unknown status."), extra={"field": "status"})
            rows = rows.filter(status=wanted)
        return paginated(request, self, rows, LeadOutput)


class LeadDetailApi(APIView):
    @extend_schema(responses=LeadOutput, parameters=[LEAD_ID], tags=TAGS)
    def get(self, request, lead_id):
        return Response(LeadOutput(_lead(lead_id)).data)


class LeadReplyApi(APIView):
    """POST {reply}: sent to the buyer (a notice on the public site; an email if the buyer is gone)."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(
        request=inline_serializer("LeadReply", {"reply": serializers.CharField()}),
        responses=LeadOutput,
        parameters=[LEAD_ID],
        tags=TAGS,
    )
    def post(self, request, lead_id):
        body = json_body(request)
        lead = leads.lead_reply(
            enterprise=request.tenant, lead_id=lead_id, user=request.user, text=body.get("reply")
        )
        return Response(LeadOutput(lead).data)


class LeadCloseApi(APIView):
    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(request=None, responses=LeadOutput, parameters=[LEAD_ID], tags=TAGS)
    def post(self, request, lead_id):
        lead = leads.lead_close(enterprise=request.tenant, lead_id=lead_id, user=request.user)
        return Response(LeadOutput(lead).data)


# --- meeting slots --------------------------------------------------------------------------------------


class OwnSlotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_message = serializers.CharField()
    mode = serializers.ChoiceField(
        choices=MeetingSlot.Mode.choices,
        help_text="How the meeting is held: online (at `link`), booth (on site at the booth), address.",
    )
    link = serializers.CharField(help_text="The online meeting's link (mode online), else empty.")
    address = serializers.CharField(help_text="Where the meeting is held (mode address), else empty.")
    booking = serializers.SerializerMethodField()

    def get_booking(self, slot) -> dict | None:
        booking = getattr(slot, "booking", None)
        if booking is None:
            return None
        return {
            "buyer_name": booking.buyer.name,
            "buyer_email": booking.buyer.email,
            "note": booking.note,
            "booked_at": booking.created_at,
        }


def _slots(request):
    from exhibition.hall.selectors import upcoming_slots

    return upcoming_slots(request.tenant.pk)


class SlotListApi(APIView):
    """GET the slots still to come, with their bookings; POST {starts_at (Beijing time unless an
    offset is given), minutes: 15|30|45|60|90, count: 1-8, mode: online|booth|address, link, address}
    offers consecutive slots, all held the same way (mode booth unless given): `link` (http or
    https) is required for an online meeting, `address` for one at an address; what the mode does
    not need is dropped. The buyer sees the mode and address with the free slot, and the link
    once they have booked it."""

    def get_permissions(self):
        return readers_and_members(self)

    @extend_schema(responses=OwnSlotOutput(many=True), tags=TAGS)
    def get(self, request):
        return Response(OwnSlotOutput(_slots(request), many=True).data)

    @extend_schema(
        request=inline_serializer(
            "SlotOffer",
            {
                "starts_at": serializers.DateTimeField(),
                "minutes": serializers.IntegerField(),
                "count": serializers.IntegerField(required=False),
                "mode": serializers.ChoiceField(choices=MeetingSlot.Mode.choices, required=False),
                "link": serializers.URLField(required=False),
                "address": serializers.CharField(required=False),
            },
        ),
        responses={201: OwnSlotOutput(many=True)},
        tags=TAGS,
    )
    def post(self, request):
        from exhibition.hall import meetings

        data, errors = form_data(request.data, meetings.SlotForm)
        data.setdefault("count", "1")
        data.setdefault("mode", MeetingSlot.Mode.BOOTH)
        form = meetings.SlotForm(data)
        if errors or not form.is_valid():
            return Response(errors or form.errors, status=status.HTTP_400_BAD_REQUEST)
        added = meetings.slots_add(tenant=request.tenant, form=form)
        return Response(OwnSlotOutput(added, many=True).data, status=status.HTTP_201_CREATED)


class SlotCancelApi(APIView):
    """POST {message}: cancels a slot; a buyer who booked it gets the message (required then)."""

    permission_classes = [role_at_least(Role.MEMBER)]

    @extend_schema(
        request=inline_serializer("SlotCancel", {"message": serializers.CharField(required=False)}),
        responses=OwnSlotOutput,
        parameters=[SLOT_ID],
        tags=TAGS,
    )
    def post(self, request, slot_id):
        from exhibition.hall import meetings

        body = json_body(request)
        slot = meetings.slot_cancel(tenant=request.tenant, slot_id=slot_id, message=body.get("message"))
        return Response(
            OwnSlotOutput(type(slot).objects.select_related("booking__buyer").get(pk=slot.pk)).data
        )

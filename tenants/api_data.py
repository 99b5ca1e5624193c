"""The enterprise's data export on the API (owners only): ask for one, follow it, download it."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from tenants import data_export
from tenants.access import current_enterprise
from tenants.members.models import DataExport
from tenants.permissions import IsHostMember

BINARY = "application/octet-stream"


class DataExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=DataExport.State.choices)
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    current_area = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    size = serializers.IntegerField(allow_null=True, help_text="Bytes of the zip, once ready.")
    expires_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, export) -> str | None:
        if not data_export.is_downloadable(export):
            return None
        return reverse("api-data-export-download", args=[export.pk], request=self.context.get("request"))


def _owner_enterprise(request):
    enterprise = current_enterprise(request)
    if enterprise is None:  # the public site has no enterprise data
        raise Http404
    data_export.require_owner(user=request.user, enterprise=enterprise)
    return enterprise


class DataExportListApi(APIView):
    permission_classes = [IsHostMember]

    @extend_schema(responses=DataExportOutput(many=True), tags=["workspace"])
    def get(self, request):
        exports = data_export.export_list(enterprise=_owner_enterprise(request))
        return Response(DataExportOutput(exports, many=True, context={"request": request}).data)

    @extend_schema(
        request=None,
        responses={202: DataExportOutput},
        tags=["workspace"],
        description="Starts preparing the enterprise's data as a zip (owners only). While one is being "
        "prepared, that one is answered. Follow it at its status URL.",
    )
    def post(self, request):
        export = data_export.export_request(enterprise=_owner_enterprise(request), acting_user=request.user)
        body = DataExportOutput(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class DataExportDetailApi(APIView):
    permission_classes = [IsHostMember]

    @extend_schema(responses=DataExportOutput, tags=["workspace"])
    def get(self, request, export_id):
        export = data_export.export_get(enterprise=_owner_enterprise(request), export_id=export_id)
        if export is None:
            raise Http404
        return Response(DataExportOutput(export, context={"request": request}).data)


class DataExportDownloadApi(APIView):
    permission_classes = [IsHostMember]

    @extend_schema(
        responses={
            # application/octet-stream rather than application/zip: client generators
            # (openapi-python-client) read the former as a file and skip the latter.
            (200, BINARY): OpenApiResponse(OpenApiTypes.BINARY, description="The zip."),
            409: OpenApiResponse(description="Not ready yet."),
            410: OpenApiResponse(description="Expired: its file is deleted."),
        },
        tags=["workspace"],
    )
    def get(self, request, export_id):
        handle, name = data_export.export_download(
            enterprise=_owner_enterprise(request), export_id=export_id, acting_user=request.user
        )
        return FileResponse(handle, as_attachment=True, filename=name, content_type=BINARY)

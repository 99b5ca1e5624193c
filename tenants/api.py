"""API: reference data (public site) and the workspace profile (enterprise host)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants import selectors
from tenants.access import current_enterprise, is_member


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
        enterprise = current_enterprise(request)
        if not is_member(user=request.user, enterprise=enterprise):
            raise Http404
        return Response(WorkspaceOutput(enterprise).data)

"""The regional reports through the API (public site, regional admins only; anyone else gets 404).
The same filters, selectors and rounding as the pages and exports, so all three agree."""

import dataclasses

from django.http import Http404
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Pages, page_of
from core.roles import require_regional_admin
from reports import selectors
from reports.forms import ReportFilterForm, filter_errors
from reports.policy import enterprises_visible
from reports.rollup import quarter_label
from reports.tables import one
from tenants.models import Industry

TAGS = ["reports"]
FILTERS = [
    OpenApiParameter("framework", int, description="Framework version id (default: the default framework)"),
    OpenApiParameter(
        "since", str, description="First quarter of the period, e.g. 2026Q1 (default: 3 before until)"
    ),
    OpenApiParameter(
        "until", str, description="Last quarter of the period, e.g. 2026Q4 (default: this quarter)"
    ),
    OpenApiParameter("industry", str, description="GB/T 4754 manufacturing division, e.g. C34"),
    OpenApiParameter("size", str, enum=["lt3m", "3m-20m", "20m-400m", "ge400m"], description="Revenue band"),
]
CITIES = OpenApiParameter(
    "city", str, many=True, description="Report city codes to compare (repeat; default: the admin's scope)"
)

Name = inline_serializer("BilingualName", {"zh": serializers.CharField(), "en": serializers.CharField()})


class QuarterOutput(serializers.Serializer):
    quarter = serializers.CharField()
    registered = serializers.IntegerField()
    verified = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)


class LeadingOutput(serializers.Serializer):
    code = serializers.CharField()
    name = Name
    verified = serializers.IntegerField()


class FiguresOutput(serializers.Serializer):
    code = serializers.CharField(allow_null=True, help_text="null for the total of the cities shown")
    name = Name
    in_scope = serializers.BooleanField(help_text="whether the admin may list this city's enterprises")
    registered = serializers.IntegerField()
    registered_change = serializers.IntegerField()
    verified = serializers.IntegerField()
    verified_change = serializers.IntegerField()
    verified_share = serializers.FloatField(allow_null=True, help_text="percent of registered")
    average_score = serializers.FloatField(allow_null=True)
    average_score_change = serializers.FloatField(allow_null=True)
    levels = serializers.DictField(child=serializers.IntegerField(), help_text="level -> enterprises")
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    leading_industries = LeadingOutput(many=True)
    quarters = QuarterOutput(many=True)
    financing = inline_serializer(
        "CityFinancing",
        {
            "requests": serializers.IntegerField(),
            "requested": serializers.DecimalField(max_digits=18, decimal_places=2),
            "approvals": serializers.IntegerField(),
            "approved": serializers.DecimalField(max_digits=18, decimal_places=2),
        },
        help_text="requests submitted and loans approved within the period, amounts in CNY",
    )
    exhibiting = inline_serializer(
        "CityExhibiting",
        {
            "registered": serializers.IntegerField(),
            "booths": serializers.IntegerField(),
            "exhibitions": serializers.IntegerField(),
            "inquiries": serializers.IntegerField(),
            "meetings": serializers.IntegerField(),
        },
        help_text="at exhibitions running within the period: booths registered, booths that went into "
        "the public hall, the exhibitions they were at, buyers' inquiries delivered to them and "
        "meetings booked from them",
    )


class FiltersOutput(serializers.Serializer):
    framework = serializers.IntegerField()
    framework_code = serializers.CharField()
    framework_version = serializers.CharField()
    since = serializers.CharField()
    until = serializers.CharField()
    industry = serializers.CharField(allow_null=True)
    size = serializers.CharField()
    cities = serializers.ListField(child=serializers.CharField())


class LevelOutput(serializers.Serializer):
    level = serializers.IntegerField()
    name = Name


class DimensionOutput(serializers.Serializer):
    key = serializers.CharField()
    name = Name
    max = serializers.FloatField()


class DashboardOutput(serializers.Serializer):
    filters = FiltersOutput()
    levels = LevelOutput(many=True)
    dimensions = DimensionOutput(many=True)
    cities = FiguresOutput(many=True)
    total = FiguresOutput()


class ReportIndustryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = Name
    registered = serializers.IntegerField()
    verified = serializers.IntegerField()
    verified_share = serializers.FloatField(allow_null=True)
    average_score = serializers.FloatField(allow_null=True)
    levels = serializers.DictField(child=serializers.IntegerField())


class EnterpriseOutput(serializers.Serializer):
    enterprise = Name
    district = serializers.CharField(allow_null=True)
    size = serializers.CharField()
    level = serializers.IntegerField()
    score = serializers.FloatField()
    approved_at = serializers.DateTimeField()
    percentile = serializers.FloatField(allow_null=True)


def _name(obj) -> dict:
    return {"zh": obj.name_zh, "en": obj.name_en or obj.name_zh}


def _levels(tally, axes) -> dict:
    return {str(level): tally.levels.get(str(level), 0) for level, _name in axes.levels}


def figures_json(f, axes) -> dict:
    avg, avg_start = selectors.average(f.verified), selectors.average(f.verified_start)
    return {
        "code": f.region.code if f.region else None,
        "name": _name(f.region) if f.region else {"zh": "所选城市合计", "en": "All cities shown"},
        "in_scope": f.in_scope,
        "registered": f.registered,
        "registered_change": f.registered - f.registered_start,
        "verified": f.verified.n,
        "verified_change": f.verified.n - f.verified_start.n,
        "verified_share": one(selectors.share(f.verified.n, f.registered)),
        "average_score": one(avg),
        "average_score_change": one(avg - avg_start) if avg is not None and avg_start is not None else None,
        "levels": _levels(f.verified, axes),
        "dimensions": {
            key: one(selectors.dimension_average(f.verified, key)) for key, _n, _m in axes.dimensions
        },
        "leading_industries": [{"code": i.code, "name": _name(i), "verified": n} for i, n in f.leading],
        "financing": {
            "requests": f.financing.requests,
            "requested": f"{f.financing.requested:.2f}",
            "approvals": f.financing.approvals,
            "approved": f"{f.financing.approved:.2f}",
        },
        "exhibiting": dataclasses.asdict(f.exhibiting),
        "quarters": [
            {
                "quarter": quarter_label(p.quarter),
                "registered": p.registered,
                "verified": p.verified.n,
                "average_score": one(selectors.average(p.verified)),
            }
            for p in f.series
        ],
    }


def _filters_json(filters: selectors.Filters) -> dict:
    return {
        "framework": filters.framework.pk,
        "framework_code": filters.framework.code,
        "framework_version": filters.framework.version,
        "since": quarter_label(filters.since),
        "until": quarter_label(filters.until),
        "industry": filters.industry.code if filters.industry else None,
        "size": filters.size,
        "cities": [c.code for c in filters.cities],
    }


class ReportApi(APIView):
    permission_classes = [IsAuthenticated]

    def filters(self, request):
        """The validated filters, or a 400 response with every error in the request's language."""
        require_regional_admin(request.user)
        form = ReportFilterForm(request.query_params, admin=request.user)
        if not form.is_valid():
            texts = {}
            for key, language in (("zh", "zh-hans"), ("en", "en")):
                with translation.override(language):
                    texts[key] = [
                        f"{label}: {message}" if label else message for label, message in filter_errors(form)
                    ]
            body = {
                "detail": " ".join(
                    f"{label}: {message}" if label else message for label, message in filter_errors(form)
                ),
                "messages": {key: " ".join(lines) for key, lines in texts.items()},
                "fields": list(form.errors),
            }
            return None, Response(body, status=status.HTTP_400_BAD_REQUEST)
        return form.filters(), None


class DashboardApi(ReportApi):
    """Cities compared: for each city (and their total) the figures at the end of the period, the
    change since the quarter before it, the quarterly series and the leading industry divisions."""

    @extend_schema(parameters=[*FILTERS, CITIES], responses=DashboardOutput, tags=TAGS)
    def get(self, request):
        filters, error = self.filters(request)
        if error:
            return error
        report = selectors.dashboard(filters, admin=request.user)
        axes = report["axes"]
        return Response(
            {
                "filters": _filters_json(filters),
                "levels": [{"level": level, "name": name} for level, name in axes.levels],
                "dimensions": [{"key": k, "name": n, "max": m} for k, n, m in axes.dimensions],
                "cities": [figures_json(f, axes) for f in report["cities"]],
                "total": figures_json(report["total"], axes),
            }
        )


CITY = OpenApiParameter("code", str, OpenApiParameter.PATH, description="report city code, e.g. 130600")


class CityApi(ReportApi):
    """One city by industry division (aggregates: any report city)."""

    @extend_schema(parameters=[CITY, *FILTERS], responses=ReportIndustryOutput(many=True), tags=TAGS)
    def get(self, request, code):
        filters, error = self.filters(request)
        if error:
            return error
        city = selectors.report_cities().filter(code=code).first()
        if city is None:
            raise Http404
        axes = selectors.axes(filters.framework)
        rows = selectors.city_industries(filters, city=city)
        return Response(
            [
                {
                    "code": row["code"],
                    "name": _name(row["industry"]) if row["industry"] else {"zh": "", "en": ""},
                    "registered": row["registered"],
                    "verified": row["verified"].n,
                    "verified_share": one(selectors.share(row["verified"].n, row["registered"])),
                    "average_score": one(selectors.average(row["verified"])),
                    "levels": _levels(row["verified"], axes),
                }
                for row in rows
            ]
        )


class EnterprisesApi(ReportApi):
    """The enterprises of one city and industry division counted at the end of the period, with their
    published level and verified score. Only within the admin's scope (404 otherwise)."""

    @extend_schema(
        parameters=[
            CITY,
            OpenApiParameter("industry_code", str, OpenApiParameter.PATH),
            *FILTERS,
            *page_of(EnterpriseOutput)["parameters"],
        ],
        responses=page_of(EnterpriseOutput)["responses"],
        tags=TAGS,
    )
    def get(self, request, code, industry_code):
        require_regional_admin(request.user)
        city = selectors.report_cities().filter(code=code).first()
        industry = Industry.objects.filter(code=industry_code).first()
        if city is None or industry is None or not enterprises_visible(request.user, city):
            raise Http404
        filters, error = self.filters(request)
        if error:
            return error
        pages = Pages()
        page = pages.paginate_queryset(
            selectors.city_enterprises(filters, city=city, industry=industry), request, view=self
        )
        return pages.get_paginated_response(
            [
                {
                    "enterprise": {"zh": f.enterprise_name, "en": f.enterprise_name_en or f.enterprise_name},
                    "district": f.district_id,
                    "size": f.size,
                    "level": f.level,
                    "score": one(f.total),
                    "approved_at": f.approved_at,
                    "percentile": one(f.percentile),
                }
                for f in page
            ]
        )

"""The reports' programme view through the API (public site, regional admins only; anyone else, and a
programme the admin does not see, gets 404). The same selector and rounding as the page and exports."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import require_regional_admin
from reports import programme_selectors as selectors
from reports.api import TAGS, Name
from reports.tables import one

Money = {"max_digits": 18, "decimal_places": 2}


class ReportProgrammeFiguresOutput(serializers.Serializer):
    applied = serializers.IntegerField(help_text="projects that applied (withdrawn ones included)")
    enrolled = serializers.IntegerField(help_text="projects approved (at some point)")
    under_way = serializers.IntegerField(help_text="approved and not yet decided")
    completed = serializers.IntegerField()
    after_verified = serializers.IntegerField(help_text="projects whose after-level is verified")
    target_met = serializers.IntegerField()
    target_share = serializers.FloatField(allow_null=True, help_text="percent of after_verified")
    average_gain = serializers.FloatField(allow_null=True, help_text="levels gained, among after_verified")
    subsidies_granted = serializers.IntegerField()
    subsidy_granted = serializers.DecimalField(help_text="CNY", **Money)
    budget_share = serializers.FloatField(allow_null=True, help_text="subsidy granted, percent of the budget")


class ReportProgrammeRowOutput(ReportProgrammeFiguresOutput):
    code = serializers.CharField(allow_null=True, help_text="null: not given")
    name = Name


class ReportProviderRowOutput(ReportProgrammeFiguresOutput):
    id = serializers.IntegerField()
    name = Name


class ReportProgrammeBudgetOutput(serializers.Serializer):
    budget = serializers.DecimalField(**Money)
    reserved = serializers.DecimalField(**Money)
    granted = serializers.DecimalField(**Money)
    remaining = serializers.DecimalField(**Money)


class ReportProgrammeSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = Name
    state = serializers.ChoiceField(choices=["draft", "open", "closed", "finished"])
    target_level = serializers.IntegerField()
    target_gain = serializers.IntegerField()
    cities_shown = serializers.ListField(
        child=serializers.CharField(), help_text="city codes in the admin's scope"
    )


class ReportProgrammeOutput(serializers.Serializer):
    programme = ReportProgrammeSummaryOutput()
    budget = ReportProgrammeBudgetOutput(help_text="the whole programme's, in CNY")
    cities = ReportProgrammeRowOutput(many=True)
    segments = ReportProgrammeRowOutput(many=True)
    providers = ReportProviderRowOutput(many=True, help_text="the providers' outcome record")
    total = ReportProgrammeFiguresOutput(help_text="the rows shown together")


def figures_json(figures: selectors.Figures, budget) -> dict:
    return {
        "applied": figures.applied,
        "enrolled": figures.enrolled,
        "under_way": figures.under_way,
        "completed": figures.completed,
        "after_verified": figures.verified,
        "target_met": figures.target_met,
        "target_share": one(figures.target_share),
        "average_gain": None if figures.average_gain is None else round(figures.average_gain, 2),
        "subsidies_granted": figures.granted_n,
        "subsidy_granted": f"{figures.granted:.2f}",
        "budget_share": one(selectors.budget_share(figures.granted, budget)),
    }


PROGRAMME = OpenApiParameter("programme_id", int, OpenApiParameter.PATH, description="programme id")


class ProgrammeApi(APIView):
    """One transformation programme's figures: per city and per industry segment (applied, enrolled,
    under way, completed, the share reaching the target, the average level gain, the subsidy granted
    against the budget), per service provider (their outcome record) and the budget, within the
    admin's scope, from the published project facts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[PROGRAMME], responses=ReportProgrammeOutput, tags=TAGS)
    def get(self, request, programme_id):
        require_regional_admin(request.user)
        programme = selectors.programme_for(request.user, programme_id)
        report = selectors.programme_report(programme, admin=request.user)
        budget = report["budget"]["budget"]
        return Response(
            {
                "programme": {
                    "id": programme.pk,
                    "name": {"zh": programme.name_zh, "en": programme.name_en or programme.name_zh},
                    "state": programme.state,
                    "target_level": programme.target_level,
                    "target_gain": programme.target_gain,
                    "cities_shown": report["scope_cities"],
                },
                "budget": {key: f"{value:.2f}" for key, value in report["budget"].items()},
                "cities": [
                    {"code": row.key, "name": row.name, **figures_json(row.figures, budget)}
                    for row in report["cities"]
                ],
                "segments": [
                    {"code": row.key, "name": row.name, **figures_json(row.figures, budget)}
                    for row in report["segments"]
                ],
                "providers": [
                    {"id": row.key, "name": row.name, **figures_json(row.figures, budget)}
                    for row in report["providers"]
                ],
                "total": figures_json(report["total"], budget),
            }
        )

"""The programme view of the regional reports: one programme's projects per city, per industry
segment and per provider, and its budget. Reads the published project facts only
(programmes.models.ProjectFact, public rows), summed in SQL (GROUP BY), never a tenant schema.

What the figures count (every project that applied has one fact):

* applied: every project, whatever became of it (withdrawn ones too);
* enrolled: projects the admin approved (approved at some point: under way, completed, decided, or
  withdrawn after approval);
* under way: approved, not yet decided (approved, completed, after-level verified);
* completed: the enterprise completed the transformation (whatever the decision after it);
* verified after: the after-level is verified; the share reaching the target and the average level
  gain are among these (the target is the programme's: level and gain, programmes/rules.py);
* subsidy granted: the subsidies granted, in yuan.

Rows are limited to the admin's scope (the cities of a city admin, the province's for a province's
admin); the budget is the programme's own, for all its cities."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from core.replica import read_alias
from core.roles import region_in_scope, scope_q
from programmes.models import Programme, Project, ProjectFact, Provider, Segment
from programmes.policy import programmes_seen
from tenants.models import Region

VERIFIED_AFTER = Q(after_level__isnull=False)
FIGURES = {
    "applied": Count("pk"),
    "enrolled": Count("pk", filter=Q(approved_at__isnull=False)),
    "under_way": Count("pk", filter=Q(state__in=Project.RESERVING)),
    "completed": Count("pk", filter=Q(completed_at__isnull=False)),
    "verified": Count("pk", filter=VERIFIED_AFTER),
    "target_met": Count("pk", filter=VERIFIED_AFTER & Q(target_met=True)),
    "gain_sum": Sum(
        Cast(F("after_level"), FloatField()) - Cast(F("before_level"), FloatField()), filter=VERIFIED_AFTER
    ),
    "granted_n": Count("pk", filter=Q(state=Project.State.GRANTED)),
    "granted": Sum("subsidy_granted", filter=Q(state=Project.State.GRANTED)),
}


@dataclass
class Figures:
    applied: int = 0
    enrolled: int = 0
    under_way: int = 0
    completed: int = 0
    verified: int = 0
    target_met: int = 0
    gain_sum: float = 0.0
    granted_n: int = 0
    granted: Decimal = Decimal(0)

    @classmethod
    def of(cls, row: dict) -> Figures:
        return cls(**{name: row.get(name) or cls.__dataclass_fields__[name].default for name in FIGURES})

    @property
    def target_share(self) -> float | None:
        """Percent of the projects with a verified after-level that reach the target."""
        return 100.0 * self.target_met / self.verified if self.verified else None

    @property
    def average_gain(self) -> float | None:
        """Levels gained on average (after - before), among the projects with a verified after-level."""
        return self.gain_sum / self.verified if self.verified else None


@dataclass
class Row:
    key: str | int | None
    name: dict  # {"zh", "en"}
    figures: Figures


def programmes_for(admin):
    """The programmes the admin may report on (programmes.policy.programmes_seen; 404 for others)."""
    return programmes_seen(admin).order_by("-apply_from", "name_zh", "pk")


def programme_for(admin, programme_id) -> Programme:
    """The programme, if the admin sees it; Http404 otherwise (as for a programme that does not exist)."""
    from django.http import Http404

    try:
        programme_id = int(programme_id)
    except (TypeError, ValueError):
        raise Http404 from None
    programme = programmes_for(admin).filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    return programme


def _name(obj) -> dict:
    return {"zh": obj.name_zh, "en": obj.name_en or obj.name_zh}


NO_SEGMENT = {"zh": "未选细分行业", "en": "No segment given"}
NO_CITY = {"zh": "未填城市", "en": "City not given"}


def programme_report(programme: Programme, *, admin) -> dict:
    """The figures of one programme within the admin's scope: per city, per segment, per provider,
    their total, and the programme's budget."""
    facts = (
        ProjectFact.objects.using(read_alias())
        .filter(programme=programme)
        .filter(scope_q(admin, city="city", province="province_code"))
    )
    by_city = {row.pop("city_id"): Figures.of(row) for row in facts.values("city_id").annotate(**FIGURES)}
    by_segment = {
        row.pop("segment_id"): Figures.of(row) for row in facts.values("segment_id").annotate(**FIGURES)
    }
    by_provider = {
        row.pop("provider_id"): Figures.of(row)
        for row in facts.filter(provider__isnull=False).values("provider_id").annotate(**FIGURES)
    }
    total = Figures.of(facts.aggregate(**FIGURES))

    # The programme's own cities in scope are shown even without projects, then any other city a
    # project was counted in (an enterprise's city at the time it applied).
    cities_in_scope = [c for c in programme.cities.all().order_by("code") if region_in_scope(admin, c)]
    codes = [c.code for c in cities_in_scope]
    codes += sorted(code for code in by_city if code is not None and code not in codes)
    regions = Region.objects.using(read_alias()).in_bulk(codes)
    cities = [Row(code, _name(regions[code]), by_city.get(code, Figures())) for code in codes]
    if None in by_city:
        cities.append(Row(None, NO_CITY, by_city[None]))

    segment_codes = list(programme.segments.order_by("code").values_list("code", flat=True))
    segment_codes += sorted(code for code in by_segment if code is not None and code not in segment_codes)
    named = Segment.objects.using(read_alias()).in_bulk(segment_codes)
    segments = [Row(code, _name(named[code]), by_segment.get(code, Figures())) for code in segment_codes]
    if None in by_segment:
        segments.append(Row(None, NO_SEGMENT, by_segment[None]))

    providers_named = Provider.objects.using(read_alias()).in_bulk(list(by_provider))
    providers = sorted(
        (Row(pk, _name(providers_named[pk]), figures) for pk, figures in by_provider.items()),
        key=lambda row: (-row.figures.enrolled, row.name["zh"], row.key),
    )
    return {
        "programme": programme,
        "cities": cities,
        "segments": segments,
        "providers": providers,
        "total": total,
        "budget": {
            "budget": programme.budget,
            "reserved": programme.reserved,
            "granted": programme.granted,
            "remaining": programme.remaining,
        },
        "scope_cities": [c.code for c in cities_in_scope],
    }


def budget_share(amount, budget) -> float | None:
    """An amount as a percent of the programme's budget."""
    return 100.0 * float(amount) / float(budget) if budget else None

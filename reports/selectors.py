"""The reads of the regional reports: the dashboard, a city's industries and an industry's enterprises.

Figures are *as at the end of a quarter*: every enterprise counts once, with its newest assessment of
the chosen framework version approved by then. The dashboard reads the cells (about one row per city
and quarter whatever the number of enterprises); only the enterprise list reads fact rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.replica import read_alias
from manufacturing.frameworks.models import Framework
from reports.models import ALL, IndustrySpan, RegisteredCell, VerifiedCell
from reports.policy import enterprises_visible
from reports.rollup import Tally, quarter_of, quarter_parse, quarter_start
from tenants.models import Industry, Region

LEADING = 3  # industries named per city


# --- what the filters choose --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    framework: Framework
    since: int
    until: int
    industry: Industry | None = None
    size: str = ""  # a revenue band, "" for every size
    cities: tuple[Region, ...] = ()  # the cities shown (already defaulted)

    @property
    def industry_key(self) -> str:
        return self.industry.code if self.industry else ALL

    @property
    def size_key(self) -> str:
        return self.size or ALL


def current_quarter() -> int:
    return quarter_of(timezone.now())


def first_quarter() -> int:
    return quarter_parse(settings.REPORTS_FIRST_QUARTER)  # checked when the settings load


def report_cities():
    return Region.objects.filter(is_report_city=True).order_by("code")


def default_cities(admin) -> list[Region]:
    """The cities of the admin's scope (the whole region for a region-wide admin)."""
    return [city for city in report_cities() if enterprises_visible(admin, city)]


# --- framework axes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axes:
    levels: list[tuple[int, dict]]  # (level, {"zh", "en"}), level 0 first
    dimensions: list[tuple[str, dict, float]]  # (key, {"zh", "en"}, max score)
    maximum: float  # the highest total score


BELOW_LEVEL_1 = {"zh": "未达一级", "en": "Below level 1"}


def axes(framework: Framework) -> Axes:
    definition = framework.definition
    if definition["kind"] == "points":
        named = sorted(definition["level_rules"], key=lambda r: r["level"])
        dims = [(d["key"], d["name"], d["points"]) for d in definition["dimensions"] if "scenes" not in d]
        maximum = definition["total_points"]
    else:  # capability maturity: the total is the level reached plus the progress into the next
        named = definition["levels"]
        dims = [(f"level-{lv['level']}", lv["name"], 1) for lv in definition["levels"]]
        maximum = named[-1]["level"]
    return Axes(
        levels=[(0, BELOW_LEVEL_1)] + [(r["level"], r["name"]) for r in named],
        dimensions=dims,
        maximum=float(maximum),
    )


# --- the dashboard ------------------------------------------------------------------------------------


@dataclass
class Point:
    quarter: int
    registered: int
    verified: Tally


@dataclass
class CityFigures:
    region: Region | None  # None for the total of the cities shown
    in_scope: bool
    registered: int = 0
    registered_start: int = 0  # at the end of the quarter before the period
    verified: Tally = field(default_factory=Tally)
    verified_start: Tally = field(default_factory=Tally)
    series: list[Point] = field(default_factory=list)
    leading: list[tuple[Industry, int]] = field(default_factory=list)
    financing: Financing = field(default_factory=lambda: Financing())
    exhibiting: Exhibiting = field(default_factory=lambda: Exhibiting())


def average(tally: Tally) -> float | None:
    return tally.total_sum / tally.n if tally.n else None


def dimension_average(tally: Tally, key: str) -> float | None:
    return tally.dimensions.get(key, 0.0) / tally.n if tally.n else None


def share(verified: int, registered: int) -> float | None:
    return 100.0 * verified / registered if registered else None


def _cumulate(rows, quarters: list[int]):
    """rows: (quarter, value) sorted by quarter, each a change -> the state at the end of each quarter."""
    states = []
    running = Tally()
    rows = iter(rows)
    pending = next(rows, None)
    for quarter in quarters:
        while pending is not None and pending[0] <= quarter:
            running.merge(pending[1])
            pending = next(rows, None)
        snapshot = Tally()
        snapshot.merge(running)
        states.append(snapshot)
    return states


def dashboard(filters: Filters, *, admin) -> dict:
    codes = [city.code for city in filters.cities]
    quarters = list(range(filters.since - 1, filters.until + 1))

    changes: dict[str, list] = defaultdict(list)
    cells = (
        VerifiedCell.objects.using(read_alias())
        .filter(
            framework=filters.framework,
            industry=filters.industry_key,
            size=filters.size_key,
            city__in=codes,
            quarter__lte=filters.until,
        )
        .order_by("city", "quarter")
    )
    for cell in cells.only("city", "quarter", "n", "total_sum", "levels", "dimensions"):
        changes[cell.city].append((cell.quarter, cell))

    registrations: dict[str, list] = defaultdict(list)
    joined = (
        RegisteredCell.objects.using(read_alias())
        .filter(
            industry=filters.industry_key, size=filters.size_key, city__in=codes, quarter__lte=filters.until
        )
        .order_by("city", "quarter")
        .values_list("city", "quarter", "n")
    )
    for city, quarter, n in joined:
        registrations[city].append((quarter, Tally(n=n)))

    leading_rows = (
        IndustrySpan.objects.using(read_alias())
        .filter(
            framework=filters.framework,
            size=filters.size_key,
            until__gt=filters.until,
            city__in=codes,
            since__lte=filters.until,
        )
        .exclude(industry=ALL)
        .filter(Q(industry=filters.industry_key) if filters.industry else Q())
        .values_list("city", "industry", "n")
    )
    leading: dict[str, list] = defaultdict(list)
    for city, industry, n in sorted(leading_rows, key=lambda row: (row[0], -row[2], row[1])):
        if len(leading[city]) < LEADING:
            leading[city].append((industry, n))
    industries = Industry.objects.using(read_alias()).in_bulk(
        [code for rows in leading.values() for code, _n in rows]
    )

    rows = []
    total = CityFigures(region=None, in_scope=True)
    total_series = [Point(q, 0, Tally()) for q in quarters[1:]]
    for city in filters.cities:
        verified = _cumulate(changes[city.code], quarters)
        registered = [t.n for t in _cumulate(registrations[city.code], quarters)]
        figures = CityFigures(
            region=city,
            in_scope=enterprises_visible(admin, city),
            registered=registered[-1],
            registered_start=registered[0],
            verified=verified[-1],
            verified_start=verified[0],
            series=[
                Point(q, r, v) for q, r, v in zip(quarters[1:], registered[1:], verified[1:], strict=True)
            ],
            leading=[(industries[code], n) for code, n in leading[city.code] if code in industries],
        )
        rows.append(figures)
        total.registered += figures.registered
        total.registered_start += figures.registered_start
        total.verified.merge(figures.verified)
        total.verified_start.merge(figures.verified_start)
        for point, own in zip(total_series, figures.series, strict=True):
            point.registered += own.registered
            point.verified.merge(own.verified)
    total.series = total_series
    financing = financing_by_city(filters)
    exhibiting = exhibiting_by_city(filters)
    for figures in rows:
        figures.financing = financing.get(figures.region.code, Financing())
        total.financing.add(figures.financing)
        figures.exhibiting = exhibiting.get(figures.region.code, Exhibiting())
    total.exhibiting = exhibiting.get(None, Exhibiting())  # exhibitions counted once over the cities
    return {"filters": filters, "axes": axes(filters.framework), "cities": rows, "total": total}


@dataclass
class Financing:
    """The financial cloud in the period: requests submitted and the amount asked; applications
    approved and the amount approved (CNY)."""

    requests: int = 0
    requested: Decimal = Decimal(0)
    approvals: int = 0
    approved: Decimal = Decimal(0)

    def add(self, other: Financing) -> None:
        self.requests += other.requests
        self.requested += other.requested
        self.approvals += other.approvals
        self.approved += other.approved


def financing_by_city(filters: Filters) -> dict[str, Financing]:
    """Flows within the period, from the published financing facts and the approved applications
    (both public rows). Only live needs count: a request withdrawn since (its fact republished with
    the withdrawn status) leaves the figures; a loan approved before it was withdrawn stays approved."""
    from finance.lending.models import Application, FinancingFact
    from finance.models import FinancingRequest

    start, end = quarter_start(filters.since), quarter_start(filters.until + 1)
    codes = [city.code for city in filters.cities]
    scope = Q(city_id__in=codes)
    if filters.industry:
        scope &= Q(industry=filters.industry)
    if filters.size:
        scope &= Q(tenant__revenue_band=filters.size)
    out: dict[str, Financing] = defaultdict(Financing)
    asked = (
        FinancingFact.objects.using(read_alias())
        .filter(scope, submitted_at__gte=start, submitted_at__lt=end)
        .filter(status=FinancingRequest.Status.SUBMITTED)
        .values("city_id")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    for row in asked:
        out[row["city_id"]].requests = row["n"]
        out[row["city_id"]].requested = row["amount"] or Decimal(0)
    approved = (
        Application.objects.using(read_alias())
        .filter(scope, status=Application.Status.APPROVED, responded_at__gte=start, responded_at__lt=end)
        .values("city_id")
        .annotate(n=Count("pk"), amount=Sum("approved_amount"))
    )
    for row in approved:
        out[row["city_id"]].approvals = row["n"]
        out[row["city_id"]].approved = row["amount"] or Decimal(0)
    return out


# --- drill-down ---------------------------------------------------------------------------------------


def city_industries(filters: Filters, *, city: Region) -> list[dict]:
    """One row per industry division with enterprises in the city: registered and verified figures."""
    verified: dict[str, Tally] = defaultdict(Tally)
    cells = (
        VerifiedCell.objects.using(read_alias())
        .filter(
            framework=filters.framework, size=filters.size_key, city=city.code, quarter__lte=filters.until
        )
        .exclude(industry=ALL)
    )
    if filters.industry:
        cells = cells.filter(industry=filters.industry.code)
    for cell in cells.only("industry", "n", "total_sum", "levels", "dimensions"):
        verified[cell.industry].merge(cell)
    registered = dict(
        RegisteredCell.objects.using(read_alias())
        .filter(size=filters.size_key, city=city.code, quarter__lte=filters.until)
        .exclude(industry=ALL)
        .filter(Q(industry=filters.industry.code) if filters.industry else Q())
        .values("industry")
        .annotate(count=Sum("n"))
        .values_list("industry", "count")
    )
    codes = sorted(
        code for code in set(verified) | set(registered) if verified[code].n or registered.get(code)
    )
    named = Industry.objects.using(read_alias()).in_bulk(codes)
    return [
        {
            "industry": named.get(code),
            "code": code,
            "registered": registered.get(code, 0),
            "verified": verified[code],
        }
        for code in codes
    ]


def city_enterprises(filters: Filters, *, city: Region, industry: Industry):
    """The enterprises counted at the end of the period in one city and industry division, with their
    published result (never their answers). Only for an admin whose scope holds the city."""
    from manufacturing.review.models import AssessmentFact

    until = filters.until
    rows = (
        AssessmentFact.objects.using(read_alias())
        .filter(framework=filters.framework, city=city, industry=industry, counted_from__lte=until)
        .filter(Q(counted_until__isnull=True) | Q(counted_until__gt=until))
    )
    if filters.size:
        rows = rows.filter(size=filters.size)
    return rows.select_related("district").order_by("-total", "enterprise_name", "pk")


@dataclass
class Exhibiting:
    """The exhibition cloud at exhibitions running within the period: booths registered, booths
    that went into the public hall (still counted if taken off after), the exhibitions they were at,
    buyers' inquiries delivered to those booths and meetings booked from them (not cancelled)."""

    registered: int = 0
    booths: int = 0
    exhibitions: int = 0
    inquiries: int = 0
    meetings: int = 0


def exhibiting_by_city(filters: Filters) -> dict:
    """Exhibiting per city code, from the exhibition facts; under the key None, the cities shown
    together (an exhibition two cities were at counts once)."""
    from exhibition.hall.facts import EXHIBITED, FIGURES
    from exhibition.hall.models import ExhibitionFact

    start = quarter_start(filters.since).date()
    end = quarter_start(filters.until + 1).date()
    rows = ExhibitionFact.objects.using(read_alias()).filter(
        city_id__in=[city.code for city in filters.cities],
        exhibition__starts_on__lt=end,
        exhibition__ends_on__gte=start,
    )
    if filters.industry:
        rows = rows.filter(industry=filters.industry)
    if filters.size:
        rows = rows.filter(size=filters.size)
    figures = {**FIGURES, "exhibitions": Count("exhibition", filter=EXHIBITED, distinct=True)}
    out: dict = {row.pop("city_id"): Exhibiting(**row) for row in rows.values("city_id").annotate(**figures)}
    out[None] = Exhibiting(**rows.aggregate(**figures))
    return out

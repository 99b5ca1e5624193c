"""Keeps the report cells (reports/models.py) in step with the published facts and the
registrations. Driven by what the publishing worker and provisioning announce, inside their
transactions (reports/receivers.py); `setup_platform` rebuilds the cells when they are missing.

Every refresh recomputes all the cells of one (city, quarter) from the rows themselves, so it is exact
and idempotent: a redelivered task writes the same cells again. A transaction-scoped advisory lock per
city (per framework version) serialises two publishers of the same city; the second recomputes after
the first has committed, so neither overwrites the other's count with a stale one.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from reports.models import ALL, OPEN, IndustrySpan, RegisteredCell, VerifiedCell

# The four grains: (keep the industry division?, keep the size?).
GRAINS = ((True, True), (True, False), (False, True), (False, False))


# --- quarters ------------------------------------------------------------------------------------------


def quarter_of(moment: datetime.datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 4 + (local.month - 1) // 3


def quarter_label(quarter: int) -> str:
    return f"{quarter // 4}Q{quarter % 4 + 1}"


QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_parse(text: str) -> int | None:
    match = QUARTER_RE.match(text or "")
    return int(match[1]) * 4 + int(match[2]) - 1 if match else None


def quarter_start(quarter: int) -> datetime.datetime:
    """The first instant of a quarter, in the platform's time zone."""
    naive = datetime.datetime(quarter // 4, quarter % 4 * 3 + 1, 1)
    return timezone.make_aware(naive)


# --- accumulation --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counted assessments: how many, and the sums that averages and distributions come from."""

    n: int = 0
    total_sum: float = 0.0
    levels: dict[str, int] = field(default_factory=dict)
    dimensions: dict[str, float] = field(default_factory=dict)

    def add(self, *, sign: int, total: float, level: int, dimension_scores: Iterable[dict]) -> None:
        self.n += sign
        self.total_sum += sign * total
        key = str(level)
        self.levels[key] = self.levels.get(key, 0) + sign
        for d in dimension_scores:
            self.dimensions[d["key"]] = self.dimensions.get(d["key"], 0.0) + sign * d["score"]

    def merge(self, other: Tally | VerifiedCell) -> None:
        self.n += other.n
        self.total_sum += other.total_sum
        for key, count in other.levels.items():
            self.levels[key] = self.levels.get(key, 0) + count
        for key, value in other.dimensions.items():
            self.dimensions[key] = self.dimensions.get(key, 0.0) + value


def grain_keys(industry: str, size: str) -> list[tuple[str, str]]:
    return [(industry if ki else ALL, size if ks else ALL) for ki, ks in GRAINS]


# --- facts ---------------------------------------------------------------------------------------------


def fact_windows(facts) -> dict[int, tuple[int | None, int | None]]:
    """One enterprise's facts of one framework version -> {fact pk: (counted_from, counted_until)}.

    The enterprise counts once at every quarter end, with its newest assessment approved by then: the
    last approval of each quarter counts from that quarter until the quarter of the next such approval.
    """
    last_of_quarter = {}
    for fact in sorted(facts, key=lambda f: (f.approved_at, f.assessment_id)):
        last_of_quarter[quarter_of(fact.approved_at)] = fact
    windows: dict[int, tuple[int | None, int | None]] = {fact.pk: (None, None) for fact in facts}
    quarters = sorted(last_of_quarter)
    for i, quarter in enumerate(quarters):
        until = quarters[i + 1] if i + 1 < len(quarters) else None
        windows[last_of_quarter[quarter].pk] = (quarter, until)
    return windows


FACT_FIELDS = ("pk", "city_id", "industry_id", "size", "total", "level", "dimension_scores")


def _verified_cells(framework_id: int, city: str, quarter: int, facts) -> list[VerifiedCell]:
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for fact in facts:
        sign = (fact["counted_from"] == quarter) - (fact["counted_until"] == quarter)
        for key in grain_keys(fact["industry_id"] or "", fact["size"]):
            tallies[key].add(
                sign=sign, total=fact["total"], level=fact["level"], dimension_scores=fact["dimension_scores"]
            )
    return [
        VerifiedCell(
            framework_id=framework_id,
            city=city,
            industry=industry,
            size=size,
            quarter=quarter,
            n=t.n,
            total_sum=t.total_sum,
            levels=t.levels,
            dimensions=t.dimensions,
        )
        for (industry, size), t in tallies.items()
    ]


REBUILD_LOCK = "reports:rebuild"


def _lock(*keys: str, shared: bool = False) -> None:
    """Transaction-scoped advisory locks, always taken in sorted order (no deadlock between two).
    Every refresh first takes the rebuild lock shared, so a full rebuild (exclusive) runs alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s))", [REBUILD_LOCK])
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def verified_refresh(*, framework_id: int, places: Iterable[tuple[str, int]]) -> None:
    """Recomputes every cell of these (city, quarter) pairs of one framework version from the facts."""
    from manufacturing.review.models import AssessmentFact

    places = sorted(set(places))
    if not places:
        return
    # Per city, not per (city, quarter): a city's industry spans are rebuilt from all its quarters.
    _lock(*(f"reports:verified:{framework_id}:{city}" for city, _quarter in places))
    for city, quarter in places:
        facts = AssessmentFact.objects.filter(framework_id=framework_id, city_id=city).filter(
            Q(counted_from=quarter) | Q(counted_until=quarter)
        )
        cells = _verified_cells(
            framework_id, city, quarter, facts.values(*FACT_FIELDS, "counted_from", "counted_until")
        )
        old = VerifiedCell.objects.filter(framework_id=framework_id, city=city, quarter=quarter)
        keys = set(old.exclude(industry=ALL).values_list("industry", "size"))
        old.delete()
        VerifiedCell.objects.bulk_create(cells)
        keys |= {(cell.industry, cell.size) for cell in cells if cell.industry != ALL}
        for industry, size in sorted(keys):
            changes = VerifiedCell.objects.filter(
                framework_id=framework_id, city=city, industry=industry, size=size
            ).order_by("quarter")
            IndustrySpan.objects.filter(
                framework_id=framework_id, city=city, industry=industry, size=size
            ).delete()
            IndustrySpan.objects.bulk_create(
                _spans(framework_id, city, industry, size, changes.values_list("quarter", "n"))
            )


def _spans(framework_id: int, city: str, industry: str, size: str, changes) -> list[IndustrySpan]:
    """(quarter, change) in quarter order -> the spans over which the running count stays the same."""
    spans: list[IndustrySpan] = []
    running = 0
    for quarter, change in changes:
        running += change
        current = spans[-1] if spans and spans[-1].until == OPEN else None
        if current is not None and current.n == running:
            continue  # a change of scores, not of numbers
        if current is not None:
            current.until = quarter
        if running:
            spans.append(
                IndustrySpan(
                    framework_id=framework_id,
                    city=city,
                    industry=industry,
                    size=size,
                    since=quarter,
                    n=running,
                )
            )
    return spans


def _places(rows) -> set[tuple[str, int]]:
    return {
        (city, quarter)
        for city, counted_from, counted_until in rows
        for quarter in (counted_from, counted_until)
        if city and quarter is not None
    }


def facts_places(*, tenant_id: int, framework_id: int) -> set[tuple[str, int]]:
    """The (city, quarter) cells an enterprise's facts of one framework version are counted in now."""
    from manufacturing.review.models import AssessmentFact

    facts = AssessmentFact.objects.filter(tenant_id=tenant_id, framework_id=framework_id)
    return _places(facts.values_list("city_id", "counted_from", "counted_until"))


def facts_recount(*, tenant_id: int, framework_id: int, before: set[tuple[str, int]]) -> None:
    """After a change to an enterprise's facts of one framework version: recomputes their counted
    quarters, then the cells they were counted in (`before`, from `facts_places`) and are now."""
    from manufacturing.review.models import AssessmentFact

    assert transaction.get_connection().in_atomic_block, "call inside the publishing transaction"
    facts = AssessmentFact.objects.filter(tenant_id=tenant_id, framework_id=framework_id)
    rows = list(facts.only("pk", "approved_at", "assessment_id", "counted_from", "counted_until"))
    windows = fact_windows(rows)
    for fact in rows:
        if (fact.counted_from, fact.counted_until) != windows[fact.pk]:
            fact.counted_from, fact.counted_until = windows[fact.pk]
            fact.save(update_fields=["counted_from", "counted_until"])
    after = facts_places(tenant_id=tenant_id, framework_id=framework_id)
    verified_refresh(framework_id=framework_id, places=before | after)


@contextmanager
def facts_changing(*, tenant_id: int, framework_id: int) -> Iterator[None]:
    """Wraps a change to an enterprise's facts of one framework version (inside the publisher's
    transaction, with the enterprise locked): afterwards their counted quarters are recomputed, and the
    cells they were and are counted in. The publisher gets the same through its signals
    (manufacturing/review/signals.py, reports/receivers.py)."""
    assert transaction.get_connection().in_atomic_block, "call inside the publishing transaction"
    before = facts_places(tenant_id=tenant_id, framework_id=framework_id)
    yield
    facts_recount(tenant_id=tenant_id, framework_id=framework_id, before=before)


# --- registrations -------------------------------------------------------------------------------------


def _registered_cells(city: str, quarter: int, enterprises) -> list[RegisteredCell]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for industry, size in enterprises:
        for key in grain_keys(industry or "", size):
            counts[key] += 1
    return [
        RegisteredCell(city=city, industry=industry, size=size, quarter=quarter, n=n)
        for (industry, size), n in counts.items()
    ]


def _ready_enterprises():
    from django_tenants.utils import get_public_schema_name

    from tenants.models import Enterprise

    return Enterprise.objects.filter(status=Enterprise.Status.READY, provisioned_at__isnull=False).exclude(
        schema_name=get_public_schema_name()
    )


def registered_refresh(*, city: str | None, quarter: int) -> None:
    """Recomputes the registration cells of one (city, quarter); call after an enterprise became ready."""
    if not city:
        return
    _lock(f"reports:registered:{city}:{quarter}")
    rows = _ready_enterprises().filter(
        city_id=city,
        provisioned_at__gte=quarter_start(quarter),
        provisioned_at__lt=quarter_start(quarter + 1),
    )
    cells = _registered_cells(city, quarter, rows.values_list("industry_id", "revenue_band"))
    RegisteredCell.objects.filter(city=city, quarter=quarter).delete()
    RegisteredCell.objects.bulk_create(cells)


def registered_add(*, city: str | None, industry: str | None, size: str, quarter: int) -> None:
    """One more enterprise ready in (city, quarter): +1 on each of its cells, in the provisioning
    transaction. Provisioning makes an enterprise ready once (a ready one is left alone), so adding
    is exact; recounting the city's quarter instead (registered_refresh) costs more the more
    enterprises the city has. `rebuild()` and the tests check it against a recount."""
    if not city:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s))", [REBUILD_LOCK])
        rows = [
            (city, grain_industry, grain_size, quarter)
            for grain_industry, grain_size in grain_keys(industry or "", size)
        ]
        table = connection.ops.quote_name(RegisteredCell._meta.db_table)
        cursor.execute(
            f"INSERT INTO {table} (city, industry, size, quarter, n) VALUES "
            + ", ".join(["(%s, %s, %s, %s, 1)"] * len(rows))
            + f" ON CONFLICT (size, industry, city, quarter) DO UPDATE SET n = {table}.n + 1",
            [value for row in rows for value in row],
        )


def backfill_needed() -> bool:
    """Facts or ready enterprises but no cells at all: an installation that predates the reports (or
    whose cells were emptied). `setup_platform` then rebuilds them."""
    from manufacturing.review.models import AssessmentFact

    if VerifiedCell.objects.exists() or RegisteredCell.objects.exists():
        return False
    return AssessmentFact.objects.exists() or _ready_enterprises().exists()


# --- repair --------------------------------------------------------------------------------------------


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recomputes every counted window and every cell from the facts and the enterprises: for data
    loaded in bulk (the benchmark), after a repair, and to check the incremental path in tests."""
    from manufacturing.review.models import AssessmentFact

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [REBUILD_LOCK])
    facts = list(
        AssessmentFact.objects.only(
            "pk", "tenant_id", "framework_id", "approved_at", "assessment_id", "counted_from", "counted_until"
        )
    )
    by_owner = defaultdict(list)
    for fact in facts:
        by_owner[fact.tenant_id, fact.framework_id].append(fact)
    windows = {}
    for group in by_owner.values():
        windows.update(fact_windows(group))
    changed = []
    for fact in facts:
        if (fact.counted_from, fact.counted_until) != windows[fact.pk]:
            fact.counted_from, fact.counted_until = windows[fact.pk]
            changed.append(fact)
    AssessmentFact.objects.bulk_update(changed, ["counted_from", "counted_until"], batch_size=2000)

    places: dict[tuple[int, str, int], list[dict]] = defaultdict(list)
    rows = AssessmentFact.objects.exclude(city=None).filter(counted_from__isnull=False)
    for fact in rows.values(*FACT_FIELDS, "framework_id", "counted_from", "counted_until"):
        for quarter in (fact["counted_from"], fact["counted_until"]):
            if quarter is not None:
                places[fact["framework_id"], fact["city_id"], quarter].append(fact)
    VerifiedCell.objects.all().delete()
    verified = [
        cell
        for (framework_id, city, quarter), group in places.items()
        for cell in _verified_cells(framework_id, city, quarter, group)
    ]
    VerifiedCell.objects.bulk_create(verified, batch_size=2000)
    changes: dict[tuple[int, str, str, str], list] = defaultdict(list)
    for cell in sorted(verified, key=lambda c: c.quarter):
        if cell.industry != ALL:
            changes[cell.framework_id, cell.city, cell.industry, cell.size].append((cell.quarter, cell.n))
    IndustrySpan.objects.all().delete()
    IndustrySpan.objects.bulk_create(
        [span for key, rows in changes.items() for span in _spans(*key, rows)], batch_size=2000
    )

    registrations: dict[tuple[str, int], list] = defaultdict(list)
    for city, industry, size, at in (
        _ready_enterprises()
        .exclude(city=None)
        .values_list("city_id", "industry_id", "revenue_band", "provisioned_at")
    ):
        registrations[city, quarter_of(at)].append((industry, size))
    RegisteredCell.objects.all().delete()
    registered = [
        cell
        for (city, quarter), group in registrations.items()
        for cell in _registered_cells(city, quarter, group)
    ]
    RegisteredCell.objects.bulk_create(registered, batch_size=2000)
    return {"facts": len(facts), "verified_cells": len(verified), "registered_cells": len(registered)}

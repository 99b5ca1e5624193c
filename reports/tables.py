"""The report tables, built once and rendered three ways (the page, CSV, XLSX: core/tables.py and
core/exports.py), so that an export holds exactly what the screen shows: the same rows, the same
rounded values, the filters above them."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.tables import Table, list_separator
from reports import selectors
from reports.rollup import quarter_label
from tenants.models import Enterprise


def one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _is_zh() -> bool:
    return (get_language() or "zh").startswith("zh")


def bilingual(name: dict) -> str:
    return name["zh"] if _is_zh() else name["en"]


def level_name(level: int, name: dict) -> str:
    return bilingual(name) if level else bilingual(selectors.BELOW_LEVEL_1)


def dashboard_tables(report: dict) -> list[Table]:
    axes = report["axes"]
    rows = [*report["cities"], report["total"]]

    def city(figures) -> str:
        return figures.region.name if figures.region else _("All cities shown")

    overview = Table(
        "cities",
        _("Cities"),
        [
            _("City"),
            _("Registered enterprises"),
            _("Change in registered"),
            _("Verified enterprises"),
            _("Change in verified"),
            _("Verified share (%)"),
            _("Average score"),
            _("Change in average score"),
            _("Leading industries (verified enterprises)"),
        ],
    )
    for f in rows:
        avg, avg_start = selectors.average(f.verified), selectors.average(f.verified_start)
        overview.rows.append(
            [
                city(f),
                f.registered,
                f.registered - f.registered_start,
                f.verified.n,
                f.verified.n - f.verified_start.n,
                one(selectors.share(f.verified.n, f.registered)),
                one(avg),
                one(avg - avg_start) if avg is not None and avg_start is not None else None,
                list_separator().join(f"{i.code} {i.name} ({n})" for i, n in f.leading),
            ]
        )
    levels = Table(
        "levels",
        _("Verified enterprises by level"),
        [_("City"), *(level_name(level, name) for level, name in axes.levels)],
    )
    dimensions = Table(
        "dimensions",
        _("Average score by dimension"),
        [_("City"), *(f"{bilingual(name)} (/{maximum:g})" for _key, name, maximum in axes.dimensions)],
    )
    quarters = Table(
        "quarters",
        _("By quarter (at each quarter's end)"),
        [_("City"), _("Quarter"), _("Registered enterprises"), _("Verified enterprises"), _("Average score")],
        numeric_from=2,
    )
    overview.total_from = levels.total_from = dimensions.total_from = len(rows) - 1
    for f in rows:
        if f.region is None:
            quarters.total_from = len(quarters.rows)
        levels.rows.append([city(f), *(f.verified.levels.get(str(level), 0) for level, _n in axes.levels)])
        dimensions.rows.append(
            [city(f), *(one(selectors.dimension_average(f.verified, key)) for key, _n, _m in axes.dimensions)]
        )
        for point in f.series:
            quarters.rows.append(
                [
                    city(f),
                    quarter_label(point.quarter),
                    point.registered,
                    point.verified.n,
                    one(selectors.average(point.verified)),
                ]
            )
    financing = Table(
        "financing",
        _("Financing in the period"),
        [
            _("City"),
            _("Financing needs"),
            _("Amount requested (CNY 10,000)"),
            _("Loans approved"),
            _("Amount approved (CNY 10,000)"),
        ],
        total_from=len(rows) - 1,
    )
    for f in rows:
        money = f.financing
        financing.rows.append(
            [
                city(f),
                money.requests,
                ten_thousands(money.requested),
                money.approvals,
                ten_thousands(money.approved),
            ]
        )
    exhibiting = Table(
        "exhibiting",
        _("Exhibition participation in the period"),
        [
            _("City"),
            _("Booths registered"),
            _("Booths in the hall"),
            _("Exhibitions with booths"),
            _("Buyer inquiries"),
            _("Meetings booked"),
        ],
        total_from=len(rows) - 1,
    )
    for f in rows:
        e = f.exhibiting
        exhibiting.rows.append([city(f), e.registered, e.booths, e.exhibitions, e.inquiries, e.meetings])
    return [overview, levels, dimensions, quarters, financing, exhibiting]


def ten_thousands(amount) -> float:
    """Yuan as 万元 (CNY 10,000), the unit regional statistics use, to one decimal."""
    return round(float(amount) / 10_000, 1)


def industry_table(rows: list[dict], *, report_axes, link=None) -> Table:
    table = Table(
        "industries",
        _("Industry divisions"),
        [
            _("Industry division"),
            _("Registered enterprises"),
            _("Verified enterprises"),
            _("Verified share (%)"),
            _("Average score"),
            *(level_name(level, name) for level, name in report_axes.levels),
        ],
    )
    for row in rows:
        tally = row["verified"]
        industry = row["industry"]
        table.rows.append(
            [
                f"{row['code']} {industry.name}" if industry else row["code"] or _("Not given"),
                row["registered"],
                tally.n,
                one(selectors.share(tally.n, row["registered"])),
                one(selectors.average(tally)),
                *(tally.levels.get(str(level), 0) for level, _n in report_axes.levels),
            ]
        )
        table.links.append(link(row) if link and industry and tally.n else None)
    return table


def enterprise_table(facts, *, report_axes) -> Table:
    names = dict(report_axes.levels)
    table = Table(
        "enterprises",
        _("Enterprises"),
        [
            _("Enterprise"),
            _("District"),
            _("Enterprise size (annual revenue)"),
            _("Level"),
            _("Verified score"),
            _("Approved on"),
            _("Peer percentile"),
        ],
        numeric_from=4,
    )
    for fact in facts:
        table.rows.append(
            [
                fact.enterprise_name if _is_zh() else (fact.enterprise_name_en or fact.enterprise_name),
                fact.district.name if fact.district else "",
                str(Enterprise.RevenueBand(fact.size).label) if fact.size else "",
                level_name(fact.level, names.get(fact.level, {"zh": str(fact.level), "en": str(fact.level)})),
                one(fact.total),
                timezone.localdate(fact.approved_at).isoformat(),
                one(fact.percentile),
            ]
        )
    return table

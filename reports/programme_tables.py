"""The programme view's tables, built once and rendered three ways (the page, CSV, XLSX: core/tables.py
and core/exports.py), so that an export holds exactly what the screen shows."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.tables import Table
from reports.programme_selectors import Figures, budget_share
from reports.tables import bilingual, one, ten_thousands


def _columns(first: str) -> list[str]:
    return [
        first,
        _("Applied"),
        _("Enrolled (approved)"),
        _("Under way"),
        _("Completed"),
        _("After-level verified"),
        _("Reaching the target"),
        _("Share reaching the target (%)"),
        _("Average level gain"),
        _("Subsidies granted"),
        _("Subsidy granted (CNY 10,000)"),
        _("Share of the budget (%)"),
    ]


def _cells(figures: Figures, budget) -> list:
    return [
        figures.applied,
        figures.enrolled,
        figures.under_way,
        figures.completed,
        figures.verified,
        figures.target_met,
        one(figures.target_share),
        None if figures.average_gain is None else round(figures.average_gain, 2),
        figures.granted_n,
        ten_thousands(figures.granted),
        one(budget_share(figures.granted, budget)),
    ]


def programme_tables(report: dict) -> list[Table]:
    budget = report["budget"]["budget"]
    total_name = _("All cities shown")
    cities = Table("programme-cities", _("By city"), _columns(_("City")))
    for row in report["cities"]:
        cities.rows.append([bilingual(row.name), *_cells(row.figures, budget)])
    cities.total_from = len(cities.rows)
    cities.rows.append([total_name, *_cells(report["total"], budget)])

    segments = Table("programme-segments", _("By industry segment"), _columns(_("Industry segment")))
    for row in report["segments"]:
        segments.rows.append([bilingual(row.name), *_cells(row.figures, budget)])
    segments.total_from = len(segments.rows)
    segments.rows.append([total_name, *_cells(report["total"], budget)])

    providers = Table(
        "programme-providers",
        _("Service providers' outcomes"),
        [
            _("Service provider"),
            _("Projects (approved)"),
            _("Completed"),
            _("After-level verified"),
            _("Reaching the target"),
            _("Share reaching the target (%)"),
            _("Average level gain"),
        ],
    )
    for row in report["providers"]:
        f = row.figures
        providers.rows.append(
            [
                bilingual(row.name),
                f.enrolled,
                f.completed,
                f.verified,
                f.target_met,
                one(f.target_share),
                None if f.average_gain is None else round(f.average_gain, 2),
            ]
        )

    money = report["budget"]
    used = money["reserved"] + money["granted"]
    budget_table = Table(
        "programme-budget",
        _("Budget (the whole programme)"),
        [
            _("Total budget (CNY 10,000)"),
            _("Reserved (CNY 10,000)"),
            _("Granted (CNY 10,000)"),
            _("Remaining (CNY 10,000)"),
            _("Reserved or granted (%)"),
        ],
        numeric_from=0,
    )
    budget_table.rows.append(
        [
            ten_thousands(money["budget"]),
            ten_thousands(money["reserved"]),
            ten_thousands(money["granted"]),
            ten_thousands(money["remaining"]),
            one(budget_share(used, money["budget"])),
        ]
    )
    return [budget_table, cities, segments, providers]

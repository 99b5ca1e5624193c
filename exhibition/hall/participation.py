"""Participation in one exhibition, for the regional admins: by city, by section and by industry
division, from the exhibition facts (facts.py). A scoped admin sees the cities of their scope. The page,
its exports and the API read the same `participation()`."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.roles import scope_q
from core.tables import Table
from exhibition.hall import facts
from exhibition.hall.models import Exhibition, ExhibitionFact
from tenants.models import Industry, Region

FIGURES = {**facts.FIGURES, "live": Count("pk", filter=Q(live=True))}
COLUMNS = ("registered", "booths", "live", "inquiries", "meetings")  # the tables' order
NONE = dict.fromkeys(FIGURES, 0)


def participation(*, exhibition: Exhibition, admin) -> dict:
    """{"total": figures, "cities" / "sections" / "industries": [(object or None, figures)]}, where
    figures is a dict of FIGURES' keys."""
    facts = ExhibitionFact.objects.filter(exhibition=exhibition).filter(
        scope_q(admin, province="city__province_code")
    )

    def grouped(key: str) -> dict:
        return {row.pop(key): row for row in facts.values(key).annotate(**FIGURES).order_by()}

    by_city = grouped("city_id")
    regions = Region.objects.in_bulk([code for code in by_city if code])
    by_section = grouped("section_id")
    sections = [(section, by_section.pop(section.pk, NONE)) for section in exhibition.sections.all()]
    if None in by_section:  # a booth whose section was removed
        sections.append((None, by_section[None]))
    by_industry = grouped("industry_id")
    divisions = Industry.objects.in_bulk([code for code in by_industry if code])
    industries = sorted(by_industry.items(), key=lambda item: (-item[1]["registered"], item[0] or ""))
    return {
        "total": facts.aggregate(**FIGURES),
        "cities": [(regions.get(code), by_city[code]) for code in sorted(by_city, key=lambda c: c or "")],
        "sections": sections,
        "industries": [(divisions.get(code), row) for code, row in industries],
    }


def participation_tables(report: dict) -> list[Table]:
    def columns(first: str) -> list[str]:
        return [
            first,
            _("Booths registered"),
            _("Booths in the hall"),
            _("In the hall now"),
            _("Buyer inquiries"),
            _("Meetings booked"),
        ]

    def label(obj, fallback: str) -> str:
        if obj is None:
            return fallback
        return f"{obj.code} {obj.name}" if isinstance(obj, Industry) else obj.name

    tables = [
        (Table("cities", _("By city"), columns(_("City"))), report["cities"], _("Unknown")),
        (Table("sections", _("By section"), columns(_("Section"))), report["sections"], _("No section")),
        (
            Table("industries", _("By industry division"), columns(_("Industry division"))),
            report["industries"],
            _("Unknown"),
        ),
    ]
    for table, rows, fallback in tables:
        for obj, figures in rows:
            table.rows.append([label(obj, fallback), *(figures[key] for key in COLUMNS)])
        if table.rows:
            table.total_from = len(table.rows)
            table.rows.append([_("Total"), *(report["total"][key] for key in COLUMNS)])
    return [table for table, _rows, _fallback in tables]

"""Participation in one exhibition, for the regional admins: by city, by section and by industry
division, from the exhibition facts (facts.py). A scoped admin sees the cities of their scope."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from exhibition.hall.models import Exhibition, ExhibitionFact
from manufacturing.review.services import scope_q
from portal.reports.tables import Table
from tenants.models import Industry, Region

FIGURES = {
    "registered": Count("pk"),
    "booths": Count("pk", filter=Q(first_published_at__isnull=False)),
    "live": Count("pk", filter=Q(live=True)),
    "inquiries": Sum("inquiries", default=0),
    "meetings": Sum("meetings", default=0),
}


def _columns(first: str) -> list[str]:
    return [
        first,
        _("Booths registered"),
        _("Booths in the hall"),
        _("In the hall now"),
        _("Buyer inquiries"),
        _("Meetings booked"),
    ]


def _figures(row: dict) -> list[int]:
    return [row[key] for key in FIGURES]


def participation_tables(*, exhibition: Exhibition, admin) -> list[Table]:
    facts = ExhibitionFact.objects.filter(exhibition=exhibition).filter(
        scope_q(admin, province="city__province_code")
    )
    total = [_("Total"), *_figures(facts.aggregate(**FIGURES))]

    regions = Region.objects.in_bulk(facts.values_list("city_id", flat=True).distinct())
    cities = Table("cities", _("By city"), _columns(_("City")))
    for row in facts.values("city_id").annotate(**FIGURES).order_by("city_id"):
        region = regions.get(row["city_id"])
        cities.rows.append([region.name if region else _("Unknown"), *_figures(row)])

    sections = Table("sections", _("By section"), _columns(_("Section")))
    counted = {row["section_id"]: row for row in facts.values("section_id").annotate(**FIGURES).order_by()}
    for section in exhibition.sections.all():
        row = counted.pop(section.pk, dict.fromkeys(FIGURES, 0))
        sections.rows.append([section.name, *_figures(row)])
    if None in counted:  # a booth whose section was removed
        sections.rows.append([_("No section"), *_figures(counted[None])])

    divisions = Industry.objects.in_bulk(facts.values_list("industry_id", flat=True).distinct())
    industries = Table("industries", _("By industry division"), _columns(_("Industry division")))
    for row in facts.values("industry_id").annotate(**FIGURES).order_by("-registered", "industry_id"):
        division = divisions.get(row["industry_id"])
        label = f"{division.code} {division.name}" if division else _("Unknown")
        industries.rows.append([label, *_figures(row)])

    for table in (cities, sections, industries):
        if table.rows:
            table.total_from = len(table.rows)
            table.rows.append(total)
    return [cities, sections, industries]

"""The regional reports in Chromium: a region-wide regional admin signs in on the public site, opens
the reports from the nav, ticks two cities and a period, compares them (tables and charts), switches to
English, exports the CSV and drills down from a city to its industries and their enterprises.

Not django_db: everything commits (the `committed` fixture) so that gunicorn sees it. The data is
hand-counted, in two Hebei cities no other test uses (default framework version, L = level):

  Chengde 130800, two C34 enterprises registered in 2025Q3, approved in 2025Q4: 40 (L2) and 80 (L4)
  Cangzhou 130900, one C35 enterprise registered in 2025Q3, approved in 2025Q4: 60 (L3)

The enterprise rows (and, by cascade, their facts) are deleted in `finally`, then the report cells are
rebuilt; the users cannot be deleted (the cascade reaches tenant tables), so they are deactivated."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, transaction
from django.utils import timezone
from playwright.sync_api import expect

from manufacturing.frameworks.models import Framework
from reports import rollup
from tenants.models import Enterprise, User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.test_reports import approved, at, csv_sections, registered

pytestmark = [pytest.mark.browser]

ADMIN_PASSWORD = "Reports-browser-2026"
CHENGDE, CANGZHOU = "130800", "130900"


def _rows(page, table_id: str) -> list[list[str]]:
    """The body rows of a report table, as the text of their cells."""
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator(f"#{table_id} tbody tr").all()
    ]


def test_a_regional_admin_compares_two_cities_in_both_languages_and_drills_down(
    page, live_server_url, committed
):
    enterprises: list[Enterprise] = []
    users: list[User] = []
    try:
        admin = user_create(
            email="brep-admin@example.com",
            password=ADMIN_PASSWORD,
            name="报表区域管理员",
            platform_role="regional_admin",
        )
        users.append(admin)
        low = registered("brep1", city=CHENGDE, industry="C34", size="3m-20m", quarter="2025Q3")
        high = registered("brep2", city=CHENGDE, industry="C34", size="20m-400m", quarter="2025Q3")
        cangzhou = registered("brep3", city=CANGZHOU, industry="C35", size="3m-20m", quarter="2025Q3")
        enterprises += [low, high, cangzhou]
        users += [e.owner for e in enterprises]
        approved(low, when=at("2025Q4"), total=40, level=2)
        approved(high, when=at("2025Q4", 20), total=80, level=4)
        approved(cangzhou, when=at("2025Q4"), total=60, level=3)

        # --- in Chinese: from the nav to the dashboard, two cities and one quarter chosen
        sign_in(page, live_server_url + "/login/", admin.email, ADMIN_PASSWORD)
        page.locator("nav.topnav").get_by_role("link", name="区域报表").click()
        page.wait_for_url("**/reports/")
        form = page.locator("#report-filters")
        # Nothing chosen yet: the form shows the default framework version (the one the page reports
        # on), so that applying other filters keeps it.
        default = Framework.objects.get(is_default=True)
        expect(
            form.locator("select[name=framework]"),
            "the framework select on /reports/ must show the default framework version",
        ).to_have_value(str(default.pk))
        cities = form.locator("fieldset.cities")
        expect(cities.locator("input[type=checkbox][name=city]:checked")).to_have_count(0)
        cities.locator("label.city-choice", has_text="承德市").locator("input").check()
        cities.locator("label.city-choice", has_text="沧州市").locator("input").check()
        expect(cities.locator("input[name=city]:checked")).to_have_count(2)
        form.locator("select[name=since]").select_option("2025Q4")
        form.locator("select[name=until]").select_option("2025Q4")
        form.get_by_role("button", name="查询").click()
        page.wait_for_url("**/reports/?*")

        query = parse_qs(urlsplit(page.url).query)
        assert sorted(query["city"]) == [CHENGDE, CANGZHOU]
        assert (query["since"], query["until"]) == (["2025Q4"], ["2025Q4"])
        assert query["framework"] == [str(default.pk)]
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("#compare-hint")).to_have_count(0)  # two cities: nothing to hint
        expect(page.locator("#applied-filters")).to_contain_text("2025Q4 – 2025Q4")

        # City, registered, change, verified, change, verified share, average, change in average
        rows = _rows(page, "table-cities")
        assert [row[:8] for row in rows] == [
            ["承德市", "2", "0", "2", "2", "100.0", "60.0", "—"],
            ["沧州市", "1", "0", "1", "1", "100.0", "60.0", "—"],
            ["所选城市合计", "3", "0", "3", "3", "100.0", "60.0", "—"],
        ]
        assert "C34" in rows[0][8] and "(2)" in rows[0][8]
        assert "C35" in rows[1][8] and "(1)" in rows[1][8]
        expect(page.locator("#table-cities tbody tr").last).to_have_class("total")
        # levels 0 (below level 1) to 4
        assert _rows(page, "table-levels") == [
            ["承德市", "0", "0", "1", "0", "1"],
            ["沧州市", "0", "0", "0", "1", "0"],
            ["所选城市合计", "0", "0", "1", "1", "1"],
        ]

        average = page.locator("svg#chart-average")
        expect(average).to_be_visible()
        expect(page.locator("#chart-average-title")).to_have_text("各城市核验平均分")
        labels = average.locator("text").all_text_contents()
        assert "承德市" in labels and "沧州市" in labels
        assert "60.0 · 已核验 2 家" in labels and "60.0 · 已核验 1 家" in labels  # the notes after the bars
        levels = page.locator("svg#chart-levels")
        expect(levels).to_be_visible()
        level_labels = levels.locator("text").all_text_contents()
        assert "承德市" in level_labels and "沧州市" in level_labels
        assert "n=2" in level_labels and "n=1" in level_labels
        for chart in ("chart-quarters", "chart-verified", "chart-dimensions"):
            expect(page.locator(f"svg#{chart}")).to_be_visible()
        expect(page.locator("#drill a")).to_have_text(["承德市", "沧州市"])

        # --- in English: the same report, same figures
        page.locator("form.lang-switch button.lang[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert sorted(parse_qs(urlsplit(page.url).query)["city"]) == [CHENGDE, CANGZHOU]
        expect(page.locator("#chart-average-title")).to_have_text("Average verified score by city")
        expect(page.locator("#table-cities thead th").first).to_have_text("City")
        assert [row[:8] for row in _rows(page, "table-cities")] == [
            ["Chengde", "2", "0", "2", "2", "100.0", "60.0", "—"],
            ["Cangzhou", "1", "0", "1", "1", "100.0", "60.0", "—"],
            ["All cities shown", "3", "0", "3", "3", "100.0", "60.0", "—"],
        ]
        labels = page.locator("svg#chart-average text").all_text_contents()
        assert "Chengde" in labels and "Cangzhou" in labels
        assert "60.0 · 2 verified" in labels and "60.0 · 1 verified" in labels
        level_labels = page.locator("svg#chart-levels text").all_text_contents()
        assert "Chengde" in level_labels and "Cangzhou" in level_labels

        # --- the CSV export holds what the screen shows
        with page.expect_download() as download_info:
            page.click("#export-csv")
        download = download_info.value
        assert download.suggested_filename.startswith("jjj-report-cities-")
        assert download.suggested_filename.endswith(".csv")
        with open(download.path(), "rb") as exported:
            content = exported.read()
        assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
        head, tables = csv_sections(content)
        assert head[0] == ["Regional reports: cities compared"]
        assert ["Period", "2025Q4 – 2025Q4"] in head
        overview = tables[0]
        assert overview[0][:2] == ["City", "Registered enterprises"]
        assert [row[:8] for row in overview[1:]] == [
            ["Chengde", "2", "0", "2", "2", "100.0", "60.0", ""],
            ["Cangzhou", "1", "0", "1", "1", "100.0", "60.0", ""],
            ["All cities shown", "3", "0", "3", "3", "100.0", "60.0", ""],
        ]

        # --- drill down: Chengde's industries, then the enterprises of C34
        page.locator("#drill").get_by_role("link", name="Chengde", exact=True).click()
        page.wait_for_url(f"**/reports/cities/{CHENGDE}/*")
        assert parse_qs(urlsplit(page.url).query)["until"] == ["2025Q4"]
        expect(page.locator("#out-of-scope")).to_have_count(0)
        industries = _rows(page, "table-industries")
        assert len(industries) == 1 and industries[0][0].startswith("C34 ")
        assert industries[0][1:5] == ["2", "2", "100.0", "60.0"]
        page.locator("#table-industries tbody tr").first.get_by_role("link").click()
        page.wait_for_url(f"**/reports/cities/{CHENGDE}/industries/C34/*")
        enterprise_rows = _rows(page, "table-enterprises")
        # Enterprise, district, size, level, verified score (highest first), approved on, percentile
        assert [(row[0], row[3], row[4]) for row in enterprise_rows] == [
            ("Report enterprise brep2", "Level 4", "80.0"),
            ("Report enterprise brep1", "Level 2", "40.0"),
        ]
        # the day of approval in the platform's time zone: both approvals happened at 00:00 in Beijing
        # (2025-10-21 and 2025-10-11), which is still the day before in UTC
        days = [timezone.localdate(when).isoformat() for when in (at("2025Q4", 20), at("2025Q4"))]
        assert days == ["2025-10-21", "2025-10-11"]
        assert [row[5] for row in enterprise_rows] == days
    finally:
        connection.set_schema_to_public()
        Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]).delete()  # facts cascade
        with transaction.atomic():
            rollup.rebuild()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)

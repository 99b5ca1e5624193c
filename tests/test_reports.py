"""Regional cross-city reports: aggregates against hand-counted fixtures (an empty city, a city with
one enterprise), the rollup kept by publishing and provisioning, filters, scope, exports equal to the
screen, and the API.

The fixture, in Hebei cities no other test uses (all approvals of the default framework version):

  Qinhuangdao 130300, three enterprises registered in 2025Q2:
    E1 C34 3m-20m    approved 2025Q2 total 40 (L2), again 2025Q4 total 70 (L3)
    E2 C34 20m-400m  approved 2025Q3 total 55 (L2)
    E3 C36 3m-20m    approved 2025Q3 total 10 (L0), again later in 2025Q3 total 30 (L1)
  Handan 130400, one enterprise registered 2025Q3: E4 C35 ge400m approved 2026Q1 total 82 (L4)
  Xingtai 130500: nothing
  Zhangjiakou 130700: E5 registered 2025Q4, never verified
"""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from manufacturing.frameworks.models import Framework
from manufacturing.review import publishing, signals, workbench
from manufacturing.review.models import AssessmentFact
from reports import rollup
from reports.models import OPEN, IndustrySpan, RegisteredCell, VerifiedCell
from reports.rollup import quarter_parse, quarter_start
from tenants.models import Enterprise
from tests.manufacturing.test_review import assigned, person

pytestmark = pytest.mark.django_db

PUBLIC = "localhost"
QHD, HANDAN, XINGTAI, ZJK = "130300", "130400", "130500", "130700"
CITIES = [QHD, HANDAN, XINGTAI]


def at(quarter: str, days: int = 10) -> datetime.datetime:
    return quarter_start(quarter_parse(quarter)) + datetime.timedelta(days=days)


def registered(key: str, *, city: str, industry: str, size: str, quarter: str, name: str = "") -> Enterprise:
    """An enterprise row as provisioning leaves it (the reports never enter its schema, so none is made),
    with the registration cells refreshed as provisioning does."""
    owner = person(f"rep-owner-{key}@example.com", "")
    with transaction.atomic():
        enterprise = Enterprise.objects.create(
            name=name or f"报表企业{key}",
            name_en=f"Report enterprise {key}",
            schema_name=f"rep_{key}",
            slug=f"rep-{key}",
            owner=owner,
            status=Enterprise.Status.READY,
            provisioned_at=at(quarter),
            city_id=city,
            industry_id=industry,
            revenue_band=size,
        )
        rollup.registered_refresh(city=city, quarter=rollup.quarter_of(enterprise.provisioned_at))
    return enterprise


def dims(total: float) -> list[dict]:
    # foundation carries 60 % of the total, management 40 %, outcomes nothing
    return [
        {"key": "foundation", "score": 0.6 * total, "max": 50},
        {"key": "management", "score": 0.4 * total, "max": 30},
        {"key": "outcomes", "score": 0.0, "max": 20},
    ]


_assessment_ids = iter(range(1, 10_000))


def approved(enterprise: Enterprise, *, when: datetime.datetime, total: float, level: int) -> AssessmentFact:
    """A fact written as the publisher writes it: inside `signals.facts_change` (the reports listen),
    with the enterprise locked."""
    framework = Framework.objects.get(is_default=True)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        with signals.facts_change(tenant_id=enterprise.pk, framework_id=framework.pk):
            fact = AssessmentFact.objects.create(
                tenant=enterprise,
                assessment_id=next(_assessment_ids),
                enterprise_name=enterprise.name,
                enterprise_name_en=enterprise.name_en,
                city_id=enterprise.city_id,
                province_code="130000",
                industry_id=enterprise.industry_id,
                industry_section="C",
                size=enterprise.revenue_band,
                framework=framework,
                total=total,
                level=level,
                dimension_scores=dims(total),
                self_total=total,
                self_level=level,
                approved_at=when,
            )
    return fact


@pytest.fixture
def region():
    e1 = registered("e1", city=QHD, industry="C34", size="3m-20m", quarter="2025Q2")
    e2 = registered("e2", city=QHD, industry="C34", size="20m-400m", quarter="2025Q2")
    e3 = registered("e3", city=QHD, industry="C36", size="3m-20m", quarter="2025Q2")
    e4 = registered("e4", city=HANDAN, industry="C35", size="ge400m", quarter="2025Q3")
    e5 = registered("e5", city=ZJK, industry="C34", size="3m-20m", quarter="2025Q4")
    approved(e1, when=at("2025Q2"), total=40, level=2)
    approved(e2, when=at("2025Q3"), total=55, level=2)
    approved(e3, when=at("2025Q3", 5), total=10, level=0)
    approved(e3, when=at("2025Q3", 40), total=30, level=1)
    approved(e1, when=at("2025Q4"), total=70, level=3)
    approved(e4, when=at("2026Q1"), total=82, level=4)
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5}


@pytest.fixture
def admins():
    return {
        "region": person("rep-admin@example.com", "regional_admin"),
        "hebei": person("rep-hebei@example.com", "regional_admin", "130000"),
        "qhd": person("rep-qhd@example.com", "regional_admin", QHD),
        "beijing": person("rep-beijing@example.com", "regional_admin", "110000"),
        "assessor": person("rep-assessor@example.com", "assessor"),
        "nobody": person("rep-nobody@example.com", ""),
    }


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_HOST=PUBLIC, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def query(**extra) -> str:
    params = {"since": "2025Q3", "until": "2025Q4", **extra}
    cities = params.pop("cities", CITIES)
    parts = [f"{k}={v}" for k, v in params.items()] + [f"city={c}" for c in cities]
    return "?" + "&".join(parts)


def by_code(payload: dict) -> dict:
    return {row["code"]: row for row in payload["cities"]}


# --- counting ------------------------------------------------------------------------------------------


def test_windows_count_the_last_approval_of_each_quarter_until_the_next_one():
    class F:
        def __init__(self, pk, quarter, day):
            self.pk, self.assessment_id, self.approved_at = pk, pk, at(quarter, day)

    facts = [F(1, "2025Q2", 1), F(2, "2025Q3", 1), F(3, "2025Q3", 50), F(4, "2026Q1", 1)]
    q = quarter_parse
    assert rollup.fact_windows(facts) == {
        1: (q("2025Q2"), q("2025Q3")),
        2: (None, None),  # superseded within its own quarter: never counted at a quarter's end
        3: (q("2025Q3"), q("2026Q1")),
        4: (q("2026Q1"), None),
    }


def test_quarters_follow_the_platform_time_zone():
    # 2025-06-30 17:00 UTC is 1 July 01:00 in Beijing: the third quarter there
    moment = datetime.datetime(2025, 6, 30, 17, 0, tzinfo=datetime.UTC)
    assert rollup.quarter_label(rollup.quarter_of(moment)) == "2025Q3"
    assert quarter_parse("2025q3") == quarter_parse(" 2025-Q3 ") == 2025 * 4 + 2
    assert quarter_parse("2025Q5") is None and quarter_parse("Q3") is None


def test_the_dashboard_matches_the_hand_counted_figures(region, admins):
    response = client_for(admins["region"]).get("/api/v1/reports/dashboard/" + query())
    assert response.status_code == 200, response.content
    body = response.json()
    rows = by_code(body)
    assert list(rows) == CITIES
    qhd = rows[QHD]
    assert (qhd["registered"], qhd["registered_change"]) == (3, 0)
    assert (qhd["verified"], qhd["verified_change"]) == (3, 2)  # E1 alone at the end of 2025Q2
    assert qhd["verified_share"] == 100.0
    assert qhd["average_score"] == 51.7  # (70 + 55 + 30) / 3
    assert qhd["average_score_change"] == 11.7  # from 40
    assert qhd["levels"] == {"0": 0, "1": 1, "2": 1, "3": 1, "4": 0}  # E3's level 0 was superseded
    assert qhd["dimensions"] == {"foundation": 31.0, "management": 20.7, "outcomes": 0.0}
    assert [(i["code"], i["verified"]) for i in qhd["leading_industries"]] == [("C34", 2), ("C36", 1)]
    assert qhd["quarters"] == [
        {"quarter": "2025Q3", "registered": 3, "verified": 3, "average_score": 41.7},
        {"quarter": "2025Q4", "registered": 3, "verified": 3, "average_score": 51.7},
    ]
    # a city with one enterprise, registered in the period and verified only after it
    handan = rows[HANDAN]
    assert (handan["registered"], handan["registered_change"], handan["verified"]) == (1, 1, 0)
    assert handan["average_score"] is None and handan["verified_share"] == 0.0
    # an empty city
    xingtai = rows[XINGTAI]
    assert (xingtai["registered"], xingtai["verified"], xingtai["verified_share"]) == (0, 0, None)
    assert xingtai["average_score"] is None and xingtai["leading_industries"] == []
    assert all(q["verified"] == 0 and q["average_score"] is None for q in xingtai["quarters"])
    total = body["total"]
    assert (total["registered"], total["verified"], total["average_score"]) == (4, 3, 51.7)
    assert body["filters"]["since"] == "2025Q3" and body["filters"]["cities"] == CITIES


def test_the_one_enterprise_city_once_it_is_verified(region, admins):
    body = client_for(admins["region"]).get("/api/v1/reports/dashboard/" + query(until="2026Q1")).json()
    handan = by_code(body)[HANDAN]
    assert (handan["verified"], handan["average_score"], handan["levels"]["4"]) == (1, 82.0, 1)
    assert handan["verified_share"] == 100.0
    assert [(i["code"], i["verified"]) for i in handan["leading_industries"]] == [("C35", 1)]
    assert body["total"]["verified"] == 4 and body["total"]["average_score"] == 59.2  # (70+55+30+82)/4


@pytest.mark.parametrize(
    ("extra", "registered", "verified", "average"),
    [
        ({"industry": "C34"}, 2, 2, 62.5),
        ({"size": "3m-20m"}, 2, 2, 50.0),
        ({"industry": "C34", "size": "3m-20m"}, 1, 1, 70.0),
        ({"industry": "C36", "size": "20m-400m"}, 0, 0, None),
        ({"since": "2025Q2", "until": "2025Q2"}, 3, 1, 40.0),
        ({"industry": "C34", "until": "2025Q3"}, 2, 2, 47.5),
    ],
)
def test_filter_combinations(region, admins, extra, registered, verified, average):
    body = client_for(admins["region"]).get("/api/v1/reports/dashboard/" + query(**extra)).json()
    qhd = by_code(body)[QHD]
    assert (qhd["registered"], qhd["verified"], qhd["average_score"]) == (registered, verified, average)


def test_another_framework_version_has_its_own_figures(region, admins):
    other = Framework.objects.exclude(is_default=True).first()
    body = client_for(admins["region"]).get("/api/v1/reports/dashboard/" + query(framework=other.pk)).json()
    assert by_code(body)[QHD]["verified"] == 0 and by_code(body)[QHD]["registered"] == 3
    assert next(d["key"] for d in body["dimensions"]) == "level-1"


def test_the_cells_kept_by_publishing_equal_a_full_rebuild(region):
    def snapshot():
        verified = {
            (c.framework_id, c.city, c.industry, c.size, c.quarter): (
                c.n,
                round(c.total_sum, 6),
                {k: v for k, v in c.levels.items() if v},
                {k: round(v, 6) for k, v in c.dimensions.items() if round(v, 6)},
            )
            for c in VerifiedCell.objects.all()
        }
        registered_cells = {
            (c.city, c.industry, c.size, c.quarter): c.n for c in RegisteredCell.objects.all()
        }
        spans = sorted(
            IndustrySpan.objects.values_list("framework", "city", "industry", "size", "since", "until", "n")
        )
        return {k: v for k, v in verified.items() if v[0] or v[1] or v[2] or v[3]}, registered_cells, spans

    incremental = snapshot()
    assert incremental[0], "the fixture's facts are in the cells"
    qhd_c34 = [s[4:] for s in incremental[2] if s[1:4] == (QHD, "C34", "*")]
    q = quarter_parse
    assert qhd_c34 == [(q("2025Q2"), q("2025Q3"), 1), (q("2025Q3"), OPEN, 2)]  # E1, then E1 and E2
    rollup.rebuild()
    assert snapshot() == incremental


def test_republishing_the_same_fact_changes_no_cell(region):
    fact = AssessmentFact.objects.get(tenant=region["e1"], total=70)
    before = sorted(VerifiedCell.objects.values_list("city", "industry", "size", "quarter", "n", "total_sum"))
    with (
        transaction.atomic(),
        signals.facts_change(tenant_id=fact.tenant_id, framework_id=fact.framework_id),
    ):
        AssessmentFact.objects.filter(pk=fact.pk).update(total=70)  # what a redelivered publish does
    after = sorted(VerifiedCell.objects.values_list("city", "industry", "size", "quarter", "n", "total_sum"))
    assert after == before


def test_a_real_publish_moves_the_enterprise_into_the_report(alpha, admins):
    assessment, assignment = assigned(alpha, {"admin": admins["region"], "assessor": admins["assessor"]})
    url = "/api/v1/reports/dashboard/?city=110000"
    before = by_code(client_for(admins["region"]).get(url).json())["110000"]
    workbench.approve(assessor=admins["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    after = by_code(client_for(admins["region"]).get(url).json())["110000"]
    assert after["verified"] == before["verified"] + 1
    assert after["registered"] == before["registered"] >= 1  # alpha itself is registered in Beijing
    assert after["levels"][str(AssessmentFact.objects.get(tenant=alpha.enterprise).level)] >= 1


# --- scope -----------------------------------------------------------------------------------------------

REPORT_PAGES = [
    "/reports/",
    f"/reports/cities/{QHD}/",
    f"/reports/cities/{QHD}/industries/C34/",
    "/reports/?export=csv",
    "/reports/?export=xlsx",
    f"/reports/cities/{QHD}/?export=csv",
    f"/reports/cities/{QHD}/industries/C34/?export=xlsx",
    "/api/v1/reports/dashboard/",
    f"/api/v1/reports/cities/{QHD}/",
    f"/api/v1/reports/cities/{QHD}/industries/C34/enterprises/",
]


@pytest.mark.parametrize("who", ["assessor", "nobody", "owner"])
def test_nobody_without_the_regional_admin_role_sees_any_report(region, admins, alpha, who):
    user = alpha.owner if who == "owner" else admins[who]
    client = client_for(user)
    for url in REPORT_PAGES:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Qinhuangdao" not in response.content.decode() and "秦皇岛" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses(region):
    client = Client(HTTP_HOST=PUBLIC)
    for url in REPORT_PAGES:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], url


def test_reports_do_not_exist_on_an_enterprise_host(region, admins, alpha):
    client = Client(HTTP_HOST=alpha.host)
    client.force_login(admins["region"])
    for url in ("/reports/", "/api/v1/reports/dashboard/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "allowed"), [("region", True), ("hebei", True), ("qhd", True), ("beijing", False)]
)
def test_enterprises_are_listed_only_within_the_admins_scope(region, admins, who, allowed):
    client = client_for(admins[who])
    page = client.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4")
    api = client.get(f"/api/v1/reports/cities/{QHD}/industries/C34/enterprises/?until=2025Q4")
    export = client.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4&export=csv")
    if allowed:
        assert (page.status_code, api.status_code, export.status_code) == (200, 200, 200)
        assert [r["score"] for r in api.json()["results"]] == [70.0, 55.0]
        assert "Report enterprise e1" in page.content.decode()
    else:
        assert (page.status_code, api.status_code, export.status_code) == (404, 404, 404)
    # the aggregates are region-wide: every admin sees the city's industries
    city = client.get(f"/reports/cities/{QHD}/?until=2025Q4")
    assert city.status_code == 200
    assert ('id="out-of-scope"' in city.content.decode()) is not allowed
    assert (f"/reports/cities/{QHD}/industries/C34/" in city.content.decode()) is allowed
    assert client.get(f"/api/v1/reports/cities/{QHD}/?until=2025Q4").status_code == 200


def test_a_city_admin_cannot_list_another_citys_enterprises_by_any_route(region, admins):
    client = client_for(admins["qhd"])
    assert client.get(f"/reports/cities/{HANDAN}/industries/C35/?until=2026Q1").status_code == 404
    assert client.get(f"/api/v1/reports/cities/{HANDAN}/industries/C35/enterprises/").status_code == 404
    assert client.get(f"/reports/cities/{HANDAN}/industries/C35/?export=xlsx").status_code == 404


def test_each_admin_starts_from_the_cities_of_their_scope(admins):
    def cities(who):
        return [c["code"] for c in client_for(admins[who]).get("/api/v1/reports/dashboard/").json()["cities"]]

    assert len(cities("region")) == 14
    hebei = cities("hebei")
    assert len(hebei) == 12 and "133100" in hebei and "110000" not in hebei
    assert cities("beijing") == ["110000"]
    assert cities("qhd") == [QHD]  # a city of Hebei, not the province
    page = client_for(admins["beijing"]).get("/reports/").content.decode()
    assert 'id="compare-hint"' in page
    # any admin may add other cities to compare (the aggregates are region-wide)
    both = client_for(admins["beijing"]).get("/api/v1/reports/dashboard/?city=110000&city=120000").json()
    assert [c["code"] for c in both["cities"]] == ["110000", "120000"]
    assert [c["in_scope"] for c in both["cities"]] == [True, False]


def test_the_drill_down_lists_industries_then_enterprises(region, admins):
    client = client_for(admins["region"])
    rows = client.get(f"/api/v1/reports/cities/{QHD}/?until=2025Q4").json()
    assert [(r["code"], r["registered"], r["verified"], r["average_score"]) for r in rows] == [
        ("C34", 2, 2, 62.5),
        ("C36", 1, 1, 30.0),
    ]
    early = client.get(f"/api/v1/reports/cities/{QHD}/industries/C34/enterprises/?until=2025Q2").json()
    assert [(r["enterprise"]["en"], r["score"], r["level"]) for r in early["results"]] == [
        ("Report enterprise e1", 40.0, 2)
    ]
    assert set(early["results"][0]) == {
        "enterprise",
        "district",
        "size",
        "level",
        "score",
        "approved_at",
        "percentile",
    }  # fmt: skip  (published figures only, never answers)


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("since=2031Q1", "since"),
        ("until=2024Q4", "until"),
        ("until=yesterday", "until"),
        ("since=2025Q4&until=2025Q3", "__all__"),
        ("city=999999", "city"),
        ("city=110101", "city"),  # a district, not a report city
        ("size=huge", "size"),
        ("industry=Z99", "industry"),
        ("framework=999999", "framework"),
        ("framework=abc", "framework"),
    ],
)
def test_bad_filters_get_a_clear_error_in_both_languages(admins, params, field):
    client = client_for(admins["region"])
    api = client.get(f"/api/v1/reports/dashboard/?{params}")
    assert api.status_code == 400
    body = api.json()
    assert body["fields"] == [field] and body["messages"]["zh"] and body["messages"]["en"]
    assert body["messages"]["zh"] != body["messages"]["en"]
    page = client.get(f"/reports/?{params}")
    assert page.status_code == 400 and 'id="report-error"' in page.content.decode()
    zh = client_for(admins["region"], "zh-hans").get(f"/reports/?{params}").content.decode()
    assert "以下筛选条件无法使用" in zh


@pytest.mark.parametrize("params", ["until=%20", "since=%20&until=%20", "framework=%20", "since=+"])
def test_blank_filters_mean_the_defaults(admins, params):
    client = client_for(admins["region"])
    assert client.get(f"/reports/?{params}").status_code == 200
    assert client.get(f"/api/v1/reports/dashboard/?{params}").status_code == 200


def test_nul_characters_get_a_clear_error_not_a_crash(admins):
    client = client_for(admins["region"])
    for params in ("city=1%00", "industry=C%0034", "framework=%00", "until=2025Q1%00"):
        assert client.get(f"/api/v1/reports/dashboard/?{params}").status_code == 400, params
        assert client.get(f"/reports/?{params}").status_code == 400, params
    for url in (
        "/reports/cities/%00/",
        "/reports/cities/130300/industries/C%0034/",
        "/api/v1/reports/cities/%00/",
    ):
        assert client.get(url).status_code == 404, url


def test_setup_rebuilds_the_cells_of_an_installation_that_predates_them(region):
    assert not rollup.backfill_needed()

    def kept():
        return (
            sorted(VerifiedCell.objects.values_list("framework", "city", "industry", "size", "quarter", "n")),
            sorted(RegisteredCell.objects.values_list("city", "industry", "size", "quarter", "n")),
            sorted(
                IndustrySpan.objects.values_list(
                    "framework", "city", "industry", "size", "since", "until", "n"
                )
            ),
        )

    before = kept()
    assert all(before)
    VerifiedCell.objects.all().delete()
    RegisteredCell.objects.all().delete()
    IndustrySpan.objects.all().delete()
    assert rollup.backfill_needed()
    rollup.rebuild()
    assert kept() == before


def test_the_form_shows_the_defaults_the_figures_use(admins):
    """A page opened without filters must show (and so submit again) the framework and period it
    reports on."""
    page = client_for(admins["region"]).get("/reports/")
    form = page.context["form"]
    default = Framework.objects.get(is_default=True)
    assert form["framework"].value() == str(default.pk)
    until = rollup.quarter_of(timezone.now())
    assert form["until"].value() == rollup.quarter_label(until)
    assert form["since"].value() == rollup.quarter_label(max(until - 3, quarter_parse("2025Q1")))
    html = page.content.decode()
    assert f'<option value="{default.pk}" selected>' in html
    assert f'<option value="{rollup.quarter_label(until)}" selected>' in html


def test_dates_are_the_platforms_local_dates(region, admins):
    # E1's second approval is at 00:00 on the 11th day of 2025Q4 in Beijing: 16:00 UTC the day before
    rows = client_for(admins["region"]).get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4")
    assert rows.context["tables"][0].rows[0][5] == "2025-10-11"


def test_an_unknown_export_format_is_refused_clearly(admins):
    response = client_for(admins["region"]).get("/reports/?export=pdf")
    assert response.status_code == 400 and "CSV or XLSX" in response.content.decode()


# --- exports equal the screen --------------------------------------------------------------------------


class Tables(HTMLParser):
    """The text of every <table id="table-..."> on a page: {id: [[cell, ...], ...]} (header first)."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self.current = self.tables.setdefault(attrs["id"][6:], [])
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def screen(html: str) -> dict:
    parser = Tables()
    parser.feed(html)
    return {
        key: [["" if v == "—" else v for v in row] for row in rows] for key, rows in parser.tables.items()
    }


def csv_sections(content: bytes) -> tuple[list, list[list[list[str]]]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    blocks, block = [], []
    for row in rows:
        if row:
            block.append(row)
        else:
            blocks.append(block)
            block = []
    blocks.append(block)
    head, tables = blocks[0], [b[1:] for b in blocks[1:]]  # each table: its title, then header and rows
    return head, tables


def _cell(value):
    """A cell as text, numbers as numbers: Excel keeps 100.0 as the number 100."""
    text = "" if value is None else str(value)
    try:
        return float(text)
    except ValueError:
        return text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "url",
    [
        "/reports/" + query(industry="C34"),
        "/reports/" + query(until="2026Q1"),
        f"/reports/cities/{QHD}/" + query(),
        f"/reports/cities/{QHD}/industries/C34/" + query(),
    ],
)
def test_exports_hold_exactly_what_the_screen_shows_with_the_filters(region, admins, url, language):
    client = client_for(admins["region"], language)
    page = client.get(url)
    assert page.status_code == 200
    shown = screen(page.content.decode())
    assert shown and all(len(rows) > 1 for rows in shown.values())

    head, tables = csv_sections(client.get(url + "&export=csv").content)
    assert [_t for _t in tables] == list(shown.values())
    applied = page.context["described"]
    assert head[1:] == [[label, value] for label, value in applied]  # the filters, under the title

    book = load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content))
    sheets = book.worksheets
    assert [list(row) for row in sheets[0].iter_rows(min_row=2, values_only=True)] == [
        [label, value] for label, value in applied
    ]
    for sheet, rows in zip(sheets[1:], shown.values(), strict=True):
        got = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        assert got == [[_cell(c) for c in row] for row in rows]


def test_text_that_a_spreadsheet_would_run_is_exported_as_text(admins):
    hostile = registered(
        "e9", city=QHD, industry="C34", size="3m-20m", quarter="2025Q2", name='=HYPERLINK("x")'
    )
    hostile.name_en = "@SUM(A1)"
    hostile.save(update_fields=["name_en"])
    approved(hostile, when=at("2025Q3"), total=50, level=2)
    client = client_for(admins["region"], "zh-hans")
    _head, tables = csv_sections(
        client.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4&export=csv").content
    )
    assert tables[0][1][0] == '\'=HYPERLINK("x")'
    book = load_workbook(
        io.BytesIO(client.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4&export=xlsx").content)
    )
    cell = book.worksheets[1]["A2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    page = client.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4").content.decode()
    assert "=HYPERLINK(&quot;x&quot;)" in page
    english = client_for(admins["region"], "en")  # the English name starts with @
    _head, tables = csv_sections(
        english.get(f"/reports/cities/{QHD}/industries/C34/?until=2025Q4&export=csv").content
    )
    assert tables[0][1][0] == "'@SUM(A1)"


def test_the_dashboard_page_draws_its_charts_in_the_pages_language(region, admins):
    en = client_for(admins["region"]).get("/reports/" + query()).content.decode()
    zh = client_for(admins["region"], "zh-hans").get("/reports/" + query()).content.decode()
    for chart in ("chart-average", "chart-levels", "chart-quarters", "chart-verified", "chart-dimensions"):
        assert f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart}"' in en
    assert "Qinhuangdao" in en and "Average verified score by city" in en
    assert "秦皇岛市" in zh and "各城市核验平均分" in zh
    assert "<script" not in en.split("<main", 1)[1]  # drawn by the server, no chart script


def test_a_fact_moving_city_leaves_its_old_cells():
    """The publisher announces before and after it writes: a republished fact whose enterprise moved
    city leaves the old city's cells as well as entering the new city's (what the cells were
    counted in is noted before the write)."""
    e = registered("move1", city=XINGTAI, industry="C34", size="3m-20m", quarter="2025Q2")
    fact = approved(e, when=at("2025Q2"), total=50, level=2)

    def counted(city):
        return VerifiedCell.objects.filter(city=city, industry="*", size="*").aggregate(n=Sum("n"))["n"] or 0

    assert counted(XINGTAI) == 1
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=e.pk)
        with signals.facts_change(tenant_id=e.pk, framework_id=fact.framework_id):
            AssessmentFact.objects.filter(pk=fact.pk).update(city_id="130700")
    assert counted(XINGTAI) == 0 and counted("130700") == 1
    rollup.rebuild()
    assert counted(XINGTAI) == 0 and counted("130700") == 1

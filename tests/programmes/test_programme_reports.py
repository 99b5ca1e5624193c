"""The reports' programme view: exact figures per city, per segment and per provider from a hand-built
set of project facts; the admin's scope (rows of their cities only; 404 for a programme they do not
see, and for anyone but a regional admin); the CSV/XLSX exports hold what the page shows; both
languages; the API."""

import csv
import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from programmes.models import ProjectFact
from tests.programmes.conftest import make_programme, make_provider, person

pytestmark = pytest.mark.django_db

PUBLIC = "localhost"
TIANJIN, BAODING, BEIJING = "120000", "130600", "110000"
S1, S2 = "C34-pumps-valves", "C35-agri-machinery"
_ids = itertools.count(9_000_001)


def fact(world, programme, *, city, segment, provider, state, before=1, after=None, target=None, **extra):
    now = timezone.now()
    approved = state not in ("applied", "submitted", "returned") and not extra.pop("never_approved", False)
    completed = state in ("completed", "verified", "granted", "refused")
    return ProjectFact.objects.create(
        project_id=next(_ids),
        tenant=world.enterprise,
        programme=programme,
        state=state,
        city_id=city,
        province_code=city[:2] + "0000",
        industry_id=segment[:3] if segment else "C34",
        segment_id=segment,
        size="3m-20m",
        provider=provider,
        before_level=before,
        before_total=30.0,
        after_level=after,
        after_total=None if after is None else 50.0,
        target_met=target,
        applied_at=now - datetime.timedelta(days=60),
        approved_at=now - datetime.timedelta(days=50) if approved else None,
        completed_at=now - datetime.timedelta(days=5) if completed else None,
        enterprise_name=world.enterprise.name,
        **extra,
    )


@pytest.fixture
def world(alpha, beta):
    """A programme in Tianjin and Baoding with seven projects (facts) of two providers, and a
    programme in Beijing only."""
    programme = make_programme(
        cities=(TIANJIN, BAODING),
        name_en="Pilot TJ-BD",
        budget=Decimal("1000000"),
        reserved=Decimal("100000"),
        granted=Decimal("90000"),
    )
    programme.segments.set([S1, S2])
    a, _ = make_provider("rep-a", city=TIANJIN)
    b, _ = make_provider("rep-b", city=BAODING)
    made = [
        fact(alpha, programme, city=TIANJIN, segment=S1, provider=a, state="granted", before=1, after=3,
             target=True, subsidy_granted=Decimal("60000"), contract_amount=Decimal("200000")),
        fact(alpha, programme, city=TIANJIN, segment=S1, provider=a, state="refused", before=1, after=1,
             target=False),
        fact(beta, programme, city=TIANJIN, segment=S2, provider=b, state="approved"),
        fact(beta, programme, city=TIANJIN, segment=None, provider=None, state="applied"),
        fact(alpha, programme, city=BAODING, segment=S2, provider=b, state="granted", before=2, after=3,
             target=True, subsidy_granted=Decimal("30000")),
        fact(beta, programme, city=BAODING, segment=S1, provider=b, state="withdrawn", never_approved=True),
        fact(alpha, programme, city=BAODING, segment=S2, provider=a, state="verified", before=1, after=3,
             target=True),
    ]  # fmt: skip
    beijing = make_programme(cities=(BEIJING,), name_zh="北京试点", name_en="Beijing pilot")
    fact(alpha, beijing, city=BEIJING, segment=S1, provider=a, state="applied")
    admins = {
        "region": person("prep-region@example.com", "regional_admin"),
        "tianjin": person("prep-tianjin@example.com", "regional_admin", TIANJIN),
        "hebei": person("prep-hebei@example.com", "regional_admin", "130000"),
        "provider": person("prep-provider@example.com", "provider"),
        "assessor": person("prep-assessor@example.com", "assessor"),
    }
    return {"programme": programme, "beijing": beijing, "a": a, "b": b, "facts": made, "admins": admins}


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_HOST=PUBLIC, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# applied, enrolled, under way, completed, after verified, target met, share %, gain, granted n,
# granted (CNY 10,000), share of the budget %
TIANJIN_ROW = [4, 3, 1, 2, 2, 1, 50.0, 1.0, 1, 6.0, 6.0]
BAODING_ROW = [3, 2, 1, 2, 2, 2, 100.0, 1.5, 1, 3.0, 3.0]
TOTAL_ROW = [7, 5, 2, 4, 4, 3, 75.0, 1.25, 2, 9.0, 9.0]


def _api(client, programme):
    return client.get(f"/api/v1/reports/programmes/{programme.pk}/")


def test_the_figures_per_city_segment_and_provider_are_exact(world):
    from reports import programme_selectors as selectors
    from reports.programme_tables import programme_tables

    admin = world["admins"]["region"]
    report = selectors.programme_report(world["programme"], admin=admin)
    with translation.override("en"):
        tables = {t.key: t for t in programme_tables(report)}
    cities = tables["programme-cities"]
    assert [row[0] for row in cities.rows] == ["Tianjin", "Baoding", "All cities shown"]
    assert [row[1:] for row in cities.rows] == [TIANJIN_ROW, BAODING_ROW, TOTAL_ROW]
    assert cities.total_from == 2
    segments = tables["programme-segments"]
    assert [row[1:] for row in segments.rows] == [
        [3, 2, 0, 2, 2, 1, 50.0, 1.0, 1, 6.0, 6.0],  # S1: the refused one gained nothing
        [3, 3, 2, 2, 2, 2, 100.0, 1.5, 1, 3.0, 3.0],  # S2
        [1, 0, 0, 0, 0, 0, None, None, 0, 0.0, 0.0],  # no segment given
        TOTAL_ROW,
    ]
    assert segments.rows[2][0] == "No segment given"
    providers = tables["programme-providers"]
    # A: three approved (1, 2, 7), all completed and verified, two at the target, gains 2, 0, 2.
    # B: two approved (3, 5; 6 was withdrawn before approval), one completed at the target.
    assert providers.rows == [
        ["Provider rep-a", 3, 3, 3, 2, 66.7, 1.33],
        ["Provider rep-b", 2, 1, 1, 1, 100.0, 1.0],
    ]
    assert tables["programme-budget"].rows == [[100.0, 10.0, 9.0, 81.0, 19.0]]


def test_the_api_gives_the_same_figures(world):
    body = _api(client_for(world["admins"]["region"]), world["programme"]).json()
    assert body["programme"]["cities_shown"] == [TIANJIN, BAODING]
    assert body["budget"] == {
        "budget": "1000000.00", "reserved": "100000.00", "granted": "90000.00", "remaining": "810000.00"
    }  # fmt: skip
    tianjin = body["cities"][0]
    assert (tianjin["code"], tianjin["name"]["zh"], tianjin["name"]["en"]) == (TIANJIN, "天津市", "Tianjin")
    assert [tianjin[k] for k in ("applied", "enrolled", "under_way", "completed", "after_verified")] == [
        4, 3, 1, 2, 2
    ]  # fmt: skip
    assert (tianjin["target_share"], tianjin["average_gain"], tianjin["subsidy_granted"]) == (
        50.0,
        1.0,
        "60000.00",
    )
    assert body["total"]["average_gain"] == 1.25 and body["total"]["target_share"] == 75.0
    assert [p["id"] for p in body["providers"]] == [world["a"].pk, world["b"].pk]
    assert [s["code"] for s in body["segments"]] == [S1, S2, None]


def test_a_city_admin_sees_the_rows_of_their_city_and_no_programme_outside_their_scope(world):
    tianjin = client_for(world["admins"]["tianjin"])
    body = _api(tianjin, world["programme"]).json()
    assert [c["code"] for c in body["cities"]] == [TIANJIN]
    assert body["total"]["applied"] == 4 and body["total"]["subsidy_granted"] == "60000.00"
    # Their providers' outcomes only from Tianjin's projects: A's 1 and 2, B's 3.
    assert [(p["name"]["en"], p["enrolled"], p["after_verified"]) for p in body["providers"]] == [
        ("Provider rep-a", 2, 2), ("Provider rep-b", 1, 0)
    ]  # fmt: skip
    page = tianjin.get(f"/reports/programmes/{world['programme'].pk}/").content.decode()
    assert "Tianjin" in page and "Baoding" not in page.split('id="applied-filters"')[1]
    # The Beijing programme does not exist for them: page, export, API.
    beijing = world["beijing"].pk
    for path in (
        f"/reports/programmes/{beijing}/",
        f"/reports/programmes/{beijing}/?export=csv",
        f"/api/v1/reports/programmes/{beijing}/",
    ):
        assert tianjin.get(path).status_code == 404, path
    listed = tianjin.get("/reports/programmes/").content.decode()
    assert "Pilot TJ-BD" in listed and "Beijing pilot" not in listed
    # A province's admin sees Baoding's rows of the same programme.
    hebei = _api(client_for(world["admins"]["hebei"]), world["programme"]).json()
    assert [c["code"] for c in hebei["cities"]] == [BAODING] and hebei["total"]["applied"] == 3


@pytest.mark.parametrize("who", ["provider", "assessor"])
def test_anyone_but_a_regional_admin_gets_404(world, who):
    client = client_for(world["admins"][who])
    programme = world["programme"].pk
    for path in (
        "/reports/programmes/",
        f"/reports/programmes/{programme}/",
        f"/reports/programmes/{programme}/?export=xlsx",
        f"/api/v1/reports/programmes/{programme}/",
    ):
        assert client.get(path).status_code == 404, path
    anonymous = Client(HTTP_HOST=PUBLIC)
    assert anonymous.get(f"/api/v1/reports/programmes/{programme}/").status_code in (401, 403)
    assert anonymous.get(f"/reports/programmes/{programme}/").status_code == 302  # to sign in


def test_unknown_programmes_and_exports_are_clear_4xx(world):
    client = client_for(world["admins"]["region"])
    assert client.get("/reports/programmes/999999999/").status_code == 404
    assert client.get("/api/v1/reports/programmes/999999999/").status_code == 404
    assert client.get("/api/v1/reports/programmes/99999999999999999999999999/").status_code == 404
    assert client.get("/reports/programmes/99999999999999999999999999/?export=csv").status_code == 404
    bad = client.get(f"/reports/programmes/{world['programme'].pk}/?export=pdf")
    assert bad.status_code == 400 and "CSV or XLSX" in bad.content.decode()


def _csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_exports_hold_what_the_page_shows_in_the_page_language(world):
    path = f"/reports/programmes/{world['programme'].pk}/"
    english = client_for(world["admins"]["region"], "en")
    response = english.get(path + "?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"jjj-report-programme-{world['programme'].pk}-" in response["Content-Disposition"]
    rows = _csv(response.content)
    assert rows[0] == ["Regional reports: Pilot TJ-BD"]
    assert ["Cities shown", "Tianjin, Baoding"] in rows
    assert ["Subsidy", "30% of the contract, at most CNY 150,000.00"] in rows
    header = rows.index(["By city"]) + 1
    assert rows[header][:2] == ["City", "Applied"] and "Share reaching the target (%)" in rows[header]
    assert rows[header + 1] == ["Tianjin", *[str(v) for v in TIANJIN_ROW]]
    assert rows[header + 3] == ["All cities shown", *[str(v) for v in TOTAL_ROW]]
    providers = rows.index(["Service providers' outcomes"]) + 1
    assert rows[providers + 1] == ["Provider rep-a", "3", "3", "3", "2", "66.7", "1.33"]

    chinese = client_for(world["admins"]["region"], "zh-hans")
    book = load_workbook(io.BytesIO(chinese.get(path + "?export=xlsx").content))
    assert book.sheetnames[0] == "筛选条件"  # the filters sheet comes first
    assert ["试点项目", "中小企业数字化转型试点"] in [
        list(r) for r in book["筛选条件"].iter_rows(values_only=True)
    ]
    by_city = next(book[name] for name in book.sheetnames if name.startswith("按城市"))
    values = [list(row) for row in by_city.iter_rows(values_only=True)]
    assert values[0][0] == "城市" and "达到目标的比例（%）" in values[0]
    assert values[1] == ["天津市", *TIANJIN_ROW]
    page = chinese.get(path).content.decode()
    assert "按城市" in page and "服务商成效" in page and "达到目标的比例（%）" in page


def test_the_dashboard_links_to_the_programme_view(world):
    page = client_for(world["admins"]["region"]).get("/reports/").content.decode()
    assert 'href="/reports/programmes/"' in page

"""The programmes an enterprise sees on its host, each with every reason it may not apply (yet)."""

import datetime

import pytest
from django.utils import timezone

from tests.programmes.conftest import make_programme, verified

pytestmark = pytest.mark.django_db


def _rows(world):
    response = world.client().get("/api/v1/transformation/programmes/")
    assert response.status_code == 200
    return {row["programme"]["id"]: row for row in response.json()}


def test_only_open_programmes_of_the_enterprises_city_are_listed(alpha):
    own = make_programme(cities=("110000",))
    elsewhere = make_programme(cities=("120000",))
    draft = make_programme(state="draft")
    rows = _rows(alpha)
    assert own.pk in rows and elsewhere.pk not in rows and draft.pk not in rows


def test_without_a_verified_level_the_reason_says_to_assess(alpha):
    programme = make_programme()
    row = _rows(alpha)[programme.pk]
    assert row["eligible"] is False
    assert row["reasons"] == [
        {
            "code": "needs_verified_level",
            "message": row["reasons"][0]["message"],
            "action": "assess",
        }
    ]
    assert set(row["reasons"][0]["message"]) == {"zh", "en"}
    english = alpha.client().get("/transformation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert row["reasons"][0]["message"]["en"] in english and 'href="/assessments/"' in english
    chinese = alpha.client().get("/transformation/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert row["reasons"][0]["message"]["zh"] in chinese
    assert "合同金额的 30.00%，最高 150,000 元" in chinese and "前往评估" in chinese


def test_a_verified_level_makes_it_eligible(alpha, people):
    verified(alpha, people, scene_level=1)
    programme = make_programme()
    row = _rows(alpha)[programme.pk]
    assert row["eligible"] is True and row["reasons"] == [] and row["project"] is None
    assert (
        "Apply with our verified level"
        in alpha.client().get("/transformation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_every_reason_is_given(alpha, people):
    verified(alpha, people, scene_level=1)
    today = timezone.localdate()
    programme = make_programme(
        sizes=["ge400m"],
        verified_since=today + datetime.timedelta(days=1),
        apply_from=today + datetime.timedelta(days=5),
        providers_from=today,
        providers_until=today + datetime.timedelta(days=5),
    )
    from tenants.models import Industry

    programme.divisions.set(Industry.objects.filter(code="C35"))
    codes = [r["code"] for r in _rows(alpha)[programme.pk]["reasons"]]
    assert codes == ["not_yet", "division", "size", "verified_too_old"]


def test_the_verified_day_is_the_day_in_beijing_not_in_utc():
    """Verified at 07:30 on 1 January in Beijing (still 31 December in UTC) counts as 1 January."""
    from zoneinfo import ZoneInfo

    from programmes import rules

    since = datetime.date(2025, 1, 1)
    terms = rules.ProgrammeTerms(
        state="open",
        city_codes={"120000"},
        verified_since=since,
        apply_from=since,
        apply_until=datetime.date(2025, 12, 31),
    )
    approved = datetime.datetime(2025, 1, 1, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(datetime.UTC)
    verified = {"level": 2, "approved_at": approved}
    reasons = rules.eligibility(
        terms=terms,
        city="120000",
        division="C34",
        size="",
        verified=verified,
        today=datetime.date(2025, 3, 1),
    )
    assert [r.code for r in reasons] == []
    earlier = {"level": 2, "approved_at": approved - datetime.timedelta(hours=8)}
    reasons = rules.eligibility(
        terms=terms, city="120000", division="C34", size="", verified=earlier, today=datetime.date(2025, 3, 1)
    )
    assert [r.code for r in reasons] == ["verified_too_old"]

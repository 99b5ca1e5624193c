"""The programmes' demo data (programmes/demo.py through portal/demo.py): what the issue asks for,
the budget invariants, the facts published, idempotent, and the reports' programme view showing it."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from programmes.models import Enrolment, Event, Milestone, Programme, Project, ProjectFact, Provider, Solution
from tenants.models import Enterprise, User

pytestmark = pytest.mark.django_db

MODELS = (Programme, Provider, Solution, Enrolment, Project, Milestone, Event, ProjectFact, Enterprise, User)


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo():
    from portal import demo as portal_demo

    logins = portal_demo.demo_data_ensure()
    programmes = {p.cities.get().code: p for p in Programme.objects.filter(name_zh__endswith="（演示）")}
    return {"logins": logins, "tianjin": programmes["120000"], "baoding": programmes["130600"]}


def test_the_demo_has_two_open_pilots_with_two_accepted_providers_each(demo):
    for key, admin in (("tianjin", "region-admin@example.com"), ("baoding", "hebei-admin@example.com")):
        programme = demo[key]
        assert programme.state == "open" and programme.created_by.email == admin
        accepted = programme.enrolments.filter(status="accepted")
        assert accepted.count() == 2
        for enrolment in accepted:
            assert 2 <= enrolment.provider.solutions.filter(is_active=True).count() <= 3
            member = enrolment.provider.members.get().user
            assert member.platform_role == "provider" and member.check_password("jjj-demo-2026")
    scenes = set()
    for solution in Solution.objects.filter(provider__name_zh__endswith="（演示）"):
        scenes |= set(solution.scenes)
    assert {"quality-management", "equipment-management", "warehousing-logistics"} <= scenes
    emails = {login["email"] for login in demo["logins"]}
    assert {"provider-tj@example.com", "provider-bd@example.com", "owner@tj-jinghai.example.com"} <= emails


def test_one_enterprise_is_mid_project_and_one_completed_and_subsidised(demo):
    mid = Project.objects.get(programme=demo["tianjin"], tenant__slug="tj-jinghai")
    assert mid.state == "approved" and mid.subsidy_reserved == Decimal("84000.00")  # 30 % of 280,000
    assert sorted(mid.milestones.values_list("state", flat=True)) == ["confirmed", "planned", "reported"]
    done = Project.objects.get(programme=demo["baoding"], tenant__slug="bd-lianchi")
    assert done.state == "granted" and done.subsidy_granted == Decimal("144000.00")  # 40 % of 360,000
    assert done.subsidy_reserved == 0 and done.target_met is True
    assert done.after_level >= 2 and done.after_level - done.before_level >= 1
    assert done.after_total > done.before_total  # the points rose with the level
    # The after-level is another verified assessment, verified by another assessor.
    assert done.after_assessment_id != done.before_assessment_id
    assert done.before_assessor.email == "assessor@example.com"
    assert done.after_assessor.email == "assessor2@example.com"
    assert set(done.milestones.values_list("state", flat=True)) == {"confirmed"}
    actions = list(done.events.values_list("action", flat=True))
    for action in ("project_applied", "project_submitted", "project_approved", "milestone_confirmed",
                   "project_completed", "after_verified", "subsidy_granted"):  # fmt: skip
        assert action in actions, action


def test_the_budgets_are_those_of_the_projects_and_the_facts_are_published(demo):
    for programme in (demo["tianjin"], demo["baoding"]):
        programme.refresh_from_db()
        projects = Project.objects.filter(programme=programme)
        reserved = projects.filter(state__in=Project.RESERVING).aggregate(s=Sum("subsidy_reserved"))["s"] or 0
        granted = projects.filter(state="granted").aggregate(s=Sum("subsidy_granted"))["s"] or 0
        assert (programme.reserved, programme.granted) == (reserved, granted)
        for project in projects:
            assert project.fact_published == project.fact_version
            fact = ProjectFact.objects.get(project_id=project.pk)
            assert (fact.state, fact.subsidy_granted, fact.after_level) == (
                project.state, project.subsidy_granted, project.after_level
            )  # fmt: skip
    assert demo["tianjin"].reserved == Decimal("84000.00") and demo["baoding"].granted == Decimal("144000.00")


def test_running_the_demo_again_changes_nothing(demo):
    from portal import demo as portal_demo

    before = _counts()
    budgets = list(Programme.objects.order_by("pk").values_list("reserved", "granted"))
    portal_demo.demo_data_ensure()
    assert _counts() == before
    assert list(Programme.objects.order_by("pk").values_list("reserved", "granted")) == budgets


def test_the_reports_programme_view_shows_the_demo(demo):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(email="region-admin@example.com"))
    baoding = client.get(f"/api/v1/reports/programmes/{demo['baoding'].pk}/").json()
    assert baoding["budget"]["granted"] == "144000.00" and baoding["budget"]["reserved"] == "0.00"
    total = baoding["total"]
    assert (total["applied"], total["enrolled"], total["completed"], total["after_verified"]) == (1, 1, 1, 1)
    assert (total["target_share"], total["subsidy_granted"]) == (100.0, "144000.00")
    assert [p["name"]["en"] for p in baoding["providers"]] == [
        "Jilian Industrial Internet Services Co., Ltd. (demo)"
    ]
    tianjin = client.get(f"/api/v1/reports/programmes/{demo['tianjin'].pk}/").json()
    assert tianjin["budget"]["reserved"] == "84000.00"
    assert (tianjin["total"]["under_way"], tianjin["total"]["completed"]) == (1, 0)
    # The Hebei admin sees Baoding's pilot, not Tianjin's.
    hebei = Client(HTTP_HOST="localhost")
    hebei.force_login(User.objects.get(email="hebei-admin@example.com"))
    assert hebei.get(f"/reports/programmes/{demo['baoding'].pk}/").status_code == 200
    assert hebei.get(f"/reports/programmes/{demo['tianjin'].pk}/").status_code == 404

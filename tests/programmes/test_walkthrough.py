"""What a product walk-through of the programmes found: the history shows states' labels, money reads
one way, a returned project keeps its contract's dates, stale reasons go, the subsidy is told by state,
every error of a programme at once, a contract outside its solution's price range is flagged, a
solution must fit the enterprise, only accepted providers are public, state buttons name actions, the
completion asks first, sign-up links and a provider's menu, the naming consent, milestone updates and
deletion, plurals and English names."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from core.api import ApplicationError, ConflictError
from core.models import Notice
from programmes import admin_programmes, presenters, projects
from programmes.models import Enrolment, Event, Milestone, Programme, Project
from tests.programmes.conftest import framework, make_programme, make_provider, make_solution
from tests.programmes.projects_helpers import accepted, applied, approve, contract, submitted_project
from tests.programmes.test_admin_programmes import client_of, data
from tests.programmes.test_budget import make_project

pytestmark = pytest.mark.django_db


def public() -> Client:
    return Client(HTTP_HOST=settings.PORTAL_DOMAIN)


def page(client, path, language="en") -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# --- 1. the history names states -------------------------------------------------------------------------


def test_the_histories_show_state_labels_not_codes(people, alpha):
    admin = people["beijing_admin"]
    created = admin_programmes.programme_save(admin=admin, data=data(cities=["110000"]))
    admin_programmes.programme_set_state(admin=admin, programme_id=created.pk, state="open")
    html = page(client_of(admin), f"/programmes/manage/{created.pk}/")
    assert "Draft → Open" in html and "draft → open" not in html
    chinese = page(client_of(admin), f"/programmes/manage/{created.pk}/", "zh-hans")
    assert "草稿 → " in chinese and "draft" not in chinese.split('id="events"')[1]

    provider, _user = make_provider("hist")
    project = make_project(created, alpha, provider=provider, solution=make_solution(provider))
    from programmes import decisions

    decisions.project_return(admin=admin, project_id=project.pk, reason="合同缺少盖章页")
    admin_page = page(client_of(admin), f"/programmes/manage/projects/{project.pk}/")
    assert "Submitted for approval → Returned to the enterprise" in admin_page
    assert "submitted → returned" not in admin_page
    enterprise_page = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert "Submitted for approval → Returned to the enterprise" in enterprise_page


def test_event_labels_follow_the_events_kind():
    event = Event(action=Event.Action.ENROLMENT_ACCEPTED, old="pending", new="accepted")
    milestone = Event(action=Event.Action.MILESTONE_REPORTED, old="planned", new="reported")
    with translation.override("en"):
        assert presenters.event_change(event) == "Awaiting decision → Accepted"
        assert presenters.event_change(milestone) == "Planned → Reported by the enterprise"
        assert presenters.event_change(Event(action=Event.Action.PROGRAMME_CHANGED)) == ""


# --- 2. money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (Decimal("150000.00"), "150,000 元", "CNY 150,000"),
        (Decimal("84000.5"), "84,000.50 元", "CNY 84,000.50"),
        (Decimal("0"), "0 元", "CNY 0"),
        (None, "", ""),
    ],
)
def test_one_money_format(value, zh, en):
    with translation.override("zh-hans"):
        assert presenters.cny(value) == zh
    with translation.override("en"):
        assert presenters.cny(value) == en
    with translation.override("zh-hans"):
        assert presenters.cny_range(Decimal("50000"), Decimal("200000.00")) == "50,000–200,000 元"


def test_the_public_solution_page_shows_its_price_range_one_way():
    provider, _user = make_provider("money")
    Enrolment.objects.create(programme=make_programme(), provider=provider, status="accepted")
    solution = make_solution(provider)
    assert "CNY 50,000–300,000" in page(public(), f"/solutions/{solution.pk}/")
    assert "50,000–300,000 元" in page(public(), f"/solutions/{solution.pk}/", "zh-hans")


@pytest.mark.parametrize("amount", ["360,000", "360，000", " 360000 "])
def test_a_contract_amount_with_thousands_separators_is_accepted(alpha, people, amount):
    programme, project, _before = applied(alpha, people)
    _provider, _user, solution = accepted(programme)
    projects.project_submit(
        enterprise=alpha.enterprise,
        user=alpha.owner,
        project_id=project.pk,
        **contract(programme, solution, contract_amount=amount),
    )
    project.refresh_from_db()
    assert project.contract_amount == Decimal("360000") and project.state == Project.State.SUBMITTED


def test_a_contract_amount_in_wan_says_to_write_yuan_digits(alpha, people):
    programme, project, _before = applied(alpha, people)
    _provider, _user, solution = accepted(programme)
    with pytest.raises(ApplicationError) as caught:
        projects.project_submit(
            enterprise=alpha.enterprise,
            user=alpha.owner,
            project_id=project.pk,
            **contract(programme, solution, contract_amount="36万"),
        )
    assert caught.value.extra["field"] == "contract_amount"
    with translation.override("zh-hans"):
        assert "元" in caught.value.message
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED and project.contract_amount is None
    form = page(alpha.client(), f"/transformation/projects/{project.pk}/", "zh-hans")
    assert "单位为元" in form


# --- 3. resubmitting a returned project -------------------------------------------------------------


def test_a_returned_project_keeps_its_dates_and_says_the_pdf_is_kept(alpha, people):
    _programme, project, _provider_user = submitted_project(alpha, people)
    Project.objects.filter(pk=project.pk).update(state=Project.State.RETURNED, reason="请补充盖章页")
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    for name in ("contract_signed_on", "contract_start", "contract_end"):
        day = getattr(project, name).isoformat()
        assert f'id="{name}" required value="{day}"' in html, name
    assert 'value="200000"' in html
    assert 'id="contract-kept"' in html
    assert 'id="admin-reason"' in html and "请补充盖章页" in html  # returned: the reason is current


# --- 4 and 5. stale reasons, the subsidy by state -----------------------------------------------------------


def test_after_the_grant_the_pages_say_granted_and_drop_the_old_reason(people, alpha):
    programme = make_programme(cities=("110000",))
    provider, _user = make_provider("granted")
    project = make_project(
        programme,
        alpha,
        provider=provider,
        solution=make_solution(provider),
        state=Project.State.GRANTED,
        amount="200000",
        subsidy_granted=Decimal("60000"),
        reason="早先退回的理由",
    )
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert "Subsidy granted" in html and "CNY 60,000" in html
    assert "the remaining budget covers it now" not in html
    assert "早先退回的理由" not in html
    admin_html = page(client_of(people["beijing_admin"]), f"/programmes/manage/projects/{project.pk}/")
    assert "早先退回的理由" not in admin_html.split('id="events"')[0]


def test_verified_awaits_the_decision_and_refused_shows_the_reason(alpha):
    programme = make_programme(cities=("110000",))
    project = make_project(
        programme, alpha, state=Project.State.VERIFIED, subsidy_reserved=Decimal("60000"), amount="200000"
    )
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert "reserved · awaiting the administrator's decision" in html and "covers it now" not in html
    Project.objects.filter(pk=project.pk).update(state=Project.State.REFUSED, reason="未达到目标")
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert "Subsidy refused" in html and "未达到目标" in html


# --- 6. every error of a programme at once --------------------------------------------------------------


def test_every_error_of_a_programme_is_shown_at_once(people):
    admin = people["beijing_admin"]
    today = timezone.localdate()
    bad = data(
        cities=["110000"],
        budget="0",
        subsidy_percent="150",
        apply_until=(today - datetime.timedelta(days=1)).isoformat(),
        target_gain="",
    )
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_save(admin=admin, data=bad)
    errors = caught.value.extra["errors"]
    assert {"budget", "subsidy_percent", "apply_until", "target_gain"} <= set(errors)
    response = client_of(admin).post("/programmes/manage/new/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The budget must be more than zero." in html
    assert "The subsidy share must be more than 0% and at most 100%." in html
    assert "Applications cannot close before they open." in html
    assert Programme.objects.count() == 0


def test_the_api_lists_every_error_too(people):
    api = client_of(people["beijing_admin"])
    response = api.post(
        "/api/v1/programmes/manage/",
        data(cities=["110000"], budget="0", subsidy_cap="0"),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] in ("subsidy_cap", "budget") and {"subsidy_cap", "budget"} <= set(body["errors"])


# --- 7. price range and fit --------------------------------------------------------------------------------


def test_a_contract_outside_the_price_range_is_flagged_for_the_admin(people, alpha):
    programme = make_programme(cities=("110000",))
    provider, _user = make_provider("range")
    solution = make_solution(provider)  # 50,000 to 300,000
    outside = make_project(programme, alpha, provider=provider, solution=solution, amount="400000")
    html = page(client_of(people["beijing_admin"]), f"/programmes/manage/projects/{outside.pk}/")
    assert 'id="outside-price-range"' in html and "CNY 50,000–300,000" in html
    api = client_of(people["beijing_admin"]).get(f"/api/v1/programmes/projects/{outside.pk}/")
    assert api.status_code == 200 and api.json()["outside_price_range"] is True
    Project.objects.filter(pk=outside.pk).update(contract_amount=Decimal("100000"))
    html = page(client_of(people["beijing_admin"]), f"/programmes/manage/projects/{outside.pk}/")
    assert 'id="outside-price-range"' not in html


def test_a_solution_that_does_not_fit_the_enterprise_is_refused(alpha, people):
    programme, project, _before = applied(alpha, people)  # alpha: division C34
    _provider, _user, food = accepted(programme, "food")
    food.divisions.set(["C13"])
    with pytest.raises(ApplicationError) as caught:
        projects.project_submit(
            enterprise=alpha.enterprise, user=alpha.owner, project_id=project.pk, **contract(programme, food)
        )
    assert caught.value.status_code == 400 and caught.value.extra["field"] == "solution"
    project.refresh_from_db()
    assert project.state == Project.State.APPLIED and project.solution_id is None


def test_a_solution_of_another_framework_is_refused(alpha, people):
    from manufacturing.frameworks.models import Framework

    programme, project, _before = applied(alpha, people)
    base = framework()
    other = Framework.objects.create(
        code=base.code,
        version=f"{base.version}x",
        kind=base.kind,
        name_zh=base.name_zh,
        name_en=base.name_en,
        definition=base.definition,
        checksum=base.checksum,
    )
    _provider, _user, solution = accepted(programme, "otherfw", framework=other)
    response = alpha.client().post(
        f"/api/v1/transformation/projects/{project.pk}/submit/",
        {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in contract(programme, solution).items()
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "solution"


# --- 8. only accepted providers are public -----------------------------------------------------------------


def test_a_provider_nobody_accepted_is_not_public_but_sees_its_own_solutions():
    provider, user = make_provider("lonely")
    solution = make_solution(provider)
    make_programme(state="draft").enrolments.create(provider=provider, status="accepted")  # a draft: not yet
    assert solution.pk not in {row["id"] for row in public().get("/api/v1/solutions/").json()["results"]}
    assert f"/solutions/{solution.pk}/" not in page(public(), "/solutions/")
    assert public().get(f"/solutions/{solution.pk}/").status_code == 404
    assert public().get(f"/providers/{provider.pk}/").status_code == 404
    assert public().get(f"/api/v1/providers/{provider.pk}/").status_code == 404
    own = page(client_of(user), "/provider/solutions/")
    assert solution.name_en in own and 'id="not-public"' in own
    make_programme().enrolments.create(provider=provider, status="accepted")
    assert solution.pk in {row["id"] for row in public().get("/api/v1/solutions/").json()["results"]}
    assert public().get(f"/providers/{provider.pk}/").status_code == 200
    assert 'id="not-public"' not in page(client_of(user), "/provider/solutions/")


# --- 9 and 10. buttons that name actions, a confirmation -------------------------------------------------


def test_the_state_buttons_name_actions(people):
    admin = people["beijing_admin"]
    programme = make_programme(cities=("110000",), state="draft")
    html = page(client_of(admin), f"/programmes/manage/{programme.pk}/")
    assert ">Open for applications</button>" in html
    Programme.objects.filter(pk=programme.pk).update(state="open")
    html = page(client_of(admin), f"/programmes/manage/{programme.pk}/")
    assert ">Close applications</button>" in html and ">Finish the programme</button>" in html
    Programme.objects.filter(pk=programme.pk).update(state="closed")
    assert ">Reopen applications</button>" in page(client_of(admin), f"/programmes/manage/{programme.pk}/")


def test_completing_asks_for_confirmation(alpha, people):
    _programme, project, _provider_user = submitted_project(alpha, people)
    approve(project)
    Milestone.objects.create(project=project, title="上线", due_on=project.contract_end, state="confirmed")
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    form = html.split(f"transformation/projects/{project.pk}/complete/")[1].split(">")[0]
    assert "data-confirm=" in form


# --- 11. links and menus -----------------------------------------------------------------------------------


def test_sign_in_and_registration_link_the_provider_sign_up():
    assert 'href="/providers/register/"' in page(public(), "/login/")
    assert 'href="/providers/register/"' in page(public(), "/register/")


def test_a_provider_sees_no_buyer_or_enterprise_menu(people):
    _provider, user = make_provider("menu")
    html = page(client_of(user), "/provider/")
    assert "My inquiries" not in html and "My meetings" not in html and "My enterprises" not in html
    admin_html = page(client_of(people["admin"]), "/programmes/manage/")
    assert "My inquiries" in admin_html


def test_the_public_programme_page_links_sign_in():
    programme = make_programme()
    assert 'id="provider-sign-in"' in page(public(), f"/programmes/{programme.pk}/")


# --- 12. the naming consent -----------------------------------------------------------------------------


def test_the_enterprise_changes_its_naming_consent_on_the_page_and_the_api(alpha, people):
    _programme, project, _before = applied(alpha, people)
    assert project.publish_name is False
    client = alpha.client()
    html = page(client, f"/transformation/projects/{project.pk}/")
    assert 'id="consent-toggle"' in html
    version = Project.objects.get(pk=project.pk).fact_version
    assert (
        client.post(f"/transformation/projects/{project.pk}/consent/", {"publish_name": "on"}).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.publish_name is True and project.fact_version > version
    assert Event.objects.filter(project=project, action=Event.Action.PROJECT_CONSENT).count() == 1
    api = client.post(
        f"/api/v1/transformation/projects/{project.pk}/consent/",
        {"publish_name": False},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["publish_name"] is False
    bad = client.post(
        f"/api/v1/transformation/projects/{project.pk}/consent/",
        {"publish_name": "yes"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "publish_name"
    assert Event.objects.filter(project=project, action=Event.Action.PROJECT_CONSENT).count() == 2


def test_another_enterprise_cannot_touch_the_consent(alpha, beta, people):
    _programme, project, _before = applied(alpha, people)
    response = beta.client().post(
        f"/api/v1/transformation/projects/{project.pk}/consent/",
        {"publish_name": True},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).publish_name is False


# --- 13. milestones --------------------------------------------------------------------------------------


def test_a_report_updated_does_not_ask_the_provider_again(alpha, people):
    _programme, project, provider_user = submitted_project(alpha, people)
    approve(project)
    due = project.contract_start + datetime.timedelta(days=10)
    milestone = projects.milestone_add(
        enterprise=alpha.enterprise, user=alpha.owner, project_id=project.pk, title="上线", due_on=due
    )
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert f'id="report-{milestone.pk}">Report it done<' in html
    before = Notice.objects.filter(user=provider_user).count()
    projects.milestone_report(
        enterprise=alpha.enterprise, user=alpha.owner, milestone_id=milestone.pk, report="a"
    )
    assert Notice.objects.filter(user=provider_user).count() == before + 1
    projects.milestone_report(
        enterprise=alpha.enterprise, user=alpha.owner, milestone_id=milestone.pk, report="b"
    )
    assert Notice.objects.filter(user=provider_user).count() == before + 1
    assert Milestone.objects.get(pk=milestone.pk).report == "b"
    html = page(alpha.client(), f"/transformation/projects/{project.pk}/")
    assert f'id="report-{milestone.pk}">Update the report<' in html


def test_a_planned_milestone_can_be_deleted_not_a_reported_one(alpha, people):
    _programme, project, _provider_user = submitted_project(alpha, people)
    approve(project)
    due = project.contract_start + datetime.timedelta(days=10)
    add = {"enterprise": alpha.enterprise, "user": alpha.owner, "project_id": project.pk, "due_on": due}
    planned = projects.milestone_add(title="计划", **add)
    reported = projects.milestone_add(title="已报告", **add)
    projects.milestone_report(
        enterprise=alpha.enterprise, user=alpha.owner, milestone_id=reported.pk, report="x"
    )
    client = alpha.client()
    assert client.post(f"/transformation/milestones/{planned.pk}/delete/").status_code == 302
    assert not Milestone.objects.filter(pk=planned.pk).exists()
    assert Event.objects.filter(project=project, action=Event.Action.MILESTONE_DELETED).count() == 1
    with pytest.raises(ConflictError):
        projects.milestone_delete(enterprise=alpha.enterprise, user=alpha.owner, milestone_id=reported.pk)
    response = client.post(f"/api/v1/transformation/milestones/{reported.pk}/delete/")
    assert response.status_code == 409 and Milestone.objects.filter(pk=reported.pk).exists()


# --- 14. wording ----------------------------------------------------------------------------------------


def test_one_level_is_singular_and_english_pages_use_the_english_name(people, alpha):
    programme = make_programme(cities=("110000",), target_gain=1)
    html = page(public(), f"/programmes/{programme.pk}/")
    assert "gain at least 1 level," in html and "level(s)" not in html
    type(alpha.enterprise).objects.filter(pk=alpha.enterprise.pk).update(name_en="Alpha Machinery")
    project = make_project(programme, alpha)
    admin_html = page(client_of(people["beijing_admin"]), f"/programmes/manage/projects/{project.pk}/")
    assert '<h1 id="project-heading">Alpha Machinery' in admin_html
    assert "at least 1 level gained" in admin_html
    chinese = page(
        client_of(people["beijing_admin"]), f"/programmes/manage/projects/{project.pk}/", "zh-hans"
    )
    assert f'<h1 id="project-heading">{alpha.enterprise.name}' in chinese

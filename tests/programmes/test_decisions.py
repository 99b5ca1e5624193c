"""The regional admin's decisions (programmes/decisions.py): provider applications, project approval
(the subsidy reserved) and return, the subsidy granted or refused; their scope, audit rows, facts and
notices; the pages and the API over them.

Projects are created directly as rows in the states the tests need (the enterprise's services that
make them are area C's)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from core.api import ApplicationError, ConflictError
from core.models import Notice
from programmes import decisions
from programmes.models import Enrolment, Event, Programme, Project
from tests.programmes.conftest import make_programme, make_provider, make_solution
from tests.programmes.test_admin_programmes import client_of
from tests.programmes.test_budget import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    provider, user = make_provider("decide")
    return {"provider": provider, "user": user, "solution": make_solution(provider)}


def project_of(programme, world, offer, **fields) -> Project:
    return make_project(programme, world, provider=offer["provider"], solution=offer["solution"], **fields)


def verified_project(programme, world, offer, *, after_level, amount="200000"):
    """Approved (subsidy reserved as the approval would), completed, after-level verified."""
    p = programme
    subsidy = min((Decimal(amount) * p.subsidy_percent / 100).quantize(Decimal("0.01")), p.subsidy_cap)
    Programme.objects.filter(pk=p.pk).update(reserved=p.reserved + subsidy)
    return project_of(
        programme,
        world,
        offer,
        state=Project.State.VERIFIED,
        amount=amount,
        subsidy_reserved=subsidy,
        after_level=after_level,
        after_total=55.0,
        after_approved_at=timezone.now(),
        after_assessment_id=2,
        target_met=after_level >= p.target_level and after_level - 1 >= p.target_gain,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def notices_of(user) -> list[Notice]:
    return list(Notice.objects.filter(user=user).order_by("pk"))


# --- approval ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "subsidy"),
    [("100000", "30000.00"), ("499999.99", "150000.00"), ("500000", "150000.00"), ("1000000", "150000.00")],
)
def test_approval_reserves_min_of_share_and_cap(people, alpha, offer, amount, subsidy):
    """30 % of the contract, cap 150,000: below the cap, the exact cap (500,000 x 30 %), above it."""
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer, amount=amount)
    version = project.fact_version
    decisions.project_approve(admin=people["beijing_admin"], project_id=project.pk)
    project = fresh(project)
    assert project.state == Project.State.APPROVED and project.approved_at is not None
    assert project.subsidy_reserved == Decimal(subsidy)
    assert fresh(programme).reserved == Decimal(subsidy)
    assert project.fact_version == version + 1
    event = Event.objects.get(project=project)
    assert (event.action, event.old, event.new, event.actor) == (
        Event.Action.PROJECT_APPROVED,
        "submitted",
        "approved",
        people["beijing_admin"],
    )
    assert event.detail["subsidy_reserved"] == subsidy and event.programme == programme
    (to_owner,) = notices_of(alpha.owner)
    assert "/transformation/projects/" in to_owner.url and alpha.host in to_owner.url
    assert to_owner.text_zh != to_owner.text_en and f"{Decimal(subsidy):,.2f}" in to_owner.text_en
    assert len(notices_of(offer["user"])) == 1


def test_approving_beyond_the_budget_is_a_409_naming_what_remains_and_changes_nothing(people, alpha, offer):
    programme = make_programme(cities=("110000",), budget=Decimal("100000"), reserved=Decimal("80000"))
    project = project_of(programme, alpha, offer, amount="100000")  # 30,000 > 20,000
    with pytest.raises(ConflictError) as caught:
        decisions.project_approve(admin=people["admin"], project_id=project.pk)
    assert "20,000.00" in caught.value.message and caught.value.extra["remaining"] == "20000.00"
    assert fresh(project).state == Project.State.SUBMITTED and fresh(project).subsidy_reserved == 0
    assert fresh(programme).reserved == Decimal("80000")
    assert not Event.objects.exists() and not Notice.objects.exists()
    assert fresh(project).fact_version == project.fact_version


@pytest.mark.parametrize("state", ["applied", "returned", "approved", "verified", "granted", "withdrawn"])
def test_approval_needs_a_submitted_project(people, alpha, offer, state):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer, state=state)
    with pytest.raises(ConflictError):
        decisions.project_approve(admin=people["admin"], project_id=project.pk)
    assert fresh(project).state == state and fresh(programme).reserved == 0


def test_return_needs_a_reason_and_sends_it(people, alpha, offer):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer)
    for reason in ("", "   ", None, 12):
        with pytest.raises(ApplicationError) as caught:
            decisions.project_return(admin=people["admin"], project_id=project.pk, reason=reason)
        assert caught.value.status_code == 400 and caught.value.extra["field"] == "reason"
    with pytest.raises(ApplicationError):
        decisions.project_return(admin=people["admin"], project_id=project.pk, reason="x" * 2001)
    assert fresh(project).state == Project.State.SUBMITTED and not Event.objects.exists()
    decisions.project_return(admin=people["admin"], project_id=project.pk, reason="合同金额与报价不符")
    project = fresh(project)
    assert project.state == Project.State.RETURNED and project.reason == "合同金额与报价不符"
    event = Event.objects.get(project=project)
    assert event.action == Event.Action.PROJECT_RETURNED and event.reason == "合同金额与报价不符"
    assert "合同金额与报价不符" in notices_of(alpha.owner)[0].text_zh
    with pytest.raises(ConflictError):  # returned: not again
        decisions.project_return(admin=people["admin"], project_id=project.pk, reason="again")


# --- the subsidy ------------------------------------------------------------------------------------------


def test_grant_moves_the_reservation_to_granted(people, alpha, offer):
    programme = make_programme(cities=("110000",))
    project = verified_project(programme, alpha, offer, after_level=2)  # 1 -> 2: met
    decisions.subsidy_grant(admin=people["admin"], project_id=project.pk)
    project, programme = fresh(project), fresh(programme)
    assert project.state == Project.State.GRANTED and project.subsidy_granted == Decimal("60000.00")
    assert project.subsidy_reserved == 0 and project.decided_by == people["admin"] and project.decided_at
    assert (programme.reserved, programme.granted) == (0, Decimal("60000.00"))
    event = Event.objects.get(project=project)
    assert event.action == Event.Action.SUBSIDY_GRANTED and event.detail["subsidy_granted"] == "60000.00"
    assert "60,000.00" in notices_of(alpha.owner)[0].text_en and notices_of(offer["user"])


def test_grant_when_the_target_is_not_met_is_a_409_saying_so(people, alpha, offer):
    programme = make_programme(cities=("110000",), target_level=3)
    project = verified_project(programme, alpha, offer, after_level=2)
    with pytest.raises(ConflictError) as caught:
        decisions.subsidy_grant(admin=people["admin"], project_id=project.pk)
    assert "not met" in caught.value.body()["messages"]["en"]
    assert fresh(project).state == Project.State.VERIFIED
    assert fresh(programme).granted == 0 and fresh(programme).reserved == Decimal("60000.00")
    assert not Event.objects.exists()


@pytest.mark.parametrize("state", ["submitted", "approved", "completed", "granted", "refused"])
def test_grant_needs_a_verified_project(people, alpha, offer, state):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer, state=state, target_met=True, after_level=3)
    with pytest.raises(ConflictError):
        decisions.subsidy_grant(admin=people["admin"], project_id=project.pk)
    assert fresh(project).state == state


def test_refuse_releases_the_reservation(people, alpha, offer):
    programme = make_programme(cities=("110000",), target_level=3)
    project = verified_project(programme, alpha, offer, after_level=2)
    with pytest.raises(ApplicationError) as caught:
        decisions.subsidy_refuse(admin=people["admin"], project_id=project.pk, reason="")
    assert caught.value.extra["field"] == "reason"
    decisions.subsidy_refuse(admin=people["admin"], project_id=project.pk, reason="未达到目标等级")
    project, programme = fresh(project), fresh(programme)
    assert project.state == Project.State.REFUSED and project.reason == "未达到目标等级"
    assert project.subsidy_reserved == 0 and project.subsidy_granted is None
    assert (programme.reserved, programme.granted) == (0, 0)
    event = Event.objects.get(project=project)
    assert event.action == Event.Action.SUBSIDY_REFUSED and event.detail == {"released": "60000.00"}
    assert notices_of(alpha.owner) and notices_of(offer["user"])


def test_a_running_project_is_refused_only_once_its_completion_date_passed(people, alpha, offer):
    today = timezone.localdate()
    programme = make_programme(cities=("110000",), reserved=Decimal("30000"))
    project = project_of(
        programme, alpha, offer, state=Project.State.APPROVED, subsidy_reserved=Decimal("30000")
    )
    with pytest.raises(ConflictError):
        decisions.subsidy_refuse(admin=people["admin"], project_id=project.pk, reason="未按期完成")
    assert fresh(project).state == Project.State.APPROVED
    Programme.objects.filter(pk=programme.pk).update(
        apply_from=today - datetime.timedelta(days=400),
        apply_until=today - datetime.timedelta(days=300),
        verified_since=today - datetime.timedelta(days=500),
        complete_by=today - datetime.timedelta(days=1),
    )
    decisions.subsidy_refuse(admin=people["admin"], project_id=project.pk, reason="未按期完成")
    assert fresh(project).state == Project.State.REFUSED and fresh(programme).reserved == 0


@pytest.mark.parametrize("state", ["applied", "submitted", "returned", "granted", "refused", "withdrawn"])
def test_refuse_is_refused_in_other_states(people, alpha, offer, state):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer, state=state)
    with pytest.raises(ConflictError):
        decisions.subsidy_refuse(admin=people["admin"], project_id=project.pk, reason="no")
    assert fresh(project).state == state


# --- scope ------------------------------------------------------------------------------------------------


def test_a_tianjin_admin_cannot_see_or_decide_a_beijing_programmes_projects(people, alpha, offer):
    programme = make_programme(cities=("110000",))
    submitted = project_of(programme, alpha, offer)
    enrolment = Enrolment.objects.create(programme=programme, provider=offer["provider"])
    admin = people["tianjin_admin"]
    for decide in (
        lambda: decisions.project_approve(admin=admin, project_id=submitted.pk),
        lambda: decisions.project_return(admin=admin, project_id=submitted.pk, reason="x"),
        lambda: decisions.subsidy_grant(admin=admin, project_id=submitted.pk),
        lambda: decisions.subsidy_refuse(admin=admin, project_id=submitted.pk, reason="x"),
        lambda: decisions.enrolment_decide(admin=admin, enrolment_id=enrolment.pk, accept=True),
        lambda: decisions.project_approve(admin=people["assessor"], project_id=submitted.pk),
        lambda: decisions.project_approve(admin=admin, project_id="junk"),
    ):
        with pytest.raises(Http404):
            decide()
    client = client_of(admin)
    for path in (
        f"/programmes/manage/projects/{submitted.pk}/",
        f"/programmes/manage/{programme.pk}/projects/",
        f"/programmes/manage/{programme.pk}/providers/",
        f"/api/v1/programmes/projects/{submitted.pk}/",
        f"/api/v1/programmes/manage/{programme.pk}/projects/",
        f"/api/v1/programmes/manage/{programme.pk}/enrolments/",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("approve", "return", "grant", "refuse"):
        response = client.post(
            f"/api/v1/programmes/projects/{submitted.pk}/{path}/",
            {"reason": "x"},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert (
        client.post(f"/programmes/manage/projects/{submitted.pk}/decide/", {"action": "approve"}).status_code
        == 404
    )
    assert fresh(submitted).state == Project.State.SUBMITTED and fresh(enrolment).status == "pending"
    assert not Event.objects.exists()


def test_an_admin_who_sees_but_does_not_manage_reads_only(people, make_enterprise, offer):
    programme = make_programme(cities=("110000", "130600"))
    baoding = make_enterprise(slug="bdread", city="130600")
    project = project_of(programme, baoding, offer)
    client = client_of(people["hebei_admin"])
    page = client.get(f"/programmes/manage/projects/{project.pk}/").content.decode()
    assert 'id="decide-form"' not in page and 'id="contract-amount"' in page
    body = client.get(f"/api/v1/programmes/projects/{project.pk}/").json()
    assert body["manages"] is False and body["subsidy_computed"] == "30000.00"
    assert client.post(f"/api/v1/programmes/projects/{project.pk}/approve/").status_code == 404
    assert (
        client.post(f"/programmes/manage/projects/{project.pk}/decide/", {"action": "approve"}).status_code
        == 404
    )
    with pytest.raises(Http404):
        decisions.project_approve(admin=people["hebei_admin"], project_id=project.pk)
    assert fresh(project).state == Project.State.SUBMITTED


# --- provider applications --------------------------------------------------------------------------------


def test_accepting_and_rejecting_a_provider(people, offer):
    programme = make_programme(cities=("120000",))
    other, other_user = make_provider("other")
    accepted = Enrolment.objects.create(
        programme=programme, provider=offer["provider"], statement="我们做质检"
    )
    rejected = Enrolment.objects.create(programme=programme, provider=other)
    admin = people["tianjin_admin"]
    decisions.enrolment_decide(admin=admin, enrolment_id=accepted.pk, accept=True)
    with pytest.raises(ApplicationError) as caught:
        decisions.enrolment_decide(admin=admin, enrolment_id=rejected.pk, accept=False, reason=" ")
    assert caught.value.extra["field"] == "reason" and fresh(rejected).status == "pending"
    with pytest.raises(ApplicationError):
        decisions.enrolment_decide(admin=admin, enrolment_id=rejected.pk, accept="yes")
    decisions.enrolment_decide(admin=admin, enrolment_id=rejected.pk, accept=False, reason="资质不足")
    accepted, rejected = fresh(accepted), fresh(rejected)
    assert (accepted.status, accepted.decided_by) == ("accepted", admin) and accepted.decided_at
    assert (rejected.status, rejected.reason) == ("rejected", "资质不足")
    events = list(Event.objects.order_by("pk").values_list("action", "provider_id", "programme_id", "reason"))
    assert events == [
        (Event.Action.ENROLMENT_ACCEPTED, offer["provider"].pk, programme.pk, ""),
        (Event.Action.ENROLMENT_REJECTED, other.pk, programme.pk, "资质不足"),
    ]
    assert len(notices_of(offer["user"])) == 1 and "资质不足" in notices_of(other_user)[0].text_zh
    with pytest.raises(ConflictError):
        decisions.enrolment_decide(admin=admin, enrolment_id=accepted.pk, accept=False, reason="改主意")
    assert fresh(accepted).status == "accepted"


def test_the_providers_page_and_api_decide(people, offer):
    programme = make_programme(cities=("120000",))
    enrolment = Enrolment.objects.create(
        programme=programme, provider=offer["provider"], statement="我们做质检"
    )
    client = client_of(people["tianjin_admin"])
    page = client.get(f"/programmes/manage/{programme.pk}/providers/").content.decode()
    assert "我们做质检" in page and f"/programmes/manage/enrolments/{enrolment.pk}/decide/" in page
    listed = client.get(f"/api/v1/programmes/manage/{programme.pk}/enrolments/?status=pending").json()
    assert [row["id"] for row in listed["results"]] == [enrolment.pk]
    assert client.get(f"/api/v1/programmes/manage/{programme.pk}/enrolments/?status=nope").status_code == 400
    response = client.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/decide/",
        {"accept": False},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = client.post(f"/programmes/manage/enrolments/{enrolment.pk}/decide/", {"action": "accept"})
    assert response.status_code == 302 and fresh(enrolment).status == "accepted"
    response = client.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/decide/",
        {"accept": True},
        content_type="application/json",
    )
    assert response.status_code == 409


# --- the project page and the API -------------------------------------------------------------------------


def test_the_project_page_shows_the_computation_and_decides(people, alpha, offer):
    programme = make_programme(cities=("110000",), budget=Decimal("100000"))
    project = project_of(programme, alpha, offer, amount="200000")
    client = client_of(people["beijing_admin"])
    page = client.get(
        f"/programmes/manage/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert (
        "CNY 60,000" in page and "CNY 100,000" in page and 'id="approve"' in page and 'id="grant"' not in page
    )
    response = client.post(f"/programmes/manage/projects/{project.pk}/decide/", {"action": "return"})
    assert response.status_code == 400 and fresh(project).state == Project.State.SUBMITTED
    response = client.post(f"/programmes/manage/projects/{project.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302 and fresh(project).state == Project.State.APPROVED
    page = client.get(
        f"/programmes/manage/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "CNY 40,000" in page and 'id="approve"' not in page and "Project approved" in page


def test_the_project_page_answers_an_overspending_approval_with_a_409(people, alpha, offer):
    programme = make_programme(cities=("110000",), budget=Decimal("10000"))
    project = project_of(programme, alpha, offer, amount="200000")
    client = client_of(people["beijing_admin"])
    response = client.post(
        f"/programmes/manage/projects/{project.pk}/decide/", {"action": "approve"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409 and "10,000.00" in response.content.decode()
    assert fresh(project).state == Project.State.SUBMITTED


def test_the_contract_downloads_for_the_managing_admin_only(people, alpha, beta, offer):
    programme = make_programme(cities=("110000", "130600"))
    project = project_of(programme, alpha, offer)
    project.contract_file.save("signed.pdf", ContentFile(b"%PDF-1.4 contract"), save=True)
    response = client_of(people["admin"]).get(f"/programmes/manage/projects/{project.pk}/contract/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 contract"
    assert response["Content-Type"] == "application/pdf"
    for user in (people["hebei_admin"], people["tianjin_admin"], people["assessor"], offer["user"]):
        assert client_of(user).get(f"/programmes/manage/projects/{project.pk}/contract/").status_code == 404
    bare = project_of(programme, beta, offer)
    assert (
        client_of(people["admin"]).get(f"/programmes/manage/projects/{bare.pk}/contract/").status_code == 404
    )


def test_the_projects_list_filters_by_state_and_city(people, alpha, beta, offer):
    programme = make_programme(cities=("110000", "120000"))
    in_beijing = project_of(programme, alpha, offer)
    in_tianjin = project_of(programme, beta, offer, state=Project.State.APPROVED)
    client = client_of(people["admin"])
    base = f"/api/v1/programmes/manage/{programme.pk}/projects/"
    assert {r["id"] for r in client.get(base).json()["results"]} == {in_beijing.pk, in_tianjin.pk}
    assert [r["id"] for r in client.get(f"{base}?state=approved").json()["results"]] == [in_tianjin.pk]
    assert [r["id"] for r in client.get(f"{base}?city=110000").json()["results"]] == [in_beijing.pk]
    assert client.get(f"{base}?state=bogus").status_code == 400
    page = client.get(f"/programmes/manage/{programme.pk}/projects/?city=120000").content.decode()
    assert f'id="project-{in_tianjin.pk}"' in page and f'id="project-{in_beijing.pk}"' not in page


def test_the_api_decides_a_project_from_approval_to_grant(people, alpha, offer):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer, amount="100000")
    client = client_of(people["beijing_admin"])
    body = client.post(f"/api/v1/programmes/projects/{project.pk}/approve/").json()
    assert body["state"] == "approved" and body["subsidy_reserved"] == "30000.00"
    assert body["budget_remaining"] == "970000.00"
    again = client.post(f"/api/v1/programmes/projects/{project.pk}/approve/")
    assert again.status_code == 409 and set(again.json()["messages"]) == {"zh", "en"}
    Project.objects.filter(pk=project.pk).update(
        state=Project.State.VERIFIED,
        after_level=2,
        after_total=50.0,
        after_approved_at=timezone.now(),
        target_met=True,
    )
    body = client.get(f"/api/v1/programmes/projects/{project.pk}/").json()
    assert body["target_met_computed"] is True and body["manages"] is True
    body = client.post(f"/api/v1/programmes/projects/{project.pk}/grant/").json()
    assert body["state"] == "granted" and body["subsidy_granted"] == "30000.00"
    refused = client.post(
        f"/api/v1/programmes/projects/{project.pk}/refuse/",
        {"reason": "late"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    programme = fresh(programme)
    assert (programme.reserved, programme.granted) == (0, Decimal("30000.00"))


def test_the_api_returns_and_refuses_with_a_reason(people, alpha, beta, offer):
    programme = make_programme(cities=("110000", "120000"), target_level=3)
    submitted = project_of(programme, alpha, offer)
    verified = verified_project(programme, beta, offer, after_level=2)
    client = client_of(people["admin"])
    missing = client.post(
        f"/api/v1/programmes/projects/{submitted.pk}/return/", {}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    returned = client.post(
        f"/api/v1/programmes/projects/{submitted.pk}/return/",
        {"reason": "补充合同"},
        content_type="application/json",
    )
    assert returned.status_code == 200 and returned.json()["reason"] == "补充合同"
    not_met = client.post(f"/api/v1/programmes/projects/{verified.pk}/grant/")
    assert not_met.status_code == 409
    refused = client.post(
        f"/api/v1/programmes/projects/{verified.pk}/refuse/",
        {"reason": "未达标"},
        content_type="application/json",
    )
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert fresh(programme).reserved == 0


def test_ids_no_row_can_have_are_404(people):
    client = client_of(people["admin"])
    for path in (
        "/api/v1/programmes/projects/99999999999999999999/",
        "/api/v1/programmes/manage/99999999999999999999/",
        "/programmes/manage/projects/99999999999999999999/",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        "/api/v1/programmes/enrolments/99999999999999999999/decide/",
        {"accept": True},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_project_page_speaks_chinese(people, alpha, offer):
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer)
    page = client_of(people["admin"]).get(
        f"/programmes/manage/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    assert "解决方案与合同" in html and "按项目规则计算的补贴（元）" in html and "30,000 元" in html


def test_every_programmes_model_is_in_the_django_admin_and_projects_are_read_only(
    django_user_model, alpha, offer
):
    from programmes.models import Event as EventModel

    operator = django_user_model.objects.create_superuser(email="prog-operator@example.com", password="x")
    client = client_of(operator)
    programme = make_programme(cities=("110000",))
    project = project_of(programme, alpha, offer)
    for model in (
        "segment",
        "provider",
        "solution",
        "programme",
        "enrolment",
        "project",
        "event",
        "projectfact",
    ):
        assert client.get(f"/admin/programmes/{model}/").status_code == 200, model
    assert client.get(f"/admin/programmes/project/{project.pk}/change/").status_code == 200
    assert client.get("/admin/programmes/project/add/").status_code == 403
    response = client.post(f"/admin/programmes/project/{project.pk}/change/", {"state": "granted"})
    assert response.status_code == 403 and fresh(project).state == Project.State.SUBMITTED
    assert client.get(f"/admin/programmes/programme/{programme.pk}/change/").status_code == 200
    # Enterprises rely on the programme now: the operator's form changes none of its rules.
    client.post(f"/admin/programmes/programme/{programme.pk}/change/", {"subsidy_cap": "1", "name_zh": "改"})
    assert (fresh(programme).subsidy_cap, fresh(programme).name_zh) == (
        programme.subsidy_cap,
        programme.name_zh,
    )
    assert not EventModel.objects.exists()


def test_the_pages_name_the_platform_for_what_a_worker_recorded(people, alpha, offer):
    """The after-level is recorded by a worker (no actor): the history says so rather than failing."""
    programme = make_programme(cities=("110000",))
    project = verified_project(programme, alpha, offer, after_level=3)
    Event.objects.create(
        action=Event.Action.AFTER_VERIFIED, programme=programme, project=project, new="verified"
    )
    Event.objects.create(action=Event.Action.PROGRAMME_STATE, programme=programme, old="draft", new="open")
    client = client_of(people["beijing_admin"])
    for url in (f"/programmes/manage/projects/{project.pk}/", f"/programmes/manage/{programme.pk}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, url
        assert "the platform" in page.content.decode(), url


def test_an_admin_who_sees_a_two_city_programme_sees_only_the_projects_of_their_city(
    people, alpha, beta, offer
):
    """A Beijing-and-Tianjin programme: the Beijing admin sees it (read-only) but not the Tianjin
    enterprise's project, on no page and in no API; the whole-region admin sees both."""
    programme = make_programme(cities=("110000", "120000"))
    beijing = project_of(programme, alpha, offer)
    tianjin = project_of(programme, beta, offer)
    client = client_of(people["beijing_admin"])
    for url in (f"/programmes/manage/projects/{tianjin.pk}/", f"/api/v1/programmes/projects/{tianjin.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/programmes/manage/projects/{beijing.pk}/").status_code == 200
    listed = client.get(f"/api/v1/programmes/manage/{programme.pk}/projects/").json()["results"]
    assert [row["id"] for row in listed] == [beijing.pk]
    page = client.get(f"/programmes/manage/{programme.pk}/projects/").content.decode()
    assert f"/programmes/manage/projects/{beijing.pk}/" in page
    assert f"/programmes/manage/projects/{tianjin.pk}/" not in page
    everyone = client_of(people["admin"]).get(f"/api/v1/programmes/manage/{programme.pk}/projects/").json()
    assert {row["id"] for row in everyone["results"]} == {beijing.pk, tianjin.pk}

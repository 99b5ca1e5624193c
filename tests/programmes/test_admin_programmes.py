"""Regional admins create, edit and move programmes (programmes/admin_programmes.py), within their
scope, audited; the pages and the API over it."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.http import Http404
from django.test import Client
from django.utils import timezone

from core.api import ApplicationError, ConflictError
from programmes import admin_programmes
from programmes.models import Event, Programme, Project, Segment
from tenants.models import Region
from tests.programmes.conftest import framework, make_programme, person
from tests.programmes.test_budget import make_project

pytestmark = pytest.mark.django_db


def data(**overrides) -> dict:
    today = timezone.localdate()
    values = {
        "name_zh": "天津市中小企业数字化转型试点",
        "name_en": "Tianjin SME digital transformation pilot",
        "description_zh": "",
        "description_en": "",
        "cities": ["120000"],
        "divisions": [],
        "segments": [],
        "sizes": [],
        "framework": framework().pk,
        "target_level": 2,
        "target_gain": 1,
        "subsidy_percent": "30",
        "subsidy_cap": "150000",
        "contract_max": "",
        "budget": "1000000",
        "verified_since": (today - datetime.timedelta(days=365)).isoformat(),
        "apply_from": today.isoformat(),
        "apply_until": (today + datetime.timedelta(days=60)).isoformat(),
        "providers_from": (today - datetime.timedelta(days=10)).isoformat(),
        "providers_until": (today + datetime.timedelta(days=30)).isoformat(),
        "complete_by": (today + datetime.timedelta(days=365)).isoformat(),
    }
    values.update(overrides)
    return values


def of(programme: Programme) -> dict:
    """The programme's current values as the form takes them (an edit sends every field)."""
    from programmes.forms_admin import programme_initial

    values = programme_initial(programme)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else v)) for k, v in values.items()
    }


def client_of(user) -> Client:
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    client.force_login(user)
    return client


# --- creating ----------------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_rules_and_the_audit_row(people):
    admin = people["tianjin_admin"]
    segment = Segment.objects.first()
    programme = admin_programmes.programme_save(
        admin=admin,
        data=data(divisions=[segment.division_id], segments=[segment.code], sizes=["3m-20m", "lt3m"]),
    )
    assert programme.state == Programme.State.DRAFT and programme.created_by == admin
    assert list(programme.cities.values_list("code", flat=True)) == ["120000"]
    assert list(programme.segments.all()) == [segment]
    assert programme.sizes == ["3m-20m", "lt3m"]
    assert (programme.subsidy_percent, programme.subsidy_cap) == (Decimal("30"), Decimal("150000"))
    (event,) = Event.objects.filter(programme=programme)
    assert event.action == Event.Action.PROGRAMME_CREATED and event.actor == admin and event.new == "draft"
    assert event.detail["cities"] == ["120000"] and event.detail["subsidy_percent"] == "30"


def test_a_tianjin_admin_cannot_create_a_programme_in_baoding(people):
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_save(admin=people["tianjin_admin"], data=data(cities=["120000", "130600"]))
    assert caught.value.status_code == 400 and caught.value.extra["field"] == "cities"
    assert "130600" in caught.value.message
    messages = caught.value.body()["messages"]
    assert "130600" in messages["zh"] and "130600" in messages["en"] and messages["zh"] != messages["en"]
    assert not Programme.objects.exists() and not Event.objects.exists()


def test_a_hebei_admin_may_run_baoding_and_the_whole_region_admin_anything(people):
    assert admin_programmes.programme_save(
        admin=people["hebei_admin"], data=data(cities=["130600", "130100"])
    )
    assert admin_programmes.programme_save(admin=people["admin"], data=data(cities=["110000", "130600"]))


def test_only_a_regional_admin_creates(people):
    with pytest.raises(Http404):
        admin_programmes.programme_save(admin=people["assessor"], data=data())


def _district() -> str:
    return (
        Region.objects.filter(is_report_city=False, level="district").values_list("code", flat=True).first()
    )


def _stray_segment():
    """A segment of another division than the one the programme lists, and that division."""
    segment = Segment.objects.first()
    other = Segment.objects.exclude(division_id=segment.division_id).first()
    return segment, other


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name_zh": ""}, "name_zh"),
        ({"name_zh": "   "}, "name_zh"),
        ({"name_en": ""}, "name_en"),
        ({"cities": []}, "cities"),
        ({"cities": ["999999"]}, "cities"),
        ({"cities": "district"}, "cities"),  # a district is not a programme's city
        ({"divisions": ["C99"]}, "divisions"),
        ({"segments": ["no-such-segment"]}, "segments"),
        ({"segments": "stray"}, "segments"),
        ({"sizes": ["huge"]}, "sizes"),
        ({"framework": 999999}, "framework"),
        ({"framework": "x"}, "framework"),
        ({"target_level": 5}, "target_level"),  # the framework's levels are 1-4
        ({"target_level": 0}, "target_level"),
        ({"target_gain": 6}, "target_gain"),
        ({"target_gain": -1}, "target_gain"),
        ({"subsidy_percent": "0"}, "subsidy_percent"),
        ({"subsidy_percent": "100.01"}, "subsidy_percent"),
        ({"subsidy_percent": "-5"}, "subsidy_percent"),
        ({"subsidy_percent": "abc"}, "subsidy_percent"),
        ({"subsidy_cap": "0"}, "subsidy_cap"),
        ({"subsidy_cap": "-1"}, "subsidy_cap"),
        ({"contract_max": "0"}, "contract_max"),
        ({"budget": "0"}, "budget"),
        ({"budget": "1" * 20}, "budget"),
        ({"apply_until": "2020-01-01"}, "apply_until"),
        ({"providers_until": "2020-01-01"}, "providers_until"),
        ({"complete_by": "dates"}, "complete_by"),
        ({"complete_by": "later"}, "complete_by"),
        ({"verified_since": "after"}, "verified_since"),
    ],
)
def test_every_rule_is_a_400_naming_its_field_and_nothing_is_saved(people, overrides, field):
    today = timezone.localdate()
    if overrides.get("cities") == "district":
        overrides = {"cities": [_district()]}
    if overrides.get("segments") == "stray":
        segment, other = _stray_segment()
        overrides = {"divisions": [segment.division_id], "segments": [segment.code, other.code]}
    if overrides.get("complete_by") == "later":  # before applications close
        overrides = {"complete_by": (today + datetime.timedelta(days=59)).isoformat()}
    if overrides.get("verified_since") == "after":  # after applications close
        overrides = {"verified_since": (today + datetime.timedelta(days=61)).isoformat()}
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_save(admin=people["admin"], data=data(**overrides))
    assert caught.value.status_code == 400
    assert caught.value.extra["field"] == field, caught.value.message
    assert set(caught.value.body()["messages"]) == {"zh", "en"}
    assert not Programme.objects.exists() and not Event.objects.exists()


def test_the_edge_values_are_accepted(people):
    today = timezone.localdate().isoformat()
    programme = admin_programmes.programme_save(
        admin=people["admin"],
        data=data(
            subsidy_percent="100",
            target_gain=0,
            target_level=4,
            contract_max="0.01",
            apply_from=today,
            apply_until=today,
            complete_by=today,
            verified_since=today,
            providers_from=today,
            providers_until=today,
        ),
    )
    assert programme.subsidy_percent == 100 and programme.target_level == 4


# --- editing ----------------------------------------------------------------------------------------------


def test_an_edit_records_each_field_changed_old_and_new(people):
    admin = people["tianjin_admin"]
    programme = admin_programmes.programme_save(admin=admin, data=data())
    changed = {**of(programme), "name_en": "Tianjin pilot", "budget": "2000000", "sizes": ["lt3m"]}
    admin_programmes.programme_save(admin=admin, programme_id=programme.pk, data=changed)
    event = Event.objects.get(programme=programme, action=Event.Action.PROGRAMME_CHANGED)
    assert event.detail == {
        "name_en": ["Tianjin SME digital transformation pilot", "Tianjin pilot"],
        "budget": ["1000000", "2000000"],
        "sizes": [[], ["lt3m"]],
    }
    assert event.actor == admin
    programme.refresh_from_db()
    assert programme.budget == Decimal("2000000") and programme.sizes == ["lt3m"]


def test_an_edit_changing_nothing_records_nothing(people):
    programme = admin_programmes.programme_save(admin=people["admin"], data=data())
    admin_programmes.programme_save(admin=people["admin"], programme_id=programme.pk, data=of(programme))
    assert not Event.objects.filter(action=Event.Action.PROGRAMME_CHANGED).exists()


def test_the_budget_never_goes_below_what_is_reserved_and_granted(people):
    programme = make_programme(cities=("120000",), reserved=Decimal("300000"), granted=Decimal("200000"))
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_save(
            admin=people["tianjin_admin"],
            programme_id=programme.pk,
            data={**of(programme), "budget": "499999.99"},
        )
    assert caught.value.extra["field"] == "budget" and "500,000.00" in caught.value.message
    admin_programmes.programme_save(
        admin=people["tianjin_admin"], programme_id=programme.pk, data={**of(programme), "budget": "500000"}
    )
    assert Programme.objects.get(pk=programme.pk).remaining == 0


def test_an_admin_edits_only_what_they_manage(people):
    beijing = make_programme(cities=("110000",))
    both = make_programme(cities=("110000", "130600"))
    for admin, programme in [(people["tianjin_admin"], beijing), (people["hebei_admin"], both)]:
        with pytest.raises(Http404):
            admin_programmes.programme_save(admin=admin, programme_id=programme.pk, data=of(programme))
        with pytest.raises(Http404):
            admin_programmes.programme_set_state(admin=admin, programme_id=programme.pk, state="closed")
    # nor may an admin move a programme of theirs to a city outside their scope
    tianjin = make_programme(cities=("120000",))
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_save(
            admin=people["tianjin_admin"], programme_id=tianjin.pk, data={**of(tianjin), "cities": ["110000"]}
        )
    assert caught.value.extra["field"] == "cities"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_level", 3),
        ("target_level", 1),
        ("target_gain", 0),
        ("subsidy_percent", "40"),
        ("subsidy_cap", "100000"),
    ],
)
def test_the_rules_enrolled_enterprises_rely_on_are_frozen_once_projects_exist(people, alpha, field, value):
    programme = make_programme(cities=("110000", "120000"))
    make_project(programme, alpha)
    with pytest.raises(ConflictError) as caught:
        admin_programmes.programme_save(
            admin=people["admin"], programme_id=programme.pk, data={**of(programme), field: value}
        )
    assert caught.value.extra["field"] == field
    assert not Event.objects.filter(action=Event.Action.PROGRAMME_CHANGED).exists()


@pytest.mark.parametrize(
    ("field", "narrower", "wider"),
    [
        ("cities", ["110000"], ["110000", "120000", "130600"]),
        ("sizes", ["lt3m"], ["lt3m", "3m-20m", "20m-400m"]),
        ("contract_max", "400000", "600000"),
        ("verified_since", "later", "earlier"),
        ("apply_from", "later", "earlier"),
        ("complete_by", "earlier", "later"),
    ],
)
def test_who_may_apply_can_only_be_widened_once_projects_exist(people, alpha, field, narrower, wider):
    programme = make_programme(
        cities=("110000", "120000"), sizes=["lt3m", "3m-20m"], contract_max=Decimal("500000")
    )
    make_project(programme, alpha)
    base = of(programme)
    shift = {"later": 5, "earlier": -5}
    if isinstance(narrower, str) and narrower in shift:
        old = datetime.date.fromisoformat(base[field])
        narrower = (old + datetime.timedelta(days=shift[narrower])).isoformat()
        wider = (old + datetime.timedelta(days=shift[wider])).isoformat()
    with pytest.raises(ConflictError) as caught:
        admin_programmes.programme_save(
            admin=people["admin"], programme_id=programme.pk, data={**base, field: narrower}
        )
    assert caught.value.extra["field"] == field
    admin_programmes.programme_save(
        admin=people["admin"], programme_id=programme.pk, data={**base, field: wider}
    )
    event = Event.objects.get(programme=programme, action=Event.Action.PROGRAMME_CHANGED)
    assert list(event.detail) == [field]


def test_divisions_widen_to_every_division_but_not_back(people, alpha):
    segment = Segment.objects.first()
    programme = make_programme(cities=("110000",))
    programme.divisions.set([segment.division_id])
    make_project(programme, alpha)
    base = of(programme)
    admin_programmes.programme_save(
        admin=people["admin"], programme_id=programme.pk, data={**base, "divisions": []}
    )
    with pytest.raises(ConflictError):
        admin_programmes.programme_save(
            admin=people["admin"],
            programme_id=programme.pk,
            data={**base, "divisions": [segment.division_id]},
        )


def test_a_withdrawn_project_relies_on_nothing_and_a_rule_may_change(people, alpha):
    programme = make_programme(cities=("110000",))
    make_project(programme, alpha, state=Project.State.WITHDRAWN)
    admin_programmes.programme_save(
        admin=people["admin"], programme_id=programme.pk, data={**of(programme), "subsidy_percent": "50"}
    )
    assert Programme.objects.get(pk=programme.pk).subsidy_percent == 50


def test_a_finished_programme_is_not_edited(people):
    programme = make_programme(cities=("120000",), state=Programme.State.FINISHED)
    with pytest.raises(ConflictError):
        admin_programmes.programme_save(
            admin=people["tianjin_admin"], programme_id=programme.pk, data=of(programme)
        )


# --- states -----------------------------------------------------------------------------------------------


def test_the_states_move_as_documented_each_move_audited(people):
    admin = people["tianjin_admin"]
    programme = admin_programmes.programme_save(admin=admin, data=data())
    for state in ("open", "closed", "open", "closed", "finished"):
        assert (
            admin_programmes.programme_set_state(admin=admin, programme_id=programme.pk, state=state).state
            == state
        )
    moves = list(
        Event.objects.filter(programme=programme, action=Event.Action.PROGRAMME_STATE).values_list(
            "old", "new"
        )
    )
    assert moves == [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "open"),
        ("open", "closed"),
        ("closed", "finished"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("draft", "closed"),
        ("draft", "finished"),
        ("open", "draft"),
        ("closed", "draft"),
        ("finished", "open"),
        ("open", "open"),
    ],
)
def test_other_moves_are_409(people, start, to):
    programme = make_programme(cities=("120000",), state=start)
    with pytest.raises(ConflictError):
        admin_programmes.programme_set_state(
            admin=people["tianjin_admin"], programme_id=programme.pk, state=to
        )
    assert Programme.objects.get(pk=programme.pk).state == start
    assert not Event.objects.exists()


def test_an_unknown_state_is_a_400(people):
    programme = make_programme(cities=("120000",))
    with pytest.raises(ApplicationError) as caught:
        admin_programmes.programme_set_state(
            admin=people["tianjin_admin"], programme_id=programme.pk, state="gone"
        )
    assert caught.value.status_code == 400 and caught.value.extra["field"] == "state"


def test_finishing_waits_for_every_active_project(people, alpha, beta):
    programme = make_programme(cities=("110000", "120000"))
    project = make_project(programme, alpha, state=Project.State.APPROVED)
    make_project(programme, beta, state=Project.State.GRANTED)
    with pytest.raises(ConflictError) as caught:
        admin_programmes.programme_set_state(
            admin=people["admin"], programme_id=programme.pk, state="finished"
        )
    assert "1" in caught.value.message
    Project.objects.filter(pk=project.pk).update(state=Project.State.REFUSED)
    admin_programmes.programme_set_state(admin=people["admin"], programme_id=programme.pk, state="finished")


def test_opening_after_the_application_window_is_refused(people):
    today = timezone.localdate()
    programme = make_programme(
        cities=("120000",),
        state="draft",
        apply_from=today - datetime.timedelta(days=30),
        apply_until=today - datetime.timedelta(days=1),
    )
    with pytest.raises(ConflictError):
        admin_programmes.programme_set_state(
            admin=people["tianjin_admin"], programme_id=programme.pk, state="open"
        )


# --- pages ------------------------------------------------------------------------------------------------


def test_the_pages_are_404_for_anyone_but_a_regional_admin(people, alpha):
    programme = make_programme(cities=("120000",))
    provider = person("page-provider@example.com", "provider")
    for user in (people["assessor"], provider, alpha.owner):
        client = client_of(user)
        for path in (
            "/programmes/manage/",
            "/programmes/manage/new/",
            f"/programmes/manage/{programme.pk}/",
            f"/programmes/manage/{programme.pk}/providers/",
            f"/programmes/manage/{programme.pk}/projects/",
        ):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post("/programmes/manage/new/", data()).status_code == 404
    assert not Programme.objects.exclude(pk=programme.pk).exists()


def test_the_list_shows_the_programmes_seen_with_budget_and_counts(people, alpha, beta):
    tianjin = make_programme(cities=("120000",), name_zh="天津试点", reserved=Decimal("30000"))
    make_programme(cities=("130600",), name_zh="保定试点")
    make_project(tianjin, alpha, state=Project.State.APPROVED)
    make_project(tianjin, beta, state=Project.State.SUBMITTED)
    html = (
        client_of(people["tianjin_admin"])
        .get("/programmes/manage/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "天津试点" in html and "保定试点" not in html
    assert "970,000 元" in html  # remaining
    assert "30,000 元" in html  # used


def test_the_new_page_creates_a_draft_and_shows_errors_by_their_field(people):
    client = client_of(people["tianjin_admin"])
    page = client.get("/programmes/manage/new/")
    assert page.status_code == 200 and 'name="subsidy_percent"' in page.content.decode()
    bad = client.post("/programmes/manage/new/", data(subsidy_percent="150"), HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "at most 100%" in bad.content.decode()
    assert not Programme.objects.exists()
    response = client.post("/programmes/manage/new/", data())
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/programmes/manage/{programme.pk}/"
    page = client.get(f"/programmes/manage/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="programme-form"' in page and "Programme created" in page and 'id="state-open"' in page


def test_a_programme_seen_but_not_managed_is_read_only(people):
    both = make_programme(cities=("110000", "130600"))
    client = client_of(people["hebei_admin"])
    page = client.get(f"/programmes/manage/{both.pk}/").content.decode()
    assert 'id="read-only"' in page and 'id="programme-form"' not in page and 'id="state-form"' not in page
    assert client.post(f"/programmes/manage/{both.pk}/", of(both)).status_code == 404
    client.post(f"/programmes/manage/{both.pk}/state/", {"state": "closed"})
    assert Programme.objects.get(pk=both.pk).state == "open"


def test_the_state_buttons_move_the_programme(people):
    programme = make_programme(cities=("120000",), state="draft")
    client = client_of(people["tianjin_admin"])
    assert client.post(f"/programmes/manage/{programme.pk}/state/", {"state": "open"}).status_code == 302
    assert Programme.objects.get(pk=programme.pk).state == "open"
    client.post(
        f"/programmes/manage/{programme.pk}/state/", {"state": "draft"}
    )  # refused, shown as a message
    assert Programme.objects.get(pk=programme.pk).state == "open"


# --- API ----------------------------------------------------------------------------------------------------


def test_the_api_creates_lists_reads_edits_and_moves(people):
    client = client_of(people["tianjin_admin"])
    created = client.post(
        "/api/v1/programmes/manage/", data(contract_max=None), content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft" and body["cities"] == ["120000"] and body["manages"] is True
    assert body["remaining"] == "1000000.00" and body["contract_max"] is None
    listed = client.get("/api/v1/programmes/manage/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    path = f"/api/v1/programmes/manage/{body['id']}/"
    assert client.get(path).json()["name_en"] == "Tianjin SME digital transformation pilot"
    edited = client.put(path, data(name_en="Renamed", contract_max=None), content_type="application/json")
    assert edited.status_code == 200 and edited.json()["name_en"] == "Renamed"
    moved = client.post(f"{path}state/", {"state": "open"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["state"] == "open"
    again = client.post(f"{path}state/", {"state": "draft"}, content_type="application/json")
    assert again.status_code == 409 and set(again.json()["messages"]) == {"zh", "en"}


def test_the_api_answers_bad_input_with_a_400_naming_the_field(people):
    client = client_of(people["tianjin_admin"])
    response = client.post(
        "/api/v1/programmes/manage/", data(cities=["130600"]), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "cities"
    response = client.post(
        "/api/v1/programmes/manage/", data(cities=[{"x": 1}]), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "cities"
    response = client.post("/api/v1/programmes/manage/", [1, 2], content_type="application/json")
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/programmes/manage/{make_programme(cities=('120000',)).pk}/state/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "state"


def test_the_api_is_404_outside_the_scope_and_for_others(people):
    beijing = make_programme(cities=("110000",))
    client = client_of(people["tianjin_admin"])
    assert client.get(f"/api/v1/programmes/manage/{beijing.pk}/").status_code == 404
    assert (
        client.put(
            f"/api/v1/programmes/manage/{beijing.pk}/", data(), content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/programmes/manage/").json()["count"] == 0
    assessor = client_of(people["assessor"])
    assert assessor.get("/api/v1/programmes/manage/").status_code == 404
    assert (
        assessor.post("/api/v1/programmes/manage/", data(), content_type="application/json").status_code
        == 404
    )

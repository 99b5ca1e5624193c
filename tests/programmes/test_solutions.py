"""Solutions: a provider creates and edits its own (page and API), every field's rule, the fence
(another provider's solution is a 404), publishing and unpublishing."""

import pytest
from django.conf import settings
from django.test import Client

from programmes.models import Enrolment, Event, Solution
from tests.programmes.conftest import make_programme, make_provider, make_solution, person

pytestmark = pytest.mark.django_db

JSON = "application/json"


def client(user=None) -> Client:
    c = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    if user is not None:
        c.force_login(user)
    return c


def body(**change) -> dict:
    data = {
        "name_zh": "设备联网轻量化方案",
        "name_en": "Light connected equipment",
        "description_zh": "设备数据采集与看板",
        "description_en": "Machine data capture and dashboards",
        "price_min": "30000",
        "price_max": "120000",
        "delivery_days": 60,
        "divisions": ["C34"],
        "segments": [],
        "sizes": ["3m-20m", "20m-400m"],
        "scenes": ["production-control"],
        "questions": [],
        "references": "三家汽车零部件企业",
    }
    data.update(change)
    return data


def test_a_provider_creates_lists_and_edits_its_solution_through_the_api():
    provider, user = make_provider("p1")
    c = client(user)
    created = c.post("/api/v1/provider/solutions/", body(), content_type=JSON)
    assert created.status_code == 201, created.content
    solution = Solution.objects.get(pk=created.json()["id"])
    assert solution.provider == provider and solution.is_active and solution.framework.is_default
    assert [d.code for d in solution.divisions.all()] == ["C34"] and solution.sizes == ["3m-20m", "20m-400m"]
    assert c.get("/api/v1/provider/solutions/").json()["count"] == 1
    changed = c.put(f"/api/v1/provider/solutions/{solution.pk}/", body(price_max="200000"), content_type=JSON)
    assert changed.status_code == 200 and changed.json()["price_max"] == "200000.00"
    assert changed.json()["is_active"] is True  # not named: unchanged
    hidden = c.put(f"/api/v1/provider/solutions/{solution.pk}/", body(is_active=False), content_type=JSON)
    assert hidden.json()["is_active"] is False
    assert Event.objects.filter(action=Event.Action.SOLUTION_SAVED, provider=provider).count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_zh": ""}, "name_zh"),
        ({"name_zh": "   "}, "name_zh"),
        ({"description_zh": ""}, "description_zh"),
        ({"price_min": "0"}, "price_min"),
        ({"price_min": "-5"}, "price_min"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_max": "100"}, "price_max"),
        ({"price_max": "1e30"}, "price_max"),
        ({"delivery_days": 0}, "delivery_days"),
        ({"delivery_days": 3651}, "delivery_days"),
        ({"delivery_days": "soon"}, "delivery_days"),
        ({"scenes": ["no-such-scene"]}, "scenes"),
        ({"questions": ["no-such-question"]}, "questions"),
        ({"scenes": [], "questions": []}, "scenes"),
        ({"divisions": ["Z99"]}, "divisions"),
        ({"segments": ["no-such-segment"]}, "segments"),
        ({"segments": ["C13-agri-food"]}, "segments"),  # outside the division ticked (C34)
        ({"sizes": ["huge"]}, "sizes"),
        ({"scenes": [{"a": 1}]}, "scenes"),
        ({"name_zh": ["x"]}, "name_zh"),
    ],
)
def test_bad_solution_input_is_a_400_naming_the_field_and_changes_nothing(change, field):
    provider, user = make_provider("p1")
    existing = make_solution(provider)
    c = client(user)
    created = c.post("/api/v1/provider/solutions/", body(**change), content_type=JSON)
    assert created.status_code == 400 and field in created.json(), created.content
    changed = c.put(f"/api/v1/provider/solutions/{existing.pk}/", body(**change), content_type=JSON)
    assert changed.status_code == 400 and field in changed.json()
    assert Solution.objects.count() == 1 and not Event.objects.exists()
    existing.refresh_from_db()
    assert existing.name_zh == "质量管控轻量化方案"


def test_another_providers_solution_is_404_and_unchanged():
    provider, _user = make_provider("p1")
    _other, other_user = make_provider("p2")
    solution = make_solution(provider)
    c = client(other_user)
    assert c.get(f"/api/v1/provider/solutions/{solution.pk}/").status_code == 404
    assert c.put(f"/api/v1/provider/solutions/{solution.pk}/", body(), content_type=JSON).status_code == 404
    assert c.get(f"/provider/solutions/{solution.pk}/").status_code == 404
    assert c.post(f"/provider/solutions/{solution.pk}/", {"name_zh": "x"}).status_code == 404
    assert c.get("/api/v1/provider/solutions/").json()["count"] == 0
    solution.refresh_from_db()
    assert solution.name_zh == "质量管控轻量化方案"


def test_non_providers_get_404_on_the_solution_pages_and_api(people):
    for user in (people["admin"], person("buyer@example.com", "")):
        c = client(user)
        assert c.get("/provider/solutions/").status_code == 404
        assert c.get("/provider/solutions/new/").status_code == 404
        assert c.post("/api/v1/provider/solutions/", body(), content_type=JSON).status_code == 404
    assert not Solution.objects.exists()


def test_the_solution_form_page_groups_scenes_and_questions_and_saves_without_javascript():
    _provider, user = make_provider("p1")
    c = client(user)
    page = c.get("/provider/solutions/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="improves"' in page and 'name="scenes"' in page and 'name="questions"' in page
    assert 'type="checkbox"' in page
    form = {k: v for k, v in body().items() if v != []}
    form["is_active"] = "on"
    saved = c.post("/provider/solutions/new/", form)
    assert saved.status_code == 302
    solution = Solution.objects.get()
    assert saved["Location"] == f"/provider/solutions/{solution.pk}/"
    # Unticking "published" on the page unpublishes it.
    form.pop("is_active")
    assert c.post(f"/provider/solutions/{solution.pk}/", form).status_code == 302
    solution.refresh_from_db()
    assert not solution.is_active
    bad = c.post(f"/provider/solutions/{solution.pk}/", {**form, "price_max": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "highest price" in bad.content.decode()
    listing = c.get("/provider/solutions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Light connected equipment" in listing and "Not published" in listing


def test_publishing_and_unpublishing_from_the_list_with_events_and_the_fence():
    provider, user = make_provider("p1")
    _other, other_user = make_provider("p2")
    solution = make_solution(provider)
    Enrolment.objects.create(programme=make_programme(), provider=provider, status="accepted")
    c = client(user)
    assert c.post(f"/provider/solutions/{solution.pk}/publish/", {"active": "0"}).status_code == 302
    solution.refresh_from_db()
    assert not solution.is_active
    assert client().get(f"/solutions/{solution.pk}/").status_code == 404  # gone from the catalogue
    assert c.post(f"/provider/solutions/{solution.pk}/publish/", {"active": "maybe"}).status_code == 302
    assert (
        client(other_user).post(f"/provider/solutions/{solution.pk}/publish/", {"active": "1"}).status_code
        == 404
    )
    solution.refresh_from_db()
    assert not solution.is_active
    assert Event.objects.filter(action=Event.Action.SOLUTION_SAVED).count() == 1
    c.post(f"/provider/solutions/{solution.pk}/publish/", {"active": "1"})
    assert client().get(f"/solutions/{solution.pk}/").status_code == 200

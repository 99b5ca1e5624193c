"""The public side: the solution catalogue (search in Chinese and English, every filter, pages),
solution and provider pages (completed projects, names only when the enterprise agreed), the public
programme list and detail (never a draft), in both languages, without signing in."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from programmes.models import Enrolment, ProjectFact
from tests.programmes.conftest import make_programme, make_provider, make_solution

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]


def client() -> Client:
    return Client(HTTP_HOST=settings.PORTAL_DOMAIN)


@pytest.fixture
def shelf():
    quality, _u = make_provider("quality")
    energy, _u = make_provider("energy")
    hidden, _u = make_provider("hidden")
    hidden.is_active = False
    hidden.save()
    # Only providers a public programme accepted are public (and their solutions).
    selection = make_programme(state="finished", name_zh="往期试点")
    for provider in (quality, energy, hidden):
        Enrolment.objects.create(programme=selection, provider=provider, status="accepted")
    return {
        "selection": selection,
        "inspect": make_solution(quality),  # 质量管控轻量化方案 / Light quality control
        "energy": make_solution(
            energy,
            name_zh="能耗监测云平台",
            name_en="Energy monitoring cloud",
            description_zh="水电气计量",
            description_en="Metering of water, power and gas",
            scenes=["production-control"],
            sizes=["lt3m"],
        ),
        "unpublished": make_solution(quality, name_zh="未发布的质量方案", is_active=False),
        "of_hidden": make_solution(hidden, name_zh="停用服务商的质量方案"),
        "providers": {"quality": quality, "energy": energy, "hidden": hidden},
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_catalogue_lists_only_published_solutions_of_active_providers(shelf):
    assert ids(client().get("/api/v1/solutions/")) == {shelf["inspect"].pk, shelf["energy"].pk}
    assert client().get(f"/api/v1/solutions/{shelf['unpublished'].pk}/").status_code == 404
    assert client().get(f"/api/v1/solutions/{shelf['of_hidden'].pk}/").status_code == 404
    assert client().get(f"/solutions/{shelf['of_hidden'].pk}/").status_code == 404
    assert client().get(f"/providers/{shelf['providers']['hidden'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("keyword", "found"),
    [
        ("质量", {"inspect"}),
        ("质检", {"inspect"}),
        ("能耗", {"energy"}),
        ("追溯", {"inspect"}),
        ("quality", {"inspect"}),
        ("ENERGY", {"energy"}),
        ("metering", {"energy"}),
        ("服务商", {"inspect", "energy"}),
        ("nothing-like-this", set()),
    ],
)
def test_search_in_chinese_and_english(shelf, keyword, found):
    assert ids(client().get("/api/v1/solutions/", {"q": keyword})) == {shelf[k].pk for k in found}
    page = client().get("/solutions/", {"q": keyword}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for key in ("inspect", "energy"):
        assert (f'href="/solutions/{shelf[key].pk}/"' in page) == (key in found)


def test_filters_by_division_segment_scene_size_provider_and_programme(shelf):
    inspect, energy = shelf["inspect"], shelf["energy"]
    inspect.divisions.set(["C34"])
    inspect.sizes = ["20m-400m"]
    inspect.save()
    api = client()
    assert ids(api.get("/api/v1/solutions/", {"division": "C34"})) == {inspect.pk, energy.pk}  # energy: any
    assert ids(api.get("/api/v1/solutions/", {"division": "C13"})) == {energy.pk}
    assert ids(api.get("/api/v1/solutions/", {"segment": "C13-agri-food"})) == {energy.pk}
    assert ids(api.get("/api/v1/solutions/", {"scene": "quality-management"})) == {inspect.pk}
    assert ids(api.get("/api/v1/solutions/", {"size": "lt3m"})) == {energy.pk}
    assert ids(api.get("/api/v1/solutions/", {"size": "20m-400m"})) == {inspect.pk}
    provider = shelf["providers"]["energy"]
    assert ids(api.get("/api/v1/solutions/", {"provider": provider.pk})) == {energy.pk}
    programme = make_programme()
    assert ids(api.get("/api/v1/solutions/", {"programme": programme.pk})) == set()
    Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    Enrolment.objects.create(programme=programme, provider=shelf["providers"]["quality"], status="pending")
    assert ids(api.get("/api/v1/solutions/", {"programme": programme.pk})) == {energy.pk}
    page = (
        client().get("/solutions/", {"programme": programme.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert f"/solutions/{energy.pk}/" in page and f"/solutions/{inspect.pk}/" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"division": "Z99"},
        {"segment": "nope"},
        {"size": "huge"},
        {"provider": "x"},
        {"programme": "-1"},
        {"scene": "<script>"},
        {"limit": "abc"},
    ],
)
def test_a_bad_filter_is_a_400_on_the_api_and_ignored_on_the_page(shelf, params):
    response = client().get("/api/v1/solutions/", params)
    if "limit" in params:
        assert response.status_code == 200  # DRF's pages fall back to the default size
        return
    assert response.status_code == 400 and response.json()["field"] == next(iter(params))
    assert response.json()["messages"]["zh"]
    assert client().get("/solutions/", params).status_code == 200


def test_the_catalogue_is_paginated(shelf):
    provider = shelf["providers"]["quality"]
    for n in range(25):
        make_solution(provider, name_zh=f"批量方案{n:02d}")
    first = client().get("/api/v1/solutions/", {"limit": 10}).json()
    assert first["count"] == 27 and len(first["results"]) == 10 and first["next"]
    page2 = client().get("/solutions/", {"page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert page2.status_code == 200 and "Page 2 of 2" in page2.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_pages_in_both_languages(shelf, language):
    solution = shelf["inspect"]
    provider = shelf["providers"]["quality"]
    programme = make_programme()
    Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    name = "质量管控轻量化方案" if language == "zh-hans" else "Light quality control"
    for path in (
        "/solutions/",
        f"/solutions/{solution.pk}/",
        f"/providers/{provider.pk}/",
        f"/programmes/{programme.pk}/",
    ):
        page = client().get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200, path
        assert name in page.content.decode(), path
    programmes = client().get("/programmes/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert (programme.name_zh if language == "zh-hans" else programme.name_en) in programmes
    detail = client().get(f"/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    cap = "150,000 元" if language == "zh-hans" else "CNY 150,000"
    assert ("30.00%" in detail) and (cap in detail)
    assert (
        "质量管控"
        in client().get(f"/solutions/{solution.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    ) == (language == "zh-hans")


def test_drafts_are_never_public():
    draft = make_programme(state="draft", name_zh="草稿试点")
    shown = make_programme(state="closed", name_zh="已截止试点")
    listing = client().get("/api/v1/programmes/").json()
    assert {row["id"] for row in listing["results"]} == {shown.pk}
    assert client().get(f"/api/v1/programmes/{draft.pk}/").status_code == 404
    assert "草稿试点" not in client().get("/programmes/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert client().get(f"/programmes/{draft.pk}/").status_code == 404


def test_the_programme_api_shows_the_terms_and_accepted_providers_but_no_admin_data(shelf):
    programme = make_programme()
    provider = shelf["providers"]["quality"]
    Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    Enrolment.objects.create(programme=programme, provider=shelf["providers"]["energy"], status="rejected")
    body = client().get(f"/api/v1/programmes/{programme.pk}/").json()
    assert body["cities"] == ["110000"] and body["subsidy_percent"] == "30.00"
    assert body["budget"] == "1000000.00" and body["reserved"] == "0.00" and body["provider_window_open"]
    assert [p["id"] for p in body["accepted_providers"]] == [provider.pk]
    assert body["accepted_providers"][0]["solutions"] == [shelf["inspect"].pk]  # the published one only
    assert "created_by" not in body and "remaining" not in body


def fact(provider, state, *, n, publish_name, name, programme, tenant):
    now = timezone.now()
    return ProjectFact.objects.create(
        project_id=n,
        tenant=tenant,
        programme=programme,
        state=state,
        provider=provider,
        before_level=1,
        before_total=40.0,
        contract_amount=Decimal("100000"),
        enterprise_name=name,
        publish_name=publish_name,
        applied_at=now,
    )


def test_the_provider_page_counts_completed_projects_and_names_only_who_agreed(alpha, beta, shelf):
    provider = shelf["providers"]["quality"]
    programme = make_programme()
    Enrolment.objects.create(programme=programme, provider=provider, status="accepted")
    common = {"programme": programme, "provider": provider}
    fact(state="granted", n=1, publish_name=True, name="阿尔法机械", tenant=alpha.enterprise, **common)
    fact(state="verified", n=2, publish_name=False, name="贝塔精密", tenant=beta.enterprise, **common)
    fact(state="approved", n=3, publish_name=True, name="在建企业", tenant=beta.enterprise, **common)
    body = client().get(f"/api/v1/providers/{provider.pk}/").json()
    assert body["completed_projects"] == 2 and body["named_enterprises"] == ["阿尔法机械"]
    assert set(body["programmes"]) == {programme.pk, shelf["selection"].pk}
    assert body["solutions"] == [shelf["inspect"].pk]
    page = client().get(f"/providers/{provider.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "阿尔法机械" in page and "贝塔精密" not in page and "在建企业" not in page
    assert 'id="provider-completed">2<' in page

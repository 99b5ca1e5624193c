"""A regional admin scoped to one prefecture-level city (Qinhuangdao) works on that city only, not on
the rest of its province, in every area with a regional scope: the review's cases and audit log, loan
products, exhibition participation, programmes and their projects, and the programme reports; through
the pages and the API.

Each test has data in Qinhuangdao and in Baoding (both in Hebei) and checks that Hebei's admin sees
both: a city's scope widened to its province (core.roles.scope_q or region_in_scope) would show the
Baoding rows too. The areas' own scope tests use admins of the whole region, of Hebei and of the
municipalities, where a city and its province coincide; tests/test_reports_policy.py tests the rule
itself."""

import csv
import io
from decimal import Decimal

import pytest
from django.http import Http404

from finance.lending.models import Institution, LoanProduct
from manufacturing.review import assignments
from manufacturing.review.models import Assignment
from programmes import admin_programmes
from programmes.models import Project
from tenants.models import Region
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import case_of, logged_in, person, scored
from tests.programmes.conftest import make_programme, make_provider, make_solution
from tests.programmes.test_admin_programmes import data, of
from tests.programmes.test_budget import make_project
from tests.programmes.test_programme_reports import fact

pytestmark = pytest.mark.django_db

QINHUANGDAO, BAODING = "130300", "130600"
JSON = "application/json"


@pytest.fixture
def admins():
    return {
        "qinhuangdao": person("scope-qhd@example.com", "regional_admin", QINHUANGDAO),
        "hebei": person("scope-hebei@example.com", "regional_admin", "130000"),
    }


@pytest.fixture
def hebei(make_enterprise):
    """An enterprise in Qinhuangdao and one in Baoding."""
    return {
        "qinhuangdao": make_enterprise(slug="scope-qhd", city=QINHUANGDAO),
        "baoding": make_enterprise(slug="scope-bd", city=BAODING),
    }


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))


# --- the review ----------------------------------------------------------------------------------------


def test_a_city_admin_sees_and_assigns_the_review_cases_of_their_city_only(hebei, admins):
    assessor = person("scope-assessor@example.com", "assessor")
    ours = case_of(hebei["qinhuangdao"], scored(hebei["qinhuangdao"]))
    other = case_of(hebei["baoding"], scored(hebei["baoding"]))

    def listed(client) -> dict[str, list[int]]:
        return {
            "page": sorted(case.pk for case in client.get("/review/cases/").context["page"]),
            "API": sorted(case["id"] for case in client.get("/api/v1/review/cases/").json()["results"]),
        }

    both = sorted([ours.pk, other.pk])
    assert listed(logged_in(admins["hebei"])) == {"page": both, "API": both}
    client = logged_in(admins["qinhuangdao"])
    assert listed(client) == {"page": [ours.pk], "API": [ours.pk]}

    # Baoding's case does not exist for them: no assignment by the page, the API or the service.
    body = {"assessor": assessor.pk}
    assert client.post(f"/review/cases/{other.pk}/assign/", body).status_code == 404
    assert client.post(f"/api/v1/review/cases/{other.pk}/assign/", body, content_type=JSON).status_code == 404
    with pytest.raises(Http404):
        assignments.assign(admin=admins["qinhuangdao"], case_id=other.pk, assessor_id=assessor.pk)
    assert not Assignment.objects.filter(case=other).exists()
    # nor may they cancel the assignment the province's admin made there
    theirs = assignments.assign(admin=admins["hebei"], case_id=other.pk, assessor_id=assessor.pk)
    assert client.post(f"/review/assignments/{theirs.pk}/cancel/", {"reason": "mine"}).status_code == 404
    assert Assignment.objects.get(pk=theirs.pk).status == Assignment.Status.OPEN

    # their own city's case they assign
    assigned = client.post(f"/api/v1/review/cases/{ours.pk}/assign/", body, content_type=JSON)
    assert assigned.status_code == 201 and Assignment.objects.filter(case=ours).count() == 1


def test_a_city_admin_reads_the_audit_rows_of_their_city_only(hebei, admins):
    scored(hebei["qinhuangdao"])
    scored(hebei["baoding"])  # each writes its own rows: submitted, scored

    def enterprises(client) -> dict[str, set[str]]:
        page = client.get("/review/audit/").context["page"]
        api = client.get("/api/v1/review/audit/").json()["results"]
        return {
            "page": {event.tenant.name for event in page if event.tenant_id},
            "API": {event["enterprise"] for event in api if event["enterprise"]},
        }

    names = {key: world.enterprise.name for key, world in hebei.items()}
    both = {names["qinhuangdao"], names["baoding"]}
    assert enterprises(logged_in(admins["hebei"])) == {"page": both, "API": both}
    ours = {names["qinhuangdao"]}
    assert enterprises(logged_in(admins["qinhuangdao"])) == {"page": ours, "API": ours}


# --- loan products -------------------------------------------------------------------------------------


def _institution_with_product(city: str, name: str) -> LoanProduct:
    institution = Institution.objects.create(
        name_zh=f"{name}测试银行",
        name_en=f"{name} test bank",
        kind="bank",
        city=Region.objects.get(code=city),
    )
    return LoanProduct.objects.create(
        institution=institution, name_zh=f"{name}技改贷", amount_min=Decimal("100000"),
        amount_max=Decimal("3000000"), term_min=6, term_max=36, rate_min=Decimal("3.2"),
        rate_max=Decimal("4.1"), collaterals=["none"],
    )  # fmt: skip


def test_a_city_admin_manages_the_loan_products_of_institutions_in_their_city_only(admins):
    ours = _institution_with_product(QINHUANGDAO, "秦皇岛")
    other = _institution_with_product(BAODING, "保定")
    hebei = logged_in(admins["hebei"])
    assert sorted(p.pk for p in hebei.get("/lending/products/").context["products"]) == sorted(
        [ours.pk, other.pk]
    )

    client = logged_in(admins["qinhuangdao"], "en")
    assert [p.pk for p in client.get("/lending/products/").context["products"]] == [ours.pk]
    assert client.get(f"/lending/products/{ours.pk}/").status_code == 200
    assert client.get(f"/lending/products/{other.pk}/").status_code == 404
    choices = client.get("/lending/products/new/").context["form"].fields["institution"].queryset
    assert list(choices) == [ours.institution]

    assert client.get(f"/api/v1/lending/products/{ours.pk}/").status_code == 200
    body = {
        "name_zh": "新产品", "amount_min": "100000", "amount_max": "2000000", "term_min": 6, "term_max": 24,
        "rate_min": "3.3", "rate_max": "4.5", "min_level": 0, "collaterals": ["none"], "is_active": True,
    }  # fmt: skip
    url = f"/api/v1/lending/products/{other.pk}/"
    assert client.get(url).status_code == 404
    changed = client.put(url, {**body, "institution": other.institution_id}, content_type=JSON)
    assert changed.status_code == 404
    refused = client.post(
        "/api/v1/lending/products/", {**body, "institution": other.institution_id}, content_type=JSON
    )
    assert refused.status_code == 400 and "institution" in refused.json()
    assert not LoanProduct.objects.filter(name_zh="新产品").exists()
    created = client.post(
        "/api/v1/lending/products/", {**body, "institution": ours.institution_id}, content_type=JSON
    )
    assert created.status_code == 201
    assert LoanProduct.objects.get(name_zh="新产品").institution == ours.institution


# --- exhibition participation ----------------------------------------------------------------------------


def test_a_city_admin_sees_the_exhibition_participation_of_their_city_only(hebei, admins, fair):
    exhibit(hebei["qinhuangdao"], fair, name_zh="轴承", name_en="Bearing", tags=[])
    exhibit(hebei["baoding"], fair, "cars", name_zh="底盘", name_en="Chassis", tags=[])
    exhibition = fair["exhibition"].pk
    names = dict(Region.objects.filter(code__in=[QINHUANGDAO, BAODING]).values_list("code", "name_en"))

    def seen(client) -> dict:
        api = client.get(f"/api/v1/hall/exhibitions/{exhibition}/participation/").json()
        rows = _csv(client.get(f"/hall/manage/{exhibition}/participation/?export=csv").content)
        return {
            "API": ([city["code"] for city in api["cities"]], api["total"]["registered"]),
            "page": (
                [row[0] for row in rows if row and row[0] in names.values()],
                next(int(row[1]) for row in rows if row and row[0] == "Total"),
            ),
        }

    assert seen(logged_in(admins["hebei"], "en")) == {
        "API": ([QINHUANGDAO, BAODING], 2),
        "page": ([names[QINHUANGDAO], names[BAODING]], 2),
    }
    assert seen(logged_in(admins["qinhuangdao"], "en")) == {
        "API": ([QINHUANGDAO], 1),
        "page": ([names[QINHUANGDAO]], 1),
    }


# --- programmes and their projects -------------------------------------------------------------------------


def test_a_city_admin_sees_and_manages_the_programmes_of_their_city_only(admins):
    ours = make_programme(cities=(QINHUANGDAO,), name_zh="秦皇岛试点")
    shared = make_programme(cities=(QINHUANGDAO, BAODING), name_zh="秦保试点")
    other = make_programme(cities=(BAODING,), name_zh="保定试点")

    def managed(client) -> dict[str, dict[int, bool]]:
        """The programmes listed, each with whether the admin manages it."""
        api = client.get("/api/v1/programmes/manage/").json()["results"]
        return {
            "page": {p.pk: p.manages for p in client.get("/programmes/manage/").context["programmes"]},
            "API": {p["id"]: p["manages"] for p in api},
        }

    every = {ours.pk: True, shared.pk: True, other.pk: True}
    assert managed(logged_in(admins["hebei"])) == {"page": every, "API": every}
    client = logged_in(admins["qinhuangdao"])
    seen = {ours.pk: True, shared.pk: False}  # Baoding's is not theirs to change
    assert managed(client) == {"page": seen, "API": seen}
    for path in (f"/programmes/manage/{other.pk}/", f"/api/v1/programmes/manage/{other.pk}/"):
        assert client.get(path).status_code == 404, path
    assert 'id="read-only"' in client.get(f"/programmes/manage/{shared.pk}/").content.decode()
    with pytest.raises(Http404):
        admin_programmes.programme_save(admin=admins["qinhuangdao"], programme_id=shared.pk, data=of(shared))
    put = client.put(f"/api/v1/programmes/manage/{shared.pk}/", of(shared), content_type=JSON)
    assert put.status_code == 404

    # a new programme: the form offers their city only, and the service refuses Baoding
    choices = client.get("/programmes/manage/new/").context["form"].fields["cities"].queryset
    assert [city.code for city in choices] == [QINHUANGDAO]
    refused = client.post(
        "/api/v1/programmes/manage/", data(cities=[QINHUANGDAO, BAODING]), content_type=JSON
    )
    assert refused.status_code == 400 and refused.json()["field"] == "cities"
    created = client.post("/api/v1/programmes/manage/", data(cities=[QINHUANGDAO]), content_type=JSON)
    assert created.status_code == 201 and created.json()["manages"] is True


def test_a_city_admin_sees_and_decides_the_projects_of_their_city_only(hebei, admins):
    provider, _user = make_provider("scope")
    offer = {"provider": provider, "solution": make_solution(provider)}
    shared = make_programme(cities=(QINHUANGDAO, BAODING))
    ours = make_project(shared, hebei["qinhuangdao"], **offer)
    other = make_project(shared, hebei["baoding"], **offer)

    def listed(client) -> dict[str, list[int]]:
        page = client.get(f"/programmes/manage/{shared.pk}/projects/").context["page"]
        api = client.get(f"/api/v1/programmes/manage/{shared.pk}/projects/").json()["results"]
        return {"page": sorted(p.pk for p in page), "API": sorted(p["id"] for p in api)}

    both = sorted([ours.pk, other.pk])
    assert listed(logged_in(admins["hebei"])) == {"page": both, "API": both}
    client = logged_in(admins["qinhuangdao"])
    assert listed(client) == {"page": [ours.pk], "API": [ours.pk]}
    assert client.get(f"/api/v1/programmes/projects/{ours.pk}/").json()["manages"] is False
    for path in (f"/programmes/manage/projects/{other.pk}/", f"/api/v1/programmes/projects/{other.pk}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/api/v1/programmes/projects/{other.pk}/approve/").status_code == 404
    assert Project.objects.get(pk=other.pk).state == Project.State.SUBMITTED

    # a project of a programme of their city alone they decide
    own = make_project(make_programme(cities=(QINHUANGDAO,)), hebei["qinhuangdao"], **offer)
    approved = client.post(f"/api/v1/programmes/projects/{own.pk}/approve/")
    assert approved.status_code == 200 and Project.objects.get(pk=own.pk).state == Project.State.APPROVED


# --- the programme reports ---------------------------------------------------------------------------------


def test_a_city_admin_reads_the_programme_report_rows_of_their_city_only(alpha, admins):
    shared = make_programme(cities=(QINHUANGDAO, BAODING), name_zh="秦保试点", name_en="Pilot QHD-BD")
    fact(alpha, shared, city=QINHUANGDAO, segment=None, provider=None, state="applied")
    for _n in range(2):
        fact(alpha, shared, city=BAODING, segment=None, provider=None, state="applied")
    other = make_programme(cities=(BAODING,), name_zh="保定试点", name_en="Baoding pilot")
    names = dict(Region.objects.filter(code__in=[QINHUANGDAO, BAODING]).values_list("code", "name_en"))

    def report(client) -> dict:
        api = client.get(f"/api/v1/reports/programmes/{shared.pk}/").json()
        rows = _csv(client.get(f"/reports/programmes/{shared.pk}/?export=csv").content)
        return {
            "API": ([city["code"] for city in api["cities"]], api["total"]["applied"]),
            "page": next(row[1] for row in rows if row and row[0] == "Cities shown"),
        }

    assert report(logged_in(admins["hebei"], "en")) == {
        "API": ([QINHUANGDAO, BAODING], 3),
        "page": f"{names[QINHUANGDAO]}, {names[BAODING]}",
    }
    client = logged_in(admins["qinhuangdao"], "en")
    assert report(client) == {"API": ([QINHUANGDAO], 1), "page": names[QINHUANGDAO]}
    for path in (f"/reports/programmes/{other.pk}/", f"/api/v1/reports/programmes/{other.pk}/"):
        assert client.get(path).status_code == 404, path
    listed = client.get("/reports/programmes/").content.decode()
    assert "Pilot QHD-BD" in listed and "Baoding pilot" not in listed
    assert "Baoding pilot" in logged_in(admins["hebei"], "en").get("/reports/programmes/").content.decode()

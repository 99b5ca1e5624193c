"""programmes/policy.py asked directly: the provider a user acts for, the programmes and projects a
regional admin sees, and the programmes they manage (the pages and the API ask these functions; their
own tests cover the routes).

A programme is seen when any of its cities lies in the admin's scope, managed when every one does;
its projects are seen when the programme is seen and the project's city lies in scope."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from programmes import policy
from programmes.models import Programme, Project, ProviderMember
from tenants.models import Region
from tests.programmes.conftest import make_programme, make_provider, person
from tests.programmes.test_budget import make_project

pytestmark = pytest.mark.django_db

BEIJING, TIANJIN, HEBEI = "110000", "120000", "130000"
SHIJIAZHUANG, QINHUANGDAO, BAODING = "130100", "130300", "130600"


@pytest.fixture
def admins():
    return {
        "region": person("pol-region@example.com", "regional_admin"),
        "hebei": person("pol-hebei@example.com", "regional_admin", HEBEI),
        "beijing": person("pol-beijing@example.com", "regional_admin", BEIJING),
        "qinhuangdao": person("pol-qhd@example.com", "regional_admin", QINHUANGDAO),
    }


@pytest.fixture
def others():
    """Everyone who is not a regional admin, and a deactivated one."""
    inactive = person("pol-inactive-admin@example.com", "regional_admin")
    inactive.is_active = False
    return [
        AnonymousUser(),
        person("pol-owner@example.com", ""),
        person("pol-assessor@example.com", "assessor"),
        person("pol-bank@example.com", "institution"),
        person("pol-provider@example.com", "provider"),
        inactive,
    ]


@pytest.fixture
def programmes():
    """Programmes of one city, of several cities, and of none."""
    return {
        "beijing": make_programme(cities=(BEIJING,)),
        "beijing+tianjin": make_programme(cities=(BEIJING, TIANJIN)),
        "qinhuangdao": make_programme(cities=(QINHUANGDAO,)),
        "qinhuangdao+baoding": make_programme(cities=(QINHUANGDAO, BAODING)),
        "hebei+beijing": make_programme(cities=(SHIJIAZHUANG, BAODING, BEIJING)),
        "none": make_programme(cities=()),
    }


def names(rows, programmes) -> list[str]:
    """The programmes' names in the fixture, sorted, each as often as the query returns it."""
    by_pk = {p.pk: name for name, p in programmes.items()}
    return sorted(by_pk[pk] for pk in rows.values_list("pk", flat=True) if pk in by_pk)


# --- provider_of ------------------------------------------------------------------------------------------


def test_a_provider_user_acts_for_their_active_provider():
    provider, user = make_provider("pol-a")
    assert policy.provider_of(user) == provider
    assert policy.require_provider(user) == provider


def test_a_provider_user_of_a_deactivated_provider_acts_for_nobody():
    provider, user = make_provider("pol-b")
    provider.is_active = False
    provider.save(update_fields=["is_active"])
    user = type(user).objects.get(pk=user.pk)
    assert policy.provider_of(user) is None
    with pytest.raises(Http404):
        policy.require_provider(user)


def test_a_provider_user_without_a_provider_acts_for_nobody():
    user = person("pol-lonely@example.com", "provider")
    assert policy.provider_of(user) is None
    with pytest.raises(Http404):
        policy.require_provider(user)


def test_only_an_active_user_of_the_provider_role_acts_for_a_provider(others):
    provider, user = make_provider("pol-c")
    user.is_active = False
    assert policy.provider_of(user) is None
    assessor = person("pol-linked-assessor@example.com", "assessor")
    ProviderMember.objects.create(user=assessor, provider=provider)  # a link left from a role change
    assert policy.provider_of(assessor) is None
    for other in others:
        assert policy.provider_of(other) is None
        with pytest.raises(Http404):
            policy.require_provider(other)


# --- programmes_seen and manages ------------------------------------------------------------------------

SEEN = {
    "region": ["beijing", "beijing+tianjin", "hebei+beijing", "none", "qinhuangdao", "qinhuangdao+baoding"],
    "hebei": ["hebei+beijing", "qinhuangdao", "qinhuangdao+baoding"],
    "beijing": ["beijing", "beijing+tianjin", "hebei+beijing"],
    "qinhuangdao": ["qinhuangdao", "qinhuangdao+baoding"],
}
# A programme without a city (the form requires one) is the whole region's: only the admin without a
# scope manages it.
MANAGED = {
    "region": SEEN["region"],
    "hebei": ["qinhuangdao", "qinhuangdao+baoding"],
    "beijing": ["beijing"],
    "qinhuangdao": ["qinhuangdao"],
}


@pytest.mark.parametrize("admin", list(SEEN))
def test_an_admin_sees_each_programme_with_a_city_in_scope_once(admins, programmes, admin):
    """Hebei's admin sees the programme of three cities (two of them Hebei's) once, not twice."""
    assert names(policy.programmes_seen(admins[admin]), programmes) == SEEN[admin]


@pytest.mark.parametrize("admin", list(MANAGED))
def test_an_admin_manages_a_programme_whose_every_city_is_in_scope(admins, programmes, admin):
    user = admins[admin]
    assert sorted(name for name, p in programmes.items() if policy.manages(user, p)) == MANAGED[admin]


def test_nobody_but_a_regional_admin_sees_or_manages_programmes(others, programmes):
    for user in others:
        with pytest.raises(Http404):
            policy.programmes_seen(user)
        with pytest.raises(Http404):
            policy.projects_seen(user)
        assert not any(policy.manages(user, p) for p in programmes.values())
        with pytest.raises(Http404):
            policy.programme_managed(user, programmes["beijing"].pk)


# --- projects_seen ------------------------------------------------------------------------------------------


@pytest.fixture
def projects(alpha, beta, programmes):
    """alpha's and beta's projects, each row with the city the test names (a project keeps the
    enterprise's city at the time it applied)."""

    def project(programme: str, world, code: str) -> Project:
        region = Region.objects.get(code=code)
        return make_project(programmes[programme], world, city_id=code, province_code=region.province_code)

    return {
        "beijing in beijing+tianjin": project("beijing+tianjin", alpha, BEIJING),
        "tianjin in beijing+tianjin": project("beijing+tianjin", beta, TIANJIN),
        "qinhuangdao in qinhuangdao+baoding": project("qinhuangdao+baoding", alpha, QINHUANGDAO),
        "baoding in qinhuangdao+baoding": project("qinhuangdao+baoding", beta, BAODING),
        "baoding in hebei+beijing": project("hebei+beijing", alpha, BAODING),
        "beijing in qinhuangdao": project("qinhuangdao", alpha, BEIJING),  # moved away since
        "qinhuangdao in beijing": project("beijing", beta, QINHUANGDAO),
    }


PROJECTS_SEEN = {
    "region": [
        "baoding in hebei+beijing",
        "baoding in qinhuangdao+baoding",
        "beijing in beijing+tianjin",
        "beijing in qinhuangdao",
        "qinhuangdao in beijing",
        "qinhuangdao in qinhuangdao+baoding",
        "tianjin in beijing+tianjin",
    ],
    "hebei": [
        "baoding in hebei+beijing",
        "baoding in qinhuangdao+baoding",
        "qinhuangdao in qinhuangdao+baoding",
    ],
    "beijing": ["beijing in beijing+tianjin"],
    "qinhuangdao": ["qinhuangdao in qinhuangdao+baoding"],
}


@pytest.mark.parametrize("admin", list(PROJECTS_SEEN))
def test_an_admin_sees_the_projects_of_their_cities_in_the_programmes_they_see(admins, projects, admin):
    """Beijing's admin sees the Beijing project of the Beijing-Tianjin programme, not the Tianjin one;
    a project in scope of a programme out of scope is not seen (nor the reverse)."""
    by_pk = {p.pk: name for name, p in projects.items()}
    seen = policy.projects_seen(admins[admin]).values_list("pk", flat=True)
    assert sorted(by_pk[pk] for pk in seen if pk in by_pk) == PROJECTS_SEEN[admin]


# --- programme_managed -------------------------------------------------------------------------------------


def test_the_managed_programme_by_its_id_as_a_number_or_text(admins, programmes):
    beijing = admins["beijing"]
    programme = programmes["beijing"]
    assert policy.programme_managed(beijing, programme.pk) == programme
    assert policy.programme_managed(beijing, str(programme.pk)) == programme
    assert policy.programme_managed(admins["region"], programmes["none"].pk) == programmes["none"]
    assert (
        policy.programme_managed(admins["qinhuangdao"], programmes["qinhuangdao"].pk)
        == programmes["qinhuangdao"]
    )


@pytest.mark.parametrize("programme_id", [None, "", "abc", "1.5", [1]])
def test_an_id_that_is_no_number_is_not_found(admins, programmes, programme_id):
    with pytest.raises(Http404):
        policy.programme_managed(admins["region"], programme_id)


def test_a_programme_seen_but_not_managed_or_not_seen_or_missing_is_not_found(admins, programmes):
    with pytest.raises(Http404):  # seen (Beijing is in scope), not managed (Tianjin is not)
        policy.programme_managed(admins["beijing"], programmes["beijing+tianjin"].pk)
    with pytest.raises(Http404):  # seen, not managed: Baoding is not Qinhuangdao
        policy.programme_managed(admins["qinhuangdao"], programmes["qinhuangdao+baoding"].pk)
    with pytest.raises(Http404):  # not seen
        policy.programme_managed(admins["qinhuangdao"], programmes["beijing"].pk)
    with pytest.raises(Http404):  # no city, so not seen from a city
        policy.programme_managed(admins["qinhuangdao"], programmes["none"].pk)
    with pytest.raises(Http404):  # no such programme
        policy.programme_managed(admins["region"], Programme.objects.order_by("-pk").first().pk + 1)


def test_the_managed_programme_is_locked_when_asked_only(admins, programmes):
    programme = programmes["qinhuangdao+baoding"]
    for lock in (True, False):
        with CaptureQueriesContext(connection) as queries:
            assert policy.programme_managed(admins["hebei"], programme.pk, lock=lock) == programme
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries) is lock
    with CaptureQueriesContext(connection) as queries:
        policy.programme_managed(admins["hebei"], programme.pk)
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    with pytest.raises(Http404):  # locked or not, a programme not managed is not found
        policy.programme_managed(admins["beijing"], programmes["beijing+tianjin"].pk, lock=True)

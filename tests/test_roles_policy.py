"""The roles, asked directly: the platform's roles and a regional admin's scope (core/roles.py) and a
member's role in an enterprise (tenants/roles.py). The pages and the API ask these functions; their
own tests cover the routes.

Scopes are the four kinds there are: the whole region, a province (Hebei), a municipality (Beijing,
where city and province coincide) and one prefecture-level city of Hebei (Qinhuangdao)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from core import roles as platform
from tenants import roles
from tenants.members.models import Role
from tenants.models import Enterprise, Region
from tests.manufacturing.test_review import person
from tests.test_members import add_member

pytestmark = pytest.mark.django_db

BEIJING, TIANJIN, HEBEI = "110000", "120000", "130000"
SHIJIAZHUANG, QINHUANGDAO, BAODING = "130100", "130300", "130600"
CITIES = (BEIJING, TIANJIN, SHIJIAZHUANG, QINHUANGDAO, BAODING)
PLATFORM_ROLES = ("", "assessor", "regional_admin", "institution", "provider")


def city(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def admins():
    return {
        "region": person("roles-region@example.com", "regional_admin"),
        "hebei": person("roles-hebei@example.com", "regional_admin", HEBEI),
        "beijing": person("roles-beijing@example.com", "regional_admin", BEIJING),
        "qinhuangdao": person("roles-qhd@example.com", "regional_admin", QINHUANGDAO),
    }


@pytest.fixture
def everyone():
    """One active user of each platform role ("" is an enterprise's user)."""
    return {role: person(f"roles-{role or 'none'}@example.com", role) for role in PLATFORM_ROLES}


# --- core/roles.py: the platform's roles --------------------------------------------------------------


def test_each_platform_role_is_its_own_and_no_other(everyone):
    for role, user in everyone.items():
        assert {r for r in PLATFORM_ROLES if platform.has_platform_role(user, r)} == {role}
        assert platform.is_assessor(user) is (role == "assessor")
        assert platform.is_provider(user) is (role == "provider")
        assert platform.is_regional_admin(user) is (role == "regional_admin")


def test_an_anonymous_visitor_has_no_platform_role():
    anonymous = AnonymousUser()
    for role in PLATFORM_ROLES:
        assert platform.has_platform_role(anonymous, role) is False
    assert not platform.is_assessor(anonymous)
    assert not platform.is_provider(anonymous)
    assert not platform.is_regional_admin(anonymous)


def test_a_deactivated_user_loses_the_platform_role(everyone):
    for role, user in everyone.items():
        user.is_active = False
        assert platform.has_platform_role(user, role) is False
    assert not platform.is_assessor(everyone["assessor"])
    assert not platform.is_provider(everyone["provider"])
    assert not platform.is_regional_admin(everyone["regional_admin"])


def test_the_regional_pages_do_not_exist_for_anyone_but_a_regional_admin(everyone, admins):
    for user in admins.values():
        assert platform.require_regional_admin(user) is None
    inactive = person("roles-inactive-admin@example.com", "regional_admin")
    inactive.is_active = False
    for user in [*(u for r, u in everyone.items() if r != "regional_admin"), AnonymousUser(), inactive]:
        with pytest.raises(Http404):
            platform.require_regional_admin(user)


# --- core/roles.py: a regional admin's scope -------------------------------------------------------


@pytest.mark.parametrize(
    ("admin", "in_scope"),
    [
        ("region", set(CITIES)),
        ("hebei", {SHIJIAZHUANG, QINHUANGDAO, BAODING}),
        ("beijing", {BEIJING}),
        ("qinhuangdao", {QINHUANGDAO}),
    ],
)
def test_the_cities_in_an_admins_scope(admins, admin, in_scope):
    """The whole region; Hebei's cities for Hebei; the municipality; the one city of Hebei."""
    user = admins[admin]
    assert {code for code in CITIES if platform.region_in_scope(user, city(code))} == in_scope
    by_filter = Region.objects.filter(code__in=CITIES).filter(
        platform.scope_q(user, city="code", province="province_code")
    )
    assert set(by_filter.values_list("code", flat=True)) == in_scope


def test_a_city_scope_holds_the_city_not_its_province_nor_its_districts(admins):
    """Qinhuangdao's province code is Hebei's; Qinhuangdao's scope is still the one city."""
    qinhuangdao = admins["qinhuangdao"]
    assert city(QINHUANGDAO).province_code == HEBEI
    assert platform.region_in_scope(qinhuangdao, city(QINHUANGDAO))
    assert not platform.region_in_scope(qinhuangdao, city(HEBEI))
    assert not platform.region_in_scope(qinhuangdao, city(BAODING))
    beijing = admins["beijing"]
    assert platform.region_in_scope(beijing, city(BEIJING))
    assert not platform.region_in_scope(beijing, city(TIANJIN))


@pytest.mark.parametrize(
    ("admin", "expected"),
    [
        ("region", Q()),
        ("hebei", Q(province_code=HEBEI)),
        ("beijing", Q(city=BEIJING)),
        ("qinhuangdao", Q(city=QINHUANGDAO)),
    ],
)
def test_the_scope_filter_names_the_city_and_province_code_fields_by_default(admins, admin, expected):
    assert platform.scope_q(admins[admin]) == expected


@pytest.mark.parametrize(
    ("admin", "expected"),
    [
        ("region", Q()),
        ("hebei", Q(city__province_code=HEBEI)),
        ("beijing", Q(code=BEIJING)),
        ("qinhuangdao", Q(code=QINHUANGDAO)),
    ],
)
def test_the_scope_filter_on_fields_of_other_names(admins, admin, expected):
    assert platform.scope_q(admins[admin], city="code", province="city__province_code") == expected


def test_the_scope_filter_on_real_rows_with_the_default_fields(admins, alpha, beta, make_enterprise):
    """Enterprises have `city` but no `province_code`: filtered through their city's, the Hebei admin
    sees the Hebei enterprise; a city's admin sees the enterprises of that city."""
    qhd = make_enterprise(city=QINHUANGDAO).enterprise
    mine = Enterprise.objects.filter(pk__in=[alpha.enterprise.pk, beta.enterprise.pk, qhd.pk])
    seen = {
        name: set(
            mine.filter(platform.scope_q(user, province="city__province_code")).values_list("pk", flat=True)
        )
        for name, user in admins.items()
    }
    assert seen == {
        "region": {alpha.enterprise.pk, beta.enterprise.pk, qhd.pk},
        "hebei": {qhd.pk},
        "beijing": {alpha.enterprise.pk},
        "qinhuangdao": {qhd.pk},
    }


# --- tenants/roles.py: a member's role in an enterprise ------------------------------------------------


@pytest.fixture
def members(alpha):
    """A user of each role in alpha (the owner is alpha's)."""
    return {
        Role.OWNER: alpha.owner,
        **{
            role: add_member(alpha, f"roles-{role}@example.com", role)
            for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER)
        },
    }


def fresh(user):
    """The same user, read again: nothing cached on the object."""
    return type(user).objects.get(pk=user.pk)


def test_each_member_has_their_role_and_a_stranger_none(alpha, beta, members):
    for role, user in members.items():
        assert roles.role_of(user=fresh(user), enterprise=alpha.enterprise) == role
        assert roles.is_member(user=fresh(user), enterprise=alpha.enterprise) is True
    assert roles.role_of(user=fresh(beta.owner), enterprise=alpha.enterprise) is None
    assert roles.is_member(user=fresh(beta.owner), enterprise=alpha.enterprise) is False
    assert roles.role_of(user=fresh(alpha.owner), enterprise=beta.enterprise) is None


def test_nobody_has_a_role_on_the_public_site_nor_an_anonymous_visitor(alpha):
    assert roles.role_of(user=fresh(alpha.owner), enterprise=None) is None
    assert roles.role_of(user=AnonymousUser(), enterprise=alpha.enterprise) is None
    assert roles.is_member(user=AnonymousUser(), enterprise=alpha.enterprise) is False
    assert not hasattr(AnonymousUser(), roles.CACHE_ATTR)


def test_a_membership_row_without_the_users_link_to_the_enterprise_is_no_role(alpha, members):
    """Both must agree: the enterprise's membership row and the public user-enterprise link."""
    viewer = members[Role.VIEWER]
    viewer.tenants.remove(alpha.enterprise)
    assert roles.role_of(user=fresh(viewer), enterprise=alpha.enterprise) is None
    assert roles.role_of(user=fresh(members[Role.MEMBER]), enterprise=alpha.enterprise) == Role.MEMBER


def test_a_link_without_a_membership_row_is_no_role(alpha, beta):
    """A user linked to alpha who is a member of beta only: beta's membership is not alpha's."""
    user = add_member(beta, "roles-beta-member@example.com", Role.ADMIN)
    user.tenants.add(alpha.enterprise)
    assert roles.role_of(user=fresh(user), enterprise=alpha.enterprise) is None
    assert roles.role_of(user=fresh(user), enterprise=beta.enterprise) == Role.ADMIN


def test_the_role_is_read_once_per_user_object_and_enterprise(
    alpha, beta, members, django_assert_num_queries
):
    user = fresh(members[Role.ADMIN])
    with django_assert_num_queries(1):
        assert roles.role_of(user=user, enterprise=alpha.enterprise) == Role.ADMIN
    with django_assert_num_queries(0):
        assert roles.role_of(user=user, enterprise=alpha.enterprise) == Role.ADMIN
        assert roles.has_role(user=user, enterprise=alpha.enterprise, minimum=Role.ADMIN)
    assert getattr(user, roles.CACHE_ATTR) == {alpha.enterprise.pk: Role.ADMIN}
    with django_assert_num_queries(1):  # another enterprise: asked, and remembered as no role
        assert roles.role_of(user=user, enterprise=beta.enterprise) is None
    with django_assert_num_queries(0):
        assert roles.role_of(user=user, enterprise=beta.enterprise) is None
    assert getattr(user, roles.CACHE_ATTR) == {alpha.enterprise.pk: Role.ADMIN, beta.enterprise.pk: None}


def test_a_remembered_role_is_used_until_forgotten(alpha, beta, members, django_assert_num_queries):
    user = fresh(members[Role.VIEWER])
    roles.remember(user=user, enterprise=alpha.enterprise, role=Role.OWNER)
    roles.remember(user=user, enterprise=beta.enterprise, role=None)
    assert getattr(user, roles.CACHE_ATTR) == {alpha.enterprise.pk: Role.OWNER, beta.enterprise.pk: None}
    with django_assert_num_queries(0):
        assert roles.role_of(user=user, enterprise=alpha.enterprise) == Role.OWNER
        assert roles.role_of(user=user, enterprise=beta.enterprise) is None
    roles.forget(user)
    assert not hasattr(user, roles.CACHE_ATTR)
    assert roles.role_of(user=user, enterprise=alpha.enterprise) == Role.VIEWER
    roles.forget(user)
    roles.forget(user)  # nothing cached: nothing to forget, no error
    assert not hasattr(user, roles.CACHE_ATTR)
    roles.remember(user=user, enterprise=alpha.enterprise, role=Role.MEMBER)
    assert getattr(user, roles.CACHE_ATTR) == {alpha.enterprise.pk: Role.MEMBER}


RANKS = [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]


def test_a_role_allows_what_its_rank_and_every_lower_one_allow(alpha, beta, members):
    for role, user in members.items():
        for minimum in RANKS:
            allowed = RANKS.index(role) >= RANKS.index(minimum)
            assert roles.has_role(user=fresh(user), enterprise=alpha.enterprise, minimum=minimum) is allowed
    for minimum in RANKS:
        assert roles.has_role(user=fresh(beta.owner), enterprise=alpha.enterprise, minimum=minimum) is False
        assert roles.has_role(user=AnonymousUser(), enterprise=alpha.enterprise, minimum=minimum) is False


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Your role in this enterprise does not allow this."),
        ("zh-hans", "您在该企业中的角色无权执行此操作。"),
    ],
)
def test_require_role_returns_the_role_refuses_below_it_and_hides_from_strangers(
    alpha, beta, members, language, message
):
    for role, user in members.items():
        for minimum in RANKS:
            if RANKS.index(role) >= RANKS.index(minimum):
                assert (
                    roles.require_role(user=fresh(user), enterprise=alpha.enterprise, minimum=minimum) == role
                )
            else:
                with translation.override(language), pytest.raises(PermissionDenied) as refused:
                    roles.require_role(user=fresh(user), enterprise=alpha.enterprise, minimum=minimum)
                assert refused.value.args == (message,)
    for stranger in (fresh(beta.owner), AnonymousUser()):
        with pytest.raises(Http404):
            roles.require_role(user=stranger, enterprise=alpha.enterprise, minimum=Role.VIEWER)


def _request(user, tenant):
    request = RequestFactory().get("/", HTTP_HOST="example.com")
    request.user = user
    request.tenant = tenant
    return request


def test_on_the_enterprises_host_a_member_gets_the_enterprise_and_their_role(alpha, beta, members):
    """Any member passes by default, a viewer too; below the minimum asked, 403; a stranger, 404."""
    for role, user in members.items():
        assert roles.host_member_or_404(_request(fresh(user), alpha.enterprise)) == (alpha.enterprise, role)
    viewer = members[Role.VIEWER]
    assert roles.host_member_or_404(_request(fresh(viewer), alpha.enterprise), Role.VIEWER) == (
        alpha.enterprise,
        Role.VIEWER,
    )
    with pytest.raises(PermissionDenied):
        roles.host_member_or_404(_request(fresh(viewer), alpha.enterprise), Role.MEMBER)
    assert roles.host_member_or_404(_request(fresh(alpha.owner), alpha.enterprise), minimum=Role.OWNER) == (
        alpha.enterprise,
        Role.OWNER,
    )
    with pytest.raises(Http404):
        roles.host_member_or_404(_request(fresh(beta.owner), alpha.enterprise))
    with pytest.raises(Http404):
        roles.host_member_or_404(_request(AnonymousUser(), alpha.enterprise))


def test_on_the_public_site_nobody_is_a_member(alpha):
    public = Enterprise(schema_name="public")
    for tenant in (None, public):
        with pytest.raises(Http404):
            roles.host_member_or_404(_request(fresh(alpha.owner), tenant))

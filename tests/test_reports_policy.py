"""Who may see an enterprise in the regional reports (reports/policy.py), and the kernel's scope
rule it stands on (core.roles.region_in_scope and scope_q, which every other list filters with).

Scopes are the four kinds there are: the whole region, a province (Hebei), a municipality (Beijing,
where city and province coincide) and one prefecture-level city of Hebei (Qinhuangdao), which is
the case where "the city" and "its province" differ."""

import pytest

from core.roles import region_in_scope, scope_q
from reports.policy import enterprises_visible
from tenants.models import Region
from tests.manufacturing.test_review import person

pytestmark = pytest.mark.django_db

BEIJING, TIANJIN, SHIJIAZHUANG, QINHUANGDAO, BAODING = "110000", "120000", "130100", "130300", "130600"


@pytest.fixture
def admins():
    return {
        "region": person("region@jjj.example.com", "regional_admin"),
        "hebei": person("hebei@jjj.example.com", "regional_admin", "130000"),
        "beijing": person("beijing@jjj.example.com", "regional_admin", BEIJING),
        "qinhuangdao": person("qhd@jjj.example.com", "regional_admin", QINHUANGDAO),
    }


def city(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.mark.parametrize(
    ("admin", "visible"),
    [
        ("region", {BEIJING, TIANJIN, SHIJIAZHUANG, QINHUANGDAO, BAODING}),
        ("hebei", {SHIJIAZHUANG, QINHUANGDAO, BAODING}),
        ("beijing", {BEIJING}),
        ("qinhuangdao", {QINHUANGDAO}),
    ],
)
def test_an_admin_sees_the_enterprises_of_the_cities_in_scope_only(admins, admin, visible):
    cities = (BEIJING, TIANJIN, SHIJIAZHUANG, QINHUANGDAO, BAODING)
    assert {code for code in cities if enterprises_visible(admins[admin], city(code))} == visible


def test_nobody_but_a_regional_admin_sees_enterprises(admins):
    assessor = person("assessor@jjj.example.com", "assessor")
    institution = person("bank@jjj.example.com", "institution")
    owner = person("owner@jjj.example.com", "")
    for user in (assessor, institution, owner):
        assert not enterprises_visible(user, city(BEIJING))
    admins["region"].is_active = False
    assert not enterprises_visible(admins["region"], city(BEIJING))


@pytest.mark.parametrize("admin", ["region", "hebei", "beijing", "qinhuangdao"])
def test_the_filter_and_the_one_city_rule_agree(admins, admin):
    """scope_q (lists) and region_in_scope (one city) are the same rule in two forms."""
    user = admins[admin]
    report_cities = Region.objects.filter(is_report_city=True)
    by_filter = set(
        report_cities.filter(scope_q(user, city="code", province="province_code")).values_list(
            "code", flat=True
        )
    )
    by_rule = {c.code for c in report_cities if region_in_scope(user, c)}
    assert by_filter == by_rule
    assert by_rule  # every admin has at least their own city

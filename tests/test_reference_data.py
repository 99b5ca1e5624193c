"""The shipped reference data (tenants/fixtures/regions.json, industries.json) as the platform loads it
(tenants.services.reference_data_load, run by the session set-up): the rules that live in it (which
cities the reports compare, which province each belongs to, the manufacturing divisions) checked
against literals written by hand, so that an edit of the data fails here, not in a report."""

import pytest

from tenants.models import Industry, Region
from tenants.services import XIONGAN_CODE

# code, Chinese name, English name, province code, level: the 14 cities the reports compare.
REPORT_CITIES = [
    ("110000", "北京市", "Beijing", "110000", "municipality"),
    ("120000", "天津市", "Tianjin", "120000", "municipality"),
    ("130100", "石家庄市", "Shijiazhuang", "130000", "prefecture_city"),
    ("130200", "唐山市", "Tangshan", "130000", "prefecture_city"),
    ("130300", "秦皇岛市", "Qinhuangdao", "130000", "prefecture_city"),
    ("130400", "邯郸市", "Handan", "130000", "prefecture_city"),
    ("130500", "邢台市", "Xingtai", "130000", "prefecture_city"),
    ("130600", "保定市", "Baoding", "130000", "prefecture_city"),
    ("130700", "张家口市", "Zhangjiakou", "130000", "prefecture_city"),
    ("130800", "承德市", "Chengde", "130000", "prefecture_city"),
    ("130900", "沧州市", "Cangzhou", "130000", "prefecture_city"),
    ("131000", "廊坊市", "Langfang", "130000", "prefecture_city"),
    ("131100", "衡水市", "Hengshui", "130000", "prefecture_city"),
    (XIONGAN_CODE, "河北雄安新区", "Xiong'an New Area", "130000", "new_area"),
]


@pytest.mark.django_db
def test_the_reports_compare_beijing_tianjin_and_the_twelve_hebei_cities():
    rows = Region.objects.filter(is_report_city=True).order_by("code")
    got = [(r.code, r.name_zh, r.name_en, r.province_code, r.level) for r in rows]
    assert got == sorted(REPORT_CITIES)


@pytest.mark.django_db
def test_hebei_is_the_one_province_and_the_municipalities_are_their_own_province():
    provinces = Region.objects.filter(level="province")
    assert [(r.code, r.name_zh, r.name_en, r.province_code) for r in provinces] == [
        ("130000", "河北省", "Hebei", "130000")
    ]
    for code in ("110000", "120000"):
        city = Region.objects.get(code=code)
        assert city.province_code == city.code and city.parent_id is None


@pytest.mark.django_db
def test_every_hebei_city_belongs_to_hebei_and_every_district_to_a_city_of_its_own_province():
    for city in Region.objects.filter(level__in=["prefecture_city", "new_area"]):
        assert city.parent_id == "130000" and city.province_code == "130000", city.code
    districts = Region.objects.filter(level="district").select_related("parent")
    assert districts.exists()
    for district in districts:
        assert district.parent.level in {"municipality", "prefecture_city", "new_area"}, district.code
        assert district.province_code == district.parent.province_code, district.code


@pytest.mark.django_db
def test_the_industries_are_the_31_manufacturing_divisions_c13_to_c43():
    rows = Industry.objects.order_by("code")
    assert [r.code for r in rows] == [f"C{n}" for n in range(13, 44)]
    assert {r.section for r in rows} == {"C"}
    assert Industry.objects.get(code="C34").name_zh == "通用设备制造业"
    assert Industry.objects.get(code="C39").name_zh == "计算机、通信和其他电子设备制造业"

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


# The programmes' key industry segments (programmes/segments.json): code, division, Chinese name.
SEGMENTS = [
    ("C13-agri-food", "C13", "农副食品加工"),
    ("C14-convenience-food", "C14", "方便食品制造"),
    ("C17-cotton-textiles", "C17", "棉纺织及印染精加工"),
    ("C18-apparel", "C18", "机织服装制造"),
    ("C21-furniture", "C21", "家具制造"),
    ("C26-specialty-chemicals", "C26", "专用化学产品制造"),
    ("C27-pharma", "C27", "化学药品制剂制造"),
    ("C29-plastics", "C29", "塑料制品"),
    ("C30-glass", "C30", "玻璃制品制造"),
    ("C31-steel-rolling", "C31", "钢压延加工"),
    ("C33-fasteners", "C33", "紧固件制造"),
    ("C33-metal-structures", "C33", "金属结构制造"),
    ("C34-bearings-gears", "C34", "轴承、齿轮和传动部件制造"),
    ("C34-pumps-valves", "C34", "泵、阀门、压缩机及类似机械制造"),
    ("C35-agri-machinery", "C35", "农、林、牧、渔专用机械制造"),
    ("C36-auto-parts", "C36", "汽车零部件及配件制造"),
    ("C37-bicycles", "C37", "自行车制造"),
    ("C38-power-equipment", "C38", "输配电及控制设备制造"),
    ("C38-wire-cable", "C38", "电线、电缆制造"),
    ("C39-electronic-components", "C39", "电子元件及电子专用材料制造"),
    ("C40-instruments", "C40", "通用仪器仪表制造"),
]


@pytest.mark.django_db
def test_the_programme_segments_are_the_shipped_21_each_part_of_its_own_division():
    """Programmes select enterprises by segment, and a segment's division decides which enterprises it
    can match: a segment filed under the wrong division would silently select the wrong ones."""
    from programmes.models import Segment

    rows = Segment.objects.order_by("code")
    assert [(s.code, s.division_id, s.name_zh) for s in rows] == SEGMENTS
    for segment in rows:
        assert segment.code.startswith(segment.division_id + "-"), segment.code
        assert segment.name_en and segment.name_en != segment.name_zh, segment.code

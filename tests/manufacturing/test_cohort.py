"""The peer cohort (manufacturing/review/cohort.py) on its own, without a database: the steps it
widens through, their filters and labels, and the mid-rank percentile. Fast, so that `make mutate`
can run it for every change of the rule."""

from types import SimpleNamespace

import pytest

from manufacturing.review import cohort

TANGSHAN = SimpleNamespace(code="130200", name_zh="唐山市", name_en="Tangshan")
HEBEI = SimpleNamespace(code="130000", name_zh="河北省", name_en="Hebei")
C34 = SimpleNamespace(code="C34", section="C", name_zh="通用设备制造业", name_en="General-purpose machinery")


def test_a_complete_enterprise_widens_from_its_division_in_its_city_to_the_region():
    steps = cohort.steps(city=TANGSHAN, province=HEBEI, industry=C34)
    assert [(s.scope, s.filters, s.label) for s in steps] == [
        (
            "division-city",
            {"industry": C34, "city": TANGSHAN},
            {"zh": "唐山市 · 通用设备制造业", "en": "Tangshan · General-purpose machinery"},
        ),
        (
            "section-city",
            {"industry_section": "C", "city": TANGSHAN},
            {"zh": "唐山市 · 全部制造业企业", "en": "Tangshan · all manufacturers"},
        ),
        (
            "section-province",
            {"industry_section": "C", "province_code": "130000"},
            {"zh": "河北省 · 全部制造业企业", "en": "Hebei · all manufacturers"},
        ),
        (
            "section-region",
            {"industry_section": "C"},
            {"zh": "京津冀 · 全部制造业企业", "en": "Beijing-Tianjin-Hebei · all manufacturers"},
        ),
    ]


def test_without_a_city_only_the_province_and_the_region_remain():
    steps = cohort.steps(city=None, province=HEBEI, industry=C34)
    assert [s.scope for s in steps] == ["section-province", "section-region"]


def test_without_a_province_the_city_steps_and_the_region_remain():
    steps = cohort.steps(city=TANGSHAN, province=None, industry=C34)
    assert [s.scope for s in steps] == ["division-city", "section-city", "section-region"]


def test_without_an_industry_only_the_whole_region_remains():
    steps = cohort.steps(city=TANGSHAN, province=HEBEI, industry=None)
    assert [(s.scope, s.filters, s.label) for s in steps] == [
        ("region", {}, {"zh": "京津冀全部企业", "en": "All of Beijing-Tianjin-Hebei"})
    ]


def test_the_minimum_cohort_is_twenty():
    assert cohort.COHORT_MIN == 20


@pytest.mark.parametrize(
    ("value", "totals", "expected"),
    [
        (50.0, [50.0], 50.0),  # a cohort of one: half of itself
        (90.0, [float(t) for t in range(20)], 100.0),  # above all 20
        (19.0, [float(t) for t in range(20)], 97.5),  # the best of 20: 19 below + half of itself
        (0.0, [float(t) for t in range(20)], 2.5),  # the worst of 20
        (10.0, [10.0, 10.0, 20.0, 0.0], 50.0),  # 1 below, 2 equal: (1 + 1) / 4
        (10.0, [10.0 + 1e-10, 9.0], 75.0),  # within 1e-9 counts as equal
        (10.0, [10.0 - 2e-9, 11.0], 50.0),  # just over 1e-9 below counts as below
        (10.0, [10.0 + 2e-9, 9.0], 50.0),  # just over 1e-9 above counts as above
        (1e-9, [0.0], 50.0),  # exactly 1e-9 apart (no rounding) is still a tie, not below
        (1.0, [0.0, 0.0, 2.0], 66.7),  # rounded to one decimal
    ],
)
def test_the_percentile_counts_those_below_and_half_the_ties(value, totals, expected):
    assert cohort.percentile_rank(value, totals) == expected


def test_an_empty_cohort_has_no_percentile():
    with pytest.raises(ValueError) as raised:
        cohort.percentile_rank(10.0, [])
    assert str(raised.value) == "an empty cohort has no percentile"

"""The result page's radar chart (manufacturing.presenters.radar): pure geometry, checked by hand."""

import math

import pytest

from manufacturing import presenters, scoring
from tests.manufacturing.definitions import full_answers, points


def axis(zh: str, en: str, score: float, maximum: float) -> dict:
    return {"name": {"zh": zh, "en": en}, "score": score, "max": maximum, "percent": 100 * score / maximum}


def view_box(chart: dict) -> tuple[float, float, float, float]:
    left, top, width, height = (float(v) for v in chart["view_box"].split())
    return left, top, left + width, top + height


def test_fewer_than_three_axes_draw_no_radar():
    assert presenters.radar([axis("甲", "A", 1, 2), axis("乙", "B", 1, 2)], "zh") is None


def test_the_polygon_follows_the_percentages():
    chart = presenters.radar([axis("甲", "A", 10, 10), axis("乙", "B", 5, 10), axis("丙", "C", 0, 10)], "zh")
    r = presenters.RADAR_RADIUS
    first, second, third = (tuple(map(float, p.split(","))) for p in chart["shape"].split())
    assert first == pytest.approx((0, -r), abs=0.1)  # the first axis points up, at 100 %
    angle = -math.pi / 2 + 2 * math.pi / 3
    assert second == pytest.approx((r / 2 * math.cos(angle), r / 2 * math.sin(angle)), abs=0.1)
    assert third == pytest.approx((0, 0), abs=0.1)
    assert len(chart["rings"]) == 4 and len(chart["spokes"]) == 3


def test_labels_sit_outside_the_polygon_inside_the_view_box_wrapped_with_their_values():
    axes = [
        axis("设备系统", "Equipment and networks", 14, 20),
        axis("数字化转型规划管理", "Planning and governance", 15, 15),
        axis("绿色低碳", "Green and low-carbon", 3.5, 7),
        axis("市场效益", "Market performance", 6, 6),
        axis("信息安全", "Information security", 10, 10),
    ]
    for language in ("zh", "en"):
        chart = presenters.radar(axes, language)
        left, top, right, bottom = view_box(chart)
        # the text is sized for a phone's column: at most ~460 units wide, so 18 units render >= 12 px there
        assert right - left <= 470 and chart["font"] >= 18
        for label in chart["labels"]:
            x = label["x"]
            assert math.hypot(x, label["lines"][0]["y"]) > presenters.RADAR_RADIUS * 0.5
            for line in [*label["lines"], label["value"]]:
                width = presenters._text_width(line["text"])
                start = {"start": x, "end": x - width, "middle": x - width / 2}[label["anchor"]]
                assert left <= start and start + width <= right
                assert top <= line["y"] - chart["font"] and line["y"] <= bottom
    zh = presenters.radar(axes, "zh")["labels"]
    assert [line["text"] for line in zh[1]["lines"]] == ["数字化转型", "规划管理"]  # five characters a line
    assert zh[0]["value"]["text"] == "14.0 / 20"
    en = presenters.radar(axes, "en")["labels"]
    assert [line["text"] for line in en[0]["lines"]] == ["Equipment", "and networks"]  # between words


def test_a_points_framework_charts_its_sub_dimensions():
    definition = points()
    result = scoring.score(definition, full_answers(definition))
    axes = presenters.radar_axes(definition, result)
    subs = [s for d in result["dimensions"] for s in d["subdimensions"] if s["max"]]
    assert [a["score"] for a in axes] == [s["score"] for s in subs]
    assert all(a["group"] for a in axes)


def test_values_round_half_up_as_the_table_does():
    chart = presenters.radar(
        [axis("甲", "A", 5.25, 15), axis("乙", "B", 0.125, 1), axis("丙", "C", 1, 10)], "zh"
    )
    assert [label["value"]["text"] for label in chart["labels"]] == ["5.3 / 15", "0.13", "1.0 / 10"]

"""Scoring by hand-computed examples (no database)."""

import pytest

from manufacturing import scoring
from manufacturing.frameworks.loader import validate_definition
from tests.manufacturing.definitions import cmmm, points


def test_the_test_definitions_are_valid():
    validate_definition(points())
    validate_definition(cmmm())


def band(digital, total=100):
    return {"inputs": {"digital": digital, "total": total}}


@pytest.mark.parametrize(
    ("digital", "percent"),
    [
        (0, 0),
        (10, 0),
        (10.0001, 25),
        (20, 25),
        (21, 50),
        (40, 50),
        (40.5, 75),
        (60, 75),
        (61, 100),
        (100, 100),
    ],
)
def test_band_edges_belong_to_the_lower_band(digital, percent):
    question = scoring.index(points()).questions["rate"]
    assert scoring.question_percent(question, band(digital)) == percent


def test_band_ratio_from_raw_counts():
    question = scoring.index(points()).questions["rate"]
    assert scoring.question_percent(question, band(3, 30)) == 0  # exactly 10 %
    assert scoring.question_percent(question, band(7, 30)) == 50  # 23.3 %


def test_multi_adds_up_and_the_exclusive_option_scores_nothing():
    q = scoring.index(points()).questions["net"]
    assert scoring.question_percent(q, {"options": ["a", "c"]}) == 50
    assert scoring.question_percent(q, {"options": ["a", "b", "c", "d"]}) == 100
    assert scoring.question_percent(q, {"options": ["none"]}) == 0


def test_total_dimensions_and_level_by_hand():
    answers = {
        "net": {"options": ["a", "b", "c"]},  # 8 * 75 % = 6
        "rate": band(35),  # 6 * 50 % = 3
        "strategy": {"option": "some"},  # 6 * 50 % = 3
        "s1": {"level": 2},
        "s2": {"level": 2},
        "s3": {"level": 2},
        "s4": {"level": 1},
    }
    result = scoring.score(points(), answers)
    assert result["total"] == 12
    assert result["dimensions"][0]["score"] == 12
    assert [s["score"] for s in result["dimensions"][0]["subdimensions"]] == [9, 3]
    assert result["level"] == 2  # 12 >= 12, 3 scenes at L2 (2 of them constraint)
    assert result["blocking"] is None  # no level 3 in this framework
    assert result["answered"] == result["answerable"] == 7


@pytest.mark.parametrize(
    ("total_answers", "scenes", "level"),
    [
        # exactly at the L2 score boundary with enough scenes
        (
            {"net": {"options": ["a", "b", "c"]}, "rate": band(35), "strategy": {"option": "some"}},
            [2, 2, 2, 0],
            2,
        ),
        # the score is there but only one constraint scene at L2 -> L1
        (
            {"net": {"options": ["a", "b", "c"]}, "rate": band(35), "strategy": {"option": "some"}},
            [2, 1, 2, 2],
            1,
        ),
        # one point short of L2 (11) -> L1
        (
            {"net": {"options": ["a", "b", "c"]}, "rate": band(35), "strategy": {"option": "no"}, "x": None},
            [4, 4, 4, 4],
            1,
        ),
        # exactly 4 points with the minimum scenes -> L1
        ({"strategy": {"option": "no"}, "net": {"options": ["a", "b"]}}, [1, 0, 1, 0], 1),
        # 4 points but no constraint scene -> below L1
        ({"net": {"options": ["a", "b"]}}, [0, 0, 1, 1], 0),
    ],
)
def test_level_boundaries(total_answers, scenes, level):
    answers = {k: v for k, v in total_answers.items() if v is not None and k != "x"}
    answers.update({f"s{i + 1}": {"level": lv} for i, lv in enumerate(scenes)})
    assert scoring.score(points(), answers)["level"] == level


def test_blocking_condition_names_what_is_missing():
    answers = {
        "net": {"options": ["a", "b"]},  # 4
        "s1": {"level": 1},
        "s2": {"level": 1},
    }
    result = scoring.score(points(), answers)
    assert result["level"] == 1
    blocking = result["blocking"]
    assert blocking["level"] == 2
    assert {"condition": "score", "needed": 12, "has": 4.0} in blocking["unmet"]
    assert {"condition": "scenes", "level": 2, "needed": 3, "has": 0} in blocking["unmet"]
    assert {"condition": "constraint_scenes", "level": 2, "needed": 2, "has": 0} in blocking["unmet"]


def test_gaps_are_ranked_by_the_points_they_would_gain():
    result = scoring.score(
        points(), {"net": {"options": ["a", "b"]}, "rate": band(61), "strategy": {"option": "no"}}
    )
    assert [(g["key"], g["gain"]) for g in result["gaps"]] == [("strategy", 6), ("net", 4)]
    # scene gaps towards the next level: constraint scenes first
    assert [g["key"] for g in result["scene_gaps"]][:2] == ["s1", "s2"]


def test_recommendations_that_apply():
    result = scoring.score(
        points(), {"net": {"options": ["a", "b", "c"]}, "strategy": {"option": "full"}, "s1": {"level": 3}}
    )
    assert [r["key"] for r in result["recommendations"]] == []  # net 75 % is not below 75; plan full; s1 >= 2
    result = scoring.score(points(), {"net": {"options": ["a"]}})
    assert [r["key"] for r in result["recommendations"]] == ["r-net", "r-plan", "r-s1"]  # gains 6, 6, 0


def test_unanswered_is_zero_and_missing_lists_them_in_order():
    result = scoring.score(points(), {})
    assert result["total"] == 0 and result["level"] == 0
    assert scoring.missing_answers(points(), {"net": {"options": ["a"]}}) == [
        "rate",
        "strategy",
        "s1",
        "s2",
        "s3",
        "s4",
    ]


# --- answers that do not fit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "answer", "fragment"),
    [
        ("nope", {"option": "a"}, "no question"),
        ("strategy", {"option": "maybe"}, "not an option"),
        ("strategy", {"options": ["no", "full"]}, "exactly one option"),
        ("net", {"options": ["a", "zzz"]}, "not an option"),
        ("net", {"options": ["none", "a"]}, "cannot be combined"),
        ("net", {"options": []}, "at least one"),
        ("rate", {"inputs": {"digital": -1, "total": 10}}, "less than 0"),
        ("rate", {"inputs": {"digital": "ten", "total": 10}}, "enter a number"),
        ("rate", {"inputs": {"digital": 11, "total": 10}}, "cannot exceed"),
        ("rate", {"inputs": {"digital": 1, "total": 0}}, "less than 1"),
        ("s1", {"level": 5}, "0 to 4"),
        ("s1", {"level": True}, "0 to 4"),
        ("strategy", "some", "is an object"),
    ],
)
def test_answers_that_do_not_fit_are_refused_in_both_languages(key, answer, fragment):
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.answer_clean(points(), key, answer)
    assert fragment in excinfo.value.message["en"]
    assert excinfo.value.message["zh"]


def test_clean_answers_are_canonical():
    assert scoring.answer_clean(points(), "net", {"options": ["c", "a"]}) == {"options": ["a", "c"]}
    assert scoring.answer_clean(points(), "rate", {"inputs": {"digital": 3, "total": 9, "extra": 1}}) == {
        "inputs": {"digital": 3, "total": 9}
    }


# --- CMMM ---------------------------------------------------------------------------------------------------


def ratings(strategy: dict[int, tuple[float, float]], skills: dict[int, float]) -> dict:
    answers = {}
    for lv, (a, b) in strategy.items():
        answers[f"st-{lv}-1"] = {"rating": a}
        answers[f"st-{lv}-2"] = {"rating": b}
    for lv, r in skills.items():
        answers[f"sk-{lv}"] = {"rating": r}
    return answers


def test_cmmm_level_scores_and_final_score_by_hand():
    # level 1: strategy (1+0.8)/2 = 0.9 (w3), skills 0.5 (w1) -> (2.7 + 0.5) / 4 = 0.8 -> reached
    # level 2: strategy (0.5+0.5)/2 = 0.5, skills 1 -> (1.5 + 1) / 4 = 0.625 -> not reached
    answers = ratings({1: (1, 0.8), 2: (0.5, 0.5), 3: (1, 1)}, {1: 0.5, 2: 1, 3: 1})
    result = scoring.score(cmmm(), answers)
    assert result["level_scores"] == {"1": 0.8, "2": 0.625, "3": 1.0}
    assert result["level"] == 1
    assert result["total"] == 1.625  # n + score of level n+1
    assert result["blocking"]["level"] == 2
    assert result["blocking"]["unmet"][0]["subdomains_below"] == ["strategy"]
    # raising strategy to 1 at level 2 adds 3 * 0.5 / 4 = 0.375
    assert result["gaps"][0] == {
        "kind": "subdomain",
        "key": "strategy",
        "level": 2,
        "score": 0.5,
        "gain": 0.375,
    }


def test_cmmm_a_level_counts_only_if_every_level_below_does():
    answers = ratings({1: (0.5, 0.5), 2: (1, 1), 3: (1, 1)}, {1: 0.5, 2: 1, 3: 1})
    result = scoring.score(cmmm(), answers)
    assert result["level"] == 0
    assert result["total"] == 0.5  # 0 + level 1's score


def test_cmmm_top_level_and_recommendations():
    full = ratings({1: (1, 1), 2: (1, 1), 3: (1, 1)}, {1: 1, 2: 1, 3: 1})
    result = scoring.score(cmmm(), full)
    assert result["level"] == 3 and result["total"] == 3 and result["blocking"] is None
    assert result["recommendations"] == []
    # level 3: strategy 1 (weight 3), skills 0 (weight 1) -> 0.75 < 0.8: level 2, skills recommended
    result = scoring.score(cmmm(), ratings({1: (1, 1), 2: (1, 1), 3: (1, 1)}, {1: 1, 2: 1, 3: 0}))
    assert result["level_scores"]["3"] == 0.75
    assert result["level"] == 2 and result["total"] == 2.75
    assert [r["key"] for r in result["recommendations"]] == ["r-sk"]


def test_cmmm_ratings_must_be_on_the_scale():
    with pytest.raises(scoring.AnswerError):
        scoring.answer_clean(cmmm(), "st-1-1", {"rating": 0.7})
    assert scoring.answer_clean(cmmm(), "st-1-1", {"rating": 1}) == {"rating": 1.0}


def test_a_percentage_input_is_kept_between_0_and_100():
    definition = points()
    question = scoring.index(definition).questions["rate"]
    question["inputs"].append({"key": "share", "label": {"zh": "占比", "en": "Share"}, "min": 0, "max": 100})
    answer = {"inputs": {"digital": 1, "total": 2, "share": 100}}
    assert scoring.answer_clean(definition, "rate", answer)["inputs"]["share"] == 100
    for bad in (100.5, -0.1):
        with pytest.raises(scoring.AnswerError) as excinfo:
            scoring.answer_clean(definition, "rate", {"inputs": {**answer["inputs"], "share": bad}})
        assert "Share" in excinfo.value.message["en"] and "占比" in excinfo.value.message["zh"]


def test_a_ratio_exactly_on_an_edge_despite_floating_point():
    question = scoring.index(points()).questions["rate"]
    assert 0.07 / 0.7 * 100 > 10  # 10.000000000000002 in binary floating point
    assert scoring.question_percent(question, {"inputs": {"digital": 0.07, "total": 0.7}}) == 0


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e13])
def test_infinite_nan_and_absurd_figures_are_refused(value):
    with pytest.raises(scoring.AnswerError):
        scoring.answer_clean(points(), "rate", {"inputs": {"digital": 1, "total": value}})

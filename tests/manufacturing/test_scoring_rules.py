"""Every rule of manufacturing.scoring, by hand-computed examples on small definitions (no database).

The small frameworks are in tests/manufacturing/definitions.py; the variants below change one thing
each (a shared input, a rounding-sensitive score, a level without requirements). Results are compared
whole, so a changed figure, text or order anywhere fails.
"""

import math

import pytest

from manufacturing import scoring
from tests.manufacturing.definitions import cmmm, points, t


def band(digital, total=100):
    return {"inputs": {"digital": digital, "total": total}}


def question(definition: dict, key: str) -> dict:
    return scoring.index(definition).questions[key]


def in_definition(definition: dict, key: str) -> dict:
    """The question `key` itself, inside the definition (to change it)."""
    for sub in definition["dimensions"][0]["subdimensions"]:
        for q in sub["questions"]:
            if q["key"] == key:
                return q
    raise KeyError(key)


def refusal(definition: dict, key: str, answer) -> dict:
    """The {"en", "zh"} message with which answer_clean refuses the answer."""
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.answer_clean(definition, key, answer)
    assert excinfo.value.key == key
    assert str(excinfo.value) == f"{key}: {excinfo.value.message['en']}"
    return excinfo.value.message


def band_question(key: str, part: str, part_label: dict, text: dict) -> dict:
    """A band question like `rate` of the small framework: `part` of all devices (the shared "total")."""
    return {
        "key": key,
        "type": "band",
        "points": 0,
        "text": text,
        "inputs": [
            {"key": part, "label": part_label, "min": 0},
            {"key": "total", "label": t("设备总数", "All devices"), "min": 1},
        ],
        "checks": [
            {"left": part, "right": "total", "message": t(f"{part_label['zh']}不能多于设备总数", "Too many")}
        ],
        "ratio": {"numerator": part, "denominator": "total", "scale": 100},
        "bands": [{"upto": 50, "score": 0}, {"upto": None, "score": 100}],
    }


def shared() -> dict:
    """The small framework with two more band questions that ask for the same "total" as `rate`."""
    definition = points()
    equip = definition["dimensions"][0]["subdimensions"][0]
    equip["questions"].append(
        band_question("netrate", "networked", t("联网设备", "Networked"), t("联网率", "Net rate"))
    )
    equip["questions"].append(
        band_question("autorate", "automated", t("自动设备", "Automated"), t("自动率", "Auto"))
    )
    return definition


# --- AnswerError, index, question_count, missing_answers ----------------------------------------------


def test_an_answer_error_names_the_key_and_carries_both_texts():
    error = scoring.AnswerError("net", "Wrong.", "错误。")
    assert isinstance(error, ValueError)
    assert (error.key, error.message, str(error)) == ("net", {"en": "Wrong.", "zh": "错误。"}, "net: Wrong.")


def test_the_index_of_a_points_framework_knows_each_question_s_place():
    ix = scoring.index(points())
    assert list(ix.questions) == ["net", "rate", "strategy"]
    assert {k: (q["dimension"], q["subdimension"]) for k, q in ix.questions.items()} == {
        "net": ("base", "equip"),
        "rate": ("base", "equip"),
        "strategy": ("base", "plan"),
    }
    assert ix.questions["strategy"]["points"] == 6
    assert list(ix.scenes) == ["s1", "s2", "s3", "s4"]
    assert ix.scenes["s1"]["constraint"] is True and ix.scenes["s3"]["constraint"] is False
    assert ix.requirements == {} and ix.subdomains == {}


def test_the_index_of_a_cmmm_framework_gives_each_subdomain_its_weight_1_unless_set():
    definition = cmmm()
    del definition["elements"][0]["domains"][0]["subdomains"][1]["weight"]
    ix = scoring.index(definition)
    assert ix.subdomains == {
        "strategy": {"weight": 3, "name": t("战略", "Strategy"), "element": "people"},
        "skills": {"weight": 1, "name": t("技能", "Skills"), "element": "people"},
    }
    assert list(ix.requirements) == [f"st-{lv}-{n}" for lv in (1, 2, 3) for n in (1, 2)] + [
        "sk-1",
        "sk-2",
        "sk-3",
    ]
    assert ix.requirements["sk-2"] == {
        "key": "sk-2",
        "level": 2,
        "text": t("要求", "Req"),
        "subdomain": "skills",
    }
    assert ix.questions == {} and ix.scenes == {}


def test_question_count_is_questions_and_scenes_or_requirements():
    assert scoring.question_count(points()) == 7
    assert scoring.question_count(cmmm()) == 9


def test_missing_answers_in_the_framework_s_order():
    assert scoring.missing_answers(points(), {"rate": band(1), "s2": {"level": 0}}) == [
        "net",
        "strategy",
        "s1",
        "s3",
        "s4",
    ]
    assert scoring.missing_answers(points(), {}) == ["net", "rate", "strategy", "s1", "s2", "s3", "s4"]
    assert scoring.missing_answers(cmmm(), {"st-1-2": {"rating": 1.0}, "sk-3": {"rating": 0.0}}) == [
        "st-1-1",
        "st-2-1",
        "st-2-2",
        "st-3-1",
        "st-3-2",
        "sk-1",
        "sk-2",
    ]


# --- answer_clean: the exact texts ----------------------------------------------------------------------


def test_an_answer_that_is_not_an_object_is_refused_whatever_the_question():
    message = {"en": "An answer is an object.", "zh": "答案必须是一个对象。"}
    assert refusal(points(), "strategy", "some") == message
    assert refusal(points(), "s1", 2) == message
    assert refusal(cmmm(), "st-1-1", 0.8) == message
    assert refusal(points(), "nope", None) == message


def test_an_unknown_question_is_refused():
    assert refusal(points(), "nope", {"option": "a"}) == {
        "en": "There is no question 'nope' in this framework.",
        "zh": "该评估框架中没有问题 'nope'。",
    }


@pytest.mark.parametrize("level", [0, 1, 4])
def test_a_scene_level_from_0_to_4_is_kept(level):
    assert scoring.answer_clean(points(), "s3", {"level": level, "note": "x"}) == {"level": level}


@pytest.mark.parametrize("level", [-1, 5, 2.0, True, False, "2", None])
def test_a_scene_level_that_is_not_a_whole_number_from_0_to_4_is_refused(level):
    assert refusal(points(), "s3", {"level": level}) == {
        "en": "A scene's level is a whole number from 0 to 4.",
        "zh": "场景等级必须是 0 到 4 的整数。",
    }


@pytest.mark.parametrize(("rating", "kept"), [(0, 0.0), (0.5, 0.5), (0.8, 0.8), (1, 1.0), (1.0, 1.0)])
def test_a_rating_on_the_scale_is_kept_as_a_float(rating, kept):
    clean = scoring.answer_clean(cmmm(), "sk-2", {"rating": rating})
    assert clean == {"rating": kept} and type(clean["rating"]) is float


@pytest.mark.parametrize("rating", [0.7, 2, -0.5, True, False, "1", None, math.nan, math.inf, -math.inf])
def test_a_rating_off_the_scale_is_refused_naming_the_scale(rating):
    assert refusal(cmmm(), "sk-2", {"rating": rating}) == {
        "en": "A rating is one of 0, 0.5, 0.8, 1.",
        "zh": "评分只能是 0, 0.5, 0.8, 1 之一。",
    }


def test_a_single_choice_question_takes_one_known_option():
    assert scoring.answer_clean(points(), "strategy", {"option": "some", "extra": 1}) == {"option": "some"}
    assert refusal(points(), "strategy", {"option": "some", "options": ["some"]}) == {
        "en": "This question takes exactly one option.",
        "zh": "该问题只能选择一个选项。",
    }
    assert refusal(points(), "strategy", {"option": "maybe"}) == {
        "en": "'maybe' is not an option of this question.",
        "zh": "'maybe' 不是该问题的选项。",
    }
    # "options" that is not a list is not a second answer; the missing "option" is what is wrong
    assert refusal(points(), "strategy", {"options": "some"}) == {
        "en": "None is not an option of this question.",
        "zh": "None 不是该问题的选项。",
    }


def test_a_multiple_choice_answer_is_kept_in_the_framework_s_order():
    assert scoring.answer_clean(points(), "net", {"options": ["d", "a", "c"]}) == {"options": ["a", "c", "d"]}
    assert scoring.answer_clean(points(), "net", {"options": ["none"]}) == {"options": ["none"]}


@pytest.mark.parametrize(
    ("options", "en", "zh"),
    [
        (None, "Choose at least one option.", "请至少选择一个选项。"),
        ([], "Choose at least one option.", "请至少选择一个选项。"),
        ("a", "Choose at least one option.", "请至少选择一个选项。"),
        (["a", "x", "y"], "'x' is not an option of this question.", "'x' 不是该问题的选项。"),
        (["a", "b", "a"], "An option is chosen twice.", "有选项被重复选择。"),
        (["none", "none"], "An option is chosen twice.", "有选项被重复选择。"),
        (["a", "none"], "'None' cannot be combined with other options.", "“无”不能与其他选项同时选择。"),
    ],
)
def test_a_multiple_choice_answer_that_does_not_fit_is_refused(options, en, zh):
    assert refusal(points(), "net", {"options": options}) == {"en": en, "zh": zh}


def test_band_figures_are_kept_as_entered_without_other_keys():
    clean = scoring.answer_clean(points(), "rate", {"inputs": {"total": 9, "digital": 3.5, "extra": 1}})
    assert clean == {"inputs": {"digital": 3.5, "total": 9}}
    assert type(clean["inputs"]["total"]) is int
    # the lowest allowed figures, and a part equal to the whole
    assert scoring.answer_clean(points(), "rate", band(0, 1)) == band(0, 1)
    assert scoring.answer_clean(points(), "rate", band(7, 7)) == band(7, 7)


@pytest.mark.parametrize("inputs", [None, [3, 10], "3/10"])
def test_band_figures_must_be_given_as_an_object(inputs):
    assert refusal(points(), "rate", {"inputs": inputs}) == {
        "en": "Enter the figures this question asks for.",
        "zh": "请填写该问题要求的数值。",
    }
    assert refusal(points(), "rate", {"digital": 3, "total": 10}) == {
        "en": "Enter the figures this question asks for.",
        "zh": "请填写该问题要求的数值。",
    }


@pytest.mark.parametrize("value", [None, "3", True, False, math.nan, math.inf, -math.inf, [3]])
def test_a_band_figure_that_is_not_a_finite_number_is_refused_naming_it(value):
    assert refusal(points(), "rate", {"inputs": {"digital": value, "total": 10}}) == {
        "en": "Digital devices: enter a number.",
        "zh": "数字化设备：请输入数字。",
    }
    assert refusal(points(), "rate", {"inputs": {"digital": 3}}) == {
        "en": "All devices: enter a number.",
        "zh": "设备总数：请输入数字。",
    }


def test_a_band_figure_below_its_minimum_is_refused():
    assert refusal(points(), "rate", band(-0.5, 10)) == {
        "en": "Digital devices: cannot be less than 0.",
        "zh": "数字化设备：不能小于 0。",
    }
    assert refusal(points(), "rate", band(0, 0.5)) == {
        "en": "All devices: cannot be less than 1.",
        "zh": "设备总数：不能小于 1。",
    }


def test_without_a_minimum_a_figure_cannot_be_negative_and_without_a_maximum_not_above_10_to_the_12():
    definition = points()
    question(definition, "rate")["inputs"][1].pop("min")
    assert scoring.answer_clean(definition, "rate", band(0, 0)) == band(0, 0)
    assert scoring.answer_clean(definition, "rate", band(0, 1e12)) == band(0, 1e12)
    assert refusal(definition, "rate", band(0, -1)) == {
        "en": "All devices: cannot be less than 0.",
        "zh": "设备总数：不能小于 0。",
    }
    assert refusal(definition, "rate", band(0, 1e12 + 1)) == {
        "en": "All devices: cannot be more than 1e+12.",
        "zh": "设备总数：不能大于 1e+12。",
    }


def test_a_figure_above_its_own_maximum_is_refused():
    definition = points()
    question(definition, "rate")["inputs"][0]["max"] = 12.5
    assert scoring.answer_clean(definition, "rate", band(12.5, 20)) == band(12.5, 20)
    assert refusal(definition, "rate", band(12.6, 20)) == {
        "en": "Digital devices: cannot be more than 12.5.",
        "zh": "数字化设备：不能大于 12.5。",
    }


def test_a_part_above_the_whole_is_refused_with_the_framework_s_message():
    assert refusal(points(), "rate", band(11, 10)) == {
        "en": "Digital devices cannot exceed all devices",
        "zh": "数字化设备不能多于设备总数",
    }


# --- shared inputs ----------------------------------------------------------------------------------


def shared_answers(net_total=10, auto_total=10) -> dict:
    return {
        "rate": band(5, 10),
        "net": {"options": ["a"]},
        "s1": {"level": 1},
        "ghost": {"inputs": {"total": 10}},  # not a question of this framework
        "netrate": {"inputs": {"networked": 8, "total": net_total}},
        "autorate": {"inputs": {"automated": 4, "total": auto_total}},
    }


def test_a_changed_shared_figure_is_given_to_every_other_answer_that_asks_for_it():
    updates = scoring.shared_inputs_update(shared(), shared_answers(), "rate", band(5, 20))
    assert updates == {
        "netrate": {"inputs": {"networked": 8, "total": 20}},
        "autorate": {"inputs": {"automated": 4, "total": 20}},
    }


def test_an_answer_that_already_has_the_figure_is_left_alone():
    updates = scoring.shared_inputs_update(shared(), shared_answers(net_total=20), "rate", band(9, 20))
    assert updates == {"autorate": {"inputs": {"automated": 4, "total": 20}}}
    assert scoring.shared_inputs_update(shared(), shared_answers(20, 20), "rate", band(9, 20)) == {}


def test_an_answer_without_figures_shares_nothing():
    answers = shared_answers()
    assert scoring.shared_inputs_update(shared(), answers, "strategy", {"option": "some"}) == {}
    assert scoring.shared_inputs_update(shared(), answers, "s1", {"level": 2}) == {}


def test_the_answer_being_changed_is_not_among_the_updates():
    answers = shared_answers()
    updates = scoring.shared_inputs_update(
        shared(), answers, "netrate", {"inputs": {"networked": 9, "total": 30}}
    )
    assert updates == {"rate": band(5, 30), "autorate": {"inputs": {"automated": 4, "total": 30}}}


def test_a_shared_figure_that_would_make_another_answer_invalid_is_refused_naming_that_question():
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.shared_inputs_update(shared(), shared_answers(), "rate", band(5, 7))
    error = excinfo.value
    assert error.key == "rate"
    assert error.message == {
        "en": 'This figure is also used by "Net rate", which it would make invalid: Too many',
        "zh": "该数值同时用于“联网率”，修改后该题将不成立：联网设备不能多于设备总数",
    }
    assert isinstance(error.__cause__, scoring.AnswerError) and error.__cause__.key == "netrate"


# --- points: one question ---------------------------------------------------------------------------


def test_band_ratio_is_numerator_over_denominator_times_the_scale_1_unless_set():
    q = question(points(), "rate")
    assert scoring.band_ratio(q, {"digital": 3, "total": 12}) == 25
    del q["ratio"]["scale"]
    assert scoring.band_ratio(q, {"digital": 3, "total": 12}) == 0.25


def test_a_ratio_above_every_closed_band_takes_the_last_band():
    q = {"bands": [{"upto": 10, "score": 0}, {"upto": 50, "score": 60}, {"upto": 70, "score": 80}]}
    assert scoring.band_pick(q, 90) == {"upto": 70, "score": 80}
    assert scoring.band_pick(q, 10) == {"upto": 10, "score": 0}
    assert scoring.band_pick(q, 10.001) == {"upto": 50, "score": 60}


def test_no_answer_earns_nothing():
    for key in ("net", "rate", "strategy"):
        assert scoring.question_percent(question(points(), key), None) == 0.0
        assert scoring.question_percent(question(points(), key), {}) == 0.0


def test_a_single_choice_earns_its_option_s_score():
    q = question(points(), "strategy")
    assert [scoring.question_percent(q, {"option": k}) for k in ("no", "some", "full")] == [0, 50, 100]
    assert type(scoring.question_percent(q, {"option": "full"})) is float


def test_multiple_choices_add_up_to_at_most_100_percent():
    q = question(points(), "net")
    for option in q["options"][:4]:
        option["score"] = 30
    assert scoring.question_percent(q, {"options": ["a", "b", "c"]}) == 90
    assert scoring.question_percent(q, {"options": ["a", "b", "c", "d"]}) == 100
    assert scoring.question_percent(q, {"options": ["b"]}) == 30


def test_an_answer_with_the_exclusive_option_earns_nothing_whatever_else_it_holds():
    q = question(points(), "net")
    assert scoring.question_percent(q, {"options": ["none", "a", "b"]}) == 0
    assert scoring.question_percent(q, {"options": ["a", "b", "none"]}) == 0


def evidence_question(threshold) -> dict:
    q = question(points(), "strategy")
    q["evidence"] = {"required_from_score": threshold}
    return q


def test_evidence_is_needed_from_the_threshold_score_up():
    q = evidence_question(50)
    assert [scoring.evidence_needed(q, {"option": k}) for k in ("no", "some", "full")] == [False, True, True]
    assert scoring.evidence_needed(q, None) is False
    assert scoring.evidence_needed(q, {}) is False


def test_a_threshold_of_0_asks_evidence_of_every_answer_but_not_of_no_answer():
    q = evidence_question(0)
    assert scoring.evidence_needed(q, {"option": "no"}) is True
    assert scoring.evidence_needed(q, None) is False
    assert scoring.evidence_needed(q, {}) is False


def test_no_evidence_is_needed_when_the_question_names_no_threshold():
    q = question(points(), "strategy")
    assert scoring.evidence_needed(q, {"option": "full"}) is False
    q["evidence"] = None
    assert scoring.evidence_needed(q, {"option": "full"}) is False
    q["evidence"] = {"note": t("合同", "Contract")}
    assert scoring.evidence_needed(q, {"option": "full"}) is False


def test_evidence_by_band_and_by_multiple_choice():
    rate = question(points(), "rate")
    rate["evidence"] = {"required_from_score": 75}
    assert [scoring.evidence_needed(rate, band(d)) for d in (40, 41, 61)] == [False, True, True]
    net = question(points(), "net")
    net["evidence"] = {"required_from_score": 50}
    assert scoring.evidence_needed(net, {"options": ["a"]}) is False
    assert scoring.evidence_needed(net, {"options": ["a", "b"]}) is True


# --- points: levels ---------------------------------------------------------------------------------


SCENES = scoring.index(points()).scenes
L2 = points()["level_rules"][0]  # 12 points, 3 scenes at L2, 2 of them constraint scenes


def test_a_level_rule_met_exactly_has_nothing_unmet():
    levels = {"s1": 2, "s2": 3, "s3": 2, "s4": 1}
    assert scoring._level_check(L2, 12, levels, SCENES) == []
    assert scoring._level_check(L2, 12 - 1e-10, levels, SCENES) == []  # floating-point slack


def test_a_level_rule_lists_every_condition_not_met():
    levels = {"s1": 2, "s2": 1, "s3": 4, "s4": 0}
    assert scoring._level_check(L2, 11.996, levels, SCENES) == [
        {"condition": "score", "needed": 12, "has": 12.0},
        {"condition": "scenes", "level": 2, "needed": 3, "has": 2},
        {"condition": "constraint_scenes", "level": 2, "needed": 2, "has": 1},
    ]
    assert scoring._level_check(L2, 7.123456, levels, SCENES)[0] == {
        "condition": "score",
        "needed": 12,
        "has": 7.12,
    }


def test_a_level_rule_checks_only_the_conditions_it_names():
    rule = {"level": 1, "name": t("一级", "L1"), "min_score": 4}
    assert scoring._level_check(rule, 4, {"s1": 0, "s2": 0}, SCENES) == []
    assert scoring._level_check(rule, 3.9, {"s1": 0}, SCENES) == [
        {"condition": "score", "needed": 4, "has": 3.9}
    ]
    rule["min_scenes"] = 1
    assert scoring._level_check(rule, 4, {"s3": 1, "s1": 0}, SCENES) == []
    rule["min_constraint_scenes"] = 1
    assert scoring._level_check(rule, 4, {"s3": 1, "s1": 0}, SCENES) == [
        {"condition": "constraint_scenes", "level": 1, "needed": 1, "has": 0}
    ]
    assert (
        scoring._level_check({"level": 1, "min_score": 0, "min_constraint_scenes": 1}, 0, {"s2": 1}, SCENES)
        == []
    )


def question_out(score, max_, percent, answered=True):
    return {"score": score, "max": max_, "percent": percent, "answered": answered}


def test_a_points_assessment_below_the_top_level_in_full():
    answers = {
        "net": {"options": ["a", "b"]},  # 8 x 50 % = 4
        "rate": band(35),  # 6 x 50 % = 3
        "strategy": {"option": "no"},  # 0
        "s1": {"level": 2},
        "s2": {"level": 0},
        "s4": {"level": 1},  # s3 unanswered: level 0
    }
    assert scoring.score(points(), answers) == {
        "kind": "points",
        "total": 7.0,
        "max_total": 20,
        "level": 1,  # 7 >= 4 points, s1 and s4 at L1 or above, s1 a constraint scene
        "level_name": t("一级", "L1"),
        "dimensions": [
            {
                "key": "base",
                "score": 7.0,
                "max": 20,
                "subdimensions": [
                    {"key": "equip", "score": 7.0, "max": 14},
                    {"key": "plan", "score": 0.0, "max": 6},
                ],
            }
        ],
        "questions": {
            "net": question_out(4.0, 8, 50.0),
            "rate": question_out(3.0, 6, 50.0),
            "strategy": question_out(0.0, 6, 0.0),
        },
        "scenes": {"s1": 2, "s2": 0, "s3": 0, "s4": 1},
        "blocking": {
            "level": 2,
            "name": t("二级", "L2"),
            "unmet": [
                {"condition": "score", "needed": 12, "has": 7.0},
                {"condition": "scenes", "level": 2, "needed": 3, "has": 1},
                {"condition": "constraint_scenes", "level": 2, "needed": 2, "has": 1},
            ],
        },
        "gaps": [
            {"kind": "question", "key": "strategy", "gain": 6.0},
            {"kind": "question", "key": "net", "gain": 4.0},
            {"kind": "question", "key": "rate", "gain": 3.0},
        ],
        # constraint scenes first, then the closest to the target level
        "scene_gaps": [
            {"kind": "scene", "key": "s2", "level": 0, "target_level": 2, "constraint": True},
            {"kind": "scene", "key": "s4", "level": 1, "target_level": 2, "constraint": False},
            {"kind": "scene", "key": "s3", "level": 0, "target_level": 2, "constraint": False},
        ],
        "recommendations": [
            {"key": "r-plan", "text": t("完善规划", "Plan fully"), "gain": 6.0},
            {"key": "r-net", "text": t("加强网络", "Improve the network"), "gain": 4.0},
        ],
        "answered": 6,
        "answerable": 7,
    }


def test_a_points_assessment_at_the_top_level_in_full():
    answers = {
        "net": {"options": ["a", "b", "c"]},  # 6
        "rate": band(35),  # 3
        "strategy": {"option": "some"},  # 3
        "s1": {"level": 2},
        "s2": {"level": 3},
        "s3": {"level": 2},
        "s4": {"level": 0},
    }
    result = scoring.score(points(), answers)
    assert (result["total"], result["level"], result["level_name"], result["blocking"]) == (
        12.0,
        2,
        t("二级", "L2"),
        None,
    )
    assert result["gaps"] == [
        {"kind": "question", "key": "rate", "gain": 3.0},
        {"kind": "question", "key": "strategy", "gain": 3.0},
        {"kind": "question", "key": "net", "gain": 2.0},
    ]
    # at the top level, the scenes below it are still gaps
    assert result["scene_gaps"] == [
        {"kind": "scene", "key": "s4", "level": 0, "target_level": 2, "constraint": False}
    ]
    # net at 75 % is not below 75; scene 1 at level 2 is not below 2
    assert result["recommendations"] == [{"key": "r-plan", "text": t("完善规划", "Plan fully"), "gain": 3.0}]
    assert (result["answered"], result["answerable"]) == (7, 7)


def test_an_empty_points_assessment_in_full():
    result = scoring.score(points(), {})
    assert result == {
        "kind": "points",
        "total": 0.0,
        "max_total": 20,
        "level": 0,
        "level_name": None,
        "dimensions": [
            {
                "key": "base",
                "score": 0.0,
                "max": 20,
                "subdimensions": [
                    {"key": "equip", "score": 0.0, "max": 14},
                    {"key": "plan", "score": 0.0, "max": 6},
                ],
            }
        ],
        "questions": {
            "net": question_out(0.0, 8, 0.0, False),
            "rate": question_out(0.0, 6, 0.0, False),
            "strategy": question_out(0.0, 6, 0.0, False),
        },
        "scenes": {"s1": 0, "s2": 0, "s3": 0, "s4": 0},
        "blocking": {
            "level": 1,
            "name": t("一级", "L1"),
            "unmet": [
                {"condition": "score", "needed": 4, "has": 0.0},
                {"condition": "scenes", "level": 1, "needed": 2, "has": 0},
                {"condition": "constraint_scenes", "level": 1, "needed": 1, "has": 0},
            ],
        },
        "gaps": [
            {"kind": "question", "key": "net", "gain": 8.0},
            {"kind": "question", "key": "rate", "gain": 6.0},
            {"kind": "question", "key": "strategy", "gain": 6.0},
        ],
        "scene_gaps": [
            {"kind": "scene", "key": f"s{i}", "level": 0, "target_level": 1, "constraint": i <= 2}
            for i in (1, 2, 3, 4)
        ],
        "recommendations": [
            {"key": "r-net", "text": t("加强网络", "Improve the network"), "gain": 8.0},
            {"key": "r-plan", "text": t("完善规划", "Plan fully"), "gain": 6.0},
            {"key": "r-s1", "text": t("提升场景1", "Raise scene 1"), "gain": 0.0},
        ],
        "answered": 0,
        "answerable": 7,
    }


def test_full_points_answers_leave_no_gaps_and_no_recommendations():
    answers = {"net": {"options": ["a", "b", "c", "d"]}, "rate": band(100), "strategy": {"option": "full"}}
    answers |= {f"s{i}": {"level": 4} for i in (1, 2, 3, 4)}
    result = scoring.score(points(), answers)
    assert (result["total"], result["level"], result["gaps"], result["scene_gaps"]) == (20.0, 2, [], [])
    assert result["recommendations"] == []


def test_a_gap_of_a_fraction_of_a_point_is_a_gap():
    definition = points()
    question(definition, "strategy")["options"][1]["score"] = 95  # 6 x 95 % = 5.7
    result = scoring.score(definition, {"strategy": {"option": "some"}})
    assert {"kind": "question", "key": "strategy", "gain": 0.3} in result["gaps"]


def test_scores_are_rounded_to_4_places_and_percents_to_2():
    definition = points()
    question(definition, "strategy")["options"][1]["score"] = 12.3456789  # 6 x 12.3456789 % = 0.74074...
    result = scoring.score(
        definition, {"strategy": {"option": "some"}, "s1": {"level": 1}, "s2": {"level": 1}}
    )
    assert result["questions"]["strategy"] == question_out(0.7407, 6, 12.35)
    assert result["dimensions"][0]["subdimensions"][1] == {"key": "plan", "score": 0.7407, "max": 6}
    assert (result["dimensions"][0]["score"], result["total"]) == (0.7407, 0.7407)
    assert result["blocking"]["unmet"] == [{"condition": "score", "needed": 4, "has": 0.74}]
    assert {"kind": "question", "key": "strategy", "gain": 5.2593} in result["gaps"]
    assert {"key": "r-plan", "text": t("完善规划", "Plan fully"), "gain": 5.2593} in result["recommendations"]


def test_a_subdimension_worth_no_points_counts_as_complete_for_its_recommendation():
    definition = points()
    plan = definition["dimensions"][0]["subdimensions"][1]
    plan["points"] = 0
    plan["questions"][0]["points"] = 0
    result = scoring.score(definition, {})
    assert [r["key"] for r in result["recommendations"]] == ["r-net", "r-s1"]


def test_a_scenes_dimension_before_the_others_is_skipped_in_the_points():
    definition = points()
    definition["dimensions"].reverse()
    result = scoring.score(definition, {"strategy": {"option": "full"}, "s1": {"level": 3}})
    assert [d["key"] for d in result["dimensions"]] == ["base"]
    assert (result["total"], result["scenes"]["s1"]) == (6.0, 3)


# --- CMMM ---------------------------------------------------------------------------------------------


def ratings(**by_key) -> dict:
    return {key.replace("_", "-"): {"rating": float(r)} for key, r in by_key.items()}


def cmmm_name(n: int) -> dict:
    return t(f"{n}级", f"L{n}")


def test_a_cmmm_assessment_below_the_top_level_in_full():
    # level 1: strategy (1 + 0.8) / 2 = 0.9 (weight 3), skills 0.5 (weight 1) -> 3.2 / 4 = 0.8: reached
    # level 2: strategy (1 + 0.5) / 2 = 0.75, skills 1 -> 3.25 / 4 = 0.8125: reached
    # level 3: nothing rated -> 0
    answers = ratings(st_1_1=1, st_1_2=0.8, sk_1=0.5, st_2_1=1, st_2_2=0.5, sk_2=1)
    assert scoring.score(cmmm(), answers) == {
        "kind": "cmmm",
        "total": 2.0,
        "max_total": 3,
        "level": 2,
        "level_name": cmmm_name(2),
        "dimensions": [
            {"key": "level-1", "score": 0.8, "max": 1, "name": cmmm_name(1)},
            {"key": "level-2", "score": 0.8125, "max": 1, "name": cmmm_name(2)},
            {"key": "level-3", "score": 0.0, "max": 1, "name": cmmm_name(3)},
        ],
        "level_scores": {"1": 0.8, "2": 0.8125, "3": 0.0},
        "subdomain_scores": {
            "1": {"strategy": 0.9, "skills": 0.5},
            "2": {"strategy": 0.75, "skills": 1.0},
            "3": {"strategy": 0.0, "skills": 0.0},
        },
        "blocking": {
            "level": 3,
            "name": cmmm_name(3),
            "unmet": [
                {
                    "condition": "level_score",
                    "needed": 0.8,
                    "has": 0.0,
                    "subdomains_below": ["skills", "strategy"],
                }
            ],
        },
        "gaps": [
            {"kind": "subdomain", "key": "strategy", "level": 3, "score": 0.0, "gain": 0.75},
            {"kind": "subdomain", "key": "skills", "level": 3, "score": 0.0, "gain": 0.25},
        ],
        "scene_gaps": [],
        "recommendations": [{"key": "r-sk", "text": t("培训", "Train"), "gain": 1.0}],
        "answered": 6,
        "answerable": 9,
    }


def test_a_cmmm_subdomain_already_full_is_no_gap_and_one_at_the_threshold_is_not_below_it():
    # level 2: strategy 1, skills 0.8 -> 3.8 / 4 = 0.95, skills 0 at level 3: (3 + 0) / 4 = 0.75
    answers = ratings(st_1_1=1, st_1_2=1, sk_1=1, st_2_1=1, st_2_2=1, sk_2=0.8, st_3_1=1, st_3_2=1, sk_3=0)
    result = scoring.score(cmmm(), answers)
    assert (result["level"], result["total"]) == (2, 2.75)
    assert result["blocking"]["unmet"] == [
        {"condition": "level_score", "needed": 0.8, "has": 0.75, "subdomains_below": ["skills"]}
    ]
    assert result["gaps"] == [{"kind": "subdomain", "key": "skills", "level": 3, "score": 0.0, "gain": 0.25}]
    answers |= ratings(sk_3=0.8)  # level 3: 3.8 / 4 = 0.95
    result = scoring.score(cmmm(), answers)
    assert (result["level"], result["total"], result["blocking"]) == (3, 3.0, None)
    assert (result["gaps"], result["recommendations"], result["level_name"]) == ([], [], cmmm_name(3))


def test_an_empty_cmmm_assessment():
    result = scoring.score(cmmm(), {})
    assert (result["total"], result["level"], result["level_name"], result["answered"]) == (0.0, 0, None, 0)
    assert result["blocking"] == {
        "level": 1,
        "name": cmmm_name(1),
        "unmet": [
            {
                "condition": "level_score",
                "needed": 0.8,
                "has": 0.0,
                "subdomains_below": ["skills", "strategy"],
            }
        ],
    }


def test_cmmm_gains_of_equal_weight_tie_and_go_by_key():
    definition = cmmm()
    for sub in definition["elements"][0]["domains"][0]["subdomains"]:
        del sub["weight"]  # both 1
    result = scoring.score(definition, {})
    assert result["gaps"] == [
        {"kind": "subdomain", "key": "skills", "level": 1, "score": 0.0, "gain": 0.5},
        {"kind": "subdomain", "key": "strategy", "level": 1, "score": 0.0, "gain": 0.5},
    ]


def test_cmmm_a_level_just_below_the_threshold_is_not_reached_and_floating_point_slack_is_allowed():
    definition = cmmm()
    definition["threshold"] = 0.8125
    answers = ratings(st_1_1=1, st_1_2=1, sk_1=1, st_2_1=1, st_2_2=0.5, sk_2=1)  # level 2: 0.8125
    assert scoring.score(definition, answers)["level"] == 2
    definition["threshold"] = 0.8125 + 1e-10
    assert scoring.score(definition, answers)["level"] == 2
    definition["threshold"] = 0.8126
    result = scoring.score(definition, answers)
    assert (result["level"], result["total"]) == (1, 1.8125)
    assert result["blocking"]["unmet"][0]["subdomains_below"] == ["strategy"]


def test_cmmm_recommendations_go_by_the_gain_and_ignore_subdomains_the_next_level_lacks():
    definition = cmmm()
    subs = definition["elements"][0]["domains"][0]["subdomains"]
    subs.append(
        {
            "key": "extra",
            "name": t("额外", "Extra"),
            "requirements": [{"key": "ex-1", "level": 1, "text": t("要求", "Req")}],
        }
    )
    definition["recommendations"] = [
        {"key": "r-st", "when": {"subdomain": "strategy", "below": 0.9}, "text": t("战略", "Strategy")},
        {"key": "r-ex", "when": {"subdomain": "extra", "below": 1}, "text": t("额外", "Extra")},
        *definition["recommendations"],
    ]
    answers = ratings(st_1_1=1, st_1_2=1, sk_1=1, ex_1=1, st_2_1=0.5, st_2_2=0.5, sk_2=0.5)
    result = scoring.score(definition, answers)
    assert result["level"] == 1
    assert result["recommendations"] == [
        {"key": "r-st", "text": t("战略", "Strategy"), "gain": 0.5},
        {"key": "r-sk", "text": t("培训", "Train"), "gain": 0.5},
    ]
    answers |= ratings(st_2_1=0.8, sk_2=0)  # strategy 0.65 (gain 0.35), skills 0 (gain 1)
    assert [(r["key"], r["gain"]) for r in scoring.score(definition, answers)["recommendations"]] == [
        ("r-sk", 1.0),
        ("r-st", 0.35),
    ]


def test_cmmm_a_level_without_requirements_scores_0_and_is_never_reached():
    definition = cmmm()
    definition["levels"].append({"level": 4, "name": cmmm_name(4)})
    answers = {key: {"rating": 1.0} for key in scoring.index(definition).requirements}
    result = scoring.score(definition, answers)
    assert (result["level"], result["total"], result["level_scores"]["4"]) == (3, 3.0, 0.0)
    assert result["subdomain_scores"]["4"] == {}
    assert result["blocking"] == {
        "level": 4,
        "name": cmmm_name(4),
        "unmet": [{"condition": "level_score", "needed": 0.8, "has": 0.0, "subdomains_below": []}],
    }
    assert result["gaps"] == []


def test_cmmm_subdomains_of_weight_0_give_the_level_a_score_of_0():
    definition = cmmm()
    for sub in definition["elements"][0]["domains"][0]["subdomains"]:
        sub["weight"] = 0
    result = scoring.score(
        definition, {key: {"rating": 1.0} for key in scoring.index(definition).requirements}
    )
    assert (result["level"], result["level_scores"]) == (0, {"1": 0.0, "2": 0.0, "3": 0.0})
    assert result["gaps"] == []  # full sub-domains


def test_cmmm_gains_and_scores_are_rounded_to_4_places():
    definition = cmmm()
    definition["elements"][0]["domains"][0]["subdomains"][1]["weight"] = 4  # strategy 3, skills 4
    answers = ratings(st_1_1=1, st_1_2=0.5)  # level 1: strategy 0.75 -> 2.25 / 7 = 0.32142...
    result = scoring.score(definition, answers)
    assert (result["total"], result["level_scores"]["1"], result["dimensions"][0]["score"]) == (
        0.3214,
        0.3214,
        0.3214,
    )
    assert result["blocking"]["unmet"][0]["has"] == 0.3214
    assert result["gaps"] == [
        {"kind": "subdomain", "key": "skills", "level": 1, "score": 0.0, "gain": 0.5714},  # 4 / 7
        {"kind": "subdomain", "key": "strategy", "level": 1, "score": 0.75, "gain": 0.1071},  # 3 x 0.25 / 7
    ]


@pytest.mark.parametrize("make", [points, cmmm], ids=["points", "cmmm"])
def test_a_framework_without_recommendations_recommends_nothing(make):
    definition = make()
    del definition["recommendations"]
    result = scoring.score(definition, {})
    assert (result["recommendations"], result["level"]) == ([], 0)


# --- the framework's order, optional parts, floating-point slack ------------------------------------


def test_multiple_choices_are_kept_in_the_framework_s_order_not_alphabetically():
    definition = points()
    question(definition, "net")["options"].reverse()  # none, d, c, b, a
    assert scoring.answer_clean(definition, "net", {"options": ["a", "c", "d"]}) == {
        "options": ["d", "c", "a"]
    }


def test_a_band_question_without_checks_takes_any_figures_within_their_bounds():
    definition = points()
    del in_definition(definition, "rate")["checks"]
    assert scoring.answer_clean(definition, "rate", band(11, 10)) == band(11, 10)


def test_a_ratio_within_the_slack_above_an_edge_still_belongs_to_the_lower_band():
    q = question(points(), "rate")
    assert scoring.band_pick(q, 10 + scoring.EDGE) == {"upto": 10, "score": 0}
    assert scoring.band_pick(q, 10 + 2 * scoring.EDGE) == {"upto": 20, "score": 25}


def test_a_total_short_of_the_minimum_by_the_slack_still_reaches_the_level():
    rule = {"level": 1, "name": t("一级", "L1"), "min_score": 7 + 1e-9}
    assert scoring._level_check(rule, 7, {}, SCENES) == []
    assert scoring._level_check(rule, 7 - 1e-9, {}, SCENES) == [
        {"condition": "score", "needed": 7 + 1e-9, "has": 7.0}
    ]


def test_cmmm_a_score_short_of_the_threshold_by_the_slack_reaches_it_at_the_level_and_the_subdomain():
    definition = cmmm()
    definition["threshold"] = 0.5 + 1e-9
    answers = ratings(st_1_1=1, st_1_2=1, sk_1=1, st_2_1=0.5, st_2_2=0.5, sk_2=0.5, st_3_1=0.5, st_3_2=0.5)
    result = scoring.score(definition, answers)
    assert result["level"] == 2  # level 2 scores 0.5
    # level 3: strategy 0.5 is not below the threshold, skills 0 is
    assert result["blocking"]["unmet"] == [
        {"condition": "level_score", "needed": 0.5 + 1e-9, "has": 0.375, "subdomains_below": ["skills"]}
    ]


def test_a_question_short_by_no_more_than_the_slack_is_no_gap():
    definition = points()
    in_definition(definition, "strategy")["points"] = 1e-9
    assert [g["key"] for g in scoring.score(definition, {})["gaps"]] == ["net", "rate"]


def test_a_subdimension_just_short_of_full_is_still_recommended():
    definition = points()
    question(definition, "strategy")["options"][1]["score"] = 99.5  # plan at 99.5 %, below 100
    result = scoring.score(definition, {"strategy": {"option": "some"}, "s1": {"level": 2}})
    assert result["recommendations"] == [
        {"key": "r-net", "text": t("加强网络", "Improve the network"), "gain": 8.0},
        {"key": "r-plan", "text": t("完善规划", "Plan fully"), "gain": 0.03},
    ]

"""The shipped framework definitions, scored by hand-computed examples (no database).

The definitions are read from manufacturing/frameworks/definitions/ by the loader the platform uses, and
scored by manufacturing.scoring. Every expected value below is a literal worked out by hand from the
published rules, not read from the YAML: a changed band edge, level threshold, score or points in a
shipped file fails a test here.
"""

import functools

import pytest

from manufacturing import scoring
from manufacturing.frameworks import loader

MIIT_FILE = loader.DEFINITIONS / "miit-sme-mfg-2024.1.yaml"
CMMM_FILE = loader.DEFINITIONS / "cmmm-gbt39116-2020.1.yaml"


@functools.cache
def _load(path) -> dict:
    return loader.validate_file(path)


def miit() -> dict:
    return _load(MIIT_FILE)


def cmmm() -> dict:
    return _load(CMMM_FILE)


def scored(definition: dict, answers: dict) -> dict:
    """Cleans every answer as saving one does (scoring.answer_clean), then scores them."""
    clean = {key: scoring.answer_clean(definition, key, answer) for key, answer in answers.items()}
    return scoring.score(definition, clean)


def test_these_are_the_frameworks_the_platform_ships():
    """A new shipped file needs its own hand-computed cases here."""
    assert loader.definition_files() == [CMMM_FILE, MIIT_FILE]
    assert (miit()["code"], miit()["version"], miit()["kind"]) == ("miit-sme-mfg", "2024.1", "points")
    assert (cmmm()["code"], cmmm()["version"], cmmm()["kind"]) == ("cmmm-gbt39116", "2020.1", "cmmm")


# --- MIIT: band questions -------------------------------------------------------------------------------


def digital(n, total):
    return "device-digital-rate", {"devices_digital": n, "devices_total": total}


def networked(n, total):
    return "device-network-rate", {"devices_networked": n, "devices_total": total}


def funding(spend, revenue):
    return "funding", {"digital_spend_3y_avg": spend, "revenue_3y_avg": revenue}


# (question and inputs, band 1..5, percent of the question's points, points earned)
# Device rates: 6 points; bands <= 10 % -> 0, <= 20 % -> 25, <= 40 % -> 50, <= 60 % -> 75, above -> 100.
# Funding: 7.5 points; bands <= 0.5 % -> 0, <= 1 % -> 25, <= 2 % -> 50, <= 3 % -> 75, above -> 100.
# An edge value belongs to the lower band (framework notes, item 5).
BAND_CASES = [
    (digital(0, 100), 1, 0, 0),
    (digital(10, 100), 1, 0, 0),  # exactly 10 %
    (digital(1, 10), 1, 0, 0),  # exactly 10 %, a small workshop
    (digital(1001, 10000), 2, 25, 1.5),  # 10.01 %: 6 x 25 % = 1.5
    (digital(20, 100), 2, 25, 1.5),  # exactly 20 %
    (digital(2001, 10000), 3, 50, 3),  # 20.01 %: 6 x 50 % = 3
    (digital(40, 100), 3, 50, 3),  # exactly 40 %
    (digital(4001, 10000), 4, 75, 4.5),  # 40.01 %: 6 x 75 % = 4.5
    (digital(60, 100), 4, 75, 4.5),  # exactly 60 %
    (digital(3, 5), 4, 75, 4.5),  # exactly 60 %
    (digital(6001, 10000), 5, 100, 6),  # 60.01 %: the open top band
    (digital(100, 100), 5, 100, 6),
    (networked(0, 100), 1, 0, 0),
    (networked(10, 100), 1, 0, 0),
    (networked(1001, 10000), 2, 25, 1.5),
    (networked(20, 100), 2, 25, 1.5),
    (networked(2001, 10000), 3, 50, 3),
    (networked(40, 100), 3, 50, 3),
    (networked(4001, 10000), 4, 75, 4.5),
    (networked(60, 100), 4, 75, 4.5),
    (networked(6001, 10000), 5, 100, 6),
    (networked(100, 100), 5, 100, 6),
    (funding(0, 10000), 1, 0, 0),
    (funding(50, 10000), 1, 0, 0),  # exactly 0.5 %
    (funding(50.1, 10000), 2, 25, 1.875),  # 0.501 %: 7.5 x 25 % = 1.875
    (funding(100, 10000), 2, 25, 1.875),  # exactly 1 %
    (funding(100.1, 10000), 3, 50, 3.75),  # 1.001 %: 7.5 x 50 % = 3.75
    (funding(200, 10000), 3, 50, 3.75),  # exactly 2 %
    (funding(200.1, 10000), 4, 75, 5.625),  # 2.001 %: 7.5 x 75 % = 5.625
    (funding(300, 10000), 4, 75, 5.625),  # exactly 3 %
    (funding(0.45, 15), 4, 75, 5.625),  # 3 %, computed as 3.0000000000000004 in floating point
    (funding(300.1, 10000), 5, 100, 7.5),  # 3.001 %: the open top band
    (funding(10000, 10000), 5, 100, 7.5),
]


@pytest.mark.parametrize(
    ("question_inputs", "band", "percent", "points"),
    BAND_CASES,
    ids=[f"{key}-{'-'.join(str(v) for v in inputs.values())}" for (key, inputs), *_ in BAND_CASES],
)
def test_miit_band_edges_belong_to_the_lower_band_and_the_top_band_is_open(
    question_inputs, band, percent, points
):
    key, inputs = question_inputs
    question = scoring.index(miit()).questions[key]
    clean = scoring.answer_clean(miit(), key, {"inputs": inputs})
    picked = scoring.band_pick(question, scoring.band_ratio(question, clean["inputs"]))
    assert question["bands"].index(picked) + 1 == band
    result = scoring.score(miit(), {key: clean})
    assert result["questions"][key]["percent"] == percent
    assert result["questions"][key]["score"] == points
    assert result["total"] == points


def test_every_miit_band_question_has_edge_cases():
    ix = scoring.index(miit())
    bands = {key for key, q in ix.questions.items() if q["type"] == "band"}
    assert bands == {"device-digital-rate", "device-network-rate", "funding"}
    assert {key for (key, _inputs), *_ in BAND_CASES} == bands


@pytest.mark.parametrize(
    "question_inputs",
    [digital(101, 100), networked(101, 100), funding(10001, 10000), digital(0, 0), funding(0, 0)],
    ids=["digital-above-total", "networked-above-total", "spend-above-revenue", "no-devices", "no-revenue"],
)
def test_miit_band_inputs_refuse_a_part_above_the_whole_or_an_empty_whole(question_inputs):
    key, inputs = question_inputs
    with pytest.raises(scoring.AnswerError):
        scoring.answer_clean(miit(), key, {"inputs": inputs})


# --- MIIT: level boundaries -----------------------------------------------------------------------------

# Answers with the points each earns, worked out by hand from the published option scores.
NETWORK_ALL = {
    "network": {"options": ["office-lan", "plant-wired", "plant-wireless", "ipv6-identifier"]}
}  # 4 x 25 % = 100 % of 8 points = 8
DIGITAL_TOP = {"device-digital-rate": {"inputs": {"devices_digital": 61, "devices_total": 100}}}  # 61 %: 6
NETWORKED_TOP = {"device-network-rate": {"inputs": {"devices_networked": 61, "devices_total": 100}}}  # 6
SYSTEMS_ALL = {"system-coverage": {"option": "all-areas"}}  # 100 % of 10 points = 10
NETWORK_SECURITY_ALL = {
    "network-security": {"options": ["protection", "segmentation", "policy", "assessment"]}
}  # 4 x 25 % = 100 % of 5 points = 5
NETWORK_SECURITY_TWO = {"network-security": {"options": ["protection", "segmentation"]}}  # 50 % of 5 = 2.5
DATA_SECURITY_ALL = {
    "data-security": {"options": ["backup", "access-control", "classification", "policy-drills"]}
}  # 4 x 25 % = 100 % of 5 points = 5
DATA_CAPTURE_EIGHT = {
    "data-capture-areas": {
        "options": [
            "product-design",
            "process-design",
            "marketing",
            "after-sales",
            "production-planning",
            "production-control",
            "quality",
            "equipment",
        ]
    }
}  # 8 areas x 7 % = 56 % of 10 points = 5.6
DATA_CAPTURE_ALL = {
    "data-capture-areas": {
        "options": [
            "product-design",
            "process-design",
            "marketing",
            "after-sales",
            "production-planning",
            "production-control",
            "quality",
            "equipment",
            "safety",
            "energy",
            "procurement",
            "warehousing",
            "finance",
            "human-resources",
        ]
    }
}  # 13 x 7 % + 9 % = 100 % of 10 points = 10
PLAN_FULL = {"plan-implementation": {"option": "fully-achieved"}}  # 100 % of 7.5 points = 7.5
MECHANISM_ONE = {"management-mechanism": {"options": ["leadership"]}}  # 25 % of 7.5 points = 1.875
MECHANISM_ALL = {
    "management-mechanism": {
        "options": ["leadership", "dedicated-unit", "project-rules", "management-system"]
    }
}  # 4 x 25 % = 100 % of 7.5 points = 7.5
TALENT_ALL = {
    "talent": {
        "options": [
            "dedicated-staff",
            "leadership-training",
            "staff-training",
            "external-cooperation",
            "incentives",
        ]
    }
}  # 5 x 20 % = 100 % of 7.5 points = 7.5
FUNDING_AT_3 = {"funding": {"inputs": {"digital_spend_3y_avg": 300, "revenue_3y_avg": 10000}}}  # 3 %: 5.625
FUNDING_TOP = {"funding": {"inputs": {"digital_spend_3y_avg": 301, "revenue_3y_avg": 10000}}}  # 3.01 %: 7.5
OUTCOMES_ALL = {
    "energy-intensity": {"option": "decreased"},  # 7
    "product-yield": {"option": "increased"},  # 7
    "revenue-per-employee": {"option": "increased"},  # 3
    "cost-per-revenue": {"option": "decreased"},  # 3
}  # 20

# The last 7.5 points to a threshold, and 0.025 short of it: what any answer earns is a multiple of 0.025
# (1.875 = 75 x 0.025, 0.7 = 28 x 0.025), so no total comes closer below a threshold.
LAST_7_5 = MECHANISM_ONE | FUNDING_AT_3  # 1.875 + 5.625 = 7.5
SHORT_7_475 = MECHANISM_ONE | DATA_CAPTURE_EIGHT  # 1.875 + 5.6 = 7.475
BASE_12_5 = PLAN_FULL | DATA_SECURITY_ALL  # 7.5 + 5
BASE_32_5 = BASE_12_5 | OUTCOMES_ALL  # 12.5 + 20
BASE_52_5 = BASE_32_5 | NETWORK_ALL | DIGITAL_TOP | NETWORKED_TOP  # 32.5 + 8 + 6 + 6
BASE_72_5 = BASE_52_5 | SYSTEMS_ALL | TALENT_ALL | NETWORK_SECURITY_TWO  # 52.5 + 10 + 7.5 + 2.5
FULL_MARKS = (
    BASE_52_5 | SYSTEMS_ALL | TALENT_ALL | NETWORK_SECURITY_ALL  # 52.5 + 10 + 7.5 + 5 = 75
) | (DATA_CAPTURE_ALL | MECHANISM_ALL | FUNDING_TOP)  # + 10 + 7.5 + 7.5 = 100

CONSTRAINT_SCENES = [
    "product-design",
    "marketing",
    "production-control",
    "quality-management",
    "equipment-management",
    "production-safety",
    "energy-management",
    "procurement",
    "warehousing-logistics",
    "financial-management",
]
OTHER_SCENES = [
    "process-design",
    "after-sales",
    "production-planning",
    "human-resources",
    "collaborative-office",
    "decision-support",
]


def scenes(level: int, *, constraint: int, other: int, rest: int) -> dict:
    """`constraint` constraint scenes and `other` other scenes at `level`; every other scene at `rest`."""
    at_level = CONSTRAINT_SCENES[:constraint] + OTHER_SCENES[:other]
    return {key: {"level": level if key in at_level else rest} for key in CONSTRAINT_SCENES + OTHER_SCENES}


ALL_SCENES_L4 = scenes(4, constraint=10, other=6, rest=4)


def test_miit_constraint_scenes_are_the_published_ten():
    ix = scoring.index(miit())
    assert sorted(k for k, s in ix.scenes.items() if s["constraint"]) == sorted(CONSTRAINT_SCENES)
    assert sorted(k for k, s in ix.scenes.items() if not s["constraint"]) == sorted(OTHER_SCENES)


# Rules (framework notes, item 10): L1 total >= 20, L2 >= 40, L3 >= 60, L4 >= 80, here with all 16
# scenes at level 4 so that only the score decides.
@pytest.mark.parametrize(
    ("answers", "total", "level"),
    [
        (BASE_12_5 | LAST_7_5, 20, 1),  # 12.5 + 7.5
        (BASE_12_5 | SHORT_7_475, 19.975, 0),  # 12.5 + 7.475
        (BASE_32_5 | LAST_7_5, 40, 2),
        (BASE_32_5 | SHORT_7_475, 39.975, 1),
        (BASE_52_5 | LAST_7_5, 60, 3),
        (BASE_52_5 | SHORT_7_475, 59.975, 2),
        (BASE_72_5 | LAST_7_5, 80, 4),
        (BASE_72_5 | SHORT_7_475, 79.975, 3),
        (FULL_MARKS, 100, 4),
        ({}, 0, 0),
    ],
    ids=["20", "19.975", "40", "39.975", "60", "59.975", "80", "79.975", "100", "0"],
)
def test_miit_a_total_exactly_at_the_threshold_reaches_the_level_and_just_below_does_not(
    answers, total, level
):
    result = scored(miit(), answers | ALL_SCENES_L4)
    assert result["total"] == total
    assert result["max_total"] == 100
    assert result["level"] == level
    if level < 4:
        needed = {0: 20, 1: 40, 2: 60, 3: 80}[level]
        assert result["blocking"]["level"] == level + 1
        # the blocking condition shows the total to two decimals
        has = pytest.approx(total, abs=0.005)
        assert result["blocking"]["unmet"] == [{"condition": "score", "needed": needed, "has": has}]


# Rules: L1 and L2 need 6 scenes at or above the level, 3 of them constraint scenes; L3 8 and 5; L4 10 and 6.
# Full marks (100 points); the scenes not named are one level lower, so the level below is always reached.
@pytest.mark.parametrize(
    ("level", "constraint", "other", "reached", "unmet"),
    [
        (1, 3, 3, 1, None),  # 6 scenes, 3 constraint
        (1, 3, 2, 0, {"condition": "scenes", "level": 1, "needed": 6, "has": 5}),
        (1, 2, 4, 0, {"condition": "constraint_scenes", "level": 1, "needed": 3, "has": 2}),
        (2, 3, 3, 2, None),
        (2, 3, 2, 1, {"condition": "scenes", "level": 2, "needed": 6, "has": 5}),
        (2, 2, 4, 1, {"condition": "constraint_scenes", "level": 2, "needed": 3, "has": 2}),
        (3, 5, 3, 3, None),  # 8 scenes, 5 constraint
        (3, 5, 2, 2, {"condition": "scenes", "level": 3, "needed": 8, "has": 7}),
        (3, 4, 4, 2, {"condition": "constraint_scenes", "level": 3, "needed": 5, "has": 4}),
        (4, 6, 4, 4, None),  # 10 scenes, 6 constraint
        (4, 6, 3, 3, {"condition": "scenes", "level": 4, "needed": 10, "has": 9}),
        (4, 5, 5, 3, {"condition": "constraint_scenes", "level": 4, "needed": 6, "has": 5}),
    ],
)
def test_miit_the_minimum_scenes_and_constraint_scenes_reach_the_level_and_one_fewer_does_not(
    level, constraint, other, reached, unmet
):
    answers = FULL_MARKS | scenes(level, constraint=constraint, other=other, rest=level - 1)
    result = scored(miit(), answers)
    assert result["total"] == 100
    assert result["level"] == reached
    if unmet is not None:
        assert result["blocking"]["level"] == level
        assert result["blocking"]["unmet"] == [unmet]


def test_miit_full_marks_without_scenes_is_below_level_1():
    result = scored(miit(), FULL_MARKS)
    assert (result["total"], result["level"]) == (100, 0)
    assert result["blocking"]["unmet"] == [
        {"condition": "scenes", "level": 1, "needed": 6, "has": 0},
        {"condition": "constraint_scenes", "level": 1, "needed": 3, "has": 0},
    ]


# --- MIIT: the published numbers ------------------------------------------------------------------------

# question: (subdimension, type, points, option scores or (band upto, score), evidence required from %)
MIIT_QUESTIONS = {
    "network": (
        "equipment",
        "multi",
        8,
        {"office-lan": 25, "plant-wired": 25, "plant-wireless": 25, "ipv6-identifier": 25, "none": 0},
        25,
    ),
    "device-digital-rate": ("equipment", "band", 6, [(10, 0), (20, 25), (40, 50), (60, 75), (None, 100)], 50),
    "device-network-rate": ("equipment", "band", 6, [(10, 0), (20, 25), (40, 50), (60, 75), (None, 100)], 50),
    "data-capture-areas": (
        "data-capture",
        "multi",
        10,
        {
            "product-design": 7,
            "process-design": 7,
            "marketing": 7,
            "after-sales": 7,
            "production-planning": 7,
            "production-control": 7,
            "quality": 7,
            "equipment": 7,
            "safety": 7,
            "energy": 7,
            "procurement": 7,
            "warehousing": 7,
            "finance": 7,
            "human-resources": 9,
            "none": 0,
        },
        50,
    ),
    "system-coverage": (
        "information-systems",
        "single",
        10,
        {"none": 0, "one-area": 25, "several-areas": 50, "most-areas": 75, "all-areas": 100},
        25,
    ),
    "network-security": (
        "information-security",
        "multi",
        5,
        {"protection": 25, "segmentation": 25, "policy": 25, "assessment": 25, "none": 0},
        50,
    ),
    "data-security": (
        "information-security",
        "multi",
        5,
        {"backup": 25, "access-control": 25, "classification": 25, "policy-drills": 25, "none": 0},
        50,
    ),
    "plan-implementation": (
        "planning",
        "single",
        7.5,
        {
            "no-plan": 0,
            "plan-drafted": 20,
            "implementation-started": 40,
            "partly-achieved": 60,
            "mostly-achieved": 80,
            "fully-achieved": 100,
        },
        20,
    ),
    "management-mechanism": (
        "planning",
        "multi",
        7.5,
        {"leadership": 25, "dedicated-unit": 25, "project-rules": 25, "management-system": 25, "none": 0},
        25,
    ),
    "talent": (
        "resources",
        "multi",
        7.5,
        {
            "dedicated-staff": 20,
            "leadership-training": 20,
            "staff-training": 20,
            "external-cooperation": 20,
            "incentives": 20,
            "none": 0,
        },
        40,
    ),
    "funding": ("resources", "band", 7.5, [(0.5, 0), (1, 25), (2, 50), (3, 75), (None, 100)], 25),
    "energy-intensity": ("green", "single", 7, {"increased": 0, "unchanged": 50, "decreased": 100}, 100),
    "product-yield": ("quality", "single", 7, {"decreased": 0, "unchanged": 50, "increased": 100}, 100),
    "revenue-per-employee": ("market", "single", 3, {"decreased": 0, "unchanged": 50, "increased": 100}, 100),
    "cost-per-revenue": ("market", "single", 3, {"increased": 0, "unchanged": 50, "decreased": 100}, 100),
}

# dimension: (points, {subdimension: points})
MIIT_DIMENSIONS = {
    "foundation": (
        50,
        {"equipment": 20, "data-capture": 10, "information-systems": 10, "information-security": 10},
    ),
    "operations": (0, {}),
    "management": (30, {"planning": 15, "resources": 15}),
    "outcomes": (20, {"green": 7, "quality": 7, "market": 6}),
}

# band question: (numerator, denominator, scale, {input: min})
MIIT_BAND_INPUTS = {
    "device-digital-rate": (
        "devices_digital",
        "devices_total",
        100,
        {"devices_digital": 0, "devices_total": 1},
    ),
    "device-network-rate": (
        "devices_networked",
        "devices_total",
        100,
        {"devices_networked": 0, "devices_total": 1},
    ),
    "funding": (
        "digital_spend_3y_avg",
        "revenue_3y_avg",
        100,
        {"digital_spend_3y_avg": 0, "revenue_3y_avg": 1},
    ),
}

# recommendation: (what it looks at, key, below)
MIIT_RECOMMENDATIONS = {
    "rec-network": ("question", "network", 75),
    "rec-device-digital-rate": ("question", "device-digital-rate", 75),
    "rec-device-network-rate": ("question", "device-network-rate", 75),
    "rec-data-capture": ("question", "data-capture-areas", 50),
    "rec-system-coverage": ("question", "system-coverage", 75),
    "rec-network-security": ("question", "network-security", 75),
    "rec-data-security": ("question", "data-security", 75),
    "rec-plan-implementation": ("question", "plan-implementation", 60),
    "rec-management-mechanism": ("question", "management-mechanism", 50),
    "rec-talent": ("question", "talent", 60),
    "rec-funding": ("question", "funding", 50),
    "rec-energy-intensity": ("question", "energy-intensity", 100),
    "rec-product-yield": ("question", "product-yield", 100),
    "rec-sub-equipment": ("subdimension", "equipment", 50),
    "rec-sub-information-security": ("subdimension", "information-security", 50),
    "rec-sub-resources": ("subdimension", "resources", 50),
    "rec-sub-market": ("subdimension", "market", 50),
    "rec-scene-production-control": ("scene", "production-control", 3),
    "rec-scene-quality-management": ("scene", "quality-management", 3),
    "rec-scene-equipment-management": ("scene", "equipment-management", 3),
    "rec-scene-energy-management": ("scene", "energy-management", 3),
    "rec-scene-warehousing-logistics": ("scene", "warehousing-logistics", 3),
    "rec-scene-financial-management": ("scene", "financial-management", 3),
    "rec-scene-product-design": ("scene", "product-design", 2),
    "rec-scene-procurement": ("scene", "procurement", 3),
}


def test_miit_questions_points_option_scores_bands_and_evidence_thresholds_are_the_published_ones():
    shipped = {}
    for key, q in scoring.index(miit()).questions.items():
        if q["type"] == "band":
            scores = [(b["upto"], b["score"]) for b in q["bands"]]
        else:
            scores = {o["key"]: o["score"] for o in q["options"]}
        evidence = q["evidence"]["required_from_score"]
        shipped[key] = (q["subdimension"], q["type"], q["points"], scores, evidence)
    assert shipped == MIIT_QUESTIONS


def test_miit_only_none_is_exclusive_and_scores_nothing():
    for key, q in scoring.index(miit()).questions.items():
        if q["type"] == "multi":
            assert [o["key"] for o in q["options"] if o.get("exclusive")] == ["none"], key
            assert scored(miit(), {key: {"options": ["none"]}})["questions"][key]["score"] == 0


def test_miit_band_ratios_and_input_minimums_are_the_published_ones():
    shipped = {}
    for key, q in scoring.index(miit()).questions.items():
        if q["type"] == "band":
            ratio = q["ratio"]
            mins = {i["key"]: i["min"] for i in q["inputs"]}
            shipped[key] = (ratio["numerator"], ratio["denominator"], ratio["scale"], mins)
            assert [(c["left"], c["right"]) for c in q["checks"]] == [
                (ratio["numerator"], ratio["denominator"])
            ]
    assert shipped == MIIT_BAND_INPUTS


def test_miit_points_add_up_to_100_at_every_level():
    d = miit()
    assert d["total_points"] == 100
    shipped = {
        dim["key"]: (dim["points"], {s["key"]: s["points"] for s in dim.get("subdimensions", [])})
        for dim in d["dimensions"]
    }
    assert shipped == MIIT_DIMENSIONS
    assert sum(points for _sub, _type, points, _scores, _ev in MIIT_QUESTIONS.values()) == 100
    for dim in d["dimensions"]:
        for sub in dim.get("subdimensions", []):
            assert sum(q["points"] for q in sub["questions"]) == sub["points"]
        assert sum(s["points"] for s in dim.get("subdimensions", [])) == dim["points"]
    assert sum(dim["points"] for dim in d["dimensions"]) == d["total_points"]


def test_miit_full_marks_by_hand_is_100_and_every_question_full():
    result = scored(miit(), FULL_MARKS | ALL_SCENES_L4)
    assert (result["total"], result["level"]) == (100, 4)
    assert {key: q["percent"] for key, q in result["questions"].items()} == dict.fromkeys(MIIT_QUESTIONS, 100)
    assert [(dim["key"], dim["score"]) for dim in result["dimensions"]] == [
        ("foundation", 50),
        ("management", 30),
        ("outcomes", 20),
    ]


def test_miit_level_rules_are_the_published_ones():
    rules = [
        (r["level"], r["name"]["en"], r["min_score"], r["min_scenes"], r["min_constraint_scenes"])
        for r in miit()["level_rules"]
    ]
    assert rules == [
        (4, "Level 4", 80, 10, 6),
        (3, "Level 3", 60, 8, 5),
        (2, "Level 2", 40, 6, 3),
        (1, "Level 1", 20, 6, 3),
    ]


def test_miit_recommendation_thresholds_are_the_published_ones():
    shipped = {}
    for rec in miit()["recommendations"]:
        (kind,) = [k for k in ("question", "subdimension", "scene") if k in rec["when"]]
        below = rec["when"]["below_level"] if kind == "scene" else rec["when"]["below"]
        shipped[rec["key"]] = (kind, rec["when"][kind], below)
    assert shipped == MIIT_RECOMMENDATIONS


# --- CMMM (GB/T 39116) ------------------------------------------------------------------------------------

# element: sub-domains; every sub-domain weight 1 and one requirement "<sub-domain>-l<level>-a" per level.
CMMM_SUBDOMAINS = {
    "people": ["strategy", "skills"],
    "technology": ["data", "integration", "info-security"],
    "resources": ["equipment", "network"],
    "manufacturing": [
        "product-design",
        "process-design",
        "procurement",
        "planning-scheduling",
        "production-operations",
        "equipment-management",
        "warehousing-distribution",
        "safety-environment",
        "energy-management",
        "logistics",
        "sales",
        "customer-service",
        "product-service",
    ],
}
SUBDOMAINS = [sub for subs in CMMM_SUBDOMAINS.values() for sub in subs]  # 20


def level_ratings(level: int, ratings: list[float]) -> dict:
    """The requirement of each of the 20 sub-domains at `level`, rated in order."""
    assert len(ratings) == 20
    return {f"{sub}-l{level}-a": {"rating": r} for sub, r in zip(SUBDOMAINS, ratings, strict=True)}


# Equal weights: a level's score is the mean of its 20 ratings; reached at >= 0.8, i.e. ratings adding to 16.
SIXTEEN_MET = [1] * 16 + [0] * 4  # 16 / 20 = 0.8
ALL_MOSTLY = [0.8] * 20  # 16 / 20 = 0.8
JUST_SHORT = [1] * 13 + [0.8] * 3 + [0.5] + [0] * 3  # (13 + 2.4 + 0.5) / 20 = 15.9 / 20 = 0.795
HALF = [0.5] * 20  # 0.5


def cmmm_answers(level: int, ratings: list[float]) -> dict:
    """Every level below `level` fully met, `level` rated `ratings`, the level above rated 0.5."""
    answers = {}
    for below in range(1, level):
        answers |= level_ratings(below, [1] * 20)
    answers |= level_ratings(level, ratings)
    if level < 5:
        answers |= level_ratings(level + 1, HALF)
    return answers


# S = n (highest level reached) + the score of level n+1 (framework notes, item 3).
@pytest.mark.parametrize(
    ("level", "ratings", "score", "reached", "total"),
    [
        (1, SIXTEEN_MET, 0.8, 1, 1.5),  # 1 + 0.5
        (1, ALL_MOSTLY, 0.8, 1, 1.5),
        (1, JUST_SHORT, 0.795, 0, 0.795),  # 0 + 0.795
        (2, SIXTEEN_MET, 0.8, 2, 2.5),
        (2, ALL_MOSTLY, 0.8, 2, 2.5),
        (2, JUST_SHORT, 0.795, 1, 1.795),
        (3, SIXTEEN_MET, 0.8, 3, 3.5),
        (3, ALL_MOSTLY, 0.8, 3, 3.5),
        (3, JUST_SHORT, 0.795, 2, 2.795),
        (4, SIXTEEN_MET, 0.8, 4, 4.5),
        (4, ALL_MOSTLY, 0.8, 4, 4.5),
        (4, JUST_SHORT, 0.795, 3, 3.795),
        (5, SIXTEEN_MET, 0.8, 5, 5),  # the top level: nothing above to add
        (5, ALL_MOSTLY, 0.8, 5, 5),
        (5, JUST_SHORT, 0.795, 4, 4.795),
    ],
    ids=[f"L{lv}-{shape}" for lv in range(1, 6) for shape in ("16-met", "all-mostly", "0.795")],
)
def test_cmmm_a_level_score_of_exactly_0_8_reaches_the_level_and_just_below_does_not(
    level, ratings, score, reached, total
):
    result = scored(cmmm(), cmmm_answers(level, ratings))
    assert result["level_scores"][str(level)] == score
    assert result["level"] == reached
    assert result["total"] == total
    assert result["max_total"] == 5
    if reached < level:
        assert result["blocking"]["unmet"] == [
            {
                "condition": "level_score",
                "needed": 0.8,
                "has": 0.795,
                # the four sub-domains rated below 0.8: one 0.5 and three 0
                "subdomains_below": sorted(SUBDOMAINS[16:]),
            }
        ]


def test_cmmm_a_level_counts_only_if_every_level_below_does():
    answers = level_ratings(1, JUST_SHORT)
    for level in (2, 3, 4, 5):
        answers |= level_ratings(level, [1] * 20)
    result = scored(cmmm(), answers)
    assert (result["level"], result["total"]) == (0, 0.795)


def test_cmmm_every_requirement_fully_met_is_level_5():
    answers = {}
    for level in (1, 2, 3, 4, 5):
        answers |= level_ratings(level, [1] * 20)
    result = scored(cmmm(), answers)
    assert (result["level"], result["total"], result["answered"], result["answerable"]) == (5, 5, 100, 100)


@pytest.mark.parametrize("rating", [0.6, 0.9, 2])
def test_cmmm_ratings_outside_the_published_scale_are_refused(rating):
    with pytest.raises(scoring.AnswerError) as excinfo:
        scoring.answer_clean(cmmm(), "strategy-l1-a", {"rating": rating})
    assert excinfo.value.message["en"] == "A rating is one of 0, 0.5, 0.8, 1."


def test_cmmm_published_scale_threshold_levels_subdomains_and_weights():
    d = cmmm()
    assert d["rating_scale"] == [0, 0.5, 0.8, 1]
    assert d["threshold"] == 0.8
    assert [(lv["level"], lv["name"]["en"]) for lv in d["levels"]] == [
        (1, "Planning"),
        (2, "Standardised"),
        (3, "Integrated"),
        (4, "Optimised"),
        (5, "Leading"),
    ]
    ix = scoring.index(d)
    assert {key: (s["element"], s["weight"]) for key, s in ix.subdomains.items()} == {
        sub: (element, 1) for element, subs in CMMM_SUBDOMAINS.items() for sub in subs
    }
    assert {key: (r["subdomain"], r["level"]) for key, r in ix.requirements.items()} == {
        f"{sub}-l{level}-a": (sub, level) for sub in SUBDOMAINS for level in (1, 2, 3, 4, 5)
    }


def test_cmmm_recommendation_thresholds_are_the_published_ones():
    shipped = {
        rec["key"]: (rec["when"]["subdomain"], rec["when"]["below"]) for rec in cmmm()["recommendations"]
    }
    assert shipped == {
        "rec-strategy": ("strategy", 0.8),
        "rec-skills": ("skills", 0.8),
        "rec-data": ("data", 0.8),
        "rec-integration": ("integration", 0.8),
        "rec-info-security": ("info-security", 0.8),
        "rec-equipment": ("equipment", 0.8),
        "rec-network": ("network", 0.8),
        "rec-planning-scheduling": ("planning-scheduling", 0.8),
        "rec-production-operations": ("production-operations", 0.8),
        "rec-equipment-management": ("equipment-management", 0.8),
        "rec-energy-management": ("energy-management", 0.8),
        "rec-safety-environment": ("safety-environment", 0.8),
        "rec-warehousing-distribution": ("warehousing-distribution", 0.8),
        "rec-product-design": ("product-design", 0.8),
    }

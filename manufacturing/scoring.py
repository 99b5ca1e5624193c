"""Scoring of maturity assessments: pure functions, no database, no Django.

    result = score(definition, answers)

`definition` is a validated framework definition (manufacturing/frameworks/FORMAT.md); `answers`
maps keys to answers:

    points frameworks   {"network": {"options": ["wired", "wifi"]},         # multi
                         "planning": {"option": "c"},                       # single
                         "device-digital-rate": {"inputs": {"devices_digital": 30, "devices_total": 100}},
                         "product-design": {"level": 3}}                    # scene, 0..4
    cmmm frameworks     {"strategy-l1-a": {"rating": 0.8}, ...}

Unanswered questions score 0 (and scenes count as level 0). The result is plain JSON-able data:
total, level, per-dimension scores, the condition that blocks the next level, the gaps ranked by
what they would gain, and the recommendations that apply. `answer_clean` validates one answer
against the definition and says, in both languages, what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ROUND = 4
MAX_INPUT = 1e12  # no figure a manufacturer enters is larger; bigger ones are typing errors


class AnswerError(ValueError):
    """An answer that does not fit its question. `message` has {"zh", "en"} texts."""

    def __init__(self, key: str, en: str, zh: str):
        super().__init__(f"{key}: {en}")
        self.key = key
        self.message = {"en": en, "zh": zh}


# --- looking things up ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    questions: dict[str, dict]  # key -> question (with "subdimension" and "dimension" keys added)
    scenes: dict[str, dict]
    requirements: dict[str, dict]  # cmmm
    subdomains: dict[str, dict]  # cmmm: key -> {"weight", "name", "element"}


def index(definition: dict) -> Index:
    questions, scenes, requirements, subdomains = {}, {}, {}, {}
    if definition["kind"] == "points":
        for dim in definition["dimensions"]:
            for scene in dim.get("scenes", []):
                scenes[scene["key"]] = scene
            for sub in dim.get("subdimensions", []):
                for q in sub["questions"]:
                    questions[q["key"]] = {**q, "subdimension": sub["key"], "dimension": dim["key"]}
    else:
        for element in definition["elements"]:
            for domain in element["domains"]:
                for sub in domain["subdomains"]:
                    subdomains[sub["key"]] = {
                        "weight": sub.get("weight", 1),
                        "name": sub["name"],
                        "element": element["key"],
                    }
                    for req in sub["requirements"]:
                        requirements[req["key"]] = {**req, "subdomain": sub["key"]}
    return Index(questions, scenes, requirements, subdomains)


def question_count(definition: dict) -> int:
    """How many answers complete an assessment (questions and scenes, or requirements)."""
    ix = index(definition)
    return len(ix.questions) + len(ix.scenes) + len(ix.requirements)


# --- validating one answer ------------------------------------------------------------------------------


def shared_inputs_update(
    definition: dict, answers: dict[str, dict], key: str, clean: dict
) -> dict[str, dict]:
    """A raw input that several questions ask for (total production equipment, say) is one fact of the
    enterprise. When `clean`, the new answer to `key`, gives such an input a value, the other answered
    questions that ask for it take the same value: returns their new, cleaned answers. One that would
    then fail its own checks (connected equipment above the new total) raises AnswerError naming it."""
    ix = index(definition)
    given = clean.get("inputs") or {}
    updates: dict[str, dict] = {}
    for other_key, other in answers.items():
        question = ix.questions.get(other_key)
        if other_key == key or question is None or "inputs" not in other:
            continue
        changed = {k: v for k, v in given.items() if k in other["inputs"] and other["inputs"][k] != v}
        if not changed:
            continue
        try:
            merged = {"inputs": {**other["inputs"], **changed}}
            updates[other_key] = answer_clean(definition, other_key, merged)
        except AnswerError as exc:
            raise AnswerError(
                key,
                f'This figure is also used by "{question["text"]["en"]}", which it would make invalid: '
                f"{exc.message['en']}",
                f"该数值同时用于“{question['text']['zh']}”，修改后该题将不成立：{exc.message['zh']}",
            ) from exc
    return updates


def answer_clean(definition: dict, key: str, answer) -> dict:
    """The answer in canonical form, or AnswerError explaining (in both languages) what is wrong."""
    ix = index(definition)
    if not isinstance(answer, dict):
        raise AnswerError(key, "An answer is an object.", "答案必须是一个对象。")
    if key in ix.scenes:
        level = answer.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 4:
            raise AnswerError(
                key, "A scene's level is a whole number from 0 to 4.", "场景等级必须是 0 到 4 的整数。"
            )
        return {"level": level}
    if key in ix.requirements:
        rating = answer.get("rating")
        scale = definition["rating_scale"]
        if isinstance(rating, float) and not math.isfinite(rating):
            rating = None
        if isinstance(rating, bool) or not isinstance(rating, int | float) or rating not in scale:
            allowed = ", ".join(f"{r:g}" for r in scale)
            raise AnswerError(key, f"A rating is one of {allowed}.", f"评分只能是 {allowed} 之一。")
        return {"rating": float(rating)}
    question = ix.questions.get(key)
    if question is None:
        raise AnswerError(
            key, f"There is no question {key!r} in this framework.", f"该评估框架中没有问题 {key!r}。"
        )
    option_keys = [o["key"] for o in question.get("options", [])]
    if question["type"] == "single":
        option = answer.get("option")
        if isinstance(answer.get("options"), list):
            raise AnswerError(key, "This question takes exactly one option.", "该问题只能选择一个选项。")
        if option not in option_keys:
            raise AnswerError(
                key, f"{option!r} is not an option of this question.", f"{option!r} 不是该问题的选项。"
            )
        return {"option": option}
    if question["type"] == "multi":
        options = answer.get("options")
        if not isinstance(options, list) or not options:
            raise AnswerError(key, "Choose at least one option.", "请至少选择一个选项。")
        unknown = [o for o in options if o not in option_keys]
        if unknown:
            raise AnswerError(
                key,
                f"{unknown[0]!r} is not an option of this question.",
                f"{unknown[0]!r} 不是该问题的选项。",
            )
        if len(set(options)) != len(options):
            raise AnswerError(key, "An option is chosen twice.", "有选项被重复选择。")
        exclusive = {o["key"] for o in question["options"] if o.get("exclusive")}
        if exclusive & set(options) and len(options) > 1:
            raise AnswerError(
                key, "'None' cannot be combined with other options.", "“无”不能与其他选项同时选择。"
            )
        return {"options": sorted(options, key=option_keys.index)}
    # band: raw figures
    inputs = answer.get("inputs")
    if not isinstance(inputs, dict):
        raise AnswerError(key, "Enter the figures this question asks for.", "请填写该问题要求的数值。")
    clean = {}
    for spec in question["inputs"]:
        value = inputs.get(spec["key"])
        label_en, label_zh = spec["label"]["en"], spec["label"]["zh"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise AnswerError(key, f"{label_en}: enter a number.", f"{label_zh}：请输入数字。")
        low = spec.get("min", 0)
        if value < low:
            raise AnswerError(
                key, f"{label_en}: cannot be less than {low:g}.", f"{label_zh}：不能小于 {low:g}。"
            )
        high = spec.get("max", MAX_INPUT)
        if value > high:
            raise AnswerError(
                key, f"{label_en}: cannot be more than {high:g}.", f"{label_zh}：不能大于 {high:g}。"
            )
        clean[spec["key"]] = value
    for check in question.get("checks", []):
        if clean[check["left"]] > clean[check["right"]]:
            raise AnswerError(key, check["message"]["en"], check["message"]["zh"])
    return {"inputs": clean}


# --- points frameworks ----------------------------------------------------------------------------------


def band_ratio(question: dict, inputs: dict) -> float:
    ratio = question["ratio"]
    return inputs[ratio["numerator"]] / inputs[ratio["denominator"]] * ratio.get("scale", 1)


EDGE = 1e-9  # floating-point slack: 0.45 / 15 * 100 is 3.0000000000000004, and still exactly 3 %


def band_pick(question: dict, ratio: float) -> dict:
    """The first band whose upper bound is >= the ratio (an edge value belongs to the lower band)."""
    for band in question["bands"]:
        if band.get("upto") is None or ratio <= band["upto"] + EDGE:
            return band
    return question["bands"][-1]


def question_percent(question: dict, answer: dict | None) -> float:
    """How much of its points the answer earns, 0..100."""
    if not answer:
        return 0.0
    if question["type"] == "single":
        return float(next(o["score"] for o in question["options"] if o["key"] == answer["option"]))
    if question["type"] == "multi":
        chosen = [o for o in question["options"] if o["key"] in answer["options"]]
        if any(o.get("exclusive") for o in chosen):
            return 0.0
        return float(min(100, sum(o["score"] for o in chosen)))
    return float(band_pick(question, band_ratio(question, answer["inputs"]))["score"])


def evidence_needed(question: dict, answer: dict | None) -> bool:
    """Whether the framework asks for evidence of this answer: the question names a threshold
    (`evidence.required_from_score`) and the answer earns at least that percent of its points. The
    one rule: submitting refuses an answer it names without a file, and the wizard shows it."""
    threshold = (question.get("evidence") or {}).get("required_from_score")
    if threshold is None or not answer:
        return False
    return question_percent(question, answer) >= threshold


def _level_check(
    rule: dict, total: float, scene_levels: dict[str, int], scenes: dict[str, dict]
) -> list[dict]:
    """The conditions of `rule` that are not met (empty: the level is reached)."""
    unmet = []
    if total + 1e-9 < rule["min_score"]:
        unmet.append({"condition": "score", "needed": rule["min_score"], "has": round(total, 2)})
    at_level = [k for k, lv in scene_levels.items() if lv >= rule["level"]]
    if "min_scenes" in rule and len(at_level) < rule["min_scenes"]:
        unmet.append(
            {
                "condition": "scenes",
                "level": rule["level"],
                "needed": rule["min_scenes"],
                "has": len(at_level),
            }
        )
    constrained = [k for k in at_level if scenes[k]["constraint"]]
    if "min_constraint_scenes" in rule and len(constrained) < rule["min_constraint_scenes"]:
        unmet.append(
            {
                "condition": "constraint_scenes",
                "level": rule["level"],
                "needed": rule["min_constraint_scenes"],
                "has": len(constrained),
            }
        )
    return unmet


def score_points(definition: dict, answers: dict[str, dict]) -> dict:
    ix = index(definition)
    questions_out: dict[str, dict] = {}
    dimensions_out = []
    total = 0.0
    for dim in definition["dimensions"]:
        if "scenes" in dim:
            continue
        subs_out = []
        dim_score = 0.0
        for sub in dim["subdimensions"]:
            sub_score = 0.0
            for q in sub["questions"]:
                percent = question_percent(q, answers.get(q["key"]))
                score = q["points"] * percent / 100
                questions_out[q["key"]] = {
                    "score": round(score, ROUND),
                    "max": q["points"],
                    "percent": round(percent, 2),
                    "answered": q["key"] in answers,
                }
                sub_score += score
            subs_out.append({"key": sub["key"], "score": round(sub_score, ROUND), "max": sub["points"]})
            dim_score += sub_score
        dimensions_out.append(
            {
                "key": dim["key"],
                "score": round(dim_score, ROUND),
                "max": dim["points"],
                "subdimensions": subs_out,
            }
        )
        total += dim_score
    scene_levels = {key: (answers.get(key) or {}).get("level", 0) for key in ix.scenes}

    rules = definition["level_rules"]  # highest first
    level = 0
    for rule in rules:
        if not _level_check(rule, total, scene_levels, ix.scenes):
            level = rule["level"]
            break
    next_rule = next((r for r in reversed(rules) if r["level"] == level + 1), None)
    blocking = None
    if next_rule is not None:
        blocking = {
            "level": next_rule["level"],
            "name": next_rule["name"],
            "unmet": _level_check(next_rule, total, scene_levels, ix.scenes),
        }
    target = next_rule["level"] if next_rule else level

    gaps = [
        {"kind": "question", "key": key, "gain": round(q["max"] - q["score"], ROUND)}
        for key, q in questions_out.items()
        if q["max"] - q["score"] > 1e-9
    ]
    gaps.sort(key=lambda g: (-g["gain"], g["key"]))
    scene_gaps = [
        {
            "kind": "scene",
            "key": key,
            "level": lv,
            "target_level": target,
            "constraint": ix.scenes[key]["constraint"],
        }
        for key, lv in scene_levels.items()
        if lv < target
    ]
    # Constraint scenes first, then the ones closest to the target.
    scene_gaps.sort(key=lambda g: (not g["constraint"], target - g["level"], g["key"]))

    sub_percent = {
        s["key"]: (100 * s["score"] / s["max"] if s["max"] else 100.0)
        for d in dimensions_out
        for s in d["subdimensions"]
    }
    recommendations = []
    for rec in definition.get("recommendations", []):
        when = rec["when"]
        if "question" in when:
            applies = questions_out[when["question"]]["percent"] < when["below"]
            weight = questions_out[when["question"]]["max"] - questions_out[when["question"]]["score"]
        elif "subdimension" in when:
            applies = sub_percent[when["subdimension"]] < when["below"]
            weight = next(
                s["max"] - s["score"]
                for d in dimensions_out
                for s in d["subdimensions"]
                if s["key"] == when["subdimension"]
            )
        else:
            applies = scene_levels[when["scene"]] < when["below_level"]
            weight = 0.0
        if applies:
            recommendations.append({"key": rec["key"], "text": rec["text"], "gain": round(weight, ROUND)})
    recommendations.sort(key=lambda r: -r["gain"])

    answered = sum(1 for q in questions_out.values() if q["answered"]) + sum(
        1 for k in ix.scenes if k in answers
    )
    return {
        "kind": "points",
        "total": round(total, ROUND),
        "max_total": definition["total_points"],
        "level": level,
        "level_name": next((r["name"] for r in rules if r["level"] == level), None),
        "dimensions": dimensions_out,
        "questions": questions_out,
        "scenes": scene_levels,
        "blocking": blocking,
        "gaps": gaps,
        "scene_gaps": scene_gaps,
        "recommendations": recommendations,
        "answered": answered,
        "answerable": len(ix.questions) + len(ix.scenes),
    }


# --- CMMM frameworks ------------------------------------------------------------------------------------


def score_cmmm(definition: dict, answers: dict[str, dict]) -> dict:
    ix = index(definition)
    levels = [lv["level"] for lv in definition["levels"]]
    threshold = definition["threshold"]

    # Sub-domain score at a level: mean rating of its requirements at that level (unrated = 0).
    sub_scores: dict[int, dict[str, float]] = {lv: {} for lv in levels}
    grouped: dict[tuple[int, str], list[float]] = {}
    for key, req in ix.requirements.items():
        rating = (answers.get(key) or {}).get("rating", 0.0)
        grouped.setdefault((req["level"], req["subdomain"]), []).append(rating)
    for (lv, sub), ratings in grouped.items():
        sub_scores[lv][sub] = sum(ratings) / len(ratings)

    level_scores = {}
    for lv in levels:
        subs = sub_scores[lv]
        weight = sum(ix.subdomains[s]["weight"] for s in subs)
        level_scores[lv] = (
            sum(ix.subdomains[s]["weight"] * v for s, v in subs.items()) / weight if weight else 0.0
        )

    reached = 0
    for lv in levels:  # from the bottom: a level counts only if every level below it does
        if level_scores[lv] + 1e-9 >= threshold:
            reached = lv
        else:
            break
    next_level = reached + 1 if reached < levels[-1] else None
    final = reached + (level_scores[next_level] if next_level else 0.0)

    blocking = None
    gaps = []
    if next_level:
        short = {s: v for s, v in sub_scores[next_level].items() if v + 1e-9 < threshold}
        blocking = {
            "level": next_level,
            "name": definition["levels"][next_level - 1]["name"],
            "unmet": [
                {
                    "condition": "level_score",
                    "needed": threshold,
                    "has": round(level_scores[next_level], ROUND),
                    "subdomains_below": sorted(short),
                }
            ],
        }
        total_weight = sum(ix.subdomains[s]["weight"] for s in sub_scores[next_level]) or 1
        gaps = [
            {
                "kind": "subdomain",
                "key": s,
                "level": next_level,
                "score": round(v, ROUND),
                # what raising this sub-domain to a full 1 would add to the next level's score
                "gain": round(ix.subdomains[s]["weight"] * (1 - v) / total_weight, ROUND),
            }
            for s, v in sub_scores[next_level].items()
            if v < 1
        ]
        gaps.sort(key=lambda g: (-g["gain"], g["key"]))

    recommendations = []
    for rec in definition.get("recommendations", []):
        sub = rec["when"]["subdomain"]
        current = sub_scores[next_level].get(sub, 1.0) if next_level else 1.0
        if current < rec["when"]["below"]:
            recommendations.append(
                {"key": rec["key"], "text": rec["text"], "gain": round(1 - current, ROUND)}
            )
    recommendations.sort(key=lambda r: -r["gain"])

    dimensions = [
        {
            "key": f"level-{lv}",
            "score": round(level_scores[lv], ROUND),
            "max": 1,
            "name": definition["levels"][lv - 1]["name"],
        }
        for lv in levels
    ]
    return {
        "kind": "cmmm",
        "total": round(final, ROUND),
        "max_total": levels[-1],
        "level": reached,
        "level_name": definition["levels"][reached - 1]["name"] if reached else None,
        "dimensions": dimensions,
        "level_scores": {str(lv): round(v, ROUND) for lv, v in level_scores.items()},
        "subdomain_scores": {
            str(lv): {s: round(v, ROUND) for s, v in subs.items()} for lv, subs in sub_scores.items()
        },
        "blocking": blocking,
        "gaps": gaps,
        "scene_gaps": [],
        "recommendations": recommendations,
        "answered": sum(1 for k in ix.requirements if k in answers),
        "answerable": len(ix.requirements),
    }


def score(definition: dict, answers: dict[str, dict]) -> dict:
    if definition["kind"] == "points":
        return score_points(definition, answers)
    return score_cmmm(definition, answers)


def missing_answers(definition: dict, answers: dict[str, dict]) -> list[str]:
    """Keys still unanswered, in the order of the framework (what blocks submitting)."""
    ix = index(definition)
    ordered = list(ix.questions) + list(ix.scenes) + list(ix.requirements)
    return [key for key in ordered if key not in answers]

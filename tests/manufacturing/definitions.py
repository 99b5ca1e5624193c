"""A small hand-made framework of each kind, for tests whose expected values are computed by hand."""

import copy


def t(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


POINTS = {
    "code": "tiny",
    "version": "1",
    "kind": "points",
    "name": t("小框架", "Tiny"),
    "basis": t("测试", "test"),
    "notes": t("测试用", "for tests"),
    "total_points": 20,
    "dimensions": [
        {
            "key": "base",
            "name": t("基础", "Base"),
            "points": 20,
            "subdimensions": [
                {
                    "key": "equip",
                    "name": t("设备", "Equipment"),
                    "points": 14,
                    "questions": [
                        {
                            "key": "net",
                            "type": "multi",
                            "points": 8,
                            "text": t("网络", "Network"),
                            "options": [
                                {"key": "a", "text": t("甲", "A"), "score": 25},
                                {"key": "b", "text": t("乙", "B"), "score": 25},
                                {"key": "c", "text": t("丙", "C"), "score": 25},
                                {"key": "d", "text": t("丁", "D"), "score": 25},
                                {"key": "none", "text": t("无", "None"), "score": 0, "exclusive": True},
                            ],
                        },
                        {
                            "key": "rate",
                            "type": "band",
                            "points": 6,
                            "text": t("数字化率", "Digital rate"),
                            "inputs": [
                                {
                                    "key": "digital",
                                    "label": t("数字化设备", "Digital devices"),
                                    "unit": t("台", "units"),
                                    "min": 0,
                                },
                                {
                                    "key": "total",
                                    "label": t("设备总数", "All devices"),
                                    "unit": t("台", "units"),
                                    "min": 1,
                                },
                            ],
                            "checks": [
                                {
                                    "left": "digital",
                                    "right": "total",
                                    "message": t(
                                        "数字化设备不能多于设备总数",
                                        "Digital devices cannot exceed all devices",
                                    ),
                                }
                            ],
                            "ratio": {"numerator": "digital", "denominator": "total", "scale": 100},
                            "bands": [
                                {"upto": 10, "score": 0},
                                {"upto": 20, "score": 25},
                                {"upto": 40, "score": 50},
                                {"upto": 60, "score": 75},
                                {"upto": None, "score": 100},
                            ],
                        },
                    ],
                },
                {
                    "key": "plan",
                    "name": t("规划", "Planning"),
                    "points": 6,
                    "questions": [
                        {
                            "key": "strategy",
                            "type": "single",
                            "points": 6,
                            "text": t("战略", "Strategy"),
                            "options": [
                                {"key": "no", "text": t("无", "No"), "score": 0},
                                {"key": "some", "text": t("部分", "Some"), "score": 50},
                                {"key": "full", "text": t("全面", "Full"), "score": 100},
                            ],
                        }
                    ],
                },
            ],
        },
        {
            "key": "ops",
            "name": t("经营", "Operations"),
            "points": 0,
            "scenes": [
                {
                    "key": f"s{i}",
                    "name": t(f"场景{i}", f"Scene {i}"),
                    "group": t("组", "Group"),
                    "constraint": i <= 2,
                    "levels": {n: t(f"{n}级", f"L{n}") for n in (1, 2, 3, 4)},
                }
                for i in range(1, 5)
            ],
        },
    ],
    "level_rules": [
        {"level": 2, "name": t("二级", "L2"), "min_score": 12, "min_scenes": 3, "min_constraint_scenes": 2},
        {"level": 1, "name": t("一级", "L1"), "min_score": 4, "min_scenes": 2, "min_constraint_scenes": 1},
    ],
    "recommendations": [
        {
            "key": "r-net",
            "when": {"question": "net", "below": 75},
            "text": t("加强网络", "Improve the network"),
        },
        {
            "key": "r-plan",
            "when": {"subdimension": "plan", "below": 100},
            "text": t("完善规划", "Plan fully"),
        },
        {"key": "r-s1", "when": {"scene": "s1", "below_level": 2}, "text": t("提升场景1", "Raise scene 1")},
    ],
}

CMMM = {
    "code": "tiny-cmmm",
    "version": "1",
    "kind": "cmmm",
    "name": t("小成熟度", "Tiny CMMM"),
    "basis": t("测试", "test"),
    "notes": t("测试用", "for tests"),
    "rating_scale": [0, 0.5, 0.8, 1],
    "threshold": 0.8,
    "levels": [{"level": n, "name": t(f"{n}级", f"L{n}")} for n in (1, 2, 3)],
    "elements": [
        {
            "key": "people",
            "name": t("人员", "People"),
            "domains": [
                {
                    "key": "org",
                    "name": t("组织", "Organisation"),
                    "subdomains": [
                        {
                            "key": "strategy",
                            "name": t("战略", "Strategy"),
                            "weight": 3,
                            "requirements": [
                                {"key": f"st-{lv}-{n}", "level": lv, "text": t("要求", "Req")}
                                for lv in (1, 2, 3)
                                for n in (1, 2)
                            ],
                        },
                        {
                            "key": "skills",
                            "name": t("技能", "Skills"),
                            "weight": 1,
                            "requirements": [
                                {"key": f"sk-{lv}", "level": lv, "text": t("要求", "Req")} for lv in (1, 2, 3)
                            ],
                        },
                    ],
                }
            ],
        }
    ],
    "recommendations": [
        {"key": "r-sk", "when": {"subdomain": "skills", "below": 0.8}, "text": t("培训", "Train")}
    ],
}


def points() -> dict:
    return copy.deepcopy(POINTS)


def cmmm() -> dict:
    return copy.deepcopy(CMMM)


def full_answers(definition: dict) -> dict:
    """The best answer to every question and level 4 in every scene (MIIT: 100 points, level 4)."""
    from manufacturing import scoring

    ix = scoring.index(definition)
    answers = {}
    for key, q in ix.questions.items():
        if q["type"] == "single":
            answers[key] = {"option": max(q["options"], key=lambda o: o["score"])["key"]}
        elif q["type"] == "multi":
            answers[key] = {"options": [o["key"] for o in q["options"] if not o.get("exclusive")]}
        else:
            inputs = {spec["key"]: 100 for spec in q["inputs"]}
            answers[key] = {"inputs": inputs}
    answers.update({key: {"level": 4} for key in ix.scenes})
    for key in ix.requirements:
        answers[key] = {"rating": 1}
    return answers


def attach_required_evidence(assessment, user) -> None:
    """A small real PDF for every answer whose score makes the framework ask for evidence."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from manufacturing import services

    for key in services.evidence_missing(assessment=assessment):
        services.evidence_add(
            enterprise=connection.tenant,  # the test runs inside the enterprise's schema
            assessment=assessment,
            question_key=key,
            upload=SimpleUploadedFile(f"{key}.pdf", b"%PDF-1.4\n%%EOF\n"),
            user=user,
        )

"""How a scored result is shown (the result page, the assessor's comparison, the PDF report): names
resolved from the framework's definition. Pure; below the views and the selectors that both use it."""

import math
from decimal import ROUND_HALF_UP, Decimal

from manufacturing import scoring

# What each rating of a GB/T 39116 requirement means: how far the requirement is met (GB/T 39117-2020's
# method as the framework's notes and ../shared/research/assessment-frameworks.md give it).
RATING_MEANINGS = {
    0.0: {"zh": "不满足", "en": "Not met"},
    0.5: {"zh": "部分满足", "en": "Partly met"},
    0.8: {"zh": "大部分满足", "en": "Mostly met"},
    1.0: {"zh": "全部满足", "en": "Fully met"},
}


def rating_meaning(value) -> dict | None:
    """The meaning of a rating ({zh, en}), or None for a value off the scale."""
    try:
        return RATING_MEANINGS.get(float(value))
    except (TypeError, ValueError):
        return None


def question_names(definition: dict) -> dict[str, dict]:
    """Each question's, scene's and requirement's text by its key ({zh, en}), for a page that names
    one by key (an assessor's comment on a question)."""
    ix = scoring.index(definition)
    names = {k: q["text"] for k, q in ix.questions.items()}
    names.update({k: s["name"] for k, s in ix.scenes.items()})
    names.update({k: r["text"] for k, r in ix.requirements.items()})
    return names


def result_view(definition: dict, result: dict) -> dict:
    """What the result page shows, with names resolved from the definition."""
    ix = scoring.index(definition)
    names: dict[str, dict] = {}
    if definition["kind"] == "points":
        for dim in definition["dimensions"]:
            names[dim["key"]] = dim["name"]
            for sub in dim.get("subdimensions", []):
                names[sub["key"]] = sub["name"]
        names.update({k: q["text"] for k, q in ix.questions.items()})
        names.update({k: s["name"] for k, s in ix.scenes.items()})
    else:
        names.update({k: s["name"] for k, s in ix.subdomains.items()})
    bars = [
        {
            "name": d.get("name") or names.get(d["key"], d["key"]),
            "score": d["score"],
            "max": d["max"],
            "percent": round(100 * d["score"] / d["max"], 1) if d["max"] else 0,
        }
        for d in result["dimensions"]
        if d["max"]
    ]
    gaps = [{**g, "name": names.get(g["key"], g["key"])} for g in result["gaps"][:10]]
    scene_gaps = [{**g, "name": names.get(g["key"], g["key"])} for g in result.get("scene_gaps", [])[:10]]
    return {"bars": bars, "gaps": gaps, "scene_gaps": scene_gaps}


def radar_axes(definition: dict, result: dict) -> list[dict]:
    """The axes of the result's radar chart: the sub-dimensions of a points framework (its three
    scored dimensions alone would only draw a triangle), each with its dimension's name; the levels
    of a CMMM framework. Each axis: name, group, score, max, percent."""
    if definition["kind"] != "points":
        return [{**bar, "group": None} for bar in result_view(definition, result)["bars"]]
    names = {}
    for dim in definition["dimensions"]:
        for sub in dim.get("subdimensions", []):
            names[sub["key"]] = (sub["name"], dim["name"])
    axes = []
    for dim in result["dimensions"]:
        for sub in dim.get("subdimensions", []):
            if not sub["max"]:
                continue
            name, group = names.get(sub["key"], ({"zh": sub["key"], "en": sub["key"]}, None))
            axes.append(
                {
                    "name": name,
                    "group": group,
                    "score": sub["score"],
                    "max": sub["max"],
                    "percent": round(100 * sub["score"] / sub["max"], 1),
                }
            )
    return axes


# The radar's geometry, in the SVG's own units. The SVG scales to the width of its column, so the
# sizes are chosen for the narrowest column (a 390 px phone, about 310 px for the chart): the whole
# drawing is at most about 460 units wide, so 18-unit text renders at 12 px or more there.
RADAR_RADIUS = 100
RADAR_FONT = 18
RADAR_LINE = 22
RADAR_GAP = 10
RADAR_WRAP = {"zh": 5, "en": 12}  # characters per label line


def _text_width(text: str) -> float:
    """An estimate of a line's width: CJK characters are square, Latin ones about 0.6 em."""
    return sum(RADAR_FONT if ord(c) >= 0x2E80 else 0.6 * RADAR_FONT for c in text)


def _wrap(text: str, language: str) -> list[str]:
    """A label broken into short lines: Chinese after every few characters, English between words."""
    width = RADAR_WRAP[language]
    if language == "zh":
        return [text[i : i + width] for i in range(0, len(text), width)] or [""]
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _rounded(value: float, places: str) -> str:
    """Rounded half up, as the page's floatformat rounds the same figure in the table."""
    return str(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _label_value(axis: dict) -> str:
    if axis["max"] == 1:  # a CMMM level's score, 0..1
        return _rounded(axis["score"], "0.01")
    return f"{_rounded(axis['score'], '0.1')} / {axis['max']:g}"


def radar(axes: list[dict], language: str, *, compared: list[dict] | None = None) -> dict | None:
    """A radar chart of `axes` (radar_axes) as SVG geometry: the rings at 25 % steps, the spokes,
    the polygon of the percentages (and of `compared`, the self-assessment beside a verified
    result, drawn as an outline), and each axis's label outside the polygon, wrapped, with its
    value. The viewBox encloses every label, so nothing is cut off at any width. None for fewer
    than three axes, which make no polygon."""
    n = len(axes)
    if n < 3:
        return None
    r = RADAR_RADIUS

    def point(i: int, percent: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        scale = r * max(0.0, min(100.0, percent)) / 100
        return scale * math.cos(angle), scale * math.sin(angle)

    def polygon(values: list[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    boxes = [(-r, -r, r, r)]
    labels = []
    for i, axis in enumerate(axes):
        name = axis["name"].get(language) or axis["name"].get("en") or ""
        lines = [*_wrap(name, language)]
        value = _label_value(axis)
        width = max(_text_width(t) for t in [*lines, value])
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = (r + RADAR_GAP) * cos, (r + RADAR_GAP) * sin
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        height = RADAR_LINE * len(lines) + RADAR_LINE
        top = y - height if sin < -0.2 else y if sin > 0.2 else y - height / 2
        left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
        boxes.append((left, top, left + width, top + height))
        baseline = top + RADAR_FONT
        labels.append(
            {
                "x": round(x, 1),
                "anchor": anchor,
                "lines": [{"text": t, "y": round(baseline + k * RADAR_LINE, 1)} for k, t in enumerate(lines)],
                "value": {"text": value, "y": round(baseline + len(lines) * RADAR_LINE, 1)},
            }
        )
    pad = 4
    left = min(b[0] for b in boxes) - pad
    top = min(b[1] for b in boxes) - pad
    right = max(b[2] for b in boxes) + pad
    bottom = max(b[3] for b in boxes) + pad
    return {
        "view_box": f"{left:.0f} {top:.0f} {right - left:.0f} {bottom - top:.0f}",
        "font": RADAR_FONT,
        "rings": [polygon([step] * n) for step in (25, 50, 75, 100)],
        "spokes": [{"x": round(x, 1), "y": round(y, 1)} for x, y in (point(i, 100) for i in range(n))],
        "shape": polygon([a["percent"] for a in axes]),
        "dots": [
            {"x": round(x, 1), "y": round(y, 1)}
            for x, y in (point(i, a["percent"]) for i, a in enumerate(axes))
        ],
        "compared": polygon([a["percent"] for a in compared]) if compared else None,
        "labels": labels,
    }


def without_platform_notes(definition: dict) -> dict:
    """The definition as an enterprise reads it: without the platform's own remarks (the top-level
    `notes` and every question's `note`, wherever questions sit: dimensions, subdimensions, scenes).
    policy.framework_notes_visible_to says who reads them."""

    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key != "note"}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return {key: strip(value) for key, value in definition.items() if key != "notes"}

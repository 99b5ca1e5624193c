"""How a scored result is shown (the result page, the assessor's comparison, the PDF report): names
resolved from the framework's definition. Pure; below the views and the selectors that both use it."""

from manufacturing import scoring


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

"""How a framework is split into wizard pages: one dimension (or capability element) per page."""


def steps(definition: dict) -> list[dict]:
    """[{"name": {...}, "groups": [{"name": {...}, "items": [(kind, item), ...]}]}, ...]"""
    pages = []
    if definition["kind"] == "points":
        for dim in definition["dimensions"]:
            if "scenes" in dim:
                groups: dict[str, dict] = {}
                for scene in dim["scenes"]:
                    group = groups.setdefault(scene["group"]["en"], {"name": scene["group"], "items": []})
                    group["items"].append(("scene", scene))
                pages.append({"name": dim["name"], "points": dim["points"], "groups": list(groups.values())})
            else:
                pages.append(
                    {
                        "name": dim["name"],
                        "points": dim["points"],
                        "groups": [
                            {"name": sub["name"], "items": [("question", q) for q in sub["questions"]]}
                            for sub in dim["subdimensions"]
                        ],
                    }
                )
    else:
        for element in definition["elements"]:
            groups = []
            for domain in element["domains"]:
                for sub in domain["subdomains"]:
                    groups.append(
                        {
                            "name": sub["name"],
                            "items": [
                                ("requirement", r)
                                for r in sorted(sub["requirements"], key=lambda r: r["level"])
                            ],
                        }
                    )
            pages.append({"name": element["name"], "points": None, "groups": groups})
    return pages

"""Reads and validates framework definitions (FORMAT.md). No database access here.

    python -m manufacturing.frameworks.loader check FILE...   # validate files, exit 1 on a fault

A broken definition is refused with FrameworkError naming the fault and where it is, e.g.
"miit-sme-mfg 2024.1: dimensions[0].subdimensions[1]: question points add up to 9, expected 10".
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import yaml

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
QUESTION_TYPES = {"single", "multi", "band"}
EPSILON = 1e-6


class FrameworkError(ValueError):
    """A definition that must not be published; the message names the fault."""


def read_file(path: Path | str) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise FrameworkError(f"{path.name}: the top level must be a mapping")
    return data


def checksum(definition: dict) -> str:
    """Identifies a definition's content (key order and formatting do not matter)."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Checker:
    def __init__(self, definition: dict):
        self.d = definition
        self.faults: list[str] = []
        self.keys: dict[str, str] = {}  # question/scene/requirement key -> where
        self.kinds: dict[str, set[str]] = {
            "question": set(),
            "subdimension": set(),
            "scene": set(),
            "subdomain": set(),
        }

    def fault(self, where: str, message: str) -> None:
        self.faults.append(f"{where}: {message}" if where else message)

    def text(self, where: str, value) -> None:
        if not isinstance(value, dict) or not all(
            isinstance(value.get(lang), str) and value.get(lang).strip() for lang in ("zh", "en")
        ):
            self.fault(where, "needs a text in both languages: {zh: ..., en: ...}")

    def key(self, where: str, value, *, unique_in: set | None = None, global_key: bool = False) -> None:
        if not isinstance(value, str) or not KEY.match(value):
            self.fault(where, f"key {value!r} must be lower-case letters, digits, '-' or '_'")
            return
        if unique_in is not None:
            if value in unique_in:
                self.fault(where, f"duplicate key {value!r}")
            unique_in.add(value)
        if global_key:
            if value in self.keys:
                self.fault(where, f"key {value!r} is already used at {self.keys[value]}")
            else:
                self.keys[value] = where

    def number(self, where: str, value, *, low=None, high=None) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fault(where, f"{value!r} is not a number")
            return False
        if (low is not None and value < low) or (high is not None and value > high):
            self.fault(where, f"{value} is outside {low}..{high}")
            return False
        return True

    def items(self, where: str, value) -> list:
        if not isinstance(value, list) or not value:
            self.fault(where, "must be a non-empty list")
            return []
        return value

    # --- the whole definition ------------------------------------------------------------------------

    def run(self) -> list[str]:
        d = self.d
        for field in ("code", "version", "kind"):
            if not isinstance(d.get(field), str) or not d.get(field):
                self.fault("", f"`{field}` is required")
        if isinstance(d.get("code"), str):
            self.key("code", d["code"])
        for field in ("name", "basis", "notes"):
            self.text(field, d.get(field))
        if "recommendations" in d and not isinstance(d["recommendations"], list):
            # `recommendations:` left empty reads as null, which scoring cannot walk: say so here.
            self.fault("recommendations", "must be a list (write [] for none)")
        kind = d.get("kind")
        if kind == "points":
            self.points_framework()
        elif kind == "cmmm":
            self.cmmm_framework()
        else:
            self.fault("kind", f"must be 'points' or 'cmmm', not {kind!r}")
        return self.faults

    # --- points (MIIT style) -------------------------------------------------------------------------

    def points_framework(self) -> None:
        d = self.d
        if not self.number("total_points", d.get("total_points"), low=1):
            return
        dimension_keys: set[str] = set()
        total = 0.0
        scene_count = 0
        for i, dim in enumerate(self.items("dimensions", d.get("dimensions"))):
            where = f"dimensions[{i}]"
            self.key(f"{where}.key", dim.get("key"), unique_in=dimension_keys)
            self.text(f"{where}.name", dim.get("name"))
            if not self.number(f"{where}.points", dim.get("points"), low=0):
                continue
            total += dim["points"]
            if "scenes" in dim and "subdimensions" in dim:
                self.fault(where, "a dimension has either scenes or subdimensions, not both")
            if "scenes" in dim:
                if dim["points"] != 0:
                    self.fault(f"{where}.points", "a dimension of scenes scores no points: use 0")
                scene_count += self.scenes(where, dim.get("scenes"))
                continue
            sub_keys: set[str] = set()
            sub_total = 0.0
            for j, sub in enumerate(self.items(f"{where}.subdimensions", dim.get("subdimensions"))):
                sub_where = f"{where}.subdimensions[{j}]"
                self.key(f"{sub_where}.key", sub.get("key"), unique_in=sub_keys, global_key=True)
                self.kinds["subdimension"].add(sub.get("key"))
                self.text(f"{sub_where}.name", sub.get("name"))
                if not self.number(f"{sub_where}.points", sub.get("points"), low=0):
                    continue
                sub_total += sub["points"]
                question_total = sum(
                    self.question(f"{sub_where}.questions[{k}]", q)
                    for k, q in enumerate(self.items(f"{sub_where}.questions", sub.get("questions")))
                )
                if abs(question_total - sub["points"]) > EPSILON:
                    self.fault(
                        sub_where, f"question points add up to {question_total:g}, expected {sub['points']:g}"
                    )
            if abs(sub_total - dim["points"]) > EPSILON:
                self.fault(where, f"subdimension points add up to {sub_total:g}, expected {dim['points']:g}")
        if abs(total - d["total_points"]) > EPSILON:
            self.fault(
                "dimensions",
                f"dimension points add up to {total:g}, expected total_points {d['total_points']:g}",
            )
        self.level_rules(scene_count)
        self.recommendations_points()

    def question(self, where: str, q: dict) -> float:
        if not isinstance(q, dict):
            self.fault(where, "must be a mapping")
            return 0.0
        self.key(f"{where}.key", q.get("key"), global_key=True)
        self.kinds["question"].add(q.get("key"))
        self.text(f"{where}.text", q.get("text"))
        for field in ("help", "note"):
            if field in q:
                self.text(f"{where}.{field}", q[field])
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            self.fault(f"{where}.type", f"must be one of {sorted(QUESTION_TYPES)}, not {qtype!r}")
            return 0.0
        if not self.number(f"{where}.points", q.get("points"), low=0):
            return 0.0
        if qtype == "band":
            self.band(where, q)
        else:
            self.options(where, q, multi=qtype == "multi")
        evidence = q.get("evidence")
        if evidence is not None:
            self.text(f"{where}.evidence.hint", evidence.get("hint"))
            if "required_from_score" in evidence:
                self.number(
                    f"{where}.evidence.required_from_score", evidence["required_from_score"], low=0, high=100
                )
        return float(q["points"])

    def options(self, where: str, q: dict, *, multi: bool) -> None:
        keys: set[str] = set()
        exclusive = 0
        for i, option in enumerate(self.items(f"{where}.options", q.get("options"))):
            ow = f"{where}.options[{i}]"
            self.key(f"{ow}.key", option.get("key"), unique_in=keys)
            self.text(f"{ow}.text", option.get("text"))
            if "score" not in option:
                self.fault(ow, "every option needs a score (percent of the question's points)")
            else:
                self.number(f"{ow}.score", option["score"], low=0, high=100)
            if option.get("exclusive"):
                exclusive += 1
                if not multi:
                    self.fault(ow, "only a multi question has an exclusive option")
                elif option.get("score", 0) != 0:
                    self.fault(ow, "an exclusive ('none') option scores 0")
        if exclusive > 1:
            self.fault(f"{where}.options", "at most one exclusive option")

    def band(self, where: str, q: dict) -> None:
        inputs = {}
        for i, item in enumerate(self.items(f"{where}.inputs", q.get("inputs"))):
            iw = f"{where}.inputs[{i}]"
            self.key(f"{iw}.key", item.get("key"), unique_in=set(inputs))
            self.text(f"{iw}.label", item.get("label"))
            self.text(f"{iw}.unit", item.get("unit"))
            for bound in ("min", "max"):
                if bound in item:
                    self.number(f"{iw}.{bound}", item[bound])
            inputs[item.get("key")] = item
        ratio = q.get("ratio") or {}
        for part in ("numerator", "denominator"):
            if ratio.get(part) not in inputs:
                self.fault(f"{where}.ratio.{part}", f"{ratio.get(part)!r} is not one of the inputs")
        denominator = inputs.get(ratio.get("denominator")) or {}
        if not (isinstance(denominator.get("min"), int | float) and denominator["min"] > 0):
            self.fault(f"{where}.ratio.denominator", "the denominator input needs min > 0")
        for i, check in enumerate(q.get("checks") or []):
            cw = f"{where}.checks[{i}]"
            for side in ("left", "right"):
                if check.get(side) not in inputs:
                    self.fault(f"{cw}.{side}", f"{check.get(side)!r} is not one of the inputs")
            self.text(f"{cw}.message", check.get("message"))
        bands = self.items(f"{where}.bands", q.get("bands"))
        previous = None
        for i, band in enumerate(bands):
            bw = f"{where}.bands[{i}]"
            if "score" not in band:
                self.fault(bw, "every band needs a score")
            else:
                self.number(f"{bw}.score", band["score"], low=0, high=100)
            upto = band.get("upto")
            last = i == len(bands) - 1
            if upto is None:
                if not last:
                    self.fault(bw, "only the last band is open-ended (upto: null)")
                continue
            if last:
                self.fault(bw, "the last band must be open-ended (upto: null)")
            if self.number(f"{bw}.upto", upto) and previous is not None and upto <= previous:
                self.fault(bw, f"bands must ascend: {upto:g} after {previous:g}")
            previous = upto if isinstance(upto, int | float) else previous

    def scenes(self, where: str, scenes) -> int:
        count = 0
        for i, scene in enumerate(self.items(f"{where}.scenes", scenes)):
            sw = f"{where}.scenes[{i}]"
            self.key(f"{sw}.key", scene.get("key"), global_key=True)
            self.kinds["scene"].add(scene.get("key"))
            self.text(f"{sw}.name", scene.get("name"))
            self.text(f"{sw}.group", scene.get("group"))
            if not isinstance(scene.get("constraint"), bool):
                self.fault(f"{sw}.constraint", "must be true or false")
            levels = scene.get("levels") or {}
            if sorted(str(k) for k in levels) != ["1", "2", "3", "4"]:
                self.fault(f"{sw}.levels", "needs the descriptors of levels 1, 2, 3 and 4")
            for level, text in levels.items():
                self.text(f"{sw}.levels.{level}", text)
            count += 1
        return count

    def level_rules(self, scene_count: int) -> None:
        rules = self.items("level_rules", self.d.get("level_rules"))
        seen: list[int] = []
        previous_score = None
        if rules and isinstance(rules[-1], dict) and rules[-1].get("level") != 1:
            self.fault("level_rules", "the last (lowest) rule is level 1")
        for i, rule in enumerate(rules):
            rw = f"level_rules[{i}]"
            if not self.number(f"{rw}.level", rule.get("level"), low=1):
                continue
            self.text(f"{rw}.name", rule.get("name"))
            if seen and rule["level"] != seen[-1] - 1:
                self.fault(rw, "rules go from the highest level down, one level at a time")
            seen.append(rule["level"])
            if self.number(f"{rw}.min_score", rule.get("min_score"), low=0, high=self.d["total_points"]):
                if previous_score is not None and rule["min_score"] > previous_score:
                    self.fault(rw, "a lower level cannot need a higher score")
                previous_score = rule["min_score"]
            for field in ("min_scenes", "min_constraint_scenes"):
                if field in rule:
                    self.number(f"{rw}.{field}", rule[field], low=0, high=scene_count)
            if rule.get("min_constraint_scenes", 0) > rule.get("min_scenes", scene_count):
                self.fault(rw, "cannot need more constraint scenes than scenes")

    def recommendations_points(self) -> None:
        keys: set[str] = set()
        for i, rec in enumerate(self.d.get("recommendations") or []):
            rw = f"recommendations[{i}]"
            self.key(f"{rw}.key", rec.get("key"), unique_in=keys)
            self.text(f"{rw}.text", rec.get("text"))
            when = rec.get("when") or {}
            targets = [k for k in ("question", "subdimension", "scene") if k in when]
            if len(targets) != 1:
                self.fault(f"{rw}.when", "names exactly one question, subdimension or scene")
                continue
            target = when[targets[0]]
            if target not in self.kinds[targets[0]]:
                self.fault(f"{rw}.when", f"unknown {targets[0]} {target!r}")
            if targets[0] == "scene":
                self.number(f"{rw}.when.below_level", when.get("below_level"), low=1, high=4)
            else:
                self.number(f"{rw}.when.below", when.get("below"), low=0, high=100)

    # --- cmmm (GB/T 39116 style) ---------------------------------------------------------------------

    def cmmm_framework(self) -> None:
        d = self.d
        scale = d.get("rating_scale")
        if (
            not isinstance(scale, list)
            or not scale
            or sorted(scale) != scale
            or not all(0 <= r <= 1 for r in scale)
        ):
            self.fault("rating_scale", "must be an ascending list of ratings between 0 and 1")
        self.number("threshold", d.get("threshold"), low=0, high=1)
        level_numbers = []
        for i, level in enumerate(self.items("levels", d.get("levels"))):
            self.number(f"levels[{i}].level", level.get("level"), low=1)
            self.text(f"levels[{i}].name", level.get("name"))
            level_numbers.append(level.get("level"))
        if level_numbers != list(range(1, len(level_numbers) + 1)):
            self.fault("levels", "must be numbered 1, 2, 3... in order")
        element_keys: set[str] = set()
        for i, element in enumerate(self.items("elements", d.get("elements"))):
            ew = f"elements[{i}]"
            self.key(f"{ew}.key", element.get("key"), unique_in=element_keys)
            self.text(f"{ew}.name", element.get("name"))
            domain_keys: set[str] = set()
            for j, domain in enumerate(self.items(f"{ew}.domains", element.get("domains"))):
                dw = f"{ew}.domains[{j}]"
                self.key(f"{dw}.key", domain.get("key"), unique_in=domain_keys)
                self.text(f"{dw}.name", domain.get("name"))
                for k, sub in enumerate(self.items(f"{dw}.subdomains", domain.get("subdomains"))):
                    sw = f"{dw}.subdomains[{k}]"
                    self.key(f"{sw}.key", sub.get("key"), global_key=True)
                    self.kinds["subdomain"].add(sub.get("key"))
                    self.text(f"{sw}.name", sub.get("name"))
                    self.number(f"{sw}.weight", sub.get("weight", 1), low=0)
                    for m, req in enumerate(self.items(f"{sw}.requirements", sub.get("requirements"))):
                        qw = f"{sw}.requirements[{m}]"
                        self.key(f"{qw}.key", req.get("key"), global_key=True)
                        self.text(f"{qw}.text", req.get("text"))
                        if req.get("level") not in level_numbers:
                            self.fault(f"{qw}.level", f"{req.get('level')!r} is not a defined level")
        for level in level_numbers:
            if not any(r["level"] == level for r in cmmm_requirements(d)):
                self.fault("levels", f"level {level} has no requirement")
        keys: set[str] = set()
        for i, rec in enumerate(d.get("recommendations") or []):
            rw = f"recommendations[{i}]"
            self.key(f"{rw}.key", rec.get("key"), unique_in=keys)
            self.text(f"{rw}.text", rec.get("text"))
            when = rec.get("when") or {}
            if when.get("subdomain") not in self.kinds["subdomain"]:
                self.fault(f"{rw}.when.subdomain", f"unknown subdomain {when.get('subdomain')!r}")
            self.number(f"{rw}.when.below", when.get("below"), low=0, high=1)


def cmmm_requirements(definition: dict) -> list[dict]:
    """Every requirement of a CMMM definition, with its subdomain key and weight attached."""
    found = []
    for element in definition.get("elements") or []:
        for domain in element.get("domains") or []:
            for sub in domain.get("subdomains") or []:
                for req in sub.get("requirements") or []:
                    if isinstance(req, dict):
                        found.append({**req, "subdomain": sub.get("key"), "weight": sub.get("weight", 1)})
    return found


def normalise(definition: dict) -> dict:
    """The definition as JSON stores it (mapping keys become strings, e.g. scene levels "1".."4"),
    so what is validated, checksummed, stored and scored is the same data."""
    return json.loads(json.dumps(definition, ensure_ascii=False))


def validate_definition(definition: dict) -> dict:
    """Returns the definition (normalised) if it is sound; raises FrameworkError listing every fault."""
    definition = normalise(definition)
    faults = _Checker(definition).run()
    if faults:
        label = f"{definition.get('code', '?')} {definition.get('version', '?')}"
        listed = "\n  ".join(faults[:20])
        more = f"\n  (+{len(faults) - 20} more)" if len(faults) > 20 else ""
        raise FrameworkError(f"{label}: {len(faults)} fault(s):\n  {listed}{more}")
    return definition


def validate_file(path: Path | str) -> dict:
    return validate_definition(read_file(path))


def definition_files() -> list[Path]:
    return sorted(DEFINITIONS.glob("*.yaml"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print(__doc__)
        return 2
    status = 0
    for name in argv[1:] or [str(p) for p in definition_files()]:
        try:
            definition = validate_file(name)
            print(f"ok  {name}: {definition['code']} {definition['version']}")
        except FrameworkError as exc:
            print(f"BAD {name}: {exc}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

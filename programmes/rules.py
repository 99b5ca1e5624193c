"""The programme's rules as arithmetic: pure functions of plain values, no database.

Eligibility (who may apply, and why not), the target (is the after-level enough), the subsidy
(min(share x contract, cap)) and the solution recommendations (which solutions improve the
enterprise's own gaps, and why). Services, pages, the API and tests call these; nothing else decides."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.i18n import in_both_languages

CENT = Decimal("0.01")
TOO_OLD = _(
    "Your verified level dates from %(date)s; the programme needs one verified on or after %(since)s."
)


def subsidy_for(*, percent: Decimal, cap: Decimal, amount: Decimal) -> Decimal:
    """min(percent % of the contract amount, cap), to the cent (half up)."""
    share = (Decimal(amount) * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(share, Decimal(cap))


def target_met(*, target_level: int, target_gain: int, before_level: int, after_level: int) -> bool:
    """After-level at least the target, and at least `target_gain` levels above the before-level."""
    return after_level >= target_level and after_level - before_level >= target_gain


@dataclass(frozen=True)
class Reason:
    """Why an enterprise may not apply (yet): a code for the API, a bilingual message, and what to do."""

    code: str
    message: dict  # {"zh", "en"}
    action: str = ""  # "assess": take (or get verified) an assessment; "" : nothing it can do

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "action": self.action}


def _reason(code, message, action="", **params) -> Reason:
    return Reason(code, in_both_languages(message, params or None), action)


@dataclass
class ProgrammeTerms:
    """What eligibility reads of a programme (plain values)."""

    state: str
    city_codes: set
    division_codes: set = field(default_factory=set)  # empty: every division
    segment_codes: set = field(default_factory=set)  # empty: any segment
    segment_divisions: set = field(default_factory=set)  # divisions of the listed segments
    sizes: set = field(default_factory=set)  # empty: every size
    verified_since: date | None = None
    apply_from: date | None = None
    apply_until: date | None = None


def eligibility(
    *,
    terms: ProgrammeTerms,
    city: str | None,
    division: str | None,
    size: str,
    verified: dict | None,
    today: date,
) -> list[Reason]:
    """Every reason the enterprise may not apply today; an empty list means it may.

    `verified` is its newest verified assessment in the programme's framework ({"level",
    "approved_at"}, manufacturing.interface.verified_fact) or None."""
    reasons = []
    if terms.state != "open":
        reasons.append(_reason("not_open", _("The programme is not open to applications.")))
    elif terms.apply_from and today < terms.apply_from:
        reasons.append(
            _reason("not_yet", _("Applications open on %(date)s."), date=terms.apply_from.isoformat())
        )
    elif terms.apply_until and today > terms.apply_until:
        reasons.append(
            _reason(
                "window_closed", _("Applications closed on %(date)s."), date=terms.apply_until.isoformat()
            )
        )
    if city not in terms.city_codes:
        reasons.append(_reason("city", _("The programme is not open to enterprises of your city.")))
    divisions = terms.division_codes | (terms.segment_divisions if terms.segment_codes else set())
    if divisions and division not in divisions:
        reasons.append(_reason("division", _("Your industry division is not one of the programme's.")))
    if terms.sizes and size not in terms.sizes:
        reasons.append(
            _reason(
                "size", _("Your enterprise size is not one the programme accepts (set it in your profile).")
            )
        )
    if verified is None:
        reasons.append(
            _reason(
                "needs_verified_level",
                _("The programme needs a verified level: take the assessment and have it verified."),
                action="assess",
            )
        )
    else:
        approved = verified["approved_at"]
        # The day in the platform's time zone (Beijing), not in UTC: verified at 07:30 on 1 January
        # in Beijing is 1 January, though it is still 31 December in UTC.
        approved_on = timezone.localdate(approved) if isinstance(approved, datetime) else approved
        if terms.verified_since and approved_on < terms.verified_since:
            reasons.append(
                _reason(
                    "verified_too_old",
                    TOO_OLD,
                    action="assess",
                    date=approved_on.isoformat(),
                    since=terms.verified_since.isoformat(),
                )
            )
    return reasons


# --- recommendations ----------------------------------------------------------------------------------


def _named(message, name: dict, **params) -> dict:
    """{"zh", "en"} of a message naming a scene or question, each language with its own name."""
    texts = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            texts[key] = str(message) % {**params, "name": name.get(key) or name.get("zh") or ""}
    return texts


def fits(*, solution: dict, division: str | None, segment: str | None, size: str) -> bool:
    """The solution is meant for an enterprise of this division, segment and size (an empty list in
    the solution means every one)."""
    if solution["divisions"] and division not in solution["divisions"]:
        return False
    if solution["segments"] and segment and segment not in solution["segments"]:
        return False
    return not (solution["sizes"] and size and size not in solution["sizes"])


def recommend(
    *, solutions: list[dict], gaps: dict, names: dict, division: str | None, segment: str | None, size: str
) -> list[dict]:
    """The solutions that fit the enterprise, those improving its own gaps first, each with why.

    `solutions`: [{"id", "scenes", "questions", "divisions", "segments", "sizes", ...}];
    `gaps`: manufacturing.interface.verified_gaps (ranked question gaps and scenes below the next level);
    `names`: manufacturing.interface.framework_items ({"scenes": {key: {zh, en}}, "questions": ...}).
    Returns each fitting solution as {**solution, "reasons": [{"kind", "key", "name", "message"}],
    "score"}, best first: blocked constraint scenes weigh most, then other scenes below the target,
    then the points the improved questions could add."""
    scene_gaps = {g["key"]: g for g in gaps.get("scene_gaps", [])}
    question_gaps = {g["key"]: g for g in gaps.get("gaps", [])}
    ranked = []
    for solution in solutions:
        if not fits(solution=solution, division=division, segment=segment, size=size):
            continue
        reasons, score = [], 0.0
        for key in solution["scenes"]:
            gap = scene_gaps.get(key)
            if gap is None:
                continue
            name = names.get("scenes", {}).get(key, {"zh": key, "en": key})
            if gap["constraint"]:
                message = _(
                    "improves %(name)s, a constraint scene of yours at level %(level)s, "
                    "below level %(target)s"
                )
                score += 100 + 10 * (gap["target_level"] - gap["level"])
            else:
                message = _(
                    "improves %(name)s, one of your scenes at level %(level)s, below level %(target)s"
                )
                score += 50 + 10 * (gap["target_level"] - gap["level"])
            reasons.append(
                {
                    "kind": "scene",
                    "key": key,
                    "name": name,
                    "message": _named(message, name, level=gap["level"], target=gap["target_level"]),
                }
            )
        for key in solution["questions"]:
            gap = question_gaps.get(key)
            if gap is None:
                continue
            name = names.get("questions", {}).get(key, {"zh": key, "en": key})
            score += float(gap["gain"])
            reasons.append(
                {
                    "kind": "question",
                    "key": key,
                    "name": name,
                    "message": _named(
                        _("improves %(name)s: up to %(gain)s points you do not have yet"),
                        name,
                        gain=gap["gain"],
                    ),
                }
            )
        ranked.append({**solution, "reasons": reasons, "score": round(score, 2)})
    ranked.sort(key=lambda s: (-s["score"], s["id"]))
    return ranked

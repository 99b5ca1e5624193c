"""Peer percentile of a verified score. The cohort is the latest approved assessments of the same
framework version; it starts narrow (same industry division, same city) and widens while fewer than
COHORT_MIN enterprises match: industry section in the city, then in the province, then the whole
region. The step used and its size are stored with the result, so the reader knows what it means."""

from dataclasses import dataclass

COHORT_MIN = 20


@dataclass(frozen=True)
class Step:
    scope: str  # division-city, section-city, section-province, section-region
    filters: dict  # AssessmentFact field lookups
    label: dict  # {"zh", "en"}


def steps(*, city, province, industry) -> list[Step]:
    """The cohorts to try, narrowest first. `city`/`province` are Regions, `industry` an Industry
    (any may be None for an enterprise with incomplete data; those steps are skipped)."""
    out = []
    if industry and city:
        out.append(
            Step(
                "division-city",
                {"industry": industry, "city": city},
                {"zh": f"{city.name_zh} · {industry.name_zh}", "en": f"{city.name_en} · {industry.name_en}"},
            )
        )
    if industry and city:
        out.append(
            Step(
                "section-city",
                {"industry_section": industry.section, "city": city},
                {
                    "zh": f"{city.name_zh} · 全部制造业企业",
                    "en": f"{city.name_en} · all manufacturers",
                },
            )
        )
    if industry and province:
        out.append(
            Step(
                "section-province",
                {"industry_section": industry.section, "province_code": province.code},
                {
                    "zh": f"{province.name_zh} · 全部制造业企业",
                    "en": f"{province.name_en} · all manufacturers",
                },
            )
        )
    out.append(
        Step(
            "section-region" if industry else "region",
            {"industry_section": industry.section} if industry else {},
            {
                "zh": "京津冀 · 全部制造业企业",
                "en": "Beijing-Tianjin-Hebei · all manufacturers",
            }
            if industry
            else {"zh": "京津冀全部企业", "en": "All of Beijing-Tianjin-Hebei"},
        )
    )
    return out


def percentile_rank(value: float, totals: list[float]) -> float:
    """Percent of the cohort scoring below `value`, ties counted half (the mid-rank definition), so
    the best of a cohort of 20 is at 97.5, the median near 50, and a cohort of one at 50."""
    if not totals:
        raise ValueError("an empty cohort has no percentile")
    below = sum(1 for t in totals if t < value - 1e-9)
    equal = sum(1 for t in totals if abs(t - value) <= 1e-9)
    return round(100 * (below + equal / 2) / len(totals), 1)

"""Matching a financing request to loan products: a pure function, no database.

Every product is checked against the request on the same criteria, and each check says why it
passed or failed, in both languages. Hard checks (amount, term, city, industry, verified maturity
level, collateral) decide whether the enterprise is eligible; the purpose is a soft preference.
Products are ranked: eligible first, then fewer failed checks, purpose fit, lower starting rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# What a product's tags say about the purposes it is meant for.
PURPOSE_TAGS = {"digital": "digital", "green": "green", "research": "tech"}


@dataclass(frozen=True)
class Need:
    amount: Decimal
    term_months: int
    purpose: str
    collateral: str
    city: str | None
    industry: str | None
    verified_level: int | None  # the default framework's verified level, None if never verified


@dataclass(frozen=True)
class Offer:
    id: int
    amount_min: Decimal
    amount_max: Decimal
    term_min: int
    term_max: int
    rate_min: Decimal
    cities: frozenset[str] = frozenset()  # empty: every city
    industries: frozenset[str] = frozenset()  # empty: every division
    min_level: int = 0
    collaterals: frozenset[str] = frozenset({"none"})
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Check:
    key: str
    ok: bool
    hard: bool
    text: dict  # {"zh", "en"}


@dataclass(frozen=True)
class Match:
    offer: Offer
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.ok for c in self.checks if c.hard)

    @property
    def failed(self) -> int:
        return sum(not c.ok for c in self.checks if c.hard)

    @property
    def purpose_fit(self) -> bool:
        return any(c.ok for c in self.checks if c.key == "purpose")


def _wan(yuan: Decimal) -> str:
    """Yuan as 万元, the unit people read (no trailing zeros): 125000 -> "12.5"."""
    text = f"{Decimal(yuan) / 10_000:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _level_text(required: int, level: int | None, zh: bool) -> str:
    if zh:
        have = f"您的企业当前为 L{level}" if level else "您的企业尚无已核验等级"
        return f"要求已核验等级不低于 L{required}，{have}"
    have = f"yours is L{level}" if level else "you have no verified level yet"
    return f"verified level L{required} or higher required; {have}"


def checks(need: Need, offer: Offer) -> list[Check]:
    out = []
    ok = offer.amount_min <= need.amount <= offer.amount_max
    low, high = _wan(offer.amount_min), _wan(offer.amount_max)
    out.append(
        Check(
            "amount",
            ok,
            True,
            {"zh": f"金额须在 {low}–{high} 万元之间", "en": f"amount within {low}–{high} (CNY 10,000)"},
        )
    )
    ok = offer.term_min <= need.term_months <= offer.term_max
    out.append(
        Check(
            "term",
            ok,
            True,
            {
                "zh": f"期限须在 {offer.term_min}–{offer.term_max} 个月之间",
                "en": f"term within {offer.term_min}–{offer.term_max} months",
            },
        )
    )
    ok = not offer.cities or (need.city in offer.cities)
    out.append(
        Check(
            "city",
            ok,
            True,
            {
                "zh": "所在城市符合要求" if ok else "所在城市不在适用范围内",
                "en": "city eligible" if ok else "city not eligible",
            },
        )
    )
    ok = not offer.industries or (need.industry in offer.industries)
    out.append(
        Check(
            "industry",
            ok,
            True,
            {
                "zh": "所属行业符合要求" if ok else "所属行业不在适用范围内",
                "en": "industry eligible" if ok else "industry not eligible",
            },
        )
    )
    if offer.min_level:
        ok = (need.verified_level or 0) >= offer.min_level
        out.append(
            Check(
                "level",
                ok,
                True,
                {
                    "zh": _level_text(offer.min_level, need.verified_level, True),
                    "en": _level_text(offer.min_level, need.verified_level, False),
                },
            )
        )
    ok = need.collateral in offer.collaterals or "none" in offer.collaterals
    out.append(
        Check(
            "collateral",
            ok,
            True,
            {
                "zh": "接受您提供的担保方式" if ok else "不接受您提供的担保方式",
                "en": "your collateral is accepted" if ok else "your collateral is not accepted",
            },
        )
    )
    tag = PURPOSE_TAGS.get(need.purpose)
    if tag is not None:
        ok = tag in offer.tags
        out.append(
            Check(
                "purpose",
                ok,
                False,
                {
                    "zh": "产品适用于您的资金用途" if ok else "产品并非专门针对该资金用途",
                    "en": "meant for your purpose" if ok else "not specifically meant for this purpose",
                },
            )
        )
    return out


def rank(need: Need, offers: list[Offer]) -> list[Match]:
    """Every offer with its checks, best fit first."""
    matches = [Match(offer, checks(need, offer)) for offer in offers]
    return sorted(matches, key=lambda m: (m.failed, not m.purpose_fit, m.offer.rate_min, m.offer.id))

"""The loan-matching rules (finance/matching.py) at their edges, without a database: each range includes
both of its ends, each hard check alone makes a product ineligible while the purpose does not, and every
check gives the enterprise its reason in both languages, word for word."""

from dataclasses import replace
from decimal import Decimal

import pytest

from finance.matching import Check, Match, Need, Offer, checks, rank
from tests.finance.test_matching import NEED  # the same request as the matching's own tests

# A product that restricts on every criterion, and that this request meets on every one.
STRICT = Offer(
    id=7,
    amount_min=Decimal("500000"),
    amount_max=Decimal("5000000"),
    term_min=12,
    term_max=36,
    rate_min=Decimal("3.45"),
    cities=frozenset({"130600", "130200"}),
    industries=frozenset({"C34", "C35"}),
    min_level=3,
    collaterals=frozenset({"equipment", "real_estate"}),
    tags=frozenset({"digital"}),
)


def check(need: Need, offer: Offer, key: str) -> Check:
    return next(c for c in checks(need, offer) if c.key == key)


def test_a_product_met_on_every_criterion_says_so_in_both_languages():
    assert checks(NEED, STRICT) == [
        Check(
            "amount",
            True,
            True,
            {"zh": "金额须在 50–500 万元之间", "en": "amount within 50–500 (CNY 10,000)"},
        ),
        Check("term", True, True, {"zh": "期限须在 12–36 个月之间", "en": "term within 12–36 months"}),
        Check("city", True, True, {"zh": "所在城市符合要求", "en": "city eligible"}),
        Check("industry", True, True, {"zh": "所属行业符合要求", "en": "industry eligible"}),
        Check(
            "level",
            True,
            True,
            {
                "zh": "要求已核验等级不低于 L3，您的企业当前为 L3",
                "en": "verified level L3 or higher required; yours is L3",
            },
        ),
        Check("collateral", True, True, {"zh": "接受您提供的担保方式", "en": "your collateral is accepted"}),
        Check("purpose", True, False, {"zh": "产品适用于您的资金用途", "en": "meant for your purpose"}),
    ]


def test_a_product_missed_on_every_criterion_gives_each_reason_in_both_languages():
    need = Need(
        amount=Decimal("6000000"),
        term_months=48,
        purpose="green",
        collateral="receivables",
        city="110000",
        industry="C13",
        verified_level=2,
    )
    assert checks(need, STRICT) == [
        Check(
            "amount",
            False,
            True,
            {"zh": "金额须在 50–500 万元之间", "en": "amount within 50–500 (CNY 10,000)"},
        ),
        Check("term", False, True, {"zh": "期限须在 12–36 个月之间", "en": "term within 12–36 months"}),
        Check("city", False, True, {"zh": "所在城市不在适用范围内", "en": "city not eligible"}),
        Check("industry", False, True, {"zh": "所属行业不在适用范围内", "en": "industry not eligible"}),
        Check(
            "level",
            False,
            True,
            {
                "zh": "要求已核验等级不低于 L3，您的企业当前为 L2",
                "en": "verified level L3 or higher required; yours is L2",
            },
        ),
        Check(
            "collateral",
            False,
            True,
            {"zh": "不接受您提供的担保方式", "en": "your collateral is not accepted"},
        ),
        Check(
            "purpose",
            False,
            False,
            {"zh": "产品并非专门针对该资金用途", "en": "not specifically meant for this purpose"},
        ),
    ]


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        (Decimal("499999.99"), False),
        (Decimal("500000"), True),  # the minimum itself
        (Decimal("5000000"), True),  # the maximum itself
        (Decimal("5000000.01"), False),
    ],
)
def test_the_amount_range_includes_both_ends(amount, ok):
    assert check(replace(NEED, amount=amount), STRICT, "amount").ok is ok


@pytest.mark.parametrize(("months", "ok"), [(11, False), (12, True), (36, True), (37, False)])
def test_the_term_range_includes_both_ends(months, ok):
    assert check(replace(NEED, term_months=months), STRICT, "term").ok is ok


@pytest.mark.parametrize(("level", "ok"), [(None, False), (2, False), (3, True), (4, True)])
def test_the_required_verified_level_is_a_minimum_that_the_level_itself_meets(level, ok):
    assert check(replace(NEED, verified_level=level), STRICT, "level").ok is ok


@pytest.mark.parametrize(
    "miss",
    [
        {"amount": Decimal("5000000.01")},
        {"term_months": 11},
        {"city": "110000"},
        {"industry": "C13"},
        {"verified_level": 2},
        {"collateral": "receivables"},
    ],
)
def test_any_one_hard_check_failing_makes_the_product_ineligible(miss):
    match = Match(STRICT, checks(replace(NEED, **miss), STRICT))
    assert (match.eligible, match.failed, match.purpose_fit) == (False, 1, True)


def test_a_purpose_the_product_is_not_meant_for_leaves_it_eligible_but_ranked_lower():
    green = replace(NEED, purpose="green")
    match = Match(STRICT, checks(green, STRICT))
    assert (match.eligible, match.failed, match.purpose_fit) == (True, 0, False)
    fits = replace(STRICT, id=8, rate_min=Decimal("9.99"), tags=frozenset({"green"}))
    assert [m.offer.id for m in rank(green, [STRICT, fits])] == [8, 7]


@pytest.mark.parametrize(
    ("yuan", "wan"),
    [
        ("0", "0"),
        ("1", "0.0001"),
        ("12345", "1.2345"),
        ("125000", "12.5"),
        ("1000000", "100"),  # trailing zeros and the point go, the zeros before it stay
        ("100000000", "10,000"),  # thousands separated
    ],
)
def test_amounts_are_shown_in_ten_thousand_yuan_without_trailing_zeros(yuan, wan):
    offer = replace(STRICT, amount_min=Decimal(yuan), amount_max=Decimal(yuan))
    text = check(NEED, offer, "amount").text
    assert text == {"zh": f"金额须在 {wan}–{wan} 万元之间", "en": f"amount within {wan}–{wan} (CNY 10,000)"}

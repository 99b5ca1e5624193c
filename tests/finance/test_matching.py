"""The matching of a financing request to loan products: a pure function, tested without a database."""

from decimal import Decimal

from finance.matching import Need, Offer, checks, rank

NEED = Need(
    amount=Decimal("2000000"),
    term_months=24,
    purpose="digital",
    collateral="equipment",
    city="130600",
    industry="C34",
    verified_level=3,
)


def offer(id=1, **kw) -> Offer:
    base = {
        "amount_min": Decimal("500000"),
        "amount_max": Decimal("5000000"),
        "term_min": 12,
        "term_max": 36,
        "rate_min": Decimal("3.45"),
    }
    return Offer(id=id, **{**base, **kw})


def by_key(need, product) -> dict:
    return {c.key: c.ok for c in checks(need, product)}


def test_every_criterion_passes_for_a_product_open_to_all():
    result = by_key(NEED, offer(tags=frozenset({"digital"})))
    assert result == {
        "amount": True,
        "term": True,
        "city": True,
        "industry": True,
        "collateral": True,
        "purpose": True,
    }  # fmt: skip  (no level check when the product asks for none)


def test_range_bounds_are_inclusive():
    exact = Need(**{**NEED.__dict__, "amount": Decimal("500000"), "term_months": 36})
    assert by_key(exact, offer())["amount"] and by_key(exact, offer())["term"]
    below = Need(**{**NEED.__dict__, "amount": Decimal("499999.99"), "term_months": 37})
    assert not by_key(below, offer())["amount"] and not by_key(below, offer())["term"]


def test_the_amount_matches_from_the_exact_minimum_to_the_exact_maximum_and_not_one_fen_beyond():
    product = offer()
    fen = Decimal("0.01")

    def fits(amount: Decimal) -> bool:
        need = Need(**{**NEED.__dict__, "amount": amount})
        return by_key(need, product)["amount"] and rank(need, [product])[0].eligible

    assert fits(product.amount_min) and fits(product.amount_max)
    assert not fits(product.amount_min - fen) and not fits(product.amount_max + fen)


def test_city_and_industry_lists_restrict_when_given():
    assert by_key(NEED, offer(cities=frozenset({"130600"})))["city"]
    assert not by_key(NEED, offer(cities=frozenset({"110000"})))["city"]
    assert not by_key(NEED, offer(industries=frozenset({"C35"})))["industry"]
    unknown = Need(**{**NEED.__dict__, "city": None})
    assert not by_key(unknown, offer(cities=frozenset({"130600"})))["city"]


def test_the_verified_level_is_a_credit_signal_with_its_reason():
    level = next(c for c in checks(NEED, offer(min_level=2)) if c.key == "level")
    assert level.ok and level.text["en"] == "verified level L2 or higher required; yours is L3"
    assert level.text["zh"] == "要求已核验等级不低于 L2，您的企业当前为 L3"
    short = next(c for c in checks(NEED, offer(min_level=4)) if c.key == "level")
    assert not short.ok
    never = Need(**{**NEED.__dict__, "verified_level": None})
    missing = next(c for c in checks(never, offer(min_level=1)) if c.key == "level")
    assert not missing.ok and missing.text["en"].endswith("you have no verified level yet")
    # Chinese as a person writes it (not "您为无已核验等级")
    assert missing.text["zh"] == "要求已核验等级不低于 L1，您的企业尚无已核验等级"


def test_the_amount_range_is_explained_in_ten_thousand_yuan():
    amount = next(c for c in checks(NEED, offer()) if c.key == "amount")
    assert amount.text == {"zh": "金额须在 50–500 万元之间", "en": "amount within 50–500 (CNY 10,000)"}
    odd = next(c for c in checks(NEED, offer(amount_min=Decimal("125000"))) if c.key == "amount")
    assert odd.text["zh"] == "金额须在 12.5–500 万元之间"


def test_collateral_a_credit_product_accepts_anything():
    assert by_key(NEED, offer(collaterals=frozenset({"none"})))["collateral"]
    assert by_key(NEED, offer(collaterals=frozenset({"equipment", "real_estate"})))["collateral"]
    assert not by_key(NEED, offer(collaterals=frozenset({"real_estate"})))["collateral"]


def test_a_purpose_without_a_tag_has_no_purpose_check():
    working = Need(**{**NEED.__dict__, "purpose": "working_capital"})
    assert "purpose" not in by_key(working, offer())


def test_ranking_eligible_first_then_fewer_failures_purpose_and_rate():
    products = [
        offer(1, rate_min=Decimal("3.00"), amount_max=Decimal("1000000")),  # amount fails
        offer(2, rate_min=Decimal("4.00")),  # eligible, no purpose tag
        offer(3, rate_min=Decimal("4.50"), tags=frozenset({"digital"})),  # eligible, purpose fits
        offer(4, rate_min=Decimal("3.10"), tags=frozenset({"digital"})),  # eligible, fits, cheaper
        offer(5, amount_max=Decimal("1000000"), cities=frozenset({"110000"})),  # two failures
    ]
    ranked = rank(NEED, products)
    assert [m.offer.id for m in ranked] == [4, 3, 2, 1, 5]
    assert [m.eligible for m in ranked] == [True, True, True, False, False]
    assert [m.failed for m in ranked] == [0, 0, 0, 1, 2]

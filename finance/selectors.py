"""Reads of the financial cloud: the profile with its derived figures, the verified level, matches."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from finance import matching
from finance.models import FinancialStatement, FinancingRequest

PROFILE_YEARS = 3


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ProfileYear:
    statement: FinancialStatement
    debt_to_asset: Decimal | None  # %
    net_margin: Decimal | None  # %
    revenue_growth: Decimal | None  # % against the year before, when that year is on file
    rd_intensity: Decimal | None  # % of revenue


def profile(*, years: int = PROFILE_YEARS) -> list[ProfileYear]:
    """The latest `years` statements, newest first, each with its derived figures."""
    statements = list(FinancialStatement.objects.order_by("-year")[: years + 1])
    by_year = {s.year: s for s in statements}
    out = []
    for s in statements[:years]:
        before = by_year.get(s.year - 1)
        out.append(
            ProfileYear(
                statement=s,
                debt_to_asset=_percent(s.total_liabilities, s.total_assets),
                net_margin=_percent(s.net_profit, s.revenue),
                revenue_growth=_percent(s.revenue - before.revenue, before.revenue) if before else None,
                rd_intensity=_percent(s.rd_spend, s.revenue),
            )
        )
    return out


def request_list():
    return FinancingRequest.objects.order_by("-created_at")


def verified_level(enterprise) -> dict | None:
    """The enterprise's newest verified level in the default framework (published by the review),
    read through the manufacturing app's interface (plain values)."""
    from manufacturing.interface import verified_level as manufacturing_verified_level

    return manufacturing_verified_level(tenant_id=enterprise.pk)


def need_of(request: FinancingRequest, enterprise) -> matching.Need:
    level = verified_level(enterprise)
    return matching.Need(
        amount=request.amount,
        term_months=request.term_months,
        purpose=request.purpose,
        collateral=request.collateral,
        city=enterprise.city_id,
        industry=enterprise.industry_id,
        verified_level=level["level"] if level else None,
    )


def offer_of(product) -> matching.Offer:
    return matching.Offer(
        id=product.pk,
        amount_min=product.amount_min,
        amount_max=product.amount_max,
        term_min=product.term_min,
        term_max=product.term_max,
        rate_min=product.rate_min,
        cities=frozenset(c.code for c in product.cities.all()),
        industries=frozenset(i.code for i in product.industries.all()),
        min_level=product.min_level,
        collaterals=frozenset(product.collaterals),
        tags=frozenset(product.tags),
    )


def matches(request: FinancingRequest, enterprise) -> list[tuple]:
    """(product, match) for every active product, best fit first."""
    from finance.lending.selectors import products_active

    products = {p.pk: p for p in products_active()}
    ranked = matching.rank(need_of(request, enterprise), [offer_of(p) for p in products.values()])
    return [(products[m.offer.id], m) for m in ranked]

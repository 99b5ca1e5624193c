"""Fixtures of the financial cloud's tests: institutions, their users and products; platform people."""

from decimal import Decimal

import pytest

from finance.lending.models import Institution, InstitutionMember, LoanProduct
from tenants.models import Region
from tests.manufacturing.test_review import person


@pytest.fixture
def banks():
    """Two institutions with one user each, and three products (one inactive)."""
    a = Institution.objects.create(
        name_zh="测试银行甲", name_en="Test Bank A", kind="bank", city=Region.objects.get(code="110000")
    )
    b = Institution.objects.create(
        name_zh="测试担保乙",
        name_en="Test Guarantee B",
        kind="guarantee",
        city=Region.objects.get(code="120000"),
    )
    users = {}
    for key, institution in (("a", a), ("b", b)):
        user = person(f"fin-{key}@example.com", "institution")
        InstitutionMember.objects.create(user=user, institution=institution)
        users[key] = user
    digital = LoanProduct.objects.create(
        institution=a,
        name_zh="数字化转型贷",
        name_en="Digital transformation loan",
        amount_min=Decimal("500000"),
        amount_max=Decimal("5000000"),
        term_min=12,
        term_max=36,
        rate_min=Decimal("3.45"),
        rate_max=Decimal("4.20"),
        min_level=0,
        collaterals=["none"],
        tags=["digital"],
    )
    big = LoanProduct.objects.create(
        institution=b,
        name_zh="设备更新贷",
        name_en="Equipment renewal loan",
        amount_min=Decimal("10000000"),
        amount_max=Decimal("50000000"),
        term_min=12,
        term_max=60,
        rate_min=Decimal("3.10"),
        rate_max=Decimal("3.90"),
        collaterals=["real_estate"],
    )
    big.cities.add(Region.objects.get(code="120000"))
    closed = LoanProduct.objects.create(
        institution=a,
        name_zh="已停办产品",
        amount_min=Decimal("1"),
        amount_max=Decimal("9000000"),
        term_min=1,
        term_max=120,
        rate_min=Decimal("3"),
        rate_max=Decimal("5"),
        collaterals=["none"],
        is_active=False,
    )
    return {"a": a, "b": b, "users": users, "digital": digital, "big": big, "closed": closed}


@pytest.fixture
def admins_for_finance():
    return {
        "admin": person("fin-admin@example.com", "regional_admin"),
        "hebei": person("fin-hebei@example.com", "regional_admin", "130000"),
        "tianjin": person("fin-tianjin@example.com", "regional_admin", "120000"),
        "assessor": person("fin-assessor@example.com", "assessor"),
    }

"""Demo data of the financial cloud for `make run`: three (fictional, marked demo) institutions of
Beijing, Tianjin and Hebei with five loan products, one institution user, and for the Beijing
enterprise three years of statements and a submitted financing request already applied to one
product, so the bank user has an application to answer. Idempotent; through the real services."""

import datetime
from decimal import Decimal

from django.http import QueryDict
from django.utils import timezone
from django_tenants.utils import tenant_context

from finance import services
from finance.forms import RequestForm, StatementForm
from finance.lending import services as lending
from finance.lending.models import Institution, InstitutionMember, LoanProduct
from finance.lending.services_facts import financing_publish
from finance.models import FinancingRequest
from tenants.models import Enterprise, Region

HEBEI = [f"13{n:02d}00" for n in range(1, 12)] + ["133100"]  # 11 cities and Xiong'an

INSTITUTIONS = [
    ("京城数字银行（演示）", "Jingcheng Digital Bank (demo)", "bank", "110000"),
    ("津沽产业银行（演示）", "Jingu Industrial Bank (demo)", "bank", "120000"),
    ("冀中融资担保（演示）", "Jizhong Financing Guarantee (demo)", "guarantee", "130100"),
]

# (institution index, zh, en, amount min, max (CNY 10,000), term min, max, rate min, max, cities,
#  minimum level, collaterals, tags)
PRODUCTS = [
    (0, "智造数字化转型贷", "Smart manufacturing digitalisation loan", 50, 1000, 12, 36, "3.45", "4.35",
     [], 2, ["none", "equipment"], ["digital", "tech"]),
    (0, "专精特新信用贷", "Specialised SME credit loan", 100, 3000, 12, 36, "3.20", "3.95",
     [], 0, ["none", "receivables", "ip"], ["tech", "sme"]),
    (1, "设备更新贷", "Equipment renewal loan", 200, 5000, 12, 60, "3.10", "4.10",
     ["120000"], 0, ["equipment", "real_estate"], ["green"]),
    (1, "供应链应收账款融资", "Supply-chain receivables financing", 10, 1000, 3, 12, "3.80", "5.20",
     [], 0, ["receivables"], ["sme"]),
    (2, "绿色技改担保贷", "Green retrofit guaranteed loan", 50, 2000, 12, 36, "3.60", "4.80",
     HEBEI, 0, ["guarantee", "none"], ["green"]),
]  # fmt: skip

STATEMENTS = [  # the Beijing demo enterprise, CNY
    (2023, "86000000", "71500000", "5200000", "120000000", "58000000", "3900000", 260),
    (2024, "93500000", "77000000", "6100000", "131000000", "60500000", "4700000", 275),
    (2025, "101200000", "82600000", "7300000", "142500000", "63000000", "5600000", 290),
]


def demo_lending_ensure(*, bank_user) -> None:
    institutions = []
    for zh, en, kind, city in INSTITUTIONS:
        institution, _created = Institution.objects.get_or_create(
            name_zh=zh, defaults={"name_en": en, "kind": kind, "city": Region.objects.get(code=city)}
        )
        institutions.append(institution)
    InstitutionMember.objects.get_or_create(user=bank_user, defaults={"institution": institutions[0]})
    for (
        i,
        zh,
        en,
        low,
        high,
        term_min,
        term_max,
        rate_min,
        rate_max,
        cities,
        level,
        collaterals,
        tags,
    ) in PRODUCTS:
        product, created = LoanProduct.objects.get_or_create(
            institution=institutions[i],
            name_zh=zh,
            defaults={
                "name_en": en,
                "amount_min": Decimal(low) * 10_000,
                "amount_max": Decimal(high) * 10_000,
                "term_min": term_min,
                "term_max": term_max,
                "rate_min": Decimal(rate_min),
                "rate_max": Decimal(rate_max),
                "min_level": level,
                "collaterals": collaterals,
                "tags": tags,
            },
        )
        if created and cities:
            product.cities.set(Region.objects.filter(code__in=cities))


def demo_financing_ensure(*, tenant: Enterprise, owner) -> None:
    """Statements, one submitted request, and its application to the specialised SME credit loan."""
    with tenant_context(tenant):
        if FinancingRequest.objects.exists():
            return
        for year, revenue, cost, profit, assets, liabilities, rd, employees in STATEMENTS:
            form = StatementForm(
                _data(
                    year=year,
                    revenue=revenue,
                    operating_cost=cost,
                    net_profit=profit,
                    total_assets=assets,
                    total_liabilities=liabilities,
                    rd_spend=rd,
                    employees=employees,
                )
            )
            assert form.is_valid(), form.errors
            services.statement_save(form=form, user=owner)
        wanted = timezone.localdate() + datetime.timedelta(days=60)
        form = RequestForm(
            _data(
                amount="3000000",
                term_months=24,
                purpose="digital",
                collateral="equipment",
                wanted_by=wanted.isoformat(),
                note="MES 与设备联网改造 / MES roll-out and machine connectivity",
            )
        )
        assert form.is_valid(), form.errors
        request = services.request_save(form=form, user=owner)
        services.request_submit(request_id=request.pk, enterprise=tenant)
        product = LoanProduct.objects.get(name_zh="专精特新信用贷")
        lending.apply(
            enterprise=tenant,
            user=owner,
            request_id=request.pk,
            product_id=product.pk,
            consent=True,
            share=["statements", "verified_level"],
        )
    financing_publish(tenant_id=tenant.pk, request_id=request.pk)


def _data(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key] = str(value)
    return data

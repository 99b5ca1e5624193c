"""Demo enterprises and accounts for `make run`: three enterprises (Beijing, Tianjin, Baoding) and
their owners, and the demo password. portal/demo.py puts the whole demo together (the platform's
people and the three clouds' data). Idempotent: an existing demo user or enterprise is left as it is."""

from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import uscc

from tenants import registration, services
from tenants.models import Enterprise, Industry, Region, User

DEMO_PASSWORD = "jjj-demo-2026"  # noqa: S105 - printed by `make run`; demo accounts only


@dataclass(frozen=True)
class DemoEnterprise:
    slug: str
    name: str
    name_en: str
    city: str
    district: str | None
    industry: str
    org_code: str  # 9 characters; with "91" + the area code and a check character it makes the USCC
    owner_email: str
    owner_name: str
    employees: int
    revenue_band: str
    phone: str


ENTERPRISES = [
    DemoEnterprise(
        slug="bj-precision",
        name="北京精工智造科技有限公司",
        name_en="Beijing Precision Smart Manufacturing Co., Ltd.",
        city="110000",
        district="110115",
        industry="C34",
        org_code="MA01BJ7K1",
        owner_email="owner@bj-precision.example.com",
        owner_name="王明",
        employees=320,
        revenue_band="20m-400m",
        phone="+861069001234",
    ),
    DemoEnterprise(
        slug="tj-haihe",
        name="天津海河装备制造有限公司",
        name_en="Tianjin Haihe Equipment Manufacturing Co., Ltd.",
        city="120000",
        district="120116",
        industry="C35",
        org_code="MA05TJ3H2",
        owner_email="owner@tj-haihe.example.com",
        owner_name="李华",
        employees=860,
        revenue_band="20m-400m",
        phone="+862258001234",
    ),
    DemoEnterprise(
        slug="bd-autoparts",
        name="保定新能汽车零部件有限公司",
        name_en="Baoding New Energy Auto Parts Co., Ltd.",
        city="130600",
        district=None,
        industry="C36",
        org_code="MA07BD9C3",
        owner_email="owner@bd-autoparts.example.com",
        owner_name="张伟",
        employees=140,
        revenue_band="3m-20m",
        phone="+8631212345678",
    ),
]


def credit_code_for(area_code: str, org_code: str) -> str:
    body = f"91{area_code}{org_code}"
    return uscc.validate(body + uscc.calc_check_digit(body))


def demo_user(email: str, name: str, **extra) -> User:
    """A demo account (verified: demo addresses receive no mail); an existing one is left as it is."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.user_create(email=email, password=DEMO_PASSWORD, name=name, **extra)
        user.is_verified = True  # demo addresses receive no mail
        user.save(update_fields=["is_verified"])
    return user


def demo_enterprise_ensure(demo) -> tuple[Enterprise, User]:
    """One demo enterprise (a DemoEnterprise-like row: name, slug, city, owner...) and its owner,
    created when missing."""
    owner = demo_user(demo.owner_email, demo.owner_name)
    tenant = Enterprise.objects.filter(slug=demo.slug).first()
    if tenant is None:
        tenant = registration.enterprise_create_ready(
            name=demo.name,
            name_en=demo.name_en,
            credit_code=credit_code_for(demo.district or demo.city, demo.org_code),
            city=Region.objects.get(code=demo.city),
            district=Region.objects.filter(code=demo.district).first() if demo.district else None,
            industry=Industry.objects.get(code=demo.industry),
            employees=demo.employees,
            revenue_band=demo.revenue_band,
            contact_phone=demo.phone,
            owner_email=owner.email,
            owner_name=owner.name,
            password=DEMO_PASSWORD,
            is_demo=True,
            slug=demo.slug,
        )
    return tenant, owner


@transaction.atomic
def demo_enterprises_ensure() -> list[dict]:
    """Creates the demo enterprises and their owners that are missing; returns the owners' logins."""
    logins = []
    for demo in ENTERPRISES:
        tenant, owner = demo_enterprise_ensure(demo)
        logins.append(
            {
                "role": f"enterprise owner ({tenant.city.name_en})",
                "email": owner.email,
                "url": services.tenant_url(tenant),
            }
        )
    return logins

"""Demo data for `make run`: three enterprises (Beijing, Tianjin, Baoding), an assessor, two
regional admins and their assessments at three stages of review (manufacturing/demo.py).
Idempotent: an existing demo user or enterprise is left as it is."""

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


def _user(email: str, name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.user_create(email=email, password=DEMO_PASSWORD, name=name, **extra)
        user.is_verified = True  # demo addresses receive no mail
        user.save(update_fields=["is_verified"])
    return user


@transaction.atomic
def demo_data_ensure() -> list[dict]:
    """Creates what is missing and returns the logins to print."""
    logins = []
    for demo in ENTERPRISES:
        owner = _user(demo.owner_email, demo.owner_name)
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
        logins.append(
            {
                "role": f"enterprise owner ({tenant.city.name_en})",
                "email": owner.email,
                "url": services.tenant_url(tenant),
            }
        )
    public = Enterprise.objects.get(schema_name="public")
    assessor = _user("assessor@example.com", "赵评估", platform_role=User.PlatformRole.ASSESSOR)
    admin = _user("region-admin@example.com", "陈区域", platform_role=User.PlatformRole.REGIONAL_ADMIN)
    city_admin = _user(
        "hebei-admin@example.com",
        "刘河北",
        platform_role=User.PlatformRole.REGIONAL_ADMIN,
        scope_region=Region.objects.get(code="130000"),
    )
    operator = User.objects.filter(email="operator@example.com").first()
    if operator is None:
        operator = User.objects.create_superuser(
            password=DEMO_PASSWORD, email="operator@example.com", name="平台运维"
        )
    from manufacturing.demo import demo_assessments_ensure

    demo_assessments_ensure(assessor=assessor, admin=admin)
    from finance.demo import demo_financing_ensure, demo_lending_ensure

    banker = _user("bank@example.com", "孙信贷", platform_role=User.PlatformRole.INSTITUTION)
    demo_lending_ensure(bank_user=banker)
    beijing = Enterprise.objects.get(slug=ENTERPRISES[0].slug)
    demo_financing_ensure(tenant=beijing, owner=beijing.owner)
    from exhibition.demo import BUYER, demo_exhibition_ensure

    buyer = _user(*BUYER)  # a visitor: a global user without an enterprise
    demo_exhibition_ensure(admin=admin, buyer=buyer)
    for user, role, path in (
        (assessor, "assessor", "/review/assignments/"),
        (admin, "regional admin (whole region)", "/reports/"),
        (city_admin, "regional admin (Hebei)", "/review/cases/"),
        (banker, "bank (financial institution user)", "/lending/applications/"),
        (buyer, "buyer (hall visitor)", "/hall/"),
        (operator, "platform operator (Django admin)", "/admin/"),
    ):
        logins.append({"role": role, "email": user.email, "url": services.tenant_url(public, path)})
    return logins

"""Demo data for `make run`: three enterprises (Beijing, Tianjin, Baoding), an assessor and a
regional admin. Idempotent: an existing demo user or enterprise is left as it is."""

from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import uscc

from tenants import services
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


ENTERPRISES = [
    DemoEnterprise(
        "bj-precision",
        "北京精工智造科技有限公司",
        "Beijing Precision Smart Manufacturing Co., Ltd.",
        "110000",
        "110115",
        "C34",
        "MA01BJ7K1",
        "owner@bj-precision.example.com",
        "王明",
    ),
    DemoEnterprise(
        "tj-haihe",
        "天津海河装备制造有限公司",
        "Tianjin Haihe Equipment Manufacturing Co., Ltd.",
        "120000",
        "120116",
        "C35",
        "MA05TJ3H2",
        "owner@tj-haihe.example.com",
        "李华",
    ),
    DemoEnterprise(
        "bd-autoparts",
        "保定新能汽车零部件有限公司",
        "Baoding New Energy Auto Parts Co., Ltd.",
        "130600",
        None,
        "C36",
        "MA07BD9C3",
        "owner@bd-autoparts.example.com",
        "张伟",
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
            tenant = services.enterprise_provision(
                owner=owner,
                name=demo.name,
                slug=demo.slug,
                credit_code=credit_code_for(demo.district or demo.city, demo.org_code),
                city=Region.objects.get(code=demo.city),
                industry=Industry.objects.get(code=demo.industry),
                name_en=demo.name_en,
                district=Region.objects.filter(code=demo.district).first() if demo.district else None,
                is_demo=True,
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
    for user, role in ((assessor, "assessor"), (admin, "regional admin (whole region)")):
        logins.append({"role": role, "email": user.email, "url": services.tenant_url(public)})
    return logins

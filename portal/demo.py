"""Demo data for `make run` (setup_platform): the demo enterprises (tenants/demo.py), an assessor, two
regional admins and their assessments at three stages of review (manufacturing/demo.py), a bank and a
financing request (finance/demo.py), an exhibition and a buyer (exhibition/demo.py). On the roof
because it brings every app together; tenants imports none of the apps above it.
Idempotent: an existing demo user or enterprise is left as it is."""

from django.db import transaction

from exhibition.demo import BUYER, demo_exhibition_ensure
from finance.demo import demo_financing_ensure, demo_lending_ensure
from manufacturing.demo import demo_assessments_ensure
from tenants import services
from tenants.demo import DEMO_PASSWORD, ENTERPRISES, demo_enterprises_ensure, demo_user
from tenants.models import Enterprise, Region, User

__all__ = ["DEMO_PASSWORD", "demo_data_ensure"]


@transaction.atomic
def demo_data_ensure() -> list[dict]:
    """Creates what is missing and returns the logins to print."""
    logins = demo_enterprises_ensure()
    public = Enterprise.objects.get(schema_name="public")
    assessor = demo_user("assessor@example.com", "赵评估", platform_role=User.PlatformRole.ASSESSOR)
    admin = demo_user("region-admin@example.com", "陈区域", platform_role=User.PlatformRole.REGIONAL_ADMIN)
    city_admin = demo_user(
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
    demo_assessments_ensure(assessor=assessor, admin=admin)
    banker = demo_user("bank@example.com", "孙信贷", platform_role=User.PlatformRole.INSTITUTION)
    demo_lending_ensure(bank_user=banker)
    beijing = Enterprise.objects.get(slug=ENTERPRISES[0].slug)
    demo_financing_ensure(tenant=beijing, owner=beijing.owner)
    buyer = demo_user(*BUYER)  # a visitor: a global user without an enterprise
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

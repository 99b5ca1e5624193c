"""API tokens, sign-in lockout, the switch between enterprises, platform roles and the admin."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tenants.models import Region, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def token_for(public_client, email, password=PASSWORD):
    return public_client.post(
        "/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )


def test_token_endpoint_and_bearer_use(alpha, public_client):
    response = token_for(public_client, alpha.owner.email)
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["token_type"] == "Bearer"
    for header in (f"Bearer {token}", f"Token {token}"):
        api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=header)
        workspace = api.get("/api/v1/workspace/")
        assert workspace.status_code == 200, header
        assert workspace.json()["slug"] == "alpha"


def test_bad_token_and_bad_password(alpha, public_client):
    assert token_for(public_client, alpha.owner.email, "wrong-password").status_code == 401
    api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get("/api/v1/workspace/").status_code == 401
    assert token_for(public_client, "not-an-email", "x").status_code == 400


def test_token_is_documented_in_openapi(public_client):
    schema = public_client.get("/api/schema/?format=json").json()
    assert "/api/v1/auth/token/" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" or "Bearer" in str(s) for s in schemes.values()), schemes


def test_repeated_failures_lock_the_account_with_a_clear_message(alpha, settings):
    client = Client(HTTP_HOST=alpha.host)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/login/", {"username": alpha.owner.email, "password": "wrong"})
        assert response.status_code == 200
    # The failure that reaches the limit locks at once; then even the right password is refused.
    assert client.post("/login/", {"username": alpha.owner.email, "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": alpha.owner.email, "password": alpha.password})
    assert locked.status_code == 429
    assert "locked" in locked.content.decode() or "锁定" in locked.content.decode()
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME * 3600))
    assert "_auth_user_id" not in client.session


def test_lockout_also_covers_the_token_api(alpha, public_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_for(public_client, alpha.owner.email, "wrong")
    response = token_for(public_client, alpha.owner.email)
    assert response.status_code == 429
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME * 3600))
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    assert response.json()["messages"] == {
        "en": f"Too many failed sign-in attempts. This account or address is locked for {minutes} minutes.",
        "zh": f"登录失败次数过多，该账号或地址已被锁定 {minutes} 分钟。",
    }


def test_drf_own_messages_come_in_both_languages(alpha):
    from django.test import Client as Anonymous

    response = Anonymous(HTTP_HOST=alpha.host).get("/api/v1/assessments/")
    assert response.status_code == 401
    assert response.json()["messages"] == {
        "en": "Authentication credentials were not provided.",
        "zh": "身份认证信息未提供。",
    }


def test_lockout_per_address_across_accounts(alpha, beta, settings):
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.8.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": f"nobody{n}@example.com", "password": "x"})
    response = client.post("/login/", {"username": beta.owner.email, "password": beta.password})
    assert response.status_code == 429
    # Another address is not affected.
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.8.8")
    assert other.post("/login/", {"username": beta.owner.email, "password": beta.password}).status_code == 302


# --- switching between enterprises ------------------------------------------------------------------------


def test_my_enterprises_switches_into_each_workspace(alpha, beta, make_enterprise):
    from tenants.members import services as member_services

    member_services.member_add(
        enterprise=beta.enterprise, user=alpha.owner, role="viewer", invited_by=beta.owner
    )
    public = Client(HTTP_HOST="localhost")
    public.force_login(alpha.owner)
    page = public.get("/workspaces/")
    assert [i["enterprise"].slug for i in page.context["workspaces"]] == ["alpha", "beta"]

    response = public.post(f"/workspaces/{beta.enterprise.registration_id}/open/")
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("http://beta.localhost:8000/auth/handoff/?token=")
    path = url.split("localhost:8000", 1)[1]
    workspace = Client(HTTP_HOST=beta.host, HTTP_SEC_FETCH_SITE="same-site")
    assert workspace.get(path).status_code == 302
    assert workspace.get("/").status_code == 200
    # The token is single-use, and useless on another enterprise's host.
    assert Client(HTTP_HOST=beta.host, HTTP_SEC_FETCH_SITE="same-site").get(path).status_code == 403
    fresh = public.post(f"/workspaces/{beta.enterprise.registration_id}/open/")["Location"]
    assert Client(HTTP_HOST=alpha.host).get(fresh.split("localhost:8000", 1)[1]).status_code == 403


def test_open_refuses_an_enterprise_the_user_is_not_in(alpha, beta):
    public = Client(HTTP_HOST="localhost")
    public.force_login(alpha.owner)
    assert public.post(f"/workspaces/{beta.enterprise.registration_id}/open/").status_code == 404


def test_forged_handoff_token_is_refused(alpha):
    assert Client(HTTP_HOST=alpha.host).get("/auth/handoff/?token=forged").status_code == 403


# --- platform roles -------------------------------------------------------------------------------------


def test_command_creates_assessor_and_scoped_regional_admin():
    call_command("platform_user", email="judge@example.com", role="assessor", name="评估专家")
    call_command("platform_user", email="bd-admin@example.com", role="regional_admin", scope="130600")
    call_command("platform_user", email="all-admin@example.com", role="regional_admin")
    assert User.objects.get(email="judge@example.com").platform_role == "assessor"
    scoped = User.objects.get(email="bd-admin@example.com")
    assert scoped.platform_role == "regional_admin" and scoped.scope_region == Region.objects.get(
        code="130600"
    )
    assert User.objects.get(email="all-admin@example.com").scope_region is None
    assert not User.objects.get(email="judge@example.com").has_usable_password()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"email": "x@example.com", "role": "regional_admin", "scope": "110108"},  # a district
        {"email": "x@example.com", "role": "regional_admin", "scope": "999999"},
        {"email": "x@example.com", "role": "assessor", "scope": "110000"},  # scope only for admins
        {"email": "not-an-email", "role": "assessor"},
    ],
)
def test_command_refuses_bad_input(kwargs):
    with pytest.raises(CommandError):
        call_command("platform_user", **kwargs)


def test_scope_is_a_database_constraint():
    from django.db import IntegrityError, transaction

    user = User.objects.create_user(email="constrained@example.com", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(platform_role="assessor", scope_region="110000")


def test_django_admin_sets_platform_roles(public_client):
    operator = User.objects.create_superuser(password=PASSWORD, email="op@example.com")
    target = User.objects.create_user(email="promote-me@example.com", password=PASSWORD)
    public_client.force_login(operator)
    page = public_client.get(f"/admin/tenants/user/{target.pk}/change/")
    assert page.status_code == 200
    response = public_client.post(
        f"/admin/tenants/user/{target.pk}/change/",
        {"name": "Promoted", "platform_role": "regional_admin", "scope_region": "130000", "is_active": "on"},
    )
    assert response.status_code == 302, re.findall(
        r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode()
    )
    target.refresh_from_db()
    assert target.platform_role == "regional_admin" and target.scope_region_id == "130000"


def test_django_admin_is_closed_to_ordinary_users(alpha, public_client):
    public_client.force_login(alpha.owner)
    response = public_client.get("/admin/tenants/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_demo_data_has_assessor_and_regional_admin():
    from portal import demo

    logins = demo.demo_data_ensure()
    roles = {login["role"] for login in logins}
    assert "assessor" in roles and any(r.startswith("regional admin") for r in roles)
    assert User.objects.get(email="assessor@example.com").platform_role == "assessor"
    assert User.objects.get(email="region-admin@example.com").platform_role == "regional_admin"
    # their work: one verified, one assigned to the demo assessor, one waiting for an assessor
    from manufacturing.review.models import AssessmentFact, ReviewCase

    stages = dict(ReviewCase.objects.filter(tenant__is_demo=True).values_list("tenant__slug", "status"))
    assert stages == {
        "bj-precision": "verified",
        "tj-haihe": "scored",
        "bd-autoparts": "scored",
        # the programmes' enterprises (programmes/demo.py): verified before (and after) levels
        "tj-jinghai": "verified",
        "bd-lianchi": "verified",
    }
    assert AssessmentFact.objects.filter(tenant__slug="bj-precision").count() == 1
    assigned = ReviewCase.objects.filter(assignments__assessor__email="assessor@example.com", status="scored")
    assert list(assigned.values_list("tenant__slug", flat=True)) == ["tj-haihe"]
    # the financial cloud: products, a bank user, and the Beijing enterprise's application to answer
    from finance.lending.models import Application, FinancingFact, LoanProduct

    assert User.objects.get(email="bank@example.com").institution_link.institution.name_zh.startswith("京城")
    assert LoanProduct.objects.filter(name_zh__endswith="贷").count() >= 4
    application = Application.objects.get(tenant__slug="bj-precision")
    assert application.status == "submitted" and application.snapshot["verified_level"]["level"] >= 1
    assert FinancingFact.objects.filter(tenant__slug="bj-precision").count() == 1
    # the exhibition cloud: booths in the hall, and a buyer's inquiry and meeting for the Beijing one
    from exhibition.hall.models import Booking, BoothListing, ExhibitionFact, Inquiry

    assert BoothListing.objects.filter(live=True, tenant__is_demo=True).count() == 3
    assert BoothListing.objects.get(tenant__slug="bj-precision").products.exclude(thumbnail="").count() == 2
    assert Inquiry.objects.get(buyer__email="buyer@example.com").delivered_at is not None
    assert Booking.objects.filter(buyer__email="buyer@example.com").count() == 1
    fact = ExhibitionFact.objects.get(tenant__slug="bj-precision")
    assert (fact.live, fact.inquiries, fact.meetings) == (True, 1, 1)
    assert "buyer (hall visitor)" in roles
    demo.demo_data_ensure()  # idempotent
    assert ReviewCase.objects.filter(tenant__is_demo=True).count() == 6  # bd-lianchi's: before and after
    assert BoothListing.objects.filter(tenant__is_demo=True).count() == 3
    assert (Inquiry.objects.count(), Booking.objects.count()) == (1, 1)
    assert Application.objects.filter(tenant__slug="bj-precision").count() == 1


def test_password_reset_lets_a_platform_user_without_password_sign_in(public_client, mailoutbox):
    call_command("platform_user", email="new-assessor@example.com", role="assessor")
    response = public_client.post("/password-reset/", {"email": "new-assessor@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"(/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[0].body).group(1)
    form_page = public_client.get(link, follow=True)
    assert form_page.status_code == 200
    response = public_client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Assessor-pass-2026", "new_password2": "Assessor-pass-2026"},
    )
    assert response.status_code == 302
    login = Client(HTTP_HOST="localhost").post(
        "/login/", {"username": "new-assessor@example.com", "password": "Assessor-pass-2026"}
    )
    assert login.status_code == 302


def test_password_reset_does_not_reveal_accounts(public_client, mailoutbox):
    response = public_client.post("/password-reset/", {"email": "nobody-here@example.com"})
    assert response.status_code == 302  # the same answer as for a real account
    assert mailoutbox == []

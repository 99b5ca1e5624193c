"""Host routing, membership and schema isolation."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from tenants.members.models import Membership
from tenants.models import Enterprise

pytestmark = pytest.mark.django_db


def test_unknown_tenant_host_is_404_not_500(client):
    response = client.get("/", HTTP_HOST="no-such-enterprise.localhost")
    assert response.status_code == 404
    # The page renders (both languages ship one) instead of crashing on the unknown host.
    assert b"<html" in response.content


def test_unknown_host_api_path_is_404(client):
    response = client.get("/api/v1/workspace/", HTTP_HOST="ghost.localhost")
    assert response.status_code == 404


def test_public_home_is_served_on_portal_domain(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert response.context["is_public_site"] is True


def test_tenant_home_asks_anonymous_visitor_to_sign_in(alpha):
    response = alpha.client(logged_in=False).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_member_sees_own_workspace(alpha):
    response = alpha.client().get("/")
    assert response.status_code == 200
    assert alpha.enterprise.name in response.content.decode()
    assert alpha.owner.email in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/api/v1/workspace/"])
def test_member_of_a_gets_404_on_b_host(alpha, beta, path):
    # The session cookie of alpha's owner, sent to beta's host.
    client = alpha.client()
    response = client.get(path, HTTP_HOST=beta.host)
    assert response.status_code == 404


def test_workspace_api_returns_own_enterprise(alpha):
    response = alpha.client().get("/api/v1/workspace/")
    assert response.status_code == 200
    assert response.json()["credit_code"] == alpha.enterprise.credit_code
    assert response.json()["slug"] == "alpha"


def test_workspace_api_refuses_anonymous(alpha):
    response = alpha.client(logged_in=False).get("/api/v1/workspace/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_non_member_cannot_sign_in_on_other_enterprise_host(alpha, beta):
    client = beta.client(logged_in=False)
    response = client.post("/login/", {"username": alpha.owner.email, "password": alpha.password})
    assert response.status_code == 200  # the form again, with the generic error
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors["__all__"] == [
        str(response.context["form"].error_messages["invalid_login"])
    ]


def test_member_signs_in_on_own_host(alpha):
    client = alpha.client(logged_in=False)
    response = client.post("/login/", {"username": alpha.owner.email, "password": alpha.password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alpha.owner.pk)


def test_schemas_are_isolated(alpha, beta):
    with tenant_context(alpha.enterprise):
        alpha_members = set(Membership.objects.values_list("user_id", flat=True))
    with tenant_context(beta.enterprise):
        beta_members = set(Membership.objects.values_list("user_id", flat=True))
    assert alpha.owner.pk in alpha_members and alpha.owner.pk not in beta_members
    assert beta.owner.pk in beta_members and beta.owner.pk not in alpha_members


def test_schema_name_comes_from_platform_not_user_text(make_enterprise):
    world = make_enterprise(slug="robert-tables")
    assert world.enterprise.schema_name.startswith("ent_")
    assert "robert" not in world.enterprise.schema_name


def test_credit_code_is_unique_in_database(alpha, make_enterprise):
    from django.db import IntegrityError, transaction

    other = make_enterprise()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.filter(pk=other.enterprise.pk).update(credit_code=alpha.enterprise.credit_code)


def test_public_schema_holds_no_tenant_tables():
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name = 'permissions_usertenantpermissions'"
        )
        # tenant-users keeps a permissions table in public too (for public-site permissions); the
        # enterprise apps' tables must not be there.
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
            "AND (table_name LIKE 'members_%%' OR table_name LIKE 'manufacturing_%%' "
            "OR table_name LIKE 'finance_%%' OR table_name LIKE 'exhibition_%%')"
        )
        assert cursor.fetchone()[0] == 0


def test_my_workspaces_lists_only_own_enterprises(alpha, beta, public_client):
    public_client.force_login(alpha.owner)
    response = public_client.get("/workspaces/")
    assert response.status_code == 200
    listed = [item["enterprise"].pk for item in response.context["workspaces"]]
    assert listed == [alpha.enterprise.pk]
    assert response.context["workspaces"][0]["url"] == "http://alpha.localhost:8000/"
    assert beta.enterprise.name not in response.content.decode()


def test_my_workspaces_needs_sign_in(public_client):
    response = public_client.get("/workspaces/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_domains_follow_portal_domain(alpha, settings):
    from tenants import services
    from tenants.models import Domain

    settings.PORTAL_DOMAIN = "portal.example.cn"
    assert services.domains_sync() >= 2  # public + every enterprise
    assert Domain.objects.get(tenant=alpha.enterprise, is_primary=True).domain == "alpha.portal.example.cn"
    assert Domain.objects.get(tenant__schema_name="public").domain == "portal.example.cn"
    assert services.domains_sync() == 0  # nothing left to change

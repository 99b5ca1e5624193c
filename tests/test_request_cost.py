"""What a request costs the database: the statements a tenant request runs, counted (never timed),
and the in-memory host map that saves the domain lookup, with its invalidation."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants import routing
from tenants.models import Domain, Enterprise
from tenants.tokens import token_create

pytestmark = pytest.mark.django_db


def _statements(client, path):
    client.get(path)  # the first request of a host fills the map
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    sql = [q["sql"] for q in queries.captured_queries]
    return [s for s in sql if not s.startswith("SET search_path")], [s for s in sql if s.startswith("SET")]


def test_a_tenant_api_read_runs_two_statements(alpha):
    _token, key = token_create(user=alpha.owner)
    client = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    statements, sets = _statements(client, "/api/v1/assessments/")
    # The token with the user and the role in one; the list. No domain lookup, no second
    # membership check, no health-check query.
    assert len(statements) == 2, statements
    assert "knox_authtoken" in statements[0] and "members_membership" in statements[0]
    assert "manufacturing_assessment" in statements[1]
    assert len(sets) <= 1


def test_a_tenant_page_asks_for_the_role_once(alpha):
    statements, sets = _statements(alpha.client(), "/members/")
    assert sum("members_membership m" in s for s in statements) == 1
    assert not any("tenants_domain" in s for s in statements)
    assert len(sets) <= 1


def test_switching_enterprises_sets_the_search_path_once_each(alpha, beta):
    alpha_client, beta_client = alpha.client(), beta.client()
    alpha_client.get("/")
    beta_client.get("/")
    with CaptureQueriesContext(connection) as queries:
        alpha_client.get("/members/")
        beta_client.get("/members/")
    sets = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET search_path")]
    assert sets == [
        f'SET search_path = "{alpha.enterprise.schema_name}","public"',
        f'SET search_path = "{beta.enterprise.schema_name}","public"',
    ]


def test_a_change_to_an_enterprise_reaches_the_host_map(alpha, django_capture_on_commit_callbacks):
    client = alpha.client()
    assert client.get("/").status_code == 200
    enterprise = Enterprise.objects.get(pk=alpha.enterprise.pk)
    with django_capture_on_commit_callbacks(execute=True):
        enterprise.status = Enterprise.Status.FAILED
        enterprise.save(update_fields=["status"])
    assert client.get("/").status_code == 503
    with django_capture_on_commit_callbacks(execute=True):
        enterprise.status = Enterprise.Status.READY
        enterprise.save(update_fields=["status"])
    assert client.get("/").status_code == 200


def test_a_changed_domain_reaches_the_host_map(alpha, django_capture_on_commit_callbacks):
    client = alpha.client()
    assert client.get("/").status_code == 200
    domain = Domain.objects.get(tenant=alpha.enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        domain.domain = "alpha-renamed.localhost"
        domain.save(update_fields=["domain"])
    assert client.get("/").status_code == 404
    renamed = Client(HTTP_HOST="alpha-renamed.localhost")
    renamed.force_login(alpha.owner)
    assert renamed.get("/").status_code == 200


def test_each_request_gets_its_own_enterprise_object(alpha):
    first = routing.tenant_for_host(alpha.host)
    second = routing.tenant_for_host(alpha.host)
    assert first == second and first is not second
    first.name = "changed by a view"
    assert routing.tenant_for_host(alpha.host).name == alpha.enterprise.name


def test_unknown_hosts_are_never_kept(alpha):
    assert routing.tenant_for_host("nobody-here.localhost") is None
    assert "nobody-here.localhost" not in routing._entries


def test_another_process_change_reaches_this_process_map(alpha, beta):
    """What another web process announces (the change log in Redis) drops only that enterprise's
    hosts here, at the next read of the log; a gap in the log drops everything."""
    routing._read_changes(routing._state["checked"] + routing.CHECK_EVERY + 1)  # what earlier tests announced
    routing.tenant_for_host(alpha.host)
    routing.tenant_for_host(beta.host)
    assert {alpha.host, beta.host} <= set(routing._entries)

    def announce(key: str) -> None:  # as forget() in another process: no local drop here
        routing._redis().eval(
            routing._ANNOUNCE, 2, routing.SEQUENCE_KEY, routing.CHANGES_KEY, key, routing.KEEP_CHANGES
        )

    announce(str(beta.enterprise.pk))
    routing._read_changes(routing._state["checked"] + routing.CHECK_EVERY + 1)
    assert alpha.host in routing._entries and beta.host not in routing._entries

    routing.tenant_for_host(beta.host)
    routing._state["seen"] -= 1  # this process missed a change the log no longer holds
    routing._redis().zremrangebyrank(routing.CHANGES_KEY, 0, -1)
    announce(str(beta.enterprise.pk))
    routing._read_changes(routing._state["checked"] + routing.CHECK_EVERY + 1)
    assert routing._entries == {}

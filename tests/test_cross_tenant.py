"""Tenant isolation over every route: walks each URL pattern of the tenant URL conf and proves that
a user of enterprise B gets 404 on enterprise A's host, by session or by API token, for every method."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context

from tenants.members.models import Membership
from tenants.tokens import token_create

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete"]


def tenant_routes(resolver=None, prefix="") -> list[str]:
    """Every concrete path of the tenant URL conf, with converters filled in."""
    resolver = resolver or get_resolver("portal.urls_tenant")
    paths = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += tenant_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            paths.append(route)
    return paths


def concrete(route: str, member_id: int) -> str:
    path = re.sub(r"<int:[^>]+>", str(member_id), route)
    path = re.sub(r"<(str|slug|uuid|path):[^>]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_the_walk_covers_the_whole_tenant_url_conf():
    routes = tenant_routes()
    assert len(routes) >= 12
    assert {"", "members/", "api/v1/members/", "api/v1/workspace/", "auth/handoff/"} <= set(routes)


def test_member_of_b_gets_404_on_every_route_of_a(alpha, beta):
    with tenant_context(alpha.enterprise):
        member_id = Membership.objects.get(user_id=alpha.owner.pk).pk
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    seen = []
    for route in tenant_routes():
        path = concrete(route, member_id)
        for method in METHODS:
            response = getattr(stranger, method)(path)
            seen.append((method, path, response.status_code))
    assert [s for s in seen if s[2] != 404] == []
    with tenant_context(alpha.enterprise):  # nothing changed
        assert Membership.objects.get(pk=member_id).role == "owner"


def test_api_token_of_b_gets_404_on_every_api_route_of_a(alpha, beta):
    with tenant_context(alpha.enterprise):
        member_id = Membership.objects.get(user_id=alpha.owner.pk).pk
    _token, key = token_create(user=beta.owner)
    client = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    api_routes = [r for r in tenant_routes() if r.startswith("api/")]
    assert api_routes
    results = [
        (method, concrete(r, member_id), getattr(client, method)(concrete(r, member_id)).status_code)
        for r in api_routes
        for method in METHODS
    ]
    assert [r for r in results if r[2] != 404] == []


def test_anonymous_visitor_gets_nothing_private_on_any_route(alpha):
    with tenant_context(alpha.enterprise):
        member_id = Membership.objects.get(user_id=alpha.owner.pk).pk
    anonymous = Client(HTTP_HOST=alpha.host)
    public_pages = {"/login/"}
    for route in tenant_routes():
        path = concrete(route, member_id)
        response = anonymous.get(path)
        if path in public_pages:
            assert response.status_code == 200
            continue
        if path == "/favicon.ico":  # the site's icon, the same static file on every host
            assert response.status_code == 302 and response["Location"].startswith("/static/")
            continue
        assert response.status_code in {302, 401, 403, 404, 405}, (path, response.status_code)
        if response.status_code == 302:
            # The language switch sends a GET back to the start page; everything else to sign-in.
            expected = "/" if path == "/i18n/setlang/" else "/login/"
            assert response["Location"].startswith(expected), (path, response["Location"])
        assert alpha.owner.email.encode() not in response.content


def test_the_member_gets_through_on_own_routes(alpha):
    """The same walk for a member reaches the views (so the 404s above are not an accident)."""
    client = alpha.client()
    assert client.get("/").status_code == 200
    assert client.get("/members/").status_code == 200
    assert client.get("/api/v1/members/").status_code == 200
    assert client.get("/api/v1/workspace/").status_code == 200

"""Web security of every host (issue 15): the Content-Security-Policy on every response and no
inline code for it to refuse, a POST accepted only from the host's own origin, and a session good
only on the host it was made on. The browser side (no page reports a violation) is in
tests/browser/test_web_security.py."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import get_resolver
from django_tenants.utils import tenant_context

from tenants.members.models import Membership
from tenants.services import user_create
from tests.conftest import PASSWORD, ROOT
from tests.test_cross_tenant import concrete, tenant_routes

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"
# What every page is held to; a page may add sources elsewhere (the API docs, "My enterprises").
STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy(response) -> dict[str, list[str]]:
    assert CSP in response.headers, (response.status_code, dict(response.headers))
    directives = {}
    for part in response.headers[CSP].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(response, **extra: list[str]) -> None:
    directives = policy(response)
    assert not [s for sources in directives.values() for s in sources if s.startswith("'unsafe-")]
    for name, sources in STRICT.items():
        assert directives.get(name) == sources + extra.get(name, []), (name, directives)


# Inline code a policy without 'unsafe-inline' refuses: a <script> without src, an on* handler, a
# style attribute or element, a javascript: URL.
INLINE = [
    re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def inline_code(html: str) -> list[str]:
    return [m.group(0) for pattern in INLINE for m in pattern.finditer(html)]


def test_the_inline_code_finder_finds_inline_code():
    assert len(inline_code('<script>x()</script><button onclick="x()"><p style="a:b"><style>')) == 4
    assert inline_code('<a href="javascript:x()">') == ["javascript:"]
    assert inline_code('<script src="/static/x.js" defer></script><button data-print>') == []


# --- the policy ---------------------------------------------------------------------------------------


def test_no_template_has_inline_script_handler_or_style():
    templates = [
        path
        for app in (
            "core",
            "portal",
            "reports",
            "tenants",
            "manufacturing",
            "finance",
            "exhibition",
            "worker",
        )
        for path in (ROOT / app).rglob("*.html")
    ]
    assert len(templates) > 60
    found = {str(path.relative_to(ROOT)): inline_code(path.read_text()) for path in templates}
    assert {path: code for path, code in found.items() if code} == {}


def test_every_route_of_an_enterprise_host_carries_the_policy_and_no_inline_code(alpha):
    with tenant_context(alpha.enterprise):
        member_id = Membership.objects.get(user_id=alpha.owner.pk).pk
    client = alpha.client()
    pages = 0
    for route in tenant_routes():
        path = concrete(route, member_id)
        response = client.get(path)
        assert_strict(response)
        if response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            assert inline_code(response.content.decode()) == [], path
    assert pages > 10


def test_every_route_of_the_public_site_carries_the_policy_and_no_inline_code():
    admin = user_create(email="csp-admin@example.com", password=PASSWORD, platform_role="regional_admin")
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    client.force_login(admin)
    pages = 0
    for route in tenant_routes(get_resolver("portal.urls_public")):
        path = concrete(route, 1)
        if path.startswith("/admin/"):
            continue  # Django's own admin; its pages are held by the browser test
        response = client.get(path)
        if path == "/api/docs/":
            assert_strict(response, **{"img-src": ["data:"]})
        else:
            assert_strict(response)
        if response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            assert inline_code(response.content.decode()) == [], path
    assert pages > 15


def test_responses_before_any_view_carry_the_policy_too():
    unknown = Client(HTTP_HOST=f"nobody.{settings.PORTAL_DOMAIN}").get("/")
    assert unknown.status_code == 404
    assert_strict(unknown)
    assert_strict(Client(HTTP_HOST=settings.PORTAL_DOMAIN).get("/healthz"))


def test_the_api_docs_load_their_init_script_from_a_file(public_client):
    page = public_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_code(html) == []
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', html).group(1)
    script = public_client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert '"validatorUrl": null' in script.content.decode()  # no badge image from outside
    assert "/static/portal/css/api-docs.css" in html


def test_the_api_answers_a_browser_in_json_not_a_page_with_inline_styles(alpha, public_client):
    """DRF's browsable API pages carry inline styles; the interactive API is Swagger UI."""
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for client, path in (
        (public_client, "/api/v1/reference/cities/"),
        (alpha.client(), "/api/v1/workspace/"),
    ):
        response = client.get(path, HTTP_ACCEPT=browser_accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert_strict(response)


def test_my_enterprises_may_post_to_the_hosts_it_lists_only(alpha, beta, make_enterprise):
    """Its buttons are answered with a redirect to the enterprise's host, which form-action governs."""
    gamma = make_enterprise()
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    client.force_login(alpha.owner)
    response = client.get("/workspaces/")
    assert_strict(response, **{"form-action": ["http://alpha.localhost:8000"]})
    assert gamma.host not in response.headers[CSP]
    lonely = user_create(email="nobody-in@example.com", password=PASSWORD)
    client.force_login(lonely)
    assert_strict(client.get("/workspaces/"))


# --- cross-origin POSTs ---------------------------------------------------------------------------------


def _csrf_client(host: str, *, secure: bool = False) -> tuple[Client, str]:
    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    client.get("/login/", secure=secure)
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def _set_language(client: Client, token: str, **headers) -> int:
    data = {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    return client.post("/i18n/setlang/", data, **headers).status_code


def test_a_post_from_another_hosts_origin_is_refused(alpha, beta):
    client, token = _csrf_client(alpha.host)
    for origin in (f"http://{beta.host}", f"http://{settings.PORTAL_DOMAIN}", "http://evil.example"):
        response = client.post(
            "/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token}, HTTP_ORIGIN=origin
        )
        assert response.status_code == 403, origin
        assert "was refused" in response.content.decode() or "被拒绝" in response.content.decode()
        assert_strict(response)
    public, token = _csrf_client(settings.PORTAL_DOMAIN)
    assert _set_language(public, token, HTTP_ORIGIN=f"http://{alpha.host}") == 403


def test_a_post_from_the_hosts_own_origin_is_accepted(alpha):
    client, token = _csrf_client(alpha.host)
    assert _set_language(client, token, HTTP_ORIGIN=f"http://{alpha.host}") == 302
    public, token = _csrf_client(settings.PORTAL_DOMAIN)
    assert _set_language(public, token, HTTP_ORIGIN=f"http://{settings.PORTAL_DOMAIN}") == 302


def test_over_https_without_origin_the_referer_must_be_the_host_itself(alpha, beta):
    client, token = _csrf_client(alpha.host, secure=True)
    assert _set_language(client, token, secure=True, HTTP_REFERER=f"https://{beta.host}/") == 403
    assert _set_language(client, token, secure=True, HTTP_REFERER=f"https://{alpha.host}/") == 302


def test_the_api_refuses_another_hosts_origin_in_both_languages(alpha, beta):
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    client.force_login(alpha.owner)
    client.get("/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/api/v1/assessments/",
        {},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN=f"http://{beta.host}",
    )
    assert response.status_code == 403
    body = response.json()
    assert set(body["messages"]) == {"zh", "en"}
    assert "refused" in body["messages"]["en"] and body["detail"] in body["messages"].values()


# --- sessions bound to their host ---------------------------------------------------------------------


def _signed_in(host: str, email: str) -> Client:
    """Signs in through the host's sign-in page, as a browser would."""
    client = Client(HTTP_HOST=host)
    response = client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _with_cookie_of(client: Client, host: str) -> Client:
    """Another host's client carrying `client`'s session id, copied by hand."""
    thief = Client(HTTP_HOST=host)
    thief.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return thief


def test_a_session_made_on_an_enterprise_host_is_anonymous_on_the_public_site(alpha):
    owner = _signed_in(alpha.host, alpha.owner.email)
    key = owner.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key)["_portal_host"] == alpha.host  # bound when it was made

    copied = _with_cookie_of(owner, settings.PORTAL_DOMAIN)
    response = copied.get("/workspaces/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert copied.cookies[settings.SESSION_COOKIE_NAME].value == ""  # and the copy is dropped there
    # On its own host the session goes on as before.
    assert owner.get("/").status_code == 200
    assert SessionStore(key).get("_auth_user_id") == str(alpha.owner.pk)


def test_a_session_made_on_the_public_site_is_anonymous_on_an_enterprise_host(alpha):
    owner = _signed_in(settings.PORTAL_DOMAIN, alpha.owner.email)
    assert owner.get("/workspaces/").status_code == 200
    copied = _with_cookie_of(owner, alpha.host)
    response = copied.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert copied.get("/api/v1/workspace/").status_code in {401, 403}


def test_a_session_made_on_one_enterprise_is_anonymous_on_another(alpha, beta):
    """Even for a user who belongs to both: each host signs in for itself (the public site hands
    over with a one-time link, tests/test_auth.py)."""
    from tenants.members import services as member_services

    member_services.member_add(
        enterprise=beta.enterprise, user=alpha.owner, role="viewer", invited_by=beta.owner
    )
    owner = _signed_in(alpha.host, alpha.owner.email)
    copied = _with_cookie_of(owner, beta.host)
    response = copied.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    # Signing in on beta makes beta's own session, which alpha's host does not take either.
    copied.post("/login/", {"username": alpha.owner.email, "password": PASSWORD})
    assert copied.get("/").status_code == 200
    assert _with_cookie_of(copied, alpha.host).get("/").status_code == 302
    assert owner.get("/").status_code == 200


def test_the_hand_over_from_my_enterprises_makes_a_session_of_the_enterprises_host(alpha):
    public = _signed_in(settings.PORTAL_DOMAIN, alpha.owner.email)
    opened = public.post(f"/workspaces/{alpha.enterprise.registration_id}/open/")
    url = opened["Location"]
    # The redirect lets the browser name the public site's origin to the workspace (the hand-off
    # signs in straight away only a browser that comes from one of our hosts).
    assert opened["Referrer-Policy"] == "strict-origin-when-cross-origin"
    workspace = Client(HTTP_HOST=alpha.host, HTTP_REFERER=f"http://{settings.PORTAL_DOMAIN}:8000/")
    assert workspace.get(url.split(":8000", 1)[1]).status_code == 302
    assert workspace.get("/").status_code == 200
    assert SessionStore(workspace.cookies[settings.SESSION_COOKIE_NAME].value)["_portal_host"] == alpha.host
    assert _with_cookie_of(workspace, settings.PORTAL_DOMAIN).get("/workspaces/").status_code == 302


def test_a_session_saved_outside_a_request_takes_the_host_of_its_first_request(alpha):
    client = alpha.client()  # force_login: saved with no host
    assert client.get("/").status_code == 200
    assert SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)["_portal_host"] == alpha.host
    assert _with_cookie_of(client, settings.PORTAL_DOMAIN).get("/workspaces/").status_code == 302


def test_the_admin_index_has_no_inline_code(django_user_model):
    """django-tenants overrides the admin's index with an inline style element; portal/templates/admin has
    Django's own, which the policy lets through whole."""
    operator = django_user_model.objects.create_superuser(email="csp-operator@example.com", password="x")
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    client.force_login(operator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert inline_code(response.content.decode()) == []

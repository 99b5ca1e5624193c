"""Sign-in across hosts without a second sign-in (tenants/handoff.py, tenants/views_auth.py), and the
workspace's notices page: both directions, single use, bound to host, user, password and membership."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Notice
from tenants import handoff
from tenants.members import services as member_services
from tenants.models import User

pytestmark = pytest.mark.django_db


def _land(url: str) -> tuple[Client, object]:
    """Follows a hand-off URL with a fresh browser of its host."""
    parts = urlsplit(url)
    client = Client(HTTP_HOST=parts.hostname, HTTP_SEC_FETCH_SITE="same-site")
    return client, client.get(f"{parts.path}?{parts.query}")


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_public_to_workspace_signs_the_member_in_once(alpha):
    public = Client(HTTP_HOST="localhost")
    public.force_login(alpha.owner)
    url = public.post(f"/workspaces/{alpha.enterprise.registration_id}/open/")["Location"]
    assert url.startswith("http://alpha.localhost:8000/auth/handoff/?token=")
    workspace, response = _land(url)
    assert response.status_code == 302 and response["Location"] == "/"
    page = workspace.get("/")
    assert page.status_code == 200 and page.wsgi_request.user == alpha.owner
    # Used once: the same link again is a clear page asking to sign in, not a 500 or a session.
    again, response = _land(url)
    assert response.status_code == 403
    assert b'id="handoff-login"' in response.content
    assert "已使用过".encode() in response.content or b"already been used" in response.content
    assert again.get("/").status_code == 302  # still anonymous there


def test_workspace_to_public_site_via_go(alpha):
    workspace = alpha.client()
    response = workspace.get("/auth/go/", {"next": "http://localhost:8000/workspaces/"})
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("http://localhost:8000/auth/handoff/?token=")
    public, landed = _land(url)
    assert landed["Location"] == "/workspaces/"
    page = public.get("/workspaces/")
    assert page.status_code == 200
    assert [i["enterprise"].slug for i in page.context["workspaces"]] == ["alpha"]


def test_workspace_nav_links_to_my_enterprises_through_go(alpha):
    html = alpha.client().get("/").content.decode()
    assert 'href="/auth/go/?next=http%3A%2F%2Flocalhost%3A8000%2Fworkspaces%2F"' in html
    assert 'href="/notices/"' in html


def test_token_for_enterprise_a_is_refused_on_b(alpha, beta):
    member_services.member_add(
        enterprise=beta.enterprise, user=alpha.owner, role="viewer", invited_by=beta.owner
    )
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    client = Client(HTTP_HOST=beta.host, HTTP_SEC_FETCH_SITE="same-site")
    response = client.get("/auth/handoff/", {"token": _token(url)})
    assert response.status_code == 403
    assert client.get("/").status_code == 302  # not signed in on B
    # …and still good on A (the refusal on B did not spend it).
    assert _land(url)[1].status_code == 302


def test_non_member_gets_nothing(alpha, beta):
    # A token made for B's host by someone who is not a member of B: refused when landed.
    url = handoff.handoff_url(user=alpha.owner, host=beta.host)
    client, response = _land(url)
    assert response.status_code in {403, 404}
    assert client.get("/").status_code == 302
    # And `go` will not issue one for an enterprise the user is not in.
    response = alpha.client().get("/auth/go/", {"next": f"http://{beta.host}:8000/members/"})
    assert response.status_code == 404
    assert "/auth/handoff/" not in response.get("Location", "")


def test_go_is_no_open_redirect(alpha):
    client = alpha.client()
    for target in ("https://evil.example/", "//evil.example/x", "http://unknown.localhost:8000/"):
        response = client.get("/auth/go/", {"next": target})
        assert response.status_code in {302, 404}, (target, response.status_code)
        location = response.get("Location", "")
        assert "evil" not in location and "unknown" not in location, (target, location)


def test_a_password_change_voids_the_token(alpha):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    owner = User.objects.get(pk=alpha.owner.pk)  # not the shared object: the change rolls back
    owner.set_password("another-long-password-77")
    owner.save()
    assert _land(url)[1].status_code == 403


def test_expired_token_is_refused(alpha, settings):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    settings.SWITCH_TOKEN_MAX_AGE_SECONDS = -1
    assert _land(url)[1].status_code == 403


def test_anonymous_cannot_use_go(alpha):
    response = Client(HTTP_HOST=alpha.host).get("/auth/go/", {"next": "http://localhost:8000/"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- notices in the workspace -----------------------------------------------------------------------


def test_workspace_notices_page_with_unread_count(alpha):
    Notice.objects.create(
        user=alpha.owner,
        text_zh="银行已答复您的融资申请。",
        text_en="The bank answered.",
        url="http://localhost:8000/lending/",
    )
    Notice.objects.create(
        user=alpha.owner,
        text_zh="旧通知",
        text_en="Old",
        read_at=timezone.now(),
        url=f"http://{alpha.host}:8000/members/",
    )
    client = alpha.client()
    home = client.get("/").content.decode()
    assert '<span class="badge" id="unread">1</span>' in home
    page = client.get("/notices/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The bank answered." in html or "银行已答复" in html
    assert "/auth/go/?next=http%3A%2F%2Flocalhost%3A8000%2Flending%2F" in html
    assert not Notice.objects.filter(user=alpha.owner, read_at__isnull=True).exists()
    assert 'id="unread"' not in client.get("/").content.decode()


def test_notices_page_of_a_is_404_for_a_member_of_b(alpha, beta):
    Notice.objects.create(user=alpha.owner, text_zh="私密", text_en="private", url="")
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    response = stranger.get("/notices/")
    assert response.status_code == 404
    assert b"private" not in response.content


# --- the workspace's sign-in page offers the portal session ---------------------------------------------


def test_workspace_login_continues_with_the_portal_session(alpha):
    page = Client(HTTP_HOST=alpha.host).get("/login/", {"next": "/members/"})
    html = page.content.decode()
    link = re.search(r'id="login-via-portal"', html) and re.search(
        r'href="(http://localhost:8000/auth/go/[^"]+)"', html
    )
    assert link, html
    url = link.group(1).replace("&amp;", "&")
    public = Client(HTTP_HOST="localhost")
    public.force_login(alpha.owner)
    parts = urlsplit(url)
    response = public.get(f"{parts.path}?{parts.query}")
    assert response["Location"].startswith("http://alpha.localhost:8000/auth/handoff/?token=")
    workspace, landed = _land(response["Location"])
    assert landed["Location"] == "/login/?next=%2Fmembers%2F"
    assert workspace.get(landed["Location"])["Location"] == "/members/"
    assert workspace.get("/members/").status_code == 200


# --- invitation: the password after an error ------------------------------------------------------------


def test_invitation_keeps_a_new_password_after_an_unrelated_error(alpha):
    _invitation, token = member_services.invitation_create(
        enterprise=alpha.enterprise, email="newcomer@example.com", role="member", invited_by=alpha.owner
    )
    client = Client(HTTP_HOST=alpha.host)
    response = client.post(f"/invitations/{token}/", {"name": "", "password": "Strong-joiner-2026"})
    assert response.status_code == 400 and "name" in response.context["form"].errors, response.context[
        "form"
    ].errors
    html = response.content.decode()
    assert 'value="Strong-joiner-2026"' in html, html[html.find("<main") :]
    assert "no-store" in response["Cache-Control"]


def test_invitation_clears_a_wrong_password(alpha, beta):
    _invitation, token = member_services.invitation_create(
        enterprise=alpha.enterprise, email=beta.owner.email, role="member", invited_by=alpha.owner
    )
    response = Client(HTTP_HOST=alpha.host).post(f"/invitations/{token}/", {"password": "wrong-password-123"})
    assert "password" in response.context["form"].errors
    assert 'value="wrong-password-123"' not in response.content.decode()


def test_a_handoff_never_swaps_the_signed_in_account(alpha, beta):
    member_services.member_add(
        enterprise=alpha.enterprise, user=beta.owner, role="viewer", invited_by=alpha.owner
    )
    browser = alpha.client()  # signed in on A's host as A's owner
    url = handoff.handoff_url(user=beta.owner, host=alpha.host)
    response = browser.get("/auth/handoff/", {"token": _token(url)})
    assert response.status_code == 403
    assert browser.get("/").wsgi_request.user == alpha.owner


@pytest.mark.parametrize(
    "bad", ["//evil.example/", "/\t/evil.example/", "/\\evil.example/", "https://evil.example/"]
)
def test_the_path_in_a_token_stays_on_its_host(alpha, bad):
    token = handoff.handoff_issue(user=alpha.owner, host=alpha.host, next_path=bad)
    response = Client(HTTP_HOST=alpha.host, HTTP_SEC_FETCH_SITE="same-origin").get(
        "/auth/handoff/", {"token": token}
    )
    assert response["Location"] == "/"


# --- the cache (Redis) is down: fail closed, never a 500 ----------------------------------------------


def test_a_cache_outage_refuses_the_handoff_with_a_clear_page(alpha, monkeypatch):
    import redis.exceptions

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(handoff.cache, "add", down)
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    client, response = _land(url)
    assert response.status_code == 503
    assert b'id="handoff-login"' in response.content
    assert b"try the link again" in response.content or "稍后".encode() in response.content
    assert client.get("/").status_code == 302  # nobody signed in


# --- login CSRF: a link made for someone else's account ---------------------------------------------


@pytest.mark.parametrize("fetch_site", ["cross-site", "none", None])
def test_a_cross_site_handoff_asks_before_signing_in(alpha, fetch_site):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host, next_path="/members/")
    extra = {"HTTP_SEC_FETCH_SITE": fetch_site} if fetch_site else {}
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True, **extra)
    response = client.get("/auth/handoff/", {"token": _token(url)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="handoff-continue"' in html and 'method="post"' in html
    assert alpha.owner.email in html
    assert "csrfmiddlewaretoken" in html
    assert client.get("/").status_code == 302  # not signed in by the GET
    # The button (a POST with the form's CSRF token) signs in, once.
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    posted = client.post("/auth/handoff/", {"token": _token(url), "csrfmiddlewaretoken": csrf})
    assert posted.status_code == 302 and posted["Location"] == "/members/"
    assert client.get("/").wsgi_request.user == alpha.owner
    again = Client(HTTP_HOST=alpha.host).post("/auth/handoff/", {"token": _token(url)})
    assert again.status_code == 403


def test_the_continue_post_needs_the_csrf_token(alpha):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    response = client.post("/auth/handoff/", {"token": _token(url)})
    assert response.status_code == 403
    assert client.get("/").status_code == 302
    assert _land(url)[1].status_code == 302  # not spent by the refused POST


def test_a_head_request_does_not_spend_the_token(alpha):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    client = Client(HTTP_HOST=alpha.host, HTTP_SEC_FETCH_SITE="same-site")
    assert client.head("/auth/handoff/", {"token": _token(url)}).status_code == 405
    assert _land(url)[1].status_code == 302


def test_the_continue_page_refuses_a_bad_token(alpha):
    response = Client(HTTP_HOST=alpha.host, HTTP_SEC_FETCH_SITE="cross-site").get(
        "/auth/handoff/", {"token": "nonsense"}
    )
    assert response.status_code == 403 and b'id="handoff-login"' in response.content


def test_an_inactive_user_is_not_signed_in(alpha):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    User.objects.filter(pk=alpha.owner.pk).update(is_active=False)
    client, response = _land(url)
    assert response.status_code == 403 and b'id="handoff-login"' in response.content
    assert client.get("/").status_code == 302


def test_a_member_removed_after_the_token_was_issued_is_not_signed_in(alpha, beta):
    membership = member_services.member_add(
        enterprise=alpha.enterprise, user=beta.owner, role="viewer", invited_by=alpha.owner
    )
    url = handoff.handoff_url(user=beta.owner, host=alpha.host)
    member_services.member_remove(enterprise=alpha.enterprise, membership=membership, acting_user=alpha.owner)
    client, response = _land(url)
    assert response.status_code == 403
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("host", ["workspace", "public"])
def test_opening_notices_marks_only_the_shown_page_read(alpha, host):
    Notice.objects.bulk_create(
        Notice(user=alpha.owner, text_zh=f"通知{n}", text_en=f"Notice {n}", url="") for n in range(53)
    )
    if host == "workspace":
        client = alpha.client()
    else:
        client = Client(HTTP_HOST="localhost")
        client.force_login(alpha.owner)
    assert client.get("/notices/").status_code == 200
    unread = Notice.objects.filter(user=alpha.owner, read_at__isnull=True)
    assert unread.count() == 3  # the 50 shown are read, the next page's are not
    assert client.get("/notices/", {"page": 2}).status_code == 200
    assert not unread.exists()


@pytest.mark.parametrize(
    "referer, signed_in",
    [
        ("http://localhost:8000/", True),
        ("http://beta.localhost:8000/", True),
        ("https://evil.example/", False),
        ("http://localhost.evil.example/", False),
        ("http://evillocalhost/", False),
    ],
)
def test_a_referer_from_our_hosts_counts_as_our_site(alpha, referer, signed_in):
    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    client = Client(HTTP_HOST=alpha.host, HTTP_SEC_FETCH_SITE="cross-site", HTTP_REFERER=referer)
    response = client.get("/auth/handoff/", {"token": _token(url)})
    assert response.status_code == (302 if signed_in else 200)
    assert (client.get("/").status_code == 200) is signed_in


def test_go_lets_the_browser_name_its_origin(alpha):
    response = alpha.client().get("/auth/go/", {"next": "http://localhost:8000/workspaces/"})
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"

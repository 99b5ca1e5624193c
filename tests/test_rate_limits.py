"""Per-address limits on anonymous writes and inquiries, and the one client-address rule behind them
and behind django-axes. Real Redis counters with small rates; each test has counters of its own
(conftest's fresh RATELIMIT_CACHE_PREFIX). Rates are per day so that no window ends mid-test."""

import itertools
import re
import uuid

import pytest
from django.test import Client, RequestFactory

from core.client_ip import client_ip
from exhibition.hall.models import Inquiry
from tenants.models import User
from tests.exhibition.test_booths import exhibit
from tests.manufacturing.test_review import person
from tests.test_registration import payload

pytestmark = pytest.mark.django_db

JSON = "application/json"
ZH_TOO_MANY = "请求过多"
_n = itertools.count(1)
# Missing email and password: 400, and it counts like any other POST.
BAD_SIGNUP = {"name": "x"}


def rate(settings, action: str, value: str = "2/day") -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: value}


def visitor(language: str = "en", **meta) -> Client:
    return Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language, **meta)


def assert_limited_api(response) -> None:
    assert response.status_code == 429, response.content
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 86400
    body = response.json()
    assert body["detail"] == body["messages"]["en"]
    assert body["messages"]["en"] == (
        f"Too many requests from your address. Please try again in {seconds} seconds."
    )
    assert ZH_TOO_MANY in body["messages"]["zh"] and str(seconds) in body["messages"]["zh"]


def assert_limited_page(response, language: str = "en") -> None:
    assert response.status_code == 429, response.content[:500]
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 86400
    page = response.content.decode()
    assert "<html" in page and "</html>" in page  # the site's layout, not a bare error
    if language == "en":
        assert f"Too many requests from your address. Please try again in {seconds} seconds." in page
    else:
        assert ZH_TOO_MANY in page and f"{seconds} 秒" in page


# --- the client address -----------------------------------------------------------------------------


def request(remote: str = "203.0.113.9", forwarded: str | None = None, **meta):
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


def test_without_proxies_forwarded_headers_are_ignored(settings):
    assert settings.TRUSTED_PROXIES == [] and settings.PROXY_COUNT == 0
    assert client_ip(request(forwarded="198.51.100.1", HTTP_X_REAL_IP="198.51.100.2")) == "203.0.113.9"


def test_trusted_proxies_walk_x_forwarded_for_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    # Through two trusted proxies; what the client itself wrote (the leftmost) is not believed.
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    assert client_ip(request("2001:db8::5", "[2001:db8:1::1]:443")) == "2001:db8:1::1"
    assert client_ip(request("10.0.0.2", "198.51.100.7:5150")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2", "::ffff:198.51.100.7")) == "198.51.100.7"
    # Not from a trusted proxy: the connection's own address, whatever the header says.
    assert client_ip(request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    # Every hop trusted: the leftmost; garbage from a trusted proxy: stop at that proxy.
    assert client_ip(request("10.0.0.2", "10.3.3.3, 10.2.2.2")) == "10.3.3.3"
    assert client_ip(request("10.0.0.2", "nonsense, 10.2.2.2")) == "10.2.2.2"
    assert client_ip(request("10.0.0.2")) == "10.0.0.2"


def test_proxy_count_takes_the_client_that_many_hops_left(settings):
    settings.PROXY_COUNT = 1
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2")) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2", "bad, 10.1.1.1")) == "10.1.1.1"


def test_behind_a_proxy_on_a_unix_socket_the_proxy_is_the_first_hop(settings):
    """gunicorn on a unix socket has no peer address; the local proxy's entry is the client it saw."""
    assert client_ip(request("", "198.51.100.7")) == ""  # no proxy configured: nothing believed
    settings.PROXY_COUNT = 1
    assert client_ip(request("", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    settings.PROXY_COUNT = 2
    assert client_ip(request("", "1.2.3.4, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    settings.PROXY_COUNT, settings.TRUSTED_PROXIES = 0, ["10.0.0.0/8"]
    assert client_ip(request("", "1.2.3.4, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    assert client_ip(request("", "bad")) == ""


# --- one address, one budget --------------------------------------------------------------------------


def test_a_made_up_x_forwarded_for_does_not_reset_the_budget(settings):
    rate(settings, "registration")
    codes = [
        visitor(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", HTTP_X_REAL_IP=f"198.51.101.{n}")
        .post("/api/v1/registrations/", payload(credit_code="bad"), content_type=JSON)
        .status_code
        for n in range(3)
    ]
    assert codes == [400, 400, 429]
    page = visitor(HTTP_X_FORWARDED_FOR="198.51.100.99").post("/register/", payload(credit_code="bad"))
    assert_limited_page(page)


def test_behind_trusted_proxies_each_forwarded_client_has_its_own_budget(settings):
    rate(settings, "registration")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def register(forwarded: str, remote: str = "10.0.0.2") -> int:
        client = visitor(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        response = client.post("/api/v1/registrations/", payload(credit_code="bad"), content_type=JSON)
        return response.status_code

    assert [register("198.51.100.7"), register("198.51.100.7")] == [400, 400]
    # The same client, with a made-up address in front of it: still the same client.
    assert register("1.2.3.4, 198.51.100.7") == 429
    # Another client behind the same proxy has its own budget.
    assert [register("198.51.100.8"), register("198.51.100.8"), register("198.51.100.8")] == [400, 400, 429]
    # A header from a connection that is not a trusted proxy is not believed: counted on 203.0.113.9.
    assert [register("198.51.100.9", "203.0.113.9"), register("198.51.100.10", "203.0.113.9")] == [400, 400]
    assert register("198.51.100.11", "203.0.113.9") == 429


def test_ipv6_clients_are_counted_per_64(settings):
    rate(settings, "signup")
    addresses = ("2001:db8:aa:bb::1", "2001:db8:aa:bb::2", "2001:db8:aa:bb:1:2:3:4")
    codes = [visitor(REMOTE_ADDR=a).post("/hall/signup/", BAD_SIGNUP).status_code for a in addresses]
    assert codes == [400, 400, 429]
    assert visitor(REMOTE_ADDR="2001:db8:aa:cc::1").post("/hall/signup/", BAD_SIGNUP).status_code == 400


def test_showing_a_form_is_free(settings):
    rate(settings, "registration")
    rate(settings, "signup")
    client = visitor()
    assert {client.get("/register/").status_code for _ in range(4)} == {200}
    assert {client.get("/hall/signup/").status_code for _ in range(4)} == {200}
    assert client.post("/register/", payload(credit_code="bad")).status_code == 400


# --- every anonymous write ----------------------------------------------------------------------------


def test_registration_page_api_and_retry_share_one_budget(settings):
    rate(settings, "registration", "4/day")
    client = visitor()
    unknown = uuid.uuid4()
    assert client.post("/register/", payload(credit_code="bad")).status_code == 400
    api = client.post("/api/v1/registrations/", payload(credit_code="bad"), content_type=JSON)
    assert api.status_code == 400
    assert client.post(f"/register/{unknown}/retry/").status_code == 404
    assert client.post(f"/api/v1/registrations/{unknown}/retry/").status_code == 404
    assert_limited_page(client.post("/register/", payload(credit_code="bad")))
    assert_limited_api(client.post("/api/v1/registrations/", payload(), content_type=JSON))
    assert_limited_page(client.post(f"/register/{unknown}/retry/"))
    assert_limited_api(client.post(f"/api/v1/registrations/{unknown}/retry/"))
    # Another address is not affected.
    other = visitor(REMOTE_ADDR="203.0.113.50")
    assert other.post("/register/", payload(credit_code="bad")).status_code == 400


def test_visitor_sign_up_is_limited_per_address(settings):
    rate(settings, "signup")
    client = visitor("zh-hans")
    for n in range(2):
        data = {
            "name": "买家",
            "email": f"limited-buyer-{n}@example.com",
            "password": "Strong-pass-2026!",
            "accept_terms": "on",
        }
        assert client.post("/hall/signup/", data).status_code == 302
        client.logout()
    data = {
        "name": "买家",
        "email": "limited-buyer-9@example.com",
        "password": "Strong-pass-2026!",
        "accept_terms": "on",
    }
    assert_limited_page(client.post("/hall/signup/", data), "zh-hans")
    assert not User.objects.filter(email="limited-buyer-9@example.com").exists()


def test_password_reset_requests_are_limited_per_address(settings, mailoutbox):
    rate(settings, "password_reset")
    client = visitor()
    for _ in range(2):
        assert client.post("/password-reset/", {"email": "nobody-limited@example.com"}).status_code == 302
    assert_limited_page(client.post("/password-reset/", {"email": "nobody-limited@example.com"}))
    assert_limited_page(visitor("zh-hans").post("/password-reset/", {"email": "x@example.com"}), "zh-hans")
    assert client.get("/password-reset/").status_code == 200


def test_tokens_are_limited_per_address(settings, alpha):
    rate(settings, "token")
    client = visitor()
    assert client.post("/api/v1/auth/token/", {}, content_type=JSON).status_code == 400
    ok = client.post(
        "/api/v1/auth/token/", {"email": alpha.owner.email, "password": alpha.password}, content_type=JSON
    )
    assert ok.status_code == 200
    limited = client.post(
        "/api/v1/auth/token/", {"email": alpha.owner.email, "password": alpha.password}, content_type=JSON
    )
    assert_limited_api(limited)
    assert "token" not in limited.json()
    chinese = visitor("zh-hans").post("/api/v1/auth/token/", {}, content_type=JSON)
    assert chinese.status_code == 429 and chinese.json()["detail"] == chinese.json()["messages"]["zh"]


# --- inquiries: per address and per account -----------------------------------------------------------


@pytest.fixture
def listing(alpha, fair):
    return exhibit(alpha, fair, name_zh="限流泵", name_en="Limited pump", tags=[])[1]


def buyer(user=None, **meta) -> Client:
    client = visitor(**meta)
    client.force_login(user or person(f"limited-inquirer-{next(_n)}@example.com", ""))
    return client


def test_inquiries_are_limited_per_address_across_accounts(settings, listing):
    rate(settings, "inquiry", "3/day")
    first, second_user = buyer(), person("limited-second@example.com", "")
    second = buyer(second_user)
    page, api = f"/hall/booths/{listing.pk}/inquire/", f"/api/v1/hall/booths/{listing.pk}/inquiries/"
    assert first.post(page, {"message": "one"}).status_code == 302
    assert first.post(api, {"message": "two"}, content_type=JSON).status_code == 201
    assert second.post(page, {"message": "three"}).status_code == 302
    # Each account has sent at most two (its own limit is 5 an hour); the address has sent three.
    assert_limited_page(second.post(page, {"message": "four"}))
    assert_limited_api(second.post(api, {"message": "four"}, content_type=JSON))
    assert Inquiry.objects.filter(listing=listing).count() == 3
    # The same account from another address may go on.
    elsewhere = buyer(second_user, REMOTE_ADDR="203.0.113.77")
    assert elsewhere.post(api, {"message": "five"}, content_type=JSON).status_code == 201


def test_the_per_account_inquiry_limit_answers_429_with_retry_after(listing):
    page, api = f"/hall/booths/{listing.pk}/inquire/", f"/api/v1/hall/booths/{listing.pk}/inquiries/"
    client = buyer()
    for n in range(5):
        assert client.post(api, {"message": f"question {n}"}, content_type=JSON).status_code == 201
    refused = client.post(api, {"message": "one more"}, content_type=JSON)
    assert refused.status_code == 429
    assert 3590 <= int(refused["Retry-After"]) <= 3600
    assert "5 inquiries recently" in refused.json()["messages"]["en"] and refused.json()["messages"]["zh"]
    on_page = client.post(page, {"message": "one more"})
    assert on_page.status_code == 429 and 3590 <= int(on_page["Retry-After"]) <= 3600
    assert "please wait a while" in on_page.content.decode()


# --- django-axes counts the same address ----------------------------------------------------------------


def test_a_locked_out_address_cannot_escape_with_x_forwarded_for(settings, beta):
    for n in range(settings.AXES_FAILURE_LIMIT):
        visitor(REMOTE_ADDR="198.18.0.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            "/login/", {"username": f"nobody{n}@example.com", "password": "x"}
        )
    escape = visitor(REMOTE_ADDR="198.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.200")
    right = {"username": beta.owner.email, "password": beta.password}
    assert escape.post("/login/", right).status_code == 429


def test_axes_counts_the_forwarded_client_behind_a_trusted_proxy(settings, beta):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        visitor(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66").post(
            "/login/", {"username": f"nobody-proxied{n}@example.com", "password": "x"}
        )
    right = {"username": beta.owner.email, "password": beta.password}
    locked = visitor(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert locked.post("/login/", right).status_code == 429
    # Another client behind the same proxy is not locked out with it.
    other = visitor(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.67")
    assert other.post("/login/", right).status_code == 302


# --- Redis unreachable -------------------------------------------------------------------------------------


def test_an_unreachable_cache_lets_requests_through_and_says_so(settings, caplog):
    rate(settings, "signup", "1/day")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    client = visitor()
    assert [client.post("/hall/signup/", BAD_SIGNUP).status_code for _ in range(2)] == [400, 400]
    assert re.search(r"signup limit was not checked", caplog.text)

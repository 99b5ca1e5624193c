"""Hostile or malformed input gets a clear 4xx, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        # Not allowed or not valid: django-tenants answers an empty 404 rather than Django's 400.
        ("evil.example.com", 404),
        ("x'y.localhost", 404),
        ("alpha.localhost:notaport", 404),
        ("a" * 300 + ".localhost", 404),
        ("deep.sub.alpha.localhost", 404),  # allowed pattern, no such enterprise
        ("ALPHA.LOCALHOST", 200),  # host names are case-insensitive
    ],
)
def test_hostile_host_headers(client, alpha, host, expected):
    response = client.get("/login/", HTTP_HOST=host)
    assert response.status_code == expected


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "x" * 5000 + "@example.com", "password": "p"},
        {"username": "'; DROP TABLE tenants_user; --", "password": "' OR 1=1 --"},
    ],
)
def test_login_rejects_garbage_with_a_form_error(public_client, data):
    response = public_client.post("/login/", data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_login_with_a_nul_character_is_a_400_naming_the_fields(public_client):
    response = public_client.post("/login/", {"username": "\x00@example.com", "password": "\x00"})
    assert response.status_code == 400
    assert b"<code>password</code>" in response.content and b"<code>username</code>" in response.content


def test_language_switch_ignores_unknown_language(public_client, settings):
    response = public_client.post(
        "/i18n/setlang/", {"language": "xx-evil", "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"  # no open redirect
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_healthz_refuses_post(public_client):
    assert public_client.post("/healthz").status_code == 405

"""API tokens (django-rest-knox): issued per client, stored hashed, lapsing when idle and at a maximum
age, revoked by logout, logout-all, a password change or reset and the removal from one's last
enterprise."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken

from tenants.members import services as member_services
from tenants.members.models import Membership, Role
from tenants.models import User
from tenants.services import user_create
from tenants.tokens import token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(email, password=PASSWORD):
    return Client(HTTP_HOST="localhost").post(
        "/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )


def token_of(email, password=PASSWORD) -> str:
    response = sign_in(email, password)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def workspace(world, token, prefix="Bearer"):
    return Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"{prefix} {token}").get("/api/v1/workspace/")


def row_of(token) -> AuthToken:
    return AuthToken.objects.get(digest=hash_token(token))


# --- issuing ------------------------------------------------------------------------------------------


def test_every_sign_in_issues_a_new_token_and_the_earlier_one_still_works(alpha):
    first, second = token_of(alpha.owner.email), token_of(alpha.owner.email)
    assert first != second
    assert AuthToken.objects.filter(user=alpha.owner).count() == 2
    assert workspace(alpha, first).status_code == 200
    assert workspace(alpha, second).status_code == 200


def test_the_answer_keeps_the_old_fields_and_adds_the_expiry(alpha, settings):
    before = timezone.now()
    body = sign_in(alpha.owner.email).json()
    assert set(body) == {"token", "token_type", "expiry"}
    assert body["token_type"] == "Bearer"
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    idle = settings.REST_KNOX["TOKEN_TTL"]
    assert before + idle <= expiry <= timezone.now() + idle
    assert row_of(body["token"]).expiry == expiry


def test_tokens_are_stored_only_as_a_digest(alpha):
    token = token_of(alpha.owner.email)
    row = row_of(token)
    assert row.digest == hash_token(token) != token
    assert token.startswith(row.token_key) and len(row.token_key) < len(token) // 2
    with connection.cursor() as cursor:  # the key is in no column of any row
        cursor.execute("SELECT count(*) FROM public.knox_authtoken t WHERE t::text LIKE %s", [f"%{token}%"])
        assert cursor.fetchone()[0] == 0


def test_a_sign_in_deletes_the_users_lapsed_tokens(alpha):
    old = token_of(alpha.owner.email)
    AuthToken.objects.filter(digest=hash_token(old)).update(expiry=timezone.now() - datetime.timedelta(1))
    token_of(alpha.owner.email)
    assert not AuthToken.objects.filter(digest=hash_token(old)).exists()


# --- expiry -------------------------------------------------------------------------------------------


def test_a_lapsed_token_is_refused(alpha):
    token = token_of(alpha.owner.email)
    AuthToken.objects.filter(digest=hash_token(token)).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = workspace(alpha, token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_use_moves_the_idle_expiry_on(alpha, settings):
    token = token_of(alpha.owner.email)
    # Last used nine hours ago: one hour left.
    soon = timezone.now() + datetime.timedelta(hours=1)
    AuthToken.objects.filter(digest=hash_token(token)).update(expiry=soon)
    assert workspace(alpha, token).status_code == 200
    assert row_of(token).expiry >= timezone.now() + settings.REST_KNOX["TOKEN_TTL"] - datetime.timedelta(
        1 / 24
    )


def test_a_use_within_a_minute_of_the_last_writes_nothing(alpha):
    token = token_of(alpha.owner.email)
    expiry = row_of(token).expiry
    assert workspace(alpha, token).status_code == 200
    assert row_of(token).expiry == expiry


def test_use_never_carries_a_token_past_its_maximum_age(alpha, settings):
    token = token_of(alpha.owner.email)
    longest = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    created = timezone.now() - longest + datetime.timedelta(hours=1)
    AuthToken.objects.filter(digest=hash_token(token)).update(
        created=created, expiry=timezone.now() + datetime.timedelta(minutes=10)
    )
    assert workspace(alpha, token).status_code == 200
    assert row_of(token).expiry == created + longest  # not ten hours on
    AuthToken.objects.filter(digest=hash_token(token)).update(created=timezone.now() - longest * 2)
    AuthToken.objects.filter(digest=hash_token(token)).update(expiry=timezone.now() - datetime.timedelta(1))
    assert workspace(alpha, token).status_code == 401


def test_the_beat_task_deletes_lapsed_tokens_only(alpha, beta):
    from tenants.tasks import delete_expired_tokens

    lapsed, live = token_of(alpha.owner.email), token_of(beta.owner.email)
    AuthToken.objects.filter(digest=hash_token(lapsed)).update(expiry=timezone.now() - datetime.timedelta(1))
    assert delete_expired_tokens.run() == 1  # the task body (apply() would close the test connection)
    assert list(AuthToken.objects.values_list("digest", flat=True)) == [hash_token(live)]


# --- logout -------------------------------------------------------------------------------------------


def logout(token, path="/api/v1/auth/logout/"):
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}").post(path)


def test_logout_revokes_the_presented_token_only(alpha):
    this, other = token_of(alpha.owner.email), token_of(alpha.owner.email)
    assert logout(this).status_code == 204
    assert workspace(alpha, this).status_code == 401
    assert workspace(alpha, other).status_code == 200
    assert logout(this).status_code == 401  # already gone


def test_logout_all_revokes_every_token_of_the_user_and_no_one_elses(alpha, beta):
    tokens = [token_of(alpha.owner.email) for _ in range(3)]
    theirs = token_of(beta.owner.email)
    assert logout(tokens[0], "/api/v1/auth/logout-all/").status_code == 204
    assert [workspace(alpha, t).status_code for t in tokens] == [401, 401, 401]
    assert workspace(beta, theirs).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/logout/", "/api/v1/auth/logout-all/"])
def test_logout_needs_a_token(alpha, path):
    client = Client(HTTP_HOST="localhost")
    assert client.post(path).status_code == 401
    client.force_login(alpha.owner)  # a session is not a token
    assert client.post(path).status_code == 401
    assert logout("not-a-token", path).status_code == 401


# --- revoked when the password changes or the user leaves ---------------------------------------------


def test_a_password_reset_revokes_every_token(alpha, public_client, mailoutbox):
    tokens = [token_of(alpha.owner.email) for _ in range(2)]
    assert public_client.post("/password-reset/", {"email": alpha.owner.email}).status_code == 302
    link = re.search(r"(/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[0].body).group(1)
    form = public_client.get(link, follow=True)
    new = "Another-secret-2027"
    response = public_client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert [workspace(alpha, t).status_code for t in tokens] == [401, 401]
    assert not AuthToken.objects.filter(user=alpha.owner).exists()
    assert workspace(alpha, token_of(alpha.owner.email, new)).status_code == 200


def test_a_password_change_page_revokes_every_token(public_client):
    # The Django admin's "change password" is the password change page there is today.
    operator = User.objects.create_superuser(email="op-tokens@example.com", password=PASSWORD)
    token = token_of(operator.email)
    public_client.force_login(operator)
    new = "Changed-secret-2027"
    response = public_client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content[:500]
    assert logout(token).status_code == 401
    assert not AuthToken.objects.filter(user=operator).exists()


def test_any_set_password_revokes_but_other_saves_do_not(alpha, beta):
    token, theirs = token_of(alpha.owner.email), token_of(beta.owner.email)
    owner = User.objects.get(pk=alpha.owner.pk)
    owner.name = "Renamed"
    owner.save()
    assert workspace(alpha, token).status_code == 200
    owner.set_password("Set-by-code-2027")
    owner.save()
    assert workspace(alpha, token).status_code == 401
    assert workspace(beta, theirs).status_code == 200


def _member(world, email, role=Role.MEMBER) -> User:
    user = User.objects.filter(email=email).first() or user_create(email=email, password=PASSWORD)
    member_services.member_add(enterprise=world.enterprise, user=user, role=role, invited_by=world.owner)
    return user


def _remove(world, user):
    from django_tenants.utils import tenant_context

    with tenant_context(world.enterprise):
        membership = Membership.objects.get(user_id=user.pk)
    member_services.member_remove(enterprise=world.enterprise, membership=membership, acting_user=world.owner)


def test_removal_from_the_last_enterprise_revokes_every_token(alpha):
    user = _member(alpha, "only-alpha@example.com")
    tokens = [token_of(user.email) for _ in range(2)]
    assert workspace(alpha, tokens[0]).status_code == 200
    response = alpha.client().delete(f"/api/v1/members/{_membership_pk(alpha, user)}/")
    assert response.status_code == 204
    assert [workspace(alpha, t).status_code for t in tokens] == [401, 401]
    assert not AuthToken.objects.filter(user=user).exists()


def _membership_pk(world, user) -> int:
    from django_tenants.utils import tenant_context

    with tenant_context(world.enterprise):
        return Membership.objects.get(user_id=user.pk).pk


def test_removal_from_one_of_two_enterprises_keeps_the_tokens(alpha, beta):
    user = _member(alpha, "in-both@example.com")
    _member(beta, "in-both@example.com")
    token = token_of(user.email)
    _remove(alpha, user)
    assert workspace(alpha, token).status_code == 404  # not a member there any more
    assert workspace(beta, token).status_code == 200
    _remove(beta, user)
    assert workspace(beta, token).status_code == 401


# --- the header ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer é-not-ascii", "Token 0000", "Bearer " + "f" * 5000, "bearer \t"],
)
def test_malformed_or_unknown_tokens_are_401_never_500(alpha, header):
    response = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=header).get("/api/v1/workspace/")
    assert response.status_code == 401, header


def test_a_token_of_an_inactive_user_is_refused(alpha):
    user = _member(alpha, "soon-inactive@example.com")
    _token, key = token_create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert workspace(alpha, key).status_code == 401


def test_the_schema_documents_the_token_endpoints_and_their_expiry(public_client):
    schema = public_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/auth/token/", "/api/v1/auth/logout/", "/api/v1/auth/logout-all/"):
        assert "post" in schema["paths"][path], path
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "10 hours" in scheme["description"] and "7 days" in scheme["description"]
    assert schema["paths"]["/api/v1/auth/logout/"]["post"]["security"] == [{"bearerAuth": []}]
    assert schema["paths"]["/api/v1/workspace/"]["get"]["security"][0] == {"bearerAuth": []}
    assert "expiry" in schema["components"]["schemas"]["TokenOutput"]["properties"]

"""Roles, invitations and member management inside one enterprise."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.members import services
from tenants.members.models import Invitation, Membership, Role
from tenants.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def add_member(world, email: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        from tenants.services import user_create

        user = user_create(email=email, password=PASSWORD, name=email.split("@")[0])
    services.member_add(enterprise=world.enterprise, user=user, role=role, invited_by=world.owner)
    return user


def client_for(world, user) -> Client:
    client = Client(HTTP_HOST=world.host)
    client.force_login(user)
    return client


def membership_of(world, user) -> Membership:
    with tenant_context(world.enterprise):
        return Membership.objects.get(user_id=user.pk)


@pytest.mark.parametrize(
    ("role", "status"), [(Role.VIEWER, 403), (Role.MEMBER, 403), (Role.ADMIN, 302), (Role.OWNER, 302)]
)
def test_only_admins_and_owners_invite_on_the_page(alpha, role, status):
    user = add_member(alpha, f"{role}-inviter@example.com", role)
    response = client_for(alpha, user).post("/members/", {"email": "newbie@example.com", "role": "member"})
    assert response.status_code == status
    if status == 403:
        assert "does not allow" in response.content.decode() or "无权执行此操作" in response.content.decode()
        with tenant_context(alpha.enterprise):
            assert not Invitation.objects.filter(email="newbie@example.com").exists()


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.MEMBER, 403), (Role.ADMIN, 201)])
def test_only_admins_invite_through_the_api(alpha, role, status):
    user = add_member(alpha, f"{role}-api@example.com", role)
    response = client_for(alpha, user).post(
        "/api/v1/members/invitations/",
        {"email": "api-newbie@example.com", "role": "viewer"},
        content_type="application/json",
    )
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"]


def test_viewer_cannot_change_roles_or_remove(alpha):
    viewer = add_member(alpha, "viewer-x@example.com", Role.VIEWER)
    target = add_member(alpha, "target-x@example.com", Role.MEMBER)
    client = client_for(alpha, viewer)
    member_id = membership_of(alpha, target).pk
    assert client.post(f"/members/{member_id}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"/members/{member_id}/remove/").status_code == 403
    assert (
        client.patch(
            f"/api/v1/members/{member_id}/", {"role": "admin"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/members/{member_id}/").status_code == 403
    assert membership_of(alpha, target).role == Role.MEMBER


def test_any_member_reads_the_member_list(alpha):
    viewer = add_member(alpha, "viewer-list@example.com", Role.VIEWER)
    response = client_for(alpha, viewer).get("/api/v1/members/")
    assert response.status_code == 200
    assert {m["email"] for m in response.json()} >= {alpha.owner.email, "viewer-list@example.com"}


def test_admin_cannot_make_an_owner_but_an_owner_can(alpha):
    admin = add_member(alpha, "admin-y@example.com", Role.ADMIN)
    member = add_member(alpha, "member-y@example.com", Role.MEMBER)
    member_id = membership_of(alpha, member).pk
    response = client_for(alpha, admin).patch(
        f"/api/v1/members/{member_id}/", {"role": "owner"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = alpha.client().patch(
        f"/api/v1/members/{member_id}/", {"role": "owner"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["role"] == "owner"


def test_last_owner_cannot_be_removed_or_demoted(alpha):
    owner_membership = membership_of(alpha, alpha.owner)
    client = alpha.client()
    response = client.delete(f"/api/v1/members/{owner_membership.pk}/")
    assert response.status_code == 409
    response = client.patch(
        f"/api/v1/members/{owner_membership.pk}/", {"role": "admin"}, content_type="application/json"
    )
    assert response.status_code == 409
    page = client.post(f"/members/{owner_membership.pk}/remove/", follow=True)
    assert "last owner" in page.content.decode() or "最后一位所有者" in page.content.decode()
    assert membership_of(alpha, alpha.owner).role == Role.OWNER


def test_second_owner_can_take_over_and_the_first_can_leave(alpha):
    second = add_member(alpha, "second-owner@example.com", Role.OWNER)
    first_membership = membership_of(alpha, alpha.owner)
    response = client_for(alpha, second).delete(f"/api/v1/members/{first_membership.pk}/")
    assert response.status_code == 204
    alpha.enterprise.refresh_from_db()
    assert alpha.enterprise.owner_id == second.pk
    assert not alpha.owner.tenants.filter(pk=alpha.enterprise.pk).exists()
    # The removed owner is now a stranger: 404 on every page of the host.
    assert alpha.client().get("/").status_code == 404


def test_removed_member_loses_access(alpha):
    member = add_member(alpha, "leaving@example.com", Role.MEMBER)
    client = client_for(alpha, member)
    assert client.get("/").status_code == 200
    alpha.client().post(f"/members/{membership_of(alpha, member).pk}/remove/")
    assert client.get("/").status_code == 404
    assert client.get("/api/v1/members/").status_code == 404


def invite(world, email, role="member") -> str:
    """Invites through the page and returns the path of the link in the email."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert world.client().post("/members/", {"email": email, "role": role}).status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    return re.search(r"(/invitations/[^/\s]+/)", link).group(1)


def test_invitation_email_link_creates_an_account_and_joins(alpha):
    path = invite(alpha, "Fresh.Person@Example.com", "viewer")
    assert mail.outbox[-1].to == ["fresh.person@example.com"]
    visitor = Client(HTTP_HOST=alpha.host)
    assert visitor.get(path).status_code == 200
    response = visitor.post(path, {"name": "新同事", "password": "Brand-new-pass-77", "accept_terms": "on"})
    assert response.status_code == 302
    user = User.objects.get(email="fresh.person@example.com")
    assert membership_of(alpha, user).role == Role.VIEWER
    assert visitor.get("/").status_code == 200
    assert visitor.get(path).status_code == 410  # used


def test_existing_user_accepts_with_own_password(alpha, beta):
    path = invite(alpha, beta.owner.email, "member")
    visitor = Client(HTTP_HOST=alpha.host)
    wrong = visitor.post(path, {"password": "not-it"})
    assert wrong.status_code == 400
    right = visitor.post(path, {"password": PASSWORD})
    assert right.status_code == 302
    assert membership_of(alpha, beta.owner).role == Role.MEMBER
    assert beta.owner.tenants.filter(pk=beta.enterprise.pk).exists()  # still in beta too


def test_expired_invitation_is_refused(alpha):
    path = invite(alpha, "late@example.com")
    with tenant_context(alpha.enterprise):
        Invitation.objects.filter(email="late@example.com").update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    response = Client(HTTP_HOST=alpha.host).get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode() or "过期" in response.content.decode()


def test_invitation_token_expires_by_signature_age(alpha, settings):
    _invitation, token = services.invitation_create(
        enterprise=alpha.enterprise, email="aged@example.com", role=Role.MEMBER, invited_by=alpha.owner
    )
    settings.INVITATION_MAX_AGE_DAYS = 0  # every signature is now too old
    from core.api import ApplicationError

    with pytest.raises(ApplicationError) as excinfo:
        services.invitation_from_token(enterprise=alpha.enterprise, token=token)
    assert excinfo.value.status_code == 410


def test_invitation_link_of_one_enterprise_is_useless_on_another(alpha, beta):
    path = invite(alpha, "crossing@example.com")
    response = Client(HTTP_HOST=beta.host).get(path)
    assert response.status_code == 404


def test_revoked_and_forged_invitations_are_refused(alpha):
    path = invite(alpha, "revoked@example.com")
    with tenant_context(alpha.enterprise):
        invitation = Invitation.objects.get(email="revoked@example.com")
    alpha.client().post(f"/members/invitations/{invitation.pk}/revoke/")
    assert Client(HTTP_HOST=alpha.host).get(path).status_code == 410
    assert Client(HTTP_HOST=alpha.host).get("/invitations/forged-token/").status_code == 404


def test_inviting_an_existing_member_is_a_clear_error(alpha):
    response = alpha.client().post(
        "/api/v1/members/invitations/",
        {"email": alpha.owner.email, "role": "member"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "already a member" in response.json()["detail"]


def test_bad_role_values_are_400_not_500(alpha):
    owner_membership = membership_of(alpha, alpha.owner)
    client = alpha.client()
    assert (
        client.patch(
            f"/api/v1/members/{owner_membership.pk}/", {"role": "god"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/members/invitations/",
            {"email": "not-an-email", "role": "x"},
            content_type="application/json",
        ).status_code
        == 400
    )
    assert client.post(f"/members/{owner_membership.pk}/role/", {"role": "god"}).status_code == 302
    assert (
        client.patch(
            "/api/v1/members/999999/", {"role": "member"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_a_tenant_link_without_membership_is_still_no_access(alpha):
    """The views check the role themselves, not only tenant-users' middleware: a user linked to the
    enterprise by tenant-users but without a Membership row gets 404 from every view."""
    from tenants.services import user_create

    linked = user_create(email="half-linked@example.com", password=PASSWORD)
    alpha.enterprise.user_set.add(linked)  # tenant-users' link only
    client = client_for(alpha, linked)
    for path in ("/", "/members/", "/api/v1/members/", "/api/v1/workspace/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/members/", {"email": "x@example.com", "role": "member"}).status_code == 404


def test_role_changes_and_removal_keep_the_public_link_in_step(alpha):
    """The role lives in the enterprise's Membership row only; the public user-enterprise link (what
    "My enterprises" lists) follows adding and removing, never the role."""
    second = add_member(alpha, "flag-owner@example.com", Role.OWNER)
    assert second.tenants.filter(pk=alpha.enterprise.pk).exists()
    membership = membership_of(alpha, second)
    response = alpha.client().patch(
        f"/api/v1/members/{membership.pk}/", {"role": "viewer"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert membership_of(alpha, second).role == Role.VIEWER
    assert second.tenants.filter(pk=alpha.enterprise.pk).exists()
    assert alpha.client().delete(f"/api/v1/members/{membership.pk}/").status_code == 204
    assert not second.tenants.filter(pk=alpha.enterprise.pk).exists()


def test_wrong_passwords_on_an_invitation_count_towards_the_lockout(alpha, beta, settings):
    path = invite(alpha, beta.owner.email)
    visitor = Client(HTTP_HOST=alpha.host)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert visitor.post(path, {"password": "wrong"}).status_code == 400
    assert visitor.post(path, {"password": "wrong"}).status_code == 429
    assert visitor.post(path, {"password": PASSWORD}).status_code == 429


def test_invitation_for_a_deactivated_account_is_a_clear_refusal(alpha):
    from tenants.services import user_create

    gone = user_create(email="gone@example.com", password=PASSWORD)
    path = invite(alpha, "gone@example.com")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    response = Client(HTTP_HOST=alpha.host).post(path, {"password": PASSWORD})
    assert response.status_code == 403
    with tenant_context(alpha.enterprise):
        assert not Membership.objects.filter(user_id=gone.pk).exists()


def test_a_new_account_by_invitation_may_not_use_its_email_as_password(alpha):
    path = invite(alpha, "Chen.Jing@example.com")
    visitor = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en")
    response = visitor.post(path, {"name": "陈静", "password": "chenjing-Plant-7"})
    assert response.status_code == 400
    assert "may not contain your email" in response.content.decode()
    assert not User.objects.filter(email="chen.jing@example.com").exists()


def test_a_password_reset_may_not_set_the_email_as_password(alpha, mailoutbox):
    public = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    public.post("/password-reset/", {"email": alpha.owner.email})
    link = re.search(r"(/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[-1].body).group(1)
    form = public.get(link, follow=True)
    bad = alpha.owner.email.upper() + "!"
    response = public.post(form.redirect_chain[-1][0], {"new_password1": bad, "new_password2": bad})
    assert response.status_code == 200
    assert "may not contain your email" in response.content.decode()
    assert User.objects.get(pk=alpha.owner.pk).check_password(alpha.password)

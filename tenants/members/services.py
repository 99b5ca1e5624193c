"""Members of an enterprise: add, change role, remove, invite, accept (services: writes).

Membership is kept in two places that must agree: the public user↔enterprise link of
django-tenant-users (`user.tenants`, which "My enterprises" reads) and our Membership row with the
role, in the enterprise's schema. Every service here changes them together, in one transaction.
(django-tenant-users' per-schema permission rows are not used: the role is the permission.)
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, tenant_context

from core.api import ApplicationError, ConflictError
from tenants import roles
from tenants.members.models import Activity, Invitation, Membership, Role
from tenants.models import Enterprise, User
from tenants.tokens import user_tokens_revoke

INVITATION_SALT = "portal.invitation"


def activity_record(
    *, enterprise: Enterprise, actor: User | None, action: str, subject: str, object_id=None, old="", new=""
) -> Activity:
    """One row of the workspace's activity log, in its schema and in the caller's transaction (so
    the change and its row commit or fail together). `old` and `new` are codes (a role, a status)."""
    with tenant_context(enterprise):
        return Activity.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            subject=subject[:200],
            object_id=object_id,
            old=old or "",
            new=new or "",
        )


@transaction.atomic
def member_add(*, enterprise: Enterprise, user: User, role: str, invited_by: User | None) -> Membership:
    with tenant_context(enterprise):
        if Membership.objects.filter(user_id=user.pk).exists():
            raise ConflictError(_("%(email)s is already a member.") % {"email": user.email})
        enterprise.user_set.add(user)
        membership = Membership.objects.create(user=user, role=role, invited_by=invited_by)
        activity_record(
            enterprise=enterprise,
            actor=user,  # registering, or accepting an invitation
            action=Activity.Action.JOINED,
            subject=user.email,
            object_id=membership.pk,
            new=role,
        )
    roles.forget(user)
    return membership


@transaction.atomic
def member_role_change(
    *, enterprise: Enterprise, membership: Membership, role: str, acting_user: User
) -> Membership:
    with tenant_context(enterprise):
        owners = _lock_owners()  # first, always in the same order: no deadlock between two owners
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if role == membership.role:
            return membership
        # Only an owner may make or unmake owners.
        if Role.OWNER in (role, membership.role):
            roles.require_role(user=acting_user, enterprise=enterprise, minimum=Role.OWNER)
        if membership.role == Role.OWNER and owners <= 1:
            raise ConflictError(_("The last owner cannot be demoted. Make someone else an owner first."))
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        activity_record(
            enterprise=enterprise,
            actor=acting_user,
            action=Activity.Action.ROLE_CHANGED,
            subject=membership.user.email,
            object_id=membership.pk,
            old=old,
            new=role,
        )
        _keep_primary_owner(enterprise, leaving_user_id=None)
    roles.forget(membership.user)
    return membership


def _keep_primary_owner(enterprise: Enterprise, *, leaving_user_id: int | None) -> None:
    """tenant-users keeps one primary owner on the enterprise row; it must hold the owner role."""
    current = Membership.objects.filter(user_id=enterprise.owner_id).values_list("role", flat=True).first()
    if enterprise.owner_id != leaving_user_id and current == Role.OWNER:
        return
    successor = (
        Membership.objects.filter(role=Role.OWNER).exclude(user_id=leaving_user_id).order_by("pk").first()
    )
    enterprise.owner_id = successor.user_id
    enterprise.save(update_fields=["owner"])


def _lock_owners() -> int:
    """Locks every owner row (in primary-key order) and counts them, so two people demoting or
    removing the last two owners at once cannot both succeed."""
    return len(
        list(
            Membership.objects.select_for_update()
            .filter(role=Role.OWNER)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )


@transaction.atomic
def member_remove(*, enterprise: Enterprise, membership: Membership, acting_user: User) -> None:
    with tenant_context(enterprise):
        owners = _lock_owners()
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if membership.role == Role.OWNER:
            roles.require_role(user=acting_user, enterprise=enterprise, minimum=Role.OWNER)
            if owners <= 1:
                raise ConflictError(_("The last owner cannot be removed."))
        user = membership.user
        activity_record(
            enterprise=enterprise,
            actor=acting_user,
            action=Activity.Action.REMOVED,
            subject=user.email,
            object_id=membership.pk,
            old=membership.role,
        )
        membership.delete()
        _keep_primary_owner(enterprise, leaving_user_id=user.pk)
        enterprise.user_set.remove(user)
    roles.forget(user)
    # The user's row is locked first, so that two removals at once (from A and from B) cannot each
    # still see the other membership: the second one waits, then sees none left, and revokes.
    list(type(user).objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    if not user.tenants.exclude(schema_name=get_public_schema_name()).exists():
        # Out of the last enterprise: the API tokens issued while a member go too.
        user_tokens_revoke(user=user)


# --- invitations ------------------------------------------------------------------------------------


def invitation_token(*, enterprise: Enterprise, invitation: Invitation) -> str:
    return signing.dumps({"t": enterprise.pk, "i": invitation.pk}, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(
    *, enterprise: Enterprise, email: str, role: str, invited_by: User
) -> tuple[Invitation, str]:
    """Invites `email` with `role`; an earlier pending invitation to the same address is revoked.
    Returns the invitation and its signed link token (sent by email)."""
    if role == Role.OWNER:
        roles.require_role(user=invited_by, enterprise=enterprise, minimum=Role.OWNER)
    email = email.strip().lower()
    with tenant_context(enterprise):
        existing_user = User.objects.filter(email__iexact=email).first()
        if existing_user and Membership.objects.filter(user_id=existing_user.pk).exists():
            raise ConflictError(_("%(email)s is already a member.") % {"email": email})
        Invitation.objects.filter(email=email, status=Invitation.Status.PENDING).update(
            status=Invitation.Status.REVOKED
        )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    email=email,
                    role=role,
                    invited_by=invited_by,
                    expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
                )
        except IntegrityError as exc:  # another admin invited the same address at the same moment
            raise ConflictError(_("%(email)s was just invited by someone else.") % {"email": email}) from exc
        activity_record(
            enterprise=enterprise,
            actor=invited_by,
            action=Activity.Action.INVITED,
            subject=email,
            object_id=invitation.pk,
            new=role,
        )
    token = invitation_token(enterprise=enterprise, invitation=invitation)
    transaction.on_commit(
        lambda: _invitation_email(enterprise=enterprise, invitation=invitation, token=token), robust=True
    )
    return invitation, token


def _invitation_email(*, enterprise: Enterprise, invitation: Invitation, token: str) -> None:
    from tenants.services import tenant_url

    url = tenant_url(enterprise, f"/invitations/{token}/")
    subject = _("You are invited to join %(name)s on the Jingjinji Industrial Cloud Portal") % {
        "name": enterprise.name
    }
    body = _(
        "%(inviter)s invites you to join %(name)s as %(role)s.\n\nAccept within %(days)s days: %(url)s\n"
    ) % {
        "inviter": invitation.invited_by.name or invitation.invited_by.email,
        "name": enterprise.name,
        "role": invitation.get_role_display(),
        "days": settings.INVITATION_MAX_AGE_DAYS,
        "url": url,
    }
    send_mail(subject, body, None, [invitation.email])


def invitation_from_token(*, enterprise: Enterprise, token: str) -> Invitation:
    """The pending, unexpired invitation of this enterprise that the token names, or ApplicationError."""
    max_age = datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ApplicationError(_("This invitation has expired. Ask for a new one."), status_code=410) from exc
    except signing.BadSignature as exc:
        raise ApplicationError(_("This invitation link is not valid."), status_code=404) from exc
    if data.get("t") != enterprise.pk:
        raise ApplicationError(_("This invitation link is not valid."), status_code=404)
    with tenant_context(enterprise):
        invitation = Invitation.objects.select_related("invited_by").filter(pk=data.get("i")).first()
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), status_code=404)
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(_("This invitation has already been used or was withdrawn."), status_code=410)
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(_("This invitation has expired. Ask for a new one."), status_code=410)
    return invitation


@transaction.atomic
def invitation_accept(*, enterprise: Enterprise, token: str, user: User) -> Membership:
    """`user` (already authenticated as the invited address) joins with the invited role."""
    invitation = invitation_from_token(enterprise=enterprise, token=token)
    if user.email.lower() != invitation.email.lower():
        raise ApplicationError(_("This invitation was sent to another email address."), status_code=403)
    with tenant_context(enterprise):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != Invitation.Status.PENDING:
            raise ApplicationError(
                _("This invitation has already been used or was withdrawn."), status_code=410
            )
        try:
            membership = member_add(
                enterprise=enterprise, user=user, role=locked.role, invited_by=locked.invited_by
            )
        except IntegrityError as exc:  # pragma: no cover - a concurrent accept of the same user
            raise ConflictError(_("You are already a member.")) from exc
        locked.status = Invitation.Status.ACCEPTED
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["status", "accepted_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, enterprise: Enterprise, invitation: Invitation, acting_user: User) -> None:
    with tenant_context(enterprise):
        revoked = Invitation.objects.filter(Q(pk=invitation.pk) & Q(status=Invitation.Status.PENDING)).update(
            status=Invitation.Status.REVOKED
        )
        if revoked:
            activity_record(
                enterprise=enterprise,
                actor=acting_user,
                action=Activity.Action.INVITATION_REVOKED,
                subject=invitation.email,
                object_id=invitation.pk,
                old=Invitation.Status.PENDING,
                new=Invitation.Status.REVOKED,
            )

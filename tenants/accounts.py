"""A person deletes their own account (PIPL): services.

The user's row stays, inactive and pseudonymous, so that every foreign key to it (audit rows,
published facts' assessor, consents, assignments an assessor worked on) stays sound: its email
becomes `deleted-<pseudonym>@deleted.invalid`, its name "已注销用户 <pseudonym>", its password
unusable (which also ends every session: Django checks the password's hash on each request), its
API tokens are revoked and its platform role goes. The pseudonym is a
keyed hash of the user's id (`pseudonym`): stable, so the audit rows of one person still read as
one person, and not reversible without the server's key.

The person first leaves every enterprise; if they are the last owner of one (not closing), nothing
is done and the enterprises are listed (`LastOwnerError`): ownership must be handed over first.
In each enterprise left, the workspace's activity log and invitations that name their email are
rewritten to the pseudonym. Public audit rows whose values name the email are rewritten likewise,
by a worker (`audit_rewrite`, through the outbox `AccountErasure`): finding them reads the whole
audit table, which a web request must not wait for.
The apps above register what else goes with `on_account_delete` (the hall's inquiries and
bookings of a buyer, an assessor's open assignments: released).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, tenant_context

from core import outbox
from core.api import ApplicationError
from core.audit import audit
from tenants import roles
from tenants.members.models import Activity, Invitation, Membership, Role
from tenants.models import AccountErasure, Enterprise, User
from tenants.tokens import user_tokens_revoke

logger = logging.getLogger(__name__)

ACCOUNT_DELETED = "account_deleted"  # core.AuditEvent.action (presented by tenants/audit_lines.py)
DELETED_DOMAIN = "deleted.invalid"

_hooks: list[Callable] = []


def on_account_delete(hook: Callable) -> None:
    """`hook(*, user, pseudonym)` runs inside the deletion's transaction, before the user's row is
    scrubbed (so it can still read the email). Registered once at start-up."""
    if hook not in _hooks:
        _hooks.append(hook)


class LastOwnerError(ApplicationError):
    status_code = 409

    def __init__(self, enterprises: list[Enterprise]):
        super().__init__(
            _(
                "You are the last owner of %(names)s. Make someone else an owner there first, or close "
                "the enterprise."
            ),
            params={"names": "、".join(e.name for e in enterprises)},
        )
        self.enterprises = enterprises


def pseudonym(user_id: int) -> str:
    """A stable keyed hash of a user's id: the same person reads as the same pseudonym."""
    return salted_hmac("portal.account-pseudonym", str(user_id)).hexdigest()[:12]


def is_deleted(user) -> bool:
    return user.email.endswith(f"@{DELETED_DOMAIN}")


def enterprises_of(user) -> list[Enterprise]:
    return list(
        user.tenants.exclude(schema_name=get_public_schema_name())
        .filter(status=Enterprise.Status.READY)  # a schema to leave
        .exclude(lifecycle__in=[Enterprise.Lifecycle.ERASING, Enterprise.Lifecycle.CLOSED])
        .order_by("pk")
    )


def last_owner_of(user) -> list[Enterprise]:
    """The enterprises (not closing) where `user` is the only owner: they must hand over first."""
    blocking = []
    for enterprise in enterprises_of(user):
        if enterprise.lifecycle == Enterprise.Lifecycle.CLOSING:
            continue
        with tenant_context(enterprise):
            owners = list(Membership.objects.filter(role=Role.OWNER).values_list("user_id", flat=True))
        if owners == [user.pk]:
            blocking.append(enterprise)
    return blocking


def account_delete(*, user: User, password: str) -> str:
    """Deletes `user`'s account (see the module). Returns the pseudonym."""
    if not user.is_authenticated or not user.is_active:
        raise ApplicationError(_("Sign in first."), status_code=403)
    if not password or not user.check_password(password):
        raise ApplicationError(_("The password is not correct."), status_code=400)
    public = Enterprise.objects.filter(schema_name=get_public_schema_name()).first()
    if user.is_superuser or (public is not None and public.owner_id == user.pk):
        raise ApplicationError(
            _("A platform operator's account is removed by another operator, not deleted here."),
            status_code=403,
        )
    with transaction.atomic():
        # The row first: two deletions (or a deletion and an invitation's acceptance) take turns.
        user = User.objects.select_for_update().get(pk=user.pk)
        blocking = last_owner_of(user)
        if blocking:
            raise LastOwnerError(blocking)
        alias = pseudonym(user.pk)
        email = user.email
        for enterprise in enterprises_of(user):
            _leave(enterprise=enterprise, user=user, email=email, alias=alias)
        for hook in _hooks:
            hook(user=user, pseudonym=alias)
        AccountErasure.objects.update_or_create(
            user=user,
            defaults={"email": email, "sent_at": timezone.now(), "completed_at": None, "resends": 0},
        )
        outbox.send_on_commit("account-audit-rewrite", user.pk)
        _scrub(user, alias)
        audit(actor=user, action=ACCOUNT_DELETED, subject=f"#{alias}")
    roles.forget(user)
    logger.info("account %s deleted (pseudonym %s)", user.pk, alias)
    return alias


def _leave(*, enterprise: Enterprise, user: User, email: str, alias: str) -> None:
    label = f"#{alias}"
    with tenant_context(enterprise):
        membership = Membership.objects.select_for_update().filter(user_id=user.pk).first()
        if membership is not None:
            Activity.objects.create(
                actor=None,
                action=Activity.Action.REMOVED,
                subject=label,
                object_id=membership.pk,
                old=membership.role,
            )
            membership.delete()
        Activity.objects.filter(subject__iexact=email).update(subject=label)
        Invitation.objects.filter(email__iexact=email).update(
            email=f"deleted-{alias}@{DELETED_DOMAIN}", status=Invitation.Status.REVOKED
        )
        Membership.objects.filter(invited_by_id=user.pk).update(invited_by=None)
        if enterprise.owner_id == user.pk:
            successor = Membership.objects.filter(role=Role.OWNER).order_by("pk").first()
            if successor is None:  # closing, with no owner left: the platform holds the row
                public = Enterprise.objects.get(schema_name=get_public_schema_name())
                enterprise.owner_id = public.owner_id
            else:
                enterprise.owner_id = successor.user_id
            enterprise.save(update_fields=["owner"])
        enterprise.user_set.remove(user)


def audit_rewrite(*, user_id: int) -> int:
    """The worker's part of a deletion: rewrites the public audit rows that spelt the email, then
    forgets the email. Idempotent (a second run finds the work done). Returns the rows rewritten."""
    with transaction.atomic():
        row = AccountErasure.objects.select_for_update().filter(user_id=user_id).first()
        if row is None or row.completed_at is not None:
            return 0
        count = _audit_values_rewrite(email=row.email, alias=pseudonym(user_id)) if row.email else 0
        row.email, row.completed_at = "", timezone.now()
        row.save(update_fields=["email", "completed_at"])
    return count


def _audit_values_rewrite(*, email: str, alias: str) -> int:
    """Public audit rows that spelt the email in their values (an assignment names its assessor)."""
    from core.models import AuditEvent

    rows = AuditEvent.objects.filter(
        Q(subject__icontains=email) | Q(reason__icontains=email)
    ) | AuditEvent.objects.extra(
        where=["(old::text ILIKE %s OR new::text ILIKE %s)"], params=[f"%{email}%"] * 2
    )
    label = f"#{alias}"
    count = 0
    for event in rows.distinct():
        event.subject = event.subject.replace(email, label)
        event.reason = event.reason.replace(email, label)
        event.old, event.new = _replace(event.old, email, label), _replace(event.new, email, label)
        event.save(update_fields=["subject", "reason", "old", "new"])
        count += 1
    return count


def _replace(value, email: str, label: str):
    if isinstance(value, str):
        return value.replace(email, label)
    if isinstance(value, list):
        return [_replace(v, email, label) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, email, label) for k, v in value.items()}
    return value


def _scrub(user: User, alias: str) -> None:
    from core.models import Notice

    Notice.objects.filter(user=user).delete()
    _axes_forget(user.email)
    user.email = f"deleted-{alias}@{DELETED_DOMAIN}"
    user.name = f"已注销用户 Deleted user #{alias}"
    user.platform_role = ""
    user.scope_region = None
    user.is_active = False
    user.is_verified = False
    user.set_unusable_password()  # ends the sessions (Django checks the password's hash)
    user.save()
    user_tokens_revoke(user=user)


def _axes_forget(email: str) -> None:
    """django-axes keeps sign-in attempts by username (the email) and address."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()

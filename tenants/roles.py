"""Who may do what inside an enterprise. Reads the tenant schema of the current connection."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from tenants.members.models import ROLE_RANK, Membership, Role
from tenants.models import User

CACHE_ATTR = "_portal_roles"


def role_of(*, user, enterprise) -> str | None:
    """The user's role in the enterprise, or None for a non-member. Cached on the user object for
    the request (middleware, view and template ask the same question)."""
    if enterprise is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault(CACHE_ATTR, {})
    if enterprise.pk not in cache:
        # Membership rows live in the enterprise's schema; the public user↔enterprise link must
        # agree. One query asks both.
        linked = User.tenants.through.objects.filter(user_id=user.pk, enterprise_id=enterprise.pk)
        with tenant_context(enterprise):
            cache[enterprise.pk] = (
                Membership.objects.filter(Exists(linked), user_id=user.pk)
                .values_list("role", flat=True)
                .first()
            )
    return cache[enterprise.pk]


def forget(user) -> None:
    user.__dict__.pop(CACHE_ATTR, None)


def has_role(*, user, enterprise, minimum: str) -> bool:
    role = role_of(user=user, enterprise=enterprise)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def require_role(*, user, enterprise, minimum: str) -> str:
    role = role_of(user=user, enterprise=enterprise)
    if role is None:
        from django.http import Http404

        raise Http404
    if ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise PermissionDenied(_("Your role in this enterprise does not allow this."))
    return role


def host_member_or_404(request, minimum: str = Role.VIEWER) -> tuple:
    """(enterprise, role) of the signed-in user on this enterprise's host. 404 for a non-member,
    403 with a message below `minimum`."""
    from tenants.access import current_enterprise

    enterprise = current_enterprise(request)
    role = require_role(user=request.user, enterprise=enterprise, minimum=minimum)
    return enterprise, role


__all__ = ["ROLE_RANK", "Role", "forget", "has_role", "host_member_or_404", "require_role", "role_of"]

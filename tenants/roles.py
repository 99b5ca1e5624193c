"""Who may do what inside an enterprise. Reads the tenant schema of the current connection."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext as _

from tenants.access import current_enterprise
from tenants.members.models import ROLE_RANK, Role

CACHE_ATTR = "_portal_roles"


def role_of(*, user, enterprise) -> str | None:
    """The user's role in the enterprise, or None for a non-member. Cached on the user object for
    the request (middleware, view and template ask the same question)."""
    if enterprise is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault(CACHE_ATTR, {})
    if enterprise.pk not in cache:
        # Membership rows live in the enterprise's schema; the public user-enterprise link must
        # agree. One statement asks both, naming the schema itself (raw SQL: on every request,
        # the ORM's building of it cost several times the query).
        schema = connection.ops.quote_name(enterprise.schema_name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.role FROM {schema}.members_membership m "
                "WHERE m.user_id = %s AND EXISTS (SELECT 1 FROM public.tenants_user_tenants l "
                "WHERE l.user_id = %s AND l.enterprise_id = %s)",
                [user.pk, user.pk, enterprise.pk],
            )
            row = cursor.fetchone()
        cache[enterprise.pk] = row[0] if row else None
    return cache[enterprise.pk]


def remember(*, user, enterprise, role: str | None) -> None:
    """For the edge that read the role together with the user (tenants/auth.py)."""
    user.__dict__.setdefault(CACHE_ATTR, {})[enterprise.pk] = role


def forget(user) -> None:
    user.__dict__.pop(CACHE_ATTR, None)


def is_member(*, user, enterprise) -> bool:
    return role_of(user=user, enterprise=enterprise) is not None


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
    enterprise = current_enterprise(request)
    role = require_role(user=request.user, enterprise=enterprise, minimum=minimum)
    return enterprise, role


__all__ = [
    "ROLE_RANK",
    "Role",
    "forget",
    "has_role",
    "host_member_or_404",
    "is_member",
    "remember",
    "require_role",
    "role_of",
]

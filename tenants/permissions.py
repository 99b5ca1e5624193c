"""DRF permissions: the host's enterprise decides who may call an endpoint."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from tenants import roles
from tenants.access import current_enterprise


class IsHostMember(BasePermission):
    """Signed in; and on an enterprise's host, a member of it. A non-member gets 404, exactly as if
    the endpoint did not exist (portal.middleware.MembersOnlyMiddleware does the same for session
    users; this also covers bearer tokens, which the middleware cannot see)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        enterprise = current_enterprise(request)
        if enterprise is not None and roles.role_of(user=request.user, enterprise=enterprise) is None:
            raise NotFound()
        return True


def role_at_least(minimum: str):
    """A permission class: members of the host's enterprise with at least `minimum`; others 403."""

    class HasRole(IsHostMember):
        message = _("Your role in this enterprise does not allow this.")

        def has_permission(self, request, view) -> bool:
            if not super().has_permission(request, view):
                return False
            return roles.has_role(user=request.user, enterprise=current_enterprise(request), minimum=minimum)

    HasRole.__name__ = f"HasRole_{minimum}"
    return HasRole


class PublicSiteOrHostMember(IsHostMember):
    """Open on the public site; on an enterprise's host, members only (404 for anyone else), since
    every endpoint of an enterprise's host belongs to its members."""

    allows_anonymous = True  # for the OpenAPI document (core/openapi.py)

    def has_permission(self, request, view) -> bool:
        if current_enterprise(request) is None:
            return True
        return super().has_permission(request, view)

"""Authentication pieces: bearer tokens for the API and django-axes hooks (throttled sign-in)."""

from hmac import compare_digest

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from tenants.access import current_enterprise


def quote_name(name: str) -> str:
    return connection.ops.quote_name(name)


class BearerTokenAuthentication(TokenAuthentication):
    """django-rest-knox tokens, sent as `Authorization: Bearer <token>` (or `Token <token>`).

    `request.auth` is the token row (knox's AuthToken), which logout deletes."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in (b"bearer", b"token"):
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <token>'."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <token>'.")) from exc
        return self.authenticate_with_role(key, current_enterprise(request))

    def authenticate_header(self, request):
        return "Bearer"

    def authenticate_with_role(self, key: str, enterprise):
        """knox's token check, and on an enterprise's host the user's role there, in one statement
        (the permission classes then ask tenants.roles, which has the answer already). Raw SQL on
        purpose: this runs on every API call, and building it with the ORM cost more than the
        query itself (0.8 ms of Python against 0.1 ms in PostgreSQL).

        As knox.auth.TokenAuthentication: the rows of the key's first characters (knox's indexed
        `token_key`), a digest compared in constant time, lapsed tokens refused, and the idle
        expiry moved on by knox's own renew_token (AUTO_REFRESH, at most once a minute)."""
        from knox.models import get_token_model

        from tenants import roles
        from tenants.models import User

        if not key or "\x00" in key:
            raise AuthenticationFailed(_("Invalid token."))
        user_columns, names = _user_columns()
        params: list = [key[: CONSTANTS.TOKEN_KEY_LENGTH], timezone.now()]
        if enterprise is None:
            role_sql = "NULL"
        else:
            role_sql = (
                f"(SELECT m.role FROM {quote_name(enterprise.schema_name)}.members_membership m "
                "WHERE m.user_id = t.user_id AND EXISTS (SELECT 1 FROM public.tenants_user_tenants l "
                "WHERE l.user_id = t.user_id AND l.enterprise_id = %s))"
            )
            params.insert(0, enterprise.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {role_sql}, t.digest, t.created, t.expiry, {user_columns} "
                "FROM public.knox_authtoken t JOIN public.tenants_user u ON u.id = t.user_id "
                "WHERE t.token_key = %s AND (t.expiry IS NULL OR t.expiry > %s)",
                params,
            )
            rows = cursor.fetchall()
        digest = hash_token(key)
        row = next((r for r in rows if compare_digest(digest, r[1])), None)
        if row is None:
            raise AuthenticationFailed(_("Invalid token."))
        user = User.from_db(connection.alias, names, row[4:])
        token = get_token_model()(
            digest=row[1], token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], created=row[2], expiry=row[3]
        )
        token._state.adding, token._state.db = False, connection.alias
        token.user = user
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if knox_settings.AUTO_REFRESH and token.expiry:
            try:
                self.renew_token(token)
            except DatabaseError as exc:  # revoked between the read and the refresh
                raise AuthenticationFailed(_("Invalid token.")) from exc
        if enterprise is not None:
            roles.remember(user=user, enterprise=enterprise, role=row[0])
        return user, token


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes BearerTokenAuthentication."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        idle = knox_settings.TOKEN_TTL
        longest = knox_settings.AUTO_REFRESH_MAX_TTL
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token from `POST /api/v1/auth/token/` (email and password), sent as "
                "`Authorization: Bearer <token>` (`Token <token>` is accepted too). It lapses after "
                f"{idle.total_seconds() / 3600:g} hours without use (each use moves the expiry on) and "
                f"{longest.total_seconds() / 86400:g} days after it was issued, whatever the use; "
                "`POST /api/v1/auth/logout/` revokes it, `POST /api/v1/auth/logout-all/` revokes every "
                "token of the user, and so do a password change or reset and the removal from one's "
                "last enterprise. Tokens are stored hashed: a lost one cannot be shown again."
            ),
        }


def _user_columns() -> tuple[str, tuple[str, ...]]:
    from tenants.models import User

    if not _USER_COLUMNS:
        names = tuple(f.attname for f in User._meta.concrete_fields)
        _USER_COLUMNS.append(
            (", ".join(f"u.{quote_name(f.column)}" for f in User._meta.concrete_fields), names)
        )
    return _USER_COLUMNS[0]


_USER_COLUMNS: list = []


def tenant_permissions_queryset():
    """TENANT_USERS_PERMS_QUERYSET: django-tenant-users' permission rows (is_staff, is_superuser,
    Django permissions) exist in the public schema only, for the platform's own staff on the public
    site. An enterprise schema has none (roles are tenants.members.Membership), so on an
    enterprise's host the lookup finds nothing, instead of falling through the search_path to the
    public row and calling a platform superuser a superuser of every enterprise."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name
    from tenant_users.permissions.models import UserTenantPermissions

    rows = UserTenantPermissions.objects
    return rows.all() if connection.schema_name == get_public_schema_name() else rows.none()


def axes_username(request, credentials=None) -> str:
    """The account an attempt is counted against: the email, case-folded, from the form or API."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        data = getattr(request, "POST", {}) or {}
        value = data.get("username") or data.get("email") or ""
    return str(value).strip().lower()[:254]


def lockout_response(request, original_response=None, credentials=None):
    """429 while django-axes has the account or address locked: bilingual, with Retry-After (the
    whole cool-off: axes does not say how much of it is left)."""
    from django.conf import settings

    from core.api import in_both_languages

    seconds = max(60, int(float(settings.AXES_COOLOFF_TIME) * 3600))
    text = gettext_lazy(
        "Too many failed sign-in attempts. This account or address is locked for %(minutes)s minutes."
    )
    params = {"minutes": seconds // 60}
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": str(text) % params, "messages": in_both_languages(text, params)}, status=429
        )
    else:
        response = render(request, "registration/locked.html", {"message": str(text) % params}, status=429)
    response["Retry-After"] = str(seconds)
    return response

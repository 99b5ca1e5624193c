"""Authentication pieces: bearer tokens for the API and django-axes hooks (throttled sign-in)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` (or DRF's classic `Token <token>`)."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in (b"bearer", b"token"):
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <token>'."))
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <token>'.")) from exc
        return self.authenticate_credentials(key)


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
    message = _("Too many failed sign-in attempts. This account or address is locked for 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked.html", {"message": message}, status=429)

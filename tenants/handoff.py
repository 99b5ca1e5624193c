"""The one-time sign-in hand-off between hosts (sessions are bound to the host they were made on).

A signed-in user on one host (the public site or an enterprise's workspace) is sent to another host
with a token that host accepts once, within SWITCH_TOKEN_MAX_AGE_SECONDS, and only:

* on the host it was issued for (the token names it);
* for the user it names, whose password has not changed since (the token carries a digest of the
  session's auth hash, which changes with the password, as Django's own session check does);
* on an enterprise's host, for a member of that enterprise (asked again when it is used);
* once: its random id is claimed in the cache (Redis) with `add`, which only one request wins.

Signed with Django's signing (a TimestampSigner underneath: the age is checked on use)."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from core.api import ApplicationError

SALT = "portal.handoff"
PATH = "/auth/handoff/"

REFUSED = _("This sign-in link is not valid or has expired. Please sign in.")
USED = _("This sign-in link has already been used. Please sign in.")
UNAVAILABLE = _(
    "We could not sign you in here just now. Please sign in with your password, "
    "or try the link again in a minute."
)


class HandoffRefused(ApplicationError):
    """A token that signs no one in (bad signature, expired, used, another host, not a member)."""

    def __init__(self, message=REFUSED, *, status_code: int = 403):
        super().__init__(message, status_code=status_code)


def _auth_digest(user) -> str:
    return salted_hmac(SALT, user.get_session_auth_hash(), algorithm="sha256").hexdigest()[:32]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def safe_path(value: str) -> str:
    """A path on the target host (never another host: no scheme, no `//`, no backslash)."""
    value = value or "/"
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ch in value for ch in "\t\r\n")
        or not url_has_allowed_host_and_scheme(value, allowed_hosts=set())
    ):
        return "/"
    return value


def handoff_issue(*, user, host: str, next_path: str = "/") -> str:
    """A token that signs `user` in on `host` once, then sends them to `next_path` there."""
    return signing.dumps(
        {
            "u": user.pk,
            "h": host.lower(),
            "a": _auth_digest(user),
            "n": get_random_string(24),
            "p": safe_path(next_path),
        },
        salt=SALT,
        compress=True,
    )


def handoff_url(*, user, host: str, next_path: str = "/") -> str:
    """The hand-off address on `host` (the scheme and port are the platform's own, never taken from
    a URL a client sent), which signs `user` in there and goes on to `next_path`."""
    from tenants.services import site_url

    token = handoff_issue(user=user, host=host, next_path=next_path)
    return site_url(host.lower(), f"{PATH}?{urlencode({'token': token})}")


def path_of(url: str) -> str:
    """The path and query of an absolute or relative URL."""
    parts = urlsplit(url)
    return safe_path(f"{parts.path or '/'}{'?' + parts.query if parts.query else ''}")


def _used_key(nonce: str) -> str:
    return f"handoff-used:{nonce}"


def handoff_check(*, token: str, host: str, enterprise=None):
    """The user the token would sign in on `host`, the path to go to, and the token's one-time id,
    without spending it; HandoffRefused otherwise. `enterprise` is the host's enterprise (None on the
    public site)."""
    from tenants import roles
    from tenants.models import User

    try:
        data = signing.loads(token or "", salt=SALT, max_age=settings.SWITCH_TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise HandoffRefused from exc
    if not isinstance(data, dict) or data.get("h") != host.lower() or not data.get("n"):
        raise HandoffRefused
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("a", ""), _auth_digest(user)):
        raise HandoffRefused
    if enterprise is not None and roles.role_of(user=user, enterprise=enterprise) is None:
        raise HandoffRefused
    try:
        spent = cache.get(_used_key(data["n"])) is not None
    except (RedisError, OSError) as exc:
        raise HandoffRefused(UNAVAILABLE, status_code=503) from exc
    if spent:
        raise HandoffRefused(USED)
    return user, safe_path(data.get("p", "/")), data["n"]


def handoff_use(*, token: str, host: str, enterprise=None):
    """The user the token signs in on `host`, and the path to go to; HandoffRefused otherwise.
    The token is spent (claimed in the cache); if the cache cannot be reached, nobody is signed in
    (fails closed, with a page asking to sign in or try again: never a 500)."""
    user, next_path, nonce = handoff_check(token=token, host=host, enterprise=enterprise)
    try:
        claimed = cache.add(_used_key(nonce), 1, timeout=settings.SWITCH_TOKEN_MAX_AGE_SECONDS * 2)
    except (RedisError, OSError) as exc:
        raise HandoffRefused(UNAVAILABLE, status_code=503) from exc
    if not claimed:
        raise HandoffRefused(USED)
    return user, next_path

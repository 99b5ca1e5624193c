"""Per-address rate limits: one counter per action and client address, shared by a page and its API.

`limit()` counts one attempt at an action (a key of settings.RATE_LIMITS) from the request's client
address (core/client_ip.py; IPv6 per /64, what one subscriber is usually given) and raises
RateLimited past the rate. Pages take `limit_posts(action)`, which answers a bilingual 429 page;
API views take `throttle(action)` in throttle_classes, which the API's exception handler answers
with the house JSON body. Both carry Retry-After. Only POSTs count: showing a form is free.

The counting is django-ratelimit's (a fixed window per key in the Redis cache, with atomic
add/incr, so parallel requests cannot slip past). When Redis cannot be reached the limits are not
applied and a warning is logged: sign-up and sign-in stay open during a cache outage (django-axes
keeps its sign-in lockouts in PostgreSQL), rather than every anonymous form failing with a 500.
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError
from rest_framework.throttling import BaseThrottle

from core.api import RateLimited
from core.client_ip import client_ip, parse

log = logging.getLogger(__name__)


def address_key(group: str, request) -> str:
    """The client address a count is kept for: IPv4 as is, IPv6 by its /64."""
    text = client_ip(request)
    address = parse(text)
    if address is None:
        return text or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network((int(address) >> 64 << 64, 64)))
    return str(address)


def limit(request, *, action: str) -> None:
    """Counts one attempt at `action` from the request's address; RateLimited once there have been
    more than settings.RATE_LIMITS[action] in the current window."""
    rate = settings.RATE_LIMITS[action]
    try:
        usage = get_usage(request, group=action, key=address_key, rate=rate, increment=True)
    except (RedisError, OSError):
        log.warning("The %s limit was not checked: the cache cannot be reached.", action, exc_info=True)
        return
    if usage is not None and usage["should_limit"]:
        raise RateLimited(retry_after=usage["time_left"])


def limited_page(request, exc: RateLimited):
    """The 429 page: the message in the visitor's language, and Retry-After."""
    response = render(request, "rate_limited.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def limit_posts(action: str):
    """A page view whose POSTs count towards `action`'s limit (GETs are free)."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    limit(request, action=action)
                except RateLimited as exc:
                    return limited_page(request, exc)
            return view(request, *args, **kwargs)

        return limited

    return decorator


class PostThrottle(BaseThrottle):
    """DRF's side of `limit()`: POSTs count towards `action`, against the same budget as its page."""

    action = ""

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        try:
            limit(request, action=self.action)
        except RateLimited as exc:
            self.retry_after = exc.retry_after
            return False
        return True

    def wait(self):
        return getattr(self, "retry_after", None)

    def get_ident(self, request) -> str:
        return client_ip(request)


_throttles: dict[str, type[PostThrottle]] = {}


def throttle(action: str) -> type[PostThrottle]:
    """The throttle class for `action`: `throttle_classes = [limits.throttle("token")]`."""
    if action not in settings.RATE_LIMITS:
        raise KeyError(f"No rate is set for {action!r} in RATE_LIMITS")
    if action not in _throttles:
        name = "".join(part.title() for part in action.split("_")) + "Throttle"
        _throttles[action] = type(name, (PostThrottle,), {"action": action})
    return _throttles[action]

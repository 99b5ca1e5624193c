"""Host name → enterprise, without a database query on most requests.

Each web process keeps the enterprises it has served in memory, by host name. Only enterprises
that are ready and at the code's migration state are kept (one being prepared or upgraded is read
afresh every time, so it is served the moment it is ready), and unknown hosts are never kept.

Invalidation: any change of an enterprise or a domain (post_save/post_delete, and the raw UPDATE
of `domains_sync`) bumps a generation counter in Redis after commit; every process compares its
generation with Redis at most once a second and drops its whole map when they differ. So a change
reaches every process within about a second; if Redis cannot be read, entries still expire after
`LOCAL_TTL` seconds. Each request gets its own Enterprise instance built from the kept values, so
nothing a view does to `request.tenant` is seen by another request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "portal:routing:generation"
CHECK_EVERY = 1.0  # seconds between two reads of the generation, per process
LOCAL_TTL = 60.0  # an entry's longest life if Redis cannot be read
MAX_ENTRIES = 20_000

_lock = threading.Lock()
_entries: dict[str, tuple[float, tuple[str, ...], tuple]] = {}
_state = {"generation": None, "checked": 0.0}


def _redis():
    import redis

    client = _state.get("client")
    if client is None:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        _state["client"] = client
    return client


def _check_generation(now: float) -> None:
    if now - _state["checked"] < CHECK_EVERY:
        return
    _state["checked"] = now
    try:
        generation = _redis().get(GENERATION_KEY)
    except Exception:
        logger.debug("routing generation unreadable", exc_info=True)
        return
    if generation != _state["generation"]:
        with _lock:
            _entries.clear()
            _state["generation"] = generation


def tenant_for_host(hostname: str):
    """The Enterprise of `hostname` (a fresh instance), or None for an unknown host."""
    from tenants import upgrades
    from tenants.models import Domain, Enterprise

    now = time.monotonic()
    _check_generation(now)
    entry = _entries.get(hostname)
    if entry is not None and entry[0] > now:
        return Enterprise.from_db("default", entry[1], entry[2])
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is None:
        return None
    tenant = domain.tenant
    if tenant.status == Enterprise.Status.READY and (
        tenant.schema_name == "public" or not upgrades.is_behind(tenant)
    ):
        names = tuple(f.attname for f in Enterprise._meta.concrete_fields)
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[hostname] = (now + LOCAL_TTL, names, tuple(getattr(tenant, n) for n in names))
    return tenant


def forget_all() -> None:
    """After a change: every process drops its map within a second (this one at once)."""
    with _lock:
        _entries.clear()
    try:
        _state["generation"] = str(_redis().incr(GENERATION_KEY)).encode()
        _state["checked"] = time.monotonic()
    except Exception:  # noqa: BLE001 - Redis down: other processes catch up at their TTL
        logger.warning(
            "could not announce a routing change (Redis unavailable); other web processes "
            "see it within %.0f s",
            LOCAL_TTL,
        )


def forget_on_commit(**kwargs) -> None:
    """post_save / post_delete receiver for Enterprise and Domain."""
    transaction.on_commit(forget_all, robust=True)

"""Host name → enterprise, without a database query on most requests.

Each web process keeps the enterprises it has served in memory, by host name. Only enterprises
that are ready and at the code's migration state are kept (one being prepared or upgraded is read
afresh every time, so it is served the moment it is ready), and unknown hosts are never kept.

Invalidation, per enterprise: a change of an enterprise (post_save/post_delete, after commit)
appends the enterprise's id to a short change log in Redis, numbered by a Redis counter (a change of
a domain row, rare, drops every process's whole map; a new one, never kept, nothing); every process
reads the log's new entries at most once a second and drops those enterprises' hosts.
So a change reaches every process within about a second, and a registration elsewhere (thousands a
day across the region) costs the others nothing. A process that finds a gap in the log (it was
away longer than the log keeps) or a bulk change (`forget_all`, e.g. a new PORTAL_DOMAIN) drops
everything; if Redis cannot be read, entries still expire after `LOCAL_TTL` seconds. Changes made
with a queryset's update() send no signal: only statuses and states that are never kept (pending,
failed, behind) are changed that way. Each request gets its own Enterprise instance built from the
kept values, so nothing a view does to `request.tenant` is seen by another request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

SEQUENCE_KEY = "portal:routing:seq"
CHANGES_KEY = "portal:routing:changes"  # sorted set: member "<enterprise id>:<seq>", score seq
EVERYTHING = "*"  # the member of a change that concerns every enterprise
KEEP_CHANGES = 10_000
CHECK_EVERY = 1.0  # seconds between two reads of the change log, per process
LOCAL_TTL = 60.0  # an entry's longest life if Redis cannot be read
MAX_ENTRIES = 20_000

_lock = threading.Lock()
_entries: dict[str, tuple[float, int, tuple[str, ...], tuple]] = {}  # host -> (expires, pk, names, values)
_state: dict = {"seen": None, "checked": 0.0}


def _redis():
    import redis

    client = _state.get("client")
    if client is None:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        _state["client"] = client
    return client


def _drop(enterprise_ids: set[str]) -> None:
    with _lock:
        if EVERYTHING in enterprise_ids:
            _entries.clear()
            return
        for host in [host for host, entry in _entries.items() if str(entry[1]) in enterprise_ids]:
            _entries.pop(host, None)


def _read_changes(now: float) -> None:
    if now - _state["checked"] < CHECK_EVERY:
        return
    _state["checked"] = now
    try:
        client = _redis()
        seen = _state["seen"]
        if seen is None:  # a new process: nothing kept yet, start from here
            _state["seen"] = int(client.get(SEQUENCE_KEY) or 0)
            return
        changes = client.zrangebyscore(CHANGES_KEY, f"({seen}", "+inf", withscores=True)
        if not changes:
            return
        oldest = client.zrange(CHANGES_KEY, 0, 0, withscores=True)
    except Exception:  # Redis down: keep entries until their TTL
        logger.debug("routing changes unreadable", exc_info=True)
        return
    newest = int(max(score for _member, score in changes))
    if oldest and int(oldest[0][1]) > seen + 1:
        _drop({EVERYTHING})  # the log no longer reaches back to what this process saw last
    else:
        _drop({member.decode().split(":", 1)[0] for member, _score in changes})
    _state["seen"] = newest


def tenant_for_host(hostname: str):
    """The Enterprise of `hostname` (a fresh instance), or None for an unknown host."""
    from tenants import upgrades
    from tenants.models import Domain, Enterprise

    now = time.monotonic()
    _read_changes(now)
    entry = _entries.get(hostname)
    if entry is not None and entry[0] > now:
        return Enterprise.from_db("default", entry[2], entry[3])
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
            _entries[hostname] = (now + LOCAL_TTL, tenant.pk, names, tuple(getattr(tenant, n) for n in names))
    return tenant


def forget(enterprise_id) -> None:
    """After a change of one enterprise (or of its domains): every process drops its hosts within
    about a second, this one at once."""
    key = EVERYTHING if enterprise_id == EVERYTHING else str(enterprise_id)
    _drop({key})
    try:
        # One script, so numbering and logging are one step: a reader can never see number 7 in
        # the log before number 6 is there (it would skip 6 for good).
        _redis().eval(_ANNOUNCE, 2, SEQUENCE_KEY, CHANGES_KEY, key, KEEP_CHANGES)
    except Exception:  # noqa: BLE001 - Redis down: other processes catch up at their TTL
        logger.warning(
            "could not announce a routing change (Redis unavailable); other web processes "
            "see it within %.0f s",
            LOCAL_TTL,
        )


_ANNOUNCE = """
local sequence = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], sequence, ARGV[1] .. ':' .. sequence)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[2]) - 1)
return sequence
"""


def forget_all() -> None:
    forget(EVERYTHING)


def forget_on_commit(sender, instance, created=False, **kwargs) -> None:
    """post_save / post_delete receiver for Enterprise and Domain. A new domain was never kept (an
    unknown host is not); a changed or deleted one may have been renamed or moved from another
    enterprise (rare: an operator's edit), so everything is dropped then."""
    from tenants.models import Domain

    if isinstance(instance, Domain):
        if created:
            return
        target = EVERYTHING
    else:
        target = instance.pk
    transaction.on_commit(lambda: forget(target), robust=True)

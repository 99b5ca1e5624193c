"""Outages of the platform's own servers: which errors are one, and what a client is told.

While PostgreSQL or Redis cannot be reached, every page and API answers 503 with Retry-After (the
API with the house error body, pages with a static bilingual page: portal/middleware.py), never a
500. Only a lost or refused connection counts: a deadlock, a statement timeout or a programming
error is still the server error it is. Each web process logs the first outage answer of a burst
(and the count of the previous burst), not one traceback per request."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils.translation import gettext_lazy

from core.i18n import in_both_languages

logger = logging.getLogger(__name__)

UNAVAILABLE = gettext_lazy(
    "The service is briefly unavailable while one of its servers restarts. Nothing you saved is lost; "
    "please try again in a few seconds."
)

# SQLSTATEs that mean the server, not the statement: connection exceptions (class 08), too many
# connections, and a server shutting down or starting up (57P01-57P03).
_DATABASE_STATES = ("08", "53300", "57P01", "57P02", "57P03")


def dependency_down(exc: BaseException | None) -> str | None:
    """ "database" or "redis" when `exc` (or what caused it) says that server cannot be reached;
    None for any other error."""
    import psycopg
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, RedisConnectionError | RedisTimeoutError | BrokerError):
            return "redis"
        if isinstance(exc, InterfaceError | psycopg.InterfaceError):
            return "database"
        if isinstance(exc, OperationalError | psycopg.OperationalError):
            cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
            state = getattr(cause, "sqlstate", None)
            # psycopg gives a lost or refused connection no SQLSTATE (it never reached the server).
            if state is None or state.startswith(_DATABASE_STATES):
                return "database"
            return None
        if isinstance(exc, DatabaseError | psycopg.Error):  # a statement's error, not the server's
            return None
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def retry_after() -> str:
    return str(settings.OUTAGE_RETRY_AFTER_SECONDS)


def body() -> dict:
    """The API's answer: the same shape as every other error (core/api.py)."""
    return {"detail": str(UNAVAILABLE), "messages": in_both_languages(UNAVAILABLE)}


class _Bursts:
    """One log line per dependency and burst of outage answers in this process; a burst ends after
    OUTAGE_LOG_QUIET_SECONDS without one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open: dict[str, list] = {}  # dependency -> [first, last, count]

    def record(self, dependency: str, exc: BaseException, path: str) -> None:
        now = time.monotonic()
        quiet = settings.OUTAGE_LOG_QUIET_SECONDS
        with self._lock:
            burst = self._open.get(dependency)
            if burst is not None and now - burst[1] <= quiet:
                burst[1] = now
                burst[2] += 1
                return
            self._open[dependency] = [now, now, 1]
        if burst is not None:
            logger.info(
                "the previous %s outage answered %s requests with 503 over %.0f s",
                dependency,
                burst[2],
                burst[1] - burst[0],
            )
        logger.warning(
            "%s unavailable (%s: %s): answering 503 with Retry-After %s s (first on %s; one line per burst)",
            dependency,
            exc.__class__.__name__,
            str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "",
            retry_after(),
            path,
        )


bursts = _Bursts()

"""Reads that may be served by a PostgreSQL streaming replica: the public hall and the regional
reports, the platform's heaviest reads, which read only public rows and can lag the primary by a
moment. With DATABASE_REPLICA_URL set, they use the "replica" connection; without it, or while the
replica does not answer (checked again after `RETRY_AFTER` seconds), the primary."""

import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
RETRY_AFTER = 30.0
_state = {"down_until": 0.0}
_lock = threading.Lock()


def read_alias() -> str:
    """The database alias for a replica-safe read."""
    if REPLICA not in settings.DATABASES or time.monotonic() < _state["down_until"]:
        return DEFAULT_DB_ALIAS
    replica = connections[REPLICA]
    try:
        # A connection the replica closed (a restart, a failover) is found here, not mid-query.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except Exception:  # noqa: BLE001 - any failure to connect: read from the primary for a while
        with _lock:
            _state["down_until"] = time.monotonic() + RETRY_AFTER
        logger.warning("the read replica does not answer; reading from the primary for %.0f s", RETRY_AFTER)
        return DEFAULT_DB_ALIAS
    return REPLICA

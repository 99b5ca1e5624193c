"""Platform-level tasks. Feature tasks live in their own app's tasks.py."""

import time

from celery import shared_task
from django.db import connection

from worker import status


@shared_task(name="worker.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every 30 s; proves beat and the queue path are alive (shown by /healthz)."""
    status.record_beat_tick(at=time.time())


@shared_task(name="worker.whereami")
def whereami() -> dict:
    """Reports the schema a task runs in and the PostgreSQL backend serving the worker: an
    operator's check that tenant routing reaches workers and that connections are reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return {"schema": connection.schema_name, "database_pid": backend}

"""The Celery application.

`tenant_schemas_celery.CeleryApp` stamps every task sent with the sender's schema (a `_schema_name`
header) and switches the worker's connection to that tenant before the task runs. A task sent from a
public-schema context (beat, a management command) runs in the public schema; a task that must touch
a tenant is sent inside `tenant_context(tenant)` or takes the tenant id and enters it explicitly.
"""

import os

from celery import signals
from django_structlog.celery.steps import DjangoStructLogInitStep
from kombu import Exchange, Queue
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Every task waits while its enterprise's schema is being upgraded (worker/base.py).
app = CeleryApp("portal", task_cls="worker.base:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "provisioning", "scoring", "publishing")

app.conf.update(
    task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
    task_default_queue="default",
    task_default_exchange="default",
    task_default_routing_key="default",
    # Routing by task-name prefix; each app's tasks are named "<area>.<verb>".
    task_routes={
        "tenants.provision*": {"queue": "provisioning"},
        "manufacturing.score*": {"queue": "scoring"},
        "*.publish*": {"queue": "publishing"},
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=24 * 3600,
    # Nothing in the platform reads a task's result (the outboxes and the database say what was done),
    # so none is stored, and a send does not subscribe to its result first: with Redis down that
    # subscription retried its reconnection for ~19 s, holding the request, before the send failed
    # with "The Celery application must be restarted". A caller that wants a result (tests) passes
    # ignore_result=False; its reconnection then gives up after ~1 s, not ~19 s.
    task_ignore_result=True,
    result_backend_transport_options={
        "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
    },
    timezone="Asia/Shanghai",
    # Reliability: a task is acknowledged only after it ran, so a crashed worker's task is delivered
    # again (tasks are idempotent). A message not acknowledged within the visibility timeout is
    # redelivered by Redis; keep it above the longest task's hard time limit.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 3600},
    broker_connection_retry_on_startup=True,
    task_time_limit=600,
    task_soft_time_limit=540,
    task_track_started=True,
    # Task events (for Flower and the like) cost a Redis message per state change: turn them on with
    # `celery -A worker control enable_events` when monitoring.
    worker_send_task_events=False,
    # django-celery-beat keeps the schedule in the database; these entries are synced into it.
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    beat_schedule={
        "beat-heartbeat": {"task": "worker.heartbeat", "schedule": 30.0, "options": {"expires": 25}},
        # One sweeper for every app's outbox (core/outbox.py).
        "sweep-outboxes": {
            "task": "core.sweep_outboxes",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        # Closed enterprises whose grace period is over are erased (tenants/lifecycle.py).
        "erase-closed-enterprises": {
            "task": "tenants.erase_closed_enterprises",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        # Enterprises' data exports past their expiry: the archive is deleted (tenants/data_export.py).
        "expire-data-exports": {
            "task": "tenants.expire_data_exports",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        "delete-expired-tokens": {
            "task": "tenants.delete_expired_tokens",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
    },
)

app.autodiscover_tasks()
# django-structlog in the worker: each task's lines carry the request id of the request that sent it
# (a header it adds when sending) and the task's id (portal/logs.py).
app.steps["worker"].add(DjangoStructLogInitStep)


# The worker logs as the web does (settings.LOGGING: structured, LOG_FORMAT), not in Celery's own
# format: a receiver of setup_logging keeps Celery from configuring the root logger.
@signals.setup_logging.connect
def _setup_logging(**kwargs) -> None:
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Latency histograms and the worker's metrics port (worker/metrics.py).
from worker import metrics as _metrics  # noqa: E402, F401


# Database connections across tasks. With CELERY_DB_REUSE_MAX set, Celery's fix-up no longer closes
# the connection around every task; Django's own rules take over, as for a web request: before a
# task, a connection past CONN_MAX_AGE or that failed its health check is dropped. Celery went back
# to closing after every task (celery#9824) because a task interrupted inside a query (a soft time
# limit raises there) leaves a connection Django still believes usable; so after any task that
# raised, the connection is closed outright.
@signals.task_prerun.connect
def _database_connection_check(**kwargs) -> None:
    from django.db import close_old_connections

    close_old_connections()


@signals.task_failure.connect
def _database_connection_drop(**kwargs) -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()

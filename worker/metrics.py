"""What the workers measure: how long provisioning and scoring took, from the request to the result.

Observed in the worker process that finished the work, from the database's own timestamps (an
enterprise's `created` to its `provisioned_at`; a scoring request's `requested_at` to its
`completed_at`), so the figure includes the time in the queue, re-sends and retries, which is what the
registrant or the assessor waits. A redelivered task that finds the work done observes nothing (the
row must have been completed while this task ran).

How the figures reach Prometheus (docs/operations.md, "Metrics"): with PROMETHEUS_MULTIPROC_DIR set
(prometheus_client's multiprocess mode), each worker process writes its values to files there.
* One machine (`make run`): web and worker share the directory (the runner empties it at start), and
  the web's /metrics adds them up with the web's own.
* Several machines or containers: each worker host has its own directory (docker-compose.yml: a
  tmpfs, empty at every start) and WORKER_METRICS_PORT set; the worker's main process serves that
  directory's figures on that port (WORKER_METRICS_ADDRESS, default 127.0.0.1) for Prometheus to
  scrape each worker.
"""

from __future__ import annotations

import logging
import os

from celery import signals
from django.utils import timezone
from prometheus_client import Histogram

logger = logging.getLogger(__name__)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # multiprocess mode: the files go there
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# Seconds: a scoring takes about a second when the queue is empty; provisioning a few.
BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)

PROVISIONING_LATENCY = Histogram(
    "portal_provisioning_latency_seconds",
    "From a registration to its workspace being ready (queue, retries and re-sends included).",
    buckets=BUCKETS,
)
SCORING_LATENCY = Histogram(
    "portal_scoring_latency_seconds",
    "From an assessment's submission to its score (queue, retries and re-sends included).",
    buckets=BUCKETS,
)

_started: dict[str, object] = {}  # task id -> when it started, in this process


def provisioning_latency(enterprise_id: int, *, since) -> float | None:
    from tenants.models import Enterprise

    row = (
        Enterprise.objects.filter(pk=enterprise_id, status=Enterprise.Status.READY, provisioned_at__gte=since)
        .values_list("created", "provisioned_at")
        .first()
    )
    return None if row is None else (row[1] - row[0]).total_seconds()


def scoring_latency(tenant_id: int, assessment_id: int, *, since) -> float | None:
    from manufacturing.frameworks.models import ScoringRequest

    row = (
        ScoringRequest.objects.filter(
            tenant_id=tenant_id, assessment_id=assessment_id, completed_at__gte=since
        )
        .values_list("requested_at", "completed_at")
        .order_by("-completed_at")
        .first()
    )
    return None if row is None else (row[1] - row[0]).total_seconds()


def _observe(task_name: str, args: tuple, since) -> None:
    if task_name == "tenants.provision_enterprise" and len(args) == 1:
        seconds, histogram = provisioning_latency(args[0], since=since), PROVISIONING_LATENCY
    elif task_name == "manufacturing.score_assessment" and len(args) == 2:
        seconds, histogram = scoring_latency(args[0], args[1], since=since), SCORING_LATENCY
    else:
        return
    if seconds is not None:
        histogram.observe(max(seconds, 0.0))


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = timezone.now()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, args=None, state=None, **kwargs) -> None:
    since = _started.pop(task_id, None)
    if since is None or state != "SUCCESS" or task is None:
        return
    try:
        _observe(task.name, tuple(args or ()), since)
    except Exception:  # a metric must never fail the work it measures
        logger.warning("could not observe the latency of %s", task.name, exc_info=True)


@signals.worker_process_shutdown.connect
def _process_gone(pid=None, **kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@signals.worker_init.connect
def _serve_metrics(**kwargs) -> None:
    """WORKER_METRICS_PORT set: the main process serves its processes' figures on that port."""
    from django.conf import settings

    port = settings.WORKER_METRICS_PORT
    if not port:
        return
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        logger.error("WORKER_METRICS_PORT is set without PROMETHEUS_MULTIPROC_DIR: no worker metrics served")
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    start_http_server(port, addr=settings.WORKER_METRICS_ADDRESS, registry=registry)
    logger.info("worker metrics served on %s:%s", settings.WORKER_METRICS_ADDRESS, port)

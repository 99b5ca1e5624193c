"""/metrics: Prometheus' view of the platform (docs/operations.md, "Metrics").

Served on the public host only (an enterprise's host has no such route), to a scraper that sends
the METRICS_TOKEN as a bearer token or comes from METRICS_ALLOWED_ADDRESSES (the client address of
core/client_ip.py, so behind a proxy only a trusted proxy's X-Forwarded-For counts). Neither set:
404, the endpoint does not exist. No figure names an enterprise: requests are labelled by view (the
route's name), the platform's own figures by queue, outbox or state.

What it adds up:
* django-prometheus' request counters and latency histograms, by view, method and status;
* the workers' provisioning and scoring latency histograms (worker/metrics.py);
  both from every process's files in PROMETHEUS_MULTIPROC_DIR when it is set (gunicorn's workers,
  and the Celery workers on this machine), else from this process's own registry;
* the platform's figures, read at scrape time by `PlatformCollector`: a fixed number of small
  queries, whatever the number of enterprises (one grouped count of them).
"""

from __future__ import annotations

import hmac
import logging
import os

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from core import outbox
from core.client_ip import client_ip, parse
from tenants.selectors import enterprise_counts_by_state
from worker.celery import QUEUES

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority p in the list "<queue>\x06\x16<p>"
# (p = 0: the queue's own name); Celery's default steps.
PRIORITY_STEPS = (0, 3, 6, 9)
PRIORITY_SEP = "\x06\x16"


def queue_depths() -> dict[str, int]:
    """Messages waiting in each Celery queue (LLEN of its lists, one round trip)."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        for queue in QUEUES:
            for step in PRIORITY_STEPS:
                pipe.llen(queue if step == 0 else f"{queue}{PRIORITY_SEP}{step}")
        lengths = pipe.execute()
    finally:
        client.close()
    per_queue = len(PRIORITY_STEPS)
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(QUEUES)}


def outbox_backlog(box: outbox.Outbox, *, now) -> tuple[int, float, int]:
    """(undone rows, age in seconds of the oldest undone one, rows given up and still undone) of one
    outbox. The given-up rows are those `manage.py outbox_restart` would send again; a given-up
    registration is marked failed instead (portal_enterprises{state="failed"})."""
    pending = Q(**{f"{box.gave_up}__isnull": True})
    figures = box.rows.aggregate(
        count=Count("pk", filter=pending),
        oldest=Min(box.since or box.stamp, filter=pending),
        given_up=Count("pk", filter=~pending),
    )
    given_up = figures["given_up"]
    oldest = figures["oldest"]
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return figures["count"], age, given_up


class PlatformCollector:
    """The platform's own figures, read at every scrape. A source that fails (Redis down) leaves its
    figures out and sets portal_metrics_source_up{source} to 0; the others are still given."""

    def collect(self):
        up = GaugeMetricFamily(
            "portal_metrics_source_up", "1 if the source was read at this scrape, else 0.", labels=["source"]
        )
        try:
            depths = queue_depths()
        except Exception:  # Redis down: the figures are missing, the rest is served
            logger.warning("metrics: the queue depths could not be read", exc_info=True)
            up.add_metric(["redis"], 0)
        else:
            up.add_metric(["redis"], 1)
            queue = GaugeMetricFamily(
                "portal_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
            )
            for name, depth in depths.items():
                queue.add_metric([name], depth)
            yield queue
        try:
            yield from self._database()
        except Exception:
            logger.warning("metrics: the database figures could not be read", exc_info=True)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
        yield up

    def _database(self):
        now = timezone.now()
        backlog = GaugeMetricFamily(
            "portal_outbox_backlog", "Undone rows of an outbox (work asked, not yet done).", labels=["outbox"]
        )
        oldest = GaugeMetricFamily(
            "portal_outbox_oldest_seconds",
            "Age of the oldest undone row of an outbox (since first asked where known), 0 if none.",
            labels=["outbox"],
        )
        given_up = GaugeMetricFamily(
            "portal_outbox_given_up_rows",
            "Rows of an outbox given up and still undone, waiting for `manage.py outbox_restart`.",
            labels=["outbox"],
        )
        for name, box in sorted(outbox.registered().items()):
            count, age, spent = outbox_backlog(box, now=now)
            backlog.add_metric([name], count)
            oldest.add_metric([name], age)
            given_up.add_metric([name], spent)
        states = GaugeMetricFamily("portal_enterprises", "Enterprises by state.", labels=["state"])
        for state, count in enterprise_counts_by_state().items():
            states.add_metric([state], count)
        return [backlog, oldest, given_up, states]


class _ThisProcess:
    """This process's own registry, when it keeps its figures in memory (no multiprocess mode)."""

    def collect(self):
        return REGISTRY.collect()


def registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if settings.PROMETHEUS_MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # prometheus_client decides at import: without the variable this process's figures are in
        # memory, not in the directory's files.
        registry.register(_ThisProcess())
    registry.register(PlatformCollector())
    return registry


def allowed(request) -> bool:
    """True if the request brings the token or comes from an allowed address; Http404 if neither is
    configured (the endpoint is off)."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_ADDRESSES
    if not token and not networks:
        raise Http404
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    if networks:
        import ipaddress

        address = parse(client_ip(request))
        if address is not None and any(
            address in ipaddress.ip_network(network, strict=False) for network in networks
        ):
            return True
    return False


@require_GET
def metrics(request):
    if not allowed(request):
        response = HttpResponse(
            "Forbidden: send the metrics token, or scrape from an allowed address.\n"
            "禁止访问：请携带指标令牌，或从允许的地址抓取。\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        if settings.METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)

"""/metrics (portal/metrics.py): refused without the token or an allowed address, absent on enterprise
hosts and when not configured; request figures by view; the platform's own figures read at scrape
time (queue depth, outbox backlog, enterprises by state); the worker's scoring latency histogram."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-me-0123456789abcdef"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = []
    return TOKEN


def scrape(client=None, **extra) -> dict:
    """{(sample name, ((label, value), ...)): value} from /metrics, with the token."""
    client = client or Client(HTTP_HOST=django_settings.PORTAL_DOMAIN)
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)
    assert response.status_code == 200, response.content
    samples = defaultdict(float)
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] += sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may scrape ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_do_not_exist_unless_a_token_or_an_address_is_configured(public_client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = []
    assert public_client.get("/metrics").status_code == 404
    assert public_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_metrics_need_the_token(public_client, token):
    refused = public_client.get("/metrics")
    assert refused.status_code == 403 and refused["WWW-Authenticate"].startswith("Bearer")
    assert "metrics" not in refused.content.decode().split("\n", 1)[1]  # no figure in the refusal
    assert public_client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert public_client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403
    allowed = public_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/plain")
    assert b"portal_enterprises" in allowed.content


@pytest.mark.django_db
def test_metrics_from_an_allowed_address_only_and_a_forged_forwarded_for_does_not_help(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = ["10.20.0.0/16"]
    settings.TRUSTED_PROXIES = []
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    forged = client.get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.20.3.4")
    assert forged.status_code == 403
    # Behind a trusted proxy, the address it saw is the client's.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    behind = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.9.9")
    assert behind.status_code == 200
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert outside.status_code == 403


@pytest.mark.django_db
def test_an_enterprise_host_has_no_metrics_even_with_the_token(alpha, beta, token):
    for world in (alpha, beta):
        for client in (world.client(), world.client(logged_in=False)):
            response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
            assert response.status_code == 404
            assert b"portal_enterprises" not in response.content


# --- what it says ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_view(public_client, token):
    before = scrape()
    for _ in range(3):
        assert public_client.get("/about/").status_code == 200
    assert public_client.get("/no-such-page/").status_code == 404
    after = scrape()
    by_view = "django_http_requests_total_by_view_transport_method_total"
    assert (
        value(after, by_view, view="about", transport="http", method="GET")
        - value(before, by_view, view="about", transport="http", method="GET")
        == 3
    )
    responses = "django_http_responses_total_by_status_view_method_total"
    assert (
        value(after, responses, status="200", view="about", method="GET")
        - value(before, responses, status="200", view="about", method="GET")
        == 3
    )
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert (
        value(after, latency, view="about", method="GET") - value(before, latency, view="about", method="GET")
        == 3
    )
    assert value(after, responses, status="404", view="<unnamed view>", method="GET") > value(
        before, responses, status="404", view="<unnamed view>", method="GET"
    )


@pytest.mark.django_db
def test_queue_depth_is_the_number_of_messages_waiting(token, monkeypatch):
    from portal import metrics

    queue = "test-metrics-queue"  # a queue no worker consumes, in the test Redis database
    monkeypatch.setattr(metrics, "QUEUES", (*metrics.QUEUES, queue))
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(queue, f"{queue}\x06\x163")
    try:
        assert value(scrape(), "portal_celery_queue_length", queue=queue) == 0
        client.lpush(queue, "a", "b", "c")
        client.lpush(f"{queue}\x06\x163", "d")  # priority 3
        samples = scrape()
        assert value(samples, "portal_celery_queue_length", queue=queue) == 4
        assert value(samples, "portal_metrics_source_up", source="redis") == 1
        assert {"default", "provisioning", "scoring", "publishing"} <= {
            dict(labels)["queue"] for name, labels in samples if name == "portal_celery_queue_length"
        }
    finally:
        client.delete(queue, f"{queue}\x06\x163")


@pytest.mark.django_db
def test_outbox_backlog_oldest_and_given_up_reflect_the_rows(alpha, token):
    from manufacturing.frameworks.models import ScoringRequest

    before = scrape()
    now = timezone.now()
    request = ScoringRequest.objects.create(tenant=alpha.enterprise, assessment_id=987_001, sent_at=now)
    # Asked 20 minutes ago, re-sent a minute ago: the age counts from the asking.
    ScoringRequest.objects.filter(pk=request.pk).update(
        requested_at=now - timedelta(minutes=20), sent_at=now - timedelta(minutes=1)
    )
    pending = scrape()
    assert (
        value(pending, "portal_outbox_backlog", outbox="scoring")
        == value(before, "portal_outbox_backlog", outbox="scoring") + 1
    )
    assert value(pending, "portal_outbox_oldest_seconds", outbox="scoring") >= 20 * 60
    ScoringRequest.objects.filter(pk=request.pk).update(gave_up_at=now)
    spent = scrape()
    assert value(spent, "portal_outbox_backlog", outbox="scoring") == value(
        before, "portal_outbox_backlog", outbox="scoring"
    )
    assert (
        value(spent, "portal_outbox_given_up_rows", outbox="scoring")
        == value(before, "portal_outbox_given_up_rows", outbox="scoring") + 1
    )
    for name in ("provisioning", "scoring", "review-publishing", "financing-facts", "hall-publishing"):
        assert ("portal_outbox_backlog", (("outbox", name),)) in spent


@pytest.mark.django_db
def test_a_row_the_sweeper_gives_up_is_counted_and_waits_until_restarted(alpha, token, settings, monkeypatch):
    from core import outbox
    from manufacturing import tasks
    from manufacturing.frameworks.models import ScoringRequest

    settings.OUTBOX_MAX_RESENDS = 0  # given up at its first sweep
    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a: None)
    stale = timezone.now() - timedelta(hours=1)
    request = ScoringRequest.objects.create(tenant=alpha.enterprise, assessment_id=987_002, sent_at=stale)
    before = scrape()
    outbox.sweep(names={"scoring"}, older_than_seconds=0)
    assert ScoringRequest.objects.get(pk=request.pk).gave_up_at is not None
    spent = scrape()
    total = "portal_outbox_given_up_total"
    assert value(spent, total, outbox="scoring") == value(before, total, outbox="scoring") + 1
    rows = "portal_outbox_given_up_rows"
    assert value(spent, rows, outbox="scoring") == value(before, rows, outbox="scoring") + 1
    assert outbox.restart("scoring", pks=[request.pk]) == 1
    restarted = scrape()
    assert value(restarted, rows, outbox="scoring") == value(before, rows, outbox="scoring")
    assert value(restarted, total, outbox="scoring") == value(
        spent, total, outbox="scoring"
    )  # a count of events


@pytest.mark.django_db
def test_enterprises_are_counted_by_state(make_enterprise, token):
    from tenants.models import Enterprise

    before = scrape()
    world = make_enterprise()
    after = scrape()
    assert (
        value(after, "portal_enterprises", state="ready")
        == value(before, "portal_enterprises", state="ready") + 1
    )
    Enterprise.objects.filter(pk=world.enterprise.pk).update(status=Enterprise.Status.FAILED)
    failed = scrape()
    assert (
        value(failed, "portal_enterprises", state="failed")
        == value(before, "portal_enterprises", state="failed") + 1
    )
    assert value(failed, "portal_enterprises", state="ready") == value(
        before, "portal_enterprises", state="ready"
    )
    assert (
        value(failed, "portal_enterprises", state="pending")
        == Enterprise.objects.filter(status="pending").count()
    )


@pytest.mark.django_db
def test_the_platform_figures_cost_the_same_whatever_the_number_of_enterprises(make_enterprise, token):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.outbox import registered
    from portal.metrics import PlatformCollector

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(PlatformCollector().collect())
        return len(captured)

    queries()  # warm
    before = queries()
    make_enterprise()
    make_enterprise()
    assert queries() == before
    # One aggregate per outbox; one grouped count of the enterprises.
    assert before <= len(registered()) + 1


@pytest.mark.worker
def test_the_scoring_latency_histogram_counts_a_task_the_worker_ran(
    celery_worker, committed, alpha, settings
):
    from tests.conftest import METRICS_DIR
    from tests.manufacturing.test_scoring_worker import forget
    from tests.test_logs import submit_on_host, wait_scored

    settings.METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = METRICS_DIR  # where the worker subprocess writes its figures
    before = scrape()
    assessment_id, _ = submit_on_host(alpha)
    try:
        wait_scored(alpha, assessment_id, celery_worker)
        count = "portal_scoring_latency_seconds_count"
        # Observed once the task has returned, a moment after its result was committed.
        deadline = time.monotonic() + 10
        while value(after := scrape(), count) == value(before, count) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert value(after, count) == value(before, count) + 1, celery_worker.log_path.read_text()[-2000:]
        assert value(after, "portal_scoring_latency_seconds_sum") > value(
            before, "portal_scoring_latency_seconds_sum"
        )
        assert value(after, "portal_scoring_latency_seconds_bucket", le="+Inf") == value(after, count)
    finally:
        forget(alpha, assessment_id)


@pytest.mark.worker
def test_the_requests_gunicorn_served_are_added_up_from_its_processes_files(
    live_server_url, committed, settings
):
    """The real gunicorn writes its figures to the multiprocess directory (as every web process does in
    production); /metrics adds them up."""
    import urllib.request

    from tests.conftest import METRICS_DIR

    settings.METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = METRICS_DIR
    by_view = "django_http_requests_total_by_view_transport_method_total"
    labels = {"view": "about", "transport": "http", "method": "GET"}
    before = value(scrape(), by_view, **labels)
    for _ in range(3):
        with urllib.request.urlopen(f"{live_server_url}/about/", timeout=10) as response:  # noqa: S310
            assert response.status == 200
            assert response.headers["X-Request-ID"]
    assert value(scrape(), by_view, **labels) == before + 3


@pytest.mark.worker
def test_a_worker_on_another_machine_serves_its_own_figures_on_its_metrics_port(committed, tmp_path):
    """WORKER_METRICS_PORT (docker-compose.yml's worker): the worker's main process serves the
    figures its processes write to their own directory. Consumes a queue nobody sends to."""
    import urllib.error
    import urllib.request

    from portal.runner import free_port
    from tests.conftest import _stop, _subprocess_env, start_worker

    port = free_port()
    directory = tmp_path / "metrics"
    env = _subprocess_env(PROMETHEUS_MULTIPROC_DIR=str(directory), WORKER_METRICS_PORT=str(port))
    process = start_worker(env, tmp_path / "worker.log", f"metrics-{port}@%h", queues="test-metrics-none")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    body = response.read().decode()
                if "portal_scoring_latency_seconds_count" in body:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.2)
        samples = {s.name for family in text_string_to_metric_families(body) for s in family.samples}
        assert {
            "portal_scoring_latency_seconds_count",
            "portal_provisioning_latency_seconds_count",
        } <= samples
        assert not any(name.startswith("portal_enterprises") for name in samples)  # the web's figures only
    finally:
        _stop(process)

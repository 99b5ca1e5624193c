"""Liveness of Redis, the Celery workers and beat, as /healthz reports it."""

import time

import redis
from django.conf import settings

BEAT_KEY = "portal:beat:last-tick"


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def record_beat_tick(*, at: float) -> None:
    _client().set(BEAT_KEY, str(at), ex=3600)


def redis_state() -> dict:
    try:
        started = time.perf_counter()
        _client().ping()
        return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def workers_state(*, timeout: float = 1.0) -> dict:
    """Broadcasts a ping and returns as soon as the first worker answers (or after `timeout`)."""
    from worker.celery import app

    try:
        replies = app.control.ping(timeout=timeout, limit=1) or []
    except Exception as exc:  # noqa: BLE001 - any broker failure means "no worker reachable"
        return {"ok": False, "count": 0, "error": exc.__class__.__name__}
    # Counted, not named: /healthz is public and host names are nobody's business.
    count = sum(len(reply) for reply in replies)
    return {"ok": count > 0, "count": count}


def beat_state() -> dict:
    try:
        raw = _client().get(BEAT_KEY)
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if raw is None:
        return {"ok": False, "last_tick_age_s": None}
    age = round(time.time() - float(raw), 1)
    return {"ok": age < 120, "last_tick_age_s": age}

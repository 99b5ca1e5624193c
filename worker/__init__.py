"""Celery app, tenant-aware task base, queues, routing and the beat schedule."""

from .celery import app as celery_app

__all__ = ["celery_app"]

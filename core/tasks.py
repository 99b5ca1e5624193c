"""The kernel's one beat task: the outbox sweeper (core/outbox.py)."""

from celery import shared_task

from core import outbox


@shared_task(name="core.sweep_outboxes", ignore_result=True)
def sweep_outboxes() -> dict[str, int]:
    """Beat, every minute: re-sends the work of every registered outbox left undone, and gives up
    (once, with an alert) the work whose re-sends are spent."""
    return outbox.sweep()

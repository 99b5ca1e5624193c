"""The sweepers' common part: re-sending the work whose message was lost (a broker restart between
a commit and the worker) or whose worker died. Each sweeper names the rows still undone, the time
field that says when they were last sent, and the task to send again."""

import logging

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
BATCH = 500


def resend_stale(rows, *, stamp: str, args: tuple[str, ...], task, older_than_seconds=None, also=None) -> int:
    """Sends `task(*args)` again for the rows last sent more than a few minutes ago, and stamps them
    (plus the `also` updates) so the next sweep waits again. Returns how many were sent."""
    wait = older_than_seconds if older_than_seconds is not None else settings.SCORING_SWEEP_AFTER_SECONDS
    now = timezone.now()
    stale = list(
        rows.filter(**{f"{stamp}__lt": now - timezone.timedelta(seconds=wait)}).values_list("pk", *args)[
            :BATCH
        ]
    )
    for pk, *values in stale:
        logger.warning("re-sending %s%s (%s %s)", task.name, tuple(values), rows.model.__name__, pk)
        task.delay(*values)
    rows.model.objects.filter(pk__in=[row[0] for row in stale]).update(**{stamp: now}, **(also or {}))
    return len(stale)

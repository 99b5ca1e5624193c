"""The outbox: one way to make sure background work is done, for every app.

A producer writes, in the same transaction as the change, a row that says the work is undone (an
enterprise still pending, a scoring request without `completed_at`, ...), and sends the task on
commit. The message can still be lost (a broker restart between the commit and the worker) or its
worker die. So each app registers its outbox here (in its AppConfig.ready(); the kernel imports no
app of ours), and one beat task, `core.sweep_outboxes`, goes over them all every minute:

* a row undone for a full wait (OUTBOX_RESEND_AFTER_SECONDS) after its last send is sent again, with
  the explicit ids the task takes (tasks enter their tenant themselves, so the sweeper never needs
  to), and stamped, so the next send waits a full interval again;
* at most OUTBOX_MAX_RESENDS times, the same cap for every outbox. A row still undone a full wait
  after its last re-send is given up: `gave_up_at` is set (sweeps skip it from then on), the outbox's
  `on_give_up` runs (provisioning marks the registration failed, with a reason the registrant
  reads), one ERROR is logged and the active superusers get one notice. Exactly once per row: the
  row is claimed by the update that sets `gave_up_at`. Work that keeps failing needs a person, not
  another message every few minutes.

A send that fails because the broker (Redis) is down is not left to the sweeper alone: it is tried
again in the background (`_Retries`: 0.5 s, 1 s, 2 s... at most OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS
apart, for OUTBOX_SEND_RETRY_FOR_SECONDS), so work sent during a short outage is done within seconds
of the broker coming back; the request that sent it is not held.

A producer that starts the same row's work again (a registration retried, an assessment resubmitted)
resets its `resends` to 0 and `gave_up_at` to None. Tasks must be idempotent: a re-send may race the
original message."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from prometheus_client import Counter

logger = logging.getLogger(__name__)
BATCH = 500  # rows re-sent per outbox and sweep; the rest wait for the next minute
# Counted in the process that swept (a worker); /metrics or the worker's metrics port adds them up.
GIVEN_UP = Counter("portal_outbox_given_up", "Rows given up by the sweeper, per outbox.", ["outbox"])


@dataclass(frozen=True)
class Outbox:
    """What the sweeper needs to know of one producer's undone work.

    `rows`: the undone rows (a queryset; filtered anew at every sweep). `stamp`: the time field of
    the last send. `args`: the fields whose values the task takes, in order (explicit ids, never the
    schema the message was sent in). `task`: the dotted path of the Celery task, imported when sent
    (so registering imports no tasks module, and a test's monkeypatch of `.delay` is honoured).
    `on_give_up`: called with the same values as the task, in the sweep's transaction, when the row
    is given up. The row's model has the `resends` (counter) and `gave_up_at` fields. `since`: the
    time field of when the work was first asked, for the age of the oldest undone row in the metrics
    (portal/metrics.py); without one, the stamp (which every re-send moves)."""

    name: str
    rows: QuerySet
    stamp: str
    args: tuple[str, ...]
    task: str
    on_give_up: Callable[..., None] | None = None
    resends: str = "resends"
    gave_up: str = "gave_up_at"
    since: str | None = None

    def send(self, *values) -> None:
        import_string(self.task).delay(*values)


_registry: dict[str, Outbox] = {}


def register(outbox: Outbox) -> Outbox:
    """Called once per producer at start-up (AppConfig.ready()); registering the same name again
    replaces it (a reload)."""
    _registry[outbox.name] = outbox
    return outbox


def send_on_commit(name: str, *values) -> None:
    """A producer's send: the task of the outbox registered as `name`, with these explicit ids, once
    the current transaction commits. Robust: if the broker is down the send is logged and skipped, and
    the row the producer wrote in the transaction makes the sweeper send it later. Producers name the
    outbox rather than import their task, so a task module and its service never import each other."""
    outbox = _registry[name]
    transaction.on_commit(lambda: _send_or_retry(outbox, values), robust=True)


def _send_or_retry(outbox: Outbox, values: tuple) -> None:
    """Sends now; if the broker is down (or known to be: sends are already waiting for it), the
    send waits its turn in the background instead."""
    from core.outages import dependency_down

    if retries.waiting():
        retries.add(outbox, values)
        return
    try:
        outbox.send(*values)
    except Exception as exc:
        if dependency_down(exc) != "redis":
            raise
        logger.warning("the broker is unreachable (%s); %s%s is sent again shortly", exc, outbox.task, values)
        retries.add(outbox, values)


class _Retries:
    """Sends that failed for want of a broker, tried again by one daemon thread per process, in
    order, with one backoff for all (they all wait for the same server). Bounded in number and in
    time: what is dropped stays undone in its outbox, and the sweeper sends it."""

    FIRST_DELAY = 0.5
    MAX_WAITING = 10_000

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: deque = deque()  # (outbox, values, failed at)
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._dropped = 0  # sends left to the sweeper since the queue was last full

    def waiting(self) -> bool:
        return bool(self._queue) and self._pid == os.getpid()

    def add(self, outbox: Outbox, values: tuple) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread and sends are not ours
                self._queue, self._thread, self._pid, self._dropped = deque(), None, os.getpid(), 0
            if len(self._queue) >= self.MAX_WAITING:
                # said once per burst (the count when the broker is back), not once per send
                self._dropped += 1
                if self._dropped == 1:
                    logger.warning(
                        "%s sends wait for the broker; %s%s and the sends after it are left to the "
                        "sweeper until the broker is back",
                        len(self._queue),
                        outbox.task,
                        values,
                    )
                return
            self._queue.append((outbox, values, time.monotonic()))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbox-send-retries", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        from core.outages import dependency_down

        delay, started, sent = self.FIRST_DELAY, time.monotonic(), 0
        while True:
            time.sleep(delay)
            while True:
                with self._lock:
                    if not self._queue:
                        self._thread = None
                        logger.warning(
                            "the broker is back: %s delayed sends went out, %.1f s after the first "
                            "failed; %s more were left to the sweeper (too many waiting)",
                            sent,
                            time.monotonic() - started,
                            self._dropped,
                        )
                        self._dropped = 0
                        return
                    outbox, values, failed_at = self._queue[0]
                if time.monotonic() - failed_at > settings.OUTBOX_SEND_RETRY_FOR_SECONDS:
                    logger.warning("%s%s: the broker is still down; left to the sweeper", outbox.task, values)
                    self._pop()
                    continue
                try:
                    outbox.send(*values)
                except Exception as exc:
                    if dependency_down(exc) == "redis":
                        delay = min(delay * 2, settings.OUTBOX_SEND_RETRY_MAX_DELAY_SECONDS)
                        break
                    logger.exception("%s%s failed; left to the sweeper", outbox.task, values)
                else:
                    sent += 1
                    delay = self.FIRST_DELAY
                self._pop()

    def _pop(self) -> None:
        with self._lock:
            self._queue.popleft()


retries = _Retries()


def registered() -> dict[str, Outbox]:
    return dict(_registry)


SWEEP_LOCK = "outbox:sweep"


def sweep(*, names=None, older_than_seconds: int | None = None) -> dict[str, int]:
    """One sweep over every registered outbox (or those named): how many rows each re-sent. An outbox
    that fails is logged and the others are still swept. Two sweeps never overlap (one that runs
    past the next minute's tick would otherwise send the same rows twice and count them twice): the
    lock is a Redis key, not a PostgreSQL session lock, which transaction pooling would not keep."""
    from django.core.cache import cache

    try:
        if not cache.add(SWEEP_LOCK, "1", timeout=settings.OUTBOX_RESEND_AFTER_SECONDS):
            logger.info("an outbox sweep is already running; this one is skipped")
            return {}
    except Exception:  # noqa: BLE001 - Redis down: nothing could be sent anyway; the next tick tries
        logger.warning("the outbox sweep is skipped: its lock (Redis) is unreachable")
        return {}
    try:
        sent = {}
        for name, outbox in registered().items():
            if names is not None and name not in names:
                continue
            try:
                sent[name] = outbox_sweep(outbox, older_than_seconds=older_than_seconds)
            except Exception:
                logger.exception("sweeping the outbox %s failed", name)
                sent[name] = 0
        return sent
    finally:
        cache.delete(SWEEP_LOCK)


def outbox_sweep(outbox: Outbox, *, older_than_seconds: int | None = None) -> int:
    """Re-sends one outbox's rows left undone a full wait after their last send, and gives up those
    whose re-sends are spent. Returns how many were re-sent."""
    wait = settings.OUTBOX_RESEND_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cap = settings.OUTBOX_MAX_RESENDS
    now = timezone.now()
    stale = outbox.rows.filter(
        **{f"{outbox.gave_up}__isnull": True, f"{outbox.stamp}__lt": now - timezone.timedelta(seconds=wait)}
    )
    spent = stale.filter(**{f"{outbox.resends}__gte": cap})
    given_up = []
    for pk, *values in spent.values_list("pk", *outbox.args)[:BATCH]:
        try:
            if _give_up(outbox, spent, pk, values, now=now):
                given_up.append(values)
                GIVEN_UP.labels(outbox.name).inc()
        except Exception:  # one row's give-up must not stop the others nor the re-sends below
            logger.exception("outbox %s: giving up row %s failed", outbox.name, pk)
    if given_up:
        _alert_staff(outbox, given_up)
    due = list(stale.filter(**{f"{outbox.resends}__lt": cap}).values_list("pk", *outbox.args)[:BATCH])
    for pk, *values in due:
        logger.warning("re-sending %s%s (%s %s)", outbox.task, tuple(values), outbox.name, pk)
        outbox.send(*values)
    # Stamped, so the next sweep waits a full interval before sending again.
    outbox.rows.model.objects.filter(pk__in=[row[0] for row in due]).update(
        **{outbox.stamp: now, outbox.resends: F(outbox.resends) + 1}
    )
    return len(due)


def _give_up(outbox: Outbox, spent: QuerySet, pk, values: list, *, now) -> bool:
    """Gives one row up, if it still is what made it due: undone, spent and stale (it may have been
    done or restarted since it was listed). True if this sweep gave it up."""
    with transaction.atomic():
        claimed = spent.filter(pk=pk).update(**{outbox.gave_up: now})
        if not claimed:  # done, restarted, or given up by another sweep since it was listed
            return False
        if outbox.on_give_up is not None:
            outbox.on_give_up(*values)
        logger.error(
            "outbox %s: %s%s (%s) still undone after %s re-sends; given up, look at the worker log; "
            "`manage.py outbox_restart %s` sends it again once the cause is fixed",
            outbox.name,
            outbox.task,
            tuple(values),
            pk,
            settings.OUTBOX_MAX_RESENDS,
            outbox.name,
        )
    return True


def _alert_staff(outbox: Outbox, given_up: list[list]) -> None:
    """One notice per outbox and sweep, however many rows it gave up (each row has its ERROR line)."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import get_public_schema_name, schema_context

    from core.notices import notify

    # The platform's superusers: django-tenant-users keeps the flag in the public schema's
    # permission rows (an enterprise schema has none).
    with schema_context(get_public_schema_name()):
        users = get_user_model().objects.filter(is_active=True, usertenantpermissions__is_superuser=True)
        staff = list(users.distinct())
    shown = "; ".join(", ".join(str(v) for v in values) for values in given_up[:20])
    notify(
        users=staff,
        message=_(
            "Background work was given up after %(resends)s re-sends: %(count)s of %(outbox)s (%(ids)s). "
            "The worker log says why; once fixed, `manage.py outbox_restart %(outbox)s` sends it again."
        ),
        params={
            "resends": settings.OUTBOX_MAX_RESENDS,
            "count": len(given_up),
            "outbox": outbox.name,
            "ids": shown + (" …" if len(given_up) > 20 else ""),
        },
    )


def restart(name: str, *, pks=None) -> int:
    """Puts given-up rows of one outbox back in its queue (all of them, or those whose primary keys
    are named): their re-sends start again from 0 and the next sweep sends them. Rows the outbox no
    longer lists as undone (a registration marked failed, which its registrant retries) are left
    alone. Returns how many were restarted."""
    outbox = _registry[name]
    rows = outbox.rows.filter(**{f"{outbox.gave_up}__isnull": False})
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    # Stamped as sent one full wait ago, so the next sweep sends them.
    due = timezone.now() - timezone.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
    return outbox.rows.model.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).update(
        **{outbox.gave_up: None, outbox.resends: 0, outbox.stamp: due}
    )

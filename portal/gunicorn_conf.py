"""gunicorn's settings for the web tier: `make run` passes this file with -c, and so does the load
bench (bench/load.py), so that what is measured is what runs. The address comes from the command
line (--bind). Each setting can be changed through the environment without editing the file
(WEB_WORKERS=3 make run); docs/operations.md ("Under load") gives the measurements behind them.

* gthread workers, 2 processes x 4 threads: a request spends a good part of its time waiting for
  PostgreSQL (and a sign-in in PBKDF2, which releases the GIL), so a few threads keep both cores busy;
  more on 2 cores only add contention (measured: 4 workers spent more CPU a request and had a worse
  p95 in both rounds; 8 threads were inconclusive, with the most connection resets).
  Not gevent: psycopg would need patching. Rule of thumb elsewhere: workers = cores, threads 4.
* keep-alive 5 s, longer than the think time of a person clicking on (1 to 3 s in the load bench):
  with gunicorn's default of 2 s, the server closed idle connections just as clients sent their next
  request on them (ConnectionResetError / RemoteDisconnected under load). An idle connection costs a
  file descriptor in the worker's poller, not a thread.
"""

import os

worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
graceful_timeout = 5
control_socket_disable = True
# No access log by default: django-structlog's request_finished line (portal/logs.py) says each
# request with its id, status, user and view, in the console format for `make run` and JSON in
# production, and with secret tokens masked; gunicorn's plain-text line only repeated it, with the
# full query string. WEB_ACCESS_LOG=- turns it on (to stdout), or names a file.
accesslog = os.environ.get("WEB_ACCESS_LOG", "").strip() or None


def child_exit(server, worker):
    """A web worker that exits leaves its metrics files (prometheus_client's multiprocess mode,
    PROMETHEUS_MULTIPROC_DIR): its gauges are marked dead so /metrics stops adding them up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

"""`make run` end to end: the runner starts web, worker and beat, reports healthy, and stops every
process it started on Ctrl-C; a runner killed outright takes its children with it."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import psutil
import psycopg
import pytest

from portal.runner import ROOT, free_port


@pytest.fixture
def scratch_database():
    """A database of its own on the test server, so `setup_platform` and the demo data land there."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"runner_{os.getpid()}"
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_runner(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "PORTAL_DOMAIN": "localhost"}
    return subprocess.Popen(
        [sys.executable, "-m", "portal.runner", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_banner(process: subprocess.Popen, timeout: float = 120) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if "Press Ctrl-C to stop" in line:  # the banner's last line
            return "".join(seen)
    raise AssertionError("no banner:\n" + "".join(seen[-40:]))


def healthz(port: int) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
        return response.status


def test_run_then_ctrl_c_stops_everything(scratch_database):
    port = free_port()
    runner = start_runner(scratch_database, port)
    try:
        output = wait_for_banner(runner)
        assert "owner@bj-precision.example.com" in output and "assessor@example.com" in output
        assert healthz(port) == 200
        children = psutil.Process(runner.pid).children(recursive=True)
        assert len(children) >= 3  # gunicorn, celery worker, celery beat (and their own children)
        runner.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert runner.wait(60) == 0
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == []
        with pytest.raises(OSError):
            healthz(port)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)


def test_a_killed_runner_takes_its_children_along(scratch_database):
    port = free_port()
    runner = start_runner(scratch_database, port)
    try:
        wait_for_banner(runner)
        children = psutil.Process(runner.pid).children(recursive=True)
        runner.kill()  # SIGKILL: no handler runs
        runner.wait(10)
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], [(p.status(), p.cmdline()) for p in alive]
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)


def test_a_taken_port_is_a_clear_error(scratch_database):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        runner = start_runner(scratch_database, port)
        out, _ = runner.communicate(timeout=60)
    assert runner.returncode == 1
    assert f"port {port}" in out and "in use" in out

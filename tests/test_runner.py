"""The runner's choice between embedded and external servers, and the embedded servers themselves."""

import socket
import urllib.parse

import dj_database_url
import pytest

from portal import runner


def test_plan_embeds_both_when_nothing_is_set():
    plan = runner.plan_services({})
    assert plan.embedded_postgres and plan.embedded_redis


def test_plan_uses_external_servers_when_urls_are_set():
    plan = runner.plan_services(
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert not plan.embedded_postgres and not plan.embedded_redis
    assert plan.database_url == "postgresql://postgres@127.0.0.1:5432/portal"


def test_plan_mixes_when_only_one_is_set():
    plan = runner.plan_services({"REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": "  "})
    assert plan.embedded_postgres and not plan.embedded_redis


def test_services_start_nothing_for_external_urls():
    environ = {
        "DATABASE_URL": "postgresql://u@db.example:5432/x",
        "REDIS_URL": "redis://cache.example:6379/1",
    }
    with runner.Services("test", environ=environ) as services:
        assert services._pg is None and services._redis is None
        assert services.env["DATABASE_URL"] == environ["DATABASE_URL"]
        assert services.env["REDIS_URL"] == environ["REDIS_URL"]


def test_socket_url_round_trips_through_dj_database_url(tmp_path):
    socket_dir = tmp_path / "deep dir" / "pg"
    config = dj_database_url.parse(runner.socket_database_url(socket_dir, "portal"))
    assert config["HOST"] == str(socket_dir)
    assert config["NAME"] == "portal"
    assert config["USER"] == "postgres"


def test_embedded_redis_starts_on_a_free_port_and_stops(tmp_path):
    server = runner.EmbeddedRedis(tmp_path / "redis", persistent=False)
    url = server.start()
    port = urllib.parse.urlsplit(url).port
    assert port not in (6379, None)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16).startswith(b"+PONG")
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_persistent_redis_keeps_the_queue_across_a_restart(tmp_path):
    import redis

    server = runner.EmbeddedRedis(tmp_path / "redis", persistent=True)
    client = redis.Redis.from_url(server.start())
    client.lpush("queue", "job-1")
    server.stop()
    client = redis.Redis.from_url(server.start())  # same directory, new port
    assert client.lrange("queue", 0, -1) == [b"job-1"]
    server.stop()


def test_redact_hides_passwords():
    assert runner._redact("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert runner._redact("redis://h:6379/0") == "redis://h:6379/0"


def test_a_leftover_redis_on_the_same_directory_is_stopped_first(tmp_path):
    first = runner.EmbeddedRedis(tmp_path / "redis", persistent=True)
    first_port = urllib.parse.urlsplit(first.start()).port
    # The runner that started `first` was killed: a new one starts on the same directory.
    second = runner.EmbeddedRedis(tmp_path / "redis", persistent=True)
    second.start()
    try:
        with pytest.raises(OSError):  # the leftover no longer listens
            socket.create_connection(("127.0.0.1", first_port), timeout=1).close()
    finally:
        second.stop()


def test_the_port_check_refuses_a_listener_but_not_connections_in_time_wait():
    """After a stop under load, closed connections of the old server wait out TIME_WAIT on its port:
    `make run` must not take that for "port in use" (a new server can listen there)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    assert not runner._port_free("127.0.0.1", port)  # someone listens: in use
    client = socket.create_connection(("127.0.0.1", port))
    served, _address = listener.accept()
    served.close()  # the server closes first: its side of the connection enters TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    # without SO_REUSEADDR, the port still looks taken: the connection is really in TIME_WAIT
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))
    assert runner._port_free("127.0.0.1", port)


def test_the_restart_policy_backs_off_and_gives_up_only_on_repeated_exits():
    policy = runner.RestartPolicy(limit=4, window=60, first=1, longest=3)
    assert [policy.after_exit("beat", t) for t in (0, 1, 2)] == [1, 2, 3]  # doubling, at most 3
    assert policy.after_exit("worker", 3) == 1  # each child counts its own exits
    assert policy.after_exit("beat", 3) is None  # the fourth within the minute: stop
    late = runner.RestartPolicy(limit=2, window=10)
    assert late.after_exit("web", 0) == 1
    assert late.after_exit("web", 11) == 1  # the first exit is out of the window: start it again


def _child(tmp_path, name: str, code: str) -> runner.Child:
    import os
    import sys

    return runner.Child(name, [sys.executable, "-c", code], dict(os.environ))


def test_a_child_that_exits_is_started_again_and_the_platform_runs_on(tmp_path):
    """Beat exiting once (PostgreSQL restarting under it) no longer stops everything: it is started
    again and runs; the runner was never asked to stop."""
    import threading
    import time

    marker = tmp_path / "ran-once"
    code = (
        f"import pathlib, sys, time\np = pathlib.Path({str(marker)!r})\n"
        "if not p.exists():\n    p.write_text('x'); sys.exit(3)\ntime.sleep(60)"
    )
    started = [_child(tmp_path, "beat", code)]
    stop = threading.Event()
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            crashed=runner.supervise(started, {}, runner.RestartPolicy(first=0.1), stop)
        )
    )
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if marker.exists() and started[0].process.poll() is None and started[0].process.pid:
                first_pid = started[0].process.pid
                time.sleep(0.5)
                if started[0].process.poll() is None and started[0].process.pid == first_pid:
                    break
            time.sleep(0.1)
        assert started[0].process.poll() is None  # the second one runs
        assert not stop.is_set()
    finally:
        stop.set()
        thread.join(10)
        started[0].process.kill()
        started[0].process.wait()
    assert result == {"crashed": False}


def test_a_child_that_keeps_exiting_stops_the_platform_with_the_reason(tmp_path, capsys):
    import threading

    counter = tmp_path / "runs"
    code = f"import pathlib, sys\np = pathlib.Path({str(counter)!r})\np.open('a').write('x')\nsys.exit(3)"
    started = [_child(tmp_path, "worker", code)]
    stop = threading.Event()
    crashed = runner.supervise(started, {}, runner.RestartPolicy(limit=3, first=0.05), stop)
    assert crashed and stop.is_set()
    assert counter.read_text() == "xxx"  # started three times, then given up
    assert "worker exited with code 3, 3 times within 300s; stopping everything" in capsys.readouterr().out

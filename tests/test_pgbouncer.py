"""The platform behind a real PgBouncer in transaction pooling, with a pool smaller than its clients.

In transaction pooling every transaction may run on another server connection, so a session-level
`SET search_path` (what django-tenants does) stays behind for whoever gets that connection next.
The first test shows exactly that, deterministically, with one server connection; the second
drives many enterprises' requests through two web processes and a worker in
DATABASE_POOL_MODE=transaction (portal/db/base.py) and checks every response and every row.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from portal.runner import free_port
from tests.conftest import (
    _stop,
    _subprocess_env,
    _test_database_url,
    build_enterprise,
    start_web,
    start_worker,
)

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not Path(PGBOUNCER).exists() and not os.environ.get("REQUIRE_PGBOUNCER"),
        reason="pgbouncer not installed (apt-get install pgbouncer)",
    ),
]


class Bouncer:
    def __init__(self, process, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def url(self, database_url: str) -> str:
        parts = urllib.parse.urlsplit(database_url)
        return urllib.parse.urlunsplit(parts._replace(netloc=f"postgres@127.0.0.1:{self.port}"))


def start_pgbouncer(directory: Path, *, pool_size: int) -> Bouncer:
    """A real PgBouncer in transaction pooling in front of the test server (TCP or Unix socket)."""
    target = urllib.parse.urlsplit(_test_database_url())
    where = urllib.parse.unquote(target.netloc.rsplit("@", 1)[-1])
    # A socket directory (percent-encoded in the URL, as `make test` gives it) or host:port.
    host = where if where.startswith("/") else where.split(":")[0]
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o777)
    (directory / "users.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={target.port or 5432} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
max_db_connections = {pool_size}
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
admin_users = postgres
logfile = {directory}/pgbouncer.log
"""
    )
    for path in directory.iterdir():
        path.chmod(0o666)
    command = [PGBOUNCER, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root: it runs as the user that may open the server's socket
        # (the embedded server keeps it in its private data folder), or as postgres for TCP.
        import pwd

        user = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else "postgres"
        command[1:1] = ["-u", user]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 15
    import psycopg

    while time.monotonic() < deadline:
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=port,
                user="postgres",
                dbname=target.path.lstrip("/"),
                connect_timeout=2,
            ) as conn:
                conn.execute("SELECT 1")
            return Bouncer(process, port, directory / "pgbouncer.log")
        except psycopg.Error:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    _stop(process)
    log = directory / "pgbouncer.log"
    raise RuntimeError(
        f"pgbouncer did not start: {process.stdout.read()} {log.read_text() if log.exists() else ''}"
    )


def _directory() -> Path:
    """A folder PgBouncer can use after dropping root for the postgres user (pytest's own
    temporary folders are private to root)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="pgbouncer-"))


@pytest.fixture
def bouncer():
    directory = _directory()
    started = start_pgbouncer(directory, pool_size=2)
    yield started
    _stop(started.process)
    shutil.rmtree(directory, ignore_errors=True)


def _make(settings_dict, alias):
    """A connection of its own, registered under `alias` (transaction.atomic looks it up by name)."""
    from django.db import connections

    from portal.db.base import DatabaseWrapper

    wrapper = DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper
    return wrapper


def _members_seen(conn, enterprise) -> set[str]:
    conn.set_tenant(enterprise)
    with conn.cursor() as cursor:
        cursor.execute("SELECT user_id::text FROM members_membership")
        return {row[0] for row in cursor.fetchall()}


def test_session_level_search_path_leaks_in_transaction_pooling_and_per_transaction_does_not(committed):
    """Two clients, one server connection. Client 1 selects alpha's schema and reads; client 2
    selects beta's; client 1 reads again, and its session still says alpha. With the search_path
    kept per session (DATABASE_POOL_MODE=session, right without a pooler) it gets beta's rows;
    with SET LOCAL per transaction it gets its own."""
    one = start_pgbouncer(_directory(), pool_size=1)
    alpha = build_enterprise(slug="leak-alpha")
    beta = build_enterprise(slug="leak-beta")
    alpha_members, beta_members = {str(alpha.owner.pk)}, {str(beta.owner.pk)}
    try:
        results = {}
        for mode in ("session", "transaction"):
            first = _make(_settings_for(one, mode), f"first-{mode}")
            second = _make(_settings_for(one, mode), f"second-{mode}")
            try:
                assert _members_seen(first, alpha.enterprise) == alpha_members
                assert _members_seen(second, beta.enterprise) == beta_members
                results[mode] = _members_seen(first, alpha.enterprise)
            finally:
                from django.db import connections

                for made in (first, second):
                    made.close()
                    del connections[made.alias]
        assert results["session"] == beta_members  # the hazard, reproduced
        assert results["transaction"] == alpha_members  # and gone
    finally:
        _stop(one.process)


def _settings_for(bouncer: Bouncer, mode: str) -> dict:
    settings_dict = {**connection.settings_dict}
    settings_dict.update(
        HOST="127.0.0.1",
        PORT=str(bouncer.port),
        POOL_MODE=mode,
        CONN_MAX_AGE=0,
        DISABLE_SERVER_SIDE_CURSORS=True,
    )
    return settings_dict


ENTERPRISES = 6


def _start_web(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    return start_web(env, log, port), f"http://127.0.0.1:{port}"


def _wait_up(process, base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        try:
            health = urllib.request.Request(base + "/healthz", headers={"Host": "localhost"})  # noqa: S310
            urllib.request.urlopen(health, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("web did not start: " + log.read_text()[-3000:])


def _call(base: str, method: str, path: str, host: str, token: str, body: bytes | None = None):
    import json

    request = urllib.request.Request(  # noqa: S310 - loopback
        base + path,
        data=body,
        method=method,
        headers={"Host": host, "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:500]


def test_many_enterprises_through_two_web_processes_and_a_worker_stay_apart(
    committed, bouncer, tmp_path_factory
):
    import json

    from manufacturing.models import Assessment
    from tests.manufacturing.test_assessments import submitted

    worlds = [build_enterprise(slug=f"pool-{i}") for i in range(ENTERPRISES)]
    from tenants.tokens import token_create

    tokens = {w.enterprise.slug: token_create(user=w.owner)[1] for w in worlds}
    # A different number of assessments in each, so a list from the wrong schema shows.
    expected_assessments = {}
    for i, world in enumerate(worlds):
        with tenant_context(world.enterprise):
            from manufacturing import services
            from manufacturing.frameworks.models import Framework

            framework = Framework.objects.get(code="miit-sme-mfg")
            for _ in range(i + 1):
                services.assessment_create(framework=framework, user=world.owner)
            expected_assessments[world.enterprise.slug] = set(Assessment.objects.values_list("pk", flat=True))
    connection.set_schema_to_public()

    logs = tmp_path_factory.mktemp("pooled")
    env = _subprocess_env(
        DATABASE_URL=bouncer.url(_test_database_url()),
        DATABASE_POOL_MODE="transaction",
        PORTAL_DOMAIN=settings.PORTAL_DOMAIN,
    )
    webs = [_start_web(env, logs / f"web{n}.log") for n in range(2)]
    worker = start_worker(
        env, logs / "worker.log", f"pooled-{os.getpid()}@%h", queues="scoring,default", concurrency=2
    )
    try:
        for n, (process, base) in enumerate(webs):
            _wait_up(process, base, logs / f"web{n}.log")
        # Scoring on the worker (through the bouncer) while the web is busy.
        to_score = {w.enterprise.slug: submitted(w).pk for w in worlds}
        connection.set_schema_to_public()

        problems: list[str] = []
        made: dict[str, list[str]] = {slug: [] for slug in tokens}
        lock = threading.Lock()
        rng = random.Random(7)

        def one(n: int) -> None:
            world = rng.choice(worlds)
            slug = world.enterprise.slug
            host, token = f"{slug}.{settings.PORTAL_DOMAIN}", tokens[slug]
            base = webs[n % 2][1]
            kind = n % 3
            if kind == 0:
                status, body = _call(base, "GET", "/api/v1/members/", host, token)
                emails = {m["email"] for m in body} if status == 200 else body
                if status != 200 or emails != {world.owner.email}:
                    problems.append(f"members of {slug}: {status} {emails}")
            elif kind == 1:
                status, body = _call(base, "GET", "/api/v1/assessments/", host, token)
                ids = {a["id"] for a in body} if status == 200 else body
                wanted = expected_assessments[slug] | {to_score[slug]}
                if status != 200 or ids != wanted:
                    problems.append(f"assessments of {slug}: {status} {ids} != {wanted}")
            else:
                name = f"{slug}-product-{n}"
                payload = json.dumps({"name_zh": name, "industry": "C34", "tags": []}).encode()
                status, body = _call(base, "POST", "/api/v1/exhibition/products/", host, token, payload)
                if status != 201:
                    problems.append(f"product for {slug}: {status} {body}")
                else:
                    with lock:
                        made[slug].append(name)

        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(one, range(240)))
        assert problems == []

        # Every row written landed in its own enterprise's schema, and only there.
        from exhibition.models import Product

        for world in worlds:
            with tenant_context(world.enterprise):
                names = sorted(Product.objects.values_list("name_zh", flat=True))
            assert names == sorted(made[world.enterprise.slug]), world.enterprise.slug
        connection.set_schema_to_public()
        # The worker scored each submission in its own schema (ids collide across schemas).
        deadline = time.monotonic() + 60
        pending = dict(to_score)
        while pending and time.monotonic() < deadline:
            for world in worlds:
                slug = world.enterprise.slug
                if slug in pending:
                    with tenant_context(world.enterprise):
                        if Assessment.objects.filter(pk=pending[slug], result__isnull=False).exists():
                            pending.pop(slug)
            connection.set_schema_to_public()
            time.sleep(0.3)
        assert pending == {}, (logs / "worker.log").read_text()[-3000:]
        for world in worlds:
            with tenant_context(world.enterprise):
                scored = set(Assessment.objects.filter(result__isnull=False).values_list("pk", flat=True))
            assert scored == {to_score[world.enterprise.slug]}, world.enterprise.slug
        connection.set_schema_to_public()
        # More clients than server connections: the pool really was shared.
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=bouncer.port, user="postgres", dbname="pgbouncer", autocommit=True
        ) as admin:
            database = urllib.parse.urlsplit(_test_database_url()).path.lstrip("/")
            clients = [row for row in admin.execute("SHOW CLIENTS").fetchall() if database in row]
            servers = [row for row in admin.execute("SHOW SERVERS").fetchall() if database in row]
        assert len(servers) <= 2 < len(clients)
    finally:
        for process, _base in webs:
            _stop(process)
        _stop(worker)

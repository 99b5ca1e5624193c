"""docker-compose.yml and the Dockerfile against the project: every service's command must name
something that exists here (a WSGI callable, the Celery app and its queues, a management command and
its options), and the services must start in the right order. No database, no Docker."""

from __future__ import annotations

import importlib
import json
import runpy
import shlex
import warnings
from pathlib import Path

import click
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("setup", "migrate-enterprises", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")
ONE_SHOT = ("setup", "migrate-enterprises")
DATA_STORES = ("postgres", "redis")
PGBOUNCER_INI = ROOT / "docker" / "pgbouncer" / "pgbouncer.ini"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def argv(command) -> list[str]:
    """A compose `command` (string or list) or a Dockerfile CMD as an argument list."""
    if isinstance(command, str):
        return shlex.split(command)
    assert isinstance(command, list), command
    return [str(part) for part in command]


def depends_on(service: dict) -> dict[str, str]:
    """`depends_on` in either syntax, as {service: condition}."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def dockerfile_cmd() -> list[str]:
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    cmds = [line.removeprefix("CMD").strip() for line in lines if line.startswith("CMD ")]
    assert len(cmds) == 1, f"expected one CMD in the Dockerfile, found {cmds}"
    cmd = json.loads(cmds[0])  # exec form, so signals reach gunicorn directly
    assert isinstance(cmd, list)
    return cmd


# --- checks of one command line -------------------------------------------------------------------------


def check_gunicorn(args: list[str]):
    """Parses the arguments with gunicorn's own parser and imports the WSGI callable. Returns the
    parsed arguments."""
    from gunicorn.config import Config

    assert args[0] == "gunicorn"
    parsed = Config().parser().parse_args(args[1:])  # exits (SystemExit) on an unknown option
    assert len(parsed.args) == 1, f"expected exactly one MODULE:VARIABLE, got {parsed.args}"
    if parsed.config:  # -c portal/gunicorn_conf.py: the file is in the image (/app) and gunicorn reads it
        config = Config()
        config.set("config", parsed.config)
        assert (ROOT / parsed.config).is_file(), parsed.config
        namespace = runpy.run_path(str(ROOT / parsed.config))
        for name in ("workers", "threads", "worker_class", "keepalive", "accesslog"):
            config.set(name, namespace[name])  # each value passes gunicorn's own validation
    module_name, _, attribute = parsed.args[0].partition(":")
    assert attribute, f"{parsed.args[0]!r} names no WSGI callable"
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute, None)), f"{module_name} has no callable {attribute!r}"
    return parsed


def check_celery(args: list[str]) -> tuple[str, dict]:
    """Parses the arguments with Celery's own click commands (unknown subcommands, options or values
    fail), checks the -A app and, for a worker, that every -Q queue is declared. Returns the
    subcommand and its parsed options."""
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as celery_cli

    assert args[0] == "celery"
    ctx = celery_cli.make_context("celery", args[1:])
    assert ctx.params["app"] == "worker", f"-A should name the `worker` package, got {ctx.params['app']!r}"
    app_module = importlib.import_module("worker.celery")
    assert hasattr(app_module, "app"), "worker.celery defines no `app`"
    app = app_module.app

    with warnings.catch_warnings():  # click 8.2 deprecates protected_args (9.0 folds it into args)
        warnings.simplefilter("ignore", DeprecationWarning)
        rest = [*getattr(ctx, "protected_args", []), *ctx.args]
    name, command, sub_args = celery_cli.resolve_command(ctx, rest)
    ctx.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    sub = command.make_context(name, sub_args, parent=ctx)
    if name == "worker":
        queues = sub.params["queues"]
        assert queues, "the worker consumes no explicit queue (-Q)"
        declared = [queue.name for queue in app.conf.task_queues]
        missing = [queue for queue in queues if queue not in declared]
        assert not missing, f"queues {missing} are not declared in worker.celery ({declared})"
    return name, sub.params


def check_manage_py(args: list[str]) -> None:
    """`python manage.py NAME OPTIONS...`: NAME exists and its parser accepts OPTIONS."""
    from django.core.management import get_commands, load_command_class

    assert args[:2] == ["python", "manage.py"], args
    assert (ROOT / "manage.py").is_file()
    name, options = args[2], args[3:]
    commands = get_commands()
    assert name in commands, f"no management command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(options)  # raises CommandError on an unknown option


def check_command(args: list[str]) -> None:
    program = args[0]
    if program == "gunicorn":
        check_gunicorn(args)
    elif program == "celery":
        check_celery(args)
    elif program == "python":
        check_manage_py(args)
    else:
        pytest.fail(f"no check for the command {args}")


# --- the services ------------------------------------------------------------------------------------


def test_compose_file_uses_the_compose_spec(compose):
    assert "version" not in compose


def test_services_exist(services):
    for name in (*DATA_STORES, *APP_SERVICES):
        assert name in services, f"service {name!r} missing"


def test_exactly_one_beat(services):
    """One service runs beat (`celery beat`, or a worker with -B), and only one replica of it."""
    beats = []
    for name, service in services.items():
        args = argv(service.get("command") or [])
        if args[:1] == ["celery"]:
            subcommand, params = check_celery(args)
            if subcommand == "beat" or (subcommand == "worker" and params.get("beat")):
                beats.append(name)
    assert beats == ["beat"]
    deploy = services["beat"].get("deploy") or {}
    assert deploy.get("replicas", 1) == 1
    assert services["beat"].get("scale", 1) == 1


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_builds_the_project_image(services, name):
    build = services[name].get("build")
    context = build.get("context") if isinstance(build, dict) else build
    assert context == ".", f"{name} builds from {build!r}"
    dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
    assert (ROOT / dockerfile).is_file()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_command_exists_in_the_project(services, name):
    check_command(argv(services[name]["command"]))


def test_setup_runs_setup_platform_without_demo_data(services):
    args = argv(services["setup"]["command"])
    assert args[:3] == ["python", "manage.py", "setup_platform"]
    assert "--no-demo" in args
    assert services["setup"].get("restart") == "no"


def test_worker_consumes_every_declared_queue(services):
    """A declared queue nobody consumes would hold its tasks forever."""
    from worker.celery import app

    subcommand, params = check_celery(argv(services["worker"]["command"]))
    assert subcommand == "worker"
    assert sorted(params["queues"]) == sorted(queue.name for queue in app.conf.task_queues)


def test_web_healthcheck_asks_the_public_site_for_healthz(services):
    from django.conf import settings
    from django.urls import resolve

    test = services["web"]["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    args = test[1:] if test[0] == "CMD" else shlex.split(test[1])
    assert args[:2] == ["python", "-c"]
    code = args[2]
    assert "http://localhost:8000/healthz" in code
    assert "${PORTAL_DOMAIN:-localhost}" in code  # the Host the public site answers to
    compile(code, "<healthcheck>", "exec")
    assert resolve("/healthz", urlconf=settings.PUBLIC_SCHEMA_URLCONF).url_name == "healthz"


def test_web_port_mapping_targets_the_port_gunicorn_binds(services):
    parsed = check_gunicorn(argv(services["web"]["command"]))
    bound_ports = {int(address.rsplit(":", 1)[1]) for address in parsed.bind}
    assert bound_ports == {8000}

    targets = []
    for port in services["web"].get("ports") or []:
        if isinstance(port, dict):
            targets.append(int(port["target"]))
        else:
            targets.append(int(str(port).split("/")[0].rsplit(":", 1)[-1]))
    assert targets == [8000], f"web publishes {services['web'].get('ports')}"


def test_dockerfile_cmd_serves_an_importable_wsgi_app():
    cmd = dockerfile_cmd()
    assert cmd[0] == "gunicorn"
    parsed = check_gunicorn(cmd)
    assert {address.rsplit(":", 1)[1] for address in parsed.bind} == {"8000"}
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "EXPOSE 8000" in text


def test_dockerfile_runs_as_the_portal_user():
    users = [
        line.split()[1]
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("USER ")
    ]
    assert users and users[-1] == "portal"


# --- start-up order ----------------------------------------------------------------------------------


def waits_for(services: dict, name: str, seen: frozenset = frozenset()) -> dict[str, set[str]]:
    """Every service `name` waits for, directly or through others, with the conditions it waits on."""
    found: dict[str, set[str]] = {}
    for dep, condition in depends_on(services[name]).items():
        found.setdefault(dep, set()).add(condition)
        if dep not in seen:
            for deeper, conditions in waits_for(services, dep, seen | {name}).items():
                found.setdefault(deeper, set()).update(conditions)
    return found


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_waits_for_healthy_data_stores(services, name):
    found = waits_for(services, name)
    for store in DATA_STORES:
        assert "service_healthy" in found.get(store, set()), f"{name} does not wait for {store} to be healthy"
        assert services[store].get("healthcheck"), f"{store} has no healthcheck to wait for"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_start_after_setup_completed(services, name):
    assert depends_on(services[name]).get("setup") == "service_completed_successfully"


def _database(service: dict) -> tuple[str, str]:
    import urllib.parse

    environment = service["environment"]
    url = urllib.parse.urlsplit(environment["DATABASE_URL"])
    return f"{url.hostname}:{url.port}", environment.get("DATABASE_POOL_MODE", "session")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_requests_and_tasks_go_through_pgbouncer_in_transaction_pooling(services, name):
    assert _database(services[name]) == ("pgbouncer:6432", "transaction")
    assert depends_on(services[name]).get("pgbouncer") == "service_healthy"


@pytest.mark.parametrize("name", ONE_SHOT)
def test_migrations_connect_to_postgresql_directly(services, name):
    assert _database(services[name]) == ("postgres:5432", "session")
    assert services[name].get("restart") == "no"


def test_the_settings_accept_the_pool_mode_compose_sets(services):
    import subprocess
    import sys

    env = {**services["web"]["environment"], "DJANGO_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"}
    env = {key: str(value) for key, value in env.items() if "${" not in str(value)}
    env["DATABASE_URL"] = "postgresql://portal@pgbouncer:6432/portal"
    env["REDIS_URL"] = "redis://redis:6379/0"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['POOL_MODE'], d['DISABLE_SERVER_SIDE_CURSORS'], d['ENGINE'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["transaction", "True", "portal.db"], result.stderr[-2000:]


def test_pgbouncer_pools_transactions_for_the_platform_database(services):
    import configparser

    config = configparser.ConfigParser()
    config.read_string(PGBOUNCER_INI.read_text(encoding="utf-8"))
    bouncer = config["pgbouncer"]
    assert bouncer["pool_mode"] == "transaction"
    assert bouncer["server_reset_query"] == ""
    assert bouncer["listen_port"] == "6432"
    assert (
        "host=postgres" in config["databases"]["portal"] and "dbname=portal" in config["databases"]["portal"]
    )
    service = services["pgbouncer"]
    assert service["build"] == "docker/pgbouncer"
    assert (ROOT / "docker" / "pgbouncer" / "Dockerfile").is_file()
    assert set(service["environment"]) == {"DB_USER", "DB_PASSWORD"}
    assert depends_on(service).get("postgres") == "service_healthy"
    assert "6432" in service["healthcheck"]["test"]


def test_nobody_waits_for_the_enterprise_migrator(services):
    """The web serves while enterprise schemas are migrated (those answer 503 until done)."""
    assert depends_on(services["migrate-enterprises"]).get("setup") == "service_completed_successfully"
    for name, service in services.items():
        assert "migrate-enterprises" not in depends_on(service), name


def test_postgres_holds_the_locks_of_a_whole_database_dump(services):
    args = argv(services["postgres"]["command"])
    settings = dict(arg.split("=", 1) for arg in args if "=" in arg)
    assert int(settings["max_locks_per_transaction"]) * int(settings["max_connections"]) >= 200_000


def test_setup_waits_for_the_data_stores_directly(services):
    deps = depends_on(services["setup"])
    assert deps.get("postgres") == "service_healthy"
    assert deps.get("redis") == "service_healthy"


def test_no_dependency_cycle(services):
    for name in services:
        assert name not in waits_for(services, name), f"{name} depends on itself"


# --- data stores -------------------------------------------------------------------------------------


def test_redis_persists_the_broker_queue(services):
    args = argv(services["redis"]["command"])
    assert args[0] == "redis-server"
    assert "--appendonly" in args
    assert args[args.index("--appendonly") + 1] == "yes"


def test_redis_and_postgres_keep_their_data_in_named_volumes(compose, services):
    declared = set(compose.get("volumes") or {})
    for store in DATA_STORES:
        mounts = [str(volume).split(":")[0] for volume in services[store].get("volumes") or []]
        assert any(mount in declared for mount in mounts), f"{store} has no named data volume"


def test_celery_command_check_rejects_an_unknown_option():
    with pytest.raises(click.UsageError):
        check_celery(["celery", "-A", "worker", "worker", "--no-such-option"])


def test_manage_py_check_rejects_an_unknown_option():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        check_manage_py(["python", "manage.py", "setup_platform", "--no-such-option"])


def test_the_operators_facts_reach_every_app_service(services):
    """The footer's operator, sponsor, hotline and ICP number are settings: production (compose)
    must be able to set them, on the web that shows them and on every other app service alike."""
    for name in ("web", "worker", "beat", "setup"):
        environment = services[name].get("environment") or {}
        for setting in ("PORTAL_OPERATOR_NAME", "PORTAL_SPONSOR_NAME", "PORTAL_HOTLINE", "PORTAL_ICP_NUMBER"):
            assert environment.get(setting) == f"${{{setting}:-}}", (name, setting)


# --- backups: pgBackRest beside PostgreSQL, the files with manage.py backup ----------------------------

PGBACKREST = ROOT / "docker" / "pgbackrest"


def _pgbackrest_conf():
    import configparser

    config = configparser.ConfigParser(interpolation=None)
    config.read_string((PGBACKREST / "pgbackrest.conf").read_text(encoding="utf-8"))
    return config


def _postgres_settings(services) -> dict[str, str]:
    args = argv(services["postgres"]["command"])
    return dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "-c")


def _mounts(service: dict) -> dict[str, str]:
    return {str(v).split(":")[0]: str(v).split(":")[1] for v in service.get("volumes") or []}


def test_postgres_archives_every_wal_segment_with_pgbackrest(services):
    settings = _postgres_settings(services)
    assert settings["archive_mode"] == "on"
    assert settings["wal_level"] in {"replica", "logical"}
    archive = shlex.split(settings["archive_command"])
    assert archive[:1] == ["pgbackrest"] and archive[-2:] == ["archive-push", "%p"]
    stanza = next(arg.split("=", 1)[1] for arg in archive if arg.startswith("--stanza="))
    assert stanza in _pgbackrest_conf().sections(), f"no stanza [{stanza}] in pgbackrest.conf"
    # The image that runs PostgreSQL has pgBackRest and its configuration.
    assert services["postgres"]["build"] == "docker/pgbackrest"
    dockerfile = (PGBACKREST / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM postgres:18" in dockerfile and "pgbackrest" in dockerfile
    assert "COPY pgbackrest.conf /etc/pgbackrest/pgbackrest.conf" in dockerfile


def test_the_pgbackrest_sidecar_shares_the_data_repository_and_socket(compose, services):
    sidecar, postgres = services["pgbackrest"], services["postgres"]
    assert sidecar["build"] == postgres["build"]  # the same pgBackRest and PostgreSQL versions
    assert depends_on(sidecar).get("postgres") == "service_healthy"
    assert sidecar.get("restart") == "unless-stopped"
    conf = _pgbackrest_conf()
    stanza = conf["portal"]
    repository, spool = conf["global"]["repo1-path"], conf["global"]["spool-path"]
    postgres_mounts, sidecar_mounts = _mounts(postgres), _mounts(sidecar)
    for volume, path in postgres_mounts.items():
        assert sidecar_mounts.get(volume) == path, f"{volume} is not mounted at {path} in the sidecar"
        assert volume in (compose.get("volumes") or {}), f"{volume} is not a named volume"
    assert postgres_mounts["pgbackrest-repo"] == repository
    assert postgres_mounts["pgbackrest-spool"] == spool
    assert postgres_mounts["postgres-socket"] == stanza["pg1-socket-path"]
    assert stanza["pg1-path"].startswith(postgres_mounts["postgres-data"] + "/18/")
    assert stanza["pg1-user"] == postgres["environment"]["POSTGRES_USER"]
    assert int(conf["global"]["repo1-retention-full"]) >= 2
    # The schedule the sidecar runs: in the image, full and differential backups.
    assert argv(sidecar["command"]) == ["pgbackrest-schedule"]
    assert "COPY schedule.sh /usr/local/bin/pgbackrest-schedule" in (PGBACKREST / "Dockerfile").read_text()
    schedule = (PGBACKREST / "schedule.sh").read_text(encoding="utf-8")
    for step in ("stanza-create", "check", "--type=full", '--type="$type" backup'):
        assert step in schedule, step


def test_the_backup_service_archives_the_files_through_a_direct_connection(services):
    backup = services["backup"]
    args = argv(backup["command"].replace("${BACKUP_DESTINATION:-/app/var/backups}", "/app/var/backups"))
    check_manage_py(args)
    assert args[2] == "backup"
    assert _database(backup)[0] == "postgres:5432"  # pg_dump never goes through PgBouncer
    assert _mounts(backup).get("media") == services["web"]["environment"]["MEDIA_ROOT"]
    assert backup.get("profiles") == ["backup"]  # run on a schedule, not by `up`
    for setting in ("BACKUP_S3_ENDPOINT_URL", "BACKUP_S3_ACCESS_KEY_ID", "BACKUP_S3_SECRET_ACCESS_KEY"):
        assert backup["environment"][setting] == f"${{{setting}:-}}"


def test_gunicorn_writes_no_access_log_unless_asked(monkeypatch):
    """django-structlog logs every request (masked, with its id): gunicorn's access log only repeated
    it with the query string, so it is off unless WEB_ACCESS_LOG names where to write it."""
    from gunicorn.config import Config

    config_file = str(ROOT / "portal" / "gunicorn_conf.py")
    monkeypatch.delenv("WEB_ACCESS_LOG", raising=False)
    assert runpy.run_path(config_file)["accesslog"] is None
    monkeypatch.setenv("WEB_ACCESS_LOG", "-")
    config = Config()
    config.set("accesslog", runpy.run_path(config_file)["accesslog"])
    assert config.accesslog == "-"

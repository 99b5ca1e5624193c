"""Migration states: a start with nothing to migrate touches no enterprise schema; an enterprise
whose schema is behind answers "being upgraded" (503) until the background migrator reaches it;
a schema is migrated all or nothing, and a failure is retried without harm."""

import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants import routing, schema, upgrades
from tenants.models import Enterprise
from tests.conftest import ROOT, _subprocess_env, build_enterprise
from tests.manufacturing.test_review import people  # noqa: F401 - a fixture


def _unapply_last_exhibition_migration(enterprise) -> None:
    """Puts an enterprise's schema one migration back (its booths get their foreign keys into the
    public schema again), and forgets its recorded state: a schema behind the code."""
    with connection.cursor() as cursor:
        # Adding those keys alters the public tables, which must have no deferred checks pending
        # in this (test) transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command(
        "migrate_schemas",
        "exhibition",
        "0004_featured_order",
        tenant=True,
        schema_name=enterprise.schema_name,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    Enterprise.objects.filter(pk=enterprise.pk).update(schema_version=None)
    # A schema falls behind when the code changes, i.e. in a new process with an empty host map;
    # here the same process plays both, so it drops its map.
    routing.forget_all()


def _foreign_keys_into_public(schema_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
               JOIN pg_class r ON r.oid = c.confrelid
               WHERE n.nspname = %s AND c.contype = 'f' AND r.relnamespace <> c.connamespace""",
            [schema_name],
        )
        return cursor.fetchone()[0]


def _recorded(schema_name: str, app: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema_name}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
        return cursor.fetchone() is not None


def _setup_queries() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        call_command("setup_platform", no_demo=True)
    # Whether the connection still had its search_path from before is no matter here.
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]


@pytest.mark.django_db
def test_a_start_with_nothing_to_migrate_reads_no_enterprise_schema(alpha, beta, make_enterprise, capsys):
    before = _setup_queries()
    worlds = [alpha, beta] + [make_enterprise() for _ in range(3)]
    after = _setup_queries()
    # The same statements with three more enterprises: nothing is done per enterprise.
    assert len(after) == len(before)
    statements = "\n".join(after)
    for world in worlds:
        assert world.enterprise.schema_name not in statements
    output = capsys.readouterr().out
    assert "public schema current" in output and "template schema at v" in output
    assert f"enterprise schemas: all {upgrades.progress()['enterprises']} at" in output


@pytest.mark.django_db
def test_a_failed_migration_leaves_the_schema_untouched_and_is_retried(make_enterprise):
    world = make_enterprise()
    name = world.enterprise.schema_name
    _unapply_last_exhibition_migration(world.enterprise)
    foreign_keys = _foreign_keys_into_public(name)
    assert foreign_keys == 6  # booths, products and leads point into public again
    # The migration's last step creates this trigger; one of that name makes the step fail.
    with schema_context(name), connection.cursor() as cursor:
        cursor.execute(
            'CREATE TRIGGER "exhibition_product_industry_id_pubref" AFTER INSERT ON exhibition_product '
            "FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()"
        )
    connection.set_schema_to_public()
    with pytest.raises(upgrades.MigrationFailed, match=world.enterprise.schema_name):
        upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk))
    # Untouched: the earlier steps of the same migration (dropping the foreign keys) were undone too.
    assert _foreign_keys_into_public(name) == foreign_keys
    assert not _recorded(name, "exhibition", "0005_public_refs")
    assert Enterprise.objects.get(pk=world.enterprise.pk).schema_version_id is None

    with schema_context(name), connection.cursor() as cursor:
        cursor.execute('DROP TRIGGER "exhibition_product_industry_id_pubref" ON exhibition_product')
    connection.set_schema_to_public()
    done = upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk))
    assert done is not None and done.applied and done.schema_name == name
    assert _foreign_keys_into_public(name) == 0
    assert _recorded(name, "exhibition", "0005_public_refs")
    assert Enterprise.objects.get(pk=world.enterprise.pk).schema_version == schema.code_version()
    template = schema.schema_signature("tenant_template")
    migrated = schema.schema_signature(name)
    for part in ("columns", "constraints", "indexes", "triggers"):
        assert migrated[part] == template[part], part


@pytest.mark.django_db
def test_a_schema_whose_migrations_are_all_recorded_is_only_marked(make_enterprise):
    world = make_enterprise()
    Enterprise.objects.filter(pk=world.enterprise.pk).update(schema_version=None)
    done = upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk))
    assert done is not None and not done.applied
    assert Enterprise.objects.get(pk=world.enterprise.pk).schema_version == schema.code_version()


def test_an_enterprise_behind_answers_503_until_the_migrator_reaches_it(committed):
    from django.test import Client

    world = build_enterprise(slug="upgrade-me")
    _unapply_last_exhibition_migration(world.enterprise)
    client = world.client()
    page = client.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == "10"
    assert "正在升级" in page.content.decode()
    # It looks again by itself, with no script (the Content-Security-Policy admits none inline).
    assert '<meta http-equiv="refresh" content="10">' in page.content.decode()
    assert "script-src 'self'" in page["Content-Security-Policy"]
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "being upgraded" in english.content.decode()
    api = client.get("/api/v1/assessments/")
    assert api.status_code == 503 and api["Retry-After"] == "10"
    assert set(api.json()["messages"]) == {"zh", "en"}
    health = Client(HTTP_HOST="localhost").get("/healthz").json()
    assert health["schemas"]["behind"] >= 1

    # The real command, in its own processes, as `make run` starts it.
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate_enterprises", "--processes", "2"],
        cwd=ROOT,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "behind v" in result.stdout and "0 behind" in result.stdout
    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    assert enterprise.schema_version == schema.code_version()
    assert _foreign_keys_into_public(enterprise.schema_name) == 0
    assert world.client().get("/").status_code == 200
    # A second run finds nothing to do.
    again = subprocess.run(
        [sys.executable, "manage.py", "migrate_enterprises"],
        cwd=ROOT,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and "all" in again.stdout, again.stdout + again.stderr


def test_a_task_for_an_enterprise_being_upgraded_waits_for_its_schema(celery_worker, committed):
    """The real worker: a task sent for an enterprise whose schema is behind does not run in it; it
    comes back, and runs in that schema once the migrator has been there."""
    from django_tenants.utils import tenant_context

    from worker.base import DEFERRED
    from worker.tasks import whereami

    world = build_enterprise(slug="upgrade-task")
    Enterprise.objects.filter(pk=world.enterprise.pk).update(schema_version=None)
    with tenant_context(world.enterprise):
        first = whereami.apply_async(ignore_result=False)
    connection.set_schema_to_public()
    assert first.get(timeout=30) == DEFERRED
    done = upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk))
    assert done is not None and done.schema_name == world.enterprise.schema_name
    log = celery_worker.log_path
    deadline = time.monotonic() + 30
    ran = f"'schema': '{world.enterprise.schema_name}'"
    while ran not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert ran in log.read_text(), log.read_text()[-2000:]


def test_a_task_for_an_erased_enterprise_is_dropped_not_sent_again_for_ever(celery_worker, committed):
    """A task still queued for an enterprise whose erase has begun (tenants/lifecycle.py drops its
    schema) is dropped by the real worker, instead of coming back every few seconds for ever."""
    from django_tenants.utils import tenant_context

    from worker.base import DROPPED
    from worker.tasks import whereami

    world = build_enterprise(slug="erased-task")
    Enterprise.objects.filter(pk=world.enterprise.pk).update(lifecycle="erasing")
    with tenant_context(world.enterprise):
        first = whereami.apply_async(ignore_result=False)
    connection.set_schema_to_public()
    assert first.get(timeout=30) == DROPPED
    assert "is erased" in celery_worker.log_path.read_text()


@pytest.mark.django_db
def test_an_assessor_reaching_an_enterprise_being_upgraded_gets_503_not_500(make_enterprise, people):  # noqa: F811
    """The public site enters an enterprise's schema too (the assessor's workbench): while that schema
    is behind, the backend refuses to enter it, and the page and the API say "being upgraded"."""
    from tests.manufacturing.test_review import assigned, logged_in

    world = make_enterprise()
    _assessment, assignment = assigned(world, people)
    assessor = logged_in(people["assessor"])
    assert assessor.get(f"/review/assignments/{assignment.pk}/").status_code == 200
    Enterprise.objects.filter(pk=world.enterprise.pk).update(schema_version=None)
    page = assessor.get(f"/review/assignments/{assignment.pk}/")
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "正在升级" in page.content.decode()
    api = assessor.get(f"/api/v1/review/assignments/{assignment.pk}/")
    assert api.status_code == 503 and api["Retry-After"] == "10"
    assert set(api.json()["messages"]) == {"zh", "en"}
    with pytest.raises(upgrades.SchemaBeingUpgraded), schema_context_of(world.enterprise):
        pass
    # Once the migrator has been there, the same page works again.
    upgrades.migrate_next(among=Enterprise.objects.filter(pk=world.enterprise.pk))
    assert assessor.get(f"/review/assignments/{assignment.pk}/").status_code == 200


def schema_context_of(enterprise):
    from django_tenants.utils import tenant_context

    return tenant_context(Enterprise.objects.get(pk=enterprise.pk))

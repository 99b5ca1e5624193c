"""Bringing enterprise schemas to the code's migration state, in the background, resumably.

`setup_platform` migrates the public schema and the template, and nothing else: the web starts
then, and enterprises whose schema is behind answer "being upgraded, back in a moment" (503) until
a migrator (`manage.py migrate_enterprises`, which `make run` starts beside the web) reaches them.
Each migrator process takes one enterprise at a time (FOR NO KEY UPDATE SKIP LOCKED, so any number
of them, on any number of machines, share the work without waiting for each other) and, in one
transaction, migrates its schema and records the new state: a schema is either fully at the new
state or untouched, and a migrator killed half-way leaves its enterprise to the next one. The
project states Django's migrate would render for every schema are rendered once per process
(`_Plans`); the template keeps going through Django's own migrate (setup_platform).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from tenants import schema
from tenants.models import Enterprise, SchemaVersion

logger = logging.getLogger(__name__)
# How long a migrator waits for enterprises that are behind but locked (by another migrator, say).
LOCKED_WAIT = 600.0


def behind(version: SchemaVersion | None = None, *, among=None):
    """Ready enterprises whose schema is older than `version` (the code's), or not yet recorded;
    `among` (a queryset of enterprises) narrows them."""
    version = version or schema.code_version()
    ready = Enterprise.objects.filter(status=Enterprise.Status.READY).exclude(schema_name="public")
    if among is not None:
        ready = ready.filter(pk__in=among.values("pk"))
    if version is None:
        return ready
    return ready.filter(Q(schema_version__isnull=True) | Q(schema_version_id__lt=version.pk))


def is_behind(enterprise) -> bool:
    """Whether this enterprise's schema is older than the code (its pages answer 503 meanwhile)."""
    current = schema.code_version_id()
    return current is None or enterprise.schema_version_id is None or enterprise.schema_version_id < current


class SchemaBeingUpgraded(Exception):
    """Code was about to enter an enterprise's schema that is not at the code's migration state yet.
    Raised by the database backend's set_tenant (portal/db/base.py), so nothing anywhere runs new
    code against old tables: a page or an API call answers "being upgraded" (503), a task is sent
    again later (worker/base.py)."""

    def __init__(self, enterprise):
        super().__init__(
            f"the schema of enterprise {enterprise.pk} ({enterprise.schema_name}) is being upgraded"
        )
        self.enterprise = enterprise


def refuse_if_behind(enterprise) -> None:
    """For set_tenant: raises SchemaBeingUpgraded when `enterprise` is behind. An object that looks
    behind (it may have been read before the migrator got there) is read again first."""
    if not is_behind(enterprise):
        return
    fresh = (
        type(enterprise).objects.filter(pk=enterprise.pk).values_list("schema_version_id", flat=True).first()
    )
    enterprise.schema_version_id = fresh
    if is_behind(enterprise):
        raise SchemaBeingUpgraded(enterprise)


def progress() -> dict:
    """For /healthz and the migrator's log: how many enterprises are at the code's state."""
    version = schema.code_version()
    total = Enterprise.objects.filter(status=Enterprise.Status.READY).exclude(schema_name="public").count()
    waiting = behind(version).count() if total else 0
    return {
        "version": version.pk if version else None,
        "enterprises": total,
        "current": total - waiting,
        "behind": waiting,
    }


class MigrationFailed(Exception):
    def __init__(self, enterprise_id: int, schema_name: str, cause: Exception):
        super().__init__(f"enterprise {enterprise_id} ({schema_name}): {cause.__class__.__name__}: {cause}")
        self.enterprise_id = enterprise_id


@dataclass
class Migrated:
    enterprise_id: int
    schema_name: str
    seconds: float
    applied: bool  # False: its migrations were all recorded already, only the state was written


def _recorded(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = 'django_migrations'",
            [schema_name],
        )
        if cursor.fetchone() is None:
            return set()
        cursor.execute(f"SELECT app, name FROM {schema.quote_ident(schema_name)}.django_migrations")
        return set(cursor.fetchall())


class _Plans:
    """How to bring a schema from what it has recorded to the code's leaves: the migrations to apply
    and, for every operation, the project state before and after it. Django's `migrate` works those
    states out again for every schema (rendering models: 0.5 s of the 0.55 s a schema took); they are
    the same for every schema that starts from the same records, so each process works them out
    once per starting point and then only runs the operations' SQL in each schema."""

    def __init__(self):
        self._cache: dict[frozenset, list] = {}

    def steps(self, recorded: set[tuple[str, str]]) -> list:
        from django.db.migrations.state import ProjectState

        loader = schema._loader()
        graph = loader.graph
        key = frozenset(node for node in recorded if node in graph.nodes)
        if key in self._cache:
            return self._cache[key]
        full = []
        seen: set = set()
        for leaf in sorted(graph.leaf_nodes()):
            for node in graph.forwards_plan(leaf):
                if node not in seen:
                    seen.add(node)
                    full.append(node)
        state = ProjectState(real_apps=loader.unmigrated_apps)
        for node in full:
            if node in key:
                graph.nodes[node].mutate_state(state, preserve=False)
        state.apps  # noqa: B018 - render the models once, before the first operation
        steps = []
        for node in full:
            if node in key:
                continue
            migration = graph.nodes[node]
            if not migration.atomic:
                raise RuntimeError(f"{node} is not atomic: it cannot run inside a schema's one transaction")
            operations = []
            for operation in migration.operations:
                before = state.clone()
                operation.state_forwards(migration.app_label, state)
                operations.append((operation, before, state.clone()))
            steps.append((migration, operations))
        self._cache[key] = steps
        return steps

    def apply(self, schema_name: str, recorded: set[tuple[str, str]]) -> None:
        """Runs the migrations `recorded` lacks in `schema_name`, in the caller's transaction. The
        records go in with one INSERT each (the schema has its django_migrations table: `recorded`
        was read from it); Django's recorder would first list the schema's tables every time."""
        steps = self.steps(recorded)
        connection.set_schema(schema_name)
        for migration, operations in steps:
            with connection.schema_editor(atomic=True) as editor:
                for operation, before, after in operations:
                    operation.database_forwards(migration.app_label, editor, before, after)
                records = migration.replaces or [(migration.app_label, migration.name)]
                with connection.cursor() as cursor:
                    for app_label, name in records:
                        cursor.execute(
                            f"INSERT INTO {schema.quote_ident(schema_name)}.django_migrations "
                            "(app, name, applied) VALUES (%s, %s, now())",
                            [app_label, name],
                        )


_plans = _Plans()


def migrate_next(*, skip: set[int] | frozenset = frozenset(), among=None) -> Migrated | None:
    """Migrates one enterprise that is behind (the oldest first) and records its new state, all in
    one transaction. None when no enterprise is left (or all that are left are in `skip`, or taken
    by other migrators right now); `among` narrows the choice (a queryset of enterprises). Raises
    MigrationFailed, with nothing changed, when the migration fails."""
    version = schema.code_version()
    if version is None or version.template_ready_at is None:
        raise schema.TemplateOutOfDate("run setup_platform first: the template is not at this code's state")
    started = time.perf_counter()
    enterprise = None
    try:
        with transaction.atomic():
            enterprise = (
                behind(version, among=among)
                .exclude(pk__in=skip)
                .select_for_update(no_key=True, skip_locked=True)
                .order_by("schema_version_id", "pk")
                .only("pk", "schema_name", "schema_version_id")
                .first()
            )
            if enterprise is None:
                return None
            try:
                recorded = _recorded(enterprise.schema_name)
                applied = not schema.required_migrations() <= recorded
                if applied:
                    _plans.apply(enterprise.schema_name, recorded)
            finally:
                connection.set_schema_to_public()
            Enterprise.objects.filter(pk=enterprise.pk).update(schema_version=version)
    except Exception as exc:
        # Whatever failed (a migration's SQL, or a deferred check at commit), the transaction is
        # gone and the schema untouched.
        if enterprise is None:
            raise
        raise MigrationFailed(enterprise.pk, enterprise.schema_name, exc) from exc
    return Migrated(enterprise.pk, enterprise.schema_name, time.perf_counter() - started, applied)


def run(*, log_every: float = 5.0, stop=None, say=logger.info, among=None) -> dict:
    """Migrates until no enterprise is left behind. An enterprise whose migration fails is logged
    and left at its old state (it keeps answering 503) while the others go on. Returns counts."""
    failed: dict[int, str] = {}
    done = recorded_only = 0
    started = last_report = last_progress = time.monotonic()
    while stop is None or not stop():
        try:
            result = migrate_next(skip=failed.keys(), among=among)
        except MigrationFailed as exc:  # one broken schema must not stop the others
            failed[exc.enterprise_id] = str(exc)
            logger.exception("migrating %s failed; it stays at its old state", exc)
            continue
        if result is None:
            # Nothing this process could take: done, or the rest is locked for now (another
            # migrator working on it, or a request holding its row for a moment). Wait for those.
            if not behind(among=among).exclude(pk__in=failed.keys()).exists():
                break
            if time.monotonic() - last_progress > LOCKED_WAIT:
                logger.error(
                    "enterprises still behind but locked for %.0f s; leaving them to the next run",
                    LOCKED_WAIT,
                )
                break
            time.sleep(0.5)
            continue
        last_progress = time.monotonic()
        done += 1
        recorded_only += not result.applied
        now = time.monotonic()
        if now - last_report >= log_every:
            last_report = now
            say(progress_line(done, now - started))
    summary = {"migrated": done - recorded_only, "recorded": recorded_only, "failed": len(failed)}
    say(
        f"enterprise schemas: {summary['migrated']} migrated, {summary['recorded']} found current, "
        f"{summary['failed']} failed, in {time.monotonic() - started:.1f}s"
    )
    return summary


def progress_line(done: int, elapsed: float, state: dict | None = None) -> str:
    """The progress of migrators that brought `done` schemas to the code's state in `elapsed` s;
    `state` is progress(), when the caller has it already."""
    state = state or progress()
    rate = done / elapsed if elapsed > 0 else 0.0
    left = f"about {state['behind'] / rate:.0f}s left" if rate else "starting"
    return (
        f"enterprise schemas: {state['current']}/{state['enterprises']} at v{state['version']}, "
        f"{state['behind']} behind, {rate:.1f}/s, {left}"
    )

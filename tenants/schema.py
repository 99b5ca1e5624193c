"""Enterprise schemas: which migration state each one is at, the template they are copied from, and
the copy itself.

**Migration state.** The code's state is a fingerprint of the migration graph's leaf nodes of the
tenant apps (a migration of a public-only app changes nothing in an enterprise schema, so it must
not put every enterprise behind). `SchemaVersion` keeps one row per state, numbered in the order
first seen; each enterprise points at the row its schema is at. A start with nothing to migrate
reads a couple of rows, whatever the number of enterprises (`tenants/upgrades.py` migrates the
ones behind).

**The copy.** django-tenants' clone_schema() asks information_schema about every table, column and
constraint of the template on every call; those views filter the whole catalogue by privilege, so
one clone took 0.29 s with 4 enterprises and 1.70 s with 1,000. Here the template's definition is
read from pg_catalog once per migration state (`clone_sql_build`, when the template is migrated,
with the template alone on the search_path so that its own objects come out unqualified and
everything else qualified), kept in the state's row, and a clone runs that script with the new
schema alone on the search_path. Nothing is read from the catalogue while cloning, so its cost
does not grow with the number of schemas; and no lock is taken outside the new schema.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, schema_exists

logger = logging.getLogger(__name__)

# Held (exclusively) while the template is migrated and its clone script rebuilt.
TEMPLATE_LOCK = "portal:template-schema"

_lock = threading.Lock()
_cache: dict[str, object] = {}


class TemplateOutOfDate(Exception):
    pass


TEMPLATE_OUT_OF_DATE = gettext_lazy(
    "The platform's template workspace is out of date; an operator must run `manage.py setup_platform`."
)


# --- the code's migration state ---------------------------------------------------------------------


def tenant_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def _loader() -> MigrationLoader:
    if "loader" not in _cache:
        _cache["loader"] = MigrationLoader(None, ignore_no_migrations=True)
    return _cache["loader"]


def code_state() -> tuple[str, list[str]]:
    """(fingerprint, leaf nodes) of the tenant apps' migrations in this code."""
    if "state" not in _cache:
        labels = tenant_app_labels()
        leaves = sorted(f"{app}.{name}" for app, name in _loader().graph.leaf_nodes() if app in labels)
        _cache["state"] = (hashlib.sha256("\n".join(leaves).encode()).hexdigest(), leaves)
    return _cache["state"]


def required_migrations() -> set[tuple[str, str]]:
    """Every migration a schema must have recorded to be at the code's state: the tenant leaves and
    all they depend on (a tenant schema records the public apps' migrations too)."""
    if "required" not in _cache:
        graph = _loader().graph
        labels = tenant_app_labels()
        required: set[tuple[str, str]] = set()
        for leaf in graph.leaf_nodes():
            if leaf[0] in labels:
                required.update(graph.forwards_plan(leaf))
        _cache["required"] = required
    return _cache["required"]


def code_version(*, create: bool = False):
    """The SchemaVersion row of the code's state, or None when no process has registered it yet
    (`create` registers it). Cached for the process once found: a state's row never changes id."""
    from tenants.models import SchemaVersion

    cached = _cache.get("version")
    if cached is not None:
        return cached
    fingerprint, leaves = code_state()
    version = SchemaVersion.objects.filter(fingerprint=fingerprint).first()
    if version is None and create:
        try:
            with transaction.atomic():
                version = SchemaVersion.objects.create(fingerprint=fingerprint, leaf_nodes=leaves)
        except IntegrityError:  # another process registered it a moment ago
            version = SchemaVersion.objects.get(fingerprint=fingerprint)
    if version is not None:
        _cache["version"] = version
    return version


def code_version_id() -> int | None:
    version = code_version()
    return version.pk if version is not None else None


def forget() -> None:
    """Drops what this process remembers (tests that register or change states)."""
    with _lock:
        for key in ("version", "clone"):
            _cache.pop(key, None)


# --- the template -----------------------------------------------------------------------------------


def _advisory_lock(name: str, *, shared: bool = False) -> None:
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext(%s))", [name])


def template_prepare(*, verbosity: int = 0) -> bool:
    """Brings the template schema to the code's state and stores the clone script of that state.

    Does nothing (two queries) when the template is already there. Otherwise migrates it and
    rebuilds the script in one transaction, so provisioning sees either the old template and
    script or the new ones. Returns whether anything was done.
    """
    from tenants.models import SchemaVersion

    template = settings.TENANT_BASE_SCHEMA
    version = code_version(create=True)
    if version.template_ready_at is not None and version.clone_sql and schema_exists(template):
        return False
    with transaction.atomic():
        _advisory_lock(TEMPLATE_LOCK)
        version = SchemaVersion.objects.select_for_update().get(pk=version.pk)
        if version.template_ready_at is not None and version.clone_sql and schema_exists(template):
            return False
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{template}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=template, interactive=False, verbosity=verbosity
        )
        connection.set_schema_to_public()
        version.clone_sql = clone_sql_build(template)
        version.template_ready_at = timezone.now()
        version.save(update_fields=["clone_sql", "template_ready_at"])
    forget()
    logger.info("template schema at %s; clone script %d bytes", version, len(version.clone_sql))
    return True


def _clone_source():
    """The newest state whose template is ready, with its script (cached per state)."""
    from tenants.models import SchemaVersion

    latest = (
        SchemaVersion.objects.filter(template_ready_at__isnull=False)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return None
    cached = _cache.get("clone")
    if cached is None or cached.pk != latest:
        cached = SchemaVersion.objects.get(pk=latest)
        _cache["clone"] = cached
    return cached


# --- the copy ---------------------------------------------------------------------------------------


def schema_clone(*, schema_name: str):
    """Creates `schema_name` as a copy of the template at the newest prepared state, in the caller's
    transaction (or one of its own). Returns that state's SchemaVersion.

    Refuses (TemplateOutOfDate) when the template has not been brought to this code's state: a
    copy would lack tables the code needs."""
    with transaction.atomic():
        # Shared: any number of clones at once; waits only while the template is being migrated.
        _advisory_lock(TEMPLATE_LOCK, shared=True)
        current = code_version()
        source = _clone_source()
        if current is None or source is None or source.pk < current.pk:
            raise TemplateOutOfDate(
                f"the template schema is not at this code's migration state ({code_state()[0][:12]})"
            )
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {_ident(schema_name)}")
        with _only_on_search_path(schema_name) as cursor:
            cursor.execute(source.clone_sql)
        _citus_distribute(schema_name)
    return source


def enterprise_schema_create(enterprise) -> None:
    """Creates `enterprise`'s schema: a copy of the template when cloning is configured
    (TENANT_CREATION_FAKES_MIGRATIONS); otherwise django-tenants' own path (CREATE SCHEMA and every
    migration), which the provisioning benchmark compares. Sets `enterprise.schema_version` to the
    state the schema is at; the caller saves it."""
    if settings.TENANT_CREATION_FAKES_MIGRATIONS:
        enterprise.schema_version = schema_clone(schema_name=enterprise.schema_name)
    else:
        enterprise.create_schema(check_if_exists=False, verbosity=0)
        enterprise.schema_version = code_version(create=True)


def _citus_distribute(schema_name: str) -> None:
    """With Citus 12+ (schema-based sharding), the new schema becomes a distributed schema: its
    tables stay together on one worker node. Skipped when Citus already distributed it (with
    `citus.enable_schema_based_sharding` on, CREATE SCHEMA does) and a no-op without Citus.
    Untested here: Citus does not install on these machines (docs/scaling.md says what else a
    Citus deployment needs)."""
    if "citus" not in _cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
            _cache["citus"] = cursor.fetchone() is not None
    if not _cache["citus"]:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace(%s)", [schema_name])
        if cursor.fetchone() is None:
            cursor.execute("SELECT citus_schema_distribute(%s)", [schema_name])


# --- the clone script -------------------------------------------------------------------------------


@contextmanager
def _only_on_search_path(schema: str):
    """Within the current transaction, `schema` alone on the search_path (so that its objects are
    created, or rendered by pg_get_*def(), unqualified); the previous path comes back after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('search_path', %s, true)", [_ident(schema)])
        yield cursor
        # Not in a `finally`: after an error the transaction is aborted and rolls back anyway (the
        # local setting with it), and a statement there would hide the error that matters.
        cursor.execute("SELECT set_config('search_path', %s, true)", [previous])


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_ident = quote_ident


def _literal(text: str) -> str:
    # standard_conforming_strings is on in every supported PostgreSQL: only quotes need doubling.
    return "'" + text.replace("'", "''") + "'"


class UnsupportedTemplate(Exception):
    """The template holds something the clone script does not reproduce."""


def clone_sql_build(schema: str) -> str:
    """SQL that recreates `schema`'s tables, sequences, constraints, indexes, triggers and rows in
    whatever schema is first on the search_path when it runs. Call inside a transaction."""
    with _only_on_search_path(schema) as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        (ns,) = cursor.fetchone()
        _refuse_unsupported(cursor, ns)
        sequences = _sequences(cursor, ns)
        statements: list[str] = []
        identity = {(s["table"], s["column"]): s for s in sequences if s["deptype"] == "i"}
        for name in (s["name"] for s in sequences if s["deptype"] != "i"):
            statements.append(_sequence_create(sequences, name))
        cursor.execute(
            "SELECT oid, relname, reloptions FROM pg_class WHERE relnamespace = %s AND relkind = 'r' "
            "ORDER BY relname",
            [ns],
        )
        tables = cursor.fetchall()
        for oid, table, options in tables:
            statements.append(_table_create(cursor, oid, table, options, identity))
        for s in sequences:
            if s["deptype"] == "a":
                statements.append(
                    f"ALTER SEQUENCE {_ident(s['name'])} OWNED BY {_ident(s['table'])}.{_ident(s['column'])}"
                )
        # Primary keys, unique, check and exclusion constraints, then plain indexes, rows, sequence
        # positions, foreign keys (which need the unique indexes), triggers.
        cursor.execute(
            """SELECT r.relname, c.conname, pg_get_constraintdef(c.oid, true)
               FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
               WHERE r.relnamespace = %s AND c.contype IN ('p', 'u', 'c', 'x')
               ORDER BY r.relname, c.contype DESC, c.conname""",
            [ns],
        )
        for table, name, definition in cursor.fetchall():
            statements.append(f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {definition}")
        cursor.execute(
            """SELECT pg_get_indexdef(i.indexrelid, 0, true) FROM pg_index i
               JOIN pg_class ic ON ic.oid = i.indexrelid
               WHERE ic.relnamespace = %s AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c
                   WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                     AND c.contype IN ('p', 'u', 'x'))
               ORDER BY ic.relname""",
            [ns],
        )
        statements.extend(definition for (definition,) in cursor.fetchall())
        for _oid, table, _options in tables:
            statements.extend(_table_rows(cursor, _oid, table))
        for s in sequences:
            called = "true" if s["is_called"] else "false"
            statements.append(f"SELECT setval({_literal(_ident(s['name']))}, {s['last_value']}, {called})")
        cursor.execute(
            """SELECT r.relname, c.conname, pg_get_constraintdef(c.oid, true), f.relnamespace = %s
               FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
               JOIN pg_class f ON f.oid = c.confrelid
               WHERE r.relnamespace = %s AND c.contype = 'f' ORDER BY r.relname, c.conname""",
            [ns, ns],
        )
        for table, name, definition, inside in cursor.fetchall():
            if not inside:
                raise UnsupportedTemplate(
                    f"{table}.{name} is a foreign key out of the template schema; declare the field "
                    "with db_constraint=False (tenants/public_refs.py)"
                )
            statements.append(f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {definition}")
        cursor.execute(
            """SELECT pg_get_triggerdef(t.oid, true) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
               WHERE r.relnamespace = %s AND NOT t.tgisinternal ORDER BY r.relname, t.tgname""",
            [ns],
        )
        statements.extend(definition for (definition,) in cursor.fetchall())
        cursor.execute(
            """SELECT r.relname, a.attname, d.description FROM pg_description d
               JOIN pg_class r ON r.oid = d.objoid AND d.classoid = 'pg_class'::regclass
               LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
               WHERE r.relnamespace = %s ORDER BY 1, 2""",
            [ns],
        )
        for table, column, text in cursor.fetchall():
            target = f"COLUMN {_ident(table)}.{_ident(column)}" if column else f"TABLE {_ident(table)}"
            statements.append(f"COMMENT ON {target} IS {_literal(text)}")
    return ";\n".join(statements) + ";\n"


def _refuse_unsupported(cursor, ns: int) -> None:
    cursor.execute(
        "SELECT relkind, count(*) FROM pg_class WHERE relnamespace = %s AND relkind NOT IN ('r', 'i', 'S') "
        "GROUP BY relkind",
        [ns],
    )
    other = cursor.fetchall()
    cursor.execute("SELECT count(*) FROM pg_proc WHERE pronamespace = %s", [ns])
    functions = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_type t WHERE t.typnamespace = %s AND t.typtype IN ('e', 'd', 'r', 'm')",
        [ns],
    )
    types = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_class c WHERE c.relnamespace = %s AND c.relkind = 'r' "
        "AND (c.relrowsecurity OR c.relpersistence <> 'p' OR c.relispartition "
        "OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid))",
        [ns],
    )
    special = cursor.fetchone()[0]
    if other or functions or types or special:
        raise UnsupportedTemplate(
            f"the template holds objects the clone script does not copy: relkinds {other}, "
            f"{functions} functions, {types} types, {special} special tables"
        )


def _sequences(cursor, ns: int) -> list[dict]:
    cursor.execute(
        """SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                  s.seqcache, s.seqcycle, d.deptype, t.relname, a.attname
           FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
           LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           LEFT JOIN pg_class t ON t.oid = d.refobjid
           LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
           WHERE c.relnamespace = %s ORDER BY c.relname""",
        [ns],
    )
    keys = (
        "name",
        "type",
        "start",
        "increment",
        "min",
        "max",
        "cache",
        "cycle",
        "deptype",
        "table",
        "column",
    )
    sequences = [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
    for s in sequences:
        cursor.execute(f"SELECT last_value, is_called FROM {_ident(s['name'])}")
        s["last_value"], s["is_called"] = cursor.fetchone()
    return sequences


def _sequence_options(s: dict) -> str:
    return (
        f"AS {s['type']} INCREMENT BY {s['increment']} MINVALUE {s['min']} MAXVALUE {s['max']} "
        f"START WITH {s['start']} CACHE {s['cache']} {'CYCLE' if s['cycle'] else 'NO CYCLE'}"
    )


def _sequence_create(sequences: list[dict], name: str) -> str:
    s = next(s for s in sequences if s["name"] == name)
    return f"CREATE SEQUENCE {_ident(name)} {_sequence_options(s)}"


def _table_create(cursor, oid: int, table: str, options, identity: dict) -> str:
    cursor.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                  CASE WHEN a.attcollation <> t.typcollation THEN co.collname END
           FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           LEFT JOIN pg_collation co ON co.oid = a.attcollation
           WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        [oid],
    )
    columns = []
    for name, type_, notnull, default, ident, generated, collation in cursor.fetchall():
        parts = [_ident(name), type_]
        if collation:
            parts.append(f"COLLATE {_ident(collation)}")
        if generated == "s":
            parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if ident in ("a", "d"):
            s = identity[(table, name)]
            how = "ALWAYS" if ident == "a" else "BY DEFAULT"
            options_ = _sequence_options(s).removeprefix(f"AS {s['type']} ")
            parts.append(f"GENERATED {how} AS IDENTITY (SEQUENCE NAME {_ident(s['name'])} {options_})")
        if notnull:
            parts.append("NOT NULL")
        columns.append(" ".join(parts))
    with_ = f" WITH ({', '.join(options)})" if options else ""
    return f"CREATE TABLE {_ident(table)} (\n    " + ",\n    ".join(columns) + f"\n){with_}"


def _table_rows(cursor, oid: int, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
        "AND attgenerated = '' ORDER BY attnum",
        [oid],
    )
    columns = [name for (name,) in cursor.fetchall()]
    listed = ", ".join(_ident(c) for c in columns)
    # The rows travel as one JSON document made by PostgreSQL (text, so numbers keep every digit),
    # typed back by the table's own row type.
    cursor.execute(f"SELECT json_agg(row)::text FROM (SELECT {listed} FROM {_ident(table)}) row")
    (records,) = cursor.fetchone()
    if not records:
        return []
    return [
        f"INSERT INTO {_ident(table)} ({listed}) OVERRIDING SYSTEM VALUE "
        f"SELECT {listed} FROM json_populate_recordset(NULL::{_ident(table)}, {_literal(records)})"
    ]


# --- comparing schemas (tests, and an operator's check) --------------------------------------------


def schema_signature(schema: str) -> dict:
    """Everything the clone must reproduce, rendered the same way for any schema (its own objects
    unqualified): columns, constraints, indexes, triggers, sequences and their positions, rows."""
    with transaction.atomic(), _only_on_search_path(schema) as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        (ns,) = cursor.fetchone()
        signature: dict = {}
        cursor.execute(
            """SELECT r.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcollation
               FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
               LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE r.relnamespace = %s AND r.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY 1, 2""",
            [ns],
        )
        signature["columns"] = cursor.fetchall()
        cursor.execute(
            """SELECT r.relname, c.conname, c.contype, pg_get_constraintdef(c.oid, true)
               FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
               WHERE r.relnamespace = %s AND c.contype <> 't' ORDER BY 1, 2""",
            [ns],
        )
        signature["constraints"] = cursor.fetchall()
        cursor.execute(
            """SELECT ic.relname, pg_get_indexdef(i.indexrelid, 0, true) FROM pg_index i
               JOIN pg_class ic ON ic.oid = i.indexrelid WHERE ic.relnamespace = %s ORDER BY 1""",
            [ns],
        )
        signature["indexes"] = cursor.fetchall()
        cursor.execute(
            """SELECT t.tgname, pg_get_triggerdef(t.oid, true) FROM pg_trigger t
               JOIN pg_class r ON r.oid = t.tgrelid WHERE r.relnamespace = %s AND NOT t.tgisinternal
               ORDER BY 1""",
            [ns],
        )
        signature["triggers"] = cursor.fetchall()
        sequences = _sequences(cursor, ns)
        signature["sequences"] = sorted(tuple(sorted(s.items())) for s in sequences)
        cursor.execute(
            "SELECT relname, relkind, reloptions FROM pg_class WHERE relnamespace = %s ORDER BY 1", [ns]
        )
        signature["relations"] = cursor.fetchall()
        rows = {}
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r'", [ns])
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {_ident(table)} t"
            )
            rows[table] = cursor.fetchone()[0]
        signature["rows"] = rows
    return signature


def schema_relations(schema: str) -> dict:
    """Relations of a schema with their TOAST tables, and their size on disk."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) + count(NULLIF(c.reltoastrelid, 0)) * 2,
                      coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'S')), 0)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s""",
            [schema],
        )
        relations, size = cursor.fetchone()
    return {"relations": relations, "bytes": int(size)}


def is_public(schema_name: str) -> bool:
    return schema_name == get_public_schema_name()

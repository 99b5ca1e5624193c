"""One enterprise on its own: its schema (`pg_dump -n`), every public row that belongs to it, the users
those rows name (by email) and its files; restored into the same installation (replacing it, the
others untouched) or into another one.

Which public rows belong to an enterprise is read from the models: a row of a public model belongs to
it when a chain of foreign keys through public models leads to it (an audit row's `tenant`, an
assignment's case's `tenant`, a booking's slot's `tenant`). `PUBLIC_MODELS` names them, in the order
they are inserted; `uncovered_models()` finds any public model that refers to an enterprise and is
neither there nor in `NOT_COPIED`, and a backup refuses to run while there is one
(tests/test_backup.py checks it too)."""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from portal.backup.archive import ArchiveError, ArchiveWriter, Say, both, opened, short, store, workdir_for
from portal.backup.full import (
    add_media,
    media_files,
    media_targets,
    migration_check,
    move_files,
    platform_version,
    staging,
    stamp,
)
from portal.backup.pg import Database, binary, run_counting, tool_version

SCHEMA_DUMP = "schema.dump"
PUBLIC_ROWS = "public.json"
MEDIA = "media/"
ENTERPRISE = "tenants.Enterprise"
USER = "tenants.User"

# Insertion order: a model comes after every model it points at.
PUBLIC_MODELS = (
    "tenants.Enterprise",
    "tenants.Domain",
    "tenants.User_tenants",
    "tenants.LegalConsent",
    "core.AuditEvent",
    "core.Notice",
    "core.DataExportOutbox",
    "frameworks.ScoringRequest",
    "review.ReviewCase",
    "review.Assignment",
    "review.AssessmentFact",
    "lending.Application",
    "lending.ApplicationEvent",
    "lending.FinancingFact",
    "lending.FinancingOutbox",
    "hall.BoothListing",
    "hall.ListingProduct",
    "hall.Inquiry",
    "hall.MeetingSlot",
    "hall.Booking",
    "hall.ExhibitionFact",
    # An enterprise's transformation projects: restoring it in place must put back the rows that point
    # at it (a foreign key to it would refuse the enterprise's replacement otherwise). What they point
    # at (programmes, providers, solutions) is matched by natural key below.
    "programmes.Project",
    "programmes.Milestone",
    "programmes.Event",
    "programmes.ProjectFact",
)
# Public rows an enterprise's rows point at that each installation numbers its own way: matched on
# restore by their natural key, in this order (a section's key holds its exhibition).
NATURAL_KEYS = {
    "hall.Exhibition": ("name_zh", "starts_on"),
    "frameworks.Framework": ("code", "version"),
    "hall.Section": ("exhibition", "name_zh"),
    # A programme's and a solution's keys hold their framework version (and a solution's its provider).
    "programmes.Programme": ("framework", "name_zh", "apply_from"),
    "programmes.Provider": ("credit_code",),
    "programmes.Solution": ("provider", "framework", "name_zh"),
}
# Public models that refer to enterprises but are not copied with one, and why.
NOT_COPIED = {
    "tenants.User": "people are global: the users an enterprise's rows name travel by email and are "
    "matched or created on restore",
}


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times to the microsecond (it keeps milliseconds only)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


# --- which rows ---------------------------------------------------------------------------------------


def _public_models() -> list[type[models.Model]]:
    shared = set(settings.SHARED_APPS)
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_config.name in shared]


def _forward_fks(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def enterprise_paths() -> dict[str, list[str]]:
    """For each public model that refers to an enterprise: the lookups (`tenant`, `case__tenant`)
    from it to the enterprise, through foreign keys of public models other than the user."""
    enterprise = apps.get_model(ENTERPRISE)
    paths: dict[str, list[str]] = {ENTERPRISE: ["pk"]}
    models_ = [m for m in _public_models() if m is not enterprise and m._meta.label != USER]
    changed = True
    while changed:
        changed = False
        for model in models_:
            found = set(paths.get(model._meta.label, []))
            for field in _forward_fks(model):
                target = field.related_model._meta.label
                if target == ENTERPRISE:
                    found.add(field.name)
                elif target in paths and target != ENTERPRISE:
                    found.update(f"{field.name}__{lookup}" for lookup in paths[target])
            if found and sorted(found) != sorted(paths.get(model._meta.label, [])):
                paths[model._meta.label] = sorted(found)
                changed = True
    return paths


def plainly_named_references() -> list[str]:
    """Public model fields that may hold an enterprise's id or schema without being a foreign key."""
    enterprise = apps.get_model(ENTERPRISE)
    found = []
    for model in _public_models():
        if model is enterprise:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation:
                continue
            if any(word in field.name for word in ("tenant", "enterprise_id", "schema")):
                found.append(f"{model._meta.label}.{field.name}")
    return found


def uncovered_models() -> list[str]:
    referring = set(enterprise_paths()) | {name.rsplit(".", 1)[0] for name in plainly_named_references()}
    referring |= {
        m._meta.label
        for m in _public_models()
        for f in m._meta.many_to_many
        if f.related_model._meta.label == ENTERPRISE
    }
    return sorted(referring - set(PUBLIC_MODELS) - set(NOT_COPIED))


def _rows_filter(label: str, enterprise_id) -> Q:
    query = Q()
    for lookup in enterprise_paths()[label]:
        query |= Q(**{lookup: enterprise_id})
    return query


def _enterprise_for(key: str):
    from tenants.models import Enterprise

    found = Enterprise.objects.filter(Q(schema_name=key) | Q(credit_code=key.upper())).exclude(
        schema_name=get_public_schema_name()
    )
    enterprise = found.first()
    if enterprise is None:
        raise ArchiveError(_("no enterprise with the schema name or credit code %(key)s"), key=repr(key))
    return enterprise


def _tenant_user_columns() -> list[tuple[str, str, str]]:
    """(table, column, public model label) of every tenant column that points at a public row."""
    shared = set(settings.SHARED_APPS)
    columns = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_config.name in shared or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model._meta.app_config.name in shared:
                columns.append((model._meta.db_table, field.column, field.related_model._meta.label))
    return columns


def _values(model, queryset) -> list[dict]:
    return list(queryset.order_by("pk").values(*[f.attname for f in model._meta.concrete_fields]))


# --- backup -------------------------------------------------------------------------------------------


def backup_enterprise(*, key: str, destination: str, say: Say, database: Database | None = None) -> str:
    uncovered = uncovered_models()
    if uncovered:
        raise ArchiveError(
            _(
                "public models refer to enterprises but portal/backup/enterprise.py does not say whether "
                "to copy them: %(models)s"
            ),
            models=", ".join(uncovered),
        )
    database = database or Database.from_settings()
    media_root = Path(settings.MEDIA_ROOT)
    started = time.perf_counter()
    with schema_context(get_public_schema_name()):
        enterprise = _enterprise_for(key)
        schema = enterprise.schema_name
        created_at = datetime.datetime.now(datetime.UTC).isoformat()
        work = Path(tempfile.mkdtemp(dir=workdir_for(destination), prefix=".portal-backup-"))
        try:
            dump = work / SCHEMA_DUMP
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
                    [schema],
                )
                tables = cursor.fetchone()[0]
            say(
                short(
                    _("backing up enterprise %(schema)s (%(code)s): %(tables)s tables"),
                    schema=schema,
                    code=enterprise.credit_code,
                    tables=tables,
                )
            )
            run_counting(
                [
                    binary("pg_dump", database.server_major()),
                    "-Fc",
                    "--verbose",
                    "--no-password",
                    "-n",
                    schema,
                    "-f",
                    str(dump),
                    "-d",
                    database.name,
                ],
                database=database,
                pattern=r"dumping contents of table",
                total=tables,
                what=_("tables dumped"),
                say=say,
            )
            public, user_ids = _public_rows(enterprise)
            users = _users(user_ids | _tenant_user_ids(schema))
            counts = {label: len(rows) for label, rows in public.items()}
            say(
                short(
                    _("  public rows: %(rows)s in %(models)s models; %(users)s users"),
                    rows=f"{sum(counts.values()):,}",
                    models=len(counts),
                    users=len(users),
                )
            )
            files = media_files(media_root, f"tenants/{schema}") + _public_files(public, media_root)
            writer = ArchiveWriter(work / f"{schema}.tar", say)
            writer.add_file(dump, SCHEMA_DUMP)
            dump.unlink()
            writer.add_bytes(
                json.dumps(
                    {
                        "models": public,
                        "users": users,
                        "schema_version": _schema_version(enterprise),
                        "references": _references(public, schema),
                    },
                    cls=_Encoder,
                    ensure_ascii=False,
                ).encode(),
                PUBLIC_ROWS,
            )
            media_bytes = add_media(writer, media_root, sorted(set(files)), say)
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = cursor.fetchone()[0]
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                migrations: dict[str, list[str]] = defaultdict(list)
                for app, name in cursor.fetchall():
                    migrations[app].append(name)
            writer.close(
                {
                    "kind": "enterprise",
                    "created_at": created_at,
                    "platform_version": platform_version(),
                    "pg_dump_version": tool_version(binary("pg_dump", database.server_major())),
                    "postgresql_server_version": server,
                    "migrations": migrations,
                    "schema": schema,
                    "credit_code": enterprise.credit_code,
                    "schema_count": 1,
                    "enterprise_count": 1,
                    "table_count": tables,
                    "public_rows": counts,
                    "user_count": len(users),
                    "file_count": len(set(files)),
                    "media_bytes": media_bytes,
                }
            )
            name = f"portal-enterprise-{schema}-{stamp()}.tar"
            where = store(work / f"{schema}.tar", destination, name, say)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    say(
        both(
            _("backup of %(schema)s written: %(where)s (%(seconds)s s)"),
            schema=schema,
            where=where,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    return where


def _public_rows(enterprise) -> tuple[dict[str, list[dict]], set[int]]:
    rows: dict[str, list[dict]] = {}
    user_ids: set[int] = set()
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        found = _values(model, model.objects.filter(_rows_filter(label, enterprise.pk)).distinct())
        rows[label] = found
        for field in _forward_fks(model):
            if field.related_model._meta.label == USER:
                user_ids.update(row[field.attname] for row in found if row[field.attname] is not None)
    return rows, user_ids


def _tenant_user_ids(schema: str) -> set[int]:
    ids: set[int] = set()
    with connection.cursor() as cursor:
        for table, column, label in _tenant_user_columns():
            if label != USER:
                continue
            cursor.execute(
                f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
            )
            ids.update(row[0] for row in cursor.fetchall())
    return ids


def _users(ids: set[int]) -> list[dict]:
    from tenants.models import User

    return list(User.objects.filter(pk__in=ids).order_by("pk").values("id", "email", "name", "is_active"))


def _schema_version(enterprise) -> dict | None:
    version = enterprise.schema_version
    return None if version is None else {"fingerprint": version.fingerprint, "leaf_nodes": version.leaf_nodes}


def _references(public: dict[str, list[dict]], schema: str) -> dict[str, list[dict]]:
    """The natural key of every framework version, exhibition and section the enterprise's public rows
    and schema point at, so that another installation finds its own (NATURAL_KEYS)."""
    ids: dict[str, set] = defaultdict(set)
    for label, rows in public.items():
        for field in _forward_fks(apps.get_model(label)):
            if field.related_model._meta.label in NATURAL_KEYS:
                ids[field.related_model._meta.label].update(
                    row[field.attname] for row in rows if row[field.attname] is not None
                )
    with connection.cursor() as cursor:
        for table, column, label in _tenant_user_columns():
            if label in NATURAL_KEYS:
                cursor.execute(
                    f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
                )
                ids[label].update(row[0] for row in cursor.fetchall())
    found: dict[str, list[dict]] = {}
    for label in reversed(NATURAL_KEYS):  # sections first: their exhibitions are listed too
        model = apps.get_model(label)
        names = [model._meta.get_field(name).attname for name in NATURAL_KEYS[label]]
        found[label] = list(model.objects.filter(pk__in=ids[label]).order_by("pk").values("pk", *names))
        for field in _forward_fks(model):
            if field.related_model._meta.label in NATURAL_KEYS:
                ids[field.related_model._meta.label].update(row[field.attname] for row in found[label])
    return found


def _public_files(public: dict[str, list[dict]], media_root: Path) -> list[Path]:
    files = []
    for label, rows in public.items():
        for field in apps.get_model(label)._meta.concrete_fields:
            if isinstance(field, models.FileField):
                for row in rows:
                    if row[field.attname] and (media_root / row[field.attname]).is_file():
                        files.append(media_root / row[field.attname])
    return files


# --- restore ------------------------------------------------------------------------------------------


def restore_enterprise(*, source: str, say: Say, database: Database | None = None) -> dict:
    """Puts the archived enterprise into this installation: replaces it if it is here (same schema
    name and credit code), else adds it. Refuses a clash with a different enterprise, and a framework
    version or exhibition it refers to that this installation lacks."""
    database = database or Database.from_settings()
    media_root = Path(settings.MEDIA_ROOT)
    started = time.perf_counter()
    with opened(source, say) as archive, schema_context(get_public_schema_name()):
        manifest = archive.manifest
        if manifest.get("kind") != "enterprise":
            raise ArchiveError(
                _("%(source)s is a whole-platform backup: restore it without --enterprise"), source=source
            )
        pending = migration_check(manifest.get("migrations") or {})
        targets = media_targets(archive, media_root)
        with staging(media_root) as stage:
            extracted = archive.extract_verified(stage, say)
            try:
                data = json.loads(extracted[PUBLIC_ROWS].read_bytes())
            except ValueError as error:
                raise ArchiveError(
                    _("%(member)s cannot be read: %(error)s"), member=PUBLIC_ROWS, error=error
                ) from None
            schema = manifest["schema"]
            archived = data["models"][ENTERPRISE][0]
            existing = _existing(archived, [row["domain"] for row in data["models"]["tenants.Domain"]])
            references = _reference_maps(data.get("references") or {})
            aside = f"{schema[:40]}_restoring_{int(time.time())}"
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
                had_schema = cursor.fetchone() is not None
                if had_schema:
                    cursor.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"')
            connection.close()
            try:
                _schema_restore(extracted[SCHEMA_DUMP], manifest, database, say)
                summary = _public_restore(
                    data, existing=existing, schema=schema, references=references, say=say
                )
            except BaseException:
                connection.close()
                with database.connect(autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                    if had_schema:
                        conn.execute(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"')
                raise
            if had_schema:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA "{aside}" CASCADE')
            own = media_root / "tenants" / schema
            if own.is_dir():
                shutil.rmtree(own)
            files = move_files(extracted, targets, say)
    from tenants import routing

    routing.forget_all()
    summary.update(files=files, seconds=round(time.perf_counter() - started, 1), schema=schema)
    say(
        both(
            _(
                "restored enterprise %(schema)s (%(how)s): %(rows)s public rows, %(created)s users created, "
                "%(matched)s matched by email, %(files)s files, in %(seconds)s s"
            ),
            schema=schema,
            how=_("replaced") if existing else _("added"),
            rows=f"{summary['rows']:,}",
            created=summary["users_created"],
            matched=summary["users_matched"],
            files=f"{files:,}",
            seconds=summary["seconds"],
        )
    )
    if pending:
        say(
            both(
                _(
                    "the archive predates this code: run `manage.py migrate_enterprises` to bring its "
                    "schema up"
                )
            )
        )
    return summary


def _reference_maps(references: dict[str, list[dict]]) -> dict[str, dict]:
    """Archived id -> this installation's id of each framework version, exhibition and section the
    enterprise refers to, matched by natural key (NATURAL_KEYS). One this installation lacks (or holds
    twice) is refused, all of them named, before anything is changed. An archive without natural keys
    (older) keeps the ids as they are."""
    maps: dict[str, dict] = {}
    lacking: list[str] = []
    for label in NATURAL_KEYS:
        model = apps.get_model(label)
        maps[label] = {}
        for row in references.get(label, []):
            lookup = {}
            for name in NATURAL_KEYS[label]:
                field = model._meta.get_field(name)
                value = row[field.attname]
                if field.is_relation:
                    value = maps[field.related_model._meta.label].get(value)
                else:
                    value = field.to_python(value)
                lookup[field.attname] = value
            found = list(model.objects.filter(**lookup).values_list("pk", flat=True)[:2])
            if len(found) == 1:
                maps[label][row["pk"]] = found[0]
                continue
            shown = ", ".join(
                f"{name}={row[model._meta.get_field(name).attname]}" for name in NATURAL_KEYS[label]
            )
            lacking.append(f"{label} ({shown})" + (" ×2" if found else ""))
    if lacking:
        raise ArchiveError(
            _(
                "this installation lacks what the enterprise refers to (or holds it twice): %(lacking)s. "
                "Load these framework versions or create these exhibitions first. Nothing was changed."
            ),
            lacking="; ".join(lacking),
        )
    return maps


def _existing(archived: dict, hosts: list[str]):
    """The enterprise the archive replaces here (or None); a clash with a different one is refused."""
    from tenants.models import Domain, Enterprise

    by_schema = Enterprise.objects.filter(schema_name=archived["schema_name"]).first()
    by_code = Enterprise.objects.filter(credit_code=archived["credit_code"]).first()
    if (by_schema or by_code) and (by_schema is None or by_code is None or by_schema.pk != by_code.pk):
        params = {"schema": archived["schema_name"], "code": archived["credit_code"]}
        if by_schema is not None:
            params.update(schema_owner=by_schema.schema_name, schema_owner_code=by_schema.credit_code)
        if by_code is not None:
            params.update(code_owner=by_code.schema_name, code_owner_code=by_code.credit_code)
        if by_schema is not None and by_code is not None:
            message = _(
                "clash with a different enterprise: the archived %(schema)s (%(code)s) cannot replace this "
                "installation's: its schema name belongs to %(schema_owner)s (%(schema_owner_code)s); its "
                "credit code belongs to %(code_owner)s (%(code_owner_code)s). Nothing was changed."
            )
        elif by_schema is not None:
            message = _(
                "clash with a different enterprise: the archived %(schema)s (%(code)s) cannot replace this "
                "installation's: its schema name belongs to %(schema_owner)s (%(schema_owner_code)s). "
                "Nothing was changed."
            )
        else:
            message = _(
                "clash with a different enterprise: the archived %(schema)s (%(code)s) cannot replace this "
                "installation's: its credit code belongs to %(code_owner)s (%(code_owner_code)s). "
                "Nothing was changed."
            )
        raise ArchiveError(message, **params)
    existing = by_schema
    clash = Domain.objects.filter(domain__in=hosts)
    if existing is not None:
        clash = clash.exclude(tenant=existing)
    clash = clash.select_related("tenant").first()
    if clash is not None:
        raise ArchiveError(
            _(
                "clash: the host %(host)s belongs to a different enterprise here (%(schema)s); "
                "nothing was changed"
            ),
            host=clash.domain,
            schema=clash.tenant.schema_name,
        )
    if existing is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [archived["schema_name"]])
            if cursor.fetchone():
                raise ArchiveError(
                    _("clash: a schema %(schema)s exists here without an enterprise; nothing was changed"),
                    schema=archived["schema_name"],
                )
    return existing


def _schema_restore(dump: Path, manifest: dict, database: Database, say: Say) -> None:
    run_counting(
        [
            binary("pg_restore", database.server_major()),
            "--verbose",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            "-d",
            database.name,
            str(dump),
        ],
        database=database,
        pattern=r"processing data for table",
        total=manifest.get("table_count") or 1,
        what=_("tables restored"),
        say=say,
    )


@transaction.atomic
def _public_restore(data: dict, *, existing, schema: str, references: dict, say: Say) -> dict:
    from reports import rollup
    from tenants.models import SchemaVersion

    with connection.cursor() as cursor:
        # Public rows the old schema pointed at are deleted with it (it is being replaced).
        cursor.execute("SET LOCAL portal.references_checked = 'on'")
        # Foreign keys checked row by row, so that a missing reference is named with its row (a
        # deferred check would fail at commit, with no row to name).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before_verified, before_registered = _report_places(existing.pk) if existing else (set(), set())
    if existing is not None:
        _public_delete(existing.pk)
    maps: dict[str, dict] = {USER: _users_map(data["users"]), **references}
    created = sum(1 for row in data["users"] if maps[USER].get(("created", row["id"])))
    maps[USER] = {k: v for k, v in maps[USER].items() if not isinstance(k, tuple)}
    version = data.get("schema_version")
    if version:
        row, _created = SchemaVersion.objects.get_or_create(
            fingerprint=version["fingerprint"], defaults={"leaf_nodes": version["leaf_nodes"]}
        )
        maps["tenants.SchemaVersion"] = {"*": row.pk}
    rows = 0
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        maps[label] = _insert(model, data["models"].get(label, []), maps)
        rows += len(data["models"].get(label, []))
    _tenant_remap(schema, maps)
    enterprise_id = maps[ENTERPRISE][data["models"][ENTERPRISE][0]["id"]]
    after_verified, after_registered = _report_places(enterprise_id)
    for framework_id in {f for f, _place in before_verified | after_verified}:
        places = {p for f, p in before_verified | after_verified if f == framework_id}
        rollup.verified_refresh(framework_id=framework_id, places=places)
    for city, quarter in before_registered | after_registered:
        rollup.registered_refresh(city=city, quarter=quarter)
    say(
        short(
            _("  report cells recomputed: %(verified)s verified, %(registered)s registered"),
            verified=len(before_verified | after_verified),
            registered=len(before_registered | after_registered),
        )
    )
    return {"rows": rows, "users_created": created, "users_matched": len(data["users"]) - created}


def _report_places(enterprise_id) -> tuple[set, set]:
    from manufacturing.review.models import AssessmentFact
    from reports import rollup
    from tenants.models import Enterprise

    verified = set()
    for framework_id in set(
        AssessmentFact.objects.filter(tenant_id=enterprise_id).values_list("framework_id", flat=True)
    ):
        verified |= {
            (framework_id, place)
            for place in rollup.facts_places(tenant_id=enterprise_id, framework_id=framework_id)
        }
    registered = set()
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is not None and enterprise.provisioned_at and enterprise.city_id:
        registered.add((enterprise.city_id, rollup.quarter_of(enterprise.provisioned_at)))
    return verified, registered


def _public_delete(enterprise_id) -> None:
    with connection.cursor() as cursor:
        for label in reversed(PUBLIC_MODELS):
            model = apps.get_model(label)
            ids = list(
                model.objects.filter(_rows_filter(label, enterprise_id))
                .values_list("pk", flat=True)
                .distinct()
            )
            if ids:
                cursor.execute(
                    f'DELETE FROM "{model._meta.db_table}" WHERE "{model._meta.pk.column}" = ANY(%s)', [ids]
                )


def _users_map(users: list[dict]) -> dict:
    """Archived user id -> this installation's, matched by email; missing people are created with an
    unusable password (they set one through "forgot password")."""
    from tenants.models import User

    mapping: dict = {}
    for row in users:
        user = User.objects.filter(email__iexact=row["email"]).first()
        if user is None:
            user = User.objects.create_user(email=row["email"], password=None, name=row["name"])
            user.set_unusable_password()
            user.is_active = row["is_active"]
            user.save(update_fields=["password", "is_active"])
            mapping[("created", row["id"])] = True
        mapping[row["id"]] = user.pk
    return mapping


def _insert(model, rows: list[dict], maps: dict) -> dict:
    """Inserts the archived rows, keeping each id where it is free here; returns old id -> new id."""
    mapping: dict = {}
    if not rows:
        return mapping
    pk = model._meta.pk.attname
    fks = [f for f in _forward_fks(model) if f.related_model._meta.label in maps and f.attname != pk]
    taken = set(model.objects.filter(pk__in=[row[pk] for row in rows]).values_list("pk", flat=True))
    kept = []
    for row in rows:
        values = {}
        for field in model._meta.concrete_fields:
            value = row[field.attname]
            values[field.attname] = None if value is None else field.to_python(value)
        for field in fks:
            value = values[field.attname]
            target = maps[field.related_model._meta.label]
            if value is not None:
                values[field.attname] = target.get("*", target.get(value, value))
        old = row[pk]
        if old in taken:
            values.pop(pk)
        instance = model(**values)
        try:
            with transaction.atomic():
                instance.save_base(raw=True, force_insert=True)
        except IntegrityError as error:
            raise ArchiveError(
                _(
                    "cannot put back a %(model)s row (id %(id)s): %(error)s. Its references must exist in "
                    "this installation (reference data, framework versions, exhibitions). "
                    "Nothing was changed."
                ),
                model=model._meta.label,
                id=old,
                error=error,
            ) from None
        mapping[old] = instance.pk
        if old not in taken:
            kept.append(old)
    if kept:
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(
                    f'SELECT setval(%s, GREATEST((SELECT max("{column}") FROM "{table}"), '
                    f"(SELECT last_value FROM {sequence})))",
                    [sequence],
                )
    return mapping


def _tenant_remap(schema: str, maps: dict) -> None:
    """Rewrites the restored schema's references into public where those rows got other ids here."""
    with connection.cursor() as cursor:
        for table, column, label in _tenant_user_columns():
            changes = [(old, new) for old, new in maps.get(label, {}).items() if old != "*" and old != new]
            if not changes:
                continue
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                [schema, table],
            )
            if cursor.fetchone() is None:
                continue
            cursor.execute(
                f'UPDATE "{schema}"."{table}" AS t SET "{column}" = m.new FROM '
                f'unnest(%s::bigint[], %s::bigint[]) AS m(old, new) WHERE t."{column}" = m.old',
                [[int(old) for old, _new in changes], [int(new) for _old, new in changes]],
            )

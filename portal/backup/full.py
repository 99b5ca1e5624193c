"""The whole platform: `pg_dump -Fc` of the database, every file under MEDIA_ROOT, and the manifest;
restored into an empty database (a fresh installation)."""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.backup.archive import (
    Archive,
    ArchiveError,
    ArchiveWriter,
    Say,
    both,
    opened,
    short,
    store,
    workdir_for,
)
from portal.backup.pg import Database, binary, run_counting, tool_version

DUMP = "database.dump"
MEDIA = "media/"
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
USER_SCHEMAS = (
    f"n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
    "AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
)


def platform_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jingjinji-portal")
    except PackageNotFoundError:
        import tomllib

        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]


def stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def database_facts(database: Database) -> dict:
    """Server version, counts and the migration state recorded in the public schema."""
    with database.connect() as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        schemas = conn.execute(f"SELECT count(*) FROM pg_namespace n WHERE {USER_SCHEMAS}").fetchone()[0]
        tables = conn.execute(
            f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS}"
        ).fetchone()[0]
        enterprises = conn.execute(
            "SELECT count(*) FROM public.tenants_enterprise WHERE schema_name <> 'public'"
        ).fetchone()[0]
        rows = conn.execute("SELECT app, name FROM public.django_migrations ORDER BY app, name").fetchall()
    migrations: dict[str, list[str]] = {}
    for app, name in rows:
        migrations.setdefault(app, []).append(name)
    return {
        "postgresql_server_version": server,
        "schema_count": schemas,
        "table_count": tables,
        "enterprise_count": enterprises,
        "migrations": migrations,
    }


def media_files(root: Path, below: str = "") -> list[Path]:
    start = root / below if below else root
    if not start.is_dir():
        return []
    return sorted(
        path
        for path in start.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not path.relative_to(root).parts[0].startswith(STAGE_PREFIX)
    )


def add_media(writer: ArchiveWriter, root: Path, files: list[Path], say: Say) -> int:
    step = max(500, len(files) // 20)
    total = 0
    for done, path in enumerate(files, start=1):
        name = MEDIA + path.relative_to(root).as_posix()
        writer.add_file(path, name)
        total += writer.members[name]["size"]
        if done % step == 0 or done == len(files):
            say(
                short(
                    _("  files: %(done)s/%(count)s (%(mb)s MB)"),
                    done=f"{done:,}",
                    count=f"{len(files):,}",
                    mb=f"{total / 2**20:,.1f}",
                )
            )
    return total


def backup_full(*, destination: str, say: Say, database: Database | None = None, media_root=None) -> str:
    """Writes the archive to `destination` (a directory or s3://bucket/prefix); returns where it is."""
    database = database or Database.from_settings()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    started = time.perf_counter()
    facts = database_facts(database)
    say(
        short(
            _("backing up %(database)s: %(enterprises)s enterprises, %(schemas)s schemas, %(tables)s tables"),
            database=database.name,
            enterprises=f"{facts['enterprise_count']:,}",
            schemas=f"{facts['schema_count']:,}",
            tables=f"{facts['table_count']:,}",
        )
    )
    name = f"portal-backup-{stamp()}.tar"
    work = Path(tempfile.mkdtemp(dir=workdir_for(destination), prefix=".portal-backup-"))
    try:
        dump = work / DUMP
        created_at = datetime.datetime.now(datetime.UTC).isoformat()
        run_counting(
            [
                binary("pg_dump", database.server_major()),
                "-Fc",
                "--verbose",
                "--no-password",
                "-f",
                str(dump),
                "-d",
                database.name,
            ],
            database=database,
            pattern=r"dumping contents of table",
            total=facts["table_count"],
            what=_("tables dumped"),
            say=say,
        )
        say(short(_("  database dump: %(mb)s MB"), mb=f"{dump.stat().st_size / 2**20:,.1f}"))
        writer = ArchiveWriter(work / name, say)
        writer.add_file(dump, DUMP)
        dump.unlink()
        files = media_files(media_root)
        media_bytes = add_media(writer, media_root, files, say)
        writer.close(
            {
                "kind": "full",
                "created_at": created_at,
                "platform_version": platform_version(),
                "pg_dump_version": tool_version(binary("pg_dump", database.server_major())),
                "database": database.name,
                "file_count": len(files),
                "media_bytes": media_bytes,
                **facts,
            }
        )
        size = (work / name).stat().st_size
        where = store(work / name, destination, name, say)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(
        both(
            _("backup written: %(where)s (%(mb)s MB, %(seconds)s s)"),
            where=where,
            mb=f"{size / 2**20:,.1f}",
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    return where


# --- restore ------------------------------------------------------------------------------------------


def migration_check(archived: dict[str, list[str]]) -> list[str]:
    """Refuses an archive made by code with migrations this code does not have (a newer version);
    returns the migrations this code has that the archive has not (an older archive: run migrate)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in archived.items() for name in names}
    unknown = sorted(applied - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise ArchiveError(
            _(
                "incompatible archive: it was made by a newer version of the platform (%(count)s "
                "migration(s) this code does not know: %(listed)s). Restore it with the version that "
                "made it (manifest: platform_version)."
            ),
            count=len(unknown),
            listed=listed,
        )
    apps = set(archived)
    return sorted(f"{app}.{name}" for app, name in known - applied if app in apps or not apps)


def database_contents(database: Database) -> tuple[int, int]:
    """(relations, schemas other than an empty public) in the target database."""
    with database.connect() as conn:
        relations = conn.execute(
            f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_SCHEMAS}"
        ).fetchone()[0]
        schemas = conn.execute(
            f"SELECT count(*) FROM pg_namespace n WHERE {USER_SCHEMAS} AND n.nspname <> 'public'"
        ).fetchone()[0]
    return relations, schemas


def database_clear(database: Database, say: Say) -> None:
    """Drops every schema (one transaction each: tens of thousands would overflow the lock table)."""
    with database.connect(autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(f"SELECT nspname FROM pg_namespace n WHERE {USER_SCHEMAS} ORDER BY 1")
        ]
        for done, schema in enumerate(names, start=1):
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            if done % 500 == 0:
                say(
                    short(
                        _("  dropped %(done)s/%(count)s schemas"), done=f"{done:,}", count=f"{len(names):,}"
                    )
                )
        conn.execute("CREATE SCHEMA IF NOT EXISTS public")
        conn.execute("GRANT ALL ON SCHEMA public TO public")


def restore_full(
    *,
    source: str,
    say: Say,
    database: Database | None = None,
    media_root=None,
    force: bool = False,
    jobs: int = 1,
) -> dict:
    """Restores the archive into the target database (which must be empty, or `force`) and MEDIA_ROOT.
    Every checksum is verified before anything is changed: the archive is read once, each member
    written to a staging directory in MEDIA_ROOT as its checksum is computed; the files are then
    renamed into place. With `force`, MEDIA_ROOT ends as the archive has it (files not in it are
    removed). Returns a summary, with the seconds each phase took."""
    database = database or Database.from_settings()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    started = time.perf_counter()
    phases: dict[str, float] = {}
    with opened(source, say) as archive:
        manifest = archive.manifest
        if manifest.get("kind") != "full":
            raise ArchiveError(
                _(
                    "%(source)s is a backup of one enterprise (%(schema)s): restore it with "
                    "`manage.py restore --enterprise`"
                ),
                source=source,
                schema=manifest.get("schema"),
            )
        pending = migration_check(manifest.get("migrations") or {})
        say(
            short(
                _(
                    "archive of %(created_at)s: platform %(version)s, %(enterprises)s enterprises, "
                    "%(files)s files"
                ),
                created_at=manifest["created_at"],
                version=manifest["platform_version"],
                enterprises=f"{manifest['enterprise_count']:,}",
                files=f"{manifest['file_count']:,}",
            )
        )
        targets = media_targets(archive, media_root)
        relations, schemas = database_contents(database)
        existing = media_files(media_root)
        if (relations or schemas or existing) and not force:
            raise ArchiveError(
                _(
                    "the target is not a fresh installation: database %(database)s holds %(relations)s "
                    "relations in %(schemas)s schemas besides public, and %(media)s holds %(files)s files. "
                    "Restore into an empty database, or pass --force to replace everything in it. "
                    "Nothing was changed."
                ),
                database=database.name,
                relations=f"{relations:,}",
                schemas=f"{schemas:,}",
                media=media_root,
                files=f"{len(existing):,}",
            )
        phases["checks"] = time.perf_counter() - started
        with staging(media_root) as stage:
            mark = time.perf_counter()
            extracted = archive.extract_verified(stage, say)
            phases["verify"] = time.perf_counter() - mark
            mark = time.perf_counter()
            if relations or schemas:
                say(short(_("--force: dropping every schema of %(database)s"), database=database.name))
                database_clear(database, say)
            _pg_restore(extracted[DUMP], archive.manifest, database, say, jobs=jobs)
            phases["database"] = time.perf_counter() - mark
            mark = time.perf_counter()
            removed = media_clear(media_root, keep=stage) if force else 0
            restored = move_files(extracted, targets, say)
            phases["files"] = time.perf_counter() - mark
    summary = {
        "database": database.name,
        "enterprises": manifest["enterprise_count"],
        "schemas": manifest["schema_count"],
        "tables": manifest["table_count"],
        "files": restored,
        "files_removed": removed,
        "seconds": round(time.perf_counter() - started, 1),
        "phases": {name: round(seconds, 2) for name, seconds in phases.items()},
        "pending_migrations": pending,
        "created_at": manifest["created_at"],
    }
    say(
        both(
            _(
                "restored the backup of %(created_at)s into %(database)s: %(enterprises)s enterprises, "
                "%(schemas)s schemas, %(tables)s tables, %(files)s files (%(removed)s removed) "
                "in %(seconds)s s "
                "(checks %(checks)s s, read and verify %(verify)s s, database %(db)s s, files %(move)s s)"
            ),
            created_at=summary["created_at"],
            database=database.name,
            enterprises=f"{summary['enterprises']:,}",
            schemas=f"{summary['schemas']:,}",
            tables=f"{summary['tables']:,}",
            files=f"{restored:,}",
            removed=f"{removed:,}",
            seconds=summary["seconds"],
            checks=f"{phases['checks']:.1f}",
            verify=f"{phases['verify']:.1f}",
            db=f"{phases['database']:.1f}",
            move=f"{phases['files']:.1f}",
        )
    )
    if pending:
        say(
            both(
                _(
                    "the archive predates this code by %(count)s migration(s) (%(listed)s…): now run "
                    "`manage.py setup_platform --no-demo` then `manage.py migrate_enterprises`"
                ),
                count=len(pending),
                listed=", ".join(pending[:3]),
            )
        )
    return summary


STAGE_PREFIX = ".portal-restore-"


@contextmanager
def staging(media_root: Path) -> Iterator[Path]:
    """A directory inside MEDIA_ROOT (so that files are renamed into place, not copied), removed after."""
    media_root.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=media_root, prefix=STAGE_PREFIX))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _pg_restore(dump: Path, manifest: dict, database: Database, say: Say, *, jobs: int) -> None:
    argv = [
        binary("pg_restore", database.server_major()),
        "--verbose",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--no-password",
        "-d",
        database.name,
    ]
    if jobs > 1:
        argv += ["--jobs", str(jobs)]
    run_counting(
        [*argv, str(dump)],
        database=database,
        pattern=r"processing data for table",
        total=manifest.get("table_count") or 1,
        what=_("tables restored"),
        say=say,
    )


def media_targets(archive: Archive, media_root: Path) -> list[tuple[str, Path]]:
    """Each file member and where it goes; checked before anything is changed."""
    root = media_root.resolve()
    targets = []
    for name in archive.names(MEDIA):
        target = (root / name.removeprefix(MEDIA)).resolve()
        if not target.is_relative_to(root) or target == root or target.name.startswith(STAGE_PREFIX):
            raise ArchiveError(
                _("%(name)s: a path outside MEDIA_ROOT (damaged or forged archive); nothing was changed"),
                name=name,
            )
        targets.append((name, target))
    return targets


def media_clear(media_root: Path, *, keep: Path) -> int:
    """Removes everything in MEDIA_ROOT but `keep` (the staging directory); returns the files removed."""
    removed = 0
    for entry in media_root.iterdir():
        if entry == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            removed += sum(1 for path in entry.rglob("*") if not path.is_dir())
            shutil.rmtree(entry)
        else:
            removed += 1
            entry.unlink()
    return removed


def move_files(extracted: dict[str, Path], targets: list[tuple[str, Path]], say: Say) -> int:
    """Renames the verified files from the staging directory to their places."""
    step = max(500, len(targets) // 20)
    made: set[Path] = set()
    for done, (name, target) in enumerate(targets, start=1):
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.replace(extracted[name], target)
        except OSError:  # another file system mounted below MEDIA_ROOT
            shutil.move(extracted[name], target)
        if done % step == 0 or done == len(targets):
            say(short(_("  files restored: %(done)s/%(count)s"), done=f"{done:,}", count=f"{len(targets):,}"))
    return len(targets)

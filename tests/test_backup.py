"""Backup and restore (portal/backup, `manage.py backup` / `restore`) on the real PostgreSQL.

A populated platform is made once for the module in a database of its own: `manage.py setup_platform`
with the demo data (three enterprises with assessments at every stage of review, evidence files,
product pictures, a financing request, an exhibition with listings and bookings), its files in a
temporary MEDIA_ROOT. Each restore goes into another database made by the test and dropped after it.
Databases are compared table by table (row count and md5 of the ordered rows' text) and files by sha256.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.parse
import uuid
from pathlib import Path

import pytest

from portal.backup import enterprise as one
from portal.backup.archive import ArchiveError
from portal.backup.full import backup_full, restore_full
from portal.backup.pg import Database

ROOT = Path(__file__).resolve().parent.parent
# Each test runs manage.py (Python and Django start) and whole-database dumps and restores.
pytestmark = pytest.mark.timeout(1200)
# Report cells are rewritten (new ids, same values) when an enterprise's rows are put back.
ROLLUPS = {"public.reports_verifiedcell", "public.reports_registeredcell", "public.reports_industryspan"}


def base_database() -> Database:
    """The server's maintenance database (`postgres`): the one DATABASE_URL names may not exist when
    the tests run on a server of their own choosing (they use test_<name>)."""
    url = Database.from_url(os.environ["DATABASE_URL"])
    return Database(name="postgres", host=url.host, port=url.port, user=url.user, password=url.password)


def database_named(name: str) -> Database:
    base = base_database()
    return Database(name=name, host=base.host, port=base.port, user=base.user, password=base.password)


def create_database(prefix: str) -> Database:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with base_database().connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_named(name)


def drop_database(database: Database) -> None:
    with base_database().connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def url_of(database: Database) -> str:
    auth = database.user + (f":{database.password}" if database.password else "")
    host = database.host or "localhost"
    if host.startswith("/"):  # a Unix socket's directory (the embedded server): percent-encoded
        host = urllib.parse.quote(host, safe="")
    port = f":{database.port}" if database.port else ""
    return f"postgresql://{auth}@{host}{port}/{database.name}"


def manage(database: Database, media: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url_of(database),
        MEDIA_ROOT=str(media),
        # No broker: what the demo sends is left to the outbox (nothing here consumes it).
        REDIS_URL="redis://127.0.0.1:1/0",
        TEST_FAST_PASSWORD_HASHING="1",
        PYTHONWARNINGS="ignore",
    )
    env.pop("BACKUP_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def table_sums(database: Database, *, schemas: set[str] | None = None, without_ids=()) -> dict[str, tuple]:
    """{schema.table: (rows, md5 of the rows' text in order)} for every table of every schema."""
    sums = {}
    with database.connect() as conn:
        tables = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            if schemas is not None and schema not in schemas:
                continue
            key = f"{schema}.{table}"
            row = "(to_jsonb(x) - 'id')::text" if key in without_ids else "x::text"
            sums[key] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg({row}, E'\\n' ORDER BY {row}), '')) "
                f'FROM "{schema}"."{table}" x'
            ).fetchone()
    return sums


def file_sums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def enterprise_schemas(database: Database) -> list[tuple[str, str]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT schema_name, credit_code FROM tenants_enterprise "
            "WHERE schema_name <> 'public' ORDER BY id"
        ).fetchall()


def erase_enterprise(database: Database, schema: str) -> int:
    """Drops the enterprise's schema and deletes its public rows, by hand (not with the code under
    test); returns its id."""
    with database.connect(autocommit=True) as conn:
        conn.execute("BEGIN")
        conn.execute("SET LOCAL portal.references_checked = 'on'")
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        enterprise_id = conn.execute(
            "SELECT id FROM tenants_enterprise WHERE schema_name = %s", [schema]
        ).fetchone()[0]
        for statement in (
            "DELETE FROM hall_booking WHERE slot_id IN "
            "(SELECT id FROM hall_meetingslot WHERE tenant_id = %(e)s)",
            "DELETE FROM hall_listingproduct WHERE listing_id IN "
            "(SELECT id FROM hall_boothlisting WHERE tenant_id = %(e)s)",
            "DELETE FROM review_assignment WHERE case_id IN "
            "(SELECT id FROM review_reviewcase WHERE tenant_id = %(e)s)",
            "DELETE FROM lending_applicationevent WHERE application_id IN "
            "(SELECT id FROM lending_application WHERE tenant_id = %(e)s)",
        ):
            conn.execute(statement, {"e": enterprise_id})
        for table in (
            "hall_inquiry",
            "hall_meetingslot",
            "hall_exhibitionfact",
            "hall_boothlisting",
            "lending_financingoutbox",
            "lending_financingfact",
            "lending_application",
            "review_assessmentfact",
            "review_reviewcase",
            "frameworks_scoringrequest",
            "review_auditevent",
        ):
            conn.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [enterprise_id])
        conn.execute("DELETE FROM review_notice WHERE about_id = %s", [enterprise_id])
        conn.execute("DELETE FROM tenants_legalconsent WHERE enterprise_id = %s", [enterprise_id])
        conn.execute("DELETE FROM tenants_user_tenants WHERE enterprise_id = %s", [enterprise_id])
        conn.execute("DELETE FROM tenants_domain WHERE tenant_id = %s", [enterprise_id])
        conn.execute("DELETE FROM tenants_enterprise WHERE id = %s", [enterprise_id])
        conn.execute("COMMIT")
    return enterprise_id


def say(line: str) -> None:
    print(line)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A populated platform in a database of its own, with its files."""
    database = create_database("bk_src")
    media = tmp_path_factory.mktemp("src-media")
    try:
        manage(database, media, "setup_platform")
        yield database, media
    finally:
        drop_database(database)


@pytest.fixture
def fresh(tmp_path):
    made = []

    def make():
        database = create_database("bk_dst")
        made.append(database)
        media = tmp_path / f"media-{len(made)}"
        return database, media

    yield make
    for database in made:
        drop_database(database)


def test_full_round_trip_into_another_database(platform, fresh, tmp_path):
    source, source_media = platform
    files = file_sums(source_media)
    assert len(enterprise_schemas(source)) >= 3
    assert any("/evidence/" in name for name in files) and any("/products/" in name for name in files)
    before = table_sums(source)

    where = backup_full(destination=str(tmp_path / "out"), say=say, database=source, media_root=source_media)

    with tarfile.open(where) as tar:
        import json

        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["kind"] == "full"
    assert manifest["enterprise_count"] == len(enterprise_schemas(source))
    assert manifest["schema_count"] == len({key.split(".")[0] for key in before})
    assert manifest["file_count"] == len(files)
    assert manifest["migrations"]["tenants"] and manifest["postgresql_server_version"]
    assert manifest["pg_dump_version"].startswith("pg_dump")
    assert set(manifest["members"]) == {"database.dump"} | {f"media/{name}" for name in files}

    target, target_media = fresh()
    summary = restore_full(source=where, say=say, database=target, media_root=target_media)

    assert summary["pending_migrations"] == []
    after = table_sums(target)
    assert len(after) == len(before) > 100
    assert after == before
    assert file_sums(target_media) == files


def test_restore_refuses_a_database_that_is_not_empty(platform, fresh, tmp_path):
    source, source_media = platform
    where = backup_full(destination=str(tmp_path), say=say, database=source, media_root=source_media)
    target, target_media = fresh()
    with target.connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE public.precious (id int)")
        conn.execute("INSERT INTO public.precious VALUES (1)")
    (target_media / "tenants" / "gone").mkdir(parents=True)
    (target_media / "tenants" / "gone" / "stray.txt").write_text("not in the archive")
    (target_media / "top.txt").write_text("nor this")

    refused = manage(target, target_media, "restore", where, check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    # In English and in Chinese.
    assert "not a fresh installation" in refused.stderr and "--force" in refused.stderr
    assert "目标不是全新安装" in refused.stderr and "未做任何更改" in refused.stderr
    assert list(table_sums(target)) == ["public.precious"]
    assert set(file_sums(target_media)) == {"tenants/gone/stray.txt", "top.txt"}

    summary = restore_full(source=where, say=say, database=target, media_root=target_media, force=True)
    assert table_sums(target) == table_sums(source)
    # MEDIA_ROOT is what the archive holds, nothing more.
    assert file_sums(target_media) == file_sums(source_media)
    assert summary["files_removed"] == 2
    assert sorted(path.name for path in target_media.iterdir()) == sorted(
        path.name for path in source_media.iterdir()
    )


def _damaged_copies(archive: Path, tmp_path: Path) -> dict[str, Path]:
    data = archive.read_bytes()
    copies = {}
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    copies["truncated"] = truncated
    # One byte flipped inside the database dump (the first member, after its 512-byte header(s)).
    flipped = bytearray(data)
    with tarfile.open(archive) as tar:
        offset = tar.getmember("database.dump").offset_data + 100
    flipped[offset] ^= 0xFF
    (tmp_path / "flipped.tar").write_bytes(bytes(flipped))
    copies["checksum"] = tmp_path / "flipped.tar"
    # A member missing: the archive rewritten without one file.
    missing = tmp_path / "missing.tar"
    with tarfile.open(archive) as source, tarfile.open(missing, "w") as out:
        dropped = False
        for member in source.getmembers():
            if member.name.startswith("media/") and not dropped:
                dropped = True
                continue
            out.addfile(member, source.extractfile(member))
    copies["missing"] = missing
    return copies


@pytest.mark.parametrize(
    ("damage", "message", "chinese"),
    [
        ("truncated", "damaged or truncated", "已损坏或不完整"),
        ("checksum", "database.dump: checksum mismatch", "database.dump：校验和不符（备份已损坏）"),
        ("missing", "incomplete: 1 member", "备份不完整：缺少 1 个成员"),
    ],
)
def test_damaged_archive_is_refused_and_nothing_changes(platform, fresh, tmp_path, damage, message, chinese):
    source, source_media = platform
    where = Path(backup_full(destination=str(tmp_path), say=say, database=source, media_root=source_media))
    damaged = _damaged_copies(where, tmp_path)[damage]
    target, target_media = fresh()
    with target.connect(autocommit=True) as conn:
        conn.execute("SELECT 1")
    before = table_sums(target)

    with pytest.raises(ArchiveError, match=message) as raised:
        restore_full(source=str(damaged), say=say, database=target, media_root=target_media)
    assert chinese in str(raised.value)

    assert table_sums(target) == before == {}
    assert not target_media.exists() or not any(target_media.rglob("*"))


def test_an_archive_from_newer_code_is_refused(platform, fresh, tmp_path):
    source, source_media = platform
    where = Path(backup_full(destination=str(tmp_path), say=say, database=source, media_root=source_media))
    # The same archive, its manifest claiming a migration this code does not have.
    import json

    newer = tmp_path / "newer.tar"
    with tarfile.open(where) as tar, tarfile.open(newer, "w") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if member.name == "manifest.json":
                manifest = json.loads(data.read())
                manifest["migrations"]["tenants"].append("9999_from_the_future")
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                import io

                data = io.BytesIO(raw)
            out.addfile(member, data)
    target, target_media = fresh()

    refused = manage(target, target_media, "restore", str(newer), check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert re.search(r"newer version.*tenants\.9999_from_the_future", refused.stderr)
    assert "更新版本的平台" in refused.stderr
    assert table_sums(target) == {}


def test_one_enterprise_round_trip_leaves_the_others_alone(platform, tmp_path):
    source, source_media = platform
    (schema, credit_code), (other, _other_code) = enterprise_schemas(source)[:2]
    before = table_sums(source, without_ids=ROLLUPS)
    files = file_sums(source_media)
    own_files = {name for name in files if name.startswith(f"tenants/{schema}/")}
    assert own_files
    out = tmp_path / "one"

    result = manage(source, source_media, "backup", str(out), "--enterprise", credit_code)
    archive = result.stdout.strip().splitlines()[-1]
    assert Path(archive).is_file()

    # The enterprise is gone: its schema, its public rows, its files.
    erase_enterprise(source, schema)
    shutil.rmtree(source_media / "tenants" / schema)
    gone = table_sums(source, without_ids=ROLLUPS)
    assert not any(key.startswith(f"{schema}.") for key in gone)
    assert gone["public.tenants_enterprise"] != before["public.tenants_enterprise"]

    result = manage(source, source_media, "restore", "--enterprise", archive)
    assert "restored enterprise" in result.stdout and "(added)" in result.stdout

    after = table_sums(source, without_ids=ROLLUPS)
    assert after == before  # its schema, its public rows, the report cells, every other enterprise
    assert file_sums(source_media) == files

    # Restoring over itself replaces it and changes nothing else.
    with source.connect(autocommit=True) as conn:
        conn.execute(f'UPDATE "{schema}".manufacturing_assessment SET updated_at = now()')
    (source_media / "tenants" / schema / "stray.txt").write_text("not in the archive")
    others = {key: value for key, value in before.items() if key.startswith(f"{other}.")}
    assert others

    result = manage(source, source_media, "restore", "--enterprise", archive)
    assert "(replaced)" in result.stdout
    assert table_sums(source, without_ids=ROLLUPS) == before
    assert file_sums(source_media) == files


def test_one_enterprise_clash_with_a_different_enterprise_is_refused(platform, tmp_path):
    source, source_media = platform
    (schema, _code), (other, other_code) = enterprise_schemas(source)[:2]
    result = manage(source, source_media, "backup", str(tmp_path), "--enterprise", schema)
    archive = Path(result.stdout.strip().splitlines()[-1])
    before = table_sums(source, without_ids=ROLLUPS)
    # The same archive, but naming the other enterprise's credit code.
    import io
    import json

    clashing = tmp_path / "clash.tar"
    with tarfile.open(archive) as tar, tarfile.open(clashing, "w") as out:
        members = {m.name: m for m in tar.getmembers()}
        rows = json.loads(tar.extractfile("public.json").read())
        rows["models"]["tenants.Enterprise"][0]["credit_code"] = other_code
        raw = json.dumps(rows).encode()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        manifest["members"]["public.json"] = {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
        for name, member in members.items():
            data = {"public.json": raw, "manifest.json": json.dumps(manifest).encode()}.get(name)
            if data is None:
                out.addfile(member, tar.extractfile(member))
            else:
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))

    result = manage(source, source_media, "restore", "--enterprise", str(clashing), check=False)

    assert result.returncode != 0
    assert "clash with a different enterprise" in result.stderr
    assert f"its credit code belongs to {other} ({other_code})" in result.stderr
    assert table_sums(source, without_ids=ROLLUPS) == before


def test_every_public_model_that_refers_to_an_enterprise_is_covered(monkeypatch):
    assert one.uncovered_models() == []
    # A model left out of the list is found, not skipped silently.
    monkeypatch.setattr(one, "PUBLIC_MODELS", tuple(m for m in one.PUBLIC_MODELS if m != "hall.Booking"))
    assert one.uncovered_models() == ["hall.Booking"]
    # Every model on the list does lead to an enterprise.
    assert set(one.PUBLIC_MODELS) <= set(one.enterprise_paths())


def test_s3_round_trip(platform, fresh, settings):
    from moto.server import ThreadedMotoServer

    from portal.runner import free_port

    source, source_media = platform
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"
        settings.BACKUP_S3_REGION = "us-east-1"
        settings.BACKUP_S3_ACCESS_KEY_ID = "testing"
        settings.BACKUP_S3_SECRET_ACCESS_KEY = "testing"
        from portal.backup.archive import _s3_client

        _s3_client().create_bucket(Bucket="portal-backups")

        where = backup_full(
            destination="s3://portal-backups/nightly", say=say, database=source, media_root=source_media
        )

        assert where.startswith("s3://portal-backups/nightly/portal-backup-") and where.endswith(".tar")
        listed = _s3_client().list_objects_v2(Bucket="portal-backups", Prefix="nightly/")["Contents"]
        assert [item["Key"] for item in listed] == [where.removeprefix("s3://portal-backups/")]
        target, target_media = fresh()
        restore_full(source=where, say=say, database=target, media_root=target_media)
        assert table_sums(target) == table_sums(source)
        assert file_sums(target_media) == file_sums(source_media)
        with pytest.raises(ArchiveError, match="cannot download") as raised:
            restore_full(source="s3://portal-backups/nightly/none.tar", say=say, database=target)
        assert "无法下载" in str(raised.value)
        # A bucket that does not exist: a clear error in both languages, not a traceback.
        with pytest.raises(ArchiveError, match=r"upload to s3://no-such-bucket/.*NoSuchBucket") as raised:
            backup_full(
                destination="s3://no-such-bucket/x", say=say, database=source, media_root=source_media
            )
        assert "请检查存储桶是否存在" in str(raised.value)
    finally:
        server.stop()


def test_one_enterprise_into_another_installation(platform, fresh, tmp_path):
    """Another installation: its people are matched by email or created, ids taken there are
    renumbered (and the restored schema's references with them); a reference it lacks is refused."""
    source, source_media = platform
    (schema, _code), (other, _other_code) = enterprise_schemas(source)[1:3]
    result = manage(source, source_media, "backup", str(tmp_path / "one"), "--enterprise", schema)
    archive = result.stdout.strip().splitlines()[-1]
    with source.connect() as conn:
        owner_email, old_owner = conn.execute(
            "SELECT u.email, u.id FROM tenants_enterprise e JOIN tenants_user u ON u.id = e.owner_id "
            "WHERE e.schema_name = %s",
            [schema],
        ).fetchone()
        members = sorted(
            conn.execute(
                f'SELECT u.email, m.role FROM "{schema}".members_membership m '
                "JOIN tenants_user u ON u.id = m.user_id"
            ).fetchall()
        )
        (domain_id,) = conn.execute(
            "SELECT d.id FROM tenants_domain d JOIN tenants_enterprise e ON e.id = d.tenant_id "
            "WHERE e.schema_name = %s ORDER BY d.id LIMIT 1",
            [schema],
        ).fetchone()
    own = table_sums(source, schemas={schema})

    # A fresh installation (no exhibitions): the listing's exhibition is missing, nothing changes.
    empty, empty_media = fresh()
    manage(empty, empty_media, "setup_platform", "--no-demo")
    before = table_sums(empty)
    refused = manage(empty, empty_media, "restore", "--enterprise", archive, check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "this installation lacks what the enterprise refers to" in refused.stderr
    assert "hall.Exhibition (name_zh=" in refused.stderr and "hall.Section (" in refused.stderr
    assert "本安装缺少该企业引用的数据" in refused.stderr
    assert table_sums(empty) == before

    # An installation with the same reference data and exhibitions (a copy) where the enterprise is
    # not, its owner is unknown, and the id of its domain is taken by another enterprise's host.
    target, target_media = fresh()
    full_archive = backup_full(
        destination=str(tmp_path / "full"), say=say, database=source, media_root=source_media
    )
    restore_full(source=full_archive, say=say, database=target, media_root=target_media)
    erase_enterprise(target, schema)
    shutil.rmtree(target_media / "tenants" / schema)
    # The target numbers the enterprise's framework version differently: the same code and version
    # under another id, while the archived id is another version there.
    with source.connect() as conn:
        (framework_id,) = conn.execute(
            f'SELECT DISTINCT framework_id FROM "{schema}".manufacturing_assessment'
        ).fetchone()
    with target.connect(autocommit=True) as conn:
        renumbered = conn.execute("SELECT max(id) + 100 FROM frameworks_framework").fetchone()[0]
        conn.execute(
            "CREATE TEMP TABLE copied AS SELECT * FROM frameworks_framework WHERE id = %s", [framework_id]
        )
        conn.execute("UPDATE copied SET id = %s", [renumbered])
        conn.execute(
            "UPDATE frameworks_framework SET version = version || '-old', is_default = false WHERE id = %s",
            [framework_id],
        )
        conn.execute("INSERT INTO frameworks_framework SELECT * FROM copied")
        conn.execute("UPDATE tenants_user SET email = 'someone-else@example.com' WHERE id = %s", [old_owner])
        conn.execute(
            "INSERT INTO tenants_domain (id, domain, is_primary, tenant_id) "
            "SELECT %s, 'squatter.localhost', false, id FROM tenants_enterprise WHERE schema_name = %s",
            [domain_id, other],
        )

    result = manage(target, target_media, "restore", "--enterprise", archive)

    assert "(added)" in result.stdout and "1 users created" in result.stdout
    with target.connect() as conn:
        owner_id, password = conn.execute(
            "SELECT u.id, u.password FROM tenants_enterprise e JOIN tenants_user u ON u.id = e.owner_id "
            "WHERE e.schema_name = %s",
            [schema],
        ).fetchone()
        assert owner_id != old_owner and password.startswith("!")  # unusable: "forgot password"
        assert (
            sorted(
                conn.execute(
                    f'SELECT u.email, m.role FROM "{schema}".members_membership m '
                    "JOIN tenants_user u ON u.id = m.user_id"
                ).fetchall()
            )
            == members
        )
        assert owner_email in {email for email, _role in members}
        hosts = conn.execute(
            "SELECT d.id, d.domain FROM tenants_domain d JOIN tenants_enterprise e ON e.id = d.tenant_id "
            "WHERE e.schema_name = %s",
            [schema],
        ).fetchall()
        assert hosts and domain_id not in {row[0] for row in hosts}
        assert (
            conn.execute("SELECT count(*) FROM tenants_domain WHERE id = %s", [domain_id]).fetchone()[0] == 1
        )
    with target.connect() as conn:
        # Every reference to the framework version now names this installation's id for it.
        assert conn.execute(
            f'SELECT array_agg(DISTINCT framework_id) FROM "{schema}".manufacturing_assessment'
        ).fetchone()[0] == [renumbered]
        public = conn.execute(
            "SELECT array_agg(DISTINCT framework_id) FROM (SELECT framework_id, tenant_id FROM "
            "review_assessmentfact UNION ALL SELECT framework_id, tenant_id FROM review_reviewcase) t "
            "JOIN tenants_enterprise e ON e.id = t.tenant_id WHERE e.schema_name = %s",
            [schema],
        ).fetchone()[0]
        assert public == [renumbered]
    restored = table_sums(target, schemas={schema})
    assert {k: v[0] for k, v in restored.items()} == {k: v[0] for k, v in own.items()}
    unchanged = [k for k in own if own[k] == restored[k] and own[k][0]]
    assert unchanged  # tables that name no user come back byte for byte
    # The report cells are what a full rebuild from the facts gives.
    cells = table_sums(target, schemas={"public"}, without_ids=ROLLUPS)
    manage(target, target_media, "shell", "-c", "from reports.rollup import rebuild; rebuild()")
    assert table_sums(target, schemas={"public"}, without_ids=ROLLUPS) == cells

"""Backup and restore times: `make bench ONLY=backup`.

Two installations on the benchmark server: the demo (`setup_platform` with its demo data, fresh each
run, its files in var/bench) and N enterprises (1,000 by default; BACKUP_BENCH_N to change), the same
database bench/scale.py builds and keeps (scale_<N>, made through the real registration and
provisioning services). For each, as an operator runs them:

  backup     `manage.py backup DIR` (pg_dump -Fc of everything, the files, the manifest), seconds
  restore    `manage.py restore ARCHIVE` into a new empty database (checksums, pg_restore, files);
             its summary's phase times are printed too
  start      `manage.py version`: what every command pays to start Python and Django (included above)
  one        at N: `manage.py backup --enterprise` of one enterprise and `restore --enterprise` over it

Baseline, measured in the same run on the same database: the bare `pg_dump -Fc` and `pg_restore`
(same binaries, no archive, no checksums, no Python start), so the ratio is what the archive, the
manifest, the checks and the files cost on top of PostgreSQL's own tools.

BENCH lines: manage_py_start_s, backup_demo_s, restore_demo_s, backup_n_s, restore_n_s,
backup_vs_pg_dump_x_at_n,
restore_vs_pg_restore_x_at_n, archive_mb_at_n, enterprise_backup_s_at_n, enterprise_restore_s_at_n.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_line  # noqa: E402
from scale import Database  # noqa: E402

N = int(os.environ.get("BACKUP_BENCH_N", "1000"))


def say(message: str) -> None:
    print(message, flush=True)


def drop(db: Database) -> None:
    import psycopg

    with psycopg.connect(db.admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


def timed(argv: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(f"{' '.join(argv[:3])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def manage(db: Database, media: Path, *args: str) -> tuple[float, str]:
    return timed([sys.executable, "manage.py", *args], db.env(MEDIA_ROOT=str(media), PYTHONWARNINGS="ignore"))


def round_trip(label: str, db: Database, media: Path, work: Path) -> dict:
    """Backup, then restore into a fresh database; the bare pg_dump / pg_restore of the same data."""
    from portal.backup.pg import binary

    out = work / label
    backup_s, stdout = manage(db, media, "backup", str(out))
    archive = Path(stdout.strip().splitlines()[-1])
    target = Database(f"{db.name}_restored")
    target.create(fresh=True)
    restore_s, restored = manage(target, work / f"{label}-restored-media", "restore", str(archive))
    # The restore's own phase times (checks, read and verify, database, files): its summary line.
    say("  " + next((line for line in restored.splitlines() if "(checks " in line), "").strip())
    import psycopg

    with psycopg.connect(db.url) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    dump = work / f"{label}.dump"
    pg_dump_s, _ = timed([binary("pg_dump", major), "-Fc", "-f", str(dump), db.url], db.env())
    bare = Database(f"{db.name}_bare")
    bare.create(fresh=True)
    pg_restore_s, _ = timed(
        [binary("pg_restore", major), "--no-owner", "--no-privileges", "-d", bare.url, str(dump)], db.env()
    )
    size = archive.stat().st_size
    files = sum(1 for path in media.rglob("*") if path.is_file()) if media.is_dir() else 0
    for extra in (target, bare):
        drop(extra)
    say(
        f"  {label}: backup {backup_s:.1f} s (pg_dump alone {pg_dump_s:.1f} s), restore {restore_s:.1f} s "
        f"(pg_restore alone {pg_restore_s:.1f} s), archive {size / 2**20:.1f} MB, {files} files"
    )
    return {
        "backup": backup_s,
        "restore": restore_s,
        "pg_dump": pg_dump_s,
        "pg_restore": pg_restore_s,
        "mb": size / 2**20,
        "archive": archive,
    }


def one_enterprise(db: Database, media: Path, work: Path) -> tuple[float, float]:
    import psycopg

    with psycopg.connect(db.url) as conn:
        (schema,) = conn.execute(
            "SELECT schema_name FROM tenants_enterprise WHERE schema_name <> 'public' ORDER BY id LIMIT 1"
        ).fetchone()
    backup_s, stdout = manage(db, media, "backup", str(work / "one"), "--enterprise", schema)
    restore_s, _ = manage(db, media, "restore", "--enterprise", stdout.strip().splitlines()[-1])
    say(f"  one enterprise at {N}: backup {backup_s:.1f} s, restore over itself {restore_s:.1f} s")
    return backup_s, restore_s


def main() -> int:
    say(f"backup benchmark: the demo and {N} enterprises (BACKUP_BENCH_N); load average {os.getloadavg()}")
    work = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    media = ROOT / "var" / "bench" / "backup-demo-media"
    try:
        demo = Database("backup_demo")
        demo.create(fresh=True)
        shutil.rmtree(media, ignore_errors=True)
        manage(demo, media, "setup_platform")
        start = min(manage(demo, media, "version")[0] for _ in range(3))
        say(f"  manage.py start (Python + Django): {start:.1f} s")
        small = round_trip("demo", demo, media, work)
        drop(demo)

        large = Database(f"scale_{N}")
        large.create(fresh=False)
        say(f"building {N} enterprises in {large.name} (kept between runs; bench/scale.py)")
        built = timed([sys.executable, "bench/scale.py", "build", str(N)], large.env())[1]
        say(f"  {built.strip().splitlines()[-1]}")
        scale_media = ROOT / "var" / "bench" / "media"
        big = round_trip(f"n{N}", large, scale_media, work)
        one = one_enterprise(large, scale_media, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    bench_line("manage_py_start_s", start, "s")
    bench_line("backup_demo_s", small["backup"], "s")
    bench_line("restore_demo_s", small["restore"], "s")
    bench_line("backup_n_s", big["backup"], "s")
    bench_line("restore_n_s", big["restore"], "s")
    bench_line("backup_vs_pg_dump_x_at_n", big["backup"] / big["pg_dump"], "x")
    bench_line("restore_vs_pg_restore_x_at_n", big["restore"] / big["pg_restore"], "x")
    bench_line("archive_mb_at_n", big["mb"], "MB")
    bench_line("enterprise_backup_s_at_n", one[0], "s")
    bench_line("enterprise_restore_s_at_n", one[1], "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

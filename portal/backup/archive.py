"""The archive: one tar file holding the members of a backup and `manifest.json`, written last, with
each member's sha256 and size. Where it goes (a directory or an S3-compatible bucket) and how it is read
back, checksums verified before anything is restored."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from django.utils.translation import gettext_lazy as _

from core.i18n import in_both_languages

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """A damaged, incomplete or incompatible archive, or a destination that cannot be used. The
    message is for the operator: a gettext text and its parameters, shown in English then Chinese."""

    def __init__(self, message, **params):
        super().__init__(both(message, **params))


Say = Callable[[str], None]


def both(message, **params) -> str:
    """The message in English, then in Chinese, on two lines (errors and summaries)."""
    texts = in_both_languages(message, params)
    return f"{texts['en']}\n{texts['zh']}"


def short(message, **params) -> str:
    """The message in English and Chinese on one line (progress)."""
    texts = in_both_languages(message, params)
    return f"{texts['en']} / {texts['zh']}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file read through once: what tarfile copies into the archive is hashed on the way."""

    def __init__(self, handle):
        self._handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self._handle.read(size)
        self.digest.update(chunk)
        return chunk


@dataclass
class ArchiveWriter:
    """Adds members to a tar file on disk and keeps their checksums for the manifest (each file is
    read once: hashed while it is copied in)."""

    path: Path
    say: Say
    members: dict[str, dict] = field(default_factory=dict)
    _written: int = 0
    _reported_mb: int = 0

    def __post_init__(self):
        self._tar = tarfile.open(self.path, "w", format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def add_file(self, source: Path, name: str) -> None:
        if name in self.members or name == MANIFEST:
            raise ArchiveError(_("member %(name)s added twice"), name=name)
        with open(source, "rb") as handle:
            stat = os.fstat(handle.fileno())
            info = tarfile.TarInfo(name)
            info.size = stat.st_size
            info.mtime = int(stat.st_mtime)
            info.mode = 0o644
            reader = _Hashing(handle)
            self._tar.addfile(info, reader)
        self.members[name] = {"sha256": reader.digest.hexdigest(), "size": stat.st_size}
        self._count(stat.st_size)

    def add_bytes(self, data: bytes, name: str) -> None:
        if name in self.members or name == MANIFEST:
            raise ArchiveError(_("member %(name)s added twice"), name=name)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o644
        self._tar.addfile(info, io.BytesIO(data))
        self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        self._count(len(data))

    def _count(self, size: int) -> None:
        self._written += size
        mb = self._written // (100 * CHUNK)
        if mb > self._reported_mb:
            self._reported_mb = mb
            self.say(short(_("  %(mb)s MB written"), mb=f"{self._written / CHUNK:,.0f}"))

    def close(self, manifest: dict) -> dict:
        manifest = {**manifest, "format": FORMAT, "members": self.members}
        data = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o644
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        return manifest


class Archive:
    """An archive being read: its manifest, checked against every member before use."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._tar = tarfile.open(path, "r:")  # noqa: SIM115
            self._infos = {info.name: info for info in self._tar.getmembers()}
        except (tarfile.TarError, EOFError, OSError) as error:
            raise ArchiveError(
                _("%(path)s is not a readable backup archive (damaged or truncated): %(error)s"),
                path=path,
                error=error,
            ) from None
        if MANIFEST not in self._infos:
            raise ArchiveError(
                _("%(path)s has no manifest.json: damaged or truncated, or not a backup archive"), path=path
            )
        try:
            self.manifest = json.loads(self._tar.extractfile(self._infos[MANIFEST]).read())
        except (ValueError, tarfile.TarError, EOFError, OSError) as error:
            raise ArchiveError(
                _("%(path)s: the manifest cannot be read: %(error)s"), path=path, error=error
            ) from None
        if self.manifest.get("format") != FORMAT:
            raise ArchiveError(
                _(
                    "incompatible archive: %(path)s is in archive format %(format)s; "
                    "this version of the platform reads format %(ours)s"
                ),
                path=path,
                format=repr(self.manifest.get("format")),
                ours=FORMAT,
            )

    def _check_listing(self) -> dict:
        expected: dict = self.manifest.get("members") or {}
        present = set(self._infos) - {MANIFEST}
        missing = sorted(set(expected) - present)
        if missing:
            raise ArchiveError(
                _("the archive is incomplete: %(count)s member(s) missing, first %(name)s"),
                count=len(missing),
                name=missing[0],
            )
        extra = sorted(present - set(expected))
        if extra:
            raise ArchiveError(
                _("the archive holds %(count)s member(s) its manifest does not list: %(name)s"),
                count=len(extra),
                name=extra[0],
            )
        for name, item in expected.items():
            if self._infos[name].size != item["size"]:
                raise ArchiveError(
                    _("%(name)s: size %(size)s, the manifest says %(expected)s (damaged archive)"),
                    name=name,
                    size=self._infos[name].size,
                    expected=item["size"],
                )
        return expected

    def _copy_checked(self, name: str, item: dict, out) -> None:
        """Reads the member once, into `out` (a file, or None), and checks its sha256."""
        digest = hashlib.sha256()
        try:
            handle = self._tar.extractfile(self._infos[name])
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise ArchiveError(
                _("%(name)s: cannot be read (%(error)s): damaged or truncated archive"),
                name=name,
                error=error,
            ) from None
        if digest.hexdigest() != item["sha256"]:
            raise ArchiveError(_("%(name)s: checksum mismatch (damaged archive)"), name=name)

    def verify(self, say: Say) -> None:
        """Every member the manifest lists is present with its size and sha256; nothing else is there."""
        self.extract_verified(None, say)

    def extract_verified(self, stage: Path | None, say: Say) -> dict[str, Path]:
        """Checks the listing, then reads every member once, in the order it lies in the file,
        writing it below `stage` (None: checks only) while its sha256 is checked. Returns where
        each member was written. A member that fails its check raises; the caller removes `stage`."""
        expected = self._check_listing()
        total = sum(item["size"] for item in expected.values())
        ordered = sorted(expected, key=lambda name: self._infos[name].offset)
        written: dict[str, Path] = {}
        checked = 0
        for done, name in enumerate(ordered, start=1):
            item = expected[name]
            if stage is None:
                self._copy_checked(name, item, None)
            else:
                target = stage / f"{done:08d}"
                with open(target, "wb") as out:
                    self._copy_checked(name, item, out)
                written[name] = target
            checked += item["size"]
            if done % 1000 == 0 or done == len(ordered):
                say(
                    short(
                        _("  verified %(done)s/%(count)s members, %(mb)s/%(total)s MB"),
                        done=f"{done:,}",
                        count=f"{len(ordered):,}",
                        mb=f"{checked / CHUNK:,.1f}",
                        total=f"{total / CHUNK:,.1f}",
                    )
                )
        return written

    def names(self, prefix: str = "") -> list[str]:
        return sorted(name for name in self._infos if name.startswith(prefix) and name != MANIFEST)

    def close(self) -> None:
        self._tar.close()


# --- where archives live ------------------------------------------------------------------------------


def _s3_errors() -> tuple[type[BaseException], ...]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError, Boto3Error, ValueError)


def _s3_reason(error: BaseException) -> str:
    """S3's own code where it gives one (NoSuchBucket, AccessDenied, InvalidAccessKeyId, 404)."""
    from botocore.exceptions import ClientError

    cause = error
    while not isinstance(cause, ClientError) and (cause.__cause__ or cause.__context__) is not None:
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ClientError):
        return f"{cause.response.get('Error', {}).get('Code', '')}: {cause}"
    return str(error)


def _s3_client():
    import boto3
    from django.conf import settings

    try:
        return boto3.client(
            "s3",
            endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None,
            region_name=settings.BACKUP_S3_REGION or None,
            aws_access_key_id=settings.BACKUP_S3_ACCESS_KEY_ID or None,
            aws_secret_access_key=settings.BACKUP_S3_SECRET_ACCESS_KEY or None,
        )
    except _s3_errors() as error:
        raise ArchiveError(
            _("the S3 settings cannot be used (BACKUP_S3_*): %(error)s"), error=error
        ) from None


def _s3_parts(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if not parsed.netloc:
        raise ArchiveError(_("%(url)s: expected s3://bucket/prefix"), url=url)
    return parsed.netloc, parsed.path.lstrip("/")


def store(local: Path, destination: str, name: str, say: Say) -> str:
    """Moves the finished archive to `destination` (a directory, or s3://bucket/prefix); returns where."""
    if destination.startswith("s3://"):
        bucket, prefix = _s3_parts(destination)
        key = f"{prefix.rstrip('/')}/{name}" if prefix.strip("/") else name
        try:
            _s3_client().upload_file(str(local), bucket, key)
        except _s3_errors() as error:
            raise ArchiveError(
                _(
                    "upload to s3://%(bucket)s/%(key)s failed: %(error)s. Check that the bucket exists "
                    "and that BACKUP_S3_ACCESS_KEY_ID / BACKUP_S3_SECRET_ACCESS_KEY may write to it."
                ),
                bucket=bucket,
                key=key,
                error=_s3_reason(error),
            ) from None
        local.unlink()
        say(short(_("uploaded to %(where)s"), where=f"s3://{bucket}/{key}"))
        return f"s3://{bucket}/{key}"
    directory = Path(destination)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(
            _("the destination %(path)s cannot be used: %(error)s"), path=directory, error=error
        ) from None
    target = directory / name
    if local.parent == directory:
        os.replace(local, target)
    else:
        _move(local, target)
    return str(target)


def _move(local: Path, target: Path) -> None:
    import shutil

    partial = target.with_name(target.name + ".part")
    shutil.move(str(local), partial)
    os.replace(partial, target)


def workdir_for(destination: str) -> Path:
    """Where the archive is assembled: beside its destination (a rename, not a copy) when that is a
    directory, else the temporary directory."""
    if destination.startswith("s3://"):
        _s3_parts(destination)
        return Path(tempfile.gettempdir())
    path = Path(destination)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(
            _("the destination %(path)s cannot be used: %(error)s"), path=path, error=error
        ) from None
    return path


@contextmanager
def opened(source: str, say: Say) -> Iterator[Archive]:
    """The archive at a path or s3://bucket/key, downloaded to a temporary file first if remote."""
    if source.startswith("s3://"):
        bucket, key = _s3_parts(source)
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
            local = Path(tmp) / "archive.tar"
            say(short(_("downloading %(where)s"), where=f"s3://{bucket}/{key}"))
            try:
                _s3_client().download_file(bucket, key, str(local))
            except _s3_errors() as error:
                raise ArchiveError(
                    _(
                        "cannot download s3://%(bucket)s/%(key)s: %(error)s. Check the bucket and key "
                        "and that BACKUP_S3_ACCESS_KEY_ID / BACKUP_S3_SECRET_ACCESS_KEY may read them."
                    ),
                    bucket=bucket,
                    key=key,
                    error=_s3_reason(error),
                ) from None
            archive = Archive(local)
            try:
                yield archive
            finally:
                archive.close()
        return
    path = Path(source)
    if not path.is_file():
        raise ArchiveError(_("%(path)s: no such archive"), path=source)
    archive = Archive(path)
    try:
        yield archive
    finally:
        archive.close()

"""An enterprise's whole data as one zip: the sections each app registers, and the archive.

Each app registers, in its AppConfig.ready() (the kernel imports no app of ours), the tables of its
area that belong to an enterprise (`register(Table(...))`), and names the tenant-schema models it
leaves out, with the reason (`exclude(...)`). A test fails when a tenant-schema model is neither.

A table is a model and the rows of one enterprise: by default all of the model's rows in the
enterprise's schema; a public table passes `rows`, a function of the enterprise (its own rows only).
Its columns are the model's fields (foreign keys by their id), described by the fields' verbose
names in both languages in the README. A file field's value is the file's path inside the zip, and
the file itself goes under `files/`, byte for byte.

The archive (`build`):

    README.md                what each file holds, the columns of each CSV, the formats (bilingual)
    manifest.json            the enterprise, when, the sections with their counts, sha256 of each file
    <area>/<table>.json      the rows, as a JSON array of objects
    <area>/<table>.csv       the same rows, UTF-8 with a BOM (Excel reads Chinese), a header line
    files/...                the enterprise's uploaded files
"""

from __future__ import annotations

import csv
import datetime
import decimal
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from core.exports import text_safe

CHUNK = 1 << 16
ROWS_PER_QUERY = 2000


@dataclass(frozen=True)
class Table:
    """One table of an area. `about`: what it holds (a lazily translated text). `rows`: a function of
    the enterprise giving its rows (a queryset), for a public model; None for a tenant-schema model,
    whose rows are all the enterprise's. `fields`: the columns (model field names), all by default;
    `leave_out`: fields not exported (another party's private value)."""

    area: str
    name: str
    model: type[models.Model]
    about: object
    rows: Callable | None = None
    fields: tuple[str, ...] | None = None
    leave_out: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.area}/{self.name}"

    def columns(self) -> list[models.Field]:
        concrete = [f for f in self.model._meta.concrete_fields if f.name not in self.leave_out]
        if self.fields is None:
            return concrete
        by_name = {f.name: f for f in concrete}
        return [by_name[name] for name in self.fields]

    def queryset(self, enterprise):
        rows = self.model._default_manager.all() if self.rows is None else self.rows(enterprise)
        return rows.order_by("pk")


@dataclass
class _Registry:
    tables: dict[str, Table] = field(default_factory=dict)
    excluded: dict[str, object] = field(default_factory=dict)  # model label -> reason


_registry = _Registry()


def register(*tables: Table) -> None:
    """Called by each app at start-up; registering the same path again replaces it (a reload)."""
    for table in tables:
        _registry.tables[table.path] = table


def exclude(model: type[models.Model], reason) -> None:
    """A tenant-schema model deliberately not exported, and why (a lazily translated text)."""
    _registry.excluded[model._meta.label] = reason


def tables() -> list[Table]:
    return sorted(_registry.tables.values(), key=lambda t: t.path)


def excluded() -> dict[str, object]:
    return dict(_registry.excluded)


def areas() -> list[str]:
    return sorted({t.area for t in _registry.tables.values()})


# --- values -----------------------------------------------------------------------------------------


def _file_path(name: str, schema: str) -> str:
    """Where a stored file goes in the zip: under files/, without the enterprise's own folder."""
    own = f"tenants/{schema}/"
    return "files/" + (name[len(own) :] if name.startswith(own) else name)


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)  # exact: a float would round money
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _csv_value(value):
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_safe(value)


def _rows(table: Table, enterprise, files: dict[str, str]) -> Iterable[dict]:
    columns = table.columns()
    for obj in table.queryset(enterprise).iterator(chunk_size=ROWS_PER_QUERY):
        row = {}
        for column in columns:
            value = getattr(obj, column.attname)
            if isinstance(column, models.FileField):
                name = value.name if value else ""
                value = _file_path(name, enterprise.schema_name) if name else None
                if name:
                    files[value] = name
            row[column.attname] = value
        yield row


# --- the archive ------------------------------------------------------------------------------------


class _Hashing:
    """A writable file that hashes and counts what goes through it."""

    def __init__(self, target):
        self.target, self.sha256, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)


def steps() -> int:
    """How many steps `build` reports: one per table, the files, then README and manifest."""
    return len(_registry.tables) + 2


def build(*, enterprise, target, progress: Callable[[int, str], None] | None = None) -> dict:
    """Writes the enterprise's archive into `target` (a binary file) and returns the manifest.
    `progress(done, current)` is called before each step (`current`: the area or "files")."""
    progress = progress or (lambda done, current: None)
    manifest = {
        "format": 1,
        "enterprise": {"id": enterprise.pk, "name": enterprise.name, "credit_code": enterprise.credit_code},
        "created_at": timezone.now().isoformat(),
        "sections": [],
        "files": {},
    }
    files: dict[str, str] = {}  # path in the zip -> storage name
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        stamp = timezone.localtime().timetuple()[:6]

        def put(path: str, write: Callable, *, compress: bool = True) -> None:
            # Uploaded files (PDF, JPEG, ...) are compressed already: stored as they are.
            entry = zipfile.ZipInfo(path, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            with archive.open(entry, "w", force_zip64=True) as raw:
                out = _Hashing(raw)
                write(out)
            manifest["files"][path] = {"sha256": out.sha256.hexdigest(), "bytes": out.size}

        with tenant_context(enterprise):
            for table in tables():
                progress(done, table.area)
                rows = list(_rows(table, enterprise, files))
                columns = [c.attname for c in table.columns()]
                put(f"{table.path}.json", lambda out, rows=rows: out.write(_json_bytes(rows)))
                put(
                    f"{table.path}.csv",
                    lambda out, rows=rows, cols=columns: out.write(_csv_bytes(cols, rows)),
                )
                manifest["sections"].append({"area": table.area, "table": table.name, "rows": len(rows)})
                done += 1
            progress(done, "files")
            for path, name in sorted(files.items()):
                if not default_storage.exists(name):
                    manifest["files"][path] = {"missing": True}
                    continue
                with default_storage.open(name, "rb") as stored:
                    put(path, lambda out, stored=stored: _copy(stored, out), compress=False)
            done += 1
        progress(done, "readme")
        put("README.md", lambda out: out.write(readme().encode()))
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _copy(source, out) -> None:
    while chunk := source.read(CHUNK):
        out.write(chunk)


def _json_bytes(rows: list[dict]) -> bytes:
    clean = [{k: _json_value(v) for k, v in row.items()} for row in rows]
    return json.dumps(clean, ensure_ascii=False, indent=1).encode()


def _csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in columns])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read UTF-8


def _both(text) -> tuple[str, str]:
    with translation.override("en"):
        en = str(text)
    with translation.override("zh-hans"):
        zh = str(text)
    return en, zh


README_HEAD = """# Your enterprise's data / 企业数据

This archive holds everything your enterprise keeps on the Jingjinji Industrial Cloud Portal.
本压缩包包含贵企业在京津冀产业云平台上保存的全部数据。

## Formats / 格式

* `<area>/<table>.json`: the rows of one table as a JSON array of objects (UTF-8).
  每个表的数据，JSON 对象数组（UTF-8 编码）。
* `<area>/<table>.csv`: the same rows as CSV, UTF-8 with a byte-order mark (BOM), so that Excel
  opens Chinese text correctly; the first line names the columns. Text that a spreadsheet would run
  as a formula starts with an apostrophe ('). Structured values (lists, objects) are JSON.
  相同数据的 CSV 版本，UTF-8 编码并带 BOM，Excel 可直接正确显示中文；首行为列名。
  以公式字符开头的文本前加单引号（'）；列表和对象以 JSON 表示。
* Dates and times: ISO 8601 (`2026-03-01`, `2026-03-01T09:30:00+08:00`), with their time zone.
  日期和时间采用 ISO 8601 格式，含时区。
* Money: yuan (元, CNY) with two decimals, as the database and the API keep it, written as text so
  no amount is rounded. The pages show 万元: 1 万元 = 10,000 元.
  金额单位为元（人民币），保留两位小数，以文本形式写出以免舍入；页面上显示为万元（1 万元 = 10,000 元）。
* `*_id` columns: the id of a row in another table (for a person, the platform's user id).
  以 `_id` 结尾的列为其他表中某行的编号（人员为平台用户编号）。
* Files: a file column holds the file's path in this archive, under `files/`; the files are the
  ones you uploaded, byte for byte.
  文件列给出文件在本压缩包 `files/` 下的路径；文件与上传时完全一致。
* `manifest.json`: the sections with their row counts, and the SHA-256 checksum and size of every
  file in the archive.
  `manifest.json` 列出各部分及其行数，以及每个文件的 SHA-256 校验值和大小。

## Tables / 数据表
"""


def readme() -> str:
    lines = [README_HEAD]
    for table in tables():
        en, zh = _both(table.about)
        lines.append(f"\n### `{table.path}.json` / `{table.path}.csv`\n\n{en}\n{zh}\n")
        lines.append("| column / 列 | meaning | 含义 |\n|---|---|---|")
        for column in table.columns():
            name_en, name_zh = _both(column.verbose_name)
            if isinstance(column, models.FileField):
                name_en, name_zh = f"{name_en} (path under files/)", f"{name_zh}（files/ 下的路径）"
            if column.choices:
                values = [(value, *_both(label)) for value, label in column.flatchoices]
                name_en += ": " + ", ".join(f"`{v}` {en}" for v, en, _zh in values)
                name_zh += "：" + "，".join(f"`{v}` {zh}" for v, _en, zh in values)
            lines.append(f"| `{column.attname}` | {name_en} | {name_zh} |")
    return "\n".join(lines) + "\n"

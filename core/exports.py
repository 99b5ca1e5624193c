"""Tables (core/tables.py) as downloads: CSV and XLSX, with the filters above them. Every text cell is
kept from running as a spreadsheet formula, whoever typed it."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.tables import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(title: str, filters: list[tuple[str, str]], tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title])
    for label, value in filters:
        writer.writerow([text_safe(label), text_safe(value)])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if v is None else text_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read UTF-8


def _sheet_title(text: str, taken: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:28].strip() or "Sheet"
    name, n = clean, 2
    while name in taken:
        name, n = f"{clean} {n}", n + 1
    taken.add(name)
    return name


def _put(sheet, row: list) -> None:
    sheet.append([None if v is None else v for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


def to_xlsx(title: str, filters: list[tuple[str, str]], tables: list[Table]) -> bytes:
    book = Workbook()
    taken: set[str] = set()
    sheet = book.active
    sheet.title = _sheet_title(_("Filters"), taken)
    _put(sheet, [title])
    sheet["A1"].font = Font(bold=True)
    for label, value in filters:
        _put(sheet, [label, value])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 60
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        _put(sheet, table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            _put(sheet, row)
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ?export=<kind>: (content type, writer).
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}

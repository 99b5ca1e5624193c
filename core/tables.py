"""A table built once and rendered three ways (the page through core/_tables.html, CSV, XLSX; see
core/exports.py), so that an export holds exactly what the screen shows. The regional reports and the
hall's participation page both use it; it knows nothing of either."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language


@dataclass
class Table:
    key: str  # the HTML id and the sheet's place
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row, for the page only
    numeric_from: int = 1  # columns from here on are numbers (right-aligned on the page)
    total_from: int | None = None  # rows from here on are totals (bold on the page)

    def lines(self) -> list[tuple[list, str | None]]:
        return list(zip(self.rows, self.links or [None] * len(self.rows), strict=True))


def list_separator() -> str:
    """How the active language joins the items of a list in one cell: 、 in Chinese, ", " in English."""
    return "、" if (get_language() or "zh").startswith("zh") else ", "

"""A verified-assessment report as a PDF, in Chinese or English, from plain data (no database).

Font: WenQuanYi Micro Hei (TrueType outlines, Chinese plus Latin, in the `paperang-p2-fonts-cjk` wheel). fpdf2
embeds only the glyphs used (Identity-H, /FontFile2), so Chinese renders where no CJK font is installed and
text extracts cleanly; Noto Sans SC (CFF) also rendered, but fpdf2 encodes CID-keyed CFF through a custom
CMap that pypdf misreads. One face for both languages; it has no bold, so headings get a faux bold.

The report's number, its validity and a QR code (segno, drawn as a PNG) of its public verification
page close the report (manufacturing/review/verification.py); a report without a number has neither.
The assessor is named, never identified by email: the data carries a name or nothing.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, TextMode, WrapMode, XPos, YPos

FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "fonts/wqy-microhei.ttc"
FONT_FACE = 0  # face 1 of the collection is the monospaced variant
FONT = "wqymicrohei"

LANGUAGES = ("zh", "en")
PAGES_ALIAS = "{nb}"
MAX_TEXT = 400  # longer strings from the data are cut: a report is not the place for an essay

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (31, 78, 121)  # verified
SELF = (164, 186, 209)  # self-assessed
TRACK = (233, 237, 241)  # the maximum
RULE = (206, 212, 218)

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "enterprise_section": "企业信息",
        "enterprise": "企业名称",
        "credit_code": "统一社会信用代码",
        "city": "城市",
        "industry": "行业大类",
        "framework": "评估框架",
        "version": "版本",
        "result": "评估结果",
        "self": "企业自评",
        "verified": "专家核定",
        "total": "总分",
        "level": "等级",
        "by_dimension": "各维度得分",
        "dimension": "维度",
        "max": "满分",
        "chart": "各维度得分与满分对比",
        "chart_note": "浅色底条为该维度满分；刻度为满分的百分比。",
        "percentile_section": "同行对比",
        "percentile": "在“{cohort}”的 {size} 家企业中，本企业核定得分位于第 {value} 百分位。",
        "no_percentile": "同行百分位暂不可用（同类企业样本不足或尚未计算）。",
        "signoff": "审核信息",
        "assessor": "评估专家",
        "assessor_unnamed": "平台评估员",
        "approved_at": "核定日期",
        "report_number": "报告编号",
        "valid_until": "有效期至",
        "validity_note": "如企业此后取得新的核定结果，本报告自新结果核定之日起失效。",
        "verify_section": "真伪核验",
        "verify_hint": "扫描二维码或访问以下网址，可核验本报告真伪及其有效状态：",
        "footer": "第 {page} 页 / 共 {pages} 页",
        "below_level_1": "未达一级",
        "level_n": "{n}级",
    },
    "en": {
        "enterprise_section": "Enterprise",
        "enterprise": "Enterprise",
        "credit_code": "Unified Social Credit Code",
        "city": "City",
        "industry": "Industry division",
        "framework": "Framework",
        "version": "Version",
        "result": "Assessment result",
        "self": "Self-assessed",
        "verified": "Verified",
        "total": "Total score",
        "level": "Level",
        "by_dimension": "Score by dimension",
        "dimension": "Dimension",
        "max": "Maximum",
        "chart": "Score of each dimension against its maximum",
        "chart_note": "The light track is the dimension's maximum; ticks are percentages of it.",
        "percentile_section": "Peer comparison",
        "percentile": "Among {size} enterprises in {cohort}, this enterprise's verified score is at "
        "the {value} percentile.",
        "no_percentile": "The peer percentile is not available (too few comparable enterprises, "
        "or not computed yet).",
        "signoff": "Sign-off",
        "assessor": "Assessor",
        "assessor_unnamed": "Platform assessor",
        "approved_at": "Approved on",
        "report_number": "Report number",
        "valid_until": "Valid until",
        "validity_note": "A newer verified result of the enterprise supersedes this report from the day it "
        "is approved.",
        "verify_section": "Check this report",
        "verify_hint": "Scan the QR code or open this address to check that this report is genuine and "
        "still valid:",
        "footer": "Page {page} of {pages}",
        "below_level_1": "Below level 1",
        "level_n": "Level {n}",
    },
}
_ZH_DIGITS = "零一二三四五六七八九十"


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Found through the installed package, so it works wherever pip put it."""
    path = Path(str(files(FONT_PACKAGE).joinpath(*FONT_FILE.split("/"))))
    if not path.is_file():
        raise FileNotFoundError(f"{FONT_FILE} is missing from the {FONT_PACKAGE} package at {path}")
    return path


def qr_code(url: str) -> segno.QRCode:
    """The verification page's address as a QR code (error correction M: survives a smudged print)."""
    return segno.make_qr(url, error="m", boost_error=False)


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return out


def render(report: dict, language: str) -> bytes:
    """A verified-assessment report as PDF bytes. language is "zh" or "en"."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    doc = _Report(report, language)
    doc.build()
    doc.str_alias_nb_pages = PAGES_ALIAS  # for the substitution output() makes, see _Report.footer()
    return bytes(doc.output())


# --- data helpers ------------------------------------------------------------------------------------


def _clean(value: Any, limit: int = MAX_TEXT) -> str:
    """Data text made safe to draw: control characters become spaces (they would break lines or show as
    missing glyphs), lone surrogates are dropped (they cannot be encoded), and the length is bounded."""
    if value is None:
        return ""
    out = []
    for ch in str(value):
        cat = unicodedata.category(ch)
        if cat in ("Cs", "Cf"):  # surrogates; bidi overrides and zero-width marks (no glyphs, no bidi in PDF)
            continue
        out.append(" " if cat in ("Cc", "Zl", "Zp") else ch)
    text = " ".join("".join(out).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pick(value: Any, language: str) -> str:
    """A {"zh", "en"} text in `language`, falling back to the other language rather than to nothing."""
    if isinstance(value, dict):
        other = "en" if language == "zh" else "zh"
        return _clean(value.get(language) or value.get(other))
    return _clean(value)


def _mostly_cjk(text: str) -> bool:
    letters = [ch for ch in text if not ch.isspace()]
    cjk = sum(1 for ch in letters if unicodedata.east_asian_width(ch) in ("W", "F"))
    return cjk * 3 > len(letters)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fmt(value: Any) -> str:
    """Scores keep up to two decimals (the scoring keeps four); whole maxima print without any."""
    number = _number(value)
    if number is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = f"{number:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _ratio(score: Any, maximum: Any) -> float:
    s, m = _number(score), _number(maximum)
    if s is None or m is None or m <= 0:
        return 0.0
    return min(max(s / m, 0.0), 1.0)


# --- the document --------------------------------------------------------------------------------------


class _Report(FPDF):
    MARGIN = 18.0

    def __init__(self, report: dict, language: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.data = report if isinstance(report, dict) else {}
        self.language = language  # not `lang`: FPDF.set_lang() owns that attribute
        self.t = LABELS[language]
        self.table_wrap = WrapMode.CHAR if language == "zh" else WrapMode.WORD  # one mode per table
        self.title_text = _clean(_pick(self.data.get("title"), language), 150)
        self.set_margins(self.MARGIN, self.MARGIN, self.MARGIN)
        self.set_auto_page_break(auto=True, margin=self.MARGIN + 4)
        self.add_font(FONT, fname=font_path(), collection_font_number=FONT_FACE)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.set_lang("zh-CN" if language == "zh" else "en")
        self.set_title(self.title_text)
        self.set_creator("jjj-portal")
        self.alias_nb_pages(None)  # see footer()

    # fpdf2 hook
    def footer(self) -> None:
        """The total-pages alias is live only here: enabled document-wide, fpdf2 would also replace it in
        data text (an enterprise named "{nb}"). It must be set again when output() substitutes it."""
        self.set_y(-self.MARGIN + 4)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, self._fit(self.title_text, self.epw / 2 - 4), align=Align.L)
        before, self.str_alias_nb_pages = self.str_alias_nb_pages, PAGES_ALIAS
        self.cell(
            self.epw / 2, 5, self.t["footer"].format(page=self.page_no(), pages=PAGES_ALIAS), align=Align.R
        )
        self.str_alias_nb_pages = before
        self.set_text_color(*INK)

    @contextmanager
    def _bold(self, color: tuple[int, int, int] = INK) -> Iterator[None]:
        """Faux bold: the font has no bold face, so the glyphs are also stroked with a thin line. Inside a
        q/Q pair, since the text render mode would otherwise stick to every later text object."""
        with self.local_context(
            text_mode=TextMode.FILL_STROKE, line_width=0.18, draw_color=color, text_color=color
        ):
            yield

    def _level(self, level: Any) -> str:
        n = _number(level)
        if n is None:
            return "—"
        n = int(n)
        if n <= 0:
            return self.t["below_level_1"]
        name = _ZH_DIGITS[n] if self.language == "zh" and n < len(_ZH_DIGITS) else str(n)
        return self.t["level_n"].format(n=name)

    def _lines(self, w: float, h: float, text: str) -> None:
        """Left-aligned (justified lines of Chinese spread into gaps), wrapped between characters when the
        text is mostly Chinese (it has no spaces to break at) and between words otherwise."""
        wrap = WrapMode.CHAR if _mostly_cjk(text) else WrapMode.WORD
        self.multi_cell(w, h, text, wrapmode=wrap, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _para(self, text: str, size: float = 10, color: tuple[int, int, int] = INK, h: float = 5.5) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        self._lines(0, h, text)
        self.set_text_color(*INK)

    def _heading(self, text: str) -> None:
        if self.will_page_break(30):  # keep a heading with what follows it
            self.add_page()
        self.ln(4)
        self.set_font(FONT, size=12.5)
        with self._bold(ACCENT):
            self._lines(0, 7, text)
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(2.5)

    def _field(self, label: str, *values: tuple[str, tuple[int, int, int]]) -> None:
        """A label and one or more value lines beside it, each line wrapping within the value column."""
        label_w = 48.0 if self.language == "en" else 34.0
        lines = [(text, color) for text, color in values if text]
        if not lines:
            lines = [("—", MUTED)]
        if self.will_page_break(6):
            self.add_page()
        y0, page = self.get_y(), self.page
        self.set_font(FONT, size=9.5)
        self.set_text_color(*MUTED)
        self._lines(label_w, 5.5, label)
        y_label = self.get_y()
        self.set_xy(self.l_margin + label_w, y0)
        self.set_font(FONT, size=10)
        for text, color in lines:
            self.set_text_color(*color)
            self.set_x(self.l_margin + label_w)
            self._lines(0, 5.5, text)
        self.set_text_color(*INK)
        if self.page == page and self.get_y() < y_label:  # a long value may have run onto the next page
            self.set_y(y_label)
        self.ln(0.8)

    def _table(self, rows: list[list[str]], col_widths: tuple[float, ...], align: tuple[str, ...]) -> None:
        self.set_font(FONT, size=9.5)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        headings = FontFace(emphasis="", color=INK, fill_color=(241, 243, 245))
        with self.table(
            col_widths=col_widths,
            text_align=align,
            headings_style=headings,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=6,
            padding=(1.2, 2),
            wrapmode=self.table_wrap,
            width=self.epw,
        ) as table:
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(1)

    # --- sections -----------------------------------------------------------------------------------

    def build(self) -> None:
        self.add_page()
        self._title()
        self._enterprise()
        self._result()
        self._dimensions()
        self._chart()
        self._percentile()
        self._signoff()

    def _title(self) -> None:
        self.set_font(FONT, size=19)
        with self._bold(INK):
            self._lines(0, 10, self.title_text or "—")
        framework = self.data.get("framework") or {}
        subtitle = _pick(framework.get("name"), self.language)
        version = _clean(framework.get("version"), 40)
        if version:
            subtitle = f"{subtitle} · {self.t['version']} {version}" if subtitle else version
        if subtitle:
            self.ln(1)
            self._para(subtitle, size=10, color=MUTED)
        number = _clean(self.data.get("report_number"), 40)
        if number:
            colon = "：" if self.language == "zh" else ": "
            self._para(f"{self.t['report_number']}{colon}{number}", size=10, color=MUTED)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.8)
        self.line(self.l_margin, self.get_y() + 2, self.w - self.r_margin, self.get_y() + 2)
        self.ln(3)

    def _enterprise(self) -> None:
        ent = self.data.get("enterprise") or {}
        name, name_en = _clean(ent.get("name")), _clean(ent.get("name_en"))
        # Both names always: the English report still identifies the enterprise by its legal (Chinese) name.
        if self.language == "zh":
            first, second = name, name_en
        else:
            first, second = (name_en, name) if name_en else (name, "")
        self._heading(self.t["enterprise_section"])
        self._field(self.t["enterprise"], (first, INK), (second, MUTED))
        self._field(self.t["credit_code"], (_clean(ent.get("credit_code"), 40), INK))
        self._field(self.t["city"], (_pick(ent.get("city"), self.language), INK))
        self._field(self.t["industry"], (_pick(ent.get("industry"), self.language), INK))
        framework = self.data.get("framework") or {}
        self._field(self.t["framework"], (_pick(framework.get("name"), self.language), INK))
        self._field(self.t["version"], (_clean(framework.get("version"), 40), INK))

    def _result(self) -> None:
        total = self.data.get("total") or {}
        level = self.data.get("level") or {}
        maximum = _fmt(total.get("max"))
        self_total, verified_total = (f"{_fmt(total.get(k))} / {maximum}" for k in ("self", "verified"))
        verified_level = _pick(level.get("name"), self.language) or self._level(level.get("verified"))
        self._heading(self.t["result"])
        self._table(
            [
                ["", self.t["self"], self.t["verified"]],
                [self.t["total"], self_total, verified_total],
                [self.t["level"], self._level(level.get("self")), verified_level],
            ],
            col_widths=(2, 1.5, 1.5),
            align=("LEFT", "RIGHT", "RIGHT"),
        )

    def _dimension_rows(self) -> list[dict]:
        dims = self.data.get("dimensions") or []
        return [d for d in dims if isinstance(d, dict)]

    def _dimensions(self) -> None:
        self._heading(self.t["by_dimension"])
        rows = [[self.t["dimension"], self.t["self"], self.t["verified"], self.t["max"]]]
        for dim in self._dimension_rows():
            name = _pick(dim.get("name"), self.language) or "—"
            rows.append([name, *(_fmt(dim.get(k)) for k in ("self", "verified", "max"))])
        self._table(rows, col_widths=(3.2, 1.2, 1.2, 1.2), align=("LEFT", "RIGHT", "RIGHT", "RIGHT"))

    def _chart(self) -> None:
        """Horizontal bars drawn as PDF vector rectangles: per dimension a self-assessed and a verified bar,
        each over a track that stands for that dimension's maximum (dimensions have different maxima)."""
        dims = self._dimension_rows()
        if not dims:
            return
        bar_h, gap, row_gap = 3.6, 1.0, 4.2
        row_h = 2 * bar_h + gap
        label_w, value_w = 48.0, 30.0
        x_track = self.l_margin + label_w
        track_w = self.epw - label_w - value_w
        legend_h, axis_h = 8.0, 7.0
        # Whole chart on one page when it fits on a fresh page; else it flows, row by row.
        needed = 12 + legend_h + len(dims) * (row_h + row_gap) + axis_h
        if self.will_page_break(min(needed, self.eph - 10)):
            self.add_page()
        self._heading(self.t["chart"])
        self._legend(x_track)
        self.ln(legend_h)
        for dim in dims:
            if self.will_page_break(row_h + row_gap + axis_h):
                self._axis(x_track, track_w)
                self.add_page()
            y = self.get_y()
            self._grid(x_track, track_w, y - row_gap / 2, y + row_h + row_gap / 2)
            self._bar_row(dim, y, x_track, track_w, label_w, bar_h, gap)
            self.set_y(y + row_h + row_gap)
        self._axis(x_track, track_w)
        self._para(self.t["chart_note"], size=8, color=MUTED, h=4.5)

    def _legend(self, x: float) -> None:
        y = self.get_y() + 1
        self.set_font(FONT, size=8.5)
        for color, label in ((SELF, self.t["self"]), (ACCENT, self.t["verified"]), (TRACK, self.t["max"])):
            self.set_fill_color(*color)
            self.rect(x, y + 0.6, 5, 3, style="F")
            self.set_xy(x + 6.5, y)
            self.set_text_color(*MUTED)
            self.cell(self.get_string_width(label) + 1, 4.2, label)
            x += self.get_string_width(label) + 14
        self.set_text_color(*INK)
        self.set_xy(self.l_margin, y - 1)

    def _bar_row(
        self, dim: dict, y: float, x_track: float, track_w: float, label_w: float, bar_h: float, gap: float
    ) -> None:
        row_h = 2 * bar_h + gap
        self.set_font(FONT, size=9)
        label = self._fit(_pick(dim.get("name"), self.language) or "—", label_w - 3)
        self.set_xy(self.l_margin, y + row_h / 2 - 2.5)
        self.cell(label_w - 3, 5, label)
        maximum = dim.get("max")
        for i, (key, color) in enumerate((("self", SELF), ("verified", ACCENT))):
            by = y + i * (bar_h + gap)
            self.set_fill_color(*TRACK)
            self.rect(x_track, by, track_w, bar_h, style="F")
            width = track_w * _ratio(dim.get(key), maximum)
            if width > 0:
                self.set_fill_color(*color)
                self.rect(x_track, by, width, bar_h, style="F")
            self.set_font(FONT, size=8)
            self.set_text_color(*(ACCENT if key == "verified" else MUTED))
            self.set_xy(x_track + track_w + 2, by + bar_h / 2 - 2)
            self.cell(0, 4, f"{_fmt(dim.get(key))} / {_fmt(maximum)}")
        self.set_text_color(*INK)

    _TICKS = (0, 25, 50, 75, 100)

    def _grid(self, x: float, width: float, top: float, bottom: float) -> None:
        """Drawn row by row, under the bars, so that a chart split across pages still has its grid."""
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        for pct in self._TICKS:
            if 0 < pct < 100:
                self.set_dash_pattern(dash=0.8, gap=0.8)
            else:
                self.set_dash_pattern()
            self.line(x + width * pct / 100, top, x + width * pct / 100, bottom)
        self.set_dash_pattern()

    def _axis(self, x: float, width: float) -> None:
        bottom = self.get_y() - 2
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        for pct in self._TICKS:
            self.set_xy(x + width * pct / 100 - 6, bottom + 0.5)
            self.cell(12, 4, f"{pct}%", align=Align.C)
        self.set_text_color(*INK)
        self.set_xy(self.l_margin, bottom + 5.5)

    def _fit(self, text: str, width: float) -> str:
        """One line, cut with an ellipsis: chart labels (the table carries the full name) and the footer."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _percentile(self) -> None:
        self._heading(self.t["percentile_section"])
        pct = self.data.get("percentile")
        value = _number(pct.get("value")) if isinstance(pct, dict) else None
        if value is None:
            self._para(self.t["no_percentile"])
            return
        whole = round(min(max(value, 0.0), 100.0))  # a cohort of a few dozen gives no meaningful decimals
        shown = _ordinal(whole) if self.language == "en" else str(whole)
        size = _number(pct.get("size"))
        self._para(
            self.t["percentile"].format(
                cohort=_pick(pct.get("cohort"), self.language) or "—",
                size=int(size) if size is not None else "—",
                value=shown,
            )
        )

    def _signoff(self) -> None:
        self._heading(self.t["signoff"])
        number = _clean(self.data.get("report_number"), 40)
        if number:
            self._field(self.t["report_number"], (number, INK))
        assessor = _clean(self.data.get("assessor"), 100) or self.t["assessor_unnamed"]
        self._field(self.t["assessor"], (assessor, INK))
        self._field(self.t["approved_at"], (_clean(self.data.get("approved_at"), 40), INK))
        valid_until = _clean(self.data.get("valid_until"), 40)
        if valid_until:
            self._field(self.t["valid_until"], (valid_until, INK), (self.t["validity_note"], MUTED))
        self._verification()

    QR_SIZE = 30.0  # mm: scans from a phone held at reading distance

    def _verification(self) -> None:
        """The QR code of the public verification page, with its address written out beside it."""
        url = _clean(self.data.get("verify_url"), 200)
        if not url:
            return
        if self.will_page_break(self.QR_SIZE + 20):
            self.add_page()
        self._heading(self.t["verify_section"])
        y = self.get_y()
        self.image(_qr_png(url), x=self.l_margin, y=y, w=self.QR_SIZE, h=self.QR_SIZE)
        text_x = self.l_margin + self.QR_SIZE + 5
        self.set_xy(text_x, y + 3)
        self.set_font(FONT, size=9.5)
        self.set_text_color(*MUTED)
        width = self.w - self.r_margin - text_x
        self.multi_cell(
            width,
            5,
            self.t["verify_hint"],
            wrapmode=WrapMode.CHAR if self.language == "zh" else WrapMode.WORD,
            align=Align.L,
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.set_x(text_x)
        self.set_text_color(*ACCENT)
        self.multi_cell(
            width,
            5,
            url,
            wrapmode=WrapMode.CHAR,
            align=Align.L,
            link=url,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self.set_y(max(self.get_y(), y + self.QR_SIZE + 2))

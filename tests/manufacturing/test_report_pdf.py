"""The verified-assessment PDF, rendered from plain data and read back with pypdf: no database needed."""

from __future__ import annotations

import copy
import io
import re

import pytest
from pypdf import PdfReader

from manufacturing import report_pdf

SAMPLE: dict = {
    "title": {"zh": "数字化转型成熟度评估报告", "en": "Digital transformation maturity report"},
    "enterprise": {
        "name": "北京精密机械有限公司",
        "name_en": "Beijing Precision Machinery Co., Ltd.",
        "credit_code": "91110108MA01ABCDE1",
        "city": {"zh": "北京市", "en": "Beijing"},
        "industry": {"zh": "通用设备制造业", "en": "General equipment"},
    },
    "framework": {
        "name": {
            "zh": "中小企业数字化水平评测指标（2024年版）制造业",
            "en": "MIIT SME digitalization level evaluation, manufacturing (2024)",
        },
        "version": "2024.1",
    },
    "total": {"self": 78.5, "verified": 72.0, "max": 100},
    "level": {"self": 3, "verified": 2, "name": {"zh": "二级", "en": "Level 2"}},
    "dimensions": [
        {"name": {"zh": "数字化基础", "en": "Digital foundation"}, "self": 40.0, "verified": 36.5, "max": 50},
        {"name": {"zh": "数字化经营", "en": "Digital operations"}, "self": 0, "verified": 0, "max": 0},
        {
            "name": {"zh": "数字化管理", "en": "Digital management"},
            "self": 24.5,
            "verified": 21.25,
            "max": 30,
        },
        {"name": {"zh": "数字化成效", "en": "Digital outcomes"}, "self": 14.0, "verified": 14.25, "max": 20},
    ],
    "percentile": {
        "value": 64.0,
        "cohort": {"zh": "北京市 · 通用设备制造业", "en": "Beijing · General equipment"},
        "size": 23,
    },
    "assessor": "王评审 (assessor@example.com)",
    "approved_at": "2026-11-28",
}
LANGUAGES = ("zh", "en")
SUBSET_NAME = re.compile(r"^/[A-Z]{6}\+")


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Rendered once per language: each render parses the font (about half a second)."""
    return {language: report_pdf.render(SAMPLE, language) for language in LANGUAGES}


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data), strict=True)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(data).pages)


def _flat(text: str) -> str:
    """Without whitespace: long values wrap, and a line break may fall inside them."""
    return "".join(text.split())


def _fonts(reader: PdfReader) -> list:
    return [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]


def _variant(**changes: object) -> dict:
    report = copy.deepcopy(SAMPLE)
    report.update(changes)
    return report


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_well_formed_a4_report_of_one_or_two_pages(pdfs, language):
    data = pdfs[language]
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) < 200_000  # the whole font file is 5 MB: only a subset may be in there
    reader = _reader(data)
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_text_is_there_in_the_report_language(pdfs, language):
    text = _text(pdfs[language])
    for expected in (
        SAMPLE["title"][language],
        SAMPLE["enterprise"]["name"],  # the legal name, in the English report too
        SAMPLE["enterprise"]["name_en"],
        SAMPLE["enterprise"]["credit_code"],
        SAMPLE["enterprise"]["city"][language],
        SAMPLE["framework"]["name"][language],
        "2024.1",
        "72.0 / 100",  # verified total
        "78.5 / 100",  # self-assessed total
        SAMPLE["level"]["name"][language],
        SAMPLE["dimensions"][0]["name"][language],
        "36.5",
        SAMPLE["assessor"],
        SAMPLE["approved_at"],
    ):
        assert expected in text, expected
    other = "en" if language == "zh" else "zh"
    assert SAMPLE["framework"]["name"][other] not in text


def test_the_percentile_names_its_cohort_and_size(pdfs):
    zh, en = _flat(_text(pdfs["zh"])), _flat(_text(pdfs["en"]))
    assert _flat("“北京市 · 通用设备制造业”的 23 家企业中") in zh and _flat("第 64 百分位") in zh
    assert _flat("Among 23 enterprises in Beijing · General equipment") in en and "64thpercentile" in en


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_font_is_embedded_and_subset(pdfs, language):
    fonts = _fonts(_reader(pdfs[language]))
    assert fonts
    for font in fonts:  # every font, so no text can fall back to a viewer's own (maybe absent) CJK font
        assert font["/Subtype"] == "/Type0"
        assert SUBSET_NAME.match(font["/BaseFont"]), font["/BaseFont"]
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        assert program is not None, f"{font['/BaseFont']} is not embedded"
        assert len(program.get_object().get_data()) < 150_000


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chart_is_vector_drawing_not_an_image(pdfs, language):
    page = _reader(pdfs[language]).pages[0]
    assert "/XObject" not in page["/Resources"]
    content = page.get_contents().get_data()
    # Per dimension: two tracks (the maximum) and the bars that have a score above zero.
    assert content.count(b" re f") >= 2 * len(SAMPLE["dimensions"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_a_percentile_it_says_so(language):
    text = _flat(_text(report_pdf.render(_variant(percentile=None), language)))
    assert _flat(report_pdf.LABELS[language]["no_percentile"]) in text
    assert _flat(SAMPLE["percentile"]["cohort"][language]) not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_below_level_one(language):
    text = _text(report_pdf.render(_variant(level={"self": 0, "verified": 0}), language))
    assert text.count(report_pdf.LABELS[language]["below_level_1"]) == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_text_is_drawn_as_text(language):
    long_name = ("北京" + "精密机械" * 80)[:298] + "公司"
    assert len(long_name) == 300
    report = copy.deepcopy(SAMPLE)
    report["enterprise"].update(
        name=long_name,
        name_en="<script>alert(1)</script> {nb} **bold** \\(x\\) \x00\x07\ud800\u202e end",
        credit_code="<b>" * 50,
    )
    report["dimensions"] = [
        {
            "name": {"zh": "维度" * 200, "en": "Dimension " * 60},
            "self": "abc",
            "verified": float("nan"),
            "max": 10,
        },
        {"name": "<img src=x onerror=alert(1)>", "self": -5, "verified": 999, "max": None},
        *SAMPLE["dimensions"],
    ]
    report["assessor"] = "x" * 1000
    report["title"] = {"zh": None, "en": None}

    reader = _reader(report_pdf.render(report, language))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = _flat(text)
    assert _flat(long_name) in flat
    assert "<script>alert(1)</script> {nb} **bold** \\(x\\)" in text  # verbatim: no markup, no page alias
    assert "<img src=x onerror=alert(1)>" in text
    assert "\x00" not in text and "\u202e" not in text
    assert SUBSET_NAME.match(_fonts(reader)[0]["/BaseFont"])


def test_an_empty_report_still_renders():
    text = _text(report_pdf.render({}, "en"))
    assert report_pdf.LABELS["en"]["no_percentile"].split(" (")[0] in text


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        report_pdf.render(SAMPLE, "fr")


def test_the_font_comes_from_the_installed_package():
    path = report_pdf.font_path()
    assert path.is_file() and path.stat().st_size > 1_000_000

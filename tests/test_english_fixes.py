"""The wording pass of issue 17 (docs/english-fixes.md): English that says what it means, and Chinese
built in code that reads as a person writes it and uses the glossary's terms (核验, 评估员)."""

from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation

from manufacturing import report_pdf
from manufacturing.review import cohort
from reports import selectors


@pytest.mark.parametrize(
    ("language", "previous", "following"),
    [("en", "Previous page", "Next page"), ("zh-hans", "上一页", "下一页")],
)
def test_pager_says_page_not_step(language, previous, following):
    page = Paginator(list(range(30)), 10).page(2)
    with translation.override(language):
        html = render_to_string("core/_pages.html", {"page": page})
    # 上一步/下一步 belong to the assessment wizard; a long list has pages (上一页/下一页)
    assert previous in html and following in html and "上一步" not in html


def test_cohort_labels_name_manufacturers_once():
    city = SimpleNamespace(name_zh="北京市", name_en="Beijing")
    province = SimpleNamespace(name_zh="北京市", name_en="Beijing", code="110000")
    industry = SimpleNamespace(section="C", name_zh="通用设备制造业", name_en="General equipment")
    labels = [step.label for step in cohort.steps(city=city, province=province, industry=industry)]
    assert labels[0] == {"zh": "北京市 · 通用设备制造业", "en": "Beijing · General equipment"}
    assert labels[1] == {"zh": "北京市 · 全部制造业企业", "en": "Beijing · all manufacturers"}
    assert labels[-1] == {"zh": "京津冀 · 全部制造业企业", "en": "Beijing-Tianjin-Hebei · all manufacturers"}
    assert not any("门类" in label["zh"] or "section" in label["en"] for label in labels)


def test_report_and_tables_use_the_glossary_terms():
    zh = report_pdf.LABELS["zh"]
    assert (zh["verified"], zh["assessor"], zh["signoff"], zh["approved_at"]) == (
        "核验结果",
        "评估员",
        "核验信息",
        "核验日期",
    )
    assert "本企业核验得分" in zh["percentile"]
    assert not any("核定" in text or "专家" in text for text in zh.values())
    assert zh["below_level_1"] == selectors.BELOW_LEVEL_1["zh"] == "未达到一级"


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [
        ("Access denied", "无访问权限"),
        ("Change in registered enterprises", "注册企业数变化"),
        ("Change in verified enterprises", "已核验企业数变化"),
        ("Exports are available as CSV or XLSX.", "导出格式仅支持 CSV 或 XLSX。"),
        ("Number of consecutive slots", "连续时段数"),
        ("Where you can gain points", "提分空间"),
        ("constraint scene (required for the level)", "约束性场景（须达标的关键场景）"),
        ("Previous page", "上一页"),
        ("Next page", "下一页"),
    ],
)
def test_reworded_messages_are_translated(msgid, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == chinese

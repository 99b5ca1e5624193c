"""Screenshots of the main pages of every role, at a desk (1366×768) and on a phone (390×844), into
docs/screenshots/ (shown by docs/screenshots.md). Not a test of anything: skipped unless asked for,

    SCREENSHOTS=1 .venv/bin/pytest -p no:cacheprovider tests/browser/test_screenshots.py

It runs on the demo data (what `make run` shows), in Chinese, at device scale 1; each PNG is the
first screen of its page (what a person sees before scrolling)."""

import os
from pathlib import Path

import pytest

from portal import runner
from tests.browser.conftest import DESK, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.demo_site,
    pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to take them"),
]

# The footer and About page show what `make run` shows (the settings are empty by default); set
# before the session's test server starts, which reads them from this environment.
if os.environ.get("SCREENSHOTS") == "1":
    os.environ.update(runner.with_demo_site_facts(dict(os.environ)))

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# name, role, path, link to follow from there (or None), caption (for docs/screenshots.md)
SHOTS = [
    ("home", "anonymous", "/", None, "公共门户首页 · Public home"),
    ("hall", "anonymous", "/hall/", None, "展会大厅 · Exhibition hall"),
    ("register", "anonymous", "/register/", None, "企业注册 · Enterprise registration"),
    ("about", "anonymous", "/about/", None, "关于本平台 · About"),
    ("workspace", "owner", "/", None, "企业工作台 · Enterprise workspace"),
    ("assessments", "owner", "/assessments/", None, "评测列表 · Assessments"),
    ("result", "owner", "/assessments/", "#assessments a[href$='/result/']", "评测结果 · Assessment result"),
    ("finance", "owner", "/finance/", None, "金融云 · Financial cloud"),
    (
        "financing-request",
        "owner",
        "/finance/",
        "a[href^='/finance/requests/']:not([href$='/new/'])",
        "融资需求与匹配产品 · Financing request and matches",
    ),
    ("booths", "owner", "/exhibition/booths/", None, "展位 · Booths"),
    ("assignments", "assessor", "/review/assignments/", None, "评估员任务 · Assessor's assignments"),
    ("cases", "regional_admin", "/review/cases/", None, "待核验评估 · Cases to verify"),
    ("reports", "regional_admin", "/reports/", None, "区域报表 · Regional reports"),
    ("audit", "regional_admin", "/review/audit/", None, "审计日志 · Audit log"),
    ("bank-inbox", "bank", "/lending/applications/", None, "银行贷款申请 · Bank's applications"),
    ("buyer-inquiries", "buyer", "/hall/inquiries/", None, "采购商询盘 · Buyer's inquiries"),
]


def test_take_screenshots(browser, demo_site):
    OUT.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desk", DESK), ("phone", PHONE)):
        contexts = {}
        for name, role, path, follow, _caption in SHOTS:
            if role not in contexts:
                contexts[role] = demo_site.context(browser, role, viewport=viewport, device_scale_factor=1)
            page = contexts[role].new_page()
            page.goto(demo_site.base(role) + path)
            if follow:
                page.locator(follow).first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}-{size}.png"))
            page.close()
        for context in contexts.values():
            context.close()
    total = sum(p.stat().st_size for p in OUT.glob("*.png"))
    assert total < 3_000_000, f"the screenshots weigh {total} bytes; keep them under 3 MB"

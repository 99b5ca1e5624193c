"""A new enterprise registers in Chromium, watches its workspace being prepared by the real worker,
and its owner signs in on the new host."""

import pytest

from tests.uscc_examples import VALID

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_register_wait_for_workspace_and_sign_in(page, live_server_url, celery_worker, committed):
    page.goto(live_server_url + "/register/")
    page.fill("#id_name", "邯郸精密铸造有限公司")
    page.fill("#id_name_en", "Handan Precision Casting Co., Ltd.")
    page.fill("#id_credit_code", VALID[100].lower())  # normalised by the platform
    page.select_option("#id_city", "130400")
    page.select_option("#id_industry", "C33")
    page.fill("#id_employees", "260")
    page.select_option("#id_revenue_band", "20m-400m")
    page.fill("#id_contact_phone", "0310-3456789")
    page.fill("#id_owner_name", "孙工")
    page.fill("#id_owner_email", "sun@handan-casting.example.com")
    page.fill("#id_password", "Casting-2026-strong")
    page.get_by_role("button", name="注册").last.click()

    # The progress page polls (htmx) until the worker has cloned the workspace.
    status = page.locator("#registration-status")
    status.wait_for()
    page.wait_for_selector('#registration-status[data-status="ready"]', timeout=60_000)
    assert "handan-precision-casting" in status.inner_text()

    page.click("#open-workspace")
    page.wait_for_url("**/login/**")
    assert page.url.startswith(live_server_url.replace("://", "://handan-precision-casting."))
    page.fill("#id_username", "sun@handan-casting.example.com")
    page.fill("#id_password", "Casting-2026-strong")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "邯郸精密铸造有限公司"
    assert "孙工" in page.locator("table").inner_text()

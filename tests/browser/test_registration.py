"""A new enterprise registers in Chromium: the district list follows the chosen city, consent to the
user agreement and the privacy policy is required, the password survives an unrelated error; the
real worker prepares the workspace and the owner lands in it, signed in, without a second sign-in."""

import pytest

from tests.uscc_examples import VALID

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_register_wait_for_workspace_and_land_signed_in(page, live_server_url, celery_worker, committed):
    from tenants.models import LegalConsent, User

    page.goto(live_server_url + "/register/")
    page.fill("#id_name", "邯郸精密铸造有限公司")
    page.fill("#id_name_en", "Handan Precision Casting Co., Ltd.")
    page.fill("#id_credit_code", VALID[100].lower())  # normalised by the platform
    # The district list follows the city: only Tianjin's districts for Tianjin (the script hides the
    # other cities' groups); Handan has none in the list, so there is nothing to choose.
    page.select_option("#id_city", "120000")
    visible = page.locator("#id_district option:not([value=''])").evaluate_all(
        "options => options.filter(o => !o.closest('optgroup').hidden).map(o => o.dataset.city)"
    )
    assert visible and set(visible) == {"120000"}
    page.select_option("#id_district", "120116")
    page.select_option("#id_city", "130400")
    assert page.locator("#id_district").is_disabled()
    assert page.locator("#id_district").input_value() == ""
    page.select_option("#id_industry", "C33")
    page.fill("#id_employees", "260")
    page.select_option("#id_revenue_band", "20m-400m")
    page.fill("#id_contact_phone", "0310-3456789")
    page.fill("#id_owner_name", "孙工")
    page.fill("#id_owner_email", "sun@handan-casting.example.com")
    page.fill("#id_password", "Casting-2026-strong")

    # Without consent: a red error next to the box, and the password is still there.
    page.get_by_role("button", name="注册").last.click()
    error = page.locator(".field.has-error .field-error")
    assert "同意" in error.first.inner_text()
    assert page.locator("#id_password").input_value() == "Casting-2026-strong"
    assert page.locator(".field.has-error #id_accept_terms").count() == 1

    page.check("#id_accept_terms")
    page.get_by_role("button", name="注册").last.click()

    # The progress page polls (htmx) until the worker has cloned the workspace, then hands the
    # owner over to it, signed in.
    workspace = live_server_url.replace("://", "://handan-precision-casting.")
    page.wait_for_url(workspace + "/", timeout=60_000)
    assert page.locator("h1").inner_text() == "邯郸精密铸造有限公司"
    assert "孙工" in page.locator("table").inner_text()
    assert page.locator('[data-step="assessment-start"]').count() == 1

    owner = User.objects.get(email="sun@handan-casting.example.com")
    kinds = sorted(LegalConsent.objects.filter(user=owner).values_list("document__kind", flat=True))
    assert kinds == ["privacy", "terms"]

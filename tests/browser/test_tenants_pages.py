"""The pages of the tenants area at 390×844 (a phone) and 1366×768: no page wider than the screen,
the next steps visible on the workspace home, the legal document readable."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser]

WIDTH_JS = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_no_horizontal_overflow(browser, live_server_url, committed, alpha, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for path in ("/", "/register/", "/legal/terms/", "/legal/privacy/", "/login/"):
            page.goto(live_server_url + path)
            assert page.evaluate(WIDTH_JS) <= width, path
        workspace = live_server_url.replace("://", "://alpha.")
        sign_in(page, workspace + "/login/", alpha.owner.email, alpha.password)
        for path in ("/", "/notices/", "/members/"):
            page.goto(workspace + path)
            assert page.evaluate(WIDTH_JS) <= width, path
        page.goto(workspace + "/")
        assert page.locator("#next-steps [data-step]").first.is_visible()
    finally:
        context.close()

"""The public home page in Chromium, in both languages, with the language switch."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_public_home_in_chinese_then_english(page, live_server_url):
    page.goto(live_server_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "京津冀工业云平台"
    assert page.locator("#cities li").count() == 14
    assert "北京市" in page.locator("#cities").inner_text()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Jingjinji Industrial Cloud Portal"
    assert "Beijing" in page.locator("#cities").inner_text()

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "京津冀工业云平台"


def test_every_asset_comes_from_the_app(page, live_server_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server_url + "/")
    page.wait_for_load_state("networkidle")
    assert requested, "the page requested nothing"
    assert [u for u in requested if not u.startswith(live_server_url)] == []
    assert page.evaluate("typeof window.htmx") == "object"  # the vendored htmx loaded


def test_member_signs_in_on_enterprise_subdomain(page, live_server_url, alpha):
    base = live_server_url.replace("://", f"://{alpha.enterprise.slug}.")
    page.goto(base + "/")
    assert "/login/" in page.url
    page.fill("#id_username", alpha.owner.email)
    page.fill("#id_password", alpha.password)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == alpha.enterprise.name

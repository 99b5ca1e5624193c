"""Between the public site and a workspace in Chromium, signed in once: "My enterprises" into the
workspace, its notices page with the unread count, a notice that opens on the public site, and
"My enterprises" back, never a second sign-in page. A used hand-off link asks to sign in."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser]


def test_switch_both_ways_without_a_second_sign_in(page, live_server_url, committed, alpha):
    from core.models import Notice

    public = live_server_url
    workspace = live_server_url.replace("://", "://alpha.")
    notice = Notice.objects.create(
        user=alpha.owner,
        text_zh="银行已答复您的融资申请。",
        text_en="The bank answered your loan application.",
        url=f"{public}/workspaces/",
    )
    try:
        sign_in(page, public + "/login/", alpha.owner.email, alpha.password)
        page.goto(public + "/workspaces/")
        page.locator("#enterprises button", has_text=alpha.enterprise.name).click()
        page.wait_for_url(workspace + "/")
        assert "/login/" not in page.url
        assert page.locator("h1").inner_text() == alpha.enterprise.name

        # The workspace nav has the notices, with the unread count.
        nav_notices = page.locator(".topnav a", has_text="通知")
        assert nav_notices.locator("#unread").inner_text() == "1"
        nav_notices.click()
        page.wait_for_url(workspace + "/notices/")
        assert "银行已答复" in page.locator("#workspace-notices").inner_text()

        # Its link opens the subject on the public site, signed in there.
        page.locator("#workspace-notices a.notice-open").click()
        page.wait_for_url(public + "/workspaces/")
        assert page.locator("h1").inner_text() == "我的企业"

        # And "My enterprises" from the workspace, the other way.
        page.goto(workspace + "/")
        page.locator(".topnav a", has_text="我的企业").click()
        page.wait_for_url(public + "/workspaces/")
        assert page.locator("#enterprises").count() == 1
    finally:
        Notice.objects.filter(pk=notice.pk).delete()


def test_a_used_handoff_link_asks_to_sign_in(page, live_server_url, committed, alpha):
    from tenants import handoff

    url = handoff.handoff_url(user=alpha.owner, host=alpha.host)
    url = url.replace("localhost:8000", live_server_url.split("://", 1)[1])
    page.goto(url)  # typed or pasted (no referring site): asks before signing in
    assert alpha.owner.email in page.locator("#handoff-account").inner_text()
    page.locator("#handoff-continue").click()
    page.wait_for_url(lambda current: "/auth/handoff/" not in current)
    other = page.context.browser.new_context(locale="zh-CN").new_page()
    try:
        other.goto(url)
        assert "已使用过" in other.locator("#handoff-refused").inner_text()
        assert other.locator("#handoff-login").count() == 1
    finally:
        other.context.close()

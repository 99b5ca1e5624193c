"""The owner closes the workspace from the browser (password, explanation), sees the banner with the
date of erasure on every page, and reopens it."""

import time

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.conftest import build_enterprise

pytestmark = [pytest.mark.browser]


def test_the_owner_closes_and_reopens_the_workspace(browser, live_server_url, committed):
    from tenants.models import Enterprise

    slug = f"closer{int(time.time() * 1000) % 10_000_000}"
    world = build_enterprise(slug=slug)
    workspace = live_server_url.replace("://", f"://{slug}.")
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, workspace + "/login/", world.owner.email, world.password)
        page.goto(workspace + "/members/")
        page.click("#close-link")
        assert "grace period" in page.inner_text("#enterprise-close")
        page.fill("#id_reason", "We are merging into our parent company")
        page.fill("#id_password", world.password)
        page.click("#close")
        banner = page.locator("#closing-banner")
        banner.wait_for()
        erase_after = Enterprise.objects.get(pk=world.enterprise.pk).erase_after
        # the page says the date where the platform is (TIME_ZONE), not in UTC
        assert timezone.localtime(erase_after).strftime("%Y-%m-%d") in banner.inner_text()
        page.goto(workspace + "/")  # every page of the workspace says so
        assert page.locator("#closing-banner").is_visible()
        page.goto(workspace + "/settings/close/")
        page.fill("#id_password", world.password)
        page.click("#reopen")
        page.wait_for_selector("#close")  # the page offers closing again
        assert page.locator("#closing-banner").count() == 0
        enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
        assert (enterprise.lifecycle, enterprise.erase_after) == ("active", None)
    finally:
        context.close()

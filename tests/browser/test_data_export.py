"""An owner prepares the enterprise's data export in Chromium and downloads it: from the members
page to the data page, the button, the progress the page follows by itself (a meta refresh, no
script), then the zip. Committed (gunicorn and the worker must see it); the enterprise is dropped by
`committed` and its archives deleted at the end."""

import io
import json
import shutil
import zipfile
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import build_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_an_owner_prepares_and_downloads_the_enterprises_data(
    browser, page, live_server_url, celery_worker, committed
):
    port = urlsplit(live_server_url).port
    world = build_enterprise(slug="bexport", seed=9401)
    try:
        tenant_url = f"http://{world.host}:{port}"
        sign_in(page, tenant_url + "/login/", world.owner.email, world.password)
        page.locator("nav.topnav").get_by_role("link", name="成员", exact=True).click()
        page.wait_for_url("**/members/")
        page.click("#data-export-link")
        page.wait_for_url("**/data/")
        expect(page.locator("h1")).to_have_text("企业数据")
        expect(page.locator("#exports")).to_contain_text("尚无导出")
        assert_accessible(page)

        page.get_by_role("button", name="准备导出").click()
        page.wait_for_url("**/data/")
        row = page.locator("#exports tr[data-export]").first
        # The page reloads itself while the export is prepared, until the download link shows.
        download_link = row.locator("a.export-download")
        expect(download_link).to_be_visible(timeout=60_000)
        expect(row).to_have_attribute("data-state", "ready")
        expect(row).to_contain_text("可以下载")
        expect(page.get_by_role("button", name="准备导出")).to_be_enabled()

        with page.expect_download() as info:
            download_link.click()
        download = info.value
        assert download.suggested_filename.endswith(".zip")
        archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
        names = set(archive.namelist())
        assert {"README.md", "manifest.json", "enterprise/members.json", "enterprise/members.csv"} <= names
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["enterprise"]["id"] == world.enterprise.pk
        members = json.loads(archive.read("enterprise/members.json"))
        assert [m["user_id"] for m in members] == [world.owner.pk]
    finally:
        shutil.rmtree(settings.DATA_EXPORT_ROOT / world.enterprise.schema_name, ignore_errors=True)

"""English and Simplified Chinese on every page, both complete."""

import shutil

import polib
import pytest
from django.conf import settings

from portal import i18n_compile

pytestmark = pytest.mark.django_db


def test_catalogue_is_complete_and_compiled():
    assert i18n_compile.catalogues(), "no translation catalogue found"
    assert [p for po in i18n_compile.catalogues() for p in i18n_compile.problems(po)] == []


def test_check_notices_a_stale_mo(tmp_path):
    po_path = tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    shutil.copy(i18n_compile.catalogues()[0], po_path)
    shutil.copy(i18n_compile.catalogues()[0].with_suffix(".mo"), po_path.with_suffix(".mo"))
    po = polib.pofile(str(po_path))
    po.translated_entries()[0].msgstr = "改过的译文"
    po.save()
    assert any("stale" in p for p in i18n_compile.problems(po_path))


def test_check_notices_an_untranslated_message(tmp_path):
    po_path = tmp_path / "django.po"
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Hello", msgstr=""))
    po.save(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    assert any("untranslated" in p for p in i18n_compile.problems(po_path))


def test_default_language_is_simplified_chinese(public_client):
    html = public_client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "京津冀工业云平台" in html
    assert "工业云" in html and "金融云" in html and "展会云" in html


def test_english_by_accept_language(public_client):
    html = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Jingjinji Industrial Cloud Portal" in html
    assert "京津冀工业云平台" not in html


def test_language_switch_sets_cookie_and_returns(public_client):
    response = public_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = public_client.get("/").content.decode()
    assert "Industrial cloud" in html and "工业云" not in html
    public_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工业云" in public_client.get("/").content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tenant_pages_in_both_languages(alpha, language):
    client = alpha.client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/").content.decode()
    expected = {"en": "Unified Social Credit Code", "zh-hans": "统一社会信用代码"}[language]
    assert expected in html
    assert f'<html lang="{language}">' in html


def test_unknown_host_404_page_in_both_languages(client):
    zh = client.get("/", HTTP_HOST="nobody.localhost").content.decode()
    en = client.get("/", HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "页面不存在" in zh
    assert "Page not found" in en

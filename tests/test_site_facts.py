"""Trust: every page's footer and the About page name the operator, the sponsor, the service hotline
and the ICP filing number from settings (empty by default, and then not shown; `make run` passes
demo values); the footer links the About page and the legal pages; the favicon answers."""

import pytest

from portal import runner

pytestmark = pytest.mark.django_db

FACTS = {
    "PORTAL_OPERATOR_NAME": "京津冀工业云运营有限公司",
    "PORTAL_SPONSOR_NAME": "某某省工业和信息化厅",
    "PORTAL_HOTLINE": "010-6666 8888",
    "PORTAL_ICP_NUMBER": "京ICP备12345678号-2",
}


def _set(settings, facts):
    for name, value in facts.items():
        setattr(settings, name, value)


@pytest.mark.parametrize("path", ["/", "/about/", "/login/"])
def test_the_public_footer_names_who_runs_the_service(public_client, settings, path):
    _set(settings, FACTS)
    html = public_client.get(path).content.decode()
    footer = html[html.index('<footer class="footer">') :]
    assert "运营单位：京津冀工业云运营有限公司" in footer
    assert "某某省工业和信息化厅" in footer
    assert '服务热线：<a href="tel:01066668888">010-6666 8888</a>' in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener" id="icp">京ICP备12345678号-2</a>' in footer
    for link in ("about/", "legal/terms/", "legal/privacy/"):
        assert f'/{link}"' in footer


def test_the_workspace_footer_links_the_public_pages(alpha, settings):
    _set(settings, FACTS)
    html = alpha.client().get("/").content.decode()
    footer = html[html.index('<footer class="footer">') :]
    assert "京ICP备12345678号-2" in footer
    assert f'href="http://{settings.PORTAL_DOMAIN}' in footer  # the About page is on the public site
    assert "legal/privacy/" in footer


def test_empty_facts_are_not_shown(public_client, settings):
    _set(settings, dict.fromkeys(FACTS, ""))
    _set(settings, {"PORTAL_HOTLINE": "400-000-0000"})
    html = public_client.get("/about/").content.decode()
    assert "400-000-0000" in html
    for label in ("运营单位", "主办单位", "ICP", "beian.miit.gov.cn"):
        assert label not in html, label


def test_nothing_is_shown_by_default(public_client, settings, monkeypatch):
    for name in FACTS:
        monkeypatch.delenv(name, raising=False)
    import importlib

    import portal.settings as module

    fresh = importlib.reload(module)
    try:
        assert [getattr(fresh, name) for name in FACTS] == ["", "", "", ""]
    finally:
        importlib.reload(module)
    _set(settings, dict.fromkeys(FACTS, ""))
    html = public_client.get("/about/").content.decode()
    assert 'id="site-facts"' not in html and 'id="about-facts"' not in html
    assert "beian.miit.gov.cn" not in html


def test_the_about_page_in_english(public_client, settings):
    _set(settings, FACTS)
    response = public_client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About this service</h1>" in html
    assert "Operator" in html and "Sponsor" in html and "Service hotline" in html and "ICP filing" in html


def test_make_run_passes_demo_values_only_where_the_environment_has_none():
    env = runner.with_demo_site_facts(
        {"PORTAL_HOTLINE": "010-12345678", "PORTAL_ICP_NUMBER": " ", "OTHER": "x"}
    )
    assert env["PORTAL_HOTLINE"] == "010-12345678"
    assert env["PORTAL_ICP_NUMBER"] == runner.DEMO_SITE_FACTS["PORTAL_ICP_NUMBER"]
    assert env["PORTAL_OPERATOR_NAME"] == runner.DEMO_SITE_FACTS["PORTAL_OPERATOR_NAME"]
    assert env["OTHER"] == "x"
    assert all(runner.DEMO_SITE_FACTS.values())


@pytest.mark.parametrize("host", ["public", "workspace"])
def test_the_favicon_answers_on_every_host(client, alpha, settings, host):
    host_name = settings.PORTAL_DOMAIN if host == "public" else alpha.host
    response = client.get("/favicon.ico", HTTP_HOST=host_name)
    assert response.status_code == 302
    assert response["Location"] == "/static/portal/favicon.svg"
    html = client.get("/login/", HTTP_HOST=host_name).content.decode()
    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in html


def test_the_favicon_is_a_small_svg():
    from django.contrib.staticfiles import finders

    path = finders.find("portal/favicon.svg")
    assert path, "portal/favicon.svg is missing from static"
    with open(path, encoding="utf-8") as svg:
        text = svg.read()
    assert text.startswith("<svg") and len(text) < 2000


def test_every_page_starts_with_a_skip_link_to_the_content(public_client):
    html = public_client.get("/").content.decode()
    body = html[html.index("<body>") :]
    first_link = body[body.index("<a ") : body.index("</a>")]
    assert 'class="skip-link" href="#main"' in first_link and "跳到正文" in first_link
    assert '<main class="page" id="main" tabindex="-1">' in body

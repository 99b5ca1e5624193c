"""Playwright drives Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser.

Without Chromium the browser tests are skipped with a reason, unless REQUIRE_BROWSER=1 (set by
.ci/run, which installs Chromium), where they fail instead.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.db import connection, connections

# Playwright's sync API keeps an event loop running in this thread; Django then refuses ORM calls
# made by the fixtures (all synchronous, in this same thread) unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


# Every page of every browser context records the Content-Security-Policy violations it meets
# (the browser fires `securitypolicyviolation` for each thing the policy refused), and every browser
# test fails when one was met: no page may need what the policy forbids.
CSP_LISTENER = """
(() => {
  const seen = [];
  Object.defineProperty(window, "__cspViolations", {value: seen});
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      page: document.location.href,
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
    };
    seen.push(violation);
    if (window.__reportCspViolation) window.__reportCspViolation(violation);
  });
})();
"""


class CspWatchedBrowser:
    """The browser, whose new contexts report CSP violations into `violations`."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[dict] = []
        self.contexts: list = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.expose_binding("__reportCspViolation", lambda _source, v: self.violations.append(v))
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        return context

    def collect(self) -> list[dict]:
        """Violations reported so far, and those the open pages hold that were not yet reported."""
        from playwright.sync_api import Error as PlaywrightError

        found = list(self.violations)
        for context in self.contexts:
            for page in context.pages:
                # A page closing or navigating away: what it met was reported through the binding.
                with contextlib.suppress(PlaywrightError):
                    found += [v for v in page.evaluate("window.__cspViolations || []") if v not in found]
        return found

    def reset(self) -> None:
        self.violations.clear()
        self.contexts.clear()


@pytest.fixture(scope="session")
def _chromium():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield CspWatchedBrowser(browser)
        browser.close()


@pytest.fixture
def browser(_chromium):
    """The browser; the test fails if any page it opened met a Content-Security-Policy violation."""
    _chromium.reset()
    yield _chromium
    violations = _chromium.collect()
    _chromium.reset()
    if violations:
        pytest.fail(f"Content-Security-Policy violations: {violations}")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    # Before the browser fixture's check: what the pages hold is read while they are open.
    browser.violations[:] = browser.collect()
    context.close()


@pytest.fixture(autouse=True)
def _close_connections_opened_under_playwright():
    """While Playwright's sync API runs, its event loop counts as running in this thread, and
    Django then keys its database connections by context (asgiref's Local), not by thread: the ORM
    calls of this test and of `committed` open a second connection beside the one `django_db_setup`
    opened before the browser started. Left open, it makes the test database's DROP at the end of
    the session fail ("being accessed by other users") when a non-browser test ran first. Closed
    here, after `committed` has cleaned up (it is set up after this fixture, so torn down before)."""
    yield
    connections.close_all()


def sign_in(page, url: str, email: str, password: str) -> None:
    """Signs in on the sign-in page at `url` and waits until the browser has left it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("form.form button[type=submit]").click()
    try:
        page.wait_for_url(lambda current: "/login/" not in current, timeout=20_000)
    except PlaywrightTimeoutError:
        # Still on the sign-in page: say what it shows (an error, a lockout) rather than only
        # "timeout", and submit once more when it shows nothing (a click lost on a slow machine).
        shown = page.locator("form.form .errorlist, .messages, [role=alert]").all_inner_texts()
        if shown:
            pytest.fail(f"sign-in refused at {page.url}: {shown}")
        page.fill("#id_password", password)
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url(lambda current: "/login/" not in current)


# --- accessibility: axe-core ----------------------------------------------------------------------

# axe-core, vendored for the tests only (tests/browser/vendor/: axe.min.js of the npm package
# axe-core, pinned below, with its licence, MPL-2.0). Never served by the app.
AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, *, impacts=FAILING_IMPACTS) -> list[dict]:
    """Runs axe-core on the page as it is now and returns the violations of the given impacts.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    not govern (a <script> tag would be refused by script-src 'self', as it should be)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    assert page.evaluate("axe.version") == AXE_VERSION
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
          }));
        }"""
    )
    return [v for v in found if v["impact"] in impacts]


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"      {node['target']}  {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"      … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fails, listing them, when axe-core finds a serious or critical violation on the page."""
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


@pytest.fixture(name="assert_accessible")
def _assert_accessible_fixture():
    """The same check as a fixture, for tests that prefer fixtures to imports."""
    return assert_accessible


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_fits(page) -> None:
    """Nothing on the page sticks out past the viewport's right edge (no horizontal scrolling)."""
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen: {widest_elements(page)}"


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements that stick out past the viewport's right edge, for a failure message."""
    return page.evaluate(
        """(limit) => [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, limit)
          .map((e) => {
            const cls = typeof e.className === "string" ? e.className.trim().replace(/\\s+/g, ".") : "";
            const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (cls ? "." + cls : "");
            return `${name} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`;
          })""",
        limit,
    )


# --- the demo data, for tests that visit every role's main pages ---------------------------------

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "demo_site: loads the demo data (committed) for the whole module; run after the other tests, "
        "before the fuzzer, since its public rows (users, exhibitions, loan products) stay",
    )


def pytest_collection_modifyitems(session, config, items):
    """Tests on the demo data run after every other test and before the fuzzer (which loads the same
    data; tests/conftest.py puts it last)."""

    def rank(item) -> int:
        if item.get_closest_marker("fuzz") is not None:
            return 2
        return 1 if item.get_closest_marker("demo_site") is not None else 0

    items.sort(key=rank)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, celery_worker, live_server_url):
    """The demo data (portal/demo.py, what `make run` shows), committed, with the worker having
    scored what it submits; the demo enterprises are dropped at the end of the module."""
    import time

    from django_tenants.utils import tenant_context

    from manufacturing.models import Assessment
    from portal import demo
    from tenants.models import Enterprise
    from tests.conftest import drop_enterprise

    with django_db_blocker.unblock():
        before = set(Enterprise.objects.values_list("pk", flat=True))
        demo.demo_data_ensure()
        deadline = time.monotonic() + 120
        for enterprise in Enterprise.objects.filter(is_demo=True):
            with tenant_context(enterprise):
                while Assessment.objects.filter(status=Assessment.Status.SUBMITTED).exists():
                    assert time.monotonic() < deadline, "the worker did not score the demo assessments"
                    time.sleep(0.2)
        connection.set_schema_to_public()
        owner_slug = Enterprise.objects.filter(is_demo=True).order_by("pk").first().slug
    yield DemoSite(live_server_url, owner_slug)
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for enterprise in Enterprise.objects.exclude(pk__in=before):
            drop_enterprise(enterprise)
        connections.close_all()


class DemoSite:
    """URLs of the demo platform under the test server, and one signed-in browser state per role."""

    PASSWORD = "jjj-demo-2026"
    ROLES = {
        "owner": "owner@bj-precision.example.com",
        "assessor": "assessor@example.com",
        "regional_admin": "region-admin@example.com",
        "bank": "bank@example.com",
        "buyer": "buyer@example.com",
        "provider": "provider-tj@example.com",
        "project_owner": "owner@tj-jinghai.example.com",  # the demo's enterprise mid-project
    }

    def __init__(self, live_server_url: str, owner_slug: str):
        from urllib.parse import urlsplit

        from django.conf import settings

        self.public = live_server_url
        port = urlsplit(live_server_url).port
        self.workspace = f"http://{owner_slug}.{settings.PORTAL_DOMAIN}:{port}"
        self.project_workspace = f"http://tj-jinghai.{settings.PORTAL_DOMAIN}:{port}"
        self._states: dict[str, dict] = {}

    def base(self, role: str) -> str:
        if role == "project_owner":
            return self.project_workspace
        return self.workspace if role == "owner" else self.public

    def context(self, browser, role: str, *, viewport: dict, **kwargs):
        """A new browser context at `viewport`, signed in as `role` ("anonymous": not signed in)."""
        if role != "anonymous" and role not in self._states:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            sign_in(page, self.base(role) + "/login/", self.ROLES[role], self.PASSWORD)
            self._states[role] = context.storage_state()
            context.close()
        state = self._states.get(role)
        kwargs.setdefault("locale", "zh-CN")
        return browser.new_context(viewport=viewport, storage_state=state, **kwargs)

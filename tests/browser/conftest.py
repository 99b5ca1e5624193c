"""Playwright drives Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser.

Without Chromium the browser tests are skipped with a reason, unless REQUIRE_BROWSER=1 (set by
.ci/run, which installs Chromium), where they fail instead.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.db import connections

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
    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(lambda current: "/login/" not in current)

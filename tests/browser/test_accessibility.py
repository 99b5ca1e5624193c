"""Accessibility and phone layout on the main pages of every role, on the demo data (what `make run`
shows): axe-core finds no serious or critical violation at 1366×768 nor at 390×844, no page is wider
than a 390-pixel phone, and the shell works by keyboard and on a phone (skip link, menu button).

The demo data is committed once for the module (`demo_site`, tests/browser/conftest.py) and these
tests run after the others."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESK,
    PHONE,
    assert_accessible,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    widest_elements,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.demo_site]

# (role, path, link to follow from there or None). A followed link opens a page whose address the
# data decides (the first result, the first financing request).
MAIN_PAGES = {
    "anonymous": [
        ("/", None),
        ("/hall/", None),
        ("/register/", None),
        ("/login/", None),
        ("/about/", None),
        ("/programmes/", None),
        ("/programmes/", "main a[href^='/programmes/']:not([href='/programmes/'])"),
        ("/solutions/", None),
    ],
    "owner": [
        ("/", None),
        ("/assessments/", None),
        ("/assessments/", "#assessments a[href$='/result/']"),
        ("/finance/", None),
        ("/finance/", "a[href^='/finance/requests/']:not([href$='/new/'])"),
        ("/exhibition/booths/", None),
        ("/members/", None),
        ("/transformation/", None),
    ],
    "project_owner": [("/transformation/", "main a[href^='/transformation/projects/']")],
    "provider": [("/provider/", None), ("/provider/solutions/", None), ("/provider/projects/", None)],
    "assessor": [("/review/assignments/", None)],
    "regional_admin": [
        ("/review/cases/", None),
        ("/reports/", None),
        ("/review/audit/", None),
        ("/programmes/manage/", None),
        ("/programmes/manage/", "main a[href^='/programmes/manage/']:not([href$='/new/'])"),
        ("/reports/programmes/", None),
    ],
    "bank": [("/lending/applications/", None)],
    "buyer": [("/hall/inquiries/", None)],
}

CASES = [
    pytest.param(role, path, follow, id=f"{role}:{path}{'→' + follow.split()[-1] if follow else ''}")
    for role, pages in MAIN_PAGES.items()
    for path, follow in pages
]


def _open(site, page, role: str, path: str, follow: str | None) -> None:
    response = page.goto(site.base(role) + path)
    assert response.status == 200, f"{path} answered {response.status}"
    if follow:
        link = page.locator(follow).first
        expect(link, f"a link {follow} on {path} (demo data)").to_be_attached()
        link.click()
        page.wait_for_load_state()
    if role != "anonymous":
        assert "/login/" not in page.url, f"{role} was sent to sign in from {path}"


@pytest.mark.parametrize(("role", "path", "follow"), CASES)
def test_main_page_has_no_serious_accessibility_violation(browser, demo_site, role, path, follow):
    found = []
    for viewport in (DESK, PHONE):
        context = demo_site.context(browser, role, viewport=viewport)
        page = context.new_page()
        _open(demo_site, page, role, path, follow)
        violations = axe_violations(page)
        if violations:
            found.append(
                f"at {viewport['width']}×{viewport['height']}: " + describe_violations(page.url, violations)
            )
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("role", list(MAIN_PAGES))
def test_no_main_page_is_wider_than_a_phone(browser, demo_site, role, locale):
    context = demo_site.context(browser, role, viewport=PHONE, locale=locale)
    page = context.new_page()
    too_wide = {}
    for path, follow in MAIN_PAGES[role]:
        _open(demo_site, page, role, path, follow)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[page.url] = (width, widest_elements(page))
    context.close()
    assert not too_wide, f"pages wider than {PHONE['width']} px: {too_wide}"


def test_tables_scroll_inside_their_card_on_a_phone_and_the_keyboard_reaches_them(browser, demo_site):
    context = demo_site.context(browser, "owner", viewport=PHONE)
    page = context.new_page()
    page.goto(demo_site.workspace + "/finance/")
    # The financial profile has ten columns: on a phone its wrap scrolls, not the page, and since its
    # template gives the wrap no tabindex, portal.js makes it a named region the keyboard can reach.
    wrap = page.locator(".table-wrap:has(#profile)")
    expect(wrap).to_have_count(1)
    assert horizontal_overflow(page) == 0
    assert wrap.evaluate("(e) => e.scrollWidth > e.clientWidth"), (
        "the profile table should scroll in its wrap"
    )
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("role", "region")
    assert wrap.get_attribute("aria-label")
    wrap.focus()
    expect(wrap).to_be_focused()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)  # smooth scrolling
    assert wrap.evaluate("(e) => e.scrollLeft") > 0, "the arrow keys should scroll the focused table"
    context.close()

    # At a desk the same table fits: no tab stop that scrolls nothing.
    context = demo_site.context(browser, "owner", viewport=DESK)
    page = context.new_page()
    page.goto(demo_site.workspace + "/finance/")
    wrap = page.locator(".table-wrap:has(#profile)")
    if not wrap.evaluate("(e) => e.scrollWidth > e.clientWidth"):
        expect(wrap).not_to_have_attribute("tabindex", "0")
    context.close()


def test_reports_tables_are_keyboard_regions(browser, demo_site):
    context = demo_site.context(browser, "regional_admin", viewport=PHONE)
    page = context.new_page()
    page.goto(demo_site.public + "/reports/")
    wraps = page.locator(".table-wrap:has(table.report)")
    assert wraps.count() >= 1
    for wrap in wraps.all():
        expect(wrap).to_have_attribute("tabindex", "0")
        expect(wrap).to_have_attribute("role", "region")
        assert wrap.get_attribute("aria-label")
    assert_accessible(page)
    context.close()


def test_the_phone_menu_opens_and_closes_and_shows_without_javascript(browser, demo_site):
    context = demo_site.context(browser, "regional_admin", viewport=PHONE)
    page = context.new_page()
    page.goto(demo_site.public + "/reports/")
    toggle = page.locator("[data-menu-toggle]")
    nav = page.locator("nav#topnav")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="区域报表")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_focused()
    context.close()

    # At a desk the nav shows and the button does not.
    context = demo_site.context(browser, "regional_admin", viewport=DESK)
    page = context.new_page()
    page.goto(demo_site.public + "/reports/")
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    expect(page.locator("nav#topnav").get_by_role("link", name="区域报表")).to_be_visible()
    # the section the page belongs to is marked in the nav
    expect(page.locator("nav#topnav a[aria-current=page]")).to_have_text("区域报表")
    context.close()

    # Without JavaScript the phone shows the nav itself, and no button that would do nothing.
    context = demo_site.context(browser, "regional_admin", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site.public + "/reports/")
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    expect(page.locator("nav#topnav").get_by_role("link", name="区域报表")).to_be_visible()
    assert horizontal_overflow(page) == 0
    context.close()


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(browser, demo_site):
    context = demo_site.context(browser, "anonymous", viewport=DESK)
    page = context.new_page()
    page.goto(demo_site.public + "/hall/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到正文")
    expect(skip).to_be_in_viewport()
    # a visible focus ring
    assert skip.evaluate("(e) => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    context.close()


def test_the_eligible_badge_has_enough_contrast(browser, demo_site):
    """The green "符合条件" badge of the financing matches failed WCAG AA (4.47:1)."""
    context = demo_site.context(browser, "owner", viewport=DESK)
    page = context.new_page()
    _open(demo_site, page, "owner", "/finance/", "a[href^='/finance/requests/']:not([href$='/new/'])")
    badges = page.locator(".badge.ok")
    assert badges.count() >= 1
    violations = [
        v
        for v in axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
        if v["id"] == "color-contrast"
    ]
    assert not violations, describe_violations(page.url, violations)
    context.close()

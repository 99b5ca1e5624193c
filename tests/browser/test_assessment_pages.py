"""The enterprise's assessment pages in Chromium (issue 17): a question says as soon as it is answered
that its answer needs evidence, the progress counts what is missing, and the upload clears it; the
result's radar is legible (text of 12 px or more) on a desk and on a phone; no page is wider than a
390 px phone.

Not django_db: everything commits (`committed`) so that gunicorn sees it; the enterprise made here is
dropped afterwards."""

import itertools
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from manufacturing import scoring
from manufacturing import services as assessment_services
from manufacturing.models import Assessment
from tests.browser.conftest import sign_in
from tests.conftest import build_enterprise
from tests.manufacturing.definitions import full_answers
from tests.manufacturing.test_assessments import PDF, submitted

pytestmark = [pytest.mark.browser]

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# The rendered size of each text of the radar: its font size times the SVG's scale on screen.
LABEL_SIZES = """() => [...document.querySelectorAll('#radar svg text')].map((text) => {
  const size = parseFloat(getComputedStyle(text).fontSize);
  return {text: text.textContent, px: size * text.getScreenCTM().a};
})"""
# Texts of the radar that stick out of the drawing (cut off).
LABELS_OUTSIDE = """() => {
  const svg = document.querySelector('#radar svg').getBoundingClientRect();
  return [...document.querySelectorAll('#radar svg tspan')].filter((t) => {
    const r = t.getBoundingClientRect();
    return r.left < svg.left - 1 || r.right > svg.right + 1
      || r.top < svg.top - 1 || r.bottom > svg.bottom + 1;
  }).map((t) => t.textContent);
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


_worlds = itertools.count(1)


def _world(port: int):
    # A host of its own per test: a host reused at once could still be routed, for up to a second
    # (tenants/routing.py), to the enterprise the previous test dropped.
    world = build_enterprise(slug=f"wizard{port}n{next(_worlds)}")
    return world, f"http://{world.host}:{port}"


def test_a_question_says_when_its_answer_needs_evidence_and_the_upload_clears_it(
    browser, live_server_url, committed, tmp_path
):
    world, url = _world(urlsplit(live_server_url).port)
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, url + "/login/", world.owner.email, world.password)
    page.goto(url + "/assessments/")
    page.get_by_role("button", name="开始评估").click()
    page.wait_for_url("**/step/1/")
    for step in range(1, page.locator("nav.steps a").count()):  # every page of questions, then submit
        page.goto(page.url.rsplit("/step/", 1)[0] + f"/step/{step}/")
        assert page.evaluate(OVERFLOW) == 0, step
    page.goto(page.url.rsplit("/step/", 1)[0] + "/step/1/")

    need = page.locator("#evidence-need-device-digital-rate")
    expect(need).to_have_attribute("data-needed", "no")
    expect(page.locator("#evidence-count")).to_have_count(0)
    question = page.locator("#q-device-digital-rate")
    question.locator("input[name=devices_digital]").fill("90")
    question.locator("input[name=devices_total]").fill("100")
    question.locator("input[name=devices_total]").press("Tab")  # the change saves it (htmx)
    expect(page.locator("#state-device-digital-rate")).to_have_text("已保存")
    expect(need).to_have_attribute("data-needed", "yes")
    expect(need).to_contain_text("本题答案需要上传佐证材料。")
    expect(page.locator("#evidence-count")).to_have_text("还有 1 个答案需要上传佐证材料")

    # a low answer needs none: the question says so at once
    question.locator("input[name=devices_digital]").fill("5")
    question.locator("input[name=devices_digital]").press("Tab")
    expect(need).to_have_attribute("data-needed", "no")
    expect(page.locator("#evidence-count")).to_have_count(0)
    question.locator("input[name=devices_digital]").fill("90")
    question.locator("input[name=devices_digital]").press("Tab")
    expect(page.locator("#evidence-count")).to_have_text("还有 1 个答案需要上传佐证材料")

    # the submit page names it and links back to the question
    page.goto(page.url.replace("/step/1/", "/submit/"))
    assert page.evaluate(OVERFLOW) == 0
    page.locator("#evidence-missing a").first.click()
    page.wait_for_url("**/step/1/#q-device-digital-rate")

    proof = tmp_path / "设备清单.pdf"
    proof.write_bytes(PDF)
    evidence = page.locator("#evidence-device-digital-rate")
    evidence.locator("input[type=file]").set_input_files(str(proof))
    evidence.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-device-digital-rate")).to_contain_text("设备清单.pdf")
    expect(page.locator("#evidence-need-device-digital-rate")).to_contain_text("已上传佐证材料")
    expect(page.locator("#evidence-count")).to_have_count(0)
    context.close()


def _verified(world, monkeypatch) -> Assessment:
    """A verified assessment of `world`: scored here, then verified as if the assessor had lowered the
    network answer (the review's own path has its browser test in test_review.py)."""
    from manufacturing import tasks

    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *a, **k: None)  # scored here instead
    assessment = submitted(world)
    monkeypatch.undo()
    with tenant_context(world.enterprise):
        assessment = assessment_services.assessment_score(
            enterprise=world.enterprise, assessment_id=assessment.pk
        )
        definition = assessment.framework.definition
        answers = {**full_answers(definition), "network": {"options": ["office-lan"]}}
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.VERIFIED,
            verified_result={**scoring.score(definition, answers), "peer": None},
            verified_at=timezone.now(),
        )
    connection.set_schema_to_public()
    return assessment


@pytest.mark.parametrize("language", ["zh-CN", "en-GB"])
def test_the_radar_is_legible_on_a_desk_and_a_phone_and_no_page_is_too_wide(
    browser, live_server_url, committed, monkeypatch, language
):
    world, url = _world(urlsplit(live_server_url).port)
    assessment = _verified(world, monkeypatch)
    for viewport in (DESK, PHONE):
        context = browser.new_context(locale=language, viewport=viewport)
        page = context.new_page()
        sign_in(page, url + "/login/", world.owner.email, world.password)
        page.goto(f"{url}/assessments/{assessment.pk}/result/")
        expect(page.locator("#verified p.score strong")).to_have_text("94.0")
        sizes = page.evaluate(LABEL_SIZES)
        assert len(sizes) == 9  # one label per sub-dimension
        too_small = [s for s in sizes if s["px"] < 12]
        assert not too_small, (viewport, too_small)
        assert page.evaluate(LABELS_OUTSIDE) == [], viewport
        expect(page.locator("#dimension-scores tbody tr")).to_have_count(9)
        assert page.evaluate(OVERFLOW) == 0, viewport
        page.goto(url + "/assessments/")
        expect(page.locator("#assessments")).to_contain_text("94.0 / 100")
        assert page.evaluate(OVERFLOW) == 0, viewport
        context.close()

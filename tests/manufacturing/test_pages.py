"""The assessment wizard, submit and result pages on an enterprise's host."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from manufacturing import services
from manufacturing.answers import answers_of
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment
from tests.manufacturing.definitions import attach_required_evidence, full_answers

pytestmark = pytest.mark.django_db


def start(client) -> int:
    response = client.post("/assessments/", {"framework": Framework.objects.get(is_default=True).pk})
    assert response.status_code == 302
    return int(response["Location"].split("/")[2])


def test_start_and_walk_the_wizard(alpha):
    client = alpha.client()
    assessment_id = start(client)
    page = client.get(f"/assessments/{assessment_id}/step/1/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "数字化基础" in html and 'name="devices_digital"' in html
    assert "0 / 31" in html or "0 of 31" in html or "31" in html
    scenes = client.get(f"/assessments/{assessment_id}/step/2/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "constraint scene (required for the level)" in scenes
    assert client.get(f"/assessments/{assessment_id}/step/9/").status_code == 404


def test_saving_as_you_go_with_htmx(alpha):
    client = alpha.client()
    assessment_id = start(client)
    ok = client.post(
        f"/assessments/{assessment_id}/answer/device-digital-rate/",
        {"devices_digital": "30", "devices_total": "100"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and b"saved" in ok.content and b'hx-swap-oob="true"' in ok.content
    bad = client.post(
        f"/assessments/{assessment_id}/answer/device-digital-rate/",
        {"devices_digital": "300", "devices_total": "100"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200 and b"cannot exceed" in bad.content
    text = client.post(
        f"/assessments/{assessment_id}/answer/device-digital-rate/",
        {"devices_digital": "lots", "devices_total": "100"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert text.status_code == 400 and b"enter a number" in text.content
    with tenant_context(alpha.enterprise):
        assert answers_of(Assessment.objects.get(pk=assessment_id)) == {
            "device-digital-rate": {"inputs": {"devices_digital": 30, "devices_total": 100}}
        }


def test_submit_page_lists_what_is_missing_and_needs_the_pledge(alpha):
    client = alpha.client()
    assessment_id = start(client)
    page = client.get(f"/assessments/{assessment_id}/submit/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page.content.decode().count("<li>") >= 31
    with tenant_context(alpha.enterprise):
        assessment = Assessment.objects.get(pk=assessment_id)
        for key, value in full_answers(assessment.framework.definition).items():
            services.answer_put(
                enterprise=alpha.enterprise, assessment=assessment, key=key, value=value, user=alpha.owner
            )
        attach_required_evidence(assessment, alpha.owner)
    no_pledge = client.post(f"/assessments/{assessment_id}/submit/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert no_pledge.status_code == 400 and b"pledge" in no_pledge.content
    done = client.post(f"/assessments/{assessment_id}/submit/", {"pledge": "on"})
    assert done.status_code == 302 and done["Location"].endswith(f"/assessments/{assessment_id}/result/")
    pending = client.get(done["Location"])
    assert b'data-status="submitted"' in pending.content and b"hx-trigger" in pending.content
    # the wizard of a submitted assessment goes to its result
    assert client.get(f"/assessments/{assessment_id}/step/1/")["Location"].endswith("/result/")


def test_result_page_shows_score_level_chart_and_advice(alpha):
    client = alpha.client()
    assessment_id = start(client)
    with tenant_context(alpha.enterprise):
        assessment = Assessment.objects.get(pk=assessment_id)
        answers = full_answers(assessment.framework.definition)
        answers["network"] = {"options": ["none"]}  # 8 points lost
        for key, value in answers.items():
            services.answer_put(
                enterprise=alpha.enterprise, assessment=assessment, key=key, value=value, user=alpha.owner
            )
        attach_required_evidence(assessment, alpha.owner)
        services.pledge_sign(assessment=assessment, user=alpha.owner)
        services.assessment_submit(assessment=assessment, user=alpha.owner, enterprise=alpha.enterprise)
        services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment_id)
    html = client.get(f"/assessments/{assessment_id}/result/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>92.0</strong> / 100" in html
    assert "Level 4" in html
    assert "<svg" in html and "Digital foundation" in html
    assert 'id="gaps"' in html and 'id="recommendations"' in html
    assert "data-print" in html  # portal/js/portal.js prints


def test_viewer_sees_but_cannot_start_or_answer(alpha):
    from tenants.members import services as member_services
    from tenants.services import user_create

    viewer = user_create(email="viewer-pages@example.com", password="x-Strong-pass-1")
    member_services.member_add(
        enterprise=alpha.enterprise, user=viewer, role="viewer", invited_by=alpha.owner
    )
    assessment_id = start(alpha.client())
    client = Client(HTTP_HOST=alpha.host)
    client.force_login(viewer)
    assert client.get("/assessments/").status_code == 200
    assert client.post("/assessments/", {}).status_code == 403
    assert b"disabled" in client.get(f"/assessments/{assessment_id}/step/1/").content
    assert (
        client.post(f"/assessments/{assessment_id}/answer/network/", {"options": ["office-lan"]}).status_code
        == 403
    )


def test_bad_form_values_are_refused_not_500(alpha):
    client = alpha.client()
    assert client.post("/assessments/", {"framework": "abc"}).status_code == 302  # the default framework
    assessment_id = start(client)
    response = client.post(f"/assessments/{assessment_id}/answer/product-design/", {"level": "2.7"})
    assert response.status_code == 400
    response = client.post(f"/assessments/{assessment_id}/answer/product-design/", {"level": "nan"})
    assert response.status_code == 400


def test_evidence_is_required_for_high_scoring_answers_and_uploaded_in_the_wizard(alpha, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.manufacturing.test_assessments import PDF

    settings.MEDIA_ROOT = tmp_path
    client = alpha.client()
    assessment_id = start(client)
    with tenant_context(alpha.enterprise):
        assessment = Assessment.objects.get(pk=assessment_id)
        for key, value in full_answers(assessment.framework.definition).items():
            services.answer_put(
                enterprise=alpha.enterprise, assessment=assessment, key=key, value=value, user=alpha.owner
            )
        needing = services.evidence_missing(assessment=assessment)
    assert "device-digital-rate" in needing  # 100 % answer, evidence required from 50 %
    blocked = client.post(
        f"/assessments/{assessment_id}/submit/", {"pledge": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert blocked.status_code == 400 and b"evidence" in blocked.content
    step = client.get(f"/assessments/{assessment_id}/step/1/").content.decode()
    assert 'hx-encoding="multipart/form-data"' in step
    for key in needing:
        response = client.post(
            f"/assessments/{assessment_id}/upload/{key}/",
            {"file": SimpleUploadedFile("proof.pdf", PDF)},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and b"proof.pdf" in response.content
    bad = client.post(
        f"/assessments/{assessment_id}/upload/network/",
        {"file": SimpleUploadedFile("x.pdf", b"MZ")},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and b"error-text" in bad.content
    done = client.post(f"/assessments/{assessment_id}/submit/", {"pledge": "on"})
    assert done.status_code == 302


def test_result_page_says_when_scoring_is_late_or_stalled(alpha, settings):
    from django.utils import timezone

    from manufacturing.frameworks.models import ScoringRequest
    from tests.manufacturing.test_assessments import submitted

    assessment = submitted(alpha)  # in a test transaction: the message is never sent
    client = alpha.client()
    url = f"/assessments/{assessment.pk}/result/"

    def page() -> str:
        return client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def api() -> str | None:
        return client.get(f"/api/v1/assessments/{assessment.pk}/").json()["assessment"]["scoring"]

    assert (
        "The platform is scoring it" in page()
        and "workers" not in page()
        and "delay:1s" in page()
        and api() == "scoring"
    )
    with tenant_context(alpha.enterprise):
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=timezone.now() - timezone.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
        )
    assert "taking longer than usual" in page() and "delay:10s" in page() and api() == "delayed"
    ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).update(
        resends=settings.OUTBOX_MAX_RESENDS
    )
    html = page()
    assert 'role="alert"' in html and "operators have been alerted" in html and api() == "stalled"
    with tenant_context(alpha.enterprise):
        services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
    assert "<svg" in page() and api() is None


def test_the_wizard_prefills_a_figure_already_given_in_another_question(alpha):
    client = alpha.client()
    assessment_id = start(client)
    with tenant_context(alpha.enterprise):
        assessment = Assessment.objects.get(pk=assessment_id)
        value = {"inputs": {"devices_digital": 7, "devices_total": 64}}
        services.answer_put(
            enterprise=alpha.enterprise,
            assessment=assessment,
            key="device-digital-rate",
            value=value,
            user=alpha.owner,
        )
    html = client.get(f"/assessments/{assessment_id}/step/1/").content.decode()
    assert html.count('name="devices_total" value="64"') == 2  # its own answer and the network question
    assert 'name="devices_networked" value=""' in html

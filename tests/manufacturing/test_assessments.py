"""Assessments through the API on an enterprise's host: answers, evidence, pledge, submit, score."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from manufacturing import services
from manufacturing.frameworks.models import Framework, ScoringRequest
from manufacturing.models import Answer, Assessment
from tests.manufacturing.definitions import attach_required_evidence, full_answers

pytestmark = pytest.mark.django_db


def create(client) -> dict:
    response = client.post("/api/v1/assessments/", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def bilingual(response, status: int) -> dict:
    """The response has `status` and its message in Chinese and in English."""
    assert response.status_code == status, response.content
    body = response.json()
    zh, en = body["messages"]["zh"], body["messages"]["en"]
    assert zh and en and zh != en and body["detail"] in (zh, en)
    assert any("\u4e00" <= char <= "\u9fff" for char in zh)
    return body


def answer(client, assessment_id, key, value, **extra):
    return client.put(
        f"/api/v1/assessments/{assessment_id}/answers/{key}/", value, content_type="application/json", **extra
    )


def test_default_framework_and_progress(alpha):
    client = alpha.client()
    created = create(client)
    framework = Framework.objects.get(pk=created["framework"])
    assert framework.code == "miit-sme-mfg"
    assert created["progress"] == {"answered": 0, "total": 31}
    assert answer(client, created["id"], "network", {"options": ["office-lan"]}).status_code == 200
    detail = client.get(f"/api/v1/assessments/{created['id']}/").json()
    assert detail["assessment"]["progress"]["answered"] == 1
    assert detail["answers"] == {"network": {"options": ["office-lan"]}}


def test_frameworks_are_listed_on_both_hosts(alpha, public_client):
    public = public_client.get("/api/v1/frameworks/").json()
    assert [f["code"] for f in public][:1] == ["miit-sme-mfg"]
    assert alpha.client().get("/api/v1/frameworks/").json() == public
    detail = public_client.get(f"/api/v1/frameworks/{public[0]['id']}/").json()
    assert detail["definition"]["total_points"] == 100


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("no-such-question", {"option": "a"}, 400),
        ("network", {"options": ["not-an-option"]}, 400),
        ("network", {"options": ["none", "office-lan"]}, 400),
        ("plan-implementation", {"options": ["a", "b"]}, 400),  # a single-choice question
        ("device-digital-rate", {"inputs": {"devices_digital": 12, "devices_total": 10}}, 400),
        ("device-digital-rate", {"inputs": {"devices_digital": -1, "devices_total": 10}}, 400),
        ("device-digital-rate", {"inputs": {"devices_digital": "many", "devices_total": 10}}, 400),
        ("product-design", {"level": 7}, 400),
        ("network", "just text", 400),
    ],
)
def test_bad_answers_are_400_in_both_languages_and_change_nothing(alpha, key, value, status):
    client = alpha.client()
    created = create(client)
    en = answer(client, created["id"], key, value, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == status, en.content
    body = en.json()
    assert body["detail"]
    if key != "network" or isinstance(value, dict):  # a bare string is refused by the JSON parser itself
        assert body["messages"]["zh"] and body["messages"]["en"] == body["detail"]
    with tenant_context(alpha.enterprise):
        assert not Answer.objects.filter(assessment_id=created["id"]).exists()


def test_a_figure_two_questions_ask_for_is_kept_the_same_in_both(alpha):
    client = alpha.client()
    created = create(client)

    def inputs(key):
        with tenant_context(alpha.enterprise):
            return Answer.objects.get(assessment_id=created["id"], key=key).value["inputs"]

    digital = {"inputs": {"devices_digital": 10, "devices_total": 50}}
    assert answer(client, created["id"], "device-digital-rate", digital).status_code == 200
    networked = {"inputs": {"devices_networked": 30, "devices_total": 40}}
    assert answer(client, created["id"], "device-network-rate", networked).status_code == 200
    assert inputs("device-digital-rate") == {"devices_digital": 10, "devices_total": 40}
    # 20 in total would leave 30 connected machines out of 20 in the other question: refused, no change
    smaller = {"inputs": {"devices_digital": 10, "devices_total": 20}}
    body = bilingual(answer(client, created["id"], "device-digital-rate", smaller), 400)
    assert "Connected equipment cannot exceed" in body["messages"]["en"] and "联网" in body["messages"]["zh"]
    assert inputs("device-digital-rate")["devices_total"] == 40
    assert inputs("device-network-rate") == {"devices_networked": 30, "devices_total": 40}


def test_submit_names_what_is_missing_then_needs_the_pledge(alpha):
    client = alpha.client()
    created = create(client)
    answer(client, created["id"], "network", {"options": ["office-lan"]})
    response = client.post(f"/api/v1/assessments/{created['id']}/submit/")
    bilingual(response, 400)
    assert len(response.json()["missing"]) == 30 and "device-digital-rate" in response.json()["missing"]
    definition = Framework.objects.get(pk=created["framework"]).definition
    for key, value in full_answers(definition).items():
        assert answer(client, created["id"], key, value).status_code == 200, key
    response = client.post(f"/api/v1/assessments/{created['id']}/submit/")
    assert "device-digital-rate" in bilingual(response, 400)["evidence_missing"]
    for key in response.json()["evidence_missing"]:
        assert upload(client, created["id"], f"{key}.pdf", PDF, question=key).status_code == 201
    response = client.post(f"/api/v1/assessments/{created['id']}/submit/")
    assert bilingual(response, 400)["field"] == "pledge"
    assert client.post(f"/api/v1/assessments/{created['id']}/pledge/").status_code == 200
    response = client.post(f"/api/v1/assessments/{created['id']}/submit/")
    assert response.status_code == 202 and response.json()["status"] == "submitted"
    # Read-only now.
    bilingual(answer(client, created["id"], "network", {"options": ["none"]}), 409)
    bilingual(client.post(f"/api/v1/assessments/{created['id']}/submit/"), 409)
    bilingual(client.get(f"/api/v1/assessments/{created['id']}/result/"), 409)
    assert ScoringRequest.objects.filter(tenant=alpha.enterprise, assessment_id=created["id"]).exists()


def test_viewer_reads_but_cannot_answer(alpha):
    from tenants.members import services as member_services
    from tenants.services import user_create

    viewer = user_create(email="viewer-ind@example.com", password="x-Strong-pass-1")
    member_services.member_add(
        enterprise=alpha.enterprise, user=viewer, role="viewer", invited_by=alpha.owner
    )
    created = create(alpha.client())
    client = Client(HTTP_HOST=alpha.host)
    client.force_login(viewer)
    assert client.get(f"/api/v1/assessments/{created['id']}/").status_code == 200
    assert answer(client, created["id"], "network", {"options": ["office-lan"]}).status_code == 403
    assert client.post("/api/v1/assessments/", {}, content_type="application/json").status_code == 403


def test_an_assessment_of_another_enterprise_is_404(alpha, beta):
    beta_assessment = create(beta.client())
    with tenant_context(alpha.enterprise):
        assert not Assessment.objects.filter(pk=beta_assessment["id"]).exists()
    client = alpha.client()
    bilingual(client.get(f"/api/v1/assessments/{beta_assessment['id']}/"), 404)
    bilingual(answer(client, beta_assessment["id"], "network", {"options": ["office-lan"]}), 404)


# --- evidence -----------------------------------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, assessment_id, name, content, question="network"):
    return client.post(
        f"/api/v1/assessments/{assessment_id}/evidence/",
        {"question": question, "file": SimpleUploadedFile(name, content)},
    )


def test_evidence_upload_and_download_by_members_only(alpha, beta, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = alpha.client()
    created = create(client)
    response = upload(client, created["id"], "拓扑图.pdf", PDF)
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    stored = list(tmp_path.rglob("*.pdf"))
    assert len(stored) == 1 and f"tenants/{alpha.enterprise.schema_name}/evidence/" in str(stored[0])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    assert stranger.get(url).status_code == 404
    assert Client(HTTP_HOST=alpha.host).get(url).status_code == 302  # anonymous: sign in first


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf", 415),
        ("notes.txt", b"plain text", 415),
        ("no-suffix", PDF, 415),
        ("photo.png", PDF, 415),  # the name says PNG, the bytes say PDF
    ],
)
def test_hostile_or_wrong_type_files_are_refused(alpha, settings, tmp_path, name, content, status):
    settings.MEDIA_ROOT = tmp_path
    client = alpha.client()
    created = create(client)
    bilingual(upload(client, created["id"], name, content), status)
    assert list(tmp_path.rglob("*.*")) == []


def test_oversized_evidence_is_413(alpha, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 100)
    created = create(alpha.client())
    bilingual(upload(alpha.client(), created["id"], "big.pdf", PDF + b"0" * 200), 413)


def test_evidence_for_an_unknown_question_is_400(alpha, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    created = create(alpha.client())
    bilingual(upload(alpha.client(), created["id"], "a.pdf", PDF, question="nope"), 400)
    response = alpha.client().post(f"/api/v1/assessments/{created['id']}/evidence/", {"question": "network"})
    bilingual(response, 400)  # no file


# --- scoring ------------------------------------------------------------------------------------------------


def submitted(world) -> Assessment:
    """A complete, pledged, submitted assessment made through the services (in the world's schema)."""
    with tenant_context(world.enterprise):
        framework = Framework.objects.get(code="miit-sme-mfg")
        assessment = services.assessment_create(framework=framework, user=world.owner)
        for key, value in full_answers(framework.definition).items():
            services.answer_put(
                enterprise=world.enterprise, assessment=assessment, key=key, value=value, user=world.owner
            )
        attach_required_evidence(assessment, world.owner)
        services.pledge_sign(assessment=assessment, user=world.owner)
        return services.assessment_submit(
            assessment=assessment, user=world.owner, enterprise=world.enterprise
        )


def test_scoring_twice_gives_one_result(alpha):
    assessment = submitted(alpha)
    with tenant_context(alpha.enterprise):
        first = services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
        second = services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
    assert first.result["total"] == pytest.approx(100) and first.result["level"] == 4
    assert second.scored_at == first.scored_at and second.result == first.result
    assert ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk).completed_at


def test_json_infinity_is_refused_not_stored(alpha):
    client = alpha.client()
    created = create(client)
    response = client.put(
        f"/api/v1/assessments/{created['id']}/answers/device-digital-rate/",
        '{"inputs": {"devices_digital": 5, "devices_total": 1e999}}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_changing_an_answer_asks_for_the_pledge_again(alpha):
    client = alpha.client()
    created = create(client)
    client.post(f"/api/v1/assessments/{created['id']}/pledge/")
    assert client.get(f"/api/v1/assessments/{created['id']}/").json()["assessment"]["pledge_signed_at"]
    answer(client, created["id"], "network", {"options": ["office-lan"]})
    assert (
        client.get(f"/api/v1/assessments/{created['id']}/").json()["assessment"]["pledge_signed_at"] is None
    )


def test_the_sweeper_gives_up_after_the_last_resend(alpha, settings, monkeypatch, caplog):
    import datetime

    from django.utils import timezone

    from core import outbox
    from manufacturing import tasks

    sent = []
    monkeypatch.setattr(tasks.score_assessment, "delay", lambda *args, **kwargs: sent.append(args))
    assessment = submitted(alpha)
    sent.clear()
    request = ScoringRequest.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)

    def sweep() -> int:
        return outbox.sweep(names={"scoring"})["scoring"]

    for _ in range(settings.OUTBOX_MAX_RESENDS):
        ScoringRequest.objects.filter(pk=request.pk).update(
            sent_at=timezone.now() - datetime.timedelta(hours=1)
        )
        assert sweep() == 1
    assert sent == [(alpha.enterprise.pk, assessment.pk)] * settings.OUTBOX_MAX_RESENDS  # explicit ids
    ScoringRequest.objects.filter(pk=request.pk).update(sent_at=timezone.now() - datetime.timedelta(hours=1))
    assert sweep() == 0
    assert len(sent) == settings.OUTBOX_MAX_RESENDS
    assert ScoringRequest.objects.get(pk=request.pk).gave_up_at is not None
    assert "given up" in caplog.text and f"({alpha.enterprise.pk}, {assessment.pk})" in caplog.text

"""A client generated from the OpenAPI document (openapi-python-client), used as it comes out of the
generator, does a whole enterprise journey against a real gunicorn and a real worker: registers an
enterprise, waits for its workspace, signs in, creates an assessment, answers it, attaches the
evidence the framework asks for, signs the pledge, submits, and reads the scored result. Any field
the document gets wrong (a missing null, a list documented as something else, a read-only field
asked for in a body) breaks the generated models' parsing here."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.worker]

PASSWORD = "Gen-client-journey-2026"


def _generate(live_server_url: str, workdir: Path) -> str:
    """Generates the client package from the served document; returns its package name."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{live_server_url}/api/schema/?format=json", headers={"Host": settings.PORTAL_DOMAIN}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        (workdir / "schema.json").write_bytes(response.read())
    # No post-generation hooks: the generator would format the code with a ruff from PATH.
    (workdir / "config.yaml").write_text("post_hooks: []\npackage_name_override: portal_client\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            "schema.json",
            "--meta",
            "none",
            "--output-path",
            "portal_client",
            "--config",
            "config.yaml",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    return "portal_client"


@pytest.fixture
def generated(live_server_url, tmp_path):
    name = _generate(live_server_url, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda module: importlib.import_module(f"{name}.{module}")
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def _credit_code() -> str:
    from stdnum.cn import uscc

    body = f"91130600MA{int(time.time() * 1000) % 10_000_000:07d}"
    return body + uscc.calc_check_digit(body)


def _wait(what: str, probe, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)


def test_a_generated_client_registers_assesses_and_reads_the_result(
    celery_worker, committed, live_server_url, generated
):
    from manufacturing import scoring
    from tests.manufacturing.definitions import full_answers

    client_module = generated("client")
    models = generated("models")
    types = generated("types")
    api = {
        name: generated(f"api.{package}.{name}")
        for package, name in [
            ("registration", "registrations_create"),
            ("registration", "registrations_retrieve"),
            ("auth", "auth_token_create"),
            ("industrial", "frameworks_list"),
            ("industrial", "frameworks_retrieve"),
            ("industrial", "assessments_create"),
            ("industrial", "assessments_answers_update"),
            ("industrial", "assessments_evidence_create"),
            ("industrial", "assessments_pledge_create"),
            ("industrial", "assessments_submit_create"),
            ("industrial", "assessments_retrieve"),
            ("industrial", "assessments_result_retrieve"),
        ]
    }
    # Every request goes to the live server's address; the Host header picks the site, as a proxy would.
    port = live_server_url.rsplit(":", 1)[1]
    base_url = f"http://127.0.0.1:{port}"
    public = client_module.Client(
        base_url=base_url,
        headers={"Host": f"{settings.PORTAL_DOMAIN}:{port}"},
        raise_on_unexpected_status=True,
    )

    # Register; the worker prepares the workspace.
    email = f"gen-client-{int(time.time())}@example.com"
    registered = api["registrations_create"].sync(
        client=public,
        body=models.RegistrationInputRequest(
            name="生成客户端测试机械有限公司",
            name_en="Generated Client Machinery",
            credit_code=_credit_code(),
            city="130600",
            industry="C34",
            employees=120,
            revenue_band=models.RevenueBandEnum("3m-20m"),
            contact_phone="+8613800138000",
            owner_name="Gen Client",
            owner_email=email,
            password=PASSWORD,
            accept_terms=True,
        ),
    )
    assert str(registered.status) == "pending" or str(registered.status) == "ready"
    ready = _wait(
        "the workspace",
        lambda: (
            answer
            if str((answer := api["registrations_retrieve"].sync(registered.id, client=public)).status)
            == "ready"
            else None
        ),
    )
    assert ready.workspace_url and ready.domain

    # Sign in, and work on the enterprise's own host.
    token = api["auth_token_create"].sync(
        client=public, body=models.TokenInputRequest(email=email, password=PASSWORD)
    )
    workspace = client_module.AuthenticatedClient(
        base_url=base_url,
        token=token.token,
        headers={"Host": f"{ready.domain}:{port}"},
        raise_on_unexpected_status=True,
    )
    frameworks = api["frameworks_list"].sync(client=workspace)
    assert frameworks
    framework = frameworks[0]
    definition = api["frameworks_retrieve"].sync(framework.id, client=workspace).definition
    assessment = api["assessments_create"].sync(
        client=workspace, body=models.AssessmentCreateRequest(framework=framework.id)
    )
    assert assessment.submitted_at is None and assessment.scored_at is None

    answers = full_answers(definition)
    for key, value in answers.items():
        api["assessments_answers_update"].sync(
            assessment.id,
            key,
            client=workspace,
            body=models.AssessmentsAnswersUpdateBody.from_dict(value),
        )
    needs_evidence = [
        key
        for key, question in scoring.index(definition).questions.items()
        if (question.get("evidence") or {}).get("required_from_score") is not None
    ]
    for key in needs_evidence:
        api["assessments_evidence_create"].sync(
            assessment.id,
            client=workspace,
            body=models.EvidenceUploadRequest(
                question=key,
                file=types.File(
                    payload=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
                    file_name=f"{key}.pdf",
                    mime_type="application/pdf",
                ),
            ),
        )
    signed = api["assessments_pledge_create"].sync(assessment.id, client=workspace)
    assert signed.pledge_signed_at is not None
    submitted = api["assessments_submit_create"].sync(assessment.id, client=workspace)
    assert submitted.submitted_at is not None

    # The worker scores it; the result is read through the generated client too.
    scored = _wait(
        "the score",
        lambda: (
            current
            if (
                current := api["assessments_retrieve"].sync(assessment.id, client=workspace).assessment
            ).scored_at
            else None
        ),
    )
    result = api["assessments_result_retrieve"].sync(assessment.id, client=workspace).to_dict()
    assert result["status"] == str(scored.status)
    assert result["total"] > 0 and 1 <= result["level"] <= 5

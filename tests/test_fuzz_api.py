"""Schemathesis fuzzes every operation of the OpenAPI document against a real gunicorn: on the public
site as an anonymous visitor, a regional admin, an assessor, a bank and a buyer; on an enterprise's
host as its owner (the owner's logouts last, on a token of their own). The run fails on any 5xx, on
any response that does not match its documented schema, and on a documented response of another
content type.

The platform is loaded with the demo data first (enterprises with assessments in every state,
review cases, loan products, exhibitions, booths, leads), so that lists are not empty and ids are
real. This writes committed rows that other tests would see, so the module is run last
(tests/conftest.py). FUZZ_SEED=<n> replays or varies a run; FUZZ_EXAMPLES=<n> sets the cases per
operation and phase (10 by default: about three minutes on two cores).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from portal.runner import free_port
from tests.conftest import _stop, _subprocess_env, start_web

pytestmark = pytest.mark.fuzz

SEED = os.environ.get("FUZZ_SEED", "20261202")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "10")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# Revoking the caller's own credentials mid-run would turn the rest of it into 401s: the logouts are
# fuzzed last, on a token of their own.
LOGOUTS = re.compile(r"^/api/v1/auth/logout")


def _public(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(re.sub(r"\{[^}]+\}", "1", path), urlconf="portal.urls_public")
    except Resolver404:
        return False
    return True


def _split(schema: dict) -> dict[str, dict]:
    """The document as the public site's operations and an enterprise host's (the frameworks
    operations are served on both)."""
    paths = {p: v for p, v in schema["paths"].items() if not LOGOUTS.match(p)}
    return {
        "logouts": {**schema, "paths": {p: v for p, v in schema["paths"].items() if LOGOUTS.match(p)}},
        "public": {**schema, "paths": {p: v for p, v in paths.items() if _public(p)}},
        "workspace": {
            **schema,
            "paths": {
                p: v for p, v in paths.items() if not _public(p) or p.startswith("/api/v1/frameworks/")
            },
        },
    }


def _request(url: str, host: str, *, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=data, headers={"Host": host, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def _token(base: str, email: str) -> str:
    from tenants.demo import DEMO_PASSWORD

    answer = _request(
        f"{base}/api/v1/auth/token/", settings.PORTAL_DOMAIN, body={"email": email, "password": DEMO_PASSWORD}
    )
    return answer["token"]


@pytest.fixture
def demo_platform(committed, celery_worker):
    """The demo data, committed, with the worker having scored and published what it submits."""
    from manufacturing.models import Assessment
    from portal import demo
    from tenants.models import Enterprise

    demo.demo_data_ensure()
    deadline = time.monotonic() + 120
    for enterprise in Enterprise.objects.filter(is_demo=True):
        with enterprise_schema(enterprise):
            while Assessment.objects.filter(status=Assessment.Status.SUBMITTED).exists():
                assert time.monotonic() < deadline, "the worker did not score the demo assessments"
                time.sleep(0.2)
    return Enterprise.objects.filter(is_demo=True).order_by("slug").first()


def enterprise_schema(enterprise):
    from django_tenants.utils import tenant_context

    return tenant_context(enterprise)


@pytest.fixture
def fuzz_server(demo_platform, tmp_path):
    """A gunicorn of its own. The fuzzer sends thousands of requests from one address, and a 429
    would hide what the limited operations do with its input: the per-address rates are raised
    (as for every server the tests start) and so is the sign-in lockout."""
    port = free_port()
    env = _subprocess_env(PORTAL_DOMAIN=settings.PORTAL_DOMAIN, AXES_FAILURE_LIMIT="1000000")
    log = tmp_path / "web.log"
    process = start_web(env, log, port)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            schema = _request(f"{base}/api/schema/?format=json", settings.PORTAL_DOMAIN)
            break
        except (OSError, urllib.error.HTTPError):
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
    yield base, schema, log
    _stop(process)


def _fuzz(base: str, schema: dict, host: str, token: str | None, workdir) -> tuple[int, str]:
    schema_file = workdir / f"{host}-{bool(token)}.json"
    schema_file.write_text(json.dumps(schema))
    headers = ["-H", f"Host: {host}"]
    if token:
        headers += ["-H", f"Authorization: Bearer {token}"]
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(schema_file),
        "--url",
        base,
        *headers,
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--phases",
        "examples,coverage,fuzzing",
        # One worker: with two threads Schemathesis crashed once with "SystemError: AST constructor
        # recursion depth mismatch", a CPython 3.11 bug in the AST's thread-shared depth counter
        # (python/cpython#106905), which would fail the run for nothing the platform did.
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--output-truncate",
        "true",
    ]
    # Schemathesis and Hypothesis keep their state in the working directory: a temporary one.
    result = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"}
    )
    return result.returncode, result.stdout + result.stderr


def _summary(output: str) -> str:
    tested = re.search(r"Tested: (\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    return f"{tested.group(1) if tested else '?'} operations, {cases.group(1) if cases else '?'} cases"


@pytest.mark.timeout(1800)
def test_every_operation_survives_the_fuzzer_and_matches_its_schema(fuzz_server, demo_platform, tmp_path):
    base, schema, log = fuzz_server
    documents = _split(schema)
    owner = demo_platform.owner.email
    workspace_host = f"{demo_platform.slug}.{settings.PORTAL_DOMAIN}"
    runs = [
        ("anonymous, public site", documents["public"], settings.PORTAL_DOMAIN, None),
        (
            "regional admin, public site",
            documents["public"],
            settings.PORTAL_DOMAIN,
            _token(base, "region-admin@example.com"),
        ),
        # The public site's other callers: what they are let in to answer must match the document too.
        (
            "assessor, public site",
            documents["public"],
            settings.PORTAL_DOMAIN,
            _token(base, "assessor@example.com"),
        ),
        ("bank, public site", documents["public"], settings.PORTAL_DOMAIN, _token(base, "bank@example.com")),
        (
            "buyer, public site",
            documents["public"],
            settings.PORTAL_DOMAIN,
            _token(base, "buyer@example.com"),
        ),
        ("owner, enterprise host", documents["workspace"], workspace_host, _token(base, owner)),
        ("owner, the logouts", documents["logouts"], settings.PORTAL_DOMAIN, _token(base, owner)),
    ]
    assert len(documents["public"]["paths"]) > 30 and len(documents["workspace"]["paths"]) > 30
    assert len(documents["logouts"]["paths"]) == 2
    failed = []
    for name, document, host, token in runs:
        code, output = _fuzz(base, document, host, token, tmp_path)
        print(f"schemathesis, {name}: {_summary(output)}, exit {code}")
        if code != 0 or "Tested: 0" in output:
            failed.append(f"===== {name} (exit {code}) =====\n{output[-20000:]}")
    server_errors = [line for line in log.read_text().splitlines() if "Internal Server Error" in line]
    assert not failed, "\n".join(failed)
    assert not server_errors, server_errors[:20]

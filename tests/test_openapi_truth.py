"""The OpenAPI document agrees with what the API does, in the ways a generated client depends on.
The fuzzer (tests/test_fuzz_api.py) checks every response against it; these check the document."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(urlconf="portal.urls_schema").get_schema(request=None, public=True)


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_no_request_body_asks_for_a_read_only_field(document):
    offenders = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                schema = _resolve(document, content.get("schema", {}))
                read_only = {k for k, v in schema.get("properties", {}).items() if v.get("readOnly")}
                if read_only:
                    offenders.append((method, path, media_type, sorted(read_only)))
    assert offenders == []


def test_json_operations_document_json_only(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                assert list(content) == ["application/json"], (method, path)


def test_every_list_answered_in_pages_is_documented_as_pages(document, alpha):
    """A GET without path parameters whose live answer is a page ({count, next, previous, results})
    must be documented as one; and one documented as a page must answer one."""
    from django.urls import Resolver404, resolve

    admin_client = _regional_admin_client()
    checked = 0
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        try:
            resolve(path, urlconf="portal.urls_public")
            client = admin_client
        except Resolver404:
            client = alpha.client()
        response = client.get(path)
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        schema = _resolve(document, operation["responses"]["200"]["content"]["application/json"]["schema"])
        body = response.json()
        answered_page = isinstance(body, dict) and {"count", "next", "previous", "results"} <= set(body)
        documented_page = schema.get("type") == "object" and "results" in schema.get("properties", {})
        assert answered_page == documented_page, path
        checked += 1
    assert checked > 15


def _regional_admin_client():
    from tenants.models import User

    admin = User.objects.create_user(email="truth-admin@example.com", password="x-Long-enough-1")
    admin.platform_role = "regional_admin"
    admin.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    return client


def test_the_frameworks_list_is_public_on_the_public_site_and_says_so(document, alpha):
    security = document["paths"]["/api/v1/frameworks/"]["get"]["security"]
    assert {} in security  # authentication optional
    assert Client(HTTP_HOST="localhost").get("/api/v1/frameworks/").status_code == 200
    # On an enterprise's host, members only (the operation is documented once, for the public site).
    assert Client(HTTP_HOST=alpha.host).get("/api/v1/frameworks/").status_code in (401, 404)


def test_anonymous_operations_have_no_security_requirement(document):
    for path in ("/api/v1/registrations/", "/api/v1/auth/token/"):
        assert "security" not in document["paths"][path]["post"], path
        assert (
            Client(HTTP_HOST="localhost").post(path, {}, content_type="application/json").status_code == 400
        )

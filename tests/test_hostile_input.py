"""Input no field can hold is a 400, never a 500, whichever endpoint it is sent to: JSON nested
deeper than the parser can follow, and text with a NUL character or a lone surrogate. Both are
refused once, at the parser (API) and in one middleware (query strings and page forms)."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000


def _operations():
    """(path, method, on an enterprise host?) of every documented operation that takes a request body."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="portal.urls_schema").get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"post", "put", "patch"}:
                yield path, method, _on_enterprise_host(path)


def _on_enterprise_host(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(_concrete(path), urlconf="portal.urls_public")
    except Resolver404:
        return True
    return False


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _clients(alpha):
    from tenants.models import User

    admin = User.objects.create_user(email="hostile-admin@example.com", password="x-Long-enough-1")
    admin.platform_role = "regional_admin"
    admin.save()
    public_admin = Client(HTTP_HOST="localhost")
    public_admin.force_login(admin)
    return {"anonymous": Client(HTTP_HOST="localhost"), "admin": public_admin, "owner": alpha.client()}


def _send(client, method, path, body):
    return getattr(client, method)(path, body, content_type="application/json")


def test_deeply_nested_json_is_a_400_on_every_json_operation(alpha):
    clients = _clients(alpha)
    operations = list(_operations())
    assert len(operations) > 20
    reached_parser = set()
    for path, method, on_enterprise_host in operations:
        who = ["owner"] if on_enterprise_host else ["anonymous", "admin"]
        for name in who:
            response = _send(clients[name], method, _concrete(path), NESTED)
            assert response.status_code < 500, (name, method, path, response.content[:300])
            if response.status_code == 400:
                body = response.json()
                assert body["messages"]["en"] == "The JSON document is nested too deeply.", (path, body)
                assert body["messages"]["zh"] and body["detail"]
                reached_parser.add((method, path))
    # The ones the issue named, anonymous and not (no id in the path, so nothing answers before the
    # body is read).
    for named in [
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/registrations/"),
        ("post", "/api/v1/exhibition/products/"),
        ("post", "/api/v1/members/invitations/"),
        ("post", "/api/v1/assessments/"),
    ]:
        assert named in reached_parser, named


@pytest.mark.parametrize("text", ["a\u0000b", "a\ud800b"], ids=["nul", "surrogate"])
def test_unstorable_text_in_json_is_a_400_naming_the_field(alpha, text):
    public = Client(HTTP_HOST="localhost")
    body = json.dumps({"name": "正常的名字", "owner_name": text, "tags": ["ok", {"deep": text}]})
    response = public.post("/api/v1/registrations/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"owner_name", "tags.1.deep", "detail", "messages"}
    assert "cannot be stored" in str(response.json()) or "无法保存" in str(response.json())

    response = alpha.client().post(
        "/api/v1/exhibition/products/",
        json.dumps({"name": text, "name_en": "Pump"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "detail", "messages"}


def test_nul_in_a_query_string_is_a_400_naming_the_parameter(alpha):
    response = Client(HTTP_HOST="localhost").get("/hall/", {"q": "pump\x00"})
    assert response.status_code == 400
    assert b"<code>q</code>" in response.content
    response = alpha.client().get("/api/v1/exhibition/leads/", {"status": "\x00"})
    assert response.status_code == 400
    assert list(response.json()) >= ["status"]


def test_nul_in_a_page_form_is_a_400_naming_the_field():
    client = Client(HTTP_HOST="localhost")
    response = client.post("/register/", {"name": "某\x00公司", "credit_code": "x"})
    assert response.status_code == 400
    assert b"<code>name</code>" in response.content
    assert "html" in response["Content-Type"]


def test_a_form_encoded_api_body_is_checked_too(alpha):
    response = alpha.client().post("/api/v1/exhibition/products/", {"name": "a\x00", "name_en": "Pump"})
    assert response.status_code == 400
    assert set(response.json()) == {"name", "detail", "messages"}


def test_unstorable_fields_reports_paths_and_survives_deep_data():
    from core.parsers import unstorable_fields

    deep = current = []
    for _ in range(3_000):
        current.append([])
        current = current[0]
    current.append("\x00")
    assert unstorable_fields(deep) == ["0." * 3_000 + "0"]
    assert unstorable_fields({"a": ["fine", "x\ud83dy"], "b\x00": 1, "c": "好"}) == [
        "a.1",
        "non_field_errors",
    ]
    assert unstorable_fields({"emoji": "🏭", "chinese": "京津冀"}) == []


def test_nul_in_a_path_segment_is_a_400_naming_it(alpha):
    """`<str:key>` routes hand the segment to the view, which would look it up in PostgreSQL."""
    from tests.manufacturing.test_assessments import create

    client = alpha.client()
    assessment = create(client)
    response = client.delete(f"/api/v1/assessments/{assessment['id']}/answers/%00/")
    assert response.status_code == 400
    assert "key" in response.json() and response.json()["messages"]["en"]
    page = client.post(f"/assessments/{assessment['id']}/answer/a%00b/", {"option": "x"})
    assert page.status_code == 400 and b"<code>key</code>" in page.content

"""Next steps on the workspace home (from the enterprise's real state, through the providers the
portal registers into tenants.next_steps) and on the public home (per role, and for visitors)."""

import re

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from manufacturing import services as assessment_services
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment
from tenants.members import services as member_services
from tenants.models import User

pytestmark = pytest.mark.django_db


def steps_of(response) -> list[str]:
    return re.findall(r'data-step="([^"]+)"', response.content.decode())


def _assessment(world, status=None):
    with tenant_context(world.enterprise):
        framework = Framework.objects.get(is_default=True)
        assessment = assessment_services.assessment_create(framework=framework, user=world.owner)
        if status:
            # The check constraints want a result once scored, a verified one once verified.
            Assessment.objects.filter(pk=assessment.pk).update(
                status=status, result={"total": 70}, verified_result={"total": 71.3}
            )
    return assessment


def _verified(world):
    from manufacturing.review.models import AssessmentFact
    from tenants.models import Industry, Region

    AssessmentFact.objects.create(
        tenant=world.enterprise, assessment_id=1, enterprise_name="x", city=Region.objects.get(code="110000"),
        province_code="110000", industry=Industry.objects.get(code="C34"), industry_section="C",
        framework=Framework.objects.get(is_default=True), total=71.3, level=3, dimension_scores=[],
        self_total=72, self_level=3, approved_at="2026-11-01T00:00:00Z", is_latest=True,
    )  # fmt: skip


def test_a_new_workspace_offers_the_assessment_and_inviting_colleagues(alpha):
    page = alpha.client().get("/")
    assert steps_of(page) == ["assessment-start", "invite"]
    html = page.content.decode()
    assert re.search(r'<form method="post" action="/assessments/"', html)  # starts it in one click
    assert 'href="/members/"' in html


def test_the_start_button_starts_an_assessment(alpha):
    response = alpha.client().post("/assessments/")
    assert response.status_code == 302 and "/step/1/" in response["Location"]


def test_a_draft_is_continued(alpha):
    assessment = _assessment(alpha)
    page = alpha.client().get("/")
    assert steps_of(page)[0] == "assessment-continue"
    assert f'href="/assessments/{assessment.pk}/step/1/"' in page.content.decode()


def test_a_returned_assessment_is_revised(alpha):
    _assessment(alpha, status="returned")
    assert steps_of(alpha.client().get("/"))[0] == "assessment-returned"


@pytest.mark.parametrize("status", ["submitted", "scored", "verifying"])
def test_a_submitted_assessment_awaits_verification(alpha, status):
    assessment = _assessment(alpha, status=status)
    page = alpha.client().get("/")
    assert steps_of(page)[0] == "assessment-waiting"
    assert f'href="/assessments/{assessment.pk}/result/"' in page.content.decode()


def test_verified_offers_matching_loans_and_a_booth(alpha):
    _assessment(alpha, status="verified")
    _verified(alpha)
    page = alpha.client(logged_in=True).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert steps_of(page)[:2] == ["finance-match", "exhibition-booth"]
    html = page.content.decode()
    assert 'href="/finance/requests/new/"' in html and 'href="/exhibition/booths/"' in html
    assert "Verified level L3" in html


def test_with_colleagues_no_invitation_and_a_viewer_gets_no_editing_steps(alpha, beta):
    member_services.member_add(
        enterprise=alpha.enterprise, user=beta.owner, role="viewer", invited_by=alpha.owner
    )
    assert "invite" not in steps_of(alpha.client().get("/"))
    viewer = Client(HTTP_HOST=alpha.host)
    viewer.force_login(beta.owner)
    assert steps_of(viewer.get("/")) == []


def test_next_steps_of_a_are_not_shown_to_b(alpha, beta):
    _assessment(alpha)
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    assert stranger.get("/").status_code == 404


def test_a_failing_provider_does_not_break_the_home(alpha, monkeypatch):
    from tenants import next_steps

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(next_steps, "_providers", [(1, broken), *next_steps._providers])
    page = alpha.client().get("/")
    assert page.status_code == 200 and "assessment-start" in steps_of(page)


# --- the public home ----------------------------------------------------------------------------------


def public_home(user=None):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client.get("/")


def test_a_visitor_is_offered_registration_buyer_sign_up_and_the_hall():
    page = public_home()
    assert steps_of(page) == ["visitor-buyer", "visitor-hall"]
    assert 'href="/register/"' in page.content.decode()  # the hero's button
    assert 'href="/hall/signup/"' in page.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("assessor", ["assessor-assignments"]),
        ("regional_admin", ["admin-cases", "admin-reports"]),
        ("institution", ["bank-inbox", "bank-products"]),
    ],
)
def test_platform_roles_get_their_work(role, expected):
    user = User.objects.create_user(
        email=f"{role}@example.com", password="x-long-password-1", platform_role=role
    )
    assert steps_of(public_home(user)) == expected


def test_an_enterprise_member_is_offered_the_workspace_signed_in(alpha):
    page = public_home(alpha.owner)
    assert steps_of(page) == ["member-workspace"]
    assert "/auth/go/?next=http%3A%2F%2Falpha.localhost%3A8000%2F" in page.content.decode()


def test_a_buyer_is_offered_the_hall_inquiries_and_meetings():
    buyer = User.objects.create_user(email="a-buyer@example.com", password="x-long-password-1")
    page = public_home(buyer)
    assert steps_of(page) == ["buyer-hall", "buyer-inquiries", "buyer-meetings"]
    assert "0 inquiries sent." in page.content.decode()


def _viewer(alpha, beta) -> Client:
    member_services.member_add(
        enterprise=alpha.enterprise, user=beta.owner, role="viewer", invited_by=alpha.owner
    )
    viewer = Client(HTTP_HOST=alpha.host)
    viewer.force_login(beta.owner)
    return viewer


@pytest.mark.parametrize("status", [None, "returned"])
def test_a_viewer_is_not_asked_to_continue_or_revise_the_assessment(alpha, beta, status):
    _assessment(alpha, status=status)
    assert steps_of(_viewer(alpha, beta).get("/")) == []
    assert steps_of(alpha.client().get("/"))[0] in {"assessment-continue", "assessment-returned"}


def test_a_viewer_of_a_verified_enterprise_is_not_offered_a_booth(alpha, beta):
    _assessment(alpha, status="verified")
    _verified(alpha)
    page = _viewer(alpha, beta).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "exhibition-booth" not in steps_of(page)
    assert 'href="/finance/requests/new/"' not in page.content.decode()

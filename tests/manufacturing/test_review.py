"""Assessor verification: assignment, the fence around the assessor, overrides, return, approval,
publishing, percentile, audit. In-process (the test transaction); the worker path is in
test_review_worker.py."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from core.api import ApplicationError, ConflictError
from core.models import AuditEvent, Notice
from manufacturing import services as assessment_services
from manufacturing.answers import answers_of
from manufacturing.models import Assessment, AuditDetail, Evidence, Override
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import AssessmentFact, Assignment, ReviewCase
from tenants.models import Region, User
from tenants.services import user_create
from tests.manufacturing.test_assessments import bilingual, submitted

pytestmark = pytest.mark.django_db

PUBLIC = "localhost"


def person(email: str, role: str, scope: str | None = None) -> User:
    return user_create(
        email=email,
        password="x-Strong-pass-1",
        name=email.split("@")[0],
        platform_role=role,
        scope_region=Region.objects.get(code=scope) if scope else None,
    )


@pytest.fixture
def people():
    return {
        "assessor": person("rev-assessor@example.com", "assessor"),
        "other_assessor": person("rev-other@example.com", "assessor"),
        "admin": person("rev-admin@example.com", "regional_admin"),
        "hebei_admin": person("rev-hebei@example.com", "regional_admin", "130000"),
        "beijing_admin": person("rev-beijing@example.com", "regional_admin", "110000"),
    }


def scored(world) -> Assessment:
    assessment = submitted(world)
    with tenant_context(world.enterprise):
        return assessment_services.assessment_score(enterprise=world.enterprise, assessment_id=assessment.pk)


def case_of(world, assessment) -> ReviewCase:
    return ReviewCase.objects.get(tenant=world.enterprise, assessment_id=assessment.pk)


def assigned(world, people) -> tuple[Assessment, Assignment]:
    assessment = scored(world)
    assignment = assignments.assign(
        admin=people["admin"], case_id=case_of(world, assessment).pk, assessor_id=people["assessor"].pk
    )
    return assessment, assignment


def private_values(world, event: AuditEvent) -> AuditDetail:
    """The private half of a review audit row, kept in the enterprise's schema (public holds none)."""
    assert (event.old, event.new, event.reason) == (None, None, "")
    with tenant_context(world.enterprise):
        return AuditDetail.objects.get(event_id=event.pk)


def logged_in(user, language: str | None = None) -> Client:
    """A client on the public site signed in as `user` (None: anonymous), in `language` if given."""
    client = Client(HTTP_HOST=PUBLIC, **({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    if user is not None:
        client.force_login(user)
    return client


def state(world, assessment) -> dict:
    """Everything the review can change, to check that a refused request changed nothing."""
    with tenant_context(world.enterprise):
        a = Assessment.objects.get(pk=assessment.pk)
        overrides = dict(Override.objects.filter(assessment=a).values_list("key", "value"))
    return {
        "status": a.status,
        "overrides": overrides,
        "assignments": list(Assignment.objects.values_list("pk", "status").order_by("pk")),
        "audit": AuditEvent.objects.count(),
    }


# --- the public index and assignment --------------------------------------------------------------------


def test_a_scored_assessment_is_indexed_in_public_with_its_audit_trail(alpha):
    assessment = scored(alpha)
    case = case_of(alpha, assessment)
    assert (case.city_id, case.province_code, case.industry_id) == ("110000", "110000", "C34")
    assert case.self_total == pytest.approx(100) and case.self_level == 4 and case.status == "scored"
    actions = list(
        AuditEvent.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["scored", "submitted"]


def test_the_admin_assigns_and_the_assessor_is_notified_by_email_and_in_the_app(alpha, people):
    mail.outbox.clear()
    assessment, assignment = assigned(alpha, people)
    assert assignment.status == "open" and assignment.assessor == people["assessor"]
    notice = Notice.objects.get(user=people["assessor"])
    assert alpha.enterprise.name in notice.text_zh and alpha.enterprise.name in notice.text_en
    assert AuditEvent.objects.filter(
        action="assigned", assessment_id=assessment.pk, actor=people["admin"]
    ).exists()
    page = logged_in(people["assessor"]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="unread">1<' in page


def test_assign_on_commit_sends_the_email(alpha, people, django_capture_on_commit_callbacks):
    case = case_of(alpha, scored(alpha))  # outside the capture: its scoring message is never sent
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [people["assessor"].email]
    assert alpha.enterprise.name in mail.outbox[0].body
    assert "http://localhost:8000/review/assignments/" in mail.outbox[0].body  # absolute: usable in a mail


def test_a_second_assignment_is_409_and_a_non_assessor_is_refused(alpha, people):
    assessment, _assignment = assigned(alpha, people)
    case = case_of(alpha, assessment)
    with pytest.raises(ConflictError):
        assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["other_assessor"].pk)
    client = logged_in(people["admin"])
    response = client.post(f"/review/cases/{case.pk}/assign/", {"assessor": people["admin"].pk}, follow=True)
    assert "Choose an assessor" in response.content.decode() or "请从列表中选择" in response.content.decode()
    assert Assignment.objects.filter(case=case).count() == 1


def test_admins_see_and_assign_only_in_their_scope(alpha, beta, people):
    alpha_case = case_of(alpha, scored(alpha))
    beta_case = case_of(beta, scored(beta))
    listing = (
        logged_in(people["beijing_admin"])
        .get("/review/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert alpha.enterprise.name in listing and beta.enterprise.name not in listing
    hebei = logged_in(people["hebei_admin"])
    assert alpha.enterprise.name not in hebei.get("/review/cases/").content.decode()
    for case in (alpha_case, beta_case):
        response = hebei.post(f"/review/cases/{case.pk}/assign/", {"assessor": people["assessor"].pk})
        assert response.status_code == 404
    assert not Assignment.objects.exists()
    whole = logged_in(people["admin"]).get("/review/cases/").content.decode()
    assert alpha.enterprise.name in whole and beta.enterprise.name in whole


@pytest.mark.parametrize("who", ["assessor", "owner", "anonymous_user"])
def test_nobody_but_regional_admins_sees_cases_or_audit(alpha, people, who):
    case = case_of(alpha, scored(alpha))
    client = Client(HTTP_HOST=PUBLIC)
    if who == "assessor":
        client.force_login(people["assessor"])
    elif who == "owner":
        client.force_login(alpha.owner)
    expected = 302 if who == "anonymous_user" else 404
    assert client.get("/review/cases/").status_code == expected
    assert client.get("/review/audit/").status_code == expected
    response = client.post(f"/review/cases/{case.pk}/assign/", {"assessor": people["assessor"].pk})
    assert response.status_code == expected
    assert not Assignment.objects.exists()


# --- the fence around the assessor ----------------------------------------------------------------------


def _routes(assignment_id: int, evidence_id: int) -> list[tuple[str, str, dict]]:
    base = f"/review/assignments/{assignment_id}"
    return [
        ("get", f"{base}/", {}),
        ("get", f"{base}/evidence/{evidence_id}/", {}),
        ("post", f"{base}/answers/network/override/", {"options": ["none"], "reason": "r"}),
        ("post", f"{base}/comments/", {"text": "t"}),
        ("post", f"{base}/return/", {"reason": "r"}),
        ("post", f"{base}/approve/", {}),
    ]


@pytest.mark.parametrize("who", ["other_assessor", "admin", "owner", "member_of_beta"])
def test_an_assignment_is_404_for_anyone_but_its_assessor(alpha, beta, people, who):
    assessment, assignment = assigned(alpha, people)
    with tenant_context(alpha.enterprise):
        evidence = Evidence.objects.filter(assessment_id=assessment.pk).first()
    user = {"owner": alpha.owner, "member_of_beta": beta.owner}.get(who) or people[who]
    before = state(alpha, assessment)
    client = logged_in(user)
    for method, url, data in _routes(assignment.pk, evidence.pk):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert state(alpha, assessment) == before


def _closed(alpha, people, closed: str) -> tuple[Assessment, Assignment, Evidence]:
    assessment, assignment = assigned(alpha, people)
    with tenant_context(alpha.enterprise):
        evidence = Evidence.objects.filter(assessment_id=assessment.pk).first()
    if closed == "approved":
        workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    else:
        assignments.assignment_cancel(
            admin=people["admin"], assignment_id=assignment.pk, reason="reassigning to a colleague"
        )
    return assessment, assignment, evidence


@pytest.mark.parametrize("closed", ["approved", "cancelled"])
def test_a_closed_assignment_opens_read_only_for_its_assessor_and_changes_nothing(alpha, people, closed):
    assessment, assignment, evidence = _closed(alpha, people, closed)
    client = logged_in(people["assessor"], "en")
    before = state(alpha, assessment)
    page = client.get(f"/review/assignments/{assignment.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    banner = html.split('id="closed-banner"', 1)[1].split("</div>", 1)[0]
    when = timezone.localtime(Assignment.objects.get(pk=assignment.pk).closed_at).strftime("%Y-%m-%d %H:%M")
    assert when in banner
    assert ("approved on" in banner) if closed == "approved" else ("cancelled on" in banner)
    # read-only: no form of the assessor's (overrides, comments, return, approval) on the page
    for action in ("/override/", "/comments/", "/return/", "/approve/"):
        assert action not in html, action
    if closed == "approved":
        assert 'id="history"' in html and 'id="q-network"' in html  # their own work, in full
    else:
        assert "reassigning to a colleague" in banner  # why, and nothing of the enterprise's answers
        assert 'id="q-network"' not in html and 'id="history"' not in html
    # every change and the evidence stay closed to them
    for method, url, data in _routes(assignment.pk, evidence.pk)[1:]:
        assert getattr(client, method)(url, data).status_code == 404, url
    assert state(alpha, assessment) == before
    listing = client.get("/review/assignments/?show=all").content.decode()
    assert f'href="/review/assignments/{assignment.pk}/"' in listing


@pytest.mark.parametrize("closed", ["approved", "cancelled"])
@pytest.mark.parametrize("who", ["other_assessor", "admin", "owner", "member_of_beta"])
def test_a_closed_assignment_is_404_for_anyone_but_its_assessor(alpha, beta, people, closed, who):
    _assessment, assignment, evidence = _closed(alpha, people, closed)
    user = {"owner": alpha.owner, "member_of_beta": beta.owner}.get(who) or people[who]
    client = logged_in(user)
    for method, url, data in _routes(assignment.pk, evidence.pk):
        assert getattr(client, method)(url, data).status_code == 404, url


def test_the_assessor_reaches_only_the_assigned_assessment_and_its_own_evidence(alpha, beta, people):
    assessment, assignment = assigned(alpha, people)
    other = submitted(alpha)  # another assessment of the same enterprise
    with tenant_context(alpha.enterprise):
        foreign_evidence = Evidence.objects.filter(assessment_id=other.pk).first()
        own_evidence = Evidence.objects.filter(assessment_id=assessment.pk).first()
    client = logged_in(people["assessor"])
    page = client.get(f"/review/assignments/{assignment.pk}/")
    assert page.status_code == 200 and alpha.enterprise.name in page.content.decode()
    download = client.get(f"/review/assignments/{assignment.pk}/evidence/{own_evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        client.get(f"/review/assignments/{assignment.pk}/evidence/{foreign_evidence.pk}/").status_code == 404
    )
    assert client.get(f"/review/assignments/{assignment.pk + 1000}/").status_code == 404
    assert client.get("/review/assignments/not-a-number/").status_code == 404
    # the enterprise's host knows no review pages, and the assessor is no member there
    on_tenant = Client(HTTP_HOST=alpha.host)
    on_tenant.force_login(people["assessor"])
    assert on_tenant.get(f"/review/assignments/{assignment.pk}/").status_code == 404
    assert on_tenant.get(f"/assessments/{assessment.pk}/result/").status_code == 404
    listing = client.get("/review/assignments/").content.decode()
    assert alpha.enterprise.name in listing and beta.enterprise.name not in listing


# --- overrides, comments, return -------------------------------------------------------------------------


def test_an_override_needs_a_reason_and_a_valid_value_and_is_audited(alpha, people):
    assessment, assignment = assigned(alpha, people)
    assessor = people["assessor"]
    before = state(alpha, assessment)
    for reason in ("", "   ", None):
        with pytest.raises(ApplicationError) as excinfo:
            workbench.override_set(
                assessor=assessor,
                assignment_id=assignment.pk,
                key="network",
                value={"options": ["none"]},
                reason=reason,
            )
        assert excinfo.value.extra["field"] == "reason"
    for key, value in (("network", {"options": ["nope"]}), ("no-such", {"option": "a"}), ("network", "text")):
        with pytest.raises(ApplicationError):
            workbench.override_set(
                assessor=assessor, assignment_id=assignment.pk, key=key, value=value, reason="r"
            )
    assert state(alpha, assessment) == before

    workbench.override_set(
        assessor=assessor,
        assignment_id=assignment.pk,
        key="network",
        value={"options": ["none"]},
        reason="No network diagram was provided.",
    )
    event = AuditEvent.objects.get(action="overridden", assessment_id=assessment.pk)
    assert event.actor == assessor and event.subject == "network"
    values = private_values(alpha, event)
    assert values.reason.startswith("No network")
    assert (
        values.new == {"options": ["none"]} and values.old["options"] and "none" not in values.old["options"]
    )
    page = (
        logged_in(assessor)
        .get(f"/review/assignments/{assignment.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert 'id="live-total">92.0<' in page  # 8 points of the network question are gone
    with tenant_context(alpha.enterprise):  # the enterprise's own answer is kept beside it
        assert answers_of(assessment)["network"] != {"options": ["none"]}


def test_override_through_the_page_with_no_reason_says_so_in_both_languages(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"])
    url = f"/review/assignments/{assignment.pk}/answers/network/override/"
    for language, text in (("en", "Give a reason"), ("zh-hans", "请填写理由")):
        page = client.post(
            url, {"options": ["none"], "reason": ""}, HTTP_ACCEPT_LANGUAGE=language, follow=True
        )
        assert text in page.content.decode()
    assert not AuditEvent.objects.filter(action="overridden").exists()


def test_return_then_resubmit_hands_it_back_to_the_assessor_with_history(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.comment_add(
        assessor=people["assessor"], assignment_id=assignment.pk, text="Check the ERP scope."
    )
    workbench.return_to_enterprise(
        assessor=people["assessor"], assignment_id=assignment.pk, reason="Attach the ERP licence."
    )
    assignment.refresh_from_db()
    assert assignment.status == "returned" and case_of(alpha, assessment).status == "returned"
    owner = alpha.client()
    page = owner.get(f"/assessments/{assessment.pk}/result/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Attach the ERP licence." in page and "Check the ERP scope." in page
    assert "Returned by the assessor" in page
    notice = Notice.objects.get(user=alpha.owner)
    assert notice.url == f"http://{alpha.host}:8000/assessments/{assessment.pk}/result/"
    # returned: the assessor reads but cannot change
    with pytest.raises(ConflictError):
        workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    # the enterprise changes an answer, pledges again, resubmits; the worker's scoring hands it back
    response = owner.put(
        f"/api/v1/assessments/{assessment.pk}/answers/network/",
        {"options": ["office-lan"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert owner.post(f"/api/v1/assessments/{assessment.pk}/pledge/").status_code == 200
    assert owner.post(f"/api/v1/assessments/{assessment.pk}/submit/").status_code == 202
    with tenant_context(alpha.enterprise):
        assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
    assignment.refresh_from_db()
    assert assignment.status == "open"
    actions = list(
        AuditEvent.objects.filter(assessment_id=assessment.pk, tenant=alpha.enterprise)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["submitted", "scored", "assigned", "commented", "returned", "submitted", "scored"]
    history = owner.get(f"/assessments/{assessment.pk}/result/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Returned to the enterprise" in history


# --- approval and publishing -----------------------------------------------------------------------------


def test_approval_publishes_one_fact_with_self_and_verified_scores_idempotently(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.override_set(
        assessor=people["assessor"],
        assignment_id=assignment.pk,
        key="network",
        value={"options": ["none"]},
        reason="r",
    )
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    first = publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    second = publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)  # redelivered
    assert first.pk == second.pk and AssessmentFact.objects.filter(tenant=alpha.enterprise).count() == 1
    assert AuditEvent.objects.filter(action="published", assessment_id=assessment.pk).count() == 1
    assert (second.total, second.self_total, second.city_id, second.industry_id) == (92, 100, "110000", "C34")
    assert second.assessor == people["assessor"] and second.size == "3m-20m"
    assert (
        second.cohort["size"] == 1 and second.cohort["scope"] == "section-region" and second.percentile == 50
    )
    with tenant_context(alpha.enterprise):
        verified = Assessment.objects.get(pk=assessment.pk)
    assert verified.status == "verified" and verified.result["total"] == 100
    assert verified.verified_result["total"] == 92 and verified.verified_result["peer"]["percentile"] == 50
    owner = alpha.client()
    page = owner.get(f"/assessments/{assessment.pk}/result/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="self-vs-verified"' in page and 'id="percentile"' in page and "92.0" in page
    # the enterprise cannot touch its verified result
    response = owner.put(
        f"/api/v1/assessments/{assessment.pk}/answers/network/",
        {"options": ["office-lan"]},
        content_type="application/json",
    )
    bilingual(response, 409)


def test_the_pdf_report_is_for_the_verified_assessment_and_its_members_only(alpha, beta, people):
    assessment, assignment = assigned(alpha, people)
    url = f"/assessments/{assessment.pk}/report.pdf"
    assert alpha.client().get(url).status_code == 404  # not verified yet
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    for language in ("zh", "en"):
        response = alpha.client().get(f"{url}?lang={language}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert alpha.client().get(f"{url}?lang=fr").status_code == 404
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    assert stranger.get(url).status_code == 404
    assert beta.client().get(url).status_code == 404  # beta's host: no such assessment there


def test_the_cohort_widens_until_20_enterprises_match(alpha, people, make_enterprise):
    from tenants.models import Enterprise, Industry

    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    framework_id = case_of(alpha, assessment).framework_id
    beijing = Region.objects.get(code="110000")
    c34, c35 = Industry.objects.get(code="C34"), Industry.objects.get(code="C35")

    def peers(n: int, city, industry, total: float) -> None:
        for i in range(n):
            tenant = Enterprise.objects.create(
                schema_name=f"peer_{city.code}_{industry.code}_{i}_{total:g}".lower(),
                name=f"Peer {i}",
                slug=f"peer-{city.code}-{industry.code}-{i}-{total:g}".lower(),
                credit_code=None,
                status="ready",
                owner=alpha.owner,
            )
            AssessmentFact.objects.create(
                tenant=tenant, assessment_id=1, enterprise_name=tenant.name, city=city,
                province_code=city.province_code, industry=industry, industry_section=industry.section,
                framework_id=framework_id, total=total, level=2, dimension_scores=[], self_total=total,
                self_level=2, approved_at="2026-11-01T00:00:00Z",
            )  # fmt: skip

    peers(10, beijing, c34, 40)  # same division, same city
    peers(12, beijing, c35, 95)  # same section (C), same city
    fact = publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    # 11 in division-city (too few); 23 in section-city: 22 peers (10 at 40, 12 at 95) and this one at 100
    assert fact.cohort["scope"] == "section-city" and fact.cohort["size"] == 23
    assert fact.percentile == pytest.approx(round(100 * (22 + 0.5) / 23, 1))
    assert "Beijing" in fact.cohort["label"]["en"] and "北京" in fact.cohort["label"]["zh"]
    peers(9, beijing, c34, 100)  # now 20 in division-city, 9 of them tied with this one
    fact = publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    assert fact.cohort["scope"] == "division-city" and fact.cohort["size"] == 20
    assert fact.percentile == pytest.approx(round(100 * (10 + 10 / 2) / 20, 1))


def test_only_the_newest_approved_assessment_of_an_enterprise_counts(alpha, people):
    first, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=first.pk)
    second, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=second.pk)
    latest = dict(
        AssessmentFact.objects.filter(tenant=alpha.enterprise).values_list("assessment_id", "is_latest")
    )
    assert latest == {first.pk: False, second.pk: True}


def test_the_audit_log_filters_by_action_and_enterprise_within_scope(alpha, beta, people):
    assigned(alpha, people)
    scored(beta)
    client = logged_in(people["admin"])
    page = client.get(
        "/review/audit/", {"action": "assigned"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert alpha.enterprise.name in page and beta.enterprise.name not in page
    # people by their names, never their emails; the filter finds them by either
    assert "rev-admin" in page and "rev-assessor" in page and "@example.com" not in page
    by_email = client.get("/review/audit/", {"actor": "rev-admin@example"}).content.decode()
    assert "已指派给rev-assessor" in by_email
    page = client.get("/review/audit/", {"enterprise": beta.enterprise.name}).content.decode()
    assert beta.enterprise.name in page and alpha.enterprise.name not in page
    beijing = logged_in(people["beijing_admin"]).get("/review/audit/").content.decode()
    assert alpha.enterprise.name in beijing and beta.enterprise.name not in beijing
    assert client.get("/review/audit/", {"since": "not-a-date"}).status_code == 400


def test_percentile_rank_counts_ties_half():
    from manufacturing.review.cohort import percentile_rank

    assert percentile_rank(50, [50]) == 50
    assert percentile_rank(100, [10, 20, 30, 100]) == 87.5
    assert percentile_rank(10, [10, 20, 30, 100]) == 12.5
    assert percentile_rank(20, [10, 20, 20, 30]) == 50
    with pytest.raises(ValueError):
        percentile_rank(1, [])


def test_a_late_scoring_message_changes_nothing_after_return_or_approval(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.return_to_enterprise(assessor=people["assessor"], assignment_id=assignment.pk, reason="Fix it.")
    with tenant_context(alpha.enterprise):
        assert (
            assessment_services.assessment_score(
                enterprise=alpha.enterprise, assessment_id=assessment.pk
            ).status
            == "returned"
        )
    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    with tenant_context(alpha.enterprise):
        late = assessment_services.assessment_score(enterprise=alpha.enterprise, assessment_id=assessment.pk)
    assert late.status == "verified" and late.verified_result["total"] == 100


# --- the same through the API ----------------------------------------------------------------------------


def _api_routes(assignment_id: int) -> list[tuple[str, str, dict]]:
    base = f"/api/v1/review/assignments/{assignment_id}"
    return [
        ("get", f"{base}/", {}),
        ("put", f"{base}/overrides/network/", {"value": {"options": ["none"]}, "reason": "r"}),
        ("delete", f"{base}/overrides/network/", {"reason": "r"}),
        ("post", f"{base}/comments/", {"text": "t"}),
        ("post", f"{base}/return/", {"reason": "r"}),
        ("post", f"{base}/approve/", {}),
    ]


def test_the_assessor_works_through_the_api(alpha, people):
    assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"])
    listing = client.get("/api/v1/review/assignments/").json()
    assert [a["id"] for a in listing] == [assignment.pk]
    assert listing[0]["case"]["enterprise"] == alpha.enterprise.name
    detail = client.get(f"/api/v1/review/assignments/{assignment.pk}/").json()
    assert detail["live"]["total"] == 100 and detail["answers"]["network"]
    assert all(
        f["url"].startswith(f"/review/assignments/{assignment.pk}/")
        for fs in detail["evidence"].values()
        for f in fs
    )
    url = f"/api/v1/review/assignments/{assignment.pk}/overrides/network/"
    body = {"value": {"options": ["none"]}, "reason": ""}
    assert bilingual(client.put(url, body, content_type="application/json"), 400)["field"] == "reason"
    bad = {"value": {"options": ["nope"]}, "reason": "r"}
    bilingual(client.put(url, bad, content_type="application/json"), 400)
    assert client.put(url, "not json", content_type="application/json").status_code == 400
    with tenant_context(alpha.enterprise):
        assert not Override.objects.filter(assessment_id=assessment.pk).exists()
    body["reason"] = "No diagram."
    assert client.put(url, body, content_type="application/json").status_code == 200
    assert client.get(f"/api/v1/review/assignments/{assignment.pk}/").json()["live"]["total"] == 92
    comment = {"text": "Looks fine otherwise.", "key": "network"}
    assert client.post(f"/api/v1/review/assignments/{assignment.pk}/comments/", comment).status_code == 201
    bilingual(client.post(f"/api/v1/review/assignments/{assignment.pk}/comments/", {"text": " "}), 400)
    response = client.post(f"/api/v1/review/assignments/{assignment.pk}/approve/")
    assert response.status_code == 202 and response.json()["status"] == "approved"
    assert client.get(f"/api/v1/review/assignments/{assignment.pk}/").status_code == 404  # closed now


@pytest.mark.parametrize("who", ["other_assessor", "admin", "owner", "anonymous_user"])
def test_the_review_api_is_404_for_anyone_but_the_assessor(alpha, people, who):
    assessment, assignment = assigned(alpha, people)
    client = Client(HTTP_HOST=PUBLIC)
    if who != "anonymous_user":
        client.force_login(alpha.owner if who == "owner" else people[who])
    before = state(alpha, assessment)
    for method, url, data in _api_routes(assignment.pk):
        response = getattr(client, method)(url, data, content_type="application/json")
        assert response.status_code == (401 if who == "anonymous_user" else 404), (url, response.content)
    assert state(alpha, assessment) == before


def test_admins_list_assign_and_read_the_audit_through_the_api(alpha, beta, people):
    alpha_case = case_of(alpha, scored(alpha))
    case_of(beta, scored(beta))
    admin = logged_in(people["beijing_admin"])
    cases = admin.get("/api/v1/review/cases/", {"status": "unassigned"}).json()
    assert [c["id"] for c in cases["results"]] == [alpha_case.pk] and cases["count"] == 1
    assert admin.get("/api/v1/review/cases/", {"status": "nonsense"}).status_code == 400
    assign = f"/api/v1/review/cases/{alpha_case.pk}/assign/"
    bilingual(admin.post(assign, {"assessor": "x"}, content_type="application/json"), 400)
    response = admin.post(assign, {"assessor": people["assessor"].pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["assessor"] == people["assessor"].email
    bilingual(
        admin.post(assign, {"assessor": people["other_assessor"].pk}, content_type="application/json"), 409
    )
    hebei = logged_in(people["hebei_admin"])
    assert (
        hebei.post(assign, {"assessor": people["assessor"].pk}, content_type="application/json").status_code
        == 404
    )
    audit = admin.get("/api/v1/review/audit/", {"action": "assigned"}).json()
    assert [e["actor"] for e in audit["results"]] == [people["beijing_admin"].email]
    assert admin.get("/api/v1/review/audit/", {"since": "yesterday"}).status_code == 400
    assert logged_in(people["assessor"]).get("/api/v1/review/audit/").status_code == 404
    schema = Client(HTTP_HOST=PUBLIC).get("/api/schema/").content.decode()
    assert "/api/v1/review/assignments/{assignment_id}/overrides/{key}/" in schema


# --- from the independent review -------------------------------------------------------------------------


def test_an_assessor_who_belongs_to_the_enterprise_cannot_verify_it(alpha, people):
    from tenants.members import services as member_services

    member_services.member_add(
        enterprise=alpha.enterprise, user=people["assessor"], role="member", invited_by=alpha.owner
    )
    case = case_of(alpha, scored(alpha))
    with pytest.raises(ApplicationError) as excinfo:
        assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assert excinfo.value.extra["field"] == "assessor" and not Assignment.objects.exists()


def test_a_stranger_gets_404_even_with_an_empty_reason(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    client = logged_in(alpha.owner)
    base = f"/api/v1/review/assignments/{assignment.pk}"
    for method, url in (
        ("put", f"{base}/overrides/network/"),
        ("post", f"{base}/return/"),
        ("post", f"{base}/comments/"),
    ):
        response = getattr(client, method)(
            url, {"value": {"options": ["none"]}}, content_type="application/json"
        )
        assert response.status_code == 404, url


def test_an_answer_changed_after_a_return_loses_its_override_with_an_audit_row(alpha, people):
    assessment, assignment = assigned(alpha, people)
    for key in ("network", "device-digital-rate"):
        current = None
        with tenant_context(alpha.enterprise):
            current = answers_of(assessment)[key]
        workbench.override_set(
            assessor=people["assessor"], assignment_id=assignment.pk, key=key, value=current, reason="checked"
        )
    workbench.return_to_enterprise(assessor=people["assessor"], assignment_id=assignment.pk, reason="Fix it.")
    response = alpha.client().put(
        f"/api/v1/assessments/{assessment.pk}/answers/network/",
        {"options": ["office-lan"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    with tenant_context(alpha.enterprise):
        assert list(Override.objects.filter(assessment_id=assessment.pk).values_list("key", flat=True)) == [
            "device-digital-rate"
        ]
    removed = AuditEvent.objects.get(action="override_removed", assessment_id=assessment.pk)
    assert removed.actor == alpha.owner and removed.subject == "network"
    assert "企业" in private_values(alpha, removed).reason


def test_a_reason_with_line_breaks_still_reaches_the_enterprise_by_email(
    alpha, people, django_capture_on_commit_callbacks
):
    _assessment, assignment = assigned(alpha, people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workbench.return_to_enterprise(
            assessor=people["assessor"],
            assignment_id=assignment.pk,
            reason="1. ERP licence\n2. Network diagram",
        )
    assert [m.to for m in mail.outbox] == [[alpha.owner.email]]
    assert "\n" not in mail.outbox[0].subject and "2. Network diagram" in mail.outbox[0].body


def test_removing_an_override_through_the_api_is_audited(alpha, people):
    assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"])
    url = f"/api/v1/review/assignments/{assignment.pk}/overrides/network/"
    body = {"value": {"options": ["none"]}, "reason": "No diagram."}
    assert client.put(url, body, content_type="application/json").status_code == 200
    bilingual(client.delete(url, {"reason": ""}, content_type="application/json"), 400)
    assert (
        client.delete(url, {"reason": "Diagram found."}, content_type="application/json").status_code == 204
    )
    assert client.delete(url, {"reason": "again"}, content_type="application/json").status_code == 404
    values = private_values(
        alpha, AuditEvent.objects.get(action="override_removed", assessment_id=assessment.pk)
    )
    assert values.old == {"options": ["none"]} and values.reason == "Diagram found." and values.new["options"]
    assert client.get(f"/api/v1/review/assignments/{assignment.pk}/").json()["live"]["total"] == 100


def test_the_result_api_keeps_the_self_result_and_adds_the_verified_one(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    body = alpha.client().get(f"/api/v1/assessments/{assessment.pk}/result/").json()
    assert body["total"] == 100 and body["status"] == "verifying" and body["verified"] is None
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    body = alpha.client().get(f"/api/v1/assessments/{assessment.pk}/result/").json()
    assert body["status"] == "verified" and body["verified"]["total"] == 100 and body["verified"]["peer"]


def test_the_cohort_widens_to_the_province_then_the_region(beta, people):
    """Tianjin (a province-level city): section-city and section-province are the same place, so with
    too few there the cohort is the section across the whole region; Hebei peers count only there."""
    from tenants.models import Enterprise, Industry

    assessment, assignment = assigned(beta, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    framework_id = case_of(beta, assessment).framework_id
    baoding, c36 = Region.objects.get(code="130600"), Industry.objects.get(code="C36")
    for i in range(19):
        tenant = Enterprise.objects.create(
            schema_name=f"peer_hebei_{i}",
            name=f"Hebei {i}",
            slug=f"peer-hebei-{i}",
            status="ready",
            owner=beta.owner,
        )
        AssessmentFact.objects.create(
            tenant=tenant, assessment_id=1, enterprise_name=tenant.name, city=baoding,
            province_code="130000", industry=c36, industry_section="C", framework_id=framework_id,
            total=50, level=2, dimension_scores=[], self_total=50, self_level=2,
            approved_at="2026-11-01T00:00:00Z",
        )  # fmt: skip
    fact = publishing.publish(tenant_id=beta.enterprise.pk, assessment_id=assessment.pk)
    assert fact.cohort["scope"] == "section-region" and fact.cohort["size"] == 20
    assert fact.percentile == pytest.approx(97.5)
    assert "京津冀" in fact.cohort["label"]["zh"]


def test_an_override_and_its_audit_row_commit_or_fail_together(alpha, people, monkeypatch):
    assessment, assignment = assigned(alpha, people)

    def broken(**kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(workbench, "audit", broken)
    with pytest.raises(RuntimeError):
        workbench.override_set(
            assessor=people["assessor"],
            assignment_id=assignment.pk,
            key="network",
            value={"options": ["none"]},
            reason="r",
        )
    with tenant_context(alpha.enterprise):
        assert not Override.objects.filter(assessment_id=assessment.pk).exists()


def test_the_history_reads_as_sentences_in_the_page_language_never_json_or_codes(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    workbench.override_set(
        assessor=people["assessor"],
        assignment_id=assignment.pk,
        key="network",
        value={"options": ["none"]},
        reason="no network seen on site",
    )
    workbench.comment_add(
        assessor=people["assessor"], assignment_id=assignment.pk, text="see 1.1", key="network"
    )
    client = logged_in(people["assessor"], "en")
    page = client.get(f"/review/assignments/{assignment.pk}/").content.decode()
    history = page.split('id="history"', 1)[1]
    for raw in ("{", "&quot;", "draft", "submitted→", ">network<", "rev-assessor@", "rev-admin@"):
        assert raw not in history, raw
    rows = {
        action: history.split(f'data-action="{action}"', 1)[1].split("</tr>", 1)[0]
        for action in ("submitted", "scored", "assigned", "overridden", "commented")
    }
    assert "Status: Draft → Submitted, being scored" in rows["submitted"]
    assert "Self-assessed score 100.0, level L4" in rows["scored"]
    assert "Assigned to rev-assessor" in rows["assigned"] and "rev-admin" in rows["assigned"]
    # the question by its number and title; the answers as their options read
    assert "1.1 Which networks has the enterprise built" in rows["overridden"]
    assert "Answer: " in rows["overridden"] and "→ None" in rows["overridden"]
    assert "no network seen on site" in rows["overridden"]
    assert "see 1.1" in rows["commented"]
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    chinese = logged_in(people["assessor"], "zh-hans").get(f"/review/assignments/{assignment.pk}/")
    history = chinese.content.decode().split('id="history"', 1)[1]
    assert "状态：草稿 → 已提交，评分中" in history
    assert "总分 100.0 → 92.0，等级 L4" in history
    assert "答案：" in history and "→ 无" in history


def test_unknown_keys_fall_back_to_labelled_sentences_never_json():
    from core.audit import change_text

    with translation.override("en"):
        assert change_text({"level": 2, "total": 65.625}, {"level": 3, "total": 71.25}) == (
            "Level: 2 → 3, total score: 65.6 → 71.2"
        )
        assert change_text(None, {"colour": "blue", "sizes": [1, 2]}) == "Colour: blue, sizes: 1, 2"
        assert change_text("draft", "submitted") == "Draft → Submitted, being scored"
    with translation.override("zh-hans"):
        assert change_text({"total": 71.3}, {"total": 65.6}) == "总分：71.3 → 65.6"


def test_the_workbench_previews_an_override_without_saving_it(alpha, people):
    assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"])
    url = f"/review/assignments/{assignment.pk}/answers/network/preview/"
    page = client.post(url, {"options": ["none"]}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert "would be 92.0 (L4); now 100.0" in page.content.decode()
    bad = client.post(
        url, {"options": ["none", "office-lan"]}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "error-text" in bad
    with tenant_context(alpha.enterprise):
        assert not Override.objects.filter(assessment_id=assessment.pk).exists()
    assert not AuditEvent.objects.filter(action="overridden").exists()
    assert logged_in(people["other_assessor"]).post(url, {"options": ["none"]}).status_code == 404

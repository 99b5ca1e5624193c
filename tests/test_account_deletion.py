"""A person deletes their own account (tenants/accounts.py): the last owner of an enterprise is
refused with the list and a link to hand over; otherwise they leave every enterprise, their personal
data goes, their sessions and tokens end, the audit log keeps only a pseudonym, and an assessor's
open assignments are released."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.audit import presented
from core.models import AuditEvent
from tenants import accounts
from tenants.members import services as member_services
from tenants.members.models import Activity, Membership
from tenants.models import AccountErasure, Enterprise, User
from tenants.services import user_create
from tenants.tokens import token_create
from tests.conftest import PASSWORD
from tests.test_tokens import sign_in

pytestmark = pytest.mark.django_db


def _public(user) -> Client:
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _mentions(email: str) -> int:
    """Public audit rows that still spell `email` anywhere."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM review_auditevent WHERE subject ILIKE %s OR reason ILIKE %s "
            "OR old::text ILIKE %s OR new::text ILIKE %s",
            [f"%{email}%"] * 4,
        )
        return cursor.fetchone()[0]


def test_the_last_owner_is_refused_with_the_enterprises_and_a_link_to_hand_over(make_enterprise):
    world = make_enterprise()
    client = _public(world.owner)
    page = client.get("/account/delete/").content.decode()
    assert 'id="last-owner"' in page and world.enterprise.name_en in page
    assert (
        re.search(rf"//{re.escape(world.host)}(:\d+)?/members/", page) and 'id="delete-account"' not in page
    )
    response = client.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 409 and 'id="last-owner"' in response.content.decode()
    with pytest.raises(accounts.LastOwnerError) as refused:
        accounts.account_delete(user=world.owner, password=PASSWORD)
    assert refused.value.enterprises == [world.enterprise]
    owner = User.objects.get(pk=world.owner.pk)
    assert owner.is_active and owner.email == world.owner.email
    with tenant_context(world.enterprise):
        assert Membership.objects.filter(user_id=owner.pk, role="owner").exists()


def test_a_member_of_two_enterprises_deletes_their_account(make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    email = "leaving-person@example.com"
    person = user_create(email=email, password=PASSWORD, name="Leaving Person")
    member_services.member_add(enterprise=a.enterprise, user=person, role="admin", invited_by=a.owner)
    member_services.member_add(enterprise=b.enterprise, user=person, role="member", invited_by=b.owner)
    member_services.invitation_create(
        enterprise=a.enterprise, email="invitee@example.com", role="member", invited_by=person
    )
    token_create(user=person)
    session = _public(person)
    assert session.get("/account/delete/").status_code == 200

    wrong = session.post("/account/delete/", {"password": "nope"})
    assert wrong.status_code == 200 and "password is not correct" in wrong.content.decode()
    assert User.objects.get(pk=person.pk).is_active

    done = session.post("/account/delete/", {"password": PASSWORD})
    assert done.status_code == 200 and 'id="account-deleted"' in done.content.decode()

    gone = User.objects.get(pk=person.pk)  # the row stays, for the foreign keys, as a pseudonym
    alias = accounts.pseudonym(person.pk)
    assert not gone.is_active and not gone.has_usable_password()
    assert (
        gone.email == f"deleted-{alias}@deleted.invalid" and alias in gone.name and "Leaving" not in gone.name
    )
    assert not gone.tenants.exclude(schema_name="public").exists()
    for world in (a, b):
        with tenant_context(world.enterprise):
            assert not Membership.objects.filter(user_id=person.pk).exists()
            assert not Activity.objects.filter(subject__icontains=email).exists()
            assert Activity.objects.filter(subject=f"#{alias}", action="removed").exists()
    from knox.models import AuthToken

    assert not AuthToken.objects.filter(user_id=person.pk).exists()
    # cannot sign in again, and the old session is over
    assert not User.objects.filter(email=email).exists()
    assert sign_in(email).status_code in (400, 401, 403)
    assert session.get("/account/delete/").status_code == 302  # to the sign-in page
    # the audit log: one row, by the pseudonym, nothing naming the person
    event = AuditEvent.objects.get(action=accounts.ACCOUNT_DELETED, actor=gone)
    [shown] = presented([event])
    accounts.audit_rewrite(user_id=person.pk)  # the worker's part
    assert alias in shown.who and "Leaving" not in shown.who and _mentions(email) == 0
    # the enterprises themselves are untouched
    assert Enterprise.objects.get(pk=a.enterprise.pk).owner_id == a.owner.pk


def test_an_owner_who_handed_over_can_leave_and_the_other_owner_holds_the_enterprise(make_enterprise):
    world = make_enterprise()
    successor = user_create(email="successor@example.com", password=PASSWORD, name="Successor")
    member_services.member_add(
        enterprise=world.enterprise, user=successor, role="owner", invited_by=world.owner
    )
    assert accounts.last_owner_of(world.owner) == []
    accounts.account_delete(user=world.owner, password=PASSWORD)
    assert Enterprise.objects.get(pk=world.enterprise.pk).owner_id == successor.pk
    with tenant_context(world.enterprise):
        assert list(Membership.objects.values_list("user_id", flat=True)) == [successor.pk]


def test_an_assessor_deleting_their_account_releases_their_open_assignments(
    alpha, django_capture_on_commit_callbacks
):
    from manufacturing.review import assignments
    from manufacturing.review.models import Assignment
    from tests.manufacturing.test_review import case_of, person, scored

    admin = person("del-admin@example.com", "regional_admin")
    assessor = person("del-assessor@example.com", "assessor")
    assessment = scored(alpha)
    assignment = assignments.assign(
        admin=admin, case_id=case_of(alpha, assessment).pk, assessor_id=assessor.pk
    )
    assert _mentions("del-assessor@example.com") >= 1  # the assignment's row names the assessor
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as sent:
        accounts.account_delete(user=assessor, password="x-Strong-pass-1")
    # review finding 9: the request does not read the whole audit table; a worker rewrites it
    assert not [q for q in queries if "review_auditevent" in q["sql"] and "ILIKE" in q["sql"]]
    assert sent  # the rewrite's task, sent on commit (its outbox row is swept if the message is lost)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CANCELLED
    alias = accounts.pseudonym(assessor.pk)
    released = AuditEvent.objects.filter(action="unassigned", assessment_id=assessment.pk).get()
    assert released.old == {"assessor": f"#{alias}", "status": "open"} and released.actor is None
    assert accounts.audit_rewrite(user_id=assessor.pk) >= 1  # what the worker's task does
    assert _mentions("del-assessor@example.com") == 0
    assert accounts.audit_rewrite(user_id=assessor.pk) == 0  # again: nothing left to do
    assert AccountErasure.objects.get(user_id=assessor.pk).email == ""  # the address is forgotten
    # the case can be assigned to someone else now
    other = person("del-other@example.com", "assessor")
    assignments.assign(admin=admin, case_id=case_of(alpha, assessment).pk, assessor_id=other.pk)


def test_the_last_owner_of_a_suspended_enterprise_is_told_whom_to_ask_not_sent_to_a_closed_page(
    make_enterprise, settings
):
    """Review finding 4: the members page of a suspended workspace answers the "suspended" page, so
    the refusal names the operator and the hotline instead of linking to it."""
    from tenants import lifecycle

    settings.PORTAL_OPERATOR_NAME, settings.PORTAL_HOTLINE = "Operator Co.", "010-1234 5678"
    world = make_enterprise()
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")
    page = _public(world.owner).get("/account/delete/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="last-owner"' in page and world.enterprise.name_en in page
    assert "Operator Co." in page and "010-1234 5678" in page
    assert not re.search(rf"//{re.escape(world.host)}(:\d+)?/members/", page)
    assert 'id="delete-account"' not in page


def test_the_password_confirmations_of_deletion_and_closing_are_rate_limited(make_enterprise, settings):
    """Review finding 8: a stolen session must not try passwords without end on either page."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_confirm": "2/hour"}
    world = make_enterprise()
    for client, path, data in (
        (_public(world.owner), "/account/delete/", {"password": "wrong"}),
        (world.client(), "/settings/close/", {"do": "close", "password": "wrong"}),
    ):
        settings.RATELIMIT_CACHE_PREFIX += "x"  # each page's budget from zero
        for _ in range(2):
            assert client.post(path, data).status_code in (200, 409), path
        refused = client.post(path, {**data, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 429 and refused.has_header("Retry-After"), path
        assert client.get(path).status_code == 200  # showing the form is free
    assert User.objects.get(pk=world.owner.pk).is_active
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "active"

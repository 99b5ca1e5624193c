"""manufacturing.policy: who may read an enterprise's evidence files, asked directly (the pages, the
API and the assessor's workbench all ask this one function; their own tests cover the routes)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from manufacturing.policy import evidence_readable_by
from manufacturing.review import assignments, workbench
from tenants.members.models import Role
from tests.manufacturing import test_review
from tests.manufacturing.test_review import assigned, scored
from tests.test_members import add_member

pytestmark = pytest.mark.django_db

people = test_review.people  # the fixture


def readable(user, world, assessment) -> bool:
    return evidence_readable_by(user=user, enterprise=world.enterprise, assessment_id=assessment.pk)


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER])
def test_every_member_of_the_enterprise_reads_its_evidence(alpha, role):
    assessment = scored(alpha)
    user = alpha.owner if role == Role.OWNER else add_member(alpha, f"policy-{role}@example.com", role)
    assert readable(user, alpha, assessment)


def test_a_non_member_an_anonymous_visitor_and_the_public_site_read_nothing(alpha, beta):
    assessment = scored(alpha)
    assert not readable(beta.owner, alpha, assessment)  # the owner of another enterprise
    assert not readable(AnonymousUser(), alpha, assessment)
    assert not evidence_readable_by(user=alpha.owner, enterprise=None, assessment_id=assessment.pk)


def test_on_the_public_site_nobody_reads_evidence_and_the_database_is_not_asked(
    alpha, people, django_assert_num_queries
):
    """No enterprise, no evidence: not even the assessor of an active assignment, and no query."""
    assessment, _assignment = assigned(alpha, people)
    for user in (people["assessor"], alpha.owner, AnonymousUser()):
        with django_assert_num_queries(0):
            assert evidence_readable_by(user=user, enterprise=None, assessment_id=assessment.pk) is False


def test_the_assessor_reads_while_the_assignment_is_active_open_or_returned(alpha, people):
    assessment, assignment = assigned(alpha, people)
    assessor = people["assessor"]
    assert readable(assessor, alpha, assessment)
    workbench.return_to_enterprise(assessor=assessor, assignment_id=assignment.pk, reason="Fix it.")
    assert readable(assessor, alpha, assessment)  # returned: still theirs until approved or cancelled


def test_an_assessor_without_the_assignment_reads_nothing(alpha, people):
    assessment, _assignment = assigned(alpha, people)
    other = scored(alpha)  # another assessment of the same enterprise, not assigned to anyone
    assert not readable(people["other_assessor"], alpha, assessment)
    assert not readable(people["assessor"], alpha, other)


@pytest.mark.parametrize("closed", ["approved", "cancelled"])
def test_a_closed_assignment_reads_nothing(alpha, people, closed):
    assessment, assignment = assigned(alpha, people)
    if closed == "approved":
        workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    else:
        assignments.assignment_cancel(
            admin=people["admin"], assignment_id=assignment.pk, reason="reassigning"
        )
    assert not readable(people["assessor"], alpha, assessment)


def test_a_regional_admin_reads_nothing_even_in_scope(alpha, people):
    assessment, _assignment = assigned(alpha, people)
    assert not readable(people["admin"], alpha, assessment)  # whole-region scope
    assert not readable(people["beijing_admin"], alpha, assessment)


def test_an_assignment_opens_only_its_own_enterprise_though_ids_repeat_across_schemas(alpha, beta, people):
    assessment, _assignment = assigned(alpha, people)
    # beta's schema may hold an assessment with the very same id: the assignment is for alpha's case
    assert not evidence_readable_by(
        user=people["assessor"], enterprise=beta.enterprise, assessment_id=assessment.pk
    )
    assert readable(people["assessor"], alpha, assessment)


def test_an_inactive_assessor_reads_nothing(alpha, people):
    assessment, _assignment = assigned(alpha, people)
    assessor = people["assessor"]
    assessor.is_active = False
    assessor.save(update_fields=["is_active"])
    assert not readable(assessor, alpha, assessment)


def test_the_platforms_remarks_in_a_framework_are_for_assessors_regional_admins_and_staff(alpha):
    """An enterprise's people (owner or not), a bank's, a provider's read the question's help only."""
    from manufacturing.policy import framework_notes_visible_to
    from tests.manufacturing.test_review import person

    readers = {
        "assessor": person("notes-assessor@example.com", "assessor"),
        "regional admin": person("notes-admin@example.com", "regional_admin"),
        "city admin": person("notes-qhd@example.com", "regional_admin", "130300"),
        "staff": person("notes-staff@example.com", ""),
    }
    readers["staff"].is_staff = True
    assert {name: framework_notes_visible_to(user) for name, user in readers.items()} == dict.fromkeys(
        readers, True
    )
    others = {
        "owner": alpha.owner,
        "member": add_member(alpha, "notes-member@example.com", Role.MEMBER),
        "institution": person("notes-bank@example.com", "institution"),
        "provider": person("notes-provider@example.com", "provider"),
        "anonymous": AnonymousUser(),
        "nobody": None,
    }
    assert {name: framework_notes_visible_to(user) for name, user in others.items()} == dict.fromkeys(
        others, False
    )


def test_a_deactivated_assessor_or_admin_no_longer_reads_the_remarks():
    from manufacturing.policy import framework_notes_visible_to
    from tests.manufacturing.test_review import person

    for role in ("assessor", "regional_admin"):
        user = person(f"notes-inactive-{role}@example.com", role)
        user.is_active = False
        assert framework_notes_visible_to(user) is False

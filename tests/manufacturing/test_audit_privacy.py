"""The review's audit trail keeps the enterprise's private values in its own schema: the public
audit rows (which regional admins read) say who, what, when and which question; the answers before
and after an override, the override's reason and the comment's and the return's text live in the
enterprise's schema, read by its members and the assessor assigned to it."""

import importlib
import json

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from core.audit import audit
from core.models import AuditEvent, Notice
from manufacturing import services as assessment_services
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment, AuditDetail
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import ReviewCase
from tests.manufacturing import test_review
from tests.manufacturing.definitions import attach_required_evidence, full_answers
from tests.manufacturing.test_review import logged_in

pytestmark = pytest.mark.django_db
people = test_review.people  # the fixture

KEY = "device-digital-rate"
# Figures and texts that appear nowhere else, so finding one in a table means it leaked there.
OWN = {"inputs": {"devices_digital": 104723, "devices_total": 104729}}
CHANGED = {"inputs": {"devices_digital": 104711, "devices_total": 104729}}
VERIFIED = {"inputs": {"devices_digital": 86243, "devices_total": 104729}}
REASON = "核验理由-QX7 the count includes office printers"
SECOND_REASON = "核验理由-QX8 still counts the printers"
COMMENT = "审核意见-KW3 attach the equipment ledger"
RETURN_REASON = "退回理由-RT5 the ledger is missing"
NEEDLES = ["104723", "104711", "86243", "104729", REASON, SECOND_REASON, COMMENT, RETURN_REASON]


def _submit(world, assessment: Assessment) -> None:
    assessment_services.pledge_sign(assessment=assessment, user=world.owner)
    assessment_services.assessment_submit(
        assessment=assessment, user=world.owner, enterprise=world.enterprise
    )
    # what the scoring worker runs
    assessment_services.assessment_score(enterprise=world.enterprise, assessment_id=assessment.pk)


def reviewed(world, people, *, to_the_end: bool = True) -> tuple[Assessment, object]:
    """Submit, score, assign, override with a reason, comment, return; then (to_the_end) the
    enterprise changes the overridden answer and resubmits, the assessor overrides again, approves,
    and the verified result is published (what the publishing worker runs)."""
    with tenant_context(world.enterprise):
        framework = Framework.objects.get(code="miit-sme-mfg")
        assessment = assessment_services.assessment_create(framework=framework, user=world.owner)
        answers = full_answers(framework.definition)
        answers[KEY] = answers.pop(KEY) and OWN  # last: its total is shared with another question
        for key, value in answers.items():
            assessment_services.answer_put(
                enterprise=world.enterprise, assessment=assessment, key=key, value=value, user=world.owner
            )
        attach_required_evidence(assessment, world.owner)
        _submit(world, assessment)
    case = ReviewCase.objects.get(tenant=world.enterprise, assessment_id=assessment.pk)
    assignment = assignments.assign(admin=people["admin"], case_id=case.pk, assessor_id=people["assessor"].pk)
    assessor = people["assessor"]
    workbench.override_set(
        assessor=assessor, assignment_id=assignment.pk, key=KEY, value=VERIFIED, reason=REASON
    )
    workbench.comment_add(assessor=assessor, assignment_id=assignment.pk, text=COMMENT, key=KEY)
    workbench.return_to_enterprise(assessor=assessor, assignment_id=assignment.pk, reason=RETURN_REASON)
    if not to_the_end:
        return assessment, assignment
    with tenant_context(world.enterprise):
        assessment.refresh_from_db()
        assessment_services.answer_put(
            enterprise=world.enterprise, assessment=assessment, key=KEY, value=CHANGED, user=world.owner
        )
        attach_required_evidence(assessment, world.owner)
        assessment.refresh_from_db()
        _submit(world, assessment)
    workbench.override_set(
        assessor=assessor, assignment_id=assignment.pk, key=KEY, value=VERIFIED, reason=SECOND_REASON
    )
    workbench.approve(assessor=assessor, assignment_id=assignment.pk)
    publishing.publish(tenant_id=world.enterprise.pk, assessment_id=assessment.pk)
    return assessment, assignment


def found_in_schema(schema: str, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text, character or JSON column of every table of `schema`
    that holds one of `needles` anywhere in its values."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE' "
            "AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')",
            [schema],
        )
        columns = cursor.fetchall()
        assert len(columns) > 50, columns  # the whole schema, not a handful of tables
        hits = []
        for table, column in columns:
            name = f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"
            for needle in needles:
                cursor.execute(
                    f"SELECT 1 FROM {name} WHERE strpos({connection.ops.quote_name(column)}::text, %s) > 0 "
                    "LIMIT 1",
                    [needle],
                )
                if cursor.fetchone():
                    hits.append((table, column, needle))
        return hits


def test_no_public_table_holds_an_answer_value_or_a_comment_after_a_full_review_cycle(alpha, people):
    assessment, _assignment = reviewed(alpha, people)
    with tenant_context(alpha.enterprise):
        assert Assessment.objects.get(pk=assessment.pk).status == "verified"
    actions = set(
        AuditEvent.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).values_list(
            "action", flat=True
        )
    )
    assert {"overridden", "override_removed", "commented", "returned", "approved", "published"} <= actions
    assert found_in_schema("public", NEEDLES) == []
    # The scan does find them where they belong: the enterprise's own schema holds every one.
    inside = {needle for _table, _column, needle in found_in_schema(alpha.enterprise.schema_name, NEEDLES)}
    assert inside == set(NEEDLES)


def test_the_enterprise_and_its_assigned_assessor_read_the_values_a_regional_admin_does_not(alpha, people):
    assessment, assignment = reviewed(alpha, people, to_the_end=False)
    secrets = ["86243", REASON, COMMENT, RETURN_REASON]

    # The enterprise, on its assessment's page: its history, with the values.
    page = alpha.client().get(f"/assessments/{assessment.pk}/result/", HTTP_ACCEPT_LANGUAGE="en")
    history = page.content.decode().split('id="audit"', 1)[1]
    assert all(secret in history for secret in secrets)
    assert "104723" in history  # its own answer, before the override

    # The assigned assessor, on the workbench's history.
    workbench = logged_in(people["assessor"]).get(f"/review/assignments/{assignment.pk}/").content.decode()
    history = workbench.split('id="history"', 1)[1]
    assert all(secret in history for secret in [*secrets, "104723"])

    # A regional admin: who, what, when, which question; no value.
    admin = logged_in(people["admin"], "en")
    log = admin.get("/review/audit/").content.decode()
    assert "Answer overridden" in log and "kept in the enterprise" in log
    assert KEY not in log and "Production equipment digitalisation rate" in log  # the question by its title
    assert [secret for secret in [*secrets, "104723"] if secret in log] == []
    body = admin.get("/api/v1/review/audit/", {"limit": 100}).json()
    assert {row["action"] for row in body["results"]} >= {"overridden", "commented", "returned"}
    text = json.dumps(body, ensure_ascii=False)
    assert [secret for secret in [*secrets, "104723"] if secret in text] == []
    for row in body["results"]:
        if row["action"] in AuditEvent.PRIVATE:
            assert (row["old"], row["new"], row["reason"]) == (None, None, "")

    # An assessor not assigned to it: nothing (404), neither the workbench nor the log.
    other = logged_in(people["other_assessor"])
    assert other.get(f"/review/assignments/{assignment.pk}/").status_code == 404
    assert other.get("/review/audit/").status_code == 404
    assert other.get("/api/v1/review/audit/").status_code == 404


def test_the_return_notice_does_not_quote_the_reason_and_the_email_does(
    alpha, people, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed(alpha, people, to_the_end=False)
    notice = Notice.objects.get(user=alpha.owner)
    assert RETURN_REASON not in notice.text_zh + notice.text_en and "退回" in notice.text_zh
    (email,) = [m for m in mail.outbox if m.to == [alpha.owner.email]]
    assert RETURN_REASON in email.body and notice.url in email.body


def test_a_private_audit_row_needs_its_enterprise():
    with pytest.raises(ValueError):
        audit(actor=None, action=AuditEvent.Action.COMMENTED, new="a comment without an enterprise")
    assert not AuditEvent.objects.filter(action="commented").exists()


def test_the_move_takes_existing_values_into_their_enterprise_and_blanks_public(alpha, beta):
    """What manufacturing.0005 does in each enterprise schema, for rows written before it."""
    move = importlib.import_module("manufacturing.migrations.0005_audit_details").move

    def row(tenant, action, **values):
        return AuditEvent.objects.create(tenant=tenant, assessment_id=7, action=action, subject=KEY, **values)

    overridden = row(alpha.enterprise, "overridden", old=OWN, new=VERIFIED, reason=REASON)
    commented = row(alpha.enterprise, "commented", new=COMMENT)
    returned = row(alpha.enterprise, "returned", old="scored", new="returned", reason=RETURN_REASON)
    assigned = row(alpha.enterprise, "assigned", new={"assessor": "a@example.com"})
    theirs = row(beta.enterprise, "overridden", old=OWN, new=VERIFIED, reason=REASON)

    # Until the enterprise's schema is migrated its old rows still hold the values in public: the
    # admins' API does not show them meanwhile (nor the page).
    from manufacturing.review.api import AuditOutput

    shown = [AuditOutput(event).data for event in (overridden, commented, returned, theirs)]
    assert {(r["old"], r["new"], r["reason"]) for r in shown} == {(None, None, "")}
    assert AuditOutput(assigned).data["new"] == {"assessor": "a@example.com"}

    assert move(connection, alpha.enterprise.schema_name) == 3
    with tenant_context(alpha.enterprise):
        details = {d.event_id: (d.old, d.new, d.reason) for d in AuditDetail.objects.all()}
    assert details == {
        overridden.pk: (OWN, VERIFIED, REASON),
        commented.pk: (None, COMMENT, ""),
        returned.pk: ("scored", "returned", RETURN_REASON),
    }
    for event in (overridden, commented, returned):
        event.refresh_from_db()
        assert (event.old, event.new, event.reason) == (None, None, "")
    assigned.refresh_from_db()
    theirs.refresh_from_db()
    assert assigned.new == {"assessor": "a@example.com"}  # the platform's own value stays
    assert (theirs.old, theirs.reason) == (OWN, REASON)  # another enterprise's row: its own move
    with tenant_context(beta.enterprise):
        assert not AuditDetail.objects.exists()

    assert move(connection, alpha.enterprise.schema_name) == 0  # a second run changes nothing
    with tenant_context(alpha.enterprise):
        assert AuditDetail.objects.count() == 3
    with pytest.raises(RuntimeError):
        move(connection, "public")


def test_return_notices_written_before_keep_no_reason(people):
    """review.0004: a notice from before quoted the reason in public; it now reads as new ones do."""
    from core.models import Notice

    migration = importlib.import_module("manufacturing.review.migrations.0004_return_notices_without_reasons")
    old = Notice.objects.create(
        user=people["admin"],
        text_en=f"{migration.OLD_EN}{RETURN_REASON}",
        text_zh=f"{migration.OLD_ZH}{RETURN_REASON}",
    )
    other = Notice.objects.create(user=people["admin"], text_en="Something else", text_zh="别的")
    from django.db.migrations.loader import MigrationLoader

    # The models as they stood at that migration (Notice was review's then; core's since).
    state = MigrationLoader(connection).project_state(("review", "0004_return_notices_without_reasons"))
    migration.forget_reasons(state.apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.text_en, old.text_zh) == (migration.NEW_EN, migration.NEW_ZH)
    assert RETURN_REASON not in old.text_en + old.text_zh
    assert other.text_en == "Something else"

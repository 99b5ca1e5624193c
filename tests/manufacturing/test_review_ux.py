"""Issue 17 on the review's pages: notices that follow their subject's state and always open
something, the comment form's question list (validated on the server), the confirmation of the
irreversible decisions, the enterprise told of its verification, and the framework's internal notes
on the workbench. In-process; the flows in Chromium are in tests/browser/test_review_ux.py."""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import Notice
from manufacturing.models import Comment
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import Assignment
from tests.manufacturing import test_review
from tests.manufacturing.test_review import assigned, logged_in

people = test_review.people  # the fixture

pytestmark = pytest.mark.django_db


def _notices(user, language="en") -> str:
    page = logged_in(user, language).get("/notices/")
    assert page.status_code == 200
    return page.content.decode().split('id="notices"', 1)[1]


def test_a_notice_of_an_approved_assignment_says_so_and_its_link_opens_it(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    assert "Now: waiting for your verification" in _notices(people["assessor"])
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    closed_at = timezone.localtime(Assignment.objects.get(pk=assignment.pk).closed_at)
    listing = _notices(people["assessor"])
    assert f"Now: approved on {closed_at:%Y-%m-%d %H:%M}; the verified result is being published" in listing
    assert "waiting for your verification" not in listing
    assert "当前：已于" in _notices(people["assessor"], "zh-hans")
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assignment.case.assessment_id)
    assert "the verified result is published" in _notices(people["assessor"])
    (notice,) = Notice.objects.filter(user=people["assessor"])
    assert f'href="{notice.url}"' in _notices(people["assessor"])
    path = notice.url.split("localhost:8000", 1)[1]
    assert logged_in(people["assessor"]).get(path).status_code == 200


def test_a_cancelled_assignment_notice_links_to_its_state_and_says_when(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    assignments.assignment_cancel(admin=people["admin"], assignment_id=assignment.pk, reason="on leave")
    listing = _notices(people["assessor"])
    assert listing.count("Now: cancelled on") == 2  # the assignment's notice and the cancellation's
    cancelled = Notice.objects.filter(user=people["assessor"]).order_by("-pk").first()
    assert cancelled.url.endswith(f"/review/assignments/{assignment.pk}/")
    page = logged_in(people["assessor"], "en").get(f"/review/assignments/{assignment.pk}/")
    assert page.status_code == 200 and "on leave" in page.content.decode()


def test_a_notice_never_describes_someone_elses_assignment(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    # a notice of another user that happens to link to this assignment: no state of it is shown
    Notice.objects.create(
        user=people["other_assessor"], text_zh="x", text_en="x", url=f"/review/assignments/{assignment.pk}/"
    )
    assert "Now:" not in _notices(people["other_assessor"])
    assert logged_in(people["other_assessor"]).get(f"/review/assignments/{assignment.pk}/").status_code == 404


def test_the_enterprise_is_notified_once_when_its_verified_result_is_published(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    for _twice in range(2):  # a redelivered message notifies nobody again
        publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    (notice,) = Notice.objects.filter(user=alpha.owner)
    assert "has been verified" in notice.text_en and "已通过核验" in notice.text_zh
    assert notice.url.endswith(f"/assessments/{assessment.pk}/result/")


# --- the comment form ------------------------------------------------------------------------------------


def test_the_comment_form_offers_the_questions_by_number_and_title_grouped_by_dimension(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    page = logged_in(people["assessor"], "en").get(f"/review/assignments/{assignment.pk}/").content.decode()
    form = page.split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    assert '<select name="key"' in form and 'name="key" maxlength' not in form
    assert '<optgroup label="Digital foundation">' in form
    assert '<option value="network">1.1 Which networks has the enterprise built' in form
    assert '<option value="" selected>The whole assessment</option>' in form
    chinese = logged_in(people["assessor"], "zh-hans").get(f"/review/assignments/{assignment.pk}/")
    assert '<optgroup label="数字化基础">' in chinese.content.decode()


def test_an_unknown_question_is_a_field_error_next_to_the_list_never_a_500(alpha, people):
    assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"], "en")
    url = f"/review/assignments/{assignment.pk}/comments/"
    response = client.post(url, {"key": "no-such-question", "text": "look here"})
    assert response.status_code == 400
    form = response.content.decode().split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    field = form.split('class="field has-error"', 1)[1].split("</div>", 1)[0]
    assert 'name="key"' in field and "Pick a question from the list." in field
    assert "look here" in form  # what was typed is kept
    empty = client.post(url, {"key": "network", "text": "  "})
    assert empty.status_code == 400 and "Write the comment." in empty.content.decode()
    with tenant_context(alpha.enterprise):
        assert not Comment.objects.filter(assessment_id=assessment.pk).exists()
    ok = client.post(url, {"key": "network", "text": "attach the topology"})
    assert ok.status_code == 302
    with tenant_context(alpha.enterprise):
        assert Comment.objects.get(assessment_id=assessment.pk).key == "network"
    page = client.get(f"/review/assignments/{assignment.pk}/").content.decode()
    comments = page.split('id="comments"', 1)[1].split("<form", 1)[0]
    assert "1.1 Which networks" in comments and "· network<" not in comments


def test_the_api_still_takes_a_question_key_and_answers_an_unknown_one_with_a_field_error(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    client = logged_in(people["assessor"], "en")
    url = f"/api/v1/review/assignments/{assignment.pk}/comments/"
    bad = client.post(url, {"text": "t", "key": "no-such-question"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "key"
    good = client.post(url, {"text": "t", "key": "network"}, content_type="application/json")
    assert good.status_code == 201


def test_a_closed_assignment_takes_no_comment(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    client = logged_in(people["assessor"])
    assert client.post(f"/review/assignments/{assignment.pk}/comments/", {"text": "late"}).status_code == 404


# --- confirmation and internal notes -------------------------------------------------------------------


def test_approving_returning_and_cancelling_ask_for_confirmation_saying_what_happens(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    page = logged_in(people["assessor"], "en").get(f"/review/assignments/{assignment.pk}/").content.decode()
    approve = page.split('id="approve-form"', 1)[1].split(">", 1)[0]
    assert 'data-confirm="Approve the verified result (total 100.0, level L4)?' in approve
    assert "published to the regional reports and the enterprise will be notified" in approve
    returning = page.split(f'action="/review/assignments/{assignment.pk}/return/"', 1)[1].split(">", 1)[0]
    assert "data-confirm=" in returning and "resubmit" in returning
    cases = logged_in(people["admin"], "en").get("/review/cases/", {"status": "scored"}).content.decode()
    cancel = cases.split(f'action="/review/assignments/{assignment.pk}/cancel/"', 1)[1].split(">", 1)[0]
    assert "data-confirm=\"Cancel rev-assessor's assignment?" in cancel and "data-confirm-danger" in cancel


def test_the_workbench_shows_the_frameworks_internal_notes_labelled_as_such(alpha, people):
    _assessment, assignment = assigned(alpha, people)
    page = logged_in(people["assessor"], "en").get(f"/review/assignments/{assignment.pk}/").content.decode()
    notes = page.split('id="framework-notes"', 1)[1].split("</details>", 1)[0]
    assert "Internal notes on this framework (assessors and operators only)" in notes
    assert "have not been checked against the official PDF" in notes or "not been checked" in notes


# --- rows of other apps' logs ------------------------------------------------------------------------------


def test_an_exhibitions_status_change_reads_as_a_sentence_in_the_admins_log(people):
    from core.audit import audit

    audit(actor=people["admin"], action="exhibition", subject="#7 京津冀智能制造展", old="draft", new="open")
    log = logged_in(people["admin"], "en").get("/review/audit/").content.decode()
    row = log.split('data-action="exhibition"', 1)[1].split("</tr>", 1)[0]
    assert "京津冀智能制造展" in row and "#7" not in row
    assert "Status: Draft (not public) → Booth registration open" in row
    assert ">draft<" not in row and "rev-admin@" not in row


def test_activity_rows_read_as_sentences_for_booths_and_leads():
    from django.utils import translation

    from tenants.members.activity_lines import presented
    from tenants.members.models import Activity

    rows = [
        Activity(action="booth_published", subject="2026京津冀展 (#3)", old="draft", new="published"),
        Activity(action="lead_closed", subject="王经理, 采购公司 (#12)", old="replied", new="closed"),
    ]
    with translation.override("en"):
        booth, lead = (row.sentence for row in presented(rows))
    assert booth == "Booth at 2026京津冀展: Draft → Published"
    assert lead == "Lead from 王经理, 采购公司: Replied → Closed"
    with translation.override("zh-hans"):
        booth, _lead = (row.sentence for row in presented(rows))
    assert booth == "2026京津冀展的展位：草稿 → 已发布"


def test_the_workspace_notices_link_reads_view_not_the_in_progress_state_word(alpha, people):
    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    page = alpha.client().get("/notices/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    listing = page.split('id="workspace-notices"', 1)[1]
    assert "已通过核验" in listing and ">查看</a>" in listing and "进行中" not in listing

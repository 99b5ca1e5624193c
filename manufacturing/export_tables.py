"""The industrial cloud's part of an enterprise's data export (core/data_export.py): assessments
with their answers, evidence files, pledges and scores, and the review's results it can see."""

from django.utils.translation import gettext_lazy as _

from core import data_export

AREA = "manufacturing"


def register() -> None:
    from manufacturing.models import Answer, Assessment, AuditDetail, Comment, Evidence, Override
    from manufacturing.review.models import AssessmentFact, ReviewCase

    Table = data_export.Table
    data_export.register(
        Table(
            AREA,
            "assessments",
            Assessment,
            _(
                "Assessments: status, the integrity pledge (when signed), submission, the self-assessed "
                "score (result) and the verified result."
            ),
        ),
        Table(AREA, "answers", Answer, _("The answer to each question of each assessment.")),
        Table(
            AREA,
            "evidence",
            Evidence,
            _("Evidence files uploaded for answers; the files are under files/evidence/."),
        ),
        Table(AREA, "overrides", Override, _("The assessor's verified values for answers, with the reason.")),
        Table(AREA, "comments", Comment, _("The assessor's comments and returns to the enterprise.")),
        Table(
            AREA,
            "audit_details",
            AuditDetail,
            _("The values of the review's audit trail kept in the enterprise's schema."),
        ),
        Table(
            AREA,
            "review_cases",
            ReviewCase,
            _("The review of each submitted assessment: its status and report number."),
            rows=lambda enterprise: ReviewCase.objects.filter(tenant=enterprise),
        ),
        Table(
            AREA,
            "verified_results",
            AssessmentFact,
            _("The verified results as published for the regional reports."),
            rows=lambda enterprise: AssessmentFact.objects.filter(tenant=enterprise),
            leave_out=("assessor",),
        ),
    )

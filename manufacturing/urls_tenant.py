"""The manufacturing cloud on an enterprise's host: assessments, their evidence, results and
reports, and the frameworks' API."""

from django.urls import path

from manufacturing import api as manufacturing_api
from manufacturing import views as manufacturing_views
from manufacturing.urls_public import api_patterns as frameworks_api

api_patterns = [
    *frameworks_api,  # the same on the public site
    path("api/v1/assessments/", manufacturing_api.AssessmentListCreateApi.as_view(), name="api-assessments"),
    path(
        "api/v1/assessments/<int:assessment_id>/",
        manufacturing_api.AssessmentDetailApi.as_view(),
        name="api-assessment",
    ),
    path(
        "api/v1/assessments/<int:assessment_id>/answers/<str:key>/",
        manufacturing_api.AnswerApi.as_view(),
        name="api-answer",
    ),
    path(
        "api/v1/assessments/<int:assessment_id>/evidence/",
        manufacturing_api.EvidenceUploadApi.as_view(),
        name="api-evidence",
    ),
    path(
        "api/v1/assessments/<int:assessment_id>/pledge/",
        manufacturing_api.PledgeApi.as_view(),
        name="api-pledge",
    ),
    path(
        "api/v1/assessments/<int:assessment_id>/submit/",
        manufacturing_api.SubmitApi.as_view(),
        name="api-submit",
    ),
    path(
        "api/v1/assessments/<int:assessment_id>/result/",
        manufacturing_api.ResultApi.as_view(),
        name="api-result",
    ),
]

pages = [
    path("assessments/", manufacturing_views.assessment_list, name="assessments"),
    path(
        "assessments/<int:assessment_id>/step/<int:step>/",
        manufacturing_views.assessment_step,
        name="assessment-step",
    ),
    path(
        "assessments/<int:assessment_id>/answer/<str:key>/",
        manufacturing_views.answer_save,
        name="assessment-answer",
    ),
    path(
        "assessments/<int:assessment_id>/upload/<str:key>/",
        manufacturing_views.evidence_upload,
        name="assessment-evidence",
    ),
    path(
        "assessments/<int:assessment_id>/submit/",
        manufacturing_views.assessment_submit,
        name="assessment-submit",
    ),
    path(
        "assessments/<int:assessment_id>/result/",
        manufacturing_views.assessment_result,
        name="assessment-result",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/<int:evidence_id>/",
        manufacturing_views.evidence_download,
        name="evidence-download",
    ),
    path(
        "assessments/<int:assessment_id>/report.pdf",
        manufacturing_views.assessment_report,
        name="assessment-report",
    ),
    path(
        "assessments/<int:assessment_id>/report/consent/",
        manufacturing_views.assessment_report_consent,
        name="assessment-report-consent",
    ),
]

urlpatterns = [*pages, *api_patterns]

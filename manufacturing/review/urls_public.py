"""The review's routes on the public site: assessor verification (the only cross-tenant work),
the regional admins' side of it, and the notices."""

from django.urls import path

from manufacturing.review import api as review_api
from manufacturing.review import verify_views
from manufacturing.review import views as review_views

api_patterns = [
    path("api/v1/review/assignments/", review_api.AssignmentListApi.as_view(), name="api-review-assignments"),
    path(
        "api/v1/review/assignments/<int:assignment_id>/",
        review_api.AssignmentDetailApi.as_view(),
        name="api-review-assignment",
    ),
    path(
        "api/v1/review/assignments/<int:assignment_id>/overrides/<str:key>/",
        review_api.OverrideApi.as_view(),
        name="api-review-override",
    ),
    path(
        "api/v1/review/assignments/<int:assignment_id>/comments/",
        review_api.CommentApi.as_view(),
        name="api-review-comments",
    ),
    path(
        "api/v1/review/assignments/<int:assignment_id>/return/",
        review_api.ReturnApi.as_view(),
        name="api-review-return",
    ),
    path(
        "api/v1/review/assignments/<int:assignment_id>/approve/",
        review_api.ApproveApi.as_view(),
        name="api-review-approve",
    ),
    path("api/v1/review/cases/", review_api.CaseListApi.as_view(), name="api-review-cases"),
    path(
        "api/v1/review/cases/<int:case_id>/assign/", review_api.AssignApi.as_view(), name="api-review-assign"
    ),
    path("api/v1/review/audit/", review_api.AuditApi.as_view(), name="api-review-audit"),
    path("api/v1/verify/<str:number>/", verify_views.VerifyApi.as_view(), name="api-verify"),
]

pages = [
    # Assessor verification (the only cross-tenant work) and the regional admins' side of it.
    path("review/assignments/", review_views.assignment_list, name="review-assignments"),
    path("review/assignments/<int:assignment_id>/", review_views.assignment_detail, name="review-assignment"),
    path(
        "review/assignments/<int:assignment_id>/answers/<str:key>/override/",
        review_views.override,
        name="review-override",
    ),
    path(
        "review/assignments/<int:assignment_id>/answers/<str:key>/preview/",
        review_views.preview,
        name="review-preview",
    ),
    path("review/assignments/<int:assignment_id>/comments/", review_views.comment, name="review-comment"),
    path("review/assignments/<int:assignment_id>/return/", review_views.return_, name="review-return"),
    path("review/assignments/<int:assignment_id>/approve/", review_views.approve, name="review-approve"),
    path(
        "review/assignments/<int:assignment_id>/evidence/<int:evidence_id>/",
        review_views.evidence,
        name="review-evidence",
    ),
    path("review/assignments/<int:assignment_id>/cancel/", review_views.cancel, name="review-cancel"),
    path("review/cases/", review_views.case_list, name="review-cases"),
    path("review/cases/<int:case_id>/assign/", review_views.assign, name="review-assign"),
    path("review/audit/", review_views.audit_log, name="review-audit"),
    path("notices/", review_views.notices, name="notices"),
    # The public check of a verified report (its QR code opens the second).
    path("verify/", verify_views.verify_form, name="verify"),
    path("verify/<str:number>/", verify_views.verify_report, name="verify-report"),
]

urlpatterns = [*pages, *api_patterns]

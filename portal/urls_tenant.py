"""An enterprise's workspace: <slug>.<PORTAL_DOMAIN>. Only its members get past the login page."""

from django.urls import path

from exhibition import api as exhibition_api
from exhibition import views as exhibition_views
from exhibition import views_leads as exhibition_leads
from finance import api as finance_api
from finance import views as finance_views
from manufacturing import api as manufacturing_api
from manufacturing import views as manufacturing_views
from portal.urls_common import urlpatterns as common
from tenants import api as tenants_api
from tenants import views as tenants_views
from tenants.members import api as members_api

api_patterns = [
    path("api/v1/workspace/", tenants_api.WorkspaceApi.as_view(), name="api-workspace"),
    path("api/v1/frameworks/", manufacturing_api.FrameworkListApi.as_view(), name="api-frameworks"),
    path(
        "api/v1/frameworks/<int:framework_id>/",
        manufacturing_api.FrameworkDetailApi.as_view(),
        name="api-framework",
    ),
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
    path("api/v1/finance/profile/", finance_api.ProfileApi.as_view(), name="api-finance-profile"),
    path(
        "api/v1/finance/profile/<int:year>/", finance_api.StatementApi.as_view(), name="api-finance-statement"
    ),
    path("api/v1/finance/requests/", finance_api.RequestListApi.as_view(), name="api-finance-requests"),
    path(
        "api/v1/finance/requests/<int:request_id>/",
        finance_api.RequestDetailApi.as_view(),
        name="api-finance-request",
    ),
    path(
        "api/v1/finance/requests/<int:request_id>/submit/",
        finance_api.RequestSubmitApi.as_view(),
        name="api-finance-submit",
    ),
    path(
        "api/v1/finance/requests/<int:request_id>/withdraw/",
        finance_api.RequestWithdrawApi.as_view(),
        name="api-finance-withdraw",
    ),
    path(
        "api/v1/finance/requests/<int:request_id>/matches/",
        finance_api.MatchesApi.as_view(),
        name="api-finance-matches",
    ),
    path(
        "api/v1/finance/requests/<int:request_id>/applications/",
        finance_api.ApplyApi.as_view(),
        name="api-finance-apply",
    ),
    path(
        "api/v1/finance/applications/<int:application_id>/reply/",
        finance_api.ReplyApi.as_view(),
        name="api-finance-reply",
    ),
    path("api/v1/members/", members_api.MemberListApi.as_view(), name="api-members"),
    path("api/v1/members/<int:member_id>/", members_api.MemberDetailApi.as_view(), name="api-member"),
    path("api/v1/members/invitations/", members_api.InvitationCreateApi.as_view(), name="api-invitations"),
    path("api/v1/activity/", members_api.ActivityListApi.as_view(), name="api-activity"),
    # The exhibition cloud's enterprise side.
    path(
        "api/v1/exhibition/products/", exhibition_api.ProductListApi.as_view(), name="api-exhibition-products"
    ),
    path(
        "api/v1/exhibition/products/<int:product_id>/",
        exhibition_api.ProductDetailApi.as_view(),
        name="api-exhibition-product",
    ),
    path(
        "api/v1/exhibition/products/<int:product_id>/images/",
        exhibition_api.ImageUploadApi.as_view(),
        name="api-exhibition-images",
    ),
    path(
        "api/v1/exhibition/products/<int:product_id>/images/<int:image_id>/",
        exhibition_api.ImageDetailApi.as_view(),
        name="api-exhibition-image",
    ),
    path("api/v1/exhibition/booths/", exhibition_api.BoothListApi.as_view(), name="api-exhibition-booths"),
    path(
        "api/v1/exhibition/booths/<int:booth_id>/",
        exhibition_api.BoothDetailApi.as_view(),
        name="api-exhibition-booth",
    ),
    path(
        "api/v1/exhibition/booths/<int:booth_id>/publish/",
        exhibition_api.BoothPublishApi.as_view(action="publish"),
        name="api-exhibition-booth-publish",
    ),
    path(
        "api/v1/exhibition/booths/<int:booth_id>/unpublish/",
        exhibition_api.BoothPublishApi.as_view(action="unpublish"),
        name="api-exhibition-booth-unpublish",
    ),
    path("api/v1/exhibition/leads/", exhibition_api.LeadListApi.as_view(), name="api-exhibition-leads"),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/",
        exhibition_api.LeadDetailApi.as_view(),
        name="api-exhibition-lead",
    ),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/reply/",
        exhibition_api.LeadReplyApi.as_view(),
        name="api-exhibition-lead-reply",
    ),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/close/",
        exhibition_api.LeadCloseApi.as_view(),
        name="api-exhibition-lead-close",
    ),
    path("api/v1/exhibition/slots/", exhibition_api.SlotListApi.as_view(), name="api-exhibition-slots"),
    path(
        "api/v1/exhibition/slots/<int:slot_id>/cancel/",
        exhibition_api.SlotCancelApi.as_view(),
        name="api-exhibition-slot-cancel",
    ),
]

urlpatterns = [
    path("", tenants_views.workspace_home, name="home"),
    path("members/", tenants_views.members, name="members"),
    path("activity/", tenants_views.activity, name="activity"),
    path("members/<int:member_id>/role/", tenants_views.member_role, name="member-role"),
    path("members/<int:member_id>/remove/", tenants_views.member_remove, name="member-remove"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        tenants_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", tenants_views.invitation_accept, name="invitation-accept"),
    path("switch/", tenants_views.switch, name="switch"),
    path("exhibition/", exhibition_views.catalogue, name="exhibition"),
    path("exhibition/booths/", exhibition_views.booths, name="exhibition-booths"),
    path("exhibition/leads/", exhibition_leads.inbox, name="exhibition-leads"),
    path("exhibition/slots/", exhibition_views.slots, name="exhibition-slots"),
    path(
        "exhibition/slots/<int:slot_id>/cancel/", exhibition_views.slot_cancel, name="exhibition-slot-cancel"
    ),
    path("exhibition/leads/export.csv", exhibition_leads.export, name="exhibition-leads-export"),
    path("exhibition/leads/<int:lead_id>/answer/", exhibition_leads.answer, name="exhibition-lead-answer"),
    path("exhibition/booths/register/", exhibition_views.booth_register, name="exhibition-booth-register"),
    path("exhibition/booths/<int:booth_id>/", exhibition_views.booth_edit, name="exhibition-booth"),
    path(
        "exhibition/booths/<int:booth_id>/<slug:action>/",
        exhibition_views.booth_publish,
        name="exhibition-booth-publish",
    ),
    path("exhibition/products/new/", exhibition_views.product_edit, name="exhibition-product-new"),
    path("exhibition/products/<int:product_id>/", exhibition_views.product_edit, name="exhibition-product"),
    path(
        "exhibition/products/<int:product_id>/delete/",
        exhibition_views.product_delete,
        name="exhibition-product-delete",
    ),
    path(
        "exhibition/products/<int:product_id>/images/",
        exhibition_views.image_upload,
        name="exhibition-image-upload",
    ),
    path(
        "exhibition/products/<int:product_id>/images/<int:image_id>/delete/",
        exhibition_views.image_delete,
        name="exhibition-image-delete",
    ),
    path(
        "exhibition/products/<int:product_id>/images/<int:image_id>/<str:kind>/",
        exhibition_views.image_file,
        name="exhibition-image",
    ),
    path("finance/", finance_views.overview, name="finance"),
    path("finance/statements/new/", finance_views.statement_edit, name="finance-statement-new"),
    path("finance/statements/<int:year>/", finance_views.statement_edit, name="finance-statement"),
    path(
        "finance/statements/<int:year>/delete/",
        finance_views.statement_delete,
        name="finance-statement-delete",
    ),
    path("finance/requests/new/", finance_views.request_new, name="finance-request-new"),
    path("finance/requests/<int:request_id>/", finance_views.request_detail, name="finance-request"),
    path(
        "finance/requests/<int:request_id>/submit/",
        finance_views.request_submit,
        name="finance-request-submit",
    ),
    path(
        "finance/requests/<int:request_id>/withdraw/",
        finance_views.request_withdraw,
        name="finance-request-withdraw",
    ),
    path(
        "finance/requests/<int:request_id>/apply/<int:product_id>/", finance_views.apply, name="finance-apply"
    ),
    path(
        "finance/requests/<int:request_id>/applications/<int:application_id>/reply/",
        finance_views.reply,
        name="finance-application-reply",
    ),
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
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

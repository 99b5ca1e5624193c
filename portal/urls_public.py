"""The public site: <PORTAL_DOMAIN>."""

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.limits import limit_posts
from exhibition.hall import api as hall_api
from exhibition.hall import views as hall_views
from exhibition.hall import views_buyers as hall_buyers
from finance.lending import api as lending_api
from finance.lending import views as lending_views
from manufacturing import api as manufacturing_api
from manufacturing.review import api as review_api
from manufacturing.review import views as review_views
from portal import views
from portal.reports import api as reports_api
from portal.reports import views as reports_views
from portal.urls_common import urlpatterns as common
from tenants import api as tenants_api
from tenants import views_public
from tenants.forms import PasswordResetForm

api_patterns = [
    path("api/v1/reference/cities/", tenants_api.CityListApi.as_view(), name="api-cities"),
    path("api/v1/reference/industries/", tenants_api.IndustryListApi.as_view(), name="api-industries"),
    path("api/v1/registrations/", tenants_api.RegistrationCreateApi.as_view(), name="api-registrations"),
    path(
        "api/v1/registrations/<uuid:registration_id>/",
        tenants_api.RegistrationStatusApi.as_view(),
        name="api-registration",
    ),
    path(
        "api/v1/registrations/<uuid:registration_id>/retry/",
        tenants_api.RegistrationRetryApi.as_view(),
        name="api-registration-retry",
    ),
    path("api/v1/auth/token/", tenants_api.TokenCreateApi.as_view(), name="api-token"),
    path("api/v1/auth/logout/", tenants_api.LogoutApi.as_view(), name="api-logout"),
    path("api/v1/auth/logout-all/", tenants_api.LogoutAllApi.as_view(), name="api-logout-all"),
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
    path("api/v1/reports/dashboard/", reports_api.DashboardApi.as_view(), name="api-report-dashboard"),
    path("api/v1/reports/cities/<slug:code>/", reports_api.CityApi.as_view(), name="api-report-city"),
    path(
        "api/v1/reports/cities/<slug:code>/industries/<slug:industry_code>/enterprises/",
        reports_api.EnterprisesApi.as_view(),
        name="api-report-enterprises",
    ),
    path("api/v1/lending/products/", lending_api.ProductListApi.as_view(), name="api-lending-products"),
    path(
        "api/v1/lending/products/<int:product_id>/",
        lending_api.ProductDetailApi.as_view(),
        name="api-lending-product",
    ),
    path("api/v1/lending/applications/", lending_api.InboxApi.as_view(), name="api-lending-applications"),
    path(
        "api/v1/lending/applications/<int:application_id>/",
        lending_api.ApplicationApi.as_view(),
        name="api-lending-application",
    ),
    path(
        "api/v1/lending/applications/<int:application_id>/respond/",
        lending_api.RespondApi.as_view(),
        name="api-lending-respond",
    ),
    # The public hall: browsing for anyone, inquiries and bookings for buyers, management for admins.
    path("api/v1/hall/exhibitions/", hall_api.ExhibitionListApi.as_view(), name="api-hall-exhibitions"),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/",
        hall_api.ExhibitionDetailApi.as_view(),
        name="api-hall-exhibition",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/open/",
        hall_api.ExhibitionMoveApi.as_view(move="open"),
        name="api-hall-exhibition-open",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/close/",
        hall_api.ExhibitionMoveApi.as_view(move="close"),
        name="api-hall-exhibition-close",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/end/",
        hall_api.ExhibitionMoveApi.as_view(move="end"),
        name="api-hall-exhibition-end",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/sections/",
        hall_api.SectionCreateApi.as_view(),
        name="api-hall-sections",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/participation/",
        hall_api.ParticipationApi.as_view(),
        name="api-hall-participation",
    ),
    path(
        "api/v1/hall/exhibitions/<int:exhibition_id>/booths/",
        hall_api.BoothListApi.as_view(),
        name="api-hall-booths",
    ),
    path("api/v1/hall/booths/<int:listing_id>/", hall_api.BoothDetailApi.as_view(), name="api-hall-booth"),
    path(
        "api/v1/hall/booths/<int:listing_id>/inquiries/",
        hall_api.InquiryCreateApi.as_view(),
        name="api-hall-inquire",
    ),
    path("api/v1/hall/inquiries/", hall_api.MyInquiriesApi.as_view(), name="api-hall-inquiries"),
    path(
        "api/v1/hall/slots/<int:slot_id>/bookings/", hall_api.BookingCreateApi.as_view(), name="api-hall-book"
    ),
    path("api/v1/hall/bookings/", hall_api.MyBookingsApi.as_view(), name="api-hall-bookings"),
    path("api/v1/frameworks/", manufacturing_api.FrameworkListApi.as_view(), name="api-frameworks"),
    path(
        "api/v1/frameworks/<int:framework_id>/",
        manufacturing_api.FrameworkDetailApi.as_view(),
        name="api-framework",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("workspaces/<uuid:registration_id>/open/", views_public.workspace_open, name="workspace-open"),
    path("register/", views_public.register, name="register"),
    path(
        "register/<uuid:registration_id>/", views_public.registration_progress, name="registration-progress"
    ),
    path(
        "register/<uuid:registration_id>/retry/", views_public.registration_retry, name="registration-retry"
    ),
    path("verify-email/<str:token>/", views_public.verify_email, name="verify-email"),
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
    # The exhibition hall: public browsing, and the regional admins' management of exhibitions.
    path("hall/", hall_views.hall, name="hall"),
    path("hall/<int:exhibition_id>/", hall_views.exhibition_hall, name="hall-fair"),
    path("hall/booths/<int:listing_id>/", hall_views.booth, name="hall-booth"),
    path("hall/booths/<int:listing_id>/inquire/", hall_buyers.inquire, name="hall-inquire"),
    path("hall/signup/", hall_buyers.signup, name="hall-signup"),
    path("hall/slots/<int:slot_id>/book/", hall_buyers.book, name="hall-book"),
    path("hall/bookings/", hall_buyers.bookings, name="hall-bookings"),
    path("hall/inquiries/", hall_buyers.inquiries, name="hall-inquiries"),
    path("hall/bookings/<int:booking_id>/meeting.ics", hall_buyers.booking_ics, name="hall-booking-ics"),
    path("hall/images/<int:product_id>/", hall_views.listing_image, name="hall-image"),
    path("hall/manage/", hall_views.manage, name="hall-manage"),
    path("hall/manage/new/", hall_views.exhibition_edit, name="hall-exhibition-new"),
    path("hall/manage/<int:exhibition_id>/", hall_views.exhibition_edit, name="hall-exhibition"),
    path("hall/manage/<int:exhibition_id>/sections/", hall_views.section_add, name="hall-section-add"),
    path(
        "hall/manage/<int:exhibition_id>/participation/", hall_views.participation, name="hall-participation"
    ),
    path(
        "hall/manage/<int:exhibition_id>/<slug:move>/",
        hall_views.exhibition_move,
        name="hall-exhibition-move",
    ),
    # The financial cloud's institution side (institution users; products also regional admins).
    path("lending/applications/", lending_views.inbox, name="lending-inbox"),
    path("lending/applications/<int:application_id>/", lending_views.application, name="lending-application"),
    path("lending/applications/<int:application_id>/respond/", lending_views.respond, name="lending-respond"),
    path("lending/products/", lending_views.products, name="lending-products"),
    path("lending/products/new/", lending_views.product_edit, name="lending-product-new"),
    path("lending/products/<int:product_id>/", lending_views.product_edit, name="lending-product"),
    # Regional cross-city reports (regional admins), with CSV/XLSX exports (?export=csv|xlsx).
    path("reports/", reports_views.dashboard, name="reports"),
    path("reports/cities/<slug:code>/", reports_views.city, name="report-city"),
    path(
        "reports/cities/<slug:code>/industries/<slug:industry>/",
        reports_views.enterprises,
        name="report-enterprises",
    ),
    # One document for both hosts' APIs; see portal/urls_schema.py.
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal.urls_schema"), name="api-schema"),
    # Swagger UI with its init script served as a file (?script), not inline: the page passes the
    # Content-Security-Policy; Swagger UI's style sheet draws its icons with data: images.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    # Password reset (public site): the email carries a one-time link valid for 3 days.
    path(
        "password-reset/",
        limit_posts("password_reset")(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    *api_patterns,
    *common,
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

"""Tenants' routes on the public site: reference data, registration, sign-in tokens, password reset."""

from django.contrib.auth import views as auth_views
from django.urls import path

from core.limits import limit_posts
from tenants import api as tenants_api
from tenants import views_lifecycle, views_public
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
]

pages = [
    path("workspaces/<uuid:registration_id>/open/", views_public.workspace_open, name="workspace-open"),
    path("register/", views_public.register, name="register"),
    path("account/delete/", views_lifecycle.account_delete, name="account-delete"),
    path(
        "register/<uuid:registration_id>/", views_public.registration_progress, name="registration-progress"
    ),
    path(
        "register/<uuid:registration_id>/retry/", views_public.registration_retry, name="registration-retry"
    ),
    path("legal/<str:kind>/", views_public.legal_document, name="legal"),
    path("verify-email/<str:token>/", views_public.verify_email, name="verify-email"),
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
]

urlpatterns = [*pages, *api_patterns]

"""The financial cloud's enterprise side on an enterprise's host."""

from django.urls import path

from finance import api as finance_api
from finance import views as finance_views

api_patterns = [
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
]

pages = [
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
]

urlpatterns = [*pages, *api_patterns]

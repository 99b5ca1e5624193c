"""The regional reports' routes on the public site (regional admins), with CSV/XLSX exports
(?export=csv|xlsx) and the API."""

from django.urls import path

from reports import api as reports_api
from reports import api_programmes, views_programmes
from reports import views as reports_views

api_patterns = [
    path("api/v1/reports/dashboard/", reports_api.DashboardApi.as_view(), name="api-report-dashboard"),
    path("api/v1/reports/cities/<slug:code>/", reports_api.CityApi.as_view(), name="api-report-city"),
    path(
        "api/v1/reports/cities/<slug:code>/industries/<slug:industry_code>/enterprises/",
        reports_api.EnterprisesApi.as_view(),
        name="api-report-enterprises",
    ),
    path(
        "api/v1/reports/programmes/<int:programme_id>/",
        api_programmes.ProgrammeApi.as_view(),
        name="api-report-programme",
    ),
]

pages = [
    # Regional cross-city reports (regional admins), with CSV/XLSX exports (?export=csv|xlsx).
    path("reports/", reports_views.dashboard, name="reports"),
    path("reports/cities/<slug:code>/", reports_views.city, name="report-city"),
    path(
        "reports/cities/<slug:code>/industries/<slug:industry>/",
        reports_views.enterprises,
        name="report-enterprises",
    ),
    # The programme view (transformation programmes the admin sees), with the same exports.
    path("reports/programmes/", views_programmes.programmes, name="report-programmes"),
    path("reports/programmes/<int:programme_id>/", views_programmes.programme, name="report-programme"),
]

urlpatterns = [*pages, *api_patterns]

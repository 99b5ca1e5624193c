"""The assessment frameworks' API, served on both hosts (manufacturing/urls_tenant.py adds it)."""

from django.urls import path

from manufacturing import api as manufacturing_api

api_patterns = [
    path("api/v1/frameworks/", manufacturing_api.FrameworkListApi.as_view(), name="api-frameworks"),
    path(
        "api/v1/frameworks/<int:framework_id>/",
        manufacturing_api.FrameworkDetailApi.as_view(),
        name="api-framework",
    ),
]

urlpatterns = api_patterns

"""The financial cloud's institution side on the public site (institution users; products also
regional admins)."""

from django.urls import path

from finance.lending import api as lending_api
from finance.lending import views as lending_views

api_patterns = [
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
]

pages = [
    # The financial cloud's institution side (institution users; products also regional admins).
    path("lending/applications/", lending_views.inbox, name="lending-inbox"),
    path("lending/applications/<int:application_id>/", lending_views.application, name="lending-application"),
    path("lending/applications/<int:application_id>/respond/", lending_views.respond, name="lending-respond"),
    path("lending/products/", lending_views.products, name="lending-products"),
    path("lending/products/new/", lending_views.product_edit, name="lending-product-new"),
    path("lending/products/<int:product_id>/", lending_views.product_edit, name="lending-product"),
]

urlpatterns = [*pages, *api_patterns]

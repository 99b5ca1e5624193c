"""The exhibition cloud's enterprise side on an enterprise's host."""

from django.urls import path

from exhibition import api as exhibition_api
from exhibition import api_leads as exhibition_api_leads
from exhibition import views as exhibition_views
from exhibition import views_leads as exhibition_leads

api_patterns = [
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
    path("api/v1/exhibition/leads/", exhibition_api_leads.LeadListApi.as_view(), name="api-exhibition-leads"),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/",
        exhibition_api_leads.LeadDetailApi.as_view(),
        name="api-exhibition-lead",
    ),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/reply/",
        exhibition_api_leads.LeadReplyApi.as_view(),
        name="api-exhibition-lead-reply",
    ),
    path(
        "api/v1/exhibition/leads/<int:lead_id>/close/",
        exhibition_api_leads.LeadCloseApi.as_view(),
        name="api-exhibition-lead-close",
    ),
    path("api/v1/exhibition/slots/", exhibition_api_leads.SlotListApi.as_view(), name="api-exhibition-slots"),
    path(
        "api/v1/exhibition/slots/<int:slot_id>/cancel/",
        exhibition_api_leads.SlotCancelApi.as_view(),
        name="api-exhibition-slot-cancel",
    ),
]

pages = [
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
]

urlpatterns = [*pages, *api_patterns]

"""The exhibition hall on the public site: public browsing, inquiries and bookings for buyers, and
the regional admins' management of exhibitions."""

from django.urls import path

from exhibition.hall import api as hall_api
from exhibition.hall import api_buyers as hall_api_buyers
from exhibition.hall import views as hall_views
from exhibition.hall import views_buyers as hall_buyers

api_patterns = [
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
        hall_api_buyers.InquiryCreateApi.as_view(),
        name="api-hall-inquire",
    ),
    path("api/v1/hall/inquiries/", hall_api_buyers.MyInquiriesApi.as_view(), name="api-hall-inquiries"),
    path(
        "api/v1/hall/slots/<int:slot_id>/bookings/",
        hall_api_buyers.BookingCreateApi.as_view(),
        name="api-hall-book",
    ),
    path("api/v1/hall/bookings/", hall_api_buyers.MyBookingsApi.as_view(), name="api-hall-bookings"),
    path(
        "api/v1/hall/bookings/<int:booking_id>/cancel/",
        hall_api_buyers.BookingCancelApi.as_view(),
        name="api-hall-booking-cancel",
    ),
]

pages = [
    # The exhibition hall: public browsing, and the regional admins' management of exhibitions.
    path("hall/", hall_views.hall, name="hall"),
    path("hall/<int:exhibition_id>/", hall_views.exhibition_hall, name="hall-fair"),
    path("hall/booths/<int:listing_id>/", hall_views.booth, name="hall-booth"),
    path("hall/booths/<int:listing_id>/inquire/", hall_buyers.inquire, name="hall-inquire"),
    path("join/", hall_buyers.join, name="join"),
    path("hall/signup/", hall_buyers.signup, name="hall-signup"),
    path("hall/slots/<int:slot_id>/book/", hall_buyers.book, name="hall-book"),
    path("hall/bookings/", hall_buyers.bookings, name="hall-bookings"),
    path("hall/inquiries/", hall_buyers.inquiries, name="hall-inquiries"),
    path("hall/bookings/<int:booking_id>/meeting.ics", hall_buyers.booking_ics, name="hall-booking-ics"),
    path("hall/bookings/<int:booking_id>/cancel/", hall_buyers.booking_cancel, name="hall-booking-cancel"),
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
]

urlpatterns = [*pages, *api_patterns]

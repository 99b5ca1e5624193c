"""URLs served on every host: sign-in, sign-out (tenants), the language switch."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenants.urls_common")),
    path("i18n/", include("django.conf.urls.i18n")),
]

"""URLs served on every host: sign-in, sign-out (tenants), the language switch, and /favicon.ico
(browsers ask for it whatever the page links; it is answered with the SVG icon)."""

from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("tenants.urls_common")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("portal/favicon.svg"), permanent=False),
        name="favicon",
    ),
]

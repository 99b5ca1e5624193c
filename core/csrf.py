"""The answer to a request refused by the CSRF check: a POST from another host's page (its Origin
or Referer is not the host's own), or without the token. Pages get the bilingual 403 page
(CSRF_FAILURE_VIEW, portal.views.csrf_failure), the API the house error body."""

from django.utils.translation import gettext_lazy
from drf_spectacular import authentication as spectacular_authentication
from rest_framework import authentication, exceptions, status

CSRF_REFUSED = gettext_lazy(
    "This request was refused: it was not sent from a page of this site, or the page was open too "
    "long. Reload the page and try again."
)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, refusing a request that fails the CSRF check with the house
    error body in both languages rather than DRF's English "CSRF Failed: ..."."""

    def enforce_csrf(self, request):
        # Here, not at the top: DRF imports this module while rest_framework.views, which core.api
        # imports, is still loading.
        from core.api import ApplicationError

        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise ApplicationError(CSRF_REFUSED, status_code=status.HTTP_403_FORBIDDEN) from exc


class SessionScheme(spectacular_authentication.SessionScheme):
    """The OpenAPI document describes it as DRF's (drf-spectacular matches the exact class)."""

    target_class = SessionAuthentication

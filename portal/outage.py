"""The 503 the platform answers while PostgreSQL or Redis cannot be reached (core/outages.py says which
errors are an outage): given by portal.middleware.OutageMiddleware and by the 500 handler
(portal.views.server_error), so it lives apart from both."""

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from core import outages
from core.api import in_both_languages
from portal.logs import safe_path

OUTAGE_TITLE = gettext_lazy("Back in a moment")


def outage_response(request, exc: BaseException) -> HttpResponse:
    """The 503 of an outage. The page is rendered without the request, so no context processor,
    session, cache or query runs: it renders with PostgreSQL and Redis both down."""
    outages.bursts.record(outages.dependency_down(exc) or "dependency", exc, safe_path(request.path))
    if request.path.startswith("/api/"):
        response = JsonResponse(outages.body(), status=503, json_dumps_params={"ensure_ascii": False})
    else:
        texts = in_both_languages(outages.UNAVAILABLE)
        titles = in_both_languages(OUTAGE_TITLE)
        page = render_to_string("outage.html", {"texts": texts, "titles": titles})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = outages.retry_after()
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # logged once per burst (core/outages.py), not per request
    response.outage = True  # and its request_finished line at INFO, not ERROR (portal/logs.py)
    return response

"""Public-site pages and the health endpoint."""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tenants import roles, selectors
from tenants.members.models import Role
from tenants.services import tenant_url
from worker import status


def home(request):
    from portal.next_steps import public_steps

    return render(
        request,
        "portal/home.html",
        {
            "cities": selectors.report_city_list(),
            "industry_count": selectors.industry_list().count(),
            "steps": public_steps(request.user),
        },
    )


@require_safe
def about(request):
    """Who runs the service (settings PORTAL_OPERATOR_NAME etc., through the context processor)."""
    return render(request, "portal/about.html")


@login_required
def workspaces(request):
    enterprises = []
    for enterprise in selectors.enterprise_list_for_user(user=request.user):
        role = roles.role_of(user=request.user, enterprise=enterprise)
        if role is not None:
            enterprises.append(
                {
                    "enterprise": enterprise,
                    "url": tenant_url(enterprise),
                    "role": role,
                    "role_label": Role(role).label,
                }
            )
    response = render(request, "portal/workspaces.html", {"workspaces": enterprises})
    # Each enterprise's button posts here and is answered with a redirect to the enterprise's host,
    # which browsers check against form-action: this page allows the hosts it lists, and no other.
    # (csp.decorators.csp_update sets the same attribute, from a fixed policy.)
    origins = sorted({"{0.scheme}://{0.netloc}".format(urlsplit(item["url"])) for item in enterprises})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means the database is not usable
        return {"ok": False, "error": exc.__class__.__name__}


def not_found(request, exception=None):
    """404 for every host and urlconf: JSON under /api/, the bilingual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """403 for a form that fails the CSRF check (another host's Origin, a missing token): the
    bilingual page, or the house error body under /api/. `reason` is Django's, for the log only."""
    from core.api import in_both_languages
    from core.csrf import CSRF_REFUSED

    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(CSRF_REFUSED), "messages": in_both_languages(CSRF_REFUSED)}, status=403
        )
    return render(request, "403.html", {"exception": CSRF_REFUSED}, status=403)


def server_error(request):
    """500, unless the error is an outage of PostgreSQL or Redis (from a view or any middleware:
    Django calls this handler inside the `except` that caught it): then the calm 503."""
    import sys

    from core.outages import dependency_down
    from portal.outage import outage_response

    error = sys.exc_info()[1]
    if error is not None and dependency_down(error) is not None:
        return outage_response(request, error)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error / 服务器错误"}, status=500)
    return render(request, "500.html", status=500)


def _schemas_state() -> dict:
    """Enterprise schemas at the code's migration state, and how many are still being upgraded
    (they answer 503 until then; the platform itself is healthy meanwhile)."""
    from tenants import upgrades

    try:
        return {"ok": True, **upgrades.progress()}
    except Exception as exc:  # noqa: BLE001 - reported, never a 500 from /healthz
        return {"ok": False, "error": exc.__class__.__name__}


@never_cache
@require_safe
def healthz(request):
    """200 when the database, Redis and at least one Celery worker answer; 503 otherwise.

    Beat is reported but does not make the platform unhealthy: a stopped beat delays the periodic
    sweeps and nothing else.
    """
    checks = {"database": _database_state(), "redis": status.redis_state()}
    if checks["database"]["ok"]:
        checks["schemas"] = _schemas_state()
    if checks["redis"]["ok"]:
        checks["workers"] = status.workers_state()
        checks["beat"] = status.beat_state()
    else:
        checks["workers"] = {"ok": False, "count": 0, "error": "redis unavailable"}
        checks["beat"] = {"ok": False, "error": "redis unavailable"}
    down = [name for name in ("database", "redis", "workers") if not checks[name]["ok"]]
    # "down" names what an operator must bring back, first things first.
    body = {"status": "unavailable" if down else "ok", "down": down, **checks}
    healthy = not down
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})

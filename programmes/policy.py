"""Who may do what in the programmes: the one place each permission is decided.

* A **provider user** (platform role `provider`) acts for exactly one active provider.
* A **regional admin** manages a programme when every one of its cities lies in their scope; they
  see (read-only) a programme when any of its cities does. An admin of the whole region manages all.
* An **enterprise** sees its own projects only: every query on its host filters by its id.

A user without the right gets a 404 (the thing does not exist for them), never a 403 that would
confirm it exists."""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.roles import PlatformRole, has_platform_role, is_regional_admin, region_in_scope, scope_q
from programmes.models import Programme, Project, Provider


def provider_of(user) -> Provider | None:
    if not has_platform_role(user, PlatformRole.PROVIDER):
        return None
    link = getattr(user, "provider_link", None)
    return link.provider if link is not None and link.provider.is_active else None


def require_provider(user) -> Provider:
    provider = provider_of(user)
    if provider is None:
        raise Http404
    return provider


def programmes_seen(user) -> QuerySet[Programme]:
    """The programmes a regional admin sees: those with a city in their scope (404 for others)."""
    if not is_regional_admin(user):
        raise Http404
    if user.scope_region is None:
        return Programme.objects.all()
    return Programme.objects.filter(pk__in=Programme.objects.filter(_cities_in(user)).values("pk"))


def projects_seen(user) -> QuerySet[Project]:
    """The projects a regional admin sees: those of the programmes they see, of enterprises in their
    scope (an admin who sees a Beijing-and-Tianjin programme from Beijing sees the Beijing projects
    only; one who manages it has every city in scope, so sees them all)."""
    # The project's own `city` and `province_code` (the enterprise's when it applied): scope_q's fields.
    return Project.objects.filter(programme__in=programmes_seen(user)).filter(scope_q(user))


def _cities_in(user) -> Q:
    return scope_q(user, city="cities__code", province="cities__province_code")


def manages(user, programme: Programme) -> bool:
    """Every city of the programme lies in the admin's scope. A programme without a city (the form
    and the API require one) is the whole region's: only an admin without a scope manages it, so a
    city's or a province's admin is never asked to decide on it, or notified of it."""
    if not is_regional_admin(user):
        return False
    cities = list(programme.cities.all())
    if not cities:
        return user.scope_region is None
    return all(region_in_scope(user, city) for city in cities)


def programme_managed(user, programme_id, *, lock: bool = False) -> Programme:
    """The programme the admin manages, optionally locked (select_for_update); 404 otherwise."""
    try:
        programme_id = int(programme_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rows = programmes_seen(user).filter(pk=programme_id)
    if lock:
        rows = Programme.objects.select_for_update().filter(pk__in=rows.values("pk"))
    programme = rows.first()
    if programme is None or not manages(user, programme):
        raise Http404
    return programme

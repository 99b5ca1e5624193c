"""The programmes on the public site: the public programme list, the solution catalogue and the
providers' public pages; the providers' workspace; the regional admins' programme management."""

from programmes import (
    api_admin,
    api_provider_projects,
    api_providers,
    views_admin,
    views_provider_projects,
    views_providers,
)

AREAS = (
    views_providers,
    api_providers,
    views_admin,
    api_admin,
    views_provider_projects,
    api_provider_projects,
)

pages = [route for area in AREAS for route in area.pages]
api_patterns = [route for area in AREAS for route in area.api_patterns]

urlpatterns = [*pages, *api_patterns]

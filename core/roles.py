"""The platform's roles (who works across enterprises) and a regional admin's scope.

A user's `platform_role` is one of PlatformRole (tenants.User keeps it); a regional admin's
`scope_region` is a region (tenants.Region) or None for the whole region. Roles inside one
enterprise (owner, admin, member, viewer) are the tenants app's (tenants/roles.py)."""

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

PROVINCE = "province"  # tenants.Region.Level.PROVINCE: a scope of a whole province


class PlatformRole(models.TextChoices):
    NONE = "", _("None")
    ASSESSOR = "assessor", _("Assessor")
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    INSTITUTION = "institution", _("Financial institution user")
    PROVIDER = "provider", _("Digital service provider user")


def has_platform_role(user, role: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.platform_role == role)


def is_assessor(user) -> bool:
    return has_platform_role(user, PlatformRole.ASSESSOR)


def is_provider(user) -> bool:
    return has_platform_role(user, PlatformRole.PROVIDER)


def is_regional_admin(user) -> bool:
    return has_platform_role(user, PlatformRole.REGIONAL_ADMIN)


def require_regional_admin(user) -> None:
    """404 for anyone but a regional admin: the pages and API of the regional work do not exist
    for others."""
    if not is_regional_admin(user):
        raise Http404


def region_in_scope(user, city) -> bool:
    """The same rule as `scope_q`, for one city (a region with `code` and `province_code`): the
    whole region without a scope, the province's cities for a province's scope, the city itself
    otherwise."""
    region = user.scope_region
    if region is None:
        return True
    if region.level == PROVINCE:
        return city.province_code == region.province_code
    return city.code == region.code


def scope_q(user, *, city: str = "city", province: str = "province_code") -> Q:
    """What lies in a regional admin's scope, as a filter on rows whose city and province code are
    the fields named (by default `city` and `province_code`): the whole region without a scope, the
    province for a province's scope, the city (or municipality) otherwise."""
    region = user.scope_region
    if region is None:
        return Q()
    if region.level == PROVINCE:
        return Q(**{province: region.province_code})
    return Q(**{city: region.pk})  # the key: a foreign key to a region, or a region's own code

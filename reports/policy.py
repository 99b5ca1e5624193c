"""Who may see an enterprise in the regional reports: the one rule, used by the pages, the API and
the selectors alike (tests/test_reports_policy.py).

Aggregates (counts, averages, shares per city) are region-wide: every regional admin compares every
city. The enterprises behind a figure (name, result, level) are listed only to a regional admin whose
scope holds their city: the whole region, the province (Hebei's cities), or the one city
(core.roles.region_in_scope, the same rule as the scope filter every other list uses)."""

from core.roles import is_regional_admin, region_in_scope


def enterprises_visible(user, city) -> bool:
    """May `user` see the enterprises of `city` (not just its aggregates)?"""
    return is_regional_admin(user) and region_in_scope(user, city)

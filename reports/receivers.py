"""The reports listen to what the apps below them announce (connected in ReportsConfig.ready()), and
keep their cells in step inside the announcing transaction: a published fact and its cells, or a
ready enterprise and its registration count, commit or roll back together, as when the producers
called the rollup themselves. The producers import nothing of the reports."""

import threading

from reports import rollup

# Per thread (a thread has its own database connection, hence its own transaction): the cells an
# enterprise's facts were counted in when the publisher announced the change, until it announces the
# change done. A change that raised leaves its entry behind; the next announcement replaces it.
_counted_before = threading.local()


def _pending() -> dict:
    if not hasattr(_counted_before, "places"):
        _counted_before.places = {}
    return _counted_before.places


def facts_changing(sender, *, tenant_id: int, framework_id: int, **kwargs) -> None:
    _pending()[tenant_id, framework_id] = rollup.facts_places(tenant_id=tenant_id, framework_id=framework_id)


def facts_changed(sender, *, tenant_id: int, framework_id: int, **kwargs) -> None:
    before = _pending().pop((tenant_id, framework_id), None)
    if before is None:
        # Announced done without being announced first: the windows still stored are the ones before.
        before = rollup.facts_places(tenant_id=tenant_id, framework_id=framework_id)
    rollup.facts_recount(tenant_id=tenant_id, framework_id=framework_id, before=before)


def enterprise_ready(sender, *, enterprise, **kwargs) -> None:
    """Provisioning makes an enterprise ready once: +1 on its registration cells (rollup.registered_add)."""
    rollup.registered_add(
        city=enterprise.city_id,
        industry=enterprise.industry_id,
        size=enterprise.revenue_band,
        quarter=rollup.quarter_of(enterprise.provisioned_at),
    )

"""The manufacturing app's published interface for other apps.

Domain apps (manufacturing, finance, exhibition) do not import one another's models, services or
selectors: what another app may know of the industrial cloud is here, as functions that take plain
ids and return plain values (dicts, numbers, strings), never model instances or querysets, so the
manufacturing app may change its tables without its readers noticing. Today the financial cloud reads
an enterprise's verified level (matching loans to requests, and what an enterprise may share with a
lender). Add to this module, never around it.
"""


def verified_level(*, tenant_id: int) -> dict | None:
    """The enterprise's newest verified level in the default framework, as the review published it
    (the assessment facts, public schema): {"level", "total", "framework": "code version",
    "approved_at": ISO 8601}; None when it was never verified."""
    from manufacturing.review.models import AssessmentFact

    fact = (
        AssessmentFact.objects.filter(tenant_id=tenant_id, framework__is_default=True, is_latest=True)
        .select_related("framework")
        .order_by("-approved_at")
        .first()
    )
    if fact is None:
        return None
    return {
        "level": fact.level,
        "total": fact.total,
        "framework": f"{fact.framework.code} {fact.framework.version}",
        "approved_at": fact.approved_at.isoformat(),
    }

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


# --- transformation programmes (programmes/) ------------------------------------------------------------


def verified_fact(*, tenant_id: int, framework_id: int, assessment_id: int | None = None) -> dict | None:
    """An enterprise's verified assessment in one framework version, as the review published it
    (public schema): the newest one, or the one named by `assessment_id`. {"assessment_id", "level",
    "total", "approved_at", "submitted_at" (datetimes; submitted_at None if unknown), "assessor_id"};
    None when there is none."""
    from manufacturing.review.models import AssessmentFact, ReviewCase

    facts = AssessmentFact.objects.filter(tenant_id=tenant_id, framework_id=framework_id)
    if assessment_id is not None:
        facts = facts.filter(assessment_id=assessment_id)
    fact = facts.order_by("-approved_at").first()
    if fact is None:
        return None
    return {
        "assessment_id": fact.assessment_id,
        "level": fact.level,
        "total": fact.total,
        "approved_at": fact.approved_at,
        "submitted_at": ReviewCase.objects.filter(tenant_id=tenant_id, assessment_id=fact.assessment_id)
        .values_list("submitted_at", flat=True)
        .first(),
        "assessor_id": fact.assessor_id,
    }


def verified_gaps(*, assessment_id: int) -> dict | None:
    """The ranked gaps of a verified assessment of the enterprise whose schema the connection is in
    (the caller is on that enterprise's host or a worker that set it): {"framework_id", "level",
    "gaps": [{"key", "gain"}], "scene_gaps": [{"key", "level", "target_level", "constraint"}]}, as the
    assessor verified them; None when the assessment is not verified."""
    from manufacturing.models import Assessment

    assessment = (
        Assessment.objects.filter(pk=assessment_id, status=Assessment.Status.VERIFIED)
        .only("framework_id", "verified_result")
        .first()
    )
    if assessment is None or not assessment.verified_result:
        return None
    result = assessment.verified_result
    return {
        "framework_id": assessment.framework_id,
        "level": result.get("level"),
        "gaps": [{"key": g["key"], "gain": g["gain"]} for g in result.get("gaps", [])],
        "scene_gaps": [
            {k: g[k] for k in ("key", "level", "target_level", "constraint")}
            for g in result.get("scene_gaps", [])
        ],
    }


def framework_items(*, framework_id: int) -> dict | None:
    """The scenes and questions of a framework version (for a solution to say what it improves):
    {"scenes": {key: {"zh", "en"}}, "questions": {key: {"zh", "en"}}, "levels": [level numbers]};
    None for an unknown framework."""
    from manufacturing import scoring
    from manufacturing.frameworks.models import Framework

    framework = Framework.objects.filter(pk=framework_id).only("definition").first()
    if framework is None:
        return None
    ix = scoring.index(framework.definition)
    return {
        "scenes": {k: dict(s["name"]) for k, s in ix.scenes.items()},
        "questions": {k: dict(q["text"]) for k, q in ix.questions.items()},
        "levels": sorted({r["level"] for r in framework.definition.get("level_rules", [])}),
    }


def on_facts_changed(receiver, *, dispatch_uid: str) -> None:
    """Connects `receiver(sender, *, tenant_id, framework_id, **kwargs)` to the review's announcement
    that an enterprise's verified facts of one framework version changed (sent inside the publishing
    transaction: what the receiver writes commits or rolls back with the facts)."""
    from manufacturing.review.signals import facts_changed

    facts_changed.connect(receiver, dispatch_uid=dispatch_uid, weak=False)


def default_framework_id() -> int | None:
    from manufacturing.frameworks.models import Framework

    return Framework.objects.filter(is_default=True).values_list("pk", flat=True).first()

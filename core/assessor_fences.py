"""Assessors kept from verifying an assessment: a kernel registry the review asks, which apps above
it fill in at start-up (docs/architecture.md, "When a lower app needs a higher one to act").

A fence is a function `(tenant_id, assessment_id) -> {user_id: {"zh", "en"}}`: the assessors who
must not verify this assessment of this enterprise, each with the reason in both languages. The
transformation programmes register one: the assessor who verified a project's *before* level may not
verify its *after* level. The kernel imports no app; the review imports only this module."""

from collections.abc import Callable

Fence = Callable[..., dict]

_fences: list[Fence] = []


def fence_with(fn: Fence) -> Fence:
    """Registers a fence (idempotent: registering the same function twice keeps one)."""
    if fn not in _fences:
        _fences.append(fn)
    return fn


def excluded(*, tenant_id: int, assessment_id: int) -> dict[int, dict]:
    """Every assessor some fence keeps from this assessment: user id -> {"zh", "en"} (the first
    fence's reason when several name the same person)."""
    found: dict[int, dict] = {}
    for fence in _fences:
        for user_id, reason in (fence(tenant_id=tenant_id, assessment_id=assessment_id) or {}).items():
            found.setdefault(int(user_id), reason)
    return found

"""Reads of the review: the verified answers (the enterprise's with the assessor's overrides), and
the regional admins' cases and audit log in their scope. Writes are in assignments, workbench and
publishing."""

from django.db.models import Exists, OuterRef, Q

from core.models import AuditEvent
from core.roles import require_regional_admin, scope_q
from manufacturing.answers import answers_of
from manufacturing.models import Assessment, Override
from manufacturing.review.models import Assignment, ReviewCase


def verified_answers(assessment: Assessment) -> dict[str, dict]:
    """The enterprise's answers with the assessor's overrides applied (inside the tenant)."""
    answers = answers_of(assessment)
    answers.update(dict(Override.objects.filter(assessment=assessment).values_list("key", "value")))
    return answers


def cases_in_scope(admin):
    """The regional admin's cases (404 for anyone else), each with `has_assessor`; pages and API."""
    require_regional_admin(admin)
    active = Assignment.objects.filter(case=OuterRef("pk"), status__in=Assignment.ACTIVE)
    return (
        ReviewCase.objects.filter(scope_q(admin))
        .select_related("tenant", "city", "industry", "framework")
        .annotate(has_assessor=Exists(active))
        .order_by("submitted_at", "pk")
    )


def audit_in_scope(admin):
    """The audit rows of the enterprises in the regional admin's scope, and the platform's own rows
    that concern no enterprise (exhibitions), 404 for anyone else. The public rows only: who, what,
    when, which assessment and question; never the enterprises' private values."""
    require_regional_admin(admin)
    in_scope = ReviewCase.objects.filter(scope_q(admin)).values("tenant_id")
    return AuditEvent.objects.select_related("actor", "tenant").filter(
        Q(tenant_id__in=in_scope) | Q(tenant__isnull=True)
    )

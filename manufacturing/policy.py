"""Who may read what of an enterprise's assessments, as one named rule each, so the enterprise's
pages, its API and the assessor's workbench ask the same question and cannot drift apart."""

from core.roles import is_assessor, is_regional_admin
from manufacturing.review.models import Assignment
from tenants.roles import role_of


def evidence_readable_by(*, user, enterprise, assessment_id: int) -> bool:
    """Whether `user` may read the evidence files of `enterprise`'s assessment `assessment_id`.

    Evidence is the enterprise's private material (contracts, photos of its plant), never public
    media. Its members read it, whatever their role (a viewer too). Outside the enterprise, only the
    assessor of an active (open or returned) assignment on that very assessment reads it: the
    assignment is the only way a person works across tenants, so it ends when the assignment is
    approved or cancelled. Nobody else: not a regional admin (who assigns from the public index and
    never needs the files), not another assessor, not a member of another enterprise. Assessment ids
    repeat across enterprises' schemas, so the assignment must be for this enterprise's case."""
    if enterprise is None or not user.is_authenticated:
        return False
    if role_of(user=user, enterprise=enterprise) is not None:
        return True
    return (
        is_assessor(user)
        and Assignment.objects.filter(
            assessor=user,
            status__in=Assignment.ACTIVE,
            case__tenant=enterprise,
            case__assessment_id=assessment_id,
        ).exists()
    )


def framework_notes_visible_to(user) -> bool:
    """Whether `user` reads the platform's own remarks in a framework definition (its `notes` and a
    question's `note`: uncertainties, provisional values awaiting the official text). They help the
    people who check and run assessments weigh an answer; an enterprise answering reads the
    question's help only, so a remark about the platform's sources never reads as part of the
    question. Assessors, regional admins and the platform's operators (staff)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or is_assessor(user) or is_regional_admin(user))

"""Next steps for each home page, from the user's real state.

* An enterprise's workspace: providers registered into tenants.next_steps at start-up (PortalConfig
  .ready()). They live here, in the roof layer, because tenants (which owns the workspace home) may
  not import manufacturing, finance or exhibition, and those three may not import one another; the
  portal may read them all, through their selectors and interface.
* The public site: `public_steps`, per platform role, for an enterprise member, a buyer and a visitor.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.members.models import ROLE_RANK, Role
from tenants.next_steps import Step, register


def _can_edit(role: str) -> bool:
    return ROLE_RANK.get(role, 0) >= ROLE_RANK[Role.MEMBER]


# --- the workspace --------------------------------------------------------------------------------


def assessment_steps(*, request, enterprise, role: str) -> list[Step]:
    """Start, continue or revise the assessment, or say what happens to a submitted one."""
    from manufacturing import selectors
    from manufacturing.models import Assessment

    latest = selectors.assessment_summaries().first()
    status = Assessment.Status
    if latest is None:
        if not _can_edit(role):
            return []
        return [
            Step(
                key="assessment-start",
                title=_("Take the MIIT digital-maturity assessment"),
                text=_(
                    "Answer the questions of the SME digital-transformation assessment; you can stop "
                    "and continue at any time. A verified result opens matching loan products and the "
                    "exhibition hall to you."
                ),
                url=reverse("assessments"),
                action=_("Start the assessment"),
                method="post" if selectors.framework_default() is not None else "get",
            )
        ]
    if latest.status in (status.DRAFT, status.RETURNED):
        if not _can_edit(role):  # a viewer cannot answer: nothing for them to do
            return []
        returned = latest.status == status.RETURNED
        return [
            Step(
                key="assessment-returned" if returned else "assessment-continue",
                title=_("Revise your assessment") if returned else _("Continue your assessment"),
                text=_(
                    "The assessor returned it with comments: revise the answers concerned and "
                    "submit it again."
                )
                if returned
                else _(
                    "Your assessment is a draft: answer the remaining questions and submit it for "
                    "verification."
                ),
                url=reverse("assessment-step", kwargs={"assessment_id": latest.pk, "step": 1}),
                action=_("Continue"),
                status="warn",
                status_label=latest.get_status_display(),
            )
        ]
    if latest.status in (status.SUBMITTED, status.SCORED, status.VERIFYING):
        return [
            Step(
                key="assessment-waiting",
                title=_("Your assessment is awaiting verification"),
                text=_(
                    "An assessor checks the answers and evidence; you will get a notice when the "
                    "result is verified or if anything needs changing. Nothing to do meanwhile."
                ),
                url=reverse("assessment-result", kwargs={"assessment_id": latest.pk}),
                action=_("See the self-assessment"),
                status="info",
                status_label=latest.get_status_display(),
            )
        ]
    return []


def verified_steps(*, request, enterprise, role: str) -> list[Step]:
    """Once verified: matching loan products and a booth in the hall."""
    from exhibition.models import Booth
    from finance import selectors as finance_selectors
    from manufacturing.interface import verified_level

    level = verified_level(tenant_id=enterprise.pk)
    if level is None:
        return []
    steps = []
    badge = _("Verified level L%(level)s") % {"level": level["level"]}
    if not finance_selectors.request_list().exists():
        steps.append(
            Step(
                key="finance-match",
                title=_("See the loan products that match you"),
                text=_(
                    "Your verified level counts with the region's banks: describe a financing need "
                    "(amount in 10,000 yuan, term, purpose) and see the products that fit it."
                ),
                url=reverse("finance-request-new") if _can_edit(role) else reverse("finance"),
                action=_("Describe a financing need") if _can_edit(role) else _("Open the financial cloud"),
                status="ok",
                status_label=badge,
            )
        )
    if _can_edit(role) and not Booth.objects.exists():  # a viewer cannot open one
        steps.append(
            Step(
                key="exhibition-booth",
                title=_("Open a booth in the exhibition hall"),
                text=_(
                    "Show your products at the region's online trade fairs and receive buyers' inquiries."
                ),
                url=reverse("exhibition-booths"),
                action=_("Open a booth"),
                status="ok",
                status_label=badge,
            )
        )
    return steps


def register_workspace_providers() -> None:
    register(assessment_steps, order=10)
    register(verified_steps, order=20)


# --- the public site ------------------------------------------------------------------------------


def _step(key, title, text, url, action, **extra) -> Step:
    return Step(key=key, title=title, text=text, url=url, action=action, **extra)


def _counted(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count) % {"count": count}


def public_steps(user) -> list[Step]:
    """What the signed-in person (or a visitor) can do next, from their role and their work."""
    if not user.is_authenticated:
        # Registering an enterprise and signing in are the hero's two buttons.
        return [
            _step(
                "visitor-buyer",
                _("Sign up as a buyer"),
                _("Buyers send inquiries to exhibitors and book meetings with them."),
                reverse("hall-signup"),
                _("Sign up as a buyer"),
            ),
            _step(
                "visitor-hall",
                _("Visit the exhibition hall"),
                _("Browse the booths and products of the region's manufacturers, no account needed."),
                reverse("hall"),
                _("Visit the hall"),
            ),
        ]
    role = user.platform_role
    if role == "assessor":
        from manufacturing.review.models import Assignment

        count = Assignment.objects.filter(assessor=user, status__in=Assignment.ACTIVE).count()
        return [
            _step(
                "assessor-assignments",
                _("Your assignments"),
                ngettext(
                    "%(count)s assessment waits for your verification.",
                    "%(count)s assessments wait for your verification.",
                    count,
                )
                % {"count": count}
                if count
                else _("No assessment waits for you; you will get a notice when one is assigned."),
                reverse("review-assignments"),
                _("Open my assignments"),
                status="warn" if count else "",
                status_label=str(count) if count else "",
            )
        ]
    if role == "regional_admin":
        from manufacturing.review.models import ReviewCase
        from manufacturing.review.selectors import cases_in_scope

        unassigned = cases_in_scope(user).filter(status=ReviewCase.Status.SCORED, has_assessor=False).count()
        return [
            _step(
                "admin-cases",
                _("Assign assessors"),
                ngettext(
                    "%(count)s submitted assessment has no assessor yet.",
                    "%(count)s submitted assessments have no assessor yet.",
                    unassigned,
                )
                % {"count": unassigned}
                if unassigned
                else _("Every submitted assessment in your area has an assessor."),
                reverse("review-cases"),
                _("Open assessments to verify"),
                status="warn" if unassigned else "",
                status_label=str(unassigned) if unassigned else "",
            ),
            _step(
                "admin-reports",
                _("Regional reports"),
                _("Verified levels and registrations by city, industry and quarter."),
                reverse("reports"),
                _("Open the reports"),
            ),
        ]
    if role == "institution":
        from finance.lending import selectors as lending_selectors
        from finance.lending import services as lending_services
        from finance.lending.models import Application

        institution = lending_services.institution_of(user)
        count = (
            lending_selectors.inbox(institution=institution).filter(status__in=Application.OPEN).count()
            if institution is not None
            else 0
        )
        return [
            _step(
                "bank-inbox",
                _("Loan applications"),
                ngettext(
                    "%(count)s application waits for your answer.",
                    "%(count)s applications wait for your answer.",
                    count,
                )
                % {"count": count}
                if count
                else _("No application waits for an answer."),
                reverse("lending-inbox"),
                _("Open loan applications"),
                status="warn" if count else "",
                status_label=str(count) if count else "",
            ),
            _step(
                "bank-products",
                _("Your loan products"),
                _("Keep your products current: enterprises are matched against them."),
                reverse("lending-products"),
                _("Manage loan products"),
            ),
        ]
    from tenants import selectors
    from tenants.services import tenant_url

    enterprises = list(selectors.enterprise_list_for_user(user=user)[:5])
    if enterprises:
        return [
            _step(
                "member-workspace",
                _("Open the workspace of %(name)s") % {"name": enterprise.display_name},
                _("Assessments, finance and exhibition of your enterprise."),
                f"{reverse('go')}?{urlencode({'next': tenant_url(enterprise, '/')})}",
                _("Open the workspace"),
            )
            for enterprise in enterprises
        ]
    from exhibition.hall.selectors import buyer_bookings, buyer_inquiries

    return [
        _step(
            "buyer-hall",
            _("Find suppliers in the exhibition hall"),
            _("Browse booths and products, send inquiries and book meetings."),
            reverse("hall"),
            _("Visit the hall"),
        ),
        _step(
            "buyer-inquiries",
            _("Your inquiries"),
            _counted("%(count)s inquiry sent.", "%(count)s inquiries sent.", buyer_inquiries(user).count()),
            reverse("hall-inquiries"),
            _("Open my inquiries"),
        ),
        _step(
            "buyer-meetings",
            _("Your meetings"),
            _counted("%(count)s meeting booked.", "%(count)s meetings booked.", buyer_bookings(user).count()),
            reverse("hall-bookings"),
            _("Open my meetings"),
        ),
    ]

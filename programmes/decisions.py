"""The regional admin's decisions: provider applications (accept, reject with a reason), projects
(approve: the subsidy is reserved; return with a reason) and subsidies (grant; refuse with a reason:
the reservation is released).

Each decision locks its row (select_for_update; a project's row before its programme's, always), is
taken only by an admin who manages the programme (policy.programme_managed's rule; 404 otherwise, also
for an admin who only sees it), writes its event and marks the project's fact in the same
transaction, and notifies the enterprise's owners and administrators and the provider's users.

**Refusing a subsidy** is the decision on a verified project (whether or not it met the target), or on
a failed one: approved or completed but not verified by the date the programme's projects had to
complete by. Before that date an approved project may still succeed, so it cannot be refused."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError, small_id
from core.roles import PlatformRole
from programmes import budget, events, facts, policy
from programmes.forms_admin import REASON_MAX
from programmes.models import Enrolment, Event, Programme, Project
from tenants.models import User

# Where the people notified read the project (the enterprise's host; the provider's workspace on the
# public site) and the provider its application (the programme's public page).
ENTERPRISE_PROJECT_PATH = "/transformation/projects/{id}/"
PROVIDER_PROJECT_PATH = "/provider/projects/{id}/"
PROGRAMME_PATH = "/programmes/{id}/"


def _name(obj):
    """A Bilingual object's name, lazily in the language each notice is written in."""
    return lazy(lambda: obj.name, str)()


def _reason(reason, *, required: bool) -> str:
    text = reason.strip() if isinstance(reason, str) else None
    if reason is None:
        text = ""
    if text is None:
        raise ApplicationError(_("The reason must be text."), extra={"field": "reason"})
    if required and not text:
        raise ApplicationError(
            _("Give a reason: the people concerned will read it."), extra={"field": "reason"}
        )
    if "\x00" in text:
        raise ApplicationError(
            _("The reason contains a character that cannot be stored."), extra={"field": "reason"}
        )
    if len(text) > REASON_MAX:
        raise ApplicationError(
            _("The reason is too long (2,000 characters at most)."), extra={"field": "reason"}
        )
    return text


# --- who is told ------------------------------------------------------------------------------------------


def provider_users(provider) -> list:
    if provider is None:
        return []
    return list(
        User.objects.filter(
            provider_link__provider=provider, platform_role=PlatformRole.PROVIDER, is_active=True
        ).order_by("pk")
    )


def _notify_project(project: Project, message, params=None) -> None:
    """The enterprise's owners and administrators, and the provider's users."""
    from core.notices import notify
    from tenants.members.selectors import enterprise_admins
    from tenants.registration import public_url
    from tenants.services import tenant_url

    params = {"programme": _name(project.programme), **(params or {})}
    notify(
        users=enterprise_admins(project.tenant),
        message=message,
        params=params,
        url=tenant_url(project.tenant, ENTERPRISE_PROJECT_PATH.format(id=project.pk)),
        about=project.tenant_id,
    )
    users = provider_users(project.provider)
    if users:
        notify(
            users=users,
            message=message,
            params=params,
            url=public_url(PROVIDER_PROJECT_PATH.format(id=project.pk)),
            about=project.tenant_id,
        )


# --- the locks and the fence --------------------------------------------------------------------------------


def _managed_locked(rows, admin, raw_id):
    """The row (a project or a provider application) of a programme the admin manages, locked
    (select_for_update of its own row only); 404 for anyone else, and for an id that is not one."""
    seen = policy.programmes_seen(admin)  # 404 for anyone but a regional admin
    pk = small_id(raw_id)
    if pk is None:
        raise Http404
    row = rows.select_for_update(of=("self",)).filter(pk=pk, programme__in=seen).first()
    if row is None or not policy.manages(admin, row.programme):
        raise Http404
    return row


def _project_locked(admin, project_id) -> Project:
    rows = Project.objects.select_related("programme", "tenant", "provider")
    return _managed_locked(rows, admin, project_id)


def _wrong_state(project: Project, wanted) -> ConflictError:
    return ConflictError(
        _("This project is %(state)s; the decision needs it %(wanted)s."),
        params={"state": Project.State(project.state).label, "wanted": Project.State(wanted).label},
        extra={"state": project.state},
    )


def _done(project: Project, *, admin, action, old, detail=None, reason="", fields=()) -> None:
    project.save(update_fields=["state", "updated_at", *fields])
    events.record(
        actor=admin, action=action, project=project, old=old, new=project.state, detail=detail, reason=reason
    )
    facts.fact_changed(project)


# --- provider applications ---------------------------------------------------------------------------------


@transaction.atomic
def enrolment_decide(*, admin, enrolment_id, accept: bool, reason="") -> Enrolment:
    """Accepts or rejects (a reason required) a pending provider application."""
    rows = Enrolment.objects.select_related("programme", "provider")
    enrolment = _managed_locked(rows, admin, enrolment_id)
    if not isinstance(accept, bool):
        raise ApplicationError(
            _("Say whether the provider is accepted (true or false)."), extra={"field": "accept"}
        )
    text = _reason(reason, required=not accept)
    if enrolment.status != Enrolment.Status.PENDING:
        raise ConflictError(
            _("This application has already been decided: %(status)s."),
            params={"status": Enrolment.Status(enrolment.status).label},
            extra={"status": enrolment.status},
        )
    if enrolment.programme.state == Programme.State.FINISHED:
        raise ConflictError(_("The programme is finished: its provider list is closed."))
    old = enrolment.status
    enrolment.status = Enrolment.Status.ACCEPTED if accept else Enrolment.Status.REJECTED
    enrolment.reason = text
    enrolment.decided_by = admin
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    events.record(
        actor=admin,
        action=Event.Action.ENROLMENT_ACCEPTED if accept else Event.Action.ENROLMENT_REJECTED,
        programme=enrolment.programme,
        provider=enrolment.provider,
        old=old,
        new=enrolment.status,
        reason=text,
    )
    from core.notices import notify
    from tenants.registration import public_url

    if accept:
        message = _("Your application to the provider list of %(programme)s was accepted.")
    else:
        message = _("Your application to the provider list of %(programme)s was rejected: %(reason)s")
    notify(
        users=provider_users(enrolment.provider),
        message=message,
        params={"programme": _name(enrolment.programme), "reason": text},
        url=public_url(PROGRAMME_PATH.format(id=enrolment.programme_id)),
    )
    return enrolment


# --- projects ----------------------------------------------------------------------------------------------


@transaction.atomic
def project_approve(*, admin, project_id) -> Project:
    """submitted -> approved: the subsidy min(share x contract, cap) is reserved from the budget
    (409 naming what remains when it does not fit; nothing changed)."""
    project = _project_locked(admin, project_id)
    if project.state != Project.State.SUBMITTED:
        raise _wrong_state(project, Project.State.SUBMITTED)
    amount = budget.reserve(project=project)
    old = project.state
    project.state = Project.State.APPROVED
    project.approved_at = timezone.now()
    _done(
        project,
        admin=admin,
        action=Event.Action.PROJECT_APPROVED,
        old=old,
        detail={
            "contract_amount": str(project.contract_amount),
            "subsidy_reserved": str(amount),
            "remaining": str(project.programme.remaining),
        },
        fields=("approved_at", "subsidy_reserved"),
    )
    _notify_project(
        project,
        _("Your project in %(programme)s was approved; a subsidy of up to CNY %(amount)s is reserved."),
        {"amount": budget.money(amount)},
    )
    return project


@transaction.atomic
def project_return(*, admin, project_id, reason) -> Project:
    """submitted -> returned, with the reason the enterprise reads (it may submit again)."""
    project = _project_locked(admin, project_id)
    text = _reason(reason, required=True)
    if project.state != Project.State.SUBMITTED:
        raise _wrong_state(project, Project.State.SUBMITTED)
    old = project.state
    project.state = Project.State.RETURNED
    project.reason = text
    _done(
        project, admin=admin, action=Event.Action.PROJECT_RETURNED, old=old, reason=text, fields=("reason",)
    )
    _notify_project(project, _("Your project in %(programme)s was returned: %(reason)s"), {"reason": text})
    return project


@transaction.atomic
def subsidy_grant(*, admin, project_id) -> Project:
    """verified and the target met -> granted: the reserved subsidy moves to granted."""
    project = _project_locked(admin, project_id)
    if project.state != Project.State.VERIFIED:
        raise _wrong_state(project, Project.State.VERIFIED)
    if project.target_met is not True:
        programme = project.programme
        raise ConflictError(
            _(
                "The target is not met: level %(before)s before, %(after)s after; the programme needs "
                "level %(level)s or more after, and a gain of at least %(gain)s."
            ),
            params={
                "before": project.before_level,
                "after": project.after_level if project.after_level is not None else "—",
                "level": programme.target_level,
                "gain": programme.target_gain,
            },
            extra={"target_met": project.target_met},
        )
    amount = budget.grant(project=project)
    old = project.state
    project.state = Project.State.GRANTED
    project.decided_by = admin
    project.decided_at = timezone.now()
    _done(
        project,
        admin=admin,
        action=Event.Action.SUBSIDY_GRANTED,
        old=old,
        detail={
            "subsidy_granted": str(amount),
            "before_level": project.before_level,
            "after_level": project.after_level,
        },
        fields=("subsidy_granted", "subsidy_reserved", "decided_by", "decided_at"),
    )
    _notify_project(
        project,
        _("A subsidy of CNY %(amount)s was granted to your project in %(programme)s."),
        {"amount": budget.money(amount)},
    )
    return project


REFUSABLE = (Project.State.VERIFIED, Project.State.APPROVED, Project.State.COMPLETED)


def refusable(project: Project, *, today=None) -> bool:
    """Verified, or failed: approved or completed and still not verified after the date the
    programme's projects had to complete by."""
    if project.state == Project.State.VERIFIED:
        return True
    today = today or timezone.localdate()
    return project.state in REFUSABLE and today > project.programme.complete_by


@transaction.atomic
def subsidy_refuse(*, admin, project_id, reason) -> Project:
    """-> refused, with the reason; the reserved subsidy goes back to the budget."""
    project = _project_locked(admin, project_id)
    text = _reason(reason, required=True)
    if project.state not in REFUSABLE:
        raise _wrong_state(project, Project.State.VERIFIED)
    if not refusable(project):
        raise ConflictError(
            _(
                "This project may still be completed and verified until %(date)s: its subsidy can be "
                "refused once it is verified, or after that date."
            ),
            params={"date": project.programme.complete_by.isoformat()},
            extra={"state": project.state},
        )
    released = project.subsidy_reserved
    budget.release(project=project)
    old = project.state
    project.state = Project.State.REFUSED
    project.reason = text
    project.decided_by = admin
    project.decided_at = timezone.now()
    _done(
        project,
        admin=admin,
        action=Event.Action.SUBSIDY_REFUSED,
        old=old,
        detail={"released": str(released)},
        reason=text,
        fields=("reason", "subsidy_reserved", "decided_by", "decided_at"),
    )
    _notify_project(
        project, _("The subsidy of your project in %(programme)s was refused: %(reason)s"), {"reason": text}
    )
    return project

"""An enterprise's transformation project, from applying to completion (area C), and the provider's
confirmation of its milestones.

Every service takes the enterprise (the host's, `request.tenant`) and the acting user, reads the
project through the enterprise's id (another enterprise's project does not exist: 404), checks the
rules of the programme before it writes anything (a refusal changes nothing), and records the change
(programmes.events) and its fact (programmes.facts) in the same transaction."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, ConflictError
from core.notices import notify
from manufacturing.interface import verified_fact
from programmes import events, facts, rules
from programmes.models import Enrolment, Event, Milestone, Programme, Project, Segment, Solution
from programmes.policy import manages, require_provider
from tenants.members.models import Role
from tenants.members.selectors import enterprise_admins
from tenants.models import User
from tenants.registration import public_url
from tenants.roles import require_role
from tenants.services import tenant_url

CONTRACT_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
TEXT_MAX = 5000
TITLE_MAX = 200
BEFORE_APPROVAL = (Project.State.APPLIED, Project.State.SUBMITTED, Project.State.RETURNED)


# --- reading ---------------------------------------------------------------------------------------------


def terms_of(programme: Programme) -> rules.ProgrammeTerms:
    """The programme's rules as plain values (its cities, divisions and segments prefetched or not)."""
    segments = list(programme.segments.all())
    return rules.ProgrammeTerms(
        state=programme.state,
        city_codes={c.pk for c in programme.cities.all()},
        division_codes={d.pk for d in programme.divisions.all()},
        segment_codes={s.pk for s in segments},
        segment_divisions={s.division_id for s in segments},
        sizes=set(programme.sizes or []),
        verified_since=programme.verified_since,
        apply_from=programme.apply_from,
        apply_until=programme.apply_until,
    )


UNREAD = object()


def eligibility_of(*, enterprise, programme: Programme, verified=UNREAD, today=None):
    """(reasons, verified): every reason the enterprise may not apply, and its newest verified fact in
    the programme's framework (read here unless given, None included)."""
    if verified is UNREAD:
        verified = verified_fact(tenant_id=enterprise.pk, framework_id=programme.framework_id)
    reasons = rules.eligibility(
        terms=terms_of(programme),
        city=enterprise.city_id,
        division=enterprise.industry_id,
        size=enterprise.revenue_band or "",
        verified=verified,
        today=today or timezone.localdate(),
    )
    return reasons, verified


def project_of(*, enterprise, project_id, lock: bool = False) -> Project:
    """The enterprise's own project; 404 for any other id (another enterprise's included)."""
    try:
        project_id = int(project_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rows = Project.objects.filter(pk=project_id, tenant_id=enterprise.pk)
    if lock:
        rows = rows.select_for_update(of=("self",))
    project = rows.select_related("programme").first()
    if project is None:
        raise Http404
    return project


def accepted_solutions(programme_id: int):
    """The active solutions of the active providers the programme accepted."""
    return (
        Solution.objects.filter(
            is_active=True,
            provider__is_active=True,
            provider__enrolments__programme_id=programme_id,
            provider__enrolments__status=Enrolment.Status.ACCEPTED,
        )
        .select_related("provider")
        .distinct()
    )


# --- helpers ---------------------------------------------------------------------------------------------


def _may_act(user, enterprise) -> None:
    """Owners and administrators act for the enterprise (a non-member: 404; below: 403)."""
    require_role(user=user, enterprise=enterprise, minimum=Role.ADMIN)


def _date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("Give a date as YYYY-MM-DD."), extra={"field": field}) from None


def _text(value, field: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ApplicationError(_("This field is required."), extra={"field": field})
    if "\x00" in text:
        raise ApplicationError(_("The text holds a character that cannot be stored."), extra={"field": field})
    if len(text) > limit:
        raise ApplicationError(
            _("Keep it to %(n)s characters or fewer."), params={"n": limit}, extra={"field": field}
        )
    return text


THOUSANDS_SEPARATORS = str.maketrans("", "", ",，_ \u00a0\u3000")


def _amount(value) -> Decimal:
    """Yuan digits; "360,000" and "360，000" are 360000 (thousands separators are dropped), "36万" is not."""
    try:
        amount = Decimal(str(value).strip().translate(THOUSANDS_SEPARATORS))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    # Too large first: quantizing 1e30 to cents needs more digits than the decimal context has.
    if amount is not None and amount.is_finite() and abs(amount) >= Decimal("1e14"):
        raise ApplicationError(
            _("The contract amount is too large: it must be under CNY 100 trillion."),
            extra={"field": "contract_amount"},
        )
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(
            _(
                "Give the contract amount in yuan digits (元), e.g. 360000 or 360,000, "
                "with at most two decimals."
            ),
            extra={"field": "contract_amount"},
        )
    if amount <= 0:
        raise ApplicationError(
            _("The contract amount must be more than zero."), extra={"field": "contract_amount"}
        )
    return amount


def contract_check(upload) -> None:
    """A signed contract is a PDF (by its first bytes, not its name) of at most 10 MB."""
    if upload.size > CONTRACT_MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(mb)s MB."),
            params={"mb": CONTRACT_MAX_BYTES // (1024 * 1024)},
            extra={"field": "contract_file"},
            status_code=413,
        )
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ApplicationError(
            _("The signed contract must be a PDF file."), extra={"field": "contract_file"}, status_code=415
        )


def managing_admins(programme: Programme) -> list:
    """The regional admins who manage the programme: one query for the candidates (the whole region,
    or a scope among its cities and provinces), then the policy's check on each."""
    cities = list(programme.cities.all())
    scopes = {c.pk for c in cities} | {c.province_code for c in cities if c.province_code}
    candidates = User.objects.filter(
        Q(scope_region__isnull=True) | Q(scope_region__code__in=scopes),
        platform_role=User.PlatformRole.REGIONAL_ADMIN,
        is_active=True,
    ).select_related("scope_region")
    return [admin for admin in candidates if manages(admin, programme)]


def provider_users(provider_id) -> list:
    return list(User.objects.filter(provider_link__provider_id=provider_id, is_active=True))


def tell_enterprise(project: Project, message, params=None) -> None:
    enterprise = project.tenant
    notify(
        users=enterprise_admins(enterprise),
        message=message,
        params=params,
        url=tenant_url(enterprise, f"/transformation/projects/{project.pk}/"),
        about=enterprise,
    )


def tell_admins(project: Project, message, params=None) -> None:
    notify(
        users=managing_admins(project.programme),
        message=message,
        params=params,
        url=public_url(f"/programmes/manage/projects/{project.pk}/"),
        about=project.tenant_id,
    )


def tell_provider(project: Project, message, params=None) -> None:
    if project.provider_id is None:
        return
    notify(
        users=provider_users(project.provider_id),
        message=message,
        params=params,
        url=public_url(f"/provider/projects/{project.pk}/"),
        about=project.tenant_id,
    )


def _move(project: Project, *, user, action: str, new_state: str, fields: list, detail=None, reason=""):
    old = project.state
    project.state = new_state
    project.save(update_fields=[*fields, "state", "updated_at"])
    events.record(
        actor=user, action=action, project=project, old=old, new=new_state, detail=detail, reason=reason
    )
    facts.fact_changed(project)


# --- applying --------------------------------------------------------------------------------------------


def project_apply(*, enterprise, user, programme_id, segment_code=None, publish_name=False) -> Project:
    _may_act(user, enterprise)
    try:
        programme_id = int(programme_id)
    except (TypeError, ValueError):
        raise Http404 from None
    programme = (
        Programme.objects.exclude(state=Programme.State.DRAFT)
        .prefetch_related("cities", "divisions", "segments")
        .filter(pk=programme_id)
        .first()
    )
    if programme is None:
        raise Http404
    reasons, verified = eligibility_of(enterprise=enterprise, programme=programme)
    if reasons:
        raise ApplicationError(
            _("You may not apply to this programme yet."),
            extra={"field": "programme", "reasons": [r.as_dict() for r in reasons]},
        )
    segment = _segment(programme, enterprise, segment_code)
    city = enterprise.city
    with transaction.atomic():
        if (
            Project.objects.filter(programme=programme, tenant_id=enterprise.pk)
            .exclude(state=Project.State.WITHDRAWN)
            .exists()
        ):
            raise ConflictError(_("Your enterprise has already applied to this programme."))
        project = Project(
            programme=programme,
            tenant=enterprise,
            city=city,
            province_code=city.province_code if city else "",
            industry_id=enterprise.industry_id,
            size=enterprise.revenue_band or "",
            segment=segment,
            before_assessment_id=verified["assessment_id"],
            before_level=verified["level"],
            before_total=verified["total"],
            before_approved_at=verified["approved_at"],
            before_assessor_id=verified["assessor_id"],
            publish_name=publish_name is True,
            applied_by=user,
        )
        try:
            with transaction.atomic():  # the partial unique constraint is the last word in a race
                project.save(force_insert=True)
        except IntegrityError as exc:
            raise ConflictError(_("Your enterprise has already applied to this programme.")) from exc
        events.record(
            actor=user,
            action=Event.Action.PROJECT_APPLIED,
            project=project,
            new=project.state,
            detail={
                "before_level": project.before_level,
                "before_assessment_id": project.before_assessment_id,
            },
        )
        facts.fact_changed(project)
    return project


def _segment(programme: Programme, enterprise, segment_code) -> Segment | None:
    listed = {s.pk: s for s in programme.segments.all()}
    code = segment_code.strip() if isinstance(segment_code, str) else ""
    if not code:
        if listed:
            raise ApplicationError(
                _("Choose the programme's industry segment your enterprise works in."),
                extra={"field": "segment"},
            )
        return None
    segment = listed.get(code) if listed else Segment.objects.filter(pk=code).first()
    if segment is None or segment.division_id != enterprise.industry_id:
        raise ApplicationError(
            _("Choose one of the programme's industry segments of your industry division."),
            extra={"field": "segment"},
        )
    return segment


# --- the solution and the contract -----------------------------------------------------------------------


def project_submit(
    *,
    enterprise,
    user,
    project_id,
    solution_id,
    contract_amount,
    contract_signed_on,
    contract_start,
    contract_end,
    contract_file,
) -> Project:
    _may_act(user, enterprise)
    with transaction.atomic():
        project = project_of(enterprise=enterprise, project_id=project_id, lock=True)
        if project.state not in (Project.State.APPLIED, Project.State.RETURNED):
            raise ConflictError(_("The solution and contract can be submitted only before approval."))
        programme = project.programme
        try:
            solution = accepted_solutions(programme.pk).filter(pk=int(solution_id)).first()
        except (TypeError, ValueError):
            solution = None
        if solution is None:
            raise ApplicationError(
                _("Choose a solution of a provider the programme accepted."), extra={"field": "solution"}
            )
        if solution.framework_id != programme.framework_id:
            raise ApplicationError(
                _(
                    "This solution is built on another evaluation framework than the programme's: "
                    "choose another."
                ),
                extra={"field": "solution"},
            )
        if not rules.fits(
            solution={
                "divisions": [d.pk for d in solution.divisions.all()],
                "segments": [g.pk for g in solution.segments.all()],
                "sizes": list(solution.sizes or []),
            },
            division=project.industry_id,
            segment=project.segment_id,
            size=project.size,
        ):
            raise ApplicationError(
                _(
                    "This solution is not meant for your enterprise's industry, segment or size: "
                    "choose another."
                ),
                extra={"field": "solution"},
            )
        amount = _amount(contract_amount)
        if programme.contract_max is not None and amount > programme.contract_max:
            raise ApplicationError(
                _("The programme accepts contracts of at most CNY %(max)s."),
                params={"max": f"{programme.contract_max:,.2f}"},
                extra={"field": "contract_amount"},
            )
        signed = _date(contract_signed_on, "contract_signed_on")
        start = _date(contract_start, "contract_start")
        end = _date(contract_end, "contract_end")
        if start < programme.apply_from or end > programme.complete_by:
            raise ApplicationError(
                _("The contract must start on or after %(start)s and end on or before %(end)s."),
                params={"start": programme.apply_from.isoformat(), "end": programme.complete_by.isoformat()},
                extra={"field": "contract_start" if start < programme.apply_from else "contract_end"},
            )
        if start > end:
            raise ApplicationError(_("The contract ends before it starts."), extra={"field": "contract_end"})
        if signed > start:
            raise ApplicationError(
                _("The contract must be signed on or before its start."),
                extra={"field": "contract_signed_on"},
            )
        if contract_file:
            contract_check(contract_file)
        elif not project.contract_file:
            raise ApplicationError(_("Attach the signed contract (PDF)."), extra={"field": "contract_file"})
        old_file = project.contract_file.name if contract_file and project.contract_file else ""
        project.solution = solution
        project.provider_id = solution.provider_id
        project.contract_amount = amount
        project.contract_signed_on = signed
        project.contract_start = start
        project.contract_end = end
        if contract_file:
            project.contract_file.save("contract.pdf", contract_file, save=False)
        project.submitted_at = timezone.now()
        _move(
            project,
            user=user,
            action=Event.Action.PROJECT_SUBMITTED,
            new_state=Project.State.SUBMITTED,
            fields=[
                "solution",
                "provider",
                "contract_amount",
                "contract_signed_on",
                "contract_start",
                "contract_end",
                "contract_file",
                "submitted_at",
            ],
            detail={"solution": solution.pk, "contract_amount": str(amount)},
        )
        if old_file:
            storage = project.contract_file.storage
            transaction.on_commit(lambda: storage.delete(old_file), robust=True)
        tell_admins(
            project,
            _("%(name)s submitted its transformation project for approval."),
            {"name": enterprise.name},
        )
    return project


def project_withdraw(*, enterprise, user, project_id) -> Project:
    _may_act(user, enterprise)
    with transaction.atomic():
        project = project_of(enterprise=enterprise, project_id=project_id, lock=True)
        if project.state not in BEFORE_APPROVAL:
            raise ConflictError(_("A project can be withdrawn only before its approval."))
        was_submitted = project.state == Project.State.SUBMITTED
        _move(
            project,
            user=user,
            action=Event.Action.PROJECT_WITHDRAWN,
            new_state=Project.State.WITHDRAWN,
            fields=[],
        )
        if was_submitted:
            tell_admins(
                project, _("%(name)s withdrew its transformation project."), {"name": enterprise.name}
            )
    return project


# --- milestones and completion ---------------------------------------------------------------------------


def milestone_add(*, enterprise, user, project_id, title, due_on) -> Milestone:
    _may_act(user, enterprise)
    title = _text(title, "title", TITLE_MAX)
    due = _date(due_on, "due_on")
    with transaction.atomic():
        project = project_of(enterprise=enterprise, project_id=project_id, lock=True)
        if project.state != Project.State.APPROVED:
            raise ConflictError(_("Milestones are planned once the project is approved."))
        if not (project.contract_start <= due <= project.contract_end):
            raise ApplicationError(
                _("The milestone must fall within the contract, %(start)s to %(end)s."),
                params={"start": project.contract_start.isoformat(), "end": project.contract_end.isoformat()},
                extra={"field": "due_on"},
            )
        milestone = Milestone.objects.create(project=project, title=title, due_on=due)
        events.record(
            actor=user,
            action=Event.Action.MILESTONE_PLANNED,
            project=project,
            new=milestone.state,
            detail={"milestone": milestone.pk, "title": title, "due_on": due.isoformat()},
        )
    return milestone


def milestone_report(*, enterprise, user, milestone_id, report) -> Milestone:
    _may_act(user, enterprise)
    text = _text(report, "report", TEXT_MAX)
    with transaction.atomic():
        try:
            milestone_id = int(milestone_id)
        except (TypeError, ValueError):
            raise Http404 from None
        milestone = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("project__programme", "project__tenant")
            .filter(pk=milestone_id, project__tenant_id=enterprise.pk)
            .first()
        )
        if milestone is None:
            raise Http404
        if milestone.project.state != Project.State.APPROVED or milestone.state == Milestone.State.CONFIRMED:
            raise ConflictError(_("This milestone can no longer be reported."))
        old = milestone.state
        first_report = old == Milestone.State.PLANNED
        milestone.state = Milestone.State.REPORTED
        milestone.report = text
        milestone.reported_by = user
        milestone.reported_at = timezone.now()
        milestone.save(update_fields=["state", "report", "reported_by", "reported_at"])
        events.record(
            actor=user,
            action=Event.Action.MILESTONE_REPORTED,
            project=milestone.project,
            old=old,
            new=milestone.state,
            detail={"milestone": milestone.pk, **({} if first_report else {"updated": True})},
        )
        if first_report:  # an updated report does not ask the provider again
            tell_provider(
                milestone.project,
                _("%(name)s reported the milestone \u201c%(title)s\u201d: please confirm it."),
                {"name": enterprise.name, "title": milestone.title},
            )
    return milestone


def milestone_delete(*, enterprise, user, milestone_id) -> None:
    """An owner or admin removes a planned milestone (never a reported or confirmed one)."""
    _may_act(user, enterprise)
    try:
        milestone_id = int(milestone_id)
    except (TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("project__programme")
            .filter(pk=milestone_id, project__tenant_id=enterprise.pk)
            .first()
        )
        if milestone is None:
            raise Http404
        if milestone.project.state != Project.State.APPROVED or milestone.state != Milestone.State.PLANNED:
            raise ConflictError(_("Only a planned milestone, not yet reported, can be deleted."))
        events.record(
            actor=user,
            action=Event.Action.MILESTONE_DELETED,
            project=milestone.project,
            old=milestone.state,
            detail={
                "milestone": milestone.pk,
                "title": milestone.title,
                "due_on": milestone.due_on.isoformat(),
            },
        )
        milestone.delete()


def project_consent(*, enterprise, user, project_id, publish_name) -> Project:
    """The enterprise says whether its provider may name it on the provider's public page."""
    _may_act(user, enterprise)
    if not isinstance(publish_name, bool):
        raise ApplicationError(
            _("Say yes or no: publish_name must be true or false."), extra={"field": "publish_name"}
        )
    with transaction.atomic():
        project = project_of(enterprise=enterprise, project_id=project_id, lock=True)
        if project.publish_name == publish_name:
            return project
        project.publish_name = publish_name
        project.save(update_fields=["publish_name", "updated_at"])
        events.record(
            actor=user,
            action=Event.Action.PROJECT_CONSENT,
            project=project,
            detail={"publish_name": [not publish_name, publish_name]},
        )
        facts.fact_changed(project)
    return project


def milestone_confirm(*, user, milestone_id) -> Milestone:
    """The provider of the project confirms a reported milestone (404 for anyone else)."""
    provider = require_provider(user)
    try:
        milestone_id = int(milestone_id)
    except (TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("project__programme", "project__tenant")
            .filter(pk=milestone_id, project__provider=provider)
            .first()
        )
        if milestone is None:
            raise Http404
        if milestone.project.state != Project.State.APPROVED or milestone.state != Milestone.State.REPORTED:
            raise ConflictError(_("Only a reported milestone of a project under way can be confirmed."))
        old = milestone.state
        milestone.state = Milestone.State.CONFIRMED
        milestone.confirmed_by = user
        milestone.confirmed_at = timezone.now()
        milestone.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        events.record(
            actor=user,
            action=Event.Action.MILESTONE_CONFIRMED,
            project=milestone.project,
            provider=provider,
            old=old,
            new=milestone.state,
            detail={"milestone": milestone.pk},
        )
        tell_enterprise(
            milestone.project,
            _("%(provider)s confirmed the milestone \u201c%(title)s\u201d."),
            {"provider": provider.name_zh, "title": milestone.title},
        )
    return milestone


def project_complete(*, enterprise, user, project_id) -> Project:
    _may_act(user, enterprise)
    with transaction.atomic():
        project = project_of(enterprise=enterprise, project_id=project_id, lock=True)
        if project.state != Project.State.APPROVED:
            raise ConflictError(_("Only an approved project under way can be completed."))
        states = list(project.milestones.values_list("state", flat=True))
        if not states:
            raise ApplicationError(_("Plan at least one milestone first."), extra={"field": "milestones"})
        if any(state != Milestone.State.CONFIRMED for state in states):
            raise ApplicationError(
                _("Every milestone must be confirmed by the provider first."), extra={"field": "milestones"}
            )
        project.completed_at = timezone.now()
        _move(
            project,
            user=user,
            action=Event.Action.PROJECT_COMPLETED,
            new_state=Project.State.COMPLETED,
            fields=["completed_at"],
        )
        tell_admins(
            project,
            _("%(name)s completed its transformation project; its after-assessment comes next."),
            {"name": enterprise.name},
        )
    return project

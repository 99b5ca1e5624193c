"""Public-site pages of the review: the assessor's workbench, the regional admins' assignment list
and audit log, and every user's notices. Anyone without the role gets 404, as for an unknown page."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import assessor_fences
from core.api import ApplicationError
from core.i18n import in_language
from core.models import AuditEvent, Notice
from core.notices import with_states
from core.roles import is_assessor
from manufacturing.answers import answer_from_form
from manufacturing.presenters import result_view
from manufacturing.review import assignments, notice_states, questions, selectors, workbench
from manufacturing.review.forms import CommentForm
from manufacturing.review.models import Assignment, ReviewCase
from tenants.models import Region, User


def _fail(request, exc: ApplicationError, assignment_id):
    messages.error(request, exc.message)
    return redirect("review-assignment", assignment_id=assignment_id)


# --- assessors -----------------------------------------------------------------------------------------


@login_required
def assignment_list(request):
    if not is_assessor(request.user):
        raise Http404
    rows = (
        Assignment.objects.select_related("case__tenant", "case__city", "case__framework")
        .filter(assessor=request.user)
        .order_by("status", "created_at")
    )
    show = request.GET.get("show", "active")
    if show != "all":
        rows = rows.filter(status__in=Assignment.ACTIVE)
    return render(
        request, "review/assignment_list.html", {"assignments": rows, "show": show, "now": timezone.now()}
    )


def _workbench_page(request, assignment, *, comment_form=None, status=200):
    if assignment.status not in Assignment.ACTIVE:
        # Closed (approved or cancelled): the assessor's access to the enterprise's schema ended with
        # the assignment (manufacturing/policy.py). The page shows what the public index holds: its
        # state, the verified result once published, the public audit rows, the admin's reason.
        return render(request, "review/assignment_closed.html", workbench.closed_view(assignment))
    context = workbench.workbench(assessor=request.user, assignment=assignment)
    context["can_work"] = (
        assignment.status == Assignment.Status.OPEN and context["assessment"].status == "scored"
    )
    context["closed"] = assignment.status not in Assignment.ACTIVE
    context["state"] = notice_states.assignment_state(assignment)
    context["numbers"] = {k: e["number"] for k, e in questions.numbered(context["definition"]).items()}
    context["comment_labels"] = {
        c.key: questions.label(context["definition"], c.key) for c in context["comments"] if c.key
    }
    context["comment_form"] = comment_form or CommentForm(definition=context["definition"])
    if context["live"]:
        definition = context["definition"]
        self_bars = result_view(definition, context["self_result"])["bars"]
        context["comparison"] = list(
            zip(self_bars, result_view(definition, context["live"])["bars"], strict=True)
        )
    return render(request, "review/workbench.html", context, status=status)


@login_required
def assignment_detail(request, assignment_id):
    assignment = workbench.assignment_read(assessor=request.user, assignment_id=assignment_id)
    return _workbench_page(request, assignment)


@login_required
@require_POST
def override(request, assignment_id, key):
    assignment = workbench.assignment_get(assessor=request.user, assignment_id=assignment_id)
    try:
        if request.POST.get("remove"):
            workbench.override_clear(
                assessor=request.user, assignment_id=assignment.pk, key=key, reason=request.POST.get("reason")
            )
            messages.success(request, _("Override removed."))
        else:
            value = answer_from_form(assignment.case.framework.definition, key, request.POST)
            workbench.override_set(
                assessor=request.user,
                assignment_id=assignment.pk,
                key=key,
                value=value,
                reason=request.POST.get("reason"),
            )
            messages.success(request, _("Override saved; the verified score is updated."))
    except ApplicationError as exc:
        return _fail(request, exc, assignment_id)
    return redirect(f"/review/assignments/{assignment.pk}/#q-{key}")


@login_required
@require_POST
def preview(request, assignment_id, key):
    """htmx, as the assessor changes an override form: the score it would give, nothing saved."""
    assignment = workbench.assignment_get(assessor=request.user, assignment_id=assignment_id)
    value = answer_from_form(assignment.case.framework.definition, key, request.POST)
    try:
        outcome, error = (
            workbench.preview(assessor=request.user, assignment_id=assignment.pk, key=key, value=value),
            None,
        )
    except ApplicationError as exc:
        outcome, error = None, exc.message
    return render(request, "review/_preview.html", {"key": key, "outcome": outcome, "error": error})


@login_required
@require_POST
def comment(request, assignment_id):
    assignment = workbench.assignment_get(assessor=request.user, assignment_id=assignment_id)
    form = CommentForm(request.POST, definition=assignment.case.framework.definition)
    if form.is_valid():
        try:
            workbench.comment_add(
                assessor=request.user,
                assignment_id=assignment.pk,
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
            )
        except ApplicationError as exc:
            field = (exc.extra or {}).get("field")
            form.add_error("key" if field == "key" else "text", exc.message)
        else:
            messages.success(request, _("Comment added."))
            return redirect(f"/review/assignments/{assignment.pk}/#comments")
    return _workbench_page(request, assignment, comment_form=form, status=400)


@login_required
@require_POST
def return_(request, assignment_id):
    try:
        workbench.return_to_enterprise(
            assessor=request.user, assignment_id=assignment_id, reason=request.POST.get("reason")
        )
    except ApplicationError as exc:
        return _fail(request, exc, assignment_id)
    messages.success(request, _("Returned to the enterprise with your reasons."))
    return redirect("review-assignment", assignment_id=assignment_id)


@login_required
@require_POST
def approve(request, assignment_id):
    try:
        workbench.approve(assessor=request.user, assignment_id=assignment_id)
    except ApplicationError as exc:
        return _fail(request, exc, assignment_id)
    messages.success(request, _("Approved. The verified result is being published."))
    return redirect("review-assignments")


@login_required
def evidence(request, assignment_id, evidence_id):
    try:
        handle, name, content_type = workbench.evidence_for_assessor(
            assessor=request.user, assignment_id=assignment_id, evidence_id=evidence_id
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


# --- regional admins -----------------------------------------------------------------------------------


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("unassigned", gettext_lazy("Awaiting an assessor")), *ReviewCase.Status.choices],
        method="filter_status",
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )
    city = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(is_report_city=True),
        label=gettext_lazy("City"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = ReviewCase
        fields = ["status", "city"]

    def filter_status(self, queryset, name, value):
        if value == "unassigned":
            return queryset.filter(status=ReviewCase.Status.SCORED, has_assessor=False)
        return queryset.filter(status=value)


@login_required
def case_list(request):
    rows = selectors.cases_in_scope(request.user).prefetch_related("assignments__assessor")
    filters = CaseFilter(request.GET or {"status": "unassigned"}, queryset=rows)
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    assessors = list(
        User.objects.filter(platform_role=User.PlatformRole.ASSESSOR, is_active=True).order_by("name")
    )
    # Assessors a fence keeps from a case (core.assessor_fences): shown disabled, with the reason.
    for case in page:
        if case.status == ReviewCase.Status.SCORED and not case.has_assessor:
            fenced = assessor_fences.excluded(tenant_id=case.tenant_id, assessment_id=case.assessment_id)
            case.assessor_choices = [
                (
                    person,
                    in_language(fenced[person.pk]["zh"], fenced[person.pk]["en"])
                    if person.pk in fenced
                    else "",
                )
                for person in assessors
            ]
    return render(
        request,
        "review/case_list.html",
        {"filter": filters, "page": page, "assessors": assessors, "now": timezone.now()},
        status=400 if filters.errors else 200,
    )


@login_required
@require_POST
def assign(request, case_id):
    try:
        assignment = assignments.assign(
            admin=request.user, case_id=case_id, assessor_id=request.POST.get("assessor")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Assigned to %(assessor)s; they have been notified.") % {"assessor": assignment.assessor},
        )
    return redirect(request.POST.get("next") if _safe_next(request) else "review-cases")


@login_required
@require_POST
def cancel(request, assignment_id):
    try:
        assignments.assignment_cancel(
            admin=request.user, assignment_id=assignment_id, reason=request.POST.get("reason")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assignment cancelled."))
    return redirect("review-cases")


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/review/cases/") and "//" not in target


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        choices=AuditEvent.Action.choices, label=gettext_lazy("Action"), empty_label=gettext_lazy("All")
    )
    enterprise = django_filters.CharFilter(
        field_name="tenant__name", lookup_expr="icontains", label=gettext_lazy("Enterprise")
    )
    actor = django_filters.CharFilter(method="filter_actor", label=gettext_lazy("Who"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=gettext_lazy("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=gettext_lazy("Until"))

    class Meta:
        model = AuditEvent
        fields = ["action", "enterprise", "actor", "since", "until"]

    def filter_actor(self, queryset, name, value):
        # People are named by their names on the page; an email still finds them.
        return queryset.filter(Q(actor__name__icontains=value) | Q(actor__email__icontains=value))


@login_required
def audit_log(request):
    filters = AuditFilter(request.GET, queryset=selectors.audit_in_scope(request.user))
    page = Paginator(filters.qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "review/audit_log.html",
        {"filter": filters, "page": page},
        status=400 if filters.errors else 200,
    )


# --- everyone ------------------------------------------------------------------------------------------


@login_required
def notices(request):
    rows = Notice.objects.filter(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    response = render(
        request, "review/notices.html", {"page": page, "notices": with_states(page, user=request.user)}
    )
    # Only the notices shown are read; those on later pages stay unread.
    rows.filter(pk__in=[n.pk for n in page.object_list], read_at__isnull=True).update(read_at=timezone.now())
    return response

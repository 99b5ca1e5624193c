"""The financial cloud's pages on an enterprise's host. Members read; members and up keep the profile
and draft requests; consenting to share data with an institution (applying) and withdrawing take an
owner or administrator. Non-members get 404 (tenants.roles)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from finance import selectors, services
from finance.forms import RequestPageForm, StatementPageForm
from finance.lending import selectors as lending_selectors
from finance.lending import services as lending
from finance.lending.models import Application
from finance.lending.services import OPTIONAL_SHARES
from finance.models import FinancialStatement, FinancingRequest
from tenants import roles
from tenants.members.models import Role


@login_required
def overview(request):
    enterprise, _role = roles.host_member_or_404(request)
    return render(
        request,
        "finance/overview.html",
        {
            "profile": selectors.profile(),
            "requests": selectors.request_list(),
            "level": selectors.verified_level(enterprise),
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
        },
    )


@login_required
def statement_edit(request, year=None):
    roles.host_member_or_404(request, Role.MEMBER)
    statement = get_object_or_404(FinancialStatement, year=year) if year is not None else None
    form = StatementPageForm(request.POST or None, instance=statement)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.statement_save(form=form, user=request.user)
        except ApplicationError as exc:
            form.add_error("year", exc.message)
        else:
            messages.success(request, _("Statement for %(year)s saved.") % {"year": saved.year})
            return redirect("finance")
    return render(
        request,
        "finance/statement_form.html",
        {"form": form, "statement": statement},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def statement_delete(request, year):
    roles.host_member_or_404(request, Role.MEMBER)
    services.statement_delete(statement=get_object_or_404(FinancialStatement, year=year))
    messages.success(request, _("Statement for %(year)s deleted.") % {"year": year})
    return redirect("finance")


@login_required
def request_new(request):
    roles.host_member_or_404(request, Role.MEMBER)
    form = RequestPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = services.request_save(form=form, user=request.user)
        messages.success(request, _("Draft saved. Submit it to see the matching loan products."))
        return redirect("finance-request", request_id=saved.pk)
    return render(request, "finance/request_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def request_detail(request, request_id):
    enterprise, _role = roles.host_member_or_404(request)
    financing = get_object_or_404(FinancingRequest, pk=request_id)
    can_edit = roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER)
    form = None
    if request.method == "POST" and financing.status != FinancingRequest.Status.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("finance-request", request_id=financing.pk)
    if financing.status == FinancingRequest.Status.DRAFT and can_edit:
        form = RequestPageForm(request.POST or None, instance=financing)
        if request.method == "POST" and form.is_valid():
            try:
                services.request_save(form=form, user=request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Draft saved."))
            return redirect("finance-request", request_id=financing.pk)
    applications = list(
        lending_selectors.applications_of_request(enterprise=enterprise, request_id=financing.pk)
    )
    applied = {a.product_id for a in applications if a.status in ("submitted", "info_requested", "approved")}
    # what withdrawing also withdraws: the confirmation names the number
    open_count = sum(a.status in Application.OPEN for a in applications)
    matches = (
        selectors.matches(financing, enterprise)
        if financing.status == FinancingRequest.Status.SUBMITTED
        else []
    )
    return render(
        request,
        "finance/request_detail.html",
        {
            "financing": financing,
            "form": form,
            "matches": matches,
            "applied": applied,
            "applications": applications,
            "open_count": open_count,
            "can_edit": can_edit,
            "can_apply": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.ADMIN),
            "shares": OPTIONAL_SHARES,
            "level": selectors.verified_level(enterprise),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _act(request, request_id, action):
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("finance-request", request_id=request_id)


@login_required
@require_POST
def request_submit(request, request_id):
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    get_object_or_404(FinancingRequest, pk=request_id)

    def submit():
        services.request_submit(request_id=request_id, enterprise=enterprise)
        messages.success(
            request, _("Financing need submitted. The loan products below are ranked by how well they fit.")
        )

    return _act(request, request_id, submit)


@login_required
@require_POST
def request_withdraw(request, request_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    get_object_or_404(FinancingRequest, pk=request_id)

    def withdraw():
        services.request_withdraw(request_id=request_id, enterprise=enterprise, user=request.user)
        messages.success(request, _("Financing need withdrawn, with its open applications."))

    return _act(request, request_id, withdraw)


@login_required
@require_POST
def apply(request, request_id, product_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    get_object_or_404(FinancingRequest, pk=request_id)

    def send():
        lending.apply(
            enterprise=enterprise,
            user=request.user,
            request_id=request_id,
            product_id=product_id,
            consent=request.POST.get("consent") == "yes",
            share=request.POST.getlist("share"),
        )
        messages.success(request, _("Application sent. The institution has been notified."))

    return _act(request, request_id, send)


@login_required
@require_POST
def reply(request, request_id, application_id):
    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    get_object_or_404(Application, pk=application_id, tenant=enterprise, request_id=request_id)

    def send():
        lending.reply(
            enterprise=enterprise,
            user=request.user,
            application_id=application_id,
            message=request.POST.get("message"),
        )
        messages.success(request, _("Your answer has been sent to the institution."))

    return _act(request, request_id, send)

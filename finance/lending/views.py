"""The lending side on the public site: institution users answer the applications to their products
and manage their products; regional admins manage every product. Anyone else gets 404."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from finance.forms import REQUEST_CAP
from finance.lending import selectors, services
from finance.lending.forms import ProductPageForm
from finance.lending.models import Application
from finance.money import WanYuanField, plain_wan


@login_required
def inbox(request):
    institution = services.require_institution(request.user)
    show = request.GET.get("show", "open")
    rows = selectors.inbox(institution=institution).order_by("-created_at")
    if show != "all":
        rows = rows.filter(status__in=Application.OPEN)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "lending/inbox.html", {"page": page, "show": show, "institution": institution})


def _application_page(request, item, *, errors=None, values=None, status=200):
    request_snapshot = item.snapshot.get("request", {})
    defaults = {
        "amount": plain_wan(item.amount),
        "rate": str(item.product.rate_min),
        "term": str(request_snapshot.get("term_months", "")),
    }
    return render(
        request,
        "lending/application.html",
        {
            "application": item,
            "events": item.events.select_related("actor"),
            "can_answer": item.status in Application.OPEN,
            "errors": errors or {},
            "values": {**defaults, **(values or {})},
        },
        status=status,
    )


@login_required
def application(request, application_id):
    item = services.application_get(user=request.user, application_id=application_id)
    return _application_page(request, item)


AMOUNT_FIELD = WanYuanField(label="amount", min_yuan=Decimal("1"), max_yuan=REQUEST_CAP)


@login_required
@require_POST
def respond(request, application_id):
    """The page's answer: the amount is typed in 万元 (the API takes yuan); a refused answer shows
    the form again with the error next to its field and what was typed."""
    item = services.application_get(user=request.user, application_id=application_id)  # the fence first
    action = request.POST.get("action")
    values = {k: request.POST.get(k, "") for k in ("action", "amount", "rate", "term", "message")}
    amount = None
    try:
        if action == "approve":
            try:
                amount = AMOUNT_FIELD.clean(values["amount"])
            except ValidationError as exc:
                raise ApplicationError(exc.messages[0], extra={"field": "amount"}) from exc
        services.respond(
            user=request.user,
            application_id=application_id,
            action=action,
            message=values["message"],
            amount=amount,
            rate=values["rate"],
            term=values["term"],
        )
    except ApplicationError as exc:
        if exc.status_code != 400:  # answered meanwhile (409): the page shows the answer
            messages.error(request, exc.message)
            return redirect("lending-application", application_id=application_id)
        field = exc.extra.get("field")
        field = field if field in ("amount", "rate", "term", "message") else "form"
        return _application_page(request, item, errors={field: exc.message}, values=values, status=400)
    messages.success(request, _("Answer sent; the enterprise has been notified."))
    return redirect("lending-application", application_id=application_id)


@login_required
def products(request):
    scope = services.product_scope(request.user)
    rows = scope.products().order_by("institution__name_zh", "name_zh")
    return render(request, "lending/products.html", {"products": rows, "institution": scope.institution})


@login_required
def product_edit(request, product_id=None):
    scope = services.product_scope(request.user)
    product = get_object_or_404(scope.products(), pk=product_id) if product_id is not None else None
    form = ProductPageForm(request.POST or None, instance=product, scope=scope)
    if request.method == "POST" and form.is_valid():
        saved = services.product_save(form=form)
        messages.success(request, _("Loan product saved."))
        return redirect("lending-product", product_id=saved.pk)
    return render(
        request,
        "lending/product_form.html",
        {"form": form, "product": product},
        status=400 if form.errors else 200,
    )

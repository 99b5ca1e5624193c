"""The lending side on the public site: institution users answer the applications to their products
and manage their products; regional admins manage every product. Anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from finance.lending import selectors, services
from finance.lending.forms import ProductForm
from finance.lending.models import Application


@login_required
def inbox(request):
    institution = services.require_institution(request.user)
    show = request.GET.get("show", "open")
    rows = selectors.inbox(institution=institution).order_by("-created_at")
    if show != "all":
        rows = rows.filter(status__in=Application.OPEN)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "lending/inbox.html", {"page": page, "show": show, "institution": institution})


@login_required
def application(request, application_id):
    item = services.application_get(user=request.user, application_id=application_id)
    return render(
        request,
        "lending/application.html",
        {
            "application": item,
            "events": item.events.select_related("actor"),
            "can_answer": item.status in Application.OPEN,
        },
    )


@login_required
@require_POST
def respond(request, application_id):
    services.application_get(user=request.user, application_id=application_id)  # the fence first
    try:
        services.respond(
            user=request.user,
            application_id=application_id,
            action=request.POST.get("action"),
            message=request.POST.get("message"),
            amount=request.POST.get("amount"),
            rate=request.POST.get("rate"),
            term=request.POST.get("term"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
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
    form = ProductForm(request.POST or None, instance=product, scope=scope)
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

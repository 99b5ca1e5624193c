"""The exhibition hall on the public site: the regional admins' management pages, and the hall's
list of exhibitions that anyone may browse."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from core.roles import require_regional_admin
from exhibition.hall import services
from exhibition.hall.forms import ExhibitionForm, SectionForm
from exhibition.hall.models import Exhibition


def hall(request):
    """The public hall: the exhibitions that are public, with their sections (no sign-in needed)."""
    from exhibition.hall.selectors import public_exhibitions

    exhibitions = public_exhibitions().prefetch_related("sections__industries")
    return render(request, "hall/hall.html", {"exhibitions": exhibitions})


@login_required
def manage(request):
    require_regional_admin(request.user)
    return render(
        request, "hall/manage.html", {"exhibitions": Exhibition.objects.prefetch_related("sections")}
    )


@login_required
def exhibition_edit(request, exhibition_id=None):
    require_regional_admin(request.user)
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id) if exhibition_id is not None else None
    form = ExhibitionForm(request.POST or None, instance=exhibition)
    if request.method == "POST" and form.is_valid():
        saved = services.exhibition_save(form=form, user=request.user)
        messages.success(request, _("Exhibition saved."))
        return redirect("hall-exhibition", exhibition_id=saved.pk)
    return render(
        request,
        "hall/exhibition_form.html",
        {"form": form, "exhibition": exhibition, "section_form": SectionForm(), "moves": services.MOVES},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def exhibition_move(request, exhibition_id, move):
    require_regional_admin(request.user)
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id)
    if move not in services.MOVES:
        messages.error(request, _("Unknown action."))
    else:
        try:
            services.exhibition_move(exhibition_id=exhibition.pk, move=move, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status changed."))
    return redirect("hall-exhibition", exhibition_id=exhibition.pk)


@login_required
@require_POST
def section_add(request, exhibition_id):
    require_regional_admin(request.user)
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_save(form=form, exhibition=exhibition)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Section added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("hall-exhibition", exhibition_id=exhibition.pk)


def exhibition_hall(request, exhibition_id):
    """One exhibition's booths: search (Chinese or English), filters by section, city, industry and
    tag, 24 a page. Only published copies are shown; nobody needs to sign in."""
    from django.core.paginator import Paginator

    from exhibition.hall.selectors import hall_filters, hall_listings, public_exhibitions
    from exhibition.models import Product
    from tenants.models import Industry, Region

    exhibition = get_object_or_404(public_exhibitions(), pk=exhibition_id)
    chosen = hall_filters(request.GET)
    rows = hall_listings(exhibition, chosen)
    page = Paginator(rows.prefetch_related("products"), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "hall/exhibition.html",
        {
            "exhibition": exhibition,
            "page": page,
            "chosen": chosen,
            "sections": exhibition.sections.all(),
            "cities": Region.objects.filter(is_report_city=True).order_by("code"),
            "industries": Industry.objects.order_by("code"),
            "tags": Product.Tag.choices,
        },
    )


def booth(request, listing_id):
    from django.http import Http404

    from exhibition.hall.meetings import free_slots
    from exhibition.hall.selectors import public_listing

    listing = public_listing(listing_id)
    if listing is None:
        raise Http404

    return render(
        request,
        "hall/booth.html",
        {
            "listing": listing,
            "products": listing.products.all(),
            "slots": free_slots(tenant_id=listing.tenant_id),
        },
    )


def listing_image(request, product_id):
    from django.http import FileResponse, Http404

    from exhibition.hall.models import ListingProduct
    from exhibition.hall.policy import visible_q

    product = get_object_or_404(ListingProduct.objects.filter(visible_q("listing__")), pk=product_id)
    if not product.thumbnail:
        raise Http404
    try:
        return FileResponse(product.thumbnail.open("rb"), content_type="image/jpeg")
    except FileNotFoundError as exc:
        raise Http404 from exc


@login_required
def participation(request, exhibition_id):
    """Who exhibits and what came of it (regional admins; a scoped admin sees their scope's cities),
    with CSV and XLSX exports of the same tables."""
    from django.http import HttpResponse
    from django.utils import timezone

    from core.exports import EXPORTS
    from exhibition.hall.participation import participation, participation_tables

    require_regional_admin(request.user)
    exhibition = get_object_or_404(Exhibition, pk=exhibition_id)
    report = participation(exhibition=exhibition, admin=request.user)
    tables = participation_tables(report)
    kind = request.GET.get("export", "")
    if kind:
        if kind not in EXPORTS:
            messages.error(request, _("Unknown export format."))
            return redirect("hall-participation", exhibition_id=exhibition.pk)
        content_type, write = EXPORTS[kind]
        scope = request.user.scope_region
        described = [
            (_("Exhibition"), exhibition.name),
            (_("Dates"), f"{exhibition.starts_on:%Y-%m-%d} – {exhibition.ends_on:%Y-%m-%d}"),
            (_("Scope"), scope.name if scope else _("Whole region")),
        ]
        response = HttpResponse(write(_("Participation"), described, tables), content_type=content_type)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="participation-{exhibition.pk}-{stamp}.{kind}"'
        )
        return response
    return render(
        request,
        "hall/participation.html",
        {"exhibition": exhibition, "tables": tables, "any_rows": bool(report["total"]["registered"])},
    )

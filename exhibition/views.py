"""The exhibition cloud's pages on an enterprise's host: the product catalogue. Members read;
members and up change it; non-members get 404 (tenants.roles)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError, small_id
from exhibition import services
from exhibition.forms import ProductForm
from exhibition.models import Booth, Product, ProductImage
from tenants import roles
from tenants.members.models import Role


@login_required
def catalogue(request):
    enterprise, _role = roles.host_member_or_404(request)
    return render(
        request,
        "exhibition/catalogue.html",
        {
            "products": Product.objects.prefetch_related("images").select_related("industry"),
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
        },
    )


@login_required
def product_edit(request, product_id=None):
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    product = get_object_or_404(Product, pk=product_id) if product_id is not None else None
    form = ProductForm(request.POST or None, instance=product, initial={"industry": enterprise.industry_id})
    if request.method == "POST" and form.is_valid():
        saved = services.product_save(form=form, user=request.user)
        messages.success(request, _("Product saved."))
        return redirect("exhibition-product", product_id=saved.pk)
    return render(
        request,
        "exhibition/product_form.html",
        {"form": form, "product": product, "max_images": services.MAX_IMAGES},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def image_upload(request, product_id):
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    product = get_object_or_404(Product, pk=product_id)
    try:
        services.image_add(enterprise=enterprise, product=product, upload=request.FILES.get("image"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Picture added."))
    return redirect("exhibition-product", product_id=product.pk)


@login_required
@require_POST
def image_delete(request, product_id, image_id):
    roles.host_member_or_404(request, Role.MEMBER)
    services.image_delete(picture=get_object_or_404(ProductImage, pk=image_id, product_id=product_id))
    messages.success(request, _("Picture removed."))
    return redirect("exhibition-product", product_id=product_id)


@login_required
@require_POST
def product_delete(request, product_id):
    roles.host_member_or_404(request, Role.MEMBER)
    services.product_delete(product=get_object_or_404(Product, pk=product_id))
    messages.success(request, _("Product deleted."))
    return redirect("exhibition")


@login_required
def image_file(request, product_id, image_id, kind):
    """A product's picture for the enterprise's members (the hall will serve published copies)."""
    roles.host_member_or_404(request)
    picture = get_object_or_404(ProductImage, pk=image_id, product_id=product_id)
    field = {"full": picture.image, "thumb": picture.thumbnail}.get(kind)
    if field is None:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type="image/jpeg")


# --- booths ---------------------------------------------------------------------------------------------


@login_required
def booths(request):
    from exhibition.hall.models import Exhibition

    enterprise, _role = roles.host_member_or_404(request)
    return render(
        request,
        "exhibition/booths.html",
        {
            "booths": Booth.objects.select_related("exhibition", "section"),
            "open_exhibitions": Exhibition.objects.filter(status=Exhibition.Status.OPEN).prefetch_related(
                "sections"
            ),
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
        },
    )


@login_required
@require_POST
def booth_register(request):
    from exhibition import booths as booth_services

    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    try:
        booth = booth_services.booth_register(
            enterprise=enterprise,
            exhibition_id=small_id(request.POST.get("exhibition")),
            section_id=small_id(request.POST.get("section")),
            user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exhibition-booths")
    messages.success(
        request, _("Booth registered: write its introduction, feature products, then publish it.")
    )
    return redirect("exhibition-booth", booth_id=booth.pk)


@login_required
def booth_edit(request, booth_id):
    from exhibition import booths as booth_services
    from exhibition.hall.models import BoothListing

    enterprise, _role = roles.host_member_or_404(request)
    booth = get_object_or_404(Booth.objects.select_related("exhibition", "section"), pk=booth_id)
    can_edit = roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER)
    form = booth_services.BoothForm(request.POST or None, instance=booth)
    if request.method == "POST":
        roles.host_member_or_404(request, Role.MEMBER)
        if form.is_valid():
            booth_services.booth_save(form=form)
            messages.success(
                request, _("Booth saved. The hall shows it as last published until you publish again.")
            )
            return redirect("exhibition-booth", booth_id=booth.pk)
    from exhibition.hall.policy import visible_listings
    from tenants.registration import public_url

    listing = BoothListing.objects.filter(tenant=enterprise, booth_id=booth.pk).first()
    # The booth's page in the public hall, once the worker's copy is there (not before: it would 404).
    visible = listing is not None and visible_listings().filter(pk=listing.pk).exists()
    hall_url = public_url(f"/hall/booths/{listing.pk}/") if visible else ""
    return render(
        request,
        "exhibition/booth_form.html",
        {"booth": booth, "form": form, "listing": listing, "can_edit": can_edit, "hall_url": hall_url},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def booth_publish(request, booth_id, action):
    from exhibition import booths as booth_services

    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    get_object_or_404(Booth, pk=booth_id)
    try:
        if action == "publish":
            booth_services.booth_publish(booth_id=booth_id, enterprise=enterprise, user=request.user)
            messages.success(request, _("Publishing: the hall shows the booth as it is now within moments."))
        elif action == "unpublish":
            booth_services.booth_unpublish(booth_id=booth_id, enterprise=enterprise, user=request.user)
            messages.success(request, _("The booth is no longer in the hall."))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exhibition-booth", booth_id=booth_id)


# --- meeting slots --------------------------------------------------------------------------------------


@login_required
def slots(request):
    from exhibition.hall import meetings
    from exhibition.hall.selectors import upcoming_slots

    enterprise, _role = roles.host_member_or_404(request)
    can_edit = roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER)
    form = meetings.SlotForm(request.POST or None)
    if request.method == "POST":
        roles.host_member_or_404(request, Role.MEMBER)
        if form.is_valid():
            added = meetings.slots_add(tenant=enterprise, form=form)
            messages.success(request, _("%(n)s slots offered.") % {"n": len(added)})
            return redirect("exhibition-slots")
    return render(
        request,
        "exhibition/slots.html",
        {"slots": upcoming_slots(enterprise.pk), "form": form, "can_edit": can_edit},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def slot_cancel(request, slot_id):
    from exhibition.hall import meetings

    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    try:
        meetings.slot_cancel(tenant=enterprise, slot_id=slot_id, message=request.POST.get("message"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Slot cancelled."))
    return redirect("exhibition-slots")

"""The exhibition cloud's pages on an enterprise's host: the product catalogue. Members read;
members and up change it; non-members get 404 (tenants.roles)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exhibition import services
from exhibition.forms import ProductForm
from exhibition.models import Product, ProductImage
from portal.api import ApplicationError
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
    roles.host_member_or_404(request, Role.MEMBER)
    product = get_object_or_404(Product, pk=product_id)
    try:
        services.image_add(product=product, upload=request.FILES.get("image"))
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

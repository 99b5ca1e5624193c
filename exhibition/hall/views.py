"""The exhibition hall on the public site: the regional admins' management pages, and the hall's
list of exhibitions that anyone may browse."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exhibition.hall import services
from exhibition.hall.forms import ExhibitionForm, SectionForm
from exhibition.hall.models import Exhibition
from manufacturing.review.services import require_regional_admin
from portal.api import ApplicationError


def hall(request):
    """The public hall: the exhibitions that are public, with their sections (no sign-in needed)."""
    exhibitions = Exhibition.objects.filter(status__in=Exhibition.PUBLIC).prefetch_related(
        "sections__industries"
    )
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
            services.exhibition_move(exhibition_id=exhibition.pk, move=move)
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

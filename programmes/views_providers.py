"""The providers' pages (public site): registration, the provider's workspace (profile, applications
to programmes, solutions), and the public side: the solution catalogue, the providers' public pages,
the public programme list and detail. The workspace is for provider users only (404 for anyone
else); the public pages need no sign-in."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from core.client_ip import client_ip
from core.limits import limit_posts
from manufacturing.interface import framework_items
from programmes import catalogue, policy, providers, solutions
from programmes.forms_providers import EnrolmentForm, ProviderProfileForm, ProviderRegistrationPageForm
from programmes.models import Enrolment, Segment
from tenants import legal, selectors
from tenants.models import Enterprise
from tenants.views_auth import BACKEND

# --- registration -----------------------------------------------------------------------------------


@never_cache
@limit_posts("registration")  # the same per-address budget as an enterprise's registration
def register(request):
    form = ProviderRegistrationPageForm(data=request.POST or None)
    documents = legal.documents_current()
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            _provider, user = providers.provider_register(**data, ip=client_ip(request))
        except ApplicationError as exc:
            form.fields["password"].widget.render_value = False
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
            status = exc.status_code
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome! Your organisation is registered as a service provider."))
            return redirect("provider-workspace")
    elif len(documents) < 2:
        status = 503
    if status == 200 and form.errors:
        status = 400
    return render(
        request,
        "programmes/providers/register.html",
        {"form": form, "documents": documents, "closed": len(documents) < 2},
        status=status,
    )


# --- the provider's workspace -------------------------------------------------------------------------


@login_required
def workspace(request):
    provider = policy.require_provider(request.user)
    form = ProviderProfileForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        providers.provider_profile_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("provider-workspace")
    enrolments = (
        Enrolment.objects.filter(provider=provider).select_related("programme").order_by("-applied_at")
    )
    return render(
        request,
        "programmes/providers/workspace.html",
        {
            "provider": provider,
            "form": form,
            "enrolments": enrolments,
            "solutions": provider.solutions.order_by("name_zh"),
            "is_public": catalogue.is_public(provider),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def enrolment_withdraw(request, enrolment_id):
    try:
        providers.enrolment_withdraw(user=request.user, enrolment_id=enrolment_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("provider-workspace")


@login_required
def solution_list(request):
    provider = policy.require_provider(request.user)
    return render(
        request,
        "programmes/providers/solutions.html",
        {
            "provider": provider,
            "solutions": provider.solutions.order_by("name_zh"),
            "is_public": catalogue.is_public(provider),
        },
    )


@login_required
def solution_edit(request, solution_id=None):
    form = solutions.solution_form(user=request.user, solution_id=solution_id)  # the fence first
    if request.method == "POST":
        try:
            saved = solutions.solution_save(user=request.user, solution_id=solution_id, data=request.POST)
        except solutions.SolutionInvalid as exc:
            form = exc.form
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Solution saved."))
            return redirect("provider-solution", solution_id=saved.pk)
    return render(
        request,
        "programmes/providers/solution_form.html",
        {"form": form, "solution": form.instance if form.instance.pk else None},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def solution_publish(request, solution_id):
    """Publishes (active=1) or withdraws (active=0) one of the provider's solutions from the catalogue."""
    active = request.POST.get("active")
    if active not in ("0", "1"):
        messages.error(request, _("Choose whether to publish the solution or not."))
        return redirect("provider-solutions")
    solution = solutions.solution_set_active(user=request.user, solution_id=solution_id, active=active == "1")
    if solution.is_active:
        messages.success(request, _("The solution is published in the catalogue."))
    else:
        messages.success(request, _("The solution is no longer shown in the catalogue."))
    return redirect("provider-solutions")


# --- the public side ------------------------------------------------------------------------------------


def solution_catalogue(request):
    chosen = catalogue.catalogue_filters(request.GET)
    rows = catalogue.solutions_found(chosen)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    for solution in page:
        catalogue.described(solution)
    items = framework_items(framework_id=_default_framework()) or {"scenes": {}}
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programmes/public/solutions.html",
        {
            "page": page,
            "chosen": chosen,
            "query": query.urlencode(),
            "divisions": selectors.industry_list(),
            "segments": Segment.objects.order_by("division_id", "code"),
            "scenes": _named(items["scenes"]),
            "sizes": Enterprise.RevenueBand.choices,
            "providers": catalogue.providers_public().order_by("name_zh"),
            "programmes": catalogue.programmes_public(),
        },
    )


def _default_framework():
    from manufacturing.interface import default_framework_id

    return default_framework_id() or 0


def _named(items: dict) -> list[tuple[str, str]]:
    from core.i18n import in_language

    return sorted(
        ((k, in_language(v.get("zh", k), v.get("en", ""))) for k, v in items.items()), key=lambda r: r[1]
    )


def _improves(solution) -> dict:
    items = framework_items(framework_id=solution.framework_id) or {"scenes": {}, "questions": {}}
    scenes, questions = dict(_named(items["scenes"])), dict(_named(items["questions"]))
    return {
        "scenes": [scenes.get(k, k) for k in solution.scenes],
        "questions": [questions.get(k, k) for k in solution.questions],
    }


def solution_detail(request, solution_id):
    solution = catalogue.described(catalogue.solution_public(solution_id))
    catalogue.described(solution.provider)
    sizes = dict(Enterprise.RevenueBand.choices)
    return render(
        request,
        "programmes/public/solution.html",
        {
            "solution": solution,
            "improves": _improves(solution),
            "sizes": [sizes.get(s, s) for s in solution.sizes],
        },
    )


def provider_detail(request, provider_id):
    provider = catalogue.described(catalogue.provider_public(provider_id))
    return render(
        request,
        "programmes/public/provider.html",
        {
            "provider": provider,
            "solutions": [catalogue.described(s) for s in provider.solutions.filter(is_active=True)],
            "programmes": catalogue.provider_programmes(provider),
            "record": catalogue.provider_record(provider),
        },
    )


def programme_list(request):
    rows = catalogue.programmes_public()
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "programmes/public/programmes.html", {"page": page})


def programme_detail(request, programme_id):
    programme = catalogue.described(catalogue.programme_public(programme_id))
    provider = policy.provider_of(request.user)
    enrolment = None
    if provider is not None:
        enrolment = Enrolment.objects.filter(programme=programme, provider=provider).first()
    sizes = dict(Enterprise.RevenueBand.choices)
    return render(
        request,
        "programmes/public/programme.html",
        {
            "programme": programme,
            "sizes": [sizes.get(s, s) for s in programme.sizes],
            "accepted": catalogue.accepted_providers(programme),
            "provider": provider,
            "enrolment": enrolment,
            "window_open": providers.window_open(programme),
            "can_apply": provider is not None
            and providers.window_open(programme)
            and (enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN),
            "form": EnrolmentForm(initial={"programme": programme.pk}),
        },
    )


@login_required
@require_POST
def programme_apply(request, programme_id):
    policy.require_provider(request.user)
    programme = catalogue.programme_public(programme_id)
    try:
        providers.enrolment_apply(
            user=request.user, programme_id=programme.pk, statement=request.POST.get("statement", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Application sent; the programme's administrators will decide."))
    return redirect("programme-public", programme_id=programme.pk)


pages = [
    path("providers/register/", register, name="provider-register"),
    path("providers/<int:provider_id>/", provider_detail, name="provider-public"),
    path("provider/", workspace, name="provider-workspace"),
    path(
        "provider/enrolments/<int:enrolment_id>/withdraw/",
        enrolment_withdraw,
        name="provider-enrolment-withdraw",
    ),
    path("provider/solutions/", solution_list, name="provider-solutions"),
    path("provider/solutions/new/", solution_edit, name="provider-solution-new"),
    path("provider/solutions/<int:solution_id>/", solution_edit, name="provider-solution"),
    path("provider/solutions/<int:solution_id>/publish/", solution_publish, name="provider-solution-publish"),
    path("solutions/", solution_catalogue, name="solutions-public"),
    path("solutions/<int:solution_id>/", solution_detail, name="solution-public"),
    path("programmes/", programme_list, name="programmes-public"),
    path("programmes/<int:programme_id>/", programme_detail, name="programme-public"),
    path("programmes/<int:programme_id>/apply/", programme_apply, name="programme-apply"),
]

api_patterns = []

"""The public side of the programmes (reads, anyone): the solution catalogue, the providers' public
pages, the public programme list. Drafts, inactive providers and unpublished solutions never show.

Search: the catalogue holds a few hundred solutions, so a keyword is a case-insensitive substring
match (icontains) over the solution's and its provider's names and descriptions in both languages,
which finds a two-character Chinese word (质检) as well as English; the exhibition hall needs its
bigram index only for its many more booths (exhibition/hall/search.py explains why not pg_trgm)."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError, small_id
from core.i18n import in_language
from programmes.models import Enrolment, Programme, ProjectFact, Provider, Segment, Solution
from tenants.models import Enterprise, Industry

FILTERS = ("q", "division", "segment", "scene", "size", "provider", "programme")
PUBLIC_STATES = (Programme.State.OPEN, Programme.State.CLOSED, Programme.State.FINISHED)
# A provider's project counts as completed from the enterprise's completion on.
COMPLETED = ("completed", "verified", "granted", "refused")


def described(obj):
    """Sets `description` to the text in the active language (for templates)."""
    obj.description = in_language(obj.description_zh, obj.description_en)
    return obj


def catalogue_filters(params, *, strict: bool = False) -> dict:
    """The catalogue's filters from a query string, trimmed. A value of the wrong shape is ignored
    on the page (as in the hall); with `strict` (the API) it is a 400 naming the parameter."""
    chosen = {key: (params.get(key) or "").strip()[:100] for key in FILTERS}
    chosen["q"] = chosen["q"].replace("\x00", "")
    checks = {
        "division": lambda v: Industry.objects.filter(pk=v).exists(),
        "segment": lambda v: Segment.objects.filter(pk=v).exists(),
        "scene": lambda v: v.isascii() and all(c.isalnum() or c in "-_." for c in v),
        "size": lambda v: v in Enterprise.RevenueBand.values,
        "provider": lambda v: small_id(v) is not None,
        "programme": lambda v: small_id(v) is not None,
    }
    for key, check in checks.items():
        if chosen[key] and not check(chosen[key]):
            if strict:
                raise ApplicationError(
                    _("%(name)s: no such value (“%(value)s”)."),
                    params={"name": key, "value": chosen[key]},
                    extra={"field": key},
                )
            chosen[key] = ""
    return chosen


def accepted_somewhere():
    """The ids of the providers a public (non-draft) programme accepted: only they are public."""
    return Enrolment.objects.filter(
        status=Enrolment.Status.ACCEPTED, programme__state__in=PUBLIC_STATES
    ).values("provider_id")


def is_public(provider: Provider) -> bool:
    return provider.is_active and accepted_somewhere().filter(provider_id=provider.pk).exists()


def solutions_public() -> QuerySet[Solution]:
    """Published solutions of active providers accepted in at least one public programme."""
    return Solution.objects.filter(
        is_active=True, provider__is_active=True, provider_id__in=accepted_somewhere()
    )


def solutions_found(chosen: dict) -> QuerySet[Solution]:
    """The published solutions of active providers that match the filters. A solution with no
    division (segment, size) ticked fits every one."""
    rows = solutions_public()
    keyword = chosen.get("q", "")
    if keyword:
        rows = rows.filter(
            Q(name_zh__icontains=keyword)
            | Q(name_en__icontains=keyword)
            | Q(description_zh__icontains=keyword)
            | Q(description_en__icontains=keyword)
            | Q(provider__name_zh__icontains=keyword)
            | Q(provider__name_en__icontains=keyword)
        )
    if chosen.get("division"):
        rows = rows.filter(
            Q(divisions__isnull=True)
            | Q(pk__in=Solution.objects.filter(divisions=chosen["division"]).values("pk"))
        )
    if chosen.get("segment"):
        segment = Segment.objects.get(pk=chosen["segment"])
        fits_division = Q(divisions__isnull=True) | Q(
            pk__in=Solution.objects.filter(divisions=segment.division_id).values("pk")
        )
        rows = rows.filter(
            Q(pk__in=Solution.objects.filter(segments=segment).values("pk"))
            | (Q(segments__isnull=True) & fits_division)
        )
    if chosen.get("scene"):
        rows = rows.filter(scenes__contains=[chosen["scene"]])
    if chosen.get("size"):
        rows = rows.filter(Q(sizes=[]) | Q(sizes__contains=[chosen["size"]]))
    if chosen.get("provider"):
        rows = rows.filter(provider_id=small_id(chosen["provider"]))
    if chosen.get("programme"):
        rows = rows.filter(
            provider__enrolments__programme_id=small_id(chosen["programme"]),
            provider__enrolments__programme__state__in=PUBLIC_STATES,
            provider__enrolments__status=Enrolment.Status.ACCEPTED,
        )
    ids = rows.values("pk")
    return (
        Solution.objects.filter(pk__in=ids)
        .select_related("provider", "provider__city")
        .prefetch_related("divisions", "segments")
        .order_by("provider__name_zh", "name_zh", "pk")
    )


def solution_public(solution_id) -> Solution:
    pk = small_id(solution_id)
    solution = (
        (
            solutions_public()
            .select_related("provider", "provider__city")
            .prefetch_related("divisions", "segments")
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if solution is None:
        raise Http404
    return solution


def providers_public() -> QuerySet[Provider]:
    """Active providers accepted in at least one public programme (a provider nobody selected is not
    listed, nor are its solutions)."""
    return Provider.objects.filter(is_active=True, pk__in=accepted_somewhere()).select_related("city")


def provider_public(provider_id) -> Provider:
    pk = small_id(provider_id)
    provider = providers_public().filter(pk=pk).first() if pk else None
    if provider is None:
        raise Http404
    return provider


def programmes_public() -> QuerySet[Programme]:
    return Programme.objects.filter(state__in=PUBLIC_STATES).prefetch_related("cities")


def programme_public(programme_id) -> Programme:
    pk = small_id(programme_id)
    programme = (
        programmes_public().prefetch_related("divisions", "segments").filter(pk=pk).first() if pk else None
    )
    if programme is None:
        raise Http404
    return programme


def accepted_providers(programme: Programme) -> list[Provider]:
    """The programme's accepted, active providers, each with its published solutions."""
    return list(
        providers_public()
        .filter(enrolments__programme=programme, enrolments__status=Enrolment.Status.ACCEPTED)
        .prefetch_related(Prefetch("solutions", queryset=Solution.objects.filter(is_active=True)))
        .order_by("name_zh")
    )


def provider_programmes(provider: Provider) -> QuerySet[Programme]:
    """The public programmes the provider is accepted in."""
    return programmes_public().filter(
        enrolments__provider=provider, enrolments__status=Enrolment.Status.ACCEPTED
    )


def provider_record(provider: Provider) -> dict:
    """The provider's completed projects (published facts): how many, and the names of the
    enterprises that agreed to be named (publish_name), never the others'."""
    facts = ProjectFact.objects.filter(provider=provider, state__in=COMPLETED)
    rows = (
        facts.filter(publish_name=True)
        .exclude(enterprise_name="")
        .order_by("enterprise_name")
        .values_list("enterprise_name", "tenant__name_en")
        .distinct()
    )
    # The enterprise's English name on English pages when it has one.
    names = list(dict.fromkeys(in_language(zh, en or "") for zh, en in rows))
    return {"completed": facts.count(), "named": names}

"""The reports' programme view (public site, regional admins only; anyone else, and a programme the
admin does not see, gets 404): the programmes to choose from, one programme's figures, and their
CSV/XLSX exports (?export=csv|xlsx)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import EXPORTS
from core.roles import require_regional_admin
from core.tables import list_separator
from reports import programme_selectors as selectors
from reports.programme_tables import programme_tables


def describe(report: dict) -> list[tuple[str, str]]:
    """What the figures are of, in words: shown above them and written into every export."""
    from tenants.models import Region

    programme = report["programme"]
    shown = Region.objects.filter(code__in=report["scope_cities"]).order_by("code")
    return [
        (_("Programme"), programme.name),
        (_("State"), str(programme.get_state_display())),
        (_("Cities shown"), list_separator().join(c.name for c in shown) or "—"),
        (_("Framework version"), f"{programme.framework.name} ({programme.framework.version})"),
        (
            _("Target"),
            _("level %(level)s or above after, at least %(gain)s level(s) gained")
            % {"level": programme.target_level, "gain": programme.target_gain},
        ),
        (
            _("Subsidy"),
            _("%(percent)s%% of the contract, at most CNY %(cap)s")
            % {
                "percent": f"{programme.subsidy_percent.normalize():f}",
                "cap": f"{programme.subsidy_cap:,.2f}",
            },
        ),
    ]


def _bad_export(request):
    return render(
        request,
        "reports/invalid.html",
        {"title": _("Regional reports"), "message": _("Exports are available as CSV or XLSX.")},
        status=400,
    )


@login_required
def programmes(request):
    require_regional_admin(request.user)
    rows = list(selectors.programmes_for(request.user).prefetch_related("cities"))
    return render(
        request,
        "reports/programmes.html",
        {"title": _("Regional reports: transformation programmes"), "programmes": rows},
    )


@login_required
def programme(request, programme_id):
    require_regional_admin(request.user)
    found = selectors.programme_for(request.user, programme_id)
    kind = request.GET.get("export", "")
    if kind not in ("", *EXPORTS):
        return _bad_export(request)
    report = selectors.programme_report(found, admin=request.user)
    title = _("Regional reports: %(programme)s") % {"programme": found.name}
    table_list = programme_tables(report)
    described = describe(report)
    if kind:
        content_type, write = EXPORTS[kind]
        response = HttpResponse(write(title, described, table_list), content_type=content_type)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="jjj-report-programme-{found.pk}-{stamp}.{kind}"'
        )
        return response
    return render(
        request,
        "reports/programme.html",
        {
            "title": title,
            "programme": found,
            "described": described,
            "tables": table_list,
            "query": "",
        },
    )

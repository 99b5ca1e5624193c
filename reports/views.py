"""The regional reports' pages and their CSV/XLSX exports (public site, regional admins only: anyone
else gets 404, as for an unknown page)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import EXPORTS
from core.roles import require_regional_admin
from reports import charts, selectors, tables
from reports.forms import ReportFilterForm, filter_errors
from reports.policy import enterprises_visible
from reports.rollup import quarter_label
from tenants.models import Industry


def _filters(request):
    """The bound filter form (an empty query means every default); an unknown export raises _BadExport."""
    require_regional_admin(request.user)
    if request.GET.get("export", "") not in ("", *EXPORTS):
        raise _BadExport
    return ReportFilterForm(request.GET, admin=request.user)


class _BadExport(Exception):
    pass


def _query(request, *, drop=("export", "page")) -> str:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


def _respond(request, template: str, context: dict, *, title: str, name: str, form, table_list):
    kind = request.GET.get("export")
    if kind:
        content_type, write = EXPORTS[kind]
        response = HttpResponse(write(title, form.describe(), table_list), content_type=content_type)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{kind}"'
        return response
    context.update(
        {
            "form": form,
            "described": form.describe(),
            "tables": table_list,
            "title": title,
            "query": _query(request),
            "query_without_cities": _query(request, drop=("export", "page", "city")),
        }
    )
    return render(request, template, context)


def _invalid(request, form, title: str):
    return render(
        request, "reports/invalid.html", {"errors": filter_errors(form), "title": title}, status=400
    )


def _guarded(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _BadExport:
            return render(
                request,
                "reports/invalid.html",
                {"title": _("Regional reports"), "message": _("Exports are available as CSV or XLSX.")},
                status=400,
            )

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


@_guarded
def dashboard(request):
    title = _("Regional reports: cities compared")
    form = _filters(request)
    if not form.is_valid():
        return _invalid(request, form, title)
    filters = form.filters()
    report = selectors.dashboard(filters, admin=request.user)
    table_list = tables.dashboard_tables(report)
    context = {"report": report, "charts": dashboard_charts(report)}
    return _respond(
        request,
        "reports/dashboard.html",
        context,
        title=title,
        name="jjj-report-cities",
        form=form,
        table_list=table_list,
    )


def dashboard_charts(report: dict) -> list:
    axes = report["axes"]
    cities = report["cities"]
    maximum = axes.maximum
    quarters = [quarter_label(p.quarter) for p in report["total"].series]
    level_names = [tables.level_name(level, name) for level, name in axes.levels]
    return [
        charts.bars(
            "chart-average",
            _("Average verified score by city"),
            [
                (
                    f.region.name,
                    selectors.average(f.verified),
                    _("%(average)s · %(n)s verified")
                    % {"average": _one_text(selectors.average(f.verified)), "n": f.verified.n},
                )
                for f in cities
            ],
            maximum,
        ),
        charts.stacked(
            "chart-levels",
            _("Verified enterprises by level"),
            [
                (f.region.name, [f.verified.levels.get(str(level), 0) for level, _n in axes.levels])
                for f in cities
            ],
            level_names,
        ),
        charts.lines(
            "chart-quarters",
            _("Average verified score at each quarter's end"),
            quarters,
            [(f.region.name, [selectors.average(p.verified) for p in f.series]) for f in cities],
            maximum,
        ),
        charts.lines(
            "chart-verified",
            _("Verified enterprises at each quarter's end"),
            quarters,
            [(f.region.name, [p.verified.n for p in f.series]) for f in cities],
            float(-(-max([p.verified.n for f in cities for p in f.series] + [1]) // 4) * 4),  # whole ticks
        ),
        charts.pairs(
            "chart-financing",
            _("Financing in the period: requested and approved (CNY 10,000)"),
            [
                (
                    f.region.name,
                    tables.ten_thousands(f.financing.requested),
                    tables.ten_thousands(f.financing.approved),
                )
                for f in cities
            ],
            (_("Requested"), _("Approved")),
        ),
        charts.grouped(
            "chart-dimensions",
            _("Average score by dimension (% of the dimension's maximum)"),
            [tables.bilingual(name) for _key, name, _max in axes.dimensions],
            [
                (
                    f.region.name,
                    [
                        _percent(selectors.dimension_average(f.verified, key), maximum_score)
                        for key, _name, maximum_score in axes.dimensions
                    ],
                )
                for f in cities
            ],
        ),
    ]


def _one_text(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _percent(value, maximum) -> float | None:
    return None if value is None or not maximum else 100.0 * value / maximum


def _city(code: str):
    return get_object_or_404(selectors.report_cities(), code=code)


@_guarded
def city(request, code):
    region = _city(code)
    title = _("Regional reports: %(city)s by industry division") % {"city": region.name}
    form = _filters(request)
    if not form.is_valid():
        return _invalid(request, form, title)
    filters = form.filters()
    rows = selectors.city_industries(filters, city=region)
    may_drill = enterprises_visible(request.user, region)
    query = _query(request, drop=("export", "page", "city"))

    def link(row):
        if not may_drill:
            return None
        return reverse("report-enterprises", args=[region.code, row["code"]]) + (f"?{query}" if query else "")

    report_axes = selectors.axes(filters.framework)
    table = tables.industry_table(rows, report_axes=report_axes, link=link)
    chart = charts.bars(
        "chart-industries",
        _("Average verified score by industry division"),
        [(r[0], r[4], _one_text(r[4]) + f" · {r[2]}") for r in table.rows if r[2]],
        report_axes.maximum,
    )
    context = {"region": region, "may_drill": may_drill, "charts": [chart]}
    return _respond(
        request,
        "reports/city.html",
        context,
        title=title,
        name=f"jjj-report-{region.code}",
        form=form,
        table_list=[table],
    )


@_guarded
def enterprises(request, code, industry):
    region = _city(code)
    require_regional_admin(request.user)
    if not enterprises_visible(request.user, region):
        raise Http404  # the aggregates are region-wide; the enterprises only within the admin's scope
    form = _filters(request)
    division = get_object_or_404(Industry, code=industry)
    title = _("Regional reports: %(city)s, %(industry)s") % {
        "city": region.name,
        "industry": f"{division.code} {division.name}",
    }
    if not form.is_valid():
        return _invalid(request, form, title)
    filters = form.filters()
    facts = selectors.city_enterprises(filters, city=region, industry=division)
    report_axes = selectors.axes(filters.framework)
    if request.GET.get("export"):
        table_list = [tables.enterprise_table(facts, report_axes=report_axes)]
        page = None
    else:
        page = Paginator(facts, 50).get_page(request.GET.get("page"))
        table_list = [tables.enterprise_table(page, report_axes=report_axes)]
    context = {"region": region, "division": division, "page": page}
    return _respond(
        request,
        "reports/enterprises.html",
        context,
        title=title,
        name=f"jjj-report-{region.code}-{division.code}",
        form=form,
        table_list=table_list,
    )

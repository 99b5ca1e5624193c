"""Charts drawn by the app as inline SVG: no script and no CDN, so they work on a closed network, print,
and carry their labels in the page's language. Every label is escaped. Each chart has a <title> and
sits next to a table with the same figures (the accessible form)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Distinct colours for up to 14 cities (Tableau 10 and four more), and a sequential ramp for levels.
PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#7f7f7f",
]  # fmt: skip
LEVEL_RAMP = ["#d9d9d9", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]

WIDTH = 720
LABEL = 150  # room for the category labels on the left
FONT = 'font-family="sans-serif" font-size="12"'


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _svg(title: str, height: int, body: list[str], chart_id: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-labelledby="{escape(chart_id)}-title">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
    )
    caption = f'<figcaption aria-hidden="true">{escape(title)}</figcaption>'  # the SVG's <title> is read
    return mark_safe(  # noqa: S308 (every text above is escaped)
        f'<figure class="chart-figure">{caption}{head}{"".join(body)}</svg></figure>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT} {extra}>{escape(text)}</text>'


def _legend(items: list[tuple[str, str]], y: float) -> tuple[list[str], float]:
    body, x = [], LABEL
    for name, fill in items:
        width = 22 + 7.5 * len(name)
        if x + width > WIDTH:
            x, y = LABEL, y + 18
        body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{fill}"/>')
        body.append(_text(x + 16, y, name))
        x += width + 10
    return body, y + 18


def bars(chart_id: str, title: str, rows: list[tuple[str, float | None, str]], maximum: float) -> SafeString:
    """One horizontal bar per row: (label, value or None, the text printed after the bar)."""
    step, top = 24, 8
    body = []
    span = WIDTH - LABEL - 90
    for i, (label, value, note) in enumerate(rows):
        y = top + i * step
        body.append(_text(LABEL - 8, y + 15, label, "end"))
        length = span * (value or 0) / maximum if maximum else 0
        if value is not None:
            body.append(
                f'<rect x="{LABEL}" y="{y + 4}" width="{length:.1f}" height="15" fill="{colour(i)}"/>'
            )
        body.append(_text(LABEL + length + 6, y + 15, note))
    return _svg(title, top + len(rows) * step + 8, body, chart_id)


def stacked(chart_id: str, title: str, rows: list[tuple[str, list[int]]], segments: list[str]) -> SafeString:
    """One 100 % bar per row, split into the segments' shares (here: enterprises per level)."""
    step, top = 24, 8
    span = WIDTH - LABEL - 60
    body = []
    for i, (label, counts) in enumerate(rows):
        y = top + i * step
        body.append(_text(LABEL - 8, y + 15, label, "end"))
        whole = sum(counts)
        x = float(LABEL)
        for j, count in enumerate(counts):
            if whole and count:
                width = span * count / whole
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="15" '
                    f'fill="{LEVEL_RAMP[j % len(LEVEL_RAMP)]}">'
                    f"<title>{escape(segments[j])}: {count}</title></rect>"
                )
                if width > 18:
                    body.append(_text(x + width / 2, y + 15, str(count), "middle"))
                x += width
        body.append(_text(LABEL + span + 6, y + 15, f"n={whole}"))
    legend, bottom = _legend(
        [(name, LEVEL_RAMP[j % len(LEVEL_RAMP)]) for j, name in enumerate(segments)],
        top + len(rows) * step + 18,
    )
    return _svg(title, bottom, body + legend, chart_id)


def lines(
    chart_id: str,
    title: str,
    xlabels: list[str],
    series: list[tuple[str, list[float | None]]],
    maximum: float,
) -> SafeString:
    """One line per series over the quarters; a gap where a value is missing."""
    left, top, height = 50, 12, 200
    span = WIDTH - left - 20
    body = []
    for tick in range(5):
        value = maximum * tick / 4
        y = top + height - height * tick / 4
        body.append(f'<line x1="{left}" x2="{WIDTH - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        body.append(_text(left - 6, y + 4, f"{value:g}", "end"))
    count = max(len(xlabels), 1)

    def x_of(i: int) -> float:
        return left + (span * (i + 0.5) / count)

    for i, label in enumerate(xlabels):
        body.append(_text(x_of(i), top + height + 16, label, "middle"))
    for k, (_name, values) in enumerate(series):
        points: list[str] = []
        for i, value in enumerate(values):
            if value is None:
                body.append(_polyline(points, colour(k)))
                points = []
                continue
            y = top + height - (height * value / maximum if maximum else 0)
            points.append(f"{x_of(i):.1f},{y:.1f}")
            body.append(f'<circle cx="{x_of(i):.1f}" cy="{y:.1f}" r="3" fill="{colour(k)}"/>')
        body.append(_polyline(points, colour(k)))
    legend, bottom = _legend([(name, colour(k)) for k, (name, _v) in enumerate(series)], top + height + 40)
    return _svg(title, bottom, body + legend, chart_id)


def _polyline(points: list[str], stroke: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline fill="none" stroke="{stroke}" stroke-width="2" points="{" ".join(points)}"/>'


def grouped(
    chart_id: str, title: str, groups: list[str], series: list[tuple[str, list[float | None]]]
) -> SafeString:
    """Per group (a dimension), one bar per series (a city); values are percentages of the maximum."""
    bar, gap = 9, 10
    body = []
    y = 8
    span = WIDTH - LABEL - 60
    for g, group in enumerate(groups):
        block = max(len(series), 1) * bar
        body.append(_text(LABEL - 8, y + block / 2 + 4, group, "end"))
        for k, (name, values) in enumerate(series):
            value = values[g]
            if value is not None:
                width = span * value / 100
                body.append(
                    f'<rect x="{LABEL}" y="{y + k * bar:.1f}" width="{width:.1f}" height="{bar - 1}" '
                    f'fill="{colour(k)}"><title>{escape(name)}: {value:.1f}%</title></rect>'
                )
        y += block + gap
    legend, bottom = _legend([(name, colour(k)) for k, (name, _v) in enumerate(series)], y + 12)
    return _svg(title, bottom, body + legend, chart_id)


def pairs(
    chart_id: str, title: str, rows: list[tuple[str, float, float]], names: tuple[str, str]
) -> SafeString:
    """Two bars per row side by side (e.g. requested and approved), on one scale, values printed."""
    bar, gap, top = 11, 8, 8
    span = WIDTH - LABEL - 110
    maximum = max([max(a, b) for _label, a, b in rows] + [0]) or 1
    body = []
    y = top
    for label, *values in rows:
        body.append(_text(LABEL - 8, y + bar + 3, label, "end"))
        for k, value in enumerate(values):
            width = span * value / maximum
            top_k, fill = y + k * bar, colour(k)
            body.append(
                f'<rect x="{LABEL}" y="{top_k:.1f}" width="{width:.1f}" height="{bar - 1}" fill="{fill}"/>'
            )
            body.append(
                _text(LABEL + width + 4, y + k * bar + bar - 2, f"{value:,.1f}", extra='font-size="10"')
            )
        y += 2 * bar + gap
    legend, bottom = _legend([(name, colour(k)) for k, name in enumerate(names)], y + 12)
    return _svg(title, bottom, body + legend, chart_id)

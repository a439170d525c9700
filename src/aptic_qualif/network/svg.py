"""The coverage chart: a bar chart drawn here as SVG, with no map tiles and no network.

For each group (a territory), horizontal bars: the first series (the venues counted there,
in grey), then the others (the venues offering each level, in colour). The chart takes plain
series — labels and numbers — and knows nothing of coverage:
:func:`aptic_qualif.network.coverage.chart_series` turns a coverage into them.

The SVG is deterministic (same series, same bytes), accessible (``role="img"`` with a
``<title>`` and a ``<desc>``, a tooltip per territory) and safe to embed in a page: every
text and attribute goes through :func:`aptic_qualif.sanitize.xml_text` (characters XML
forbids replaced, markup escaped), and the only address in it is the SVG namespace. Text
and grid lines use ``currentColor``, so that the chart follows the page's light or dark
theme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from aptic_qualif.i18n import _
from aptic_qualif.sanitize import xml_text

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
WIDTH = 760
LABEL_WIDTH = 200
"""Right edge of the territory labels."""
PLOT_LEFT = 210
PLOT_WIDTH = 440
BAR_HEIGHT = 11
BAR_GAP = 2
GROUP_GAP = 12
LEGEND_HEIGHT = 30
AXIS_HEIGHT = 26
MAX_LABEL = 32
VENUES_COLOUR = "#8d8d8d"
LEVEL_COLOURS = ("#3f51b5", "#00897b", "#e65100", "#8e24aa", "#c62828", "#5d4037")


def _n(value: float) -> str:
    """A coordinate rounded to a tenth, without a useless ``.0``."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _shorten(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ticks(maximum: int) -> list[int]:
    """0 and round steps (1, 2, 5 × 10ⁿ) up to at least ``maximum``, six values at most."""
    maximum = max(maximum, 1)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if math.ceil(maximum / step) <= 5:
                return list(range(0, step * math.ceil(maximum / step) + 1, step))
        power *= 10


def render_chart(
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    description: str,
    empty_label: str,
    id_prefix: str = "coverage-chart",
) -> str:
    """The bar chart as an SVG document (also valid inline in HTML).

    ``series`` names the bars of every group, in order: the first (a total) is drawn in
    grey, the others in colours. ``groups`` gives each group's name and its values, one
    per series. ``empty_label`` is shown when there is no group."""
    prefix = xml_text(id_prefix)
    colours = [VENUES_COLOUR]
    colours += [LEVEL_COLOURS[index % len(LEVEL_COLOURS)] for index in range(len(series) - 1)]
    legend = list(zip(series, colours, strict=True))
    rows = [(name, list(values)) for name, values in groups]
    for name, values in rows:
        if len(values) != len(series):
            raise ValueError(f"{name}: {len(values)} values for {len(series)} series")
    group_height = max(len(series), 1) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    plot_top = LEGEND_HEIGHT
    plot_height = max(len(rows), 1) * (group_height + GROUP_GAP)
    height = plot_top + plot_height + AXIS_HEIGHT
    ticks = _ticks(max((max(values, default=0) for _name, values in rows), default=1))
    scale = PLOT_WIDTH / ticks[-1]

    out = [
        f'<svg xmlns="{SVG_NAMESPACE}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="{WIDTH}" height="{_n(height)}" font-family="sans-serif" font-size="12" '
        'style="max-width:100%;height:auto">',
        f'<title id="{prefix}-title">{xml_text(title)}</title>',
        f'<desc id="{prefix}-desc">{xml_text(description)}</desc>',
    ]
    # legend
    x = 0.0
    out.append('<g class="legend">')
    for label, colour in legend:
        text = _shorten(label, 24)
        out.append(
            f'<rect x="{_n(x)}" y="8" width="12" height="12" fill="{xml_text(colour)}"/>'
            f'<text x="{_n(x + 16)}" y="18" fill="currentColor">{xml_text(text)}</text>'
        )
        x += 16 + 7.2 * len(text) + 18
    out.append("</g>")
    # grid and axis
    bottom = plot_top + plot_height
    out.append('<g class="axis" fill="currentColor">')
    for tick in ticks:
        tx = PLOT_LEFT + tick * scale
        out.append(
            f'<line x1="{_n(tx)}" y1="{plot_top}" x2="{_n(tx)}" y2="{_n(bottom)}" '
            'stroke="currentColor" stroke-opacity="0.2"/>'
            f'<text x="{_n(tx)}" y="{_n(bottom + 16)}" text-anchor="middle">{tick}</text>'
        )
    out.append("</g>")
    if not rows:
        out.append(
            f'<text x="{_n(PLOT_LEFT + PLOT_WIDTH / 2)}" y="{_n(plot_top + plot_height / 2)}" '
            f'text-anchor="middle" fill="currentColor">{xml_text(empty_label)}</text>'
        )
    # one group of bars per territory
    for index, (name, values) in enumerate(rows):
        top = plot_top + GROUP_GAP / 2 + index * (group_height + GROUP_GAP)
        tooltip = f"{name} — " + ", ".join(
            _("{label}: {value}").format(label=label, value=value)
            for label, value in zip(series, values, strict=True)
        )
        out.append(f'<g class="territory"><title>{xml_text(tooltip)}</title>')
        out.append(
            f'<text x="{LABEL_WIDTH}" y="{_n(top + group_height / 2 + 4)}" text-anchor="end" '
            f'fill="currentColor">{xml_text(_shorten(name))}</text>'
        )
        for position, ((_label, colour), value) in enumerate(zip(legend, values, strict=True)):
            y = top + position * (BAR_HEIGHT + BAR_GAP)
            width = value * scale
            out.append(
                f'<rect x="{PLOT_LEFT}" y="{_n(y)}" width="{_n(width)}" '
                f'height="{BAR_HEIGHT}" fill="{xml_text(colour)}"/>'
                f'<text x="{_n(PLOT_LEFT + width + 4)}" y="{_n(y + BAR_HEIGHT - 1.5)}" '
                f'font-size="10" fill="currentColor">{value}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"

"""The coverage chart: a bar chart drawn here as SVG, with no map tiles and no network.

For each territory, a group of horizontal bars: the venues counted there, then the venues
offering each level. The SVG is deterministic (same coverage, same bytes), accessible
(``role="img"`` with a ``<title>`` and a ``<desc>``, a tooltip per territory) and safe to
embed in a page: every text and attribute goes through
:func:`aptic_qualif.sanitize.xml_text` (characters XML forbids replaced, markup escaped),
and the only address in it is the SVG namespace. Text and grid lines use
``currentColor``, so that the chart follows the page's light or dark theme.
"""

from __future__ import annotations

import math

from aptic_qualif.network.coverage import Coverage
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
    coverage: Coverage,
    *,
    title: str,
    description: str,
    venues_label: str,
    empty_label: str,
    id_prefix: str = "coverage-chart",
) -> str:
    """The chart of ``coverage`` as an SVG document (also valid inline in HTML)."""
    prefix = xml_text(id_prefix)
    series: list[tuple[str, str, str]] = [("", venues_label, VENUES_COLOUR)]
    series += [
        (level.id, level.label, LEVEL_COLOURS[index % len(LEVEL_COLOURS)])
        for index, level in enumerate(coverage.levels)
    ]
    rows = coverage.territories
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    plot_top = LEGEND_HEIGHT
    plot_height = max(len(rows), 1) * (group_height + GROUP_GAP)
    height = plot_top + plot_height + AXIS_HEIGHT
    ticks = _ticks(max((row.venues for row in rows), default=1))
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
    for _key, label, colour in series:
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
    for index, row in enumerate(rows):
        name = f"{row.territory} {row.label}".strip()
        top = plot_top + GROUP_GAP / 2 + index * (group_height + GROUP_GAP)
        values = [row.venues, *[row.levels.get(key, 0) for key, _l, _c in series[1:]]]
        tooltip = f"{name} — " + ", ".join(
            f"{label} : {value}" for (_k, label, _c), value in zip(series, values, strict=True)
        )
        out.append(f'<g class="territory"><title>{xml_text(tooltip)}</title>')
        out.append(
            f'<text x="{LABEL_WIDTH}" y="{_n(top + group_height / 2 + 4)}" text-anchor="end" '
            f'fill="currentColor">{xml_text(_shorten(name))}</text>'
        )
        for position, ((_key, _label, colour), value) in enumerate(
            zip(series, values, strict=True)
        ):
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

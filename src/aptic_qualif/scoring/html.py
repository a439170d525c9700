"""The standalone HTML report of ``assess --format html``.

One self-contained HTML5 page: inline CSS, no JavaScript, no network resource. Each
application gets a section with its decision, the reasons, a table and a radar chart of
its themes, what to complete, how to progress, the services offered, the reviews and the
explanation of every point.

The page is rendered by Jinja2 with autoescaping on, so text from an application (venue
name, answers) is always shown as text. The radar chart is inline SVG built here, with
every text in it escaped before the template inserts it as markup. Jinja2 is imported only
when a report is rendered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif import __version__
from aptic_qualif.formats import day, number, percent, plural_count
from aptic_qualif.i18n import _, language, ngettext
from aptic_qualif.review.copies import describe as describe_copy
from aptic_qualif.sanitize import xml_text
from aptic_qualif.scoring.model import Assessment, PointLine, ThemeResult
from aptic_qualif.scoring.render import decision_label

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
"""The folder of the report's template, shipped inside the package."""
TEMPLATE = "report.html.j2"

RADAR_RADIUS = 110.0
"""Radius of the radar chart's outer ring (100 %), in SVG units."""
RADAR_WIDTH = 440.0
RADAR_GRID = (25.0, 50.0, 75.0, 100.0)
_LABEL_GAP = 14.0
_LINE_HEIGHT = 15.0
_WRAP = 16
_MARGIN = 8.0


# --- numbers -------------------------------------------------------------------------------


def _coord(value: float) -> str:
    """An SVG coordinate rounded to one decimal (never ``-0.0``), for deterministic output."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return "0.0" if text == "-0.0" else text


# --- the radar chart -----------------------------------------------------------------------


def radar_angle(index: int, count: int) -> float:
    """The angle (radians) of axis ``index`` of ``count``: the first points up, then clockwise."""
    return -math.pi / 2 + 2 * math.pi * index / count


def radar_points(
    percentages: Sequence[float], cx: float, cy: float, radius: float = RADAR_RADIUS
) -> list[tuple[float, float]]:
    """The vertices of a radar polygon: one per axis, at ``percentage`` of ``radius``.

    Percentages are clamped to 0–100 and coordinates rounded to one decimal.
    """
    count = len(percentages)
    if count < 3:
        raise ValueError("a radar chart needs at least three axes")
    points = []
    for index, pct in enumerate(percentages):
        angle = radar_angle(index, count)
        distance = radius * min(max(float(pct), 0.0), 100.0) / 100.0
        x = round(cx + distance * math.cos(angle), 1) + 0.0
        y = round(cy + distance * math.sin(angle), 1) + 0.0
        points.append((x, y))
    return points


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_coord(x)},{_coord(y)}" for x, y in points)


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    """Greedy word wrap of a label into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class RadarAxis:
    """One axis of the radar chart: a theme and its score."""

    title: str
    percentage: float
    threshold: float
    passed: bool


def radar_svg(
    axes: Sequence[RadarAxis],
    *,
    ident: str,
    title: str,
    venue_legend: str,
    threshold_legend: str,
) -> str:
    """An inline SVG radar chart of ``axes`` (at least three), as a string of markup.

    Every text put in the chart is escaped here: the result is safe to insert as is.
    ``ident`` must be unique in the page and made of letters, digits and dashes.
    """
    count = len(axes)
    if count < 3:
        raise ValueError("a radar chart needs at least three axes")
    radius = RADAR_RADIUS
    # Lay the labels out around a centre at (0, 0), then shift everything to fit.
    labels = []
    top, bottom = -radius, radius
    for index, axis in enumerate(axes):
        angle = radar_angle(index, count)
        cos, sin = math.cos(angle), math.sin(angle)
        lines = [*_wrap(axis.title), percent(axis.percentage)]
        x = (radius + _LABEL_GAP) * cos
        y = (radius + _LABEL_GAP) * sin
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        height = _LINE_HEIGHT * len(lines)
        if sin < -0.3:  # above the centre: the block ends at the anchor point
            first = y - height + _LINE_HEIGHT * 0.8
        elif sin > 0.3:  # below: the block starts at it
            first = y + _LINE_HEIGHT * 0.8
        else:  # beside: centred on it
            first = y - height / 2 + _LINE_HEIGHT * 0.8
        top = min(top, first - _LINE_HEIGHT)
        bottom = max(bottom, first + _LINE_HEIGHT * (len(lines) - 1) + 4)
        labels.append((x, first, anchor, lines, axis.passed))
    cx = RADAR_WIDTH / 2
    cy = -top + _MARGIN
    legend_y = cy + bottom + 26
    height = legend_y + 14

    out = [
        '<svg class="radar" role="img" '
        f'viewBox="0 0 {_coord(RADAR_WIDTH)} {_coord(height)}" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{xml_text(title)}</title>',
        f'<desc id="{ident}-desc">'
        + xml_text(
            "; ".join(
                _("{theme} {percentage} (threshold {threshold})").format(
                    theme=axis.title,
                    percentage=percent(axis.percentage),
                    threshold=percent(axis.threshold),
                )
                for axis in axes
            )
        )
        + "</desc>",
        '<g class="grid">',
    ]
    for ring in RADAR_GRID:
        points = radar_points([ring] * count, cx, cy, radius)
        out.append(f'<polygon points="{_polygon(points)}"/>')
    out.append("</g>")
    for x, y in radar_points([100.0] * count, cx, cy, radius):
        out.append(
            f'<line class="axis" x1="{_coord(cx)}" y1="{_coord(cy)}" '
            f'x2="{_coord(x)}" y2="{_coord(y)}"/>'
        )
    thresholds = radar_points([axis.threshold for axis in axes], cx, cy, radius)
    scores = radar_points([axis.percentage for axis in axes], cx, cy, radius)
    out.append(f'<polygon class="threshold" points="{_polygon(thresholds)}"/>')
    out.append(f'<polygon class="score" points="{_polygon(scores)}"/>')
    for (x, y), axis in zip(scores, axes, strict=True):
        state = "passed" if axis.passed else "failed"
        out.append(f'<circle class="dot {state}" cx="{_coord(x)}" cy="{_coord(y)}" r="3.5"/>')
    for ring in RADAR_GRID:
        out.append(
            f'<text class="ring" x="{_coord(cx + 4)}" '
            f'y="{_coord(cy - radius * ring / 100 + 11)}">{xml_text(percent(ring))}</text>'
        )
    for x, first, anchor, lines, passed in labels:
        tspans = []
        for number_, line in enumerate(lines):
            last = number_ == len(lines) - 1
            cls = f' class="value {"passed" if passed else "failed"}"' if last else ""
            dy = "0" if number_ == 0 else _coord(_LINE_HEIGHT)
            tspans.append(f'<tspan x="{_coord(cx + x)}" dy="{dy}"{cls}>{xml_text(line)}</tspan>')
        out.append(
            f'<text class="label" x="{_coord(cx + x)}" y="{_coord(cy + first)}" '
            f'text-anchor="{anchor}">{"".join(tspans)}</text>'
        )
    # Legend, centred under the chart.
    left = cx - 150
    out += [
        '<g class="legend">',
        f'<rect class="score" x="{_coord(left)}" y="{_coord(legend_y - 9)}" '
        'width="18" height="10"/>',
        f'<text x="{_coord(left + 24)}" y="{_coord(legend_y)}">{xml_text(venue_legend)}</text>',
        f'<line class="threshold" x1="{_coord(cx + 20)}" y1="{_coord(legend_y - 4)}" '
        f'x2="{_coord(cx + 44)}" y2="{_coord(legend_y - 4)}"/>',
        f'<text x="{_coord(cx + 50)}" y="{_coord(legend_y)}">{xml_text(threshold_legend)}</text>',
        "</g>",
        "</svg>",
    ]
    return "\n".join(out)


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeLines:
    """The explanation of one theme: every item that counted in it."""

    theme: str
    title: str
    lines: list[PointLine]


@dataclass(frozen=True)
class Section:
    """What the template shows for one application."""

    a: Assessment
    anchor: str
    radar: str
    pending: list[str]
    advice: list[ThemeResult]
    services_total: int
    services_summary: str
    explanation: list[ThemeLines]
    scores: list[list[tuple[str, int]]] = field(default_factory=list)
    """The reviewers' scores of every disagreement, sorted by reviewer."""


def _anchor(index: int, application: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", application.lower()).strip("-")
    return f"app-{index}" + (f"-{slug}" if slug else "")


def _explanation(assessment: Assessment) -> list[ThemeLines]:
    """The point lines grouped by theme, themes in the assessment's order."""
    titles = {t.theme: t.title for t in assessment.themes}
    order = [t.theme for t in assessment.themes]
    for line in assessment.lines:
        if line.theme not in titles:
            titles[line.theme] = line.theme
            order.append(line.theme)
    return [
        ThemeLines(theme, titles[theme], [x for x in assessment.lines if x.theme == theme])
        for theme in order
        if any(x.theme == theme for x in assessment.lines)
    ]


def _section(index: int, assessment: Assessment) -> Section:
    anchor = _anchor(index, assessment.application)
    axes = [RadarAxis(t.title, t.percentage, t.threshold, t.passed) for t in assessment.themes]
    radar = (
        radar_svg(
            axes,
            ident=f"{anchor}-radar",
            title=_("{venue}: score per theme compared with the thresholds").format(
                venue=assessment.venue
            ),
            venue_legend=_("Score of the venue"),
            threshold_legend=_("Threshold"),
        )
        if len(axes) >= 3
        else ""
    )
    total = sum(len(ids) for ids in assessment.services_by_level.values())
    levels = len(assessment.services_by_level)
    return Section(
        a=assessment,
        anchor=anchor,
        radar=radar,
        pending=[item for t in assessment.themes for item in t.pending],
        advice=[t for t in assessment.themes if t.advice],
        services_total=total,
        services_summary=ngettext(
            "{count} service offered", "{count} services offered", total
        ).format(count=total)
        + " — "
        + ngettext("{count} level", "{count} levels", levels).format(count=levels),
        explanation=_explanation(assessment),
        scores=[sorted(d.scores.items()) for d in assessment.reviews.disagreements],
    )


def _labels() -> dict[str, str]:
    """Every fixed text of the page, translated."""
    return {
        "report": _("Qualification report"),
        "skip": _("Skip to content"),
        "main_menu": _("Main menu"),
        "contents": _("Contents"),
        "venue": _("Venue"),
        "decision": _("Decision"),
        "why": _("Why"),
        "overall": _("Overall"),
        "threshold": _("Threshold"),
        "threshold_lower": _("threshold"),
        "reached": _("threshold reached"),
        "not_reached": _("threshold not reached"),
        "themes": _("Themes"),
        "theme": _("Theme"),
        "points": _("Points"),
        "passed": _("Passed"),
        "yes": _("yes"),
        "no": _("no"),
        "awaiting_review": _("awaiting review"),
        "knockouts": _("Knock-outs"),
        "no_knockout": _("No knock-out."),
        "to_complete": _("To complete"),
        "nothing_to_complete": _("Nothing to complete."),
        "to_check": _("To check with the venue"),
        "to_progress": _("To progress"),
        "services": _("Services offered"),
        "level": _("Level"),
        "count": _("Number"),
        "service_ids": _("Services"),
        "no_service": _("No service of the référentiel is declared."),
        "reviews": _("Reviews"),
        "reviews_used": _("Reviews used:"),
        "reviews_stale": _("Stale reviews (what they rated has changed; not used):"),
        "copies": _("Written answers near-identical to another application's:"),
        "decisive": _("The reviewers' disagreement changes the decision; a further review of:"),
        "recommendations": _("Recommendations:"),
        "comments": _("Reviewers' comments"),
        "overall_comment": _("overall comment"),
        "evidence": _("Evidence:"),
        "practice": _("Practice as the reviewers judged it"),
        "practice_help": _(
            "Minimums on the reviewers' scores (0 to 4): no ticked box makes up for them."
        ),
        "scope": _("Scope"),
        "reviewers_score": _("Reviewers' score"),
        "minimum": _("Minimum"),
        "how_to_fix": _("How to fix it:"),
        "application_date": _("Application dated"),
        "valid_until": _("Qualification valid until"),
        "renew_from": _("renew from"),
        "complete_by": _("To complete by"),
        "bonus": _("bonus"),
        "reviews_conflicted": _("Reviews with a conflict of interest (not used):"),
        "disagreements": _("Disagreements between reviewers"),
        "reviewer_scores": _("Scores by reviewer"),
        "item": _("Item"),
        "no_review": _("No review has been used."),
        "pending": _("Answers awaiting review:"),
        "every_point": _("Every point"),
        "question": _("Question"),
        "answer": _("Answer"),
        "answer_given": _("Answer given"),
        "source": _("Source"),
        "file": _("File"),
        "questionnaire": _("Questionnaire"),
        "policy": _("Policy"),
        "referentiel": _("Référentiel"),
        "no_application": _("No application was assessed."),
        "generated": _("Report generated by aptic-qualif {version}.").format(version=__version__),
    }


def source_label(source: str) -> str:
    """What produced the points of a line, in words."""
    return {
        "answer": _("answer"),
        "reviews": _("reviews"),
        "unanswered": _("not answered"),
        "not_applicable": _("does not apply"),
        "pending_review": _("awaiting review"),
        "unsupported": _("not supported by its evidence"),
    }.get(source, source)


def _gain(value: float) -> str:
    return ngettext("+{points} point", "+{points} points", plural_count(value)).format(
        points=number(value)
    )


def _free_text(line: PointLine) -> bool:
    """Whether a line's answer is text written by the venue, worth showing in full."""
    answer = line.answer
    return isinstance(answer, str) and len(answer.split()) > 1 and answer != line.detail


def _width(value: float) -> str:
    """A percentage clamped to 0–100, for the width or position of a bar (CSS)."""
    return f"{min(max(float(value), 0.0), 100.0):g}"


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = number
    env.filters["pct"] = percent
    env.filters["gain"] = _gain
    env.filters["width"] = _width
    env.filters["free_text"] = _free_text
    env.filters["decision_label"] = decision_label
    env.filters["source_label"] = source_label
    env.filters["recommendation_label"] = recommendation_label
    env.filters["safe_href"] = safe_href
    env.filters["day"] = format_day
    env.filters["copy_text"] = describe_copy
    return env


def format_day(iso: str | None) -> str:
    return day(iso) if iso else ""


def safe_href(text: str) -> str:
    """``text`` as a link target when it is an http(s) URL, else ``""`` (shown as text)."""
    return text if re.fullmatch(r"https?://[^\s\"'<>]+", text) else ""


def recommendation_label(value: str) -> str:
    return {
        "qualifier": _("qualify"),
        "a-completer": _("to complete"),
        "ne-pas-qualifier": _("do not qualify"),
    }.get(value, value)


def render_html(
    assessments: Sequence[Assessment],
    *,
    back: tuple[str, str] | None = None,
    home: str | None = None,
    menu: Sequence[tuple[str, str]] = (),
) -> str:
    """The standalone HTML page of ``assessments``, in the language in use. Its header is
    the web front's (the name of the tool, and with ``home`` a link to the home page and
    ``menu``'s entries, (address, words) each); with ``back`` (an address and its words), a
    link back to where the page was opened from (``serve``).

    The same assessments always give the same bytes: nothing depends on the time or the
    machine.
    """
    sections = [_section(index, a) for index, a in enumerate(assessments, start=1)]
    if len(assessments) == 1:
        title = _("Qualification report — {venue}").format(venue=assessments[0].venue)
    else:
        title = _("Qualification report")
    context: dict[str, Any] = {
        "lang": language(),
        "title": title,
        "t": _labels(),
        "sections": sections,
        "back": {"url": back[0], "label": back[1]} if back is not None else None,
        "home": home,
        "menu": [{"url": url, "label": words} for url, words in menu],
        "summary": ngettext(
            "{count} application assessed", "{count} applications assessed", len(sections)
        ).format(count=len(sections)),
    }
    return _environment().get_template(TEMPLATE).render(context)

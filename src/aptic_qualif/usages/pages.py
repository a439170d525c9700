"""The observatory's pages of the site: national and per département, in the language in
use, each chart a server-rendered SVG with the data table beside it (no script): side by
side on a wide screen, one under the other on a narrow one (``aptic-usage-pair`` in the
site's ``extra.css``; the table is Markdown inside the block, by ``md_in_html``).

Every number comes from :func:`aptic_qualif.usages.report.sections`, so from the protected
tables; a hidden count is a bar not drawn and the letter « s » in the table. Every text goes
through the sanitiser of its sink (:func:`~aptic_qualif.sanitize.xml_text` in the SVG,
:func:`~aptic_qualif.sanitize.markdown_text` in the Markdown).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aptic_qualif.i18n import _, language
from aptic_qualif.sanitize import markdown_text, xml_text
from aptic_qualif.usages.report import (
    HIDDEN,
    UNKNOWN,
    UsageReport,
    csv_schema,
    gaps_markdown,
    render_csv,
    sections,
)

USAGES_DIR = "usages"
CSV_NAME = "usages-agregats.csv"
SCHEMA_NAME = "usages-agregats.schema.json"
# drawn to sit beside its table on a wide screen (about 34rem), and under it on a phone
WIDTH = 560
LABEL_WIDTH = 232
PLOT_LEFT = 240
PLOT_WIDTH = 270
BAR = 14
GAP = 6
BAR_COLOUR = "#3f51b5"


def _n(value: float) -> str:
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(text: str, limit: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(
    rows: Sequence[tuple[str, int | None]], *, title: str, description: str, id_prefix: str
) -> str:
    """A horizontal bar chart as inline SVG; a hidden count (None) draws no bar and shows
    the letter of the secret."""
    prefix = xml_text(id_prefix)
    top = 10
    height = top + len(rows) * (BAR + GAP) + 24
    from aptic_qualif.network.svg import _ticks

    ticks = _ticks(max((v for _label, v in rows if v is not None), default=0))
    scale = PLOT_WIDTH / ticks[-1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="13" '
        'style="max-width:100%;height:auto">',
        f'<title id="{prefix}-title">{xml_text(title)}</title>',
        f'<desc id="{prefix}-desc">{xml_text(description)}</desc>',
        '<g class="axis" fill="currentColor">',
    ]
    bottom = top + len(rows) * (BAR + GAP)
    for tick in ticks:
        x = PLOT_LEFT + tick * scale
        label = str(tick)
        out.append(
            f'<line x1="{_n(x)}" y1="{top}" x2="{_n(x)}" y2="{bottom}" stroke="currentColor" '
            f'stroke-opacity="0.2"/><text x="{_n(x)}" y="{bottom + 16}" '
            f'text-anchor="middle">{label}</text>'
        )
    out.append("</g>")
    for index, (label, value) in enumerate(rows):
        y = top + index * (BAR + GAP)
        shown = HIDDEN if value is None else str(value)
        out.append(f"<g><title>{xml_text(f'{label} : {shown}')}</title>")
        out.append(
            f'<text x="{LABEL_WIDTH}" y="{_n(y + BAR - 3)}" text-anchor="end" '
            f'fill="currentColor">{xml_text(_short(label))}</text>'
        )
        width = 0.0 if value is None else value * scale
        if width:
            out.append(
                f'<rect x="{PLOT_LEFT}" y="{y}" width="{_n(width)}" height="{BAR}" '
                f'fill="{BAR_COLOUR}"/>'
            )
        out.append(
            f'<text x="{_n(PLOT_LEFT + width + 4)}" y="{_n(y + BAR - 3)}" '
            f'fill="currentColor">{xml_text(shown)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _cell(value: object) -> str:
    if value is None:
        return HIDDEN
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",") if language() == "fr" else f"{value:.2f}"
    return markdown_text(value)


def _table(columns: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(markdown_text(c) for c in columns) + " |"]
    lines.append("| --- |" + " ---: |" * (len(columns) - 1))
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


CHARTED = {"mois", "niveau", "service", "public", "age"}


def page(report: UsageReport, departement: str | None, names: dict[str, str]) -> str:
    """The Markdown of the national page (``departement`` None) or of a département's."""
    title = _("Usages of digital mediation")
    if departement:
        title += " — " + names.get(departement, departement)
    # no table of contents beside the page: its width goes to the charts and tables
    lines = ["---", "hide:", "  - toc", "---", "", f"# {markdown_text(title)}", ""]
    lines.append(
        markdown_text(
            _(
                "Accompaniments recorded by the venues: usages, never the people. An "
                "accompaniment is a person in a session (a collective session counts its "
                "participants)."
            )
        )
    )
    lines += [
        "",
        markdown_text(
            _(
                "Counts from 1 to {n} are secret ({s}), and so are the counts that would "
                "let one compute them back."
            ).format(n=report.threshold - 1, s=HIDDEN)
        ),
    ]
    prefix = f"usages-{departement or 'fr'}"
    for section in sections(report, departement):
        lines += ["", f"## {markdown_text(section.title)}", ""]
        if section.id in CHARTED:
            value_column = len(section.columns) - 1
            bars = [
                (str(row[0]), row[value_column] if not isinstance(row[value_column], str) else None)
                for row in section.rows
                if row[0] != _("Total")
            ]
            chart = bar_chart(
                bars,
                title=section.title,
                description=_("Bar chart; its table gives the same numbers."),
                id_prefix=f"{prefix}-{section.id}",
            )
            lines += ['<div class="aptic-usage-pair" markdown="1">', ""]
            lines += ['<div class="aptic-usage-chart">', chart, "</div>", ""]
        rows = section.rows
        if section.id == "offre" and departement is None:
            rows = [
                [
                    f"[{markdown_text(names.get(str(r[0]), str(r[0])))}]({r[0]}.md)",
                    *r[1:],
                ]
                for r in rows
            ]
            lines += ["| " + " | ".join(markdown_text(c) for c in section.columns) + " |"]
            lines.append("| --- |" + " ---: |" * (len(section.columns) - 1))
            lines += [
                "| " + " | ".join([str(r[0]), *(_cell(v) for v in r[1:])]) + " |" for r in rows
            ]
        else:
            lines += _table(section.columns, rows)
        if section.id in CHARTED:
            lines += ["", "</div>"]
    lines += gaps_markdown(report, departement)
    lines += [
        "",
        "## " + markdown_text(_("Open data")),
        "",
        markdown_text(_("Every published number of these pages, in CSV, with its Table Schema:"))
        + f" [{CSV_NAME}](../telechargements/{CSV_NAME}),"
        + f" [{SCHEMA_NAME}](../telechargements/{SCHEMA_NAME}).",
    ]
    return "\n".join(lines) + "\n"


def usage_pages(report: UsageReport, names: dict[str, str]) -> dict[str, str]:
    """Every page of the observatory, by path under the site's docs."""
    pages = {f"{USAGES_DIR}/index.md": page(report, None, names)}
    for departement in report.departements:
        if departement != UNKNOWN:
            pages[f"{USAGES_DIR}/{departement}.md"] = page(report, departement, names)
    return pages


def usage_downloads(report: UsageReport) -> dict[str, str]:
    """The open-data aggregates and their Table Schema (the same in both languages)."""
    return {
        CSV_NAME: render_csv(report),
        SCHEMA_NAME: json.dumps(csv_schema(), ensure_ascii=False, indent=2) + "\n",
    }

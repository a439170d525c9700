"""Renderings of assessments: JSON, Markdown, CSV and a terminal table.

The HTML report lives in :mod:`aptic_qualif.scoring.html` (it needs Jinja2).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aptic_qualif import __version__
from aptic_qualif.formats import day, quoted
from aptic_qualif.formats import number as _num
from aptic_qualif.i18n import _
from aptic_qualif.review.copies import describe as describe_copy
from aptic_qualif.sanitize import csv_row, markdown_code, rich_text, terminal
from aptic_qualif.sanitize import markdown_text as _md
from aptic_qualif.scoring.model import Assessment

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

FORMAT_VERSION = "2.0"


def decision_label(decision: str) -> str:
    return {
        "qualifie": _("qualified"),
        "a-completer": _("to complete"),
        "non-qualifie": _("not qualified"),
        "en-attente-de-revue": _("awaiting review"),
        "a-arbitrer": _("to arbitrate"),
    }[decision]


def _plain(value: float) -> str:
    """A number in a data column (CSV): the same in every language, no useless ``.0``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def render_json(assessments: Sequence[Assessment]) -> str:
    """Stable JSON: keys sorted, described by ``schemas/assessment.schema.json``."""
    return "".join(json_chunks(assessments))


def json_chunks(assessments: Iterable[Assessment]) -> Iterator[str]:
    """The JSON of :func:`render_json`, byte for byte, one assessment at a time: a batch of
    any size is written without holding it (the keys of the envelope are sorted, so the
    assessments come first)."""
    return json_framed(map(json_item, assessments))


def json_item(assessment: Assessment) -> str:
    """One assessment's JSON as :func:`json_framed` places it in the list."""
    # indented by 4 (every line of indented JSON holds something; a newline in a string is
    # escaped): replaced, three times as fast as textwrap.indent. An assessment's numbers
    # are finite (its models refuse any other): orjson's text needs no check for them.
    data = assessment.model_dump(mode="json")
    raw = _orjson_indented(data, finite=True)
    if raw is not None:
        return raw.replace(b"\n", b"\n    ").decode("utf-8")
    return _standard_indented(data).replace("\n", "\n    ")


def json_framed(items: Iterable[str]) -> Iterator[str]:
    """The JSON envelope around assessments already rendered by :func:`json_item`."""
    yield '{\n  "assessments": ['
    empty = True
    for item in items:
        yield ("\n    " if empty else ",\n    ") + item
        empty = False
    tool = json.dumps(f"aptic-qualif {__version__}", ensure_ascii=False)
    yield ("]" if empty else "\n  ]") + (
        f',\n  "format": {json.dumps(FORMAT_VERSION)},\n  "tool": {tool}\n}}\n'
    )


_SMALL_FLOAT = re.compile(rb"0\.0000")
_SHORT_EXPONENT = re.compile(rb"e-[0-9](?![0-9])")
"""Where orjson's text of a number may differ from the standard library's: a float below
10^-4 (Python writes ``1e-05`` and ``1e-07``, orjson ``0.00001`` and ``1e-7``). Found
anywhere in orjson's text (within a string too), the standard library writes it instead.
(Two patterns, each beginning with its text: the regular expression engine then skips
from one occurrence to the next; as alternatives, it tried at every byte.)"""


def indented_json(data: Any) -> str:
    """JSON data (what ``model_dump(mode="json")`` gives) as ``json.dumps(data,
    ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True)`` writes it, byte for
    byte, by orjson: the standard library's indented encoder is pure Python, and the
    explanation of an assessment is tens of kilobytes.

    The two agree on layout, escapes, key order and every float from 10^-4 up. The standard
    library writes the JSON instead when orjson's text holds a smaller float
    (:data:`_SHORT_EXPONENT`), when orjson refuses the data (a key that is not a text, an
    integer beyond 64 bits), and when a number is not finite: orjson writes it ``null``,
    where the standard library refuses it (``ValueError``), as it still does."""
    raw = _orjson_indented(data)
    return raw.decode("utf-8") if raw is not None else _standard_indented(data)


def _orjson_indented(data: Any, *, finite: bool = False) -> bytes | None:
    """orjson's text of ``data`` (:func:`indented_json`), or ``None`` where the standard
    library's would differ; ``finite``: the data are known to hold no number that is not
    finite (orjson would write it ``null``)."""
    import orjson
    from pydantic_core import PydanticSerializationError, to_json

    try:
        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        if not finite:
            # pydantic's serialiser (Rust, compact) names the numbers that are not finite
            compact = to_json(data, inf_nan_mode="constants")
            finite = b"NaN" not in compact and b"Infinity" not in compact
    except (orjson.JSONEncodeError, PydanticSerializationError):
        return None
    if finite and not _SMALL_FLOAT.search(raw) and not _SHORT_EXPONENT.search(raw):
        return raw
    return None


def _standard_indented(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True)


def csv_columns(assessments: Sequence[Assessment]) -> list[str]:
    themes = [t.theme for t in assessments[0].themes] if assessments else []
    levels = list(assessments[0].services_by_level) if assessments else []
    return [
        "application",
        "lieu",
        "decision",
        "global_pct",
        *[f"{theme}_pct" for theme in themes],
        *[f"services_{level}" for level in levels],
        "eliminatoires",
        "a_completer",
        "en_attente_de_revue",
        "date",
        "valide_jusqu_au",
        "commentaires_relecteurs",
        "fichier",
    ]


def render_csv(assessments: Sequence[Assessment]) -> str:
    """One row per application, for batches and spreadsheets; every cell passes
    :func:`~aptic_qualif.sanitize.csv_cell` (no formula)."""
    return "".join(csv_chunks(assessments))


def csv_chunks(assessments: Iterable[Assessment]) -> Iterator[str]:
    """The CSV of :func:`render_csv`, one line at a time (the header takes the themes and
    levels of the first assessment)."""
    return csv_framed(map(csv_parts, assessments))


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_parts(a: Assessment) -> tuple[str, str]:
    """The CSV header an assessment would open (its themes and levels) and its row, as
    :func:`csv_framed` writes them."""
    row = csv_row(
        [
            a.application,
            a.venue,
            a.decision,
            _plain(a.overall.percentage),
            *[_plain(t.percentage) for t in a.themes],
            *[len(ids) for ids in a.services_by_level.values()],
            "|".join(k.id for k in a.knockouts),
            len(a.to_complete),
            "|".join(item for t in a.themes for item in t.pending),
            a.date or "",
            a.valid_until or "",
            " | ".join(
                f"{c.reviewer}{' (' + c.item + ')' if c.item else ''}: {c.comment}"
                for c in a.reviews.comments
            ),
            a.file,
        ]
    )
    return _csv_line(csv_columns([a])), _csv_line(row)


def csv_framed(parts: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The CSV of assessments already rendered by :func:`csv_parts`: the first one's header,
    then every row."""
    iterator = iter(parts)
    first = next(iterator, None)
    if first is None:
        yield _csv_line(csv_columns([]))
        return
    yield first[0]
    yield first[1]
    for _header, row in iterator:
        yield row


def render_markdown(assessments: Sequence[Assessment]) -> str:
    words = {
        "why": _("Why"),
        "theme": _("Theme"),
        "points": _("Points"),
        "threshold": _("Threshold"),
        "passed": _("Passed"),
        "pending": _("awaiting review"),
        "knockouts": _("Knock-outs"),
        "complete": _("To complete"),
        "to_check": _("To check with the venue"),
        "progress": _("To progress"),
        "every": _("Every point"),
        "question": _("Question"),
        "answer": _("Answer"),
        "practice": _("Practice as the reviewers judged it"),
        "scope": _("Scope"),
        "score": _("Reviewers' score"),
        "minimum": _("Minimum"),
        "fix": _("How to fix it:"),
        "comments": _("Reviewers' comments"),
        "overall_comment": _("overall comment"),
        "stale": _("Stale reviews (what they rated has changed; not used):"),
        "copies": _("Written answers near-identical to another application's:"),
        "evidence": _("Evidence:"),
        "bonus": _("bonus"),
    }
    lines: list[str] = []
    for a in assessments:
        lines += [
            f"## {_md(a.venue)}",
            "",
            _("- Decision: **{decision}**").format(decision=decision_label(a.decision)),
            _("- Overall: {percentage} % (threshold {threshold} %)").format(
                percentage=_num(a.overall.percentage), threshold=_num(a.overall.threshold)
            ),
            _(
                "- Questionnaire: {questionnaire} — policy: {policy} — référentiel: {referentiel}"
            ).format(
                questionnaire=markdown_code(a.questionnaire),
                policy=markdown_code(a.policy),
                referentiel=markdown_code(a.referentiel),
            ),
            _("- File: {file}").format(file=markdown_code(a.file)),
            "",
        ]
        if a.reasons:
            lines += [f"**{words['why']}**", ""] + [f"- {_md(r)}" for r in a.reasons] + [""]
        lines += [
            f"| {words['theme']} | {words['points']} | % | {words['threshold']} | "
            f"{words['passed']} |",
            "| --- | ---: | ---: | ---: | :---: |",
        ]
        for t in a.themes:
            mark = "✓" if t.passed else "✗"
            pending = f" ({words['pending']})" if t.pending else ""
            threshold = words["bonus"] if t.bonus else _num(t.threshold)
            lines.append(
                f"| {_md(t.title)}{pending} | {_num(t.points)} / {_num(t.max)} | "
                f"{_num(t.percentage)} | {threshold} | {mark} |"
            )
        lines.append("")
        if a.knockouts:
            lines += [f"**{words['knockouts']}**", ""]
            lines += [f"- {_md(k.reason)}" for k in a.knockouts] + [""]
        if a.practice:
            lines += [
                f"**{words['practice']}**",
                "",
                f"| {words['scope']} | {words['score']} | {words['minimum']} | {words['passed']} |",
                "| --- | ---: | ---: | :---: |",
            ]
            for f in a.practice:
                score = words["pending"] if f.score is None else f"{_num(f.score)} / 4"
                mark = "—" if f.score is None else ("✓" if f.passed else "✗")
                lines.append(f"| {_md(f.label)} | {score} | {_num(f.minimum)} / 4 | {mark} |")
            lines.append("")
        if a.to_complete or a.requirements:
            lines += [f"**{words['complete']}**", ""]
            for entry in a.to_complete:
                where = f"{_md(entry.label)} ({markdown_code(entry.item)}) — " if entry.item else ""
                fix = f" — {words['fix']} {_md(entry.fix)}" if entry.fix else ""
                lines.append(f"- {where}{_md(entry.reason)}{fix}")
            for r in a.requirements:
                lines.append(f"- {_md(r.label)} ({markdown_code(r.item)}) — {_md(r.reason)}")
            lines.append("")
        # The warnings of the application (answers unlikely together, among others): the
        # decision does not depend on them, the reviewers ask the venue about them.
        warned = [d for d in a.diagnostics if d.get("severity") == "warning"]
        if warned:
            lines += [f"**{words['to_check']}**", ""]
            for d in warned:
                fix = f" — {words['fix']} {_md(d['hint'])}" if d.get("hint") else ""
                lines.append(f"- {_md(d['message'])}{fix} ({markdown_code(d['code'])})")
            lines.append("")
        if a.valid_until:
            lines += [
                _("Qualification valid until {date}; renew from {renew}.").format(
                    date=day(a.valid_until), renew=day(a.renew_from or "")
                ),
                "",
            ]
        if a.complete_by:
            lines += [
                _("To complete by {date}.").format(date=day(a.complete_by)),
                "",
            ]
        advice = [(t, x) for t in a.themes for x in t.advice]
        if advice:
            lines += [f"**{words['progress']}**", ""]
            lines += [
                f"- {_md(t.title)} — {_md(x.label)} (+{_num(x.gain)}) : {_md(x.text)}"
                for t, x in advice
            ] + [""]
        if a.copies:
            lines += [f"**{words['copies']}**", ""]
            lines += [f"- {_md(describe_copy(match))}" for match in a.copies] + [""]
        if a.reviews.stale:
            lines += [f"**{words['stale']}**", ""]
            lines += [
                f"- {markdown_code(r.reviewer)} — {_md('; '.join(r.changes))}"
                for r in a.reviews.stale
            ]
            lines.append("")
        if a.reviews.comments:
            lines += [f"**{words['comments']}**", ""]
            for c in a.reviews.comments:
                about = f"{_md(c.label)} ({c.score}/4)" if c.item else words["overall_comment"]
                lines.append(f"- {markdown_code(c.reviewer)} — {about} : {_md(c.comment)}")
            lines.append("")
        lines += [
            f"<details><summary>{words['every']}</summary>",
            "",
            f"| {words['question']} | {words['answer']} | {words['points']} |",
            "| --- | --- | ---: |",
        ]
        for line in a.lines:
            evidence = a.evidence.get(line.item)
            proof = f" — {words['evidence']} {_md(' · '.join(evidence))}" if evidence else ""
            lines.append(
                f"| {_md(line.label)} | {_md(line.detail)}{proof} | {_num(line.points)} / "
                f"{_num(line.max)} |"
            )
        lines += ["", "</details>", ""]
    return "\n".join(lines)


NARROW = 110
"""Below this many columns, the terminal table gives the themes as a count, not a column
each: at 80 columns the venues' names had no room left."""


@dataclass(frozen=True)
class TableRow:
    """What the terminal table shows of one assessment (:func:`table_row`)."""

    venue: str
    decision: str
    overall: float
    themes: tuple[tuple[str, str, float, bool], ...]
    """Each theme: id, title, percentage, whether it passed."""


def table_row(a: Assessment) -> TableRow:
    return TableRow(
        venue=a.venue,
        decision=a.decision,
        overall=a.overall.percentage,
        themes=tuple((t.theme, t.title, t.percentage, t.passed) for t in a.themes),
    )


def render_table(rows: Sequence[TableRow], width: int | None = None) -> RenderableType:
    """The terminal table (one :func:`table_row` per assessment): every text from a file
    passes :func:`rich_text`. In a terminal narrower than :data:`NARROW` (``width``), the
    themes are one column, « themes at their threshold », so that each venue's name stays
    readable; the details that follow give each theme."""
    from rich.table import Table

    narrow = width is not None and width < NARROW
    table = Table(title=_("Assessments"), expand=True)
    table.add_column(_("Venue"), ratio=3, min_width=18)
    table.add_column(_("Decision"), ratio=2 if narrow else None, no_wrap=not narrow)
    table.add_column(_("Overall"), justify="right", no_wrap=True)
    if narrow:
        table.add_column(_("Themes"), justify="right", no_wrap=True)
    elif rows:
        for _theme, title, _percentage, _passed in rows[0].themes:
            short = title if len(title) <= 6 else title[:5] + "."
            table.add_column(rich_text(short, single_line=True), justify="right", no_wrap=True)
    styles = {
        "qualifie": "green",
        "a-completer": "yellow",
        "non-qualifie": "red",
        "en-attente-de-revue": "cyan",
        "a-arbitrer": "magenta",
    }
    for row in rows:
        if narrow:
            passed = sum(1 for theme in row.themes if theme[3])
            colour = "green" if passed == len(row.themes) else "red"
            cells = [f"[{colour}]{passed}/{len(row.themes)}[/]"]
        else:
            cells = [
                f"[{'green' if passed else 'red'}]{_num(percentage)}[/]"
                for _theme, _title, percentage, passed in row.themes
            ]
        table.add_row(
            rich_text(row.venue, single_line=True),
            f"[{styles[row.decision]}]{decision_label(row.decision)}[/]",
            f"{_num(row.overall)} %",
            *cells,
        )
    return table


def render_details(assessments: Sequence[Assessment], *, themes: bool = False) -> RenderableType:
    """Below the terminal table: for each venue, why, what to do, and what reviewers said;
    with ``themes``, first each theme's percentage (the narrow table only counts them).

    Every text from a file passes :func:`terminal` (``Text`` reads no markup) or
    :func:`rich_text` (``Text.from_markup``)."""
    from rich.console import Group
    from rich.text import Text

    return Group(
        *(
            Text(part) if isinstance(part, str) else part
            for a in assessments
            for part in _detail_parts(a, themes=themes)
        )
    )


def _detail_parts(a: Assessment, *, themes: bool) -> list[str | RenderableType]:
    """The details of ``a``: each plain line as its text (already through :func:`terminal`),
    the others as what Rich renders."""
    from rich.text import Text

    parts: list[str | RenderableType] = [
        Text.from_markup(
            f"\n[bold]{rich_text(a.venue, single_line=True)}[/] — {decision_label(a.decision)}"
        )
    ]
    if themes:
        shown = " · ".join(
            f"{t.title} {_num(t.percentage)} % {'✓' if t.passed else '✗'}" for t in a.themes
        )
        parts.append(terminal(f"  {shown}"))
    for reason in a.reasons:
        parts.append(terminal(f"  • {reason}"))
    for match in a.copies:
        parts.append(terminal(f"  ≈ {describe_copy(match)}"))
    for theme in a.themes:
        for advice in theme.advice:
            parts.append(terminal(f"  → {advice.label} : {advice.text}"))
    for comment in a.reviews.comments:
        about = f"{comment.item} ({comment.score}/4)" if comment.item else _("overall comment")
        parts.append(terminal(f"  {quoted(comment.comment)} — {comment.reviewer}, {about}"))
    for stale in a.reviews.stale:
        parts.append(terminal(f"  ⚠ {stale.reviewer} : {'; '.join(stale.changes)}"))
    return parts


@dataclass(frozen=True)
class TerminalSettings:
    """What the terminal's console renders with (:meth:`of`), so that another process
    renders the same bytes for it (:func:`table_parts`)."""

    width: int
    color_system: str | None
    is_terminal: bool
    no_color: bool

    @classmethod
    def of(cls, console: Console) -> TerminalSettings:
        return cls(console.width, console.color_system, console.is_terminal, console.no_color)

    def console(self) -> Console:
        from rich.console import Console

        return Console(
            file=io.StringIO(),
            width=self.width,
            color_system=self.color_system,  # type: ignore[arg-type]
            force_terminal=self.is_terminal,
            no_color=self.no_color,
            legacy_windows=False,
        )


def table_parts(a: Assessment, settings: TerminalSettings) -> tuple[TableRow, str]:
    """One assessment's row of the terminal table and its details as the terminal shows
    them (:func:`render_details`, rendered for ``settings``)."""
    from rich.text import Text

    from aptic_qualif.wrap import printed

    console = settings.console()
    shown = []
    for part in _detail_parts(a, themes=settings.width < NARROW):
        # a plain line is wrapped without Rich's machinery (the same characters), the rest
        # printed by Rich, as render_details' Group prints them one after the other
        simple = printed(part, settings.width) if isinstance(part, str) else None
        if simple is None:
            with console.capture() as captured:
                console.print(Text(part) if isinstance(part, str) else part)
            simple = captured.get()
        shown.append(simple)
    return table_row(a), "".join(shown)


def assessments_schema() -> dict[str, Any]:
    """The JSON Schema of ``assess --format json`` (published as
    ``schemas/assessment.schema.json``)."""
    schema = Assessment.model_json_schema(ref_template="#/$defs/{model}")
    definitions = schema.pop("$defs", {})
    definitions["Assessment"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://aptic-qualif.github.io/aptic-qualif/telechargements/assessment.schema.json",
        "title": "Évaluations aptic-qualif / aptic-qualif assessments",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "tool", "assessments"],
        "properties": {
            "format": {"const": FORMAT_VERSION},
            "tool": {"type": "string"},
            "assessments": {"type": "array", "items": {"$ref": "#/$defs/Assessment"}},
        },
        "$defs": definitions,
    }

"""``aptic-qualif assess``: score applications and explain every point."""

from __future__ import annotations

import glob
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    ReportFormat,
    emit_report,
    fail,
    state,
)
from aptic_qualif.i18n import _
from aptic_qualif.review.model import Review


class AssessFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"


class FailOn(StrEnum):
    qualifie = "qualifie"
    a_completer = "a-completer"
    non_qualifie = "non-qualifie"
    en_attente_de_revue = "en-attente-de-revue"


def expand(paths: list[str]) -> list[Path]:
    """Files, folders (searched for ``*.yaml``) and globs, even quoted ones."""
    from aptic_qualif.application import application_files

    expanded: list[Path] = []
    for pattern in paths:
        if any(char in pattern for char in "*?["):
            matches = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207 - user globs
            if not matches:
                fail(_("no file matches {pattern}").format(pattern=pattern))
            expanded += [Path(m) for m in matches]
        else:
            expanded.append(Path(pattern))
    files, missing = application_files(expanded)
    if missing:
        fail(_("not found: {paths}").format(paths=", ".join(map(str, missing))))
    if not files:
        fail(_("no application file (*.yaml) in {paths}").format(paths=", ".join(paths)))
    return files


def assess_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE_OR_DIR...",
            help=_('Application files, folders or globs ("apps/*.yaml").'),
        ),
    ],
    fmt: Annotated[
        Optional[AssessFormat],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--format", "-f", help=_("Output format (table on a terminal, json otherwise).")
        ),
    ] = None,
    reviews: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--reviews", help=_("Folder of reviews (<application>/<reviewer>.yaml).")),
    ] = None,
    policy: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--policy", help=_("Scoring policy to use instead of the project's.")),
    ] = None,
    fail_on: Annotated[
        Optional[list[FailOn]],  # noqa: UP045
        typer.Option("--fail-on", help=_("Exit 1 if an application gets this decision.")),
    ] = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.context import load_context
    from aptic_qualif.review.load import load_reviews
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import assess_files

    context = load_context(state().root, policy=policy, need_policy=True)
    files = expand(paths)
    loaded_reviews: list[Review] = []
    if reviews is not None:
        if not reviews.is_dir():
            fail(_("the folder '{path}' does not exist").format(path=reviews))
        loaded_reviews, review_report = load_reviews(reviews, context.questionnaire)
        if review_report.diagnostics:
            emit_report(review_report, ReportFormat.text, err=True)

    chosen = fmt or (
        AssessFormat.table if sys.stdout.isatty() and output is None else AssessFormat.json
    )
    if sys.stderr.isatty() and len(files) > 1:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task(_("Assessing"), total=len(files))
            batch = assess_files(
                files,
                context,
                loaded_reviews,
                reviews,
                on_file=lambda _path: progress.advance(task),
            )
    else:
        batch = assess_files(files, context, loaded_reviews, reviews)
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)

    assessments = batch.assessments
    if chosen is AssessFormat.table and output is None:
        from rich.console import Console

        Console().print(render.render_table(assessments))
    else:
        if chosen is AssessFormat.html:
            from aptic_qualif.scoring.html import render_html

            text = render_html(assessments)
        else:
            text = {
                AssessFormat.json: render.render_json,
                AssessFormat.markdown: render.render_markdown,
                AssessFormat.csv: render.render_csv,
                AssessFormat.table: render.render_markdown,
            }[chosen](assessments)
        write_output(text, output, force=force)
    failing = {f.value for f in fail_on or ()}
    if batch.unreadable or any(a.decision in failing for a in assessments):
        raise typer.Exit(1)

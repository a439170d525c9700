"""``aptic-qualif assess``: score applications and explain every point."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Optional

import typer

from aptic_qualif.cli.batch import (
    PathsArgument,
    PolicyOption,
    ReviewsOption,
    load_batch,
    with_progress,
)
from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    ReportFormat,
    emit_report,
)
from aptic_qualif.i18n import _


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


def assess_command(
    paths: PathsArgument,
    fmt: Annotated[
        Optional[AssessFormat],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--format", "-f", help=_("Output format (table on a terminal, json otherwise).")
        ),
    ] = None,
    reviews: ReviewsOption = None,
    policy: PolicyOption = None,
    fail_on: Annotated[
        Optional[list[FailOn]],  # noqa: UP045
        typer.Option("--fail-on", help=_("Exit 1 if an application gets this decision.")),
    ] = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import assess_files

    context, files, loaded_reviews, reviews_ok = load_batch(paths, reviews, policy)
    chosen = fmt or (
        AssessFormat.table if sys.stdout.isatty() and output is None else AssessFormat.json
    )
    batch = with_progress(
        files,
        lambda on_file: assess_files(files, context, loaded_reviews, reviews, on_file=on_file),
    )
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)

    assessments = batch.assessments
    if chosen is AssessFormat.table and output is None:
        from rich.console import Console

        console = Console()
        console.print(render.render_table(assessments))
        console.print(render.render_details(assessments))
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
    if batch.unreadable or not reviews_ok or any(a.decision in failing for a in assessments):
        raise typer.Exit(1)

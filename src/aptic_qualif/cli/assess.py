"""``aptic-qualif assess``: score applications and explain every point."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

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

if TYPE_CHECKING:
    from aptic_qualif.application import ApplicationFiles
    from aptic_qualif.context import Context
    from aptic_qualif.review.model import Review
    from aptic_qualif.scoring.model import Assessment


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
    a_arbitrer = "a-arbitrer"


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
    failing = {f.value for f in fail_on or ()}
    if chosen in {AssessFormat.json, AssessFormat.csv}:
        # one assessment at a time, from the file to the output: any batch size fits
        failed = _stream(chosen, files, context, loaded_reviews, reviews, output, force, failing)
        raise typer.Exit(1 if failed or not reviews_ok else 0)
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
        console.print(render.render_table(assessments, width=console.width))
        console.print(render.render_details(assessments, themes=console.width < render.NARROW))
    else:
        if chosen is AssessFormat.html:
            from aptic_qualif.scoring.html import render_html

            text = render_html(assessments)
        else:
            text = {
                AssessFormat.markdown: render.render_markdown,
                AssessFormat.table: render.render_markdown,
            }[chosen](assessments)
        write_output(text, output, force=force)
    if batch.unreadable or not reviews_ok or any(a.decision in failing for a in assessments):
        raise typer.Exit(1)


def _stream(
    chosen: AssessFormat,
    files: ApplicationFiles,
    context: Context,
    loaded_reviews: list[Review],
    reviews: Path | None,
    output: Path | None,
    force: bool,
    failing: set[str],
) -> bool:
    """Write the JSON or CSV of every assessment as it is made; whether the exit code is 1
    (an unreadable file, or a decision of ``--fail-on``)."""
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import Batch, iter_assessments

    batch = Batch()
    decided: set[str] = set()

    def run(on_file: Callable[[Path], None] | None) -> None:
        assessed = iter_assessments(files, context, batch, loaded_reviews, reviews, on_file=on_file)

        def assessments() -> Iterator[Assessment]:
            for assessment, _checked, _own in assessed:
                decided.add(assessment.decision)
                yield assessment

        chunks = render.json_chunks if chosen is AssessFormat.json else render.csv_chunks
        write_output(chunks(assessments()), output, force=force)

    with_progress(files, run)
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)
    return bool(batch.unreadable or decided & failing)

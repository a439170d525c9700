"""``aptic-qualif assess``: score applications and explain every point."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

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
    from aptic_qualif.scoring.assess import Batch
    from aptic_qualif.scoring.model import Assessment

R = TypeVar("R")


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
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help=_(
                "Processes assessing a large batch together (0: one per processor). "
                "The output is the same."
            ),
        ),
    ] = 0,
) -> None:
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import assess_files

    context, files, loaded_reviews, reviews_ok = load_batch(paths, reviews, policy)
    chosen = fmt or (
        AssessFormat.table if sys.stdout.isatty() and output is None else AssessFormat.json
    )
    failing = {f.value for f in fail_on or ()}
    batch_input = _Input(files, context, loaded_reviews, reviews, jobs)
    if chosen in {AssessFormat.json, AssessFormat.csv}:
        # one assessment at a time, from the file to the output: any batch size fits
        failed = _stream(chosen, batch_input, output, force, failing)
        raise typer.Exit(1 if failed or not reviews_ok else 0)
    if chosen is AssessFormat.table and output is None:
        failed = _table(batch_input, failing)
        raise typer.Exit(1 if failed or not reviews_ok else 0)
    batch = with_progress(
        files,
        lambda on_file: assess_files(files, context, loaded_reviews, reviews, on_file=on_file),
    )
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)

    assessments = batch.assessments
    if chosen is AssessFormat.html:
        from aptic_qualif.scoring.html import render_html

        text = render_html(assessments)
    else:  # Markdown, also for a table written to a file
        text = render.render_markdown(assessments)
    write_output(text, output, force=force)
    if batch.unreadable or not reviews_ok or any(a.decision in failing for a in assessments):
        raise typer.Exit(1)


@dataclass(frozen=True)
class _Input:
    files: ApplicationFiles
    context: Context
    reviews: list[Review]
    reviews_dir: Path | None
    jobs: int


def _rendered(
    given: _Input,
    batch: Batch,
    render: Callable[[Assessment], R],
    on_file: Callable[[Path], None] | None,
    decided: set[str],
) -> Iterator[R]:
    """Each assessment rendered (:func:`~aptic_qualif.scoring.parallel.assess_rendered`),
    its decision noted in ``decided``."""
    from aptic_qualif.scoring.parallel import assess_rendered

    for decision, rendered in assess_rendered(
        given.files,
        given.context,
        batch,
        render,
        given.reviews,
        given.reviews_dir,
        on_file=on_file,
        jobs=given.jobs,
    ):
        decided.add(decision)
        yield rendered


def _stream(
    chosen: AssessFormat,
    given: _Input,
    output: Path | None,
    force: bool,
    failing: set[str],
) -> bool:
    """Write the JSON or CSV of every assessment as it is made; whether the exit code is 1
    (an unreadable file, or a decision of ``--fail-on``)."""
    from aptic_qualif.cli.common import announce_written, write_output
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import Batch

    batch = Batch()
    decided: set[str] = set()

    def run(on_file: Callable[[Path], None] | None) -> None:
        if chosen is AssessFormat.json:
            chunks = render.json_framed(_rendered(given, batch, render.json_item, on_file, decided))
        else:
            chunks = render.csv_framed(_rendered(given, batch, render.csv_parts, on_file, decided))
        write_output(chunks, output, force=force, announce=False)

    with_progress(given.files, run)
    announce_written(output)  # once the progress bar is gone
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)
    return bool(batch.unreadable or decided & failing)


def _table(given: _Input, failing: set[str]) -> bool:
    """The terminal table, then each venue's details; whether the exit code is 1."""
    from functools import partial

    from rich.console import Console

    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import Batch

    console = Console()
    settings = render.TerminalSettings.of(console)
    batch = Batch()
    decided: set[str] = set()
    parts = with_progress(
        given.files,
        lambda on_file: list(
            _rendered(
                given, batch, partial(render.table_parts, settings=settings), on_file, decided
            )
        ),
    )
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)
    console.print(render.render_table([row for row, _details in parts], width=console.width))
    for _row, details in parts:
        console.file.write(details)
    console.file.flush()
    return bool(batch.unreadable or decided & failing)

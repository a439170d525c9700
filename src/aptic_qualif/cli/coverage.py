"""``aptic-qualif coverage``: qualified venues per territory, level and service, and the gaps."""

from __future__ import annotations

import sys
from collections.abc import Callable
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
    from aptic_qualif.scoring.assess import Batch


class CoverageFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    svg = "svg"


class CoverageBy(StrEnum):
    departement = "departement"
    commune = "commune"


def coverage_command(
    paths: PathsArgument,
    by: Annotated[
        CoverageBy,
        typer.Option("--by", help=_("Territory: département (default) or commune.")),
    ] = CoverageBy.departement,
    departement: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--departement",
            help=_(
                "Only this département (its code: 19, 2A, 974): the venues that are or go "
                "there; with --by commune, each of its communes."
            ),
        ),
    ] = None,
    every_venue: Annotated[
        bool,
        typer.Option("--all", help=_("Count every assessed venue, not only the qualified ones.")),
    ] = False,
    fmt: Annotated[
        Optional[CoverageFormat],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--format", "-f", help=_("Output format (table on a terminal, json otherwise).")
        ),
    ] = None,
    reviews: ReviewsOption = None,
    policy: PolicyOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.network import coverage as cov

    code = cov.check_departement(departement) if departement is not None else None
    context, files, loaded_reviews, reviews_ok = load_batch(paths, reviews, policy)
    chosen = fmt or (
        CoverageFormat.table if sys.stdout.isatty() and output is None else CoverageFormat.json
    )

    def run(on_file: Callable[[Path], None] | None = None) -> tuple[cov.Coverage, Batch]:
        return cov.coverage_of_files(
            files,
            context,
            loaded_reviews,
            reviews,
            by="commune" if by is CoverageBy.commune else "departement",
            qualified_only=not every_venue,
            departement=code,
            # Territories without a venue are listed too, with zeros: the département (or
            # every one), by commune every commune of the départements in scope.
            complete=True,
            on_file=on_file,
        )

    coverage, batch = with_progress(files, run)
    if batch.report.diagnostics:
        emit_report(batch.report, ReportFormat.text, err=True)

    if chosen is CoverageFormat.table and output is None:
        from rich.console import Console

        Console().print(cov.render_table(coverage))
    else:
        renderer = cov.RENDERERS.get(chosen.value, cov.render_markdown)
        write_output(renderer(coverage), output, force=force)
    if batch.unreadable or not reviews_ok:
        raise typer.Exit(1)

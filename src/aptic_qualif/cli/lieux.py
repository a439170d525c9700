"""``aptic-qualif export lieux`` and ``aptic-qualif import lieux``: the national open data of
digital-mediation venues."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aptic_qualif.cli.batch import (
    DateMajOption,
    PathsArgument,
    PolicyOption,
    ReviewsOption,
    run_export,
)
from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    ReportFormat,
    echo,
    emit_report,
    fail,
    folder_output,
    handle_errors,
    state,
    write_output,
)
from aptic_qualif.i18n import N_, _
from aptic_qualif.network import COMMENTED_MAX
from aptic_qualif.project import display_path
from aptic_qualif.reading import present

export_app = typer.Typer(
    help=_("Export to national open data: digital-mediation venues, data·inclusion."),
    no_args_is_help=True,
)
import_app = typer.Typer(
    help=_("Import from the national open data of digital-mediation venues."),
    no_args_is_help=True,
)


class LieuxFormat(StrEnum):
    csv = "csv"
    json = "json"


@export_app.command(
    "lieux",
    help=_(
        "Qualified venues in the national schema of digital-mediation venues (CSV or JSON): "
        "identity, services mapped through the référentiel, the qualification label. "
        "Telephone, email and website only when the application makes them public."
    ),
)
@handle_errors
def export_lieux_command(
    paths: PathsArgument,
    fmt: Annotated[
        LieuxFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = LieuxFormat.csv,
    include_all: Annotated[
        bool,
        typer.Option(
            "--all", help=_("Export every venue, not only the qualified ones (label omitted).")
        ),
    ] = False,
    reviews: ReviewsOption = None,
    policy: PolicyOption = None,
    date_maj: DateMajOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.network.lieux import export_lieux, render_csv, render_json

    result, reviews_ok = run_export(
        paths, reviews, policy, export_lieux, include_all=include_all, date_maj=date_maj
    )
    text = render_csv(result.rows) if fmt is LieuxFormat.csv else render_json(result.rows)
    write_output(text, output, force=force)
    echo(
        _("{n} venue(s) exported out of {total} application(s).").format(
            n=len(result.rows), total=result.assessed
        ),
        err=True,
    )
    if result.unreadable or not reviews_ok:
        raise typer.Exit(1)


@import_app.command(
    "lieux",
    help=_(
        "One pre-filled application per venue of a CSV in the national schema (an open-data "
        "extract): identity and offer mapped, the other answers left to fill in. Invalid rows "
        "are reported and skipped, and so are rows whose id an earlier row already has; "
        "existing files are kept unless --force. Up to {n} venues, every question is "
        "explained in a comment; beyond, the applications are compact (the same answers, "
        "without these comments, which 'aptic-qualif apply template' writes once)."
    ).format(n=COMMENTED_MAX),
)
@handle_errors
def import_lieux_command(
    path: Annotated[
        Path,
        typer.Argument(
            metavar=N_("FILE.csv"),
            help=_("CSV file in the national schema of digital-mediation venues."),
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=_("Folder to write the applications to (created if needed)."),
            file_okay=False,
        ),
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Overwrite applications that already exist.")),
    ] = False,
) -> None:
    from aptic_qualif.context import load_context
    from aptic_qualif.network.lieux import import_lieux, write_skeletons

    if not present(path):
        fail(_("not found: {paths}").format(paths=display_path(path)))
    folder_output(output)
    if output.exists() and not output.is_dir():
        fail(_("{path} is not a folder").format(path=display_path(output)))
    context = load_context(state().root)
    result = import_lieux(path, context)
    if result.report.diagnostics:
        emit_report(result.report, ReportFormat.text, err=True)
    if not result.header_ok:
        raise typer.Exit(1)
    written, kept = write_skeletons(result, output, force=force)
    for target in kept:
        echo(
            _("kept: {path} already exists (add --force to overwrite it)").format(
                path=display_path(target)
            ),
            err=True,
        )
    echo(
        _(
            "{written} application(s) written to {folder}, {kept} kept, {invalid} invalid "
            "row(s) skipped, out of {rows} row(s)."
        ).format(
            written=len(written),
            folder=display_path(output),
            kept=len(kept),
            invalid=len(result.invalid_rows),
            rows=result.rows,
        ),
        err=True,
    )
    if result.compact and written:
        echo(
            _(
                "Compact applications (more than {n} venues): the questions, their choices and "
                "their help are in the template that 'aptic-qualif apply template' writes."
            ).format(n=COMMENTED_MAX),
            err=True,
        )
    if result.invalid_rows:
        raise typer.Exit(1)

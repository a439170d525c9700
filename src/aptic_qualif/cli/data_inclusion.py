"""``aptic-qualif export data-inclusion``: venues and their services in the data·inclusion
schema 1.x (registered on the ``export`` group of :mod:`aptic_qualif.cli.lieux`)."""

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
    echo,
    fail,
    folder_output,
    handle_errors,
    write_output,
)
from aptic_qualif.cli.lieux import export_app
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path


class DataInclusionFormat(StrEnum):
    json = "json"
    csv = "csv"


@export_app.command(
    "data-inclusion",
    help=_(
        "Qualified venues (structures) and the catalogue services they offer (services) in "
        "the data·inclusion schema 1.x, as structures.json and services.json (or .csv) in a "
        "folder: thematiques from the référentiel's mappings. Telephone, email and website "
        "only when the application makes them public."
    ),
)
@handle_errors
def export_data_inclusion_command(
    paths: PathsArgument,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help=_("Folder to write structures and services to (created if needed)."),
            file_okay=False,
        ),
    ],
    fmt: Annotated[
        DataInclusionFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = DataInclusionFormat.json,
    include_all: Annotated[
        bool,
        typer.Option("--all", help=_("Export every venue, not only the qualified ones.")),
    ] = False,
    reviews: ReviewsOption = None,
    policy: PolicyOption = None,
    date_maj: DateMajOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.network.data_inclusion import (
        SERVICE_FIELDS,
        SERVICES_FILE,
        STRUCTURE_FIELDS,
        STRUCTURES_FILE,
        export_data_inclusion,
        render_csv,
        render_json,
    )

    folder_output(output)
    if output.exists() and not output.is_dir():
        fail(_("{path} is not a folder").format(path=display_path(output)))
    result, reviews_ok = run_export(
        paths, reviews, policy, export_data_inclusion, include_all=include_all, date_maj=date_maj
    )
    suffix = fmt.value
    tables = (
        (STRUCTURES_FILE, result.structures, STRUCTURE_FIELDS),
        (SERVICES_FILE, result.services, SERVICE_FIELDS),
    )
    output.mkdir(parents=True, exist_ok=True)
    for name, records, fields in tables:
        text = render_json(records) if suffix == "json" else render_csv(records, fields)
        write_output(text, output / f"{name}.{suffix}", force=force)
    echo(
        _(
            "{structures} structure(s) and {services} service(s) exported out of {total} "
            "application(s)."
        ).format(
            structures=len(result.structures), services=len(result.services), total=result.assessed
        ),
        err=True,
    )
    if result.unreadable or not reviews_ok:
        raise typer.Exit(1)

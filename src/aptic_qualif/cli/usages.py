"""``aptic-qualif usages``: the usage observatory (import, report, generate, schema)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

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
from aptic_qualif.project import display_path
from aptic_qualif.reading import present
from aptic_qualif.usages.disclosure import DEFAULT_SAFETY_RANGE, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from aptic_qualif.usages.report import Offer

app = typer.Typer(
    help=_(
        "The usage observatory: accompaniments recorded as usages, never users; imported, "
        "stored as Parquet, published under statistical secrecy."
    ),
    no_args_is_help=True,
)

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        "-s",
        help=_("Folder of the records (Parquet files by month), created if needed."),
        file_okay=False,
    ),
]


class SourceFormat(StrEnum):
    aptic = "aptic"
    coop = "coop"


@app.command(
    "import",
    help=_(
        "Import activity records into the store: CSV files in the usage format (see "
        "'usages schema'), or La Coop de la médiation numérique's activity export "
        "(--from coop: its .xlsx workbook or its sheet saved as CSV). A file with a column "
        "or a cell of personal data is refused whole; an invalid row is reported and "
        "skipped, the others kept. Importing a file again replaces its records."
    ),
)
@handle_errors
def import_command(
    files: Annotated[
        list[Path], typer.Argument(metavar=N_("FILE.csv..."), help=_("CSV files to import."))
    ],
    store: StoreOption,
    source: Annotated[
        SourceFormat,
        typer.Option(
            "--from", help=_("Format of the files: aptic (the usage format) or coop (La Coop).")
        ),
    ] = SourceFormat.aptic,
    venue: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option("--venue", help=_("La Coop: national id of the venue of every activity.")),
    ] = None,
    venues: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--venues",
            help=_("La Coop: CSV of two columns, the « Lieu » text and the venue's national id."),
        ),
    ] = None,
    drop_personal: Annotated[
        bool,
        typer.Option(
            "--drop-personal-columns",
            help=_(
                "La Coop: leave unread the columns that name people or hold free text "
                "(Bénéficiaire, Notes…) instead of refusing the file."
            ),
        ),
    ] = False,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=_("Format of the problems found."))
    ] = ReportFormat.text,
) -> None:
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.project import project_root
    from aptic_qualif.usages.importer import import_coop, import_usages, read_venue_map
    from aptic_qualif.usages.model import Resolver
    from aptic_qualif.usages.store import StoreWriter

    folder_output(store)
    missing = [f for f in files if not present(f)]
    if missing:
        fail(_("not found: {paths}").format(paths=", ".join(display_path(f) for f in missing)))
    if store.exists() and not store.is_dir():
        fail(_("{path} is not a folder").format(path=display_path(store)))
    resolver = Resolver(load_catalogue_or_fail(project_root(state().root)))
    venue_map: dict[str, str] = {}
    report = Report()
    if venues is not None:
        venue_map, problems = read_venue_map(venues)
        report.extend(problems.diagnostics)
    ok = report.ok
    for path in files:
        writer = StoreWriter(store)
        try:
            if source is SourceFormat.coop:
                result = import_coop(
                    path,
                    resolver,
                    venue=venue,
                    venues=venue_map,
                    drop_personal=drop_personal,
                    sink=writer.add,
                )
            else:
                result = import_usages(path, resolver, sink=writer.add)
        except BaseException:
            writer.abort()
            raise
        report.extend(result.report.diagnostics)
        if result.refused:
            writer.abort()
            ok = False
            echo(_("{file}: refused, nothing imported").format(file=result.file), err=True)
            continue
        writer.commit(result.digest)
        ok = ok and not result.invalid_rows
        echo(
            _("{file}: {kept} record(s) imported, {invalid} row(s) skipped, out of {rows}.").format(
                file=result.file,
                kept=result.kept,
                invalid=len(result.invalid_rows),
                rows=result.rows,
            ),
            err=True,
        )
    if report.diagnostics:
        emit_report(report, fmt, err=fmt is ReportFormat.text)
    if not ok:
        raise typer.Exit(1)


class UsageFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def offer_of(applications: list[str], reviews: Path | None) -> dict[str, Offer]:
    """The qualified venues of each département, from the applications and their reviews."""
    from aptic_qualif.cli.batch import load_batch
    from aptic_qualif.network.coverage import coverage_of_files
    from aptic_qualif.usages.report import Offer

    context, files, loaded, _ok = load_batch(applications, reviews, None)
    coverage, _batch = coverage_of_files(files, context, loaded, reviews, by="departement")
    return {
        t.territory: Offer(t.venues, t.population, frozenset(t.services))
        for t in coverage.territories
    }


@app.command(
    "report",
    help=_(
        "Accompaniments of the store by month, level and service, public, age band, pass "
        "emitter, and offer against usage, nationally or for one département; every count "
        "under statistical secrecy (primary and secondary suppression)."
    ),
)
@handle_errors
def report_command(
    store: Annotated[
        Path,
        typer.Argument(metavar=N_("STORE"), help=_("Folder of the records."), file_okay=False),
    ],
    departement: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--departement", "-d", help=_("Only this département (35, 2A, 974).")),
    ] = None,
    threshold: Annotated[
        int,
        typer.Option(
            "--threshold",
            min=1,
            help=_("Counts below this are secret, and so is what would reveal them."),
        ),
    ] = DEFAULT_THRESHOLD,
    safety_range: Annotated[
        float,
        typer.Option(
            "--safety-range",
            min=0,
            max=100,
            help=_(
                "Safety range, in per cent: a secret count cannot be narrowed down within "
                "this much of its value, either way, from the published numbers."
            ),
        ),
    ] = DEFAULT_SAFETY_RANGE,
    applications: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--applications",
            help=_("Application files or folders: the qualified venues (offer against usage)."),
        ),
    ] = None,
    reviews: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--reviews", help=_("Folder of reviews of the applications.")),
    ] = None,
    fmt: Annotated[
        Optional[UsageFormat],  # noqa: UP045
        typer.Option(
            "--format", "-f", help=_("Output format (table on a terminal, json otherwise).")
        ),
    ] = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.project import project_root
    from aptic_qualif.usages import report as usage_report
    from aptic_qualif.usages.labels import report_labels

    if not store.is_dir():
        fail(_("the folder '{path}' does not exist").format(path=display_path(store)))
    labels = report_labels(project_root(state().root), store)
    offer = offer_of(applications, reviews) if applications else None
    report = usage_report.build_report(
        store, labels, threshold=threshold, offer=offer, safety_range=safety_range
    )
    if departement is not None and departement not in report.departements:
        fail(_("no record for the département '{code}'").format(code=departement), 1)
    chosen = fmt or (
        UsageFormat.table if sys.stdout.isatty() and output is None else UsageFormat.json
    )
    if chosen is UsageFormat.table and output is None:
        from rich.console import Console

        Console().print(usage_report.render_table(report, departement))
        return
    if chosen is UsageFormat.table:
        chosen = UsageFormat.markdown
    write_output(usage_report.RENDERERS[chosen.value](report, departement), output, force=force)


@app.command(
    "generate",
    help=_(
        "Write synthetic activity records (never real people) in the usage format: for "
        "demos, tests and benchmarks; the same seed gives the same file."
    ),
)
@handle_errors
def generate_command(
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, help=_("Number of records."))
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help=_("Seed of the random draws."))] = 1,
    year: Annotated[int, typer.Option("--year", help=_("Year of the records."))] = 2025,
    departements: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--departement",
            "-d",
            help=_("Only venues of this département (repeat the option for several)."),
        ),
    ] = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.project import project_root
    from aptic_qualif.usages.generate import generate_csv

    catalogue = load_catalogue_or_fail(project_root(state().root))
    from aptic_qualif.communes import communes

    known = communes().departement_populations
    unknown = [d for d in departements or [] if d not in known]
    if unknown:
        fail(_("unknown département: {codes}").format(codes=", ".join(unknown)))
    chosen = tuple(departements) if departements else None
    write_output(
        generate_csv(count, catalogue, seed=seed, year=year, departements=chosen),
        output,
        force=force,
    )


@app.command(
    "schema",
    help=_("Print the Table Schema of the usage format (frictionless validates files with it)."),
)
@handle_errors
def schema_command(output: OutputOption = None, force: ForceOption = False) -> None:
    from aptic_qualif.usages.model import schema_text

    write_output(schema_text(), output, force=force)

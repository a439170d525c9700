"""``aptic-qualif publish …``: the référentiel as linked data, the downloads, the site."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from aptic_qualif.cli.batch import PolicyOption, ReviewsOption
from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    echo,
    folder_output,
    handle_errors,
    state,
    write_output,
)
from aptic_qualif.cli.coverage import CoverageBy
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.usages.disclosure import DEFAULT_SAFETY_RANGE, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from aptic_qualif.referentiel.load import Catalogue

app = typer.Typer(
    help=_("Publish the référentiel: SKOS in JSON-LD and Turtle, downloads, documentation site."),
    no_args_is_help=True,
)


def _catalogue() -> Catalogue:
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.project import project_root

    return load_catalogue_or_fail(project_root(state().root))


@app.command(
    "jsonld",
    help=_("Print the référentiel as a SKOS concept scheme in JSON-LD (its context inline)."),
)
@handle_errors
def jsonld_command(output: OutputOption = None, force: ForceOption = False) -> None:
    from aptic_qualif.publish.skos import render_jsonld

    write_output(render_jsonld(_catalogue()), output, force=force)


@app.command("turtle", help=_("Print the référentiel as a SKOS concept scheme in Turtle."))
@handle_errors
def turtle_command(output: OutputOption = None, force: ForceOption = False) -> None:
    from aptic_qualif.publish.skos import render_turtle

    write_output(render_turtle(_catalogue()), output, force=force)


@app.command(
    "context", help=_("Print the JSON-LD context (context.jsonld) of the published référentiel.")
)
@handle_errors
def context_command(output: OutputOption = None, force: ForceOption = False) -> None:
    from aptic_qualif.publish.skos import render_context

    write_output(render_context(_catalogue().scheme.base_iri), output, force=force)


@app.command(
    "all",
    help=_(
        "Write every download into a folder: JSON-LD and its context, Turtle, the "
        "questionnaire as JSON, the application JSON Schema and a CSV of services."
    ),
)
@handle_errors
def all_command(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help=_("Folder to write the files into."), file_okay=False),
    ],
    force: Annotated[
        bool, typer.Option("--force", help=_("Overwrite files that already exist."))
    ] = False,
) -> None:
    from aptic_qualif.context import load_context
    from aptic_qualif.publish.exports import write_all

    folder_output(output)
    for path in write_all(load_context(state().root), output, force):
        echo(_("Written: {path}").format(path=display_path(path)), err=True)


@app.command(
    "site",
    help=_(
        "Build the documentation site of the référentiel (static HTML), in French, and in "
        "English in en/. With --applications, its coverage pages, map and list of qualified "
        "venues show the network's own applications; without, the project's fictional "
        "examples."
    ),
)
@handle_errors
def site_command(
    output: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--output",
            "-o",
            help=_("Folder to build the site into; build/site in the project by default."),
            file_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=_("Write into a non-empty folder that holds no site built before.")
        ),
    ] = False,
    applications: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--applications",
            help=_("Folder of the network's applications to show instead of the examples."),
            file_okay=False,
        ),
    ] = None,
    reviews: ReviewsOption = None,
    policy: PolicyOption = None,
    by: Annotated[
        CoverageBy,
        typer.Option(
            "--by",
            help=_(
                "Coverage by département (default), or by commune too: one page per "
                "département listing every commune, with or without a venue."
            ),
        ),
    ] = CoverageBy.departement,
    site_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--site-url",
            help=_(
                "Address the site is published at (https://…/), for its sitemap and the "
                "redirect rules of its IRIs; the site_url of site/mkdocs.yml by default."
            ),
        ),
    ] = None,
    usages: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--usages",
            help=_(
                "Store of the usage observatory (aptic-qualif usages import): its pages, "
                "national and per département, and its open-data aggregates."
            ),
            file_okay=False,
        ),
    ] = None,
    usage_threshold: Annotated[
        int,
        typer.Option(
            "--usages-threshold",
            min=1,
            help=_("Usage pages: counts below this are secret, and so is what would reveal them."),
        ),
    ] = DEFAULT_THRESHOLD,
    usage_safety_range: Annotated[
        float,
        typer.Option(
            "--usages-safety-range",
            min=0,
            max=100,
            help=_(
                "Usage pages: safety range, in per cent: a secret count cannot be narrowed "
                "down within this much of its value, either way, from the published numbers."
            ),
        ),
    ] = DEFAULT_SAFETY_RANGE,
) -> None:
    from aptic_qualif.cli.common import ReportFormat, emit_report, fail, user_path
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.project import project_root
    from aptic_qualif.publish.network import NetworkSource
    from aptic_qualif.publish.site import build_site
    from aptic_qualif.usages.report import UsageSecrecy

    if applications is None and (reviews is not None or policy is not None):
        fail(_("--reviews and --policy go with --applications"))
    if site_url is not None:
        from aptic_qualif.text import is_http_iri

        if not is_http_iri(site_url):
            fail(
                _(
                    "--site-url needs a web address, such as https://example.org/site/: {url}"
                ).format(url=site_url)
            )
    network = (
        NetworkSource(
            user_path(str(applications)),
            user_path(str(reviews)) if reviews is not None else None,
            user_path(str(policy)) if policy is not None else None,
        )
        if applications is not None
        else None
    )
    root = project_root(state().root)
    if usages is not None and not usages.is_dir():
        fail(_("the folder '{path}' does not exist").format(path=display_path(usages)))
    folder_output(output)
    target = output if output is not None else root / "build" / "site"
    report = Report()
    built = build_site(
        root,
        target,
        force=force,
        network=network,
        report=report,
        by="commune" if by is CoverageBy.commune else "departement",
        site_url=site_url,
        usages=usages,
        usage_secrecy=UsageSecrecy(usage_threshold, usage_safety_range),
    )
    if report.diagnostics:
        emit_report(report, ReportFormat.text, err=True)
    echo(_("Site built: {path}").format(path=display_path(built)), err=True)
    if not report.ok:
        raise typer.Exit(1)

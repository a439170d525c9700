"""The typer application: global options and command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aptic_qualif import __version__
from aptic_qualif.cli import (
    apply,
    assess,
    catalogue,
    coverage,
    data_inclusion,  # noqa: F401 - registers "export data-inclusion" on the export group
    lieux,
    policy,
    publish,
    questionnaire,
    review,
    serve,
    usages,
)
from aptic_qualif.cli.common import State, echo, fail, handle_errors, set_state, user_path
from aptic_qualif.cli.framework import LocalizedGroup, install
from aptic_qualif.i18n import _, set_language
from aptic_qualif.project import find_project

install()  # typer's and click's own texts in the language in use
app = typer.Typer(
    name="aptic-qualif",
    cls=LocalizedGroup,
    help=_(
        "Open référentiel of digital-mediation services and qualification of venues: "
        "validate, assess, publish."
    ),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(questionnaire.app, name="questionnaire")
app.add_typer(policy.app, name="policy")
app.add_typer(apply.app, name="apply")
app.add_typer(publish.app, name="publish")
app.add_typer(lieux.export_app, name="export")
app.add_typer(lieux.import_app, name="import")
app.add_typer(usages.app, name="usages")
app.command(
    "assess",
    help=_(
        "Score applications: per theme points, thresholds, knock-outs, decision and the "
        "explanation of every point."
    ),
)(handle_errors(assess.assess_command))
app.command(
    "review",
    help=_(
        "Review an application (review APPLICATION --reviewer ID), or summarise reviews "
        "(review summary DIR): aggregated scores, disagreements, Krippendorff's alpha."
    ),
)(handle_errors(review.review_command))
app.add_typer(serve.links_app, name="links")
app.command(
    "serve",
    help=_(
        "Start the web front: venues fill in their application, reviewers review, the "
        "coordinator follows; over the same files as the commands."
    ),
)(handle_errors(serve.serve_command))
app.command(
    "coverage",
    help=_(
        "Territorial coverage: qualified venues per département (or commune), per level and "
        "per service; the services offered nowhere and the territories lacking a level."
    ),
)(handle_errors(coverage.coverage_command))


def _version_lines(root: Path | None) -> list[str]:
    from aptic_qualif.context import data_versions

    lines = [f"aptic-qualif {__version__}"]
    project = root if root is not None else find_project()
    if project is None:
        lines.append(_("no project found (référentiel and questionnaire versions unknown)"))
        return lines
    for name, value in data_versions(project).items():
        label = {"referentiel": _("référentiel"), "questionnaire": _("questionnaire")}[name]
        lines.append(f"{label} {value}" if value else _("{name}: absent").format(name=label))
    return lines


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    root: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--root",
            help=_(
                "Project folder (holding referentiel/ and questionnaire/); found upward by default."
            ),
            file_okay=False,
        ),
    ] = None,
    lang: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--lang", help=_("Language of messages: fr (default) or en.")),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help=_("Show tracebacks of errors (for developers)."))
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help=_("Show the versions of the tool, référentiel and questionnaire.")
        ),
    ] = False,
) -> None:
    if lang is not None:
        try:
            set_language(lang)
        except ValueError:
            fail(_("unknown language '{lang}': use fr or en").format(lang=lang))
    if root is not None:
        root = user_path(root)  # like every path of every command (see handle_errors)
    set_state(State(root=root, debug=debug))
    if version:
        echo("\n".join(_version_lines(root)))
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)

"""``aptic-qualif questionnaire …``: check the questionnaire, print the application schema."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    ReportFormat,
    echo,
    emit_report,
    exit_for,
    handle_errors,
    state,
)
from aptic_qualif.i18n import _

if TYPE_CHECKING:
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.questionnaire.load import LoadedQuestionnaire

app = typer.Typer(
    help=_("The qualification questionnaire: static checks and the application schema."),
    no_args_is_help=True,
)


@app.command(
    "validate",
    help=_("Check the questionnaire (and its scoring) against itself and the référentiel."),
)
@handle_errors
def validate_command(
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ReportFormat.text,
) -> None:
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.project import QUESTIONNAIRE_DIR, project_root
    from aptic_qualif.questionnaire.check import validate_questionnaire

    root = project_root(state().root)
    catalogue = load_catalogue_or_fail(root)
    loaded, report = validate_questionnaire(root / QUESTIONNAIRE_DIR, catalogue)
    if fmt is ReportFormat.json and loaded is not None and report.ok:
        _emit_json_with_effort(report, loaded)
    else:
        emit_report(report, fmt)
    if fmt is ReportFormat.text and loaded is not None and report.ok:
        themes = ", ".join(f"{theme} ({len(loaded.theme_items(theme))})" for theme in loaded.themes)
        echo(
            _("Questionnaire {ref} is valid: {n} identity items; themes {themes}.").format(
                ref=loaded.reference, n=len(loaded.identity), themes=themes
            )
        )
        _echo_effort(loaded)
    exit_for(report.ok)


def _echo_effort(loaded: LoadedQuestionnaire) -> None:
    """The length of the questionnaire per venue profile, as a table."""
    from aptic_qualif.questionnaire.effort import questionnaire_effort, render_table

    echo("")
    echo(render_table(loaded, questionnaire_effort(loaded)))


def _emit_json_with_effort(report: Report, loaded: LoadedQuestionnaire) -> None:
    """The report as JSON, with the length of the questionnaire beside it (``effort``)."""
    from aptic_qualif.questionnaire.effort import effort_json, questionnaire_effort

    document = {**report.to_json(), "effort": effort_json(questionnaire_effort(loaded))}
    typer.echo(json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True))


@app.command("schema", help=_("Print the JSON Schema (2020-12) of an application file."))
@handle_errors
def schema_command(
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.cli.common import write_output
    from aptic_qualif.context import load_context
    from aptic_qualif.questionnaire.jsonschema import render_schema

    context = load_context(state().root)
    write_output(render_schema(context.questionnaire, context.catalogue), output, force=force)

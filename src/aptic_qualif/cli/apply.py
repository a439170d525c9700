"""``aptic-qualif apply …``: a venue writes and checks its application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from aptic_qualif.cli.common import (
    ForceOption,
    OutputOption,
    ReportFormat,
    echo,
    emit_report,
    exit_for,
    fail,
    handle_errors,
    state,
    user_path,
    write_output,
)
from aptic_qualif.i18n import N_, _, language
from aptic_qualif.project import display_path

app = typer.Typer(
    help=_("Applications of venues: template, interactive self-assessment, validation."),
    no_args_is_help=True,
)


@app.command(
    "template",
    help=_("Print a commented application skeleton, with a schema modeline for editors."),
)
@handle_errors
def template_command(
    output: OutputOption = None,
    schema_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--schema-url",
            help=_("Address of the JSON Schema for the modeline (a URL or a local path)."),
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    from aptic_qualif.context import load_context
    from aptic_qualif.questionnaire.template import render_template

    context = load_context(state().root)
    if schema_url is not None and output is not None:
        schema_url = _schema_reference(schema_url, output)
    text = render_template(context.questionnaire, context.catalogue, language(), schema_url)
    write_output(text, output, force=force)


def _schema_reference(schema_url: str, output: Path) -> str:
    """The schema address for the modeline of ``output``: a URL or an absolute path as it
    is; a relative path, typed from the current folder, made relative to the folder of
    ``output``, since editors (yaml-language-server) read it from the file holding it."""
    from urllib.parse import urlsplit

    is_url = len(urlsplit(schema_url).scheme) > 1  # "C:/x.json" is a path, not a URL
    if not schema_url or is_url or Path(schema_url).is_absolute():
        return schema_url
    return Path(os.path.relpath(user_path(schema_url), output.parent)).as_posix()


@app.command(
    "validate",
    help=_("Check applications against the questionnaire and the référentiel."),
)
@handle_errors
def validate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar=N_("FILE_OR_FOLDER..."),
            help=_("Application files, or folders to search for *.yaml files."),
        ),
    ],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ReportFormat.text,
) -> None:
    from aptic_qualif.application import validate_application
    from aptic_qualif.context import load_context
    from aptic_qualif.diagnostics import Report

    context = load_context(state().root)
    files = _application_files(paths)
    report = Report()
    for path, folder in files.items():
        _checked, found = validate_application(
            path, context.questionnaire, context.catalogue, within=folder
        )
        report.extend(found.diagnostics)
    emit_report(report, fmt)
    if fmt is ReportFormat.text:
        bad = len({d.span.file for d in report.errors})
        echo(_("{ok} of {n} application(s) valid.").format(ok=len(files) - bad, n=len(files)))
    exit_for(report.ok)


@app.command(
    "fill",
    help=_(
        "Interactive self-assessment: one question at a time, saved after every answer; "
        "run it again to resume."
    ),
)
@handle_errors
def fill_command(
    path: Annotated[
        Path,
        typer.Argument(
            metavar=N_("FILE"), help=_("The application file to write (resumed if it exists).")
        ),
    ] = Path("candidature.yaml"),
    force: Annotated[
        bool,
        typer.Option("--force", help=_("Replace the file even if it is not an application.")),
    ] = False,
) -> None:
    import sys

    from aptic_qualif.application import validate_application
    from aptic_qualif.context import load_context
    from aptic_qualif.questionnaire.fill import Interrupted, QuestionaryPrompter, fill

    if not sys.stdin.isatty():
        fail(
            _(
                "apply fill asks questions in a terminal and standard input is not one; "
                "to fill in an application in a file, start from: aptic-qualif apply template"
            )
        )
    context = load_context(state().root)
    try:
        fill(
            path,
            context.questionnaire,
            context.catalogue,
            QuestionaryPrompter(),
            lang=language(),
            force=force,
        )
    except Interrupted:
        echo(
            _("Stopped. Your answers are saved in {path}; run the same command to resume.").format(
                path=display_path(path)
            ),
            err=True,
        )
        raise typer.Exit(130) from None
    _checked, report = validate_application(path, context.questionnaire, context.catalogue)
    echo(_("Application saved in {path}.").format(path=display_path(path)))
    echo(
        _("Its score, and how to progress: aptic-qualif assess {path}").format(
            path=display_path(path)
        )
    )
    if report.diagnostics:
        emit_report(report, ReportFormat.text)
    exit_for(report.ok)


@app.command(
    "migrate",
    help=_(
        "Bring applications (and their reviews) written for an earlier version of the "
        "questionnaire to the current one; without --force, only say what would change."
    ),
)
@handle_errors
def migrate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar=N_("FILE_OR_FOLDER..."),
            help=_("Application files, or folders to search for *.yaml files."),
        ),
    ],
    reviews: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--reviews",
            help=_("Folder of the reviews (one folder per application): migrated too."),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Write the migrated files in place."))
    ] = False,
) -> None:
    from aptic_qualif.context import load_context
    from aptic_qualif.questionnaire.migrate import migrate_files

    context = load_context(state().root)
    files = _application_files([user_path(p) for p in paths])
    reviews_dir = user_path(reviews) if reviews is not None else None
    if reviews_dir is not None and not reviews_dir.is_dir():
        fail(_("not a folder: {path}").format(path=display_path(reviews_dir)))
    run = migrate_files(
        files, context.questionnaire, context.catalogue, reviews=reviews_dir, write=force
    )
    by_id = context.questionnaire.by_id
    changed = [entry for entry in run.files if entry.migrated.changed]
    for entry in changed:
        echo(f"{display_path(entry.path)}")
        for change in entry.migrated.changes:
            echo(f"  - {change}")
        if entry.to_answer:
            echo("  " + _("to answer now:"))
            for item in entry.to_answer:
                label = by_id[item].item.label if item in by_id else None
                echo(f"    · {item}" + (f" — {_localized(label)}" if label else ""))
    if run.report.diagnostics:
        echo(run.report.render_text(), err=True)
    applications = sum(1 for entry in changed if entry.kind == "application")
    reviewed = sum(1 for entry in changed if entry.kind == "review")
    if not changed:
        echo(_("Nothing to migrate."))
    elif force:
        echo(
            _("{applications} application(s) and {reviews} review(s) migrated.").format(
                applications=applications, reviews=reviewed
            )
        )
    else:
        echo(
            _(
                "{applications} application(s) and {reviews} review(s) to migrate; nothing was "
                "written: run again with --force to write them in place."
            ).format(applications=applications, reviews=reviewed)
        )
    exit_for(run.ok)


def _localized(text: object) -> str:
    from aptic_qualif.i18n import localized

    return localized(text)


def _application_files(paths: list[Path]) -> dict[Path, Path | None]:
    """The application files ``paths`` name (folders searched for ``*.yaml``), each with the
    folder it was found in; exit 2 when a path does not exist or nothing is found."""
    from aptic_qualif.application import application_files

    files, missing = application_files(paths)
    if missing:
        fail(_("not found: {paths}").format(paths=", ".join(map(display_path, missing))))
    if not files:
        fail(
            _("no application file (*.yaml) in {paths}").format(
                paths=", ".join(map(display_path, paths))
            )
        )
    return files

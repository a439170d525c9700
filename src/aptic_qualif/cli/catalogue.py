"""``aptic-qualif catalogue …``: validate, compare and browse the référentiel."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from aptic_qualif.cli.common import (
    ReportFormat,
    echo,
    echo_data,
    emit_report,
    exit_for,
    fail,
    handle_errors,
    state,
)
from aptic_qualif.i18n import N_, _, language

if TYPE_CHECKING:
    from aptic_qualif.referentiel.load import Catalogue

app = typer.Typer(
    help=_("The référentiel of services: validate, compare versions, browse."),
    no_args_is_help=True,
)

DirArgument = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
    typer.Argument(
        metavar=N_("FOLDER"),
        help=_("Référentiel folder (or a project folder); the current project's by default."),
        show_default=False,
    ),
]


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


@app.command(
    "validate",
    help=_("Check every schema and integrity rule of the référentiel; all errors at once."),
)
@handle_errors
def validate_command(
    directory: DirArgument = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ReportFormat.text,
    base: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--base",
            help=_(
                "Git reference the changes start from (in CI, the pull request's base branch): "
                "a conflict between two files is reported on the one changed since."
            ),
        ),
    ] = None,
) -> None:
    """Check every schema and integrity rule of the référentiel; all errors at once."""
    from aptic_qualif.gitref import changed_files
    from aptic_qualif.project import referentiel_dir
    from aptic_qualif.referentiel.check import validate_catalogue

    folder = referentiel_dir(directory, state().root)
    catalogue, report = validate_catalogue(folder, changed=changed_files(folder, base))
    emit_report(report, fmt)
    if fmt is ReportFormat.text and catalogue is not None and report.ok:
        active = {
            level: len(catalogue.by_level(level, include_deprecated=False))
            for level in catalogue.levels
        }
        counts = ", ".join(f"{n} {level}" for level, n in active.items())
        echo(
            _(
                "Référentiel {id} {version} is valid: {n} active services ({counts}), "
                "{deprecated} deprecated."
            ).format(
                id=catalogue.scheme.id,
                version=catalogue.version,
                n=sum(active.values()),
                counts=counts,
                deprecated=len(catalogue.services) - sum(active.values()),
            )
        )
    exit_for(report.ok)


@app.command(
    "diff",
    help=_("Classify the changes between two versions and check the declared version bump."),
)
@handle_errors
def diff_command(
    old: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            metavar=N_("OLD_FOLDER"), help=_("Previous référentiel folder."), show_default=False
        ),
    ] = None,
    new: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            metavar=N_("NEW_FOLDER"),
            help=_("New référentiel folder; the current project's by default."),
            show_default=False,
        ),
    ] = None,
    base: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--base",
            help=_("Compare with the référentiel at this git reference (branch, tag, commit)."),
        ),
    ] = None,
    changelog: Annotated[
        bool, typer.Option("--changelog", help=_("Print the Markdown section for CHANGELOG.md."))
    ] = False,
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = DiffFormat.text,
) -> None:
    """Classify the changes between two versions and check the declared version bump."""
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.gitref import changed_files
    from aptic_qualif.project import referentiel_dir
    from aptic_qualif.referentiel.check import validate_catalogue
    from aptic_qualif.referentiel.diff import (
        diff_catalogues,
        load_at_ref,
        render_changelog,
        render_text,
    )
    from aptic_qualif.referentiel.load import load_catalogue

    root = state().root
    if base is not None:
        if new is not None:
            fail(_("give either OLD NEW or --base REF [NEW], not both"))
        new_dir = referentiel_dir(old, root)
        loaded = load_at_ref(new_dir, base)
    else:
        if old is None:
            fail(_("give OLD and NEW folders, or --base REF"))
        new_dir = referentiel_dir(new, root)
        loaded = load_catalogue(referentiel_dir(old, None))

    new_catalogue, report = validate_catalogue(new_dir, changed=changed_files(new_dir, base))
    if loaded is not None:
        old_catalogue, old_report = loaded
        if old_catalogue is None:
            emit_report(old_report, ReportFormat.text)
            fail(_("the previous référentiel cannot be read"))
    if new_catalogue is None:
        emit_report(report, ReportFormat.json if fmt is DiffFormat.json else ReportFormat.text)
        raise typer.Exit(1)
    # An invalid catalogue that could be read is still compared: the diff explains the
    # version rules (DIFF001, DIFF003) that its errors (REF019…) are about, and its errors
    # are printed with it (exit 1).
    if loaded is None:
        echo(
            _("No référentiel at {ref}: this is its first version ({version}).").format(
                ref=base, version=new_catalogue.version
            )
        )
        return
    assert old_catalogue is not None
    result = diff_catalogues(old_catalogue, new_catalogue)
    combined = Report([*report.diagnostics, *result.report.diagnostics])
    if changelog:
        echo_data(render_changelog(result, new_catalogue.scheme.modified.isoformat()), nl=False)
        if combined.diagnostics:
            emit_report(combined, ReportFormat.text, err=True)
    elif fmt is DiffFormat.json:
        payload = {
            "old_version": result.old_version,
            "new_version": result.new_version,
            "required": result.required,
            "minimal_version": result.minimal_version,
            "version_ok": result.version_ok,
            "changes": [
                {
                    "kind": c.kind,
                    "bump": c.bump,
                    "id": c.id,
                    "notation": c.notation,
                    "label": c.label,
                    "detail": c.detail,
                }
                for c in result.changes
            ],
            "diagnostics": combined.to_json()["diagnostics"],
        }
        echo_data(
            json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True)
        )
    else:
        echo(render_text(result))
        if combined.diagnostics:
            echo(combined.render_text())
    exit_for(result.ok and report.ok)


@app.command("list", help=_("List the services of the référentiel."))
@handle_errors
def list_command(
    level: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--level", "-l", help=_("Only this level (decouvrir, maitriser, agir).")),
    ] = None,
    include_deprecated: Annotated[
        bool, typer.Option("--all", "-a", help=_("Include deprecated services."))
    ] = False,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ListFormat.table,
) -> None:
    """List the services of the référentiel."""
    from aptic_qualif.referentiel.browse import list_services, services_table

    catalogue = _load_valid()
    rows = list_services(catalogue, level=level, include_deprecated=include_deprecated)
    if fmt is ListFormat.json:
        echo_data(json.dumps(rows, ensure_ascii=False, allow_nan=False, indent=2))
        return
    from rich.console import Console

    Console().print(services_table(catalogue, rows, language()))


@app.command("show", help=_("Show one service in full."))
@handle_errors
def show_command(
    service_id: Annotated[str, typer.Argument(metavar="ID", help=_("Identifier or notation."))],
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ListFormat.table,
) -> None:
    """Show one service in full."""
    from aptic_qualif.referentiel.browse import find_service, service_panel

    catalogue = _load_valid()
    service = find_service(catalogue, service_id)
    if fmt is ListFormat.json:
        echo_data(
            json.dumps(
                service.model_dump(mode="json"), ensure_ascii=False, allow_nan=False, indent=2
            )
        )
        return
    from rich.console import Console

    Console().print(service_panel(catalogue, service, language()))


def _load_valid() -> Catalogue:
    """The project's catalogue; browsing an unreadable one reports why and exits 1."""
    from aptic_qualif.project import referentiel_dir
    from aptic_qualif.referentiel.load import load_catalogue

    catalogue, report = load_catalogue(referentiel_dir(None, state().root))
    if catalogue is None:
        emit_report(report, ReportFormat.text)
        raise typer.Exit(1)
    return catalogue

"""``aptic-qualif policy …``: what a scoring policy lets through, and its reference cases."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aptic_qualif.cli.batch import PolicyOption
from aptic_qualif.cli.common import echo, echo_data, exit_for, handle_errors, state
from aptic_qualif.i18n import _

app = typer.Typer(
    help=_("The scoring policy: its smart routes and its reference cases."),
    no_args_is_help=True,
)


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help=_("Output format."))]


@app.command(
    "check",
    help=_(
        "Static analysis of the policy against the questionnaire: per theme and overall, the "
        "best score self-declaration alone reaches and the worst with perfect practice; smart "
        "routes, reviewers' share, thresholds out of reach, points that change nothing."
    ),
)
@handle_errors
def check_command(policy: PolicyOption = None, fmt: FormatOption = Format.text) -> None:
    from aptic_qualif.project import project_root
    from aptic_qualif.scoring.analysis import analyse_policy, load_analysis, render_text

    scorer, doc, report = load_analysis(project_root(state().root), policy)
    if scorer is None or doc is None:
        if fmt is Format.json:
            echo_data(
                json.dumps(
                    report.to_json(), ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True
                )
            )
        else:
            echo(report.render_text())
        raise typer.Exit(1)
    analysis = analyse_policy(scorer, doc)
    analysis.report.extend(report.diagnostics)  # warnings of the policy itself
    if fmt is Format.json:
        echo_data(
            json.dumps(
                analysis.to_json(), ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True
            )
        )
    else:
        echo(render_text(analysis), nl=False)
    exit_for(analysis.ok)


@app.command(
    "test",
    help=_(
        "Run the reference cases (questionnaire/cases/) under the policy: one line per case, "
        "and for each case whose decision flips, what made the difference."
    ),
)
@handle_errors
def test_command(
    policy: PolicyOption = None,
    cases: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--cases", help=_("Folder of reference cases (questionnaire/cases/ by default).")
        ),
    ] = None,
    base: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--base",
            help=_(
                "Also show the items whose points changed since the project at this git "
                "reference (branch, tag, commit)."
            ),
        ),
    ] = None,
    fmt: FormatOption = Format.text,
) -> None:
    from aptic_qualif.project import project_root
    from aptic_qualif.scoring.cases import render_text, run_reference_cases

    run = run_reference_cases(project_root(state().root), policy=policy, cases_dir=cases, base=base)
    if fmt is Format.json:
        echo_data(
            json.dumps(run.to_json(), ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True)
        )
    else:
        echo(render_text(run), nl=False)
    exit_for(run.ok)

"""``aptic-qualif review``: reviewers score applications; ``review summary`` aggregates."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from aptic_qualif.cli.common import ReportFormat, emit_report, exit_for, fail, state
from aptic_qualif.i18n import _

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.review.workflow import Summary


def review_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="APPLICATION | summary",
            help=_("The application file to review, or 'summary' followed by a reviews folder."),
        ),
    ],
    folder: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Argument(help=_("With 'summary': the reviews folder."), show_default=False),
    ] = None,
    reviewer: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--reviewer", help=_("Your reviewer id (a slug, e.g. claire-martin).")),
    ] = None,
    reviews_dir: Annotated[
        Path, typer.Option("--reviews-dir", help=_("Where reviews are saved."))
    ] = Path("reviews"),
    applications: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--applications",
            help=_("With 'summary': the applications folder, to leave stale reviews out."),
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = ReportFormat.text,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace this reviewer's existing review."))
    ] = False,
) -> None:
    from aptic_qualif.context import load_context

    context = load_context(state().root)
    if target == "summary":
        if folder is None:
            fail(_("give the reviews folder: aptic-qualif review summary DIR"))
        _summary(context, folder, applications, fmt)
        return
    if folder is not None:
        fail(_("unexpected argument: {arg}").format(arg=folder))
    if not reviewer:
        fail(_("give your reviewer id with --reviewer"))
    from aptic_qualif.referentiel.check import SLUG

    if not SLUG.fullmatch(reviewer):
        fail(_("the reviewer id '{id}' must be a slug (a-z, 0-9, hyphens)").format(id=reviewer))
    if not sys.stdin.isatty():
        fail(_("review asks questions in a terminal and standard input is not one"))
    from aptic_qualif.application import validate_application
    from aptic_qualif.questionnaire.fill import Interrupted, QuestionaryPrompter
    from aptic_qualif.review.workflow import review_application

    path = Path(target)
    if not path.is_file():
        fail(_("not found: {paths}").format(paths=path))
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    if checked is None:
        emit_report(report, ReportFormat.text)
        raise typer.Exit(1)
    try:
        saved = review_application(
            checked,
            context.questionnaire,
            reviewer,
            QuestionaryPrompter(),
            reviews_dir,
            force=force,
        )
    except Interrupted:
        typer.echo(_("Stopped: nothing was saved."), err=True)
        raise typer.Exit(130) from None
    typer.echo(_("Review saved in {path}.").format(path=saved))


def _summary(context: Context, folder: Path, applications: Path | None, fmt: ReportFormat) -> None:
    import hashlib

    from aptic_qualif.review.load import load_reviews
    from aptic_qualif.review.workflow import summarize

    if not folder.is_dir():
        fail(_("the folder '{path}' does not exist").format(path=folder))
    reviews, report = load_reviews(folder, context.questionnaire)
    current = None
    if applications is not None:
        current = {
            path.stem: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(applications.glob("*.yaml"))
        }
    summary = summarize(reviews, context.questionnaire, context.policy, current)
    if report.diagnostics:
        emit_report(report, ReportFormat.text, err=True)
    if fmt is ReportFormat.json:
        from dataclasses import asdict

        typer.echo(json.dumps(asdict(summary), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        typer.echo(render_summary(summary))
    exit_for(report.ok)


def render_summary(summary: Summary) -> str:
    def alpha(value: float | None) -> str:
        return f"{value:.3f}" if value is not None else _("undefined")

    lines = []
    for entry in summary.applications:
        lines.append(
            f"{entry.application} — "
            + _("reviewers: {names}").format(names=", ".join(entry.reviewers) or "—")
        )
        if entry.stale:
            lines.append("  " + _("stale (not used): {names}").format(names=", ".join(entry.stale)))
        if entry.conflicted:
            lines.append(
                "  "
                + _("conflict of interest (not used): {names}").format(
                    names=", ".join(entry.conflicted)
                )
            )
        for item, scores in entry.scores.items():
            flag = "  ⚠ " + _("to discuss") if item in entry.disagreements else ""
            values = ", ".join(f"{r}={s}" for r, s in scores.items())
            lines.append(
                "  "
                + _("{item}: {score} ({values})").format(
                    item=item, score=f"{entry.aggregated[item]:g}", values=values
                )
                + flag
            )
        if entry.recommendations:
            lines.append(
                "  "
                + _("recommendations: {values}").format(
                    values=", ".join(f"{r}={v}" for r, v in entry.recommendations.items())
                )
            )
    lines.append(_("Agreement between reviewers (Krippendorff's alpha, ordinal):"))
    for theme, value in summary.alpha_by_theme.items():
        lines.append("  " + _("{theme}: {value}").format(theme=theme, value=alpha(value)))
    lines.append("  " + _("overall: {value}").format(value=alpha(summary.alpha_overall)))
    lines.append(_("Aggregation: {method}.").format(method=summary.method))
    return "\n".join(lines)

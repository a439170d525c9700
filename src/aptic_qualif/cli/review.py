"""``aptic-qualif review``: reviewers score applications; ``review summary`` aggregates."""

from __future__ import annotations

import json
import sys
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
    state,
    user_path,
)
from aptic_qualif.i18n import N_, _
from aptic_qualif.project import display_path
from aptic_qualif.reading import present

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.review.workflow import Summary


def review_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar=N_("APPLICATION | summary"),
            help=_("The application file to review, or 'summary' followed by a reviews folder."),
        ),
    ],
    folder: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Argument(
            metavar=N_("FOLDER"), help=_("With 'summary': the reviews folder."), show_default=False
        ),
    ] = None,
    reviewer: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--reviewer", help=_("Your reviewer id (a slug, e.g. claire-martin).")),
    ] = None,
    reviews_dir: Annotated[
        Path,
        typer.Option("--reviews", help=_("Folder of the reviews (<application>/<reviewer>.yaml).")),
    ] = Path("reviews"),
    former_reviews_dir: Annotated[
        Optional[Path],  # noqa: UP045
        # The former name of --reviews, kept (hidden) so that scripts written with it work.
        typer.Option("--reviews-dir", hidden=True, help=_("The former name of --reviews.")),
    ] = None,
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
        bool,
        typer.Option(
            "--force",
            help=_(
                "Change your finished review although the application did not change (each "
                "question starts from your earlier answer), or replace a file that is not a "
                "readable review. A stale review needs no --force: only what changed is asked."
            ),
        ),
    ] = False,
) -> None:
    from aptic_qualif.context import load_context

    if former_reviews_dir is not None:
        # Paths reach the command absolute (handle_errors): the default, too.
        if reviews_dir != user_path(Path("reviews")):
            fail(_("give --reviews only (--reviews-dir is its former name)"))
        reviews_dir = former_reviews_dir
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

    path = user_path(target)  # a text, since it may be 'summary': made absolute here
    if not path.is_file():
        fail(_("not found: {paths}").format(paths=display_path(path)))
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    if checked is None:
        emit_report(report, ReportFormat.text)
        raise typer.Exit(1)
    from aptic_qualif.review.copies import copies_of_files

    # The possible copies of its written answers among the applications of its folder, as
    # assess and serve find them: the reviewer is asked to compare them.
    siblings = sorted(p for p in path.parent.glob("*.yaml") if p.is_file())
    copies = (
        copies_of_files(siblings, context.questionnaire, context.catalogue).get(checked.id, [])
        if len(siblings) > 1
        else []
    )
    try:
        saved = review_application(
            checked,
            context.questionnaire,
            reviewer,
            QuestionaryPrompter(),
            reviews_dir,
            force=force,
            copies=copies,
        )
    except Interrupted:
        from aptic_qualif.review.draft import DraftError, load_review
        from aptic_qualif.review.load import review_path

        try:
            draft = load_review(reviews_dir, checked.id, reviewer)
        except DraftError:
            draft = None
        if draft is not None and draft.draft:
            echo(
                _(
                    "Stopped. Your draft is saved in {path}; run the same command again to "
                    "resume where you stopped."
                ).format(path=display_path(review_path(reviews_dir, checked.id, reviewer))),
                err=True,
            )
        else:
            echo(_("Stopped: nothing was saved."), err=True)
        raise typer.Exit(130) from None
    echo(_("Review saved in {path}.").format(path=display_path(saved)))


def _summary(context: Context, folder: Path, applications: Path | None, fmt: ReportFormat) -> None:
    from aptic_qualif.application import validate_application
    from aptic_qualif.review.fingerprint import Fingerprint, fingerprint
    from aptic_qualif.review.load import load_reviews
    from aptic_qualif.review.workflow import summarize

    if not folder.is_dir():
        fail(_("the folder '{path}' does not exist").format(path=display_path(folder)))
    if applications is not None and not applications.is_dir():
        fail(_("the folder '{path}' does not exist").format(path=display_path(applications)))
    reviews, report = load_reviews(folder, context.questionnaire)
    current: dict[str, Fingerprint] | None = None
    if applications is not None:
        current = {}
        for name in sorted({review.application for review in reviews}):
            path = applications / f"{name}.yaml"
            if not present(path):
                continue  # a pipe or a broken link in its place is reported when read
            checked, read = validate_application(
                path, context.questionnaire, context.catalogue, within=applications
            )
            if checked is None:
                report.extend(read.diagnostics)  # unreadable: its reviews cannot be checked
                continue
            current[name] = fingerprint(checked, context.questionnaire)
    summary = summarize(reviews, context.questionnaire, context.policy, current)
    if report.diagnostics:
        emit_report(report, ReportFormat.text, err=True)
    if fmt is ReportFormat.json:
        from dataclasses import asdict

        echo_data(
            json.dumps(
                asdict(summary), ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True
            )
        )
    else:
        echo(render_summary(summary, checked=applications is not None))
    exit_for(report.ok)


def _indented(text: str, indent: str) -> str:
    """A text of one or several lines, its continuation lines indented as its first."""
    return ("\n" + indent).join(line.rstrip() for line in text.strip().splitlines())


def _said(reviewer: str, text: str) -> str:
    """``reviewer: text``, a text of several lines indented under its first."""
    return (
        _("{reviewer}: {text}").format(reviewer=reviewer, text=_indented(text, "      ")).rstrip()
    )


def render_summary(summary: Summary, *, checked: bool = True) -> str:
    """The summary as text: per application, then the agreement between reviewers."""
    from aptic_qualif.formats import number
    from aptic_qualif.i18n import ngettext
    from aptic_qualif.review.fingerprint import shorten
    from aptic_qualif.review.workflow import (
        AGGREGATIONS,
        MIN_PAIRED_APPLICATIONS,
        MIN_PAIRED_UNITS,
        RECOMMENDATIONS,
    )

    def alpha(value: float | None, meaningful: bool) -> str:
        if value is None:
            return _("undefined")
        shown = number(value, 3)
        return shown if meaningful else _("{value} (indicative)").format(value=shown)

    lines = []
    if not checked:
        lines.append(
            _(
                "Reviews not compared with the applications: give --applications FOLDER to "
                "leave stale reviews out."
            )
        )
    for entry in summary.applications:
        lines.append(
            f"{entry.application} — "
            + _("reviewers: {names}").format(names=", ".join(entry.reviewers) or "—")
        )
        if checked and not entry.freshness_checked:
            lines.append(
                "  "
                + _("not compared: {file} is not a readable application of the folder").format(
                    file=f"{entry.application}.yaml"
                )
            )
        if entry.stale:
            lines.append("  " + _("stale (not used); review again (only what changed is asked):"))
            for reviewer, changed in entry.stale.items():
                if len(changed) == 1:
                    lines.append("    " + _said(reviewer, changed[0]))
                else:
                    lines.append("    " + _said(reviewer, ""))
                    lines.extend(f"      - {change}" for change in changed)
        if entry.drafts:
            lines.append(
                "  "
                + _("in progress (drafts, not used): {names}").format(names=", ".join(entry.drafts))
            )
        if entry.conflicted:
            lines.append(
                "  "
                + _("conflict of interest (not used): {names}").format(
                    names=", ".join(entry.conflicted)
                )
            )
        for reviewer, withdrawn in entry.withdrawn_conflicts.items():
            for trace in withdrawn:
                lines.append(
                    "  "
                    + _(
                        "conflict of interest withdrawn by {reviewer}: declared {declared}, "
                        "withdrawn {withdrawn}"
                    ).format(
                        reviewer=reviewer,
                        declared=trace.get("declared", "?"),
                        withdrawn=trace["withdrawn"],
                    )
                )
        for item, scores in entry.scores.items():
            flag = "  ⚠ " + _("to discuss") if item in entry.disagreements else ""
            values = ", ".join(f"{r}={s}" for r, s in scores.items())
            lines.append(
                "  "
                + _("{item}: {score} ({values})").format(
                    item=item, score=number(entry.aggregated[item]), values=values
                )
                + flag
            )
            if summary.labels.get(item):
                lines.append(f"    {shorten(summary.labels[item])}")
            for reviewer, comment in entry.comments.get(item, {}).items():
                lines.append("    " + _said(reviewer, comment))
        if entry.recommendations:
            lines.append(
                "  "
                + _("recommendations: {values}").format(
                    values=", ".join(
                        f"{r}={_(RECOMMENDATIONS.get(v, v))}"
                        for r, v in entry.recommendations.items()
                    )
                )
            )
        if entry.overall_comments:
            lines.append("  " + _("overall comments:"))
            for reviewer, comment in entry.overall_comments.items():
                lines.append("    " + _said(reviewer, comment))
    lines.append(_("Agreement between reviewers (Krippendorff's alpha, ordinal):"))
    overall = summary.sample_overall
    if not overall.meaningful:
        lines.append(
            "  ⚠ "
            + _(
                "not meaningful on so small a sample: {units} and {applications}; it takes at "
                "least {min_units} items rated by two reviewers or more, in {min_applications} "
                "applications. The values below are only indicative."
            ).format(
                units=ngettext(
                    "{n} item rated by two reviewers or more",
                    "{n} items rated by two reviewers or more",
                    overall.units,
                ).format(n=overall.units),
                applications=ngettext(
                    "{n} application", "{n} applications", overall.applications
                ).format(n=overall.applications),
                min_units=MIN_PAIRED_UNITS,
                min_applications=MIN_PAIRED_APPLICATIONS,
            )
        )
    for theme, value in summary.alpha_by_theme.items():
        theme_sample = summary.sample_by_theme.get(theme)
        meaningful = theme_sample is not None and theme_sample.meaningful
        lines.append(
            "  " + _("{theme}: {value}").format(theme=theme, value=alpha(value, meaningful))
        )
    lines.append(
        "  " + _("overall: {value}").format(value=alpha(summary.alpha_overall, overall.meaningful))
    )
    lines.append(
        _("Aggregation: {method}.").format(
            method=_(AGGREGATIONS.get(summary.method, summary.method))
        )
    )
    return "\n".join(lines)

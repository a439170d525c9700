"""What the commands that assess a batch of applications share (``assess``, ``coverage``,
``export lieux``): the files argument, ``--reviews``, ``--policy``, loading, progress."""

from __future__ import annotations

import glob
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, Optional, Protocol, TypeVar

import typer

from aptic_qualif.cli.common import ReportFormat, emit_report, fail, state, user_path
from aptic_qualif.i18n import N_, _
from aptic_qualif.project import display_path

if TYPE_CHECKING:
    from aptic_qualif.application import ApplicationFiles
    from aptic_qualif.context import Context
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.review.model import Review

R = TypeVar("R")

PathsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar=N_("FILE_OR_FOLDER..."),
        help=_('Application files, folders or globs ("apps/*.yaml").'),
    ),
]
ReviewsOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
    typer.Option("--reviews", help=_("Folder of reviews (<application>/<reviewer>.yaml).")),
]
PolicyOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--policy", help=_("Scoring policy to use instead of the project's.")),
]
DateMajOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--date-maj",
        metavar=N_("YYYY-MM-DD"),
        help=_(
            "Update date of every record (date_maj); by default the date of the venue's "
            "latest review, else the référentiel's modification date."
        ),
    ),
]
"""The date the exports (``export lieux``, ``export data-inclusion``) stamp their records
with; read by :func:`run_export`."""


def expand(paths: list[str]) -> ApplicationFiles:
    """Files, folders (searched for ``*.yaml``) and globs, even quoted ones; absolute
    paths, relative ones taken from the current folder (:func:`user_path`)."""
    from aptic_qualif.application import application_files

    expanded: list[Path] = []
    for pattern in paths:
        if any(char in pattern for char in "*?["):
            matches = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207 - user globs
            if not matches:
                fail(_("no file matches {pattern}").format(pattern=pattern))
            expanded += [user_path(m) for m in matches]
        else:
            expanded.append(user_path(pattern))
    files, missing = application_files(expanded)
    if missing:
        fail(_("not found: {paths}").format(paths=", ".join(map(display_path, missing))))
    if not files:
        fail(_("no application file (*.yaml) in {paths}").format(paths=", ".join(paths)))
    return files


class BatchInput(NamedTuple):
    """What a batch command works on."""

    context: Context
    files: ApplicationFiles
    """The files found, each with the folder it was found in (it never leads outside)."""
    reviews: list[Review]
    reviews_ok: bool
    """Whether every review file was usable: a command that went on without some exits 1."""


def load_batch(paths: list[str], reviews: Path | None, policy: Path | None) -> BatchInput:
    """The project (with its policy, or ``policy``), the application files and the reviews;
    problems with reviews are reported on standard error and those reviews left out (the
    command then exits 1, see :attr:`BatchInput.reviews_ok`)."""
    from aptic_qualif.context import load_context
    from aptic_qualif.review.load import load_reviews

    context = load_context(state().root, policy=policy, need_policy=True)
    files = expand(paths)
    loaded: list[Review] = []
    ok = True
    if reviews is not None:
        if not reviews.is_dir():
            fail(_("the folder '{path}' does not exist").format(path=display_path(reviews)))
        loaded, report = load_reviews(reviews, context.questionnaire)
        if report.diagnostics:
            emit_report(report, ReportFormat.text, err=True)
        ok = report.ok
    return BatchInput(context, files, loaded, ok)


def with_progress(files: Collection[Path], run: Callable[[Callable[[Path], None] | None], R]) -> R:
    """``run(on_file)``, with a progress bar on standard error when it is a terminal."""
    if not (sys.stderr.isatty() and len(files) > 1):
        return run(None)
    import time

    from rich.progress import Progress

    # Refreshed as files are done, not by a thread of its own: a batch may fork processes
    # (scoring.parallel), and a fork must not happen while another thread holds a lock.
    with Progress(transient=True, auto_refresh=False) as progress:
        task = progress.add_task(_("Assessing"), total=len(files))
        shown = 0.0

        def advance(_path: Path) -> None:
            nonlocal shown
            progress.advance(task)
            now = time.monotonic()
            if now - shown >= 0.1:
                progress.refresh()
                shown = now

        return run(advance)


class _Reported(Protocol):
    @property
    def report(self) -> Report: ...


E = TypeVar("E", bound=_Reported)


def run_export(
    paths: list[str],
    reviews: Path | None,
    policy: Path | None,
    exporter: Callable[..., E],
    *,
    include_all: bool,
    date_maj: str | None,
) -> tuple[E, bool]:
    """Load the batch, run ``exporter`` (``export_lieux``, ``export_data_inclusion``) over it
    with a progress bar and report its problems on standard error; returns its result and
    whether every review was usable."""
    from aptic_qualif.network.lieux import parse_date

    when = parse_date(date_maj) if date_maj is not None else None
    context, files, loaded_reviews, reviews_ok = load_batch(paths, reviews, policy)
    result = with_progress(
        files,
        lambda on_file: exporter(
            files,
            context,
            loaded_reviews,
            include_all=include_all,
            date_maj=when,
            on_file=on_file,
        ),
    )
    if result.report.diagnostics:
        emit_report(result.report, ReportFormat.text, err=True)
    return result, reviews_ok

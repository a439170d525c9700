"""Assessing a batch of application files: one broken file never stops the others."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.review.load import review_path
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment, CopyMatch
from aptic_qualif.yamlio import bulk_reading


@dataclass
class Batch:
    assessments: list[Assessment] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    """Files that could not be read at all, and review warnings."""
    unreadable: list[str] = field(default_factory=list)


OnAssessment = Callable[[Assessment, CheckedApplication, Sequence[Review]], None]
"""Receives each assessment with the checked application and the reviews of it."""


def application_order(path: Path) -> tuple[str, str]:
    """The order of assessments: by application id (the file name without extension), then
    by the path shown, as ``assess`` prints them."""
    return path.stem, display_path(path)


def iter_assessments(
    files: Iterable[Path],
    context: Context,
    batch: Batch,
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
    copies: Mapping[str, Sequence[CopyMatch]] | None = None,
) -> Iterator[tuple[Assessment, CheckedApplication, list[Review]]]:
    """Read, check and assess every file once, one at a time and in the order of
    :func:`application_order`, so that a batch of any size stays small in memory: nothing
    is kept once it is handed on. ``batch`` collects the report and the unreadable files as
    the iteration goes. A missing policy is reported at once, before any output.

    ``files`` found in folders (:func:`~aptic_qualif.application.application_files`) are
    each read within the folder they were found in.

    Each application is assessed with its written answers near-identical to another
    application's of the batch (``copies``, by application id): unless given, they are
    found over all ``files`` first (:func:`~aptic_qualif.review.copies.find_copies`): each
    file is still read and checked once, its check kept in a temporary file until its turn
    to be assessed."""
    scorer = scorer_for(context)
    by_application = reviews_by_application(reviews)
    folders: Mapping[Path, Path | None] = files if isinstance(files, Mapping) else {}
    return _assessed(
        sorted(set(files), key=application_order),
        folders,
        context,
        scorer,
        batch,
        by_application,
        reviews_dir,
        on_file,
        copies,
    )


def scorer_for(context: Context) -> Scorer:
    """The scorer of the project's policy; a missing policy is a command error."""
    if context.policy is None:
        from aptic_qualif.errors import CommandError

        raise CommandError(_("no scoring policy: questionnaire/policy.yaml not found"))
    return Scorer(context.catalogue, context.questionnaire, context.policy)


def reviews_by_application(reviews: Iterable[Review]) -> dict[str, list[Review]]:
    by_application: dict[str, list[Review]] = {}
    for review in reviews:
        by_application.setdefault(review.application, []).append(review)
    return by_application


def _assessed(
    files: list[Path],
    folders: Mapping[Path, Path | None],
    context: Context,
    scorer: Scorer,
    batch: Batch,
    by_application: dict[str, list[Review]],
    reviews_dir: Path | None,
    on_file: Callable[[Path], None] | None,
    copies: Mapping[str, Sequence[CopyMatch]] | None = None,
) -> Iterator[tuple[Assessment, CheckedApplication, list[Review]]]:
    checks: Iterable[tuple[Path, CheckedApplication | None, Report]]
    # Reading, checking and assessing make no reference cycles (tests/test_assess_once.py):
    # the cyclic collector, triggered by allocations, would only walk the référentiel, the
    # questionnaire and the assessments kept, again and again.
    with bulk_reading(), tempfile.TemporaryFile(prefix="aptic-qualif-") as spool:
        if copies is None:
            copies, checks = _copies_then_checks(files, folders, context, spool, on_file)
        else:
            checks = _checks(files, folders, context, on_file)
        for path, checked, report in checks:
            if checked is None:
                batch.report.extend(report.diagnostics)
                batch.unreadable.append(display_path(path))
                continue
            own = by_application.get(checked.id, [])
            assessment, warnings = assess_checked(
                scorer, checked, own, copies.get(checked.id, ()), reviews_dir
            )
            batch.report.extend(warnings)
            yield assessment, checked, own


def assess_checked(
    scorer: Scorer,
    checked: CheckedApplication,
    own: Sequence[Review],
    copies: Sequence[CopyMatch],
    reviews_dir: Path | None,
) -> tuple[Assessment, list[Diagnostic]]:
    """One application's assessment and the warnings about its reviews."""
    assessment = scorer.assess(checked, own, copies=copies)
    warnings = review_warnings(assessment, reviews_dir) if reviews_dir is not None else []
    return assessment, warnings


def _checks(
    files: list[Path],
    folders: Mapping[Path, Path | None],
    context: Context,
    on_file: Callable[[Path], None] | None,
) -> Iterator[tuple[Path, CheckedApplication | None, Report]]:
    """Each file read and checked, in turn."""
    for path in files:
        if on_file is not None:
            on_file(path)
        checked, report = validate_application(
            path, context.questionnaire, context.catalogue, within=folders.get(path)
        )
        yield path, checked, report


def _copies_then_checks(
    files: list[Path],
    folders: Mapping[Path, Path | None],
    context: Context,
    spool: IO[bytes],
    on_file: Callable[[Path], None] | None,
) -> tuple[dict[str, list[CopyMatch]], Iterator[tuple[Path, CheckedApplication | None, Report]]]:
    """The copies over every file (:func:`~aptic_qualif.review.copies.find_copies`), and
    the files' checks to assess them with: each file is read and checked once, its written
    answers kept for the copies and its check written to ``spool`` (a temporary file, so
    that memory does not grow with the batch), then read back in turn. Reading and checking
    every file a second time cost as much as assessing it."""
    from aptic_qualif.review.copies import find_copies, written_answers

    answers = []
    for path, checked, report in _checks(files, folders, context, on_file):
        if checked is not None:
            answers.extend(written_answers(checked, context.questionnaire))
        pickle.dump((path, checked, report), spool, protocol=pickle.HIGHEST_PROTOCOL)
    found = find_copies(answers)
    spool.seek(0)

    def read_back() -> Iterator[tuple[Path, CheckedApplication | None, Report]]:
        for _path in files:
            yield pickle.load(spool)  # written just above, by this process

    return found, read_back()


def assess_each(
    files: Iterable[Path],
    context: Context,
    on_assessment: OnAssessment,
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> Batch:
    """Hand each assessment to ``on_assessment`` (:func:`iter_assessments`) instead of
    keeping it. The batch returned holds the report and the unreadable files."""
    batch = Batch()
    for assessment, checked, own in iter_assessments(
        files, context, batch, reviews, reviews_dir, on_file=on_file
    ):
        on_assessment(assessment, checked, own)
    return batch


def assess_files(
    files: Iterable[Path],
    context: Context,
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> Batch:
    """Assess every file and keep the assessments (for the formats that need them all:
    table, Markdown, HTML), sorted by application id whatever the file order."""
    assessments: list[Assessment] = []
    batch = assess_each(
        files,
        context,
        lambda a, _checked, _reviews: assessments.append(a),
        reviews,
        reviews_dir,
        on_file=on_file,
    )
    batch.assessments = assessments
    return batch


def review_warnings(assessment: Assessment, reviews_dir: Path) -> list[Diagnostic]:
    warnings = []
    for stale in assessment.reviews.stale:
        file = display_path(review_path(reviews_dir, assessment.application, stale.reviewer))
        warnings.append(
            Diagnostic.warning(
                "REV003",
                Span(file, 0, 0),
                _("this review is not used: {changes}").format(changes="; ".join(stale.changes)),
                _("review the application again"),
            )
        )
    for reviewer in assessment.reviews.conflicted:
        file = display_path(review_path(reviews_dir, assessment.application, reviewer))
        warnings.append(
            Diagnostic.warning(
                "REV004",
                Span(file, 0, 0),
                _("the reviewer declares a conflict of interest: the review is not used"),
            )
        )
    for reviewer in assessment.reviews.drafts:
        file = display_path(review_path(reviews_dir, assessment.application, reviewer))
        warnings.append(
            Diagnostic.warning(
                "REV005",
                Span(file, 0, 0),
                _("this review is a draft, still in progress: it is not used"),
                _("finish it with: aptic-qualif review {application} --reviewer {reviewer}").format(
                    application=assessment.file, reviewer=reviewer
                ),
            )
        )
    return warnings

"""Reading review files: ``<reviews dir>/<application-id>/<reviewer>.yaml``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.fsio import safe_name
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.reading import unlisted_folder, walk
from aptic_qualif.review.model import Review
from aptic_qualif.schema import validate_document
from aptic_qualif.text import check_texts, comparison_key, multiline_under
from aptic_qualif.yamlio import Document, bulk_reading, load_yaml

MULTILINE = multiline_under("comment", "conflict_details")
"""Where a text of a review may hold several lines (the comments); a reviewer's name, an
id, a date is one line, and no text holds a control character (``TXT001``)."""


def review_path(reviews_dir: Path, application: str, reviewer: str) -> Path:
    """Where the review of ``application`` by ``reviewer`` is filed. Both names come from
    data: each must be a safe file name (:func:`~aptic_qualif.fsio.safe_name`), so that
    the path never leaves ``reviews_dir``."""
    return reviews_dir / safe_name(application) / f"{safe_name(reviewer)}.yaml"


def load_reviews(
    reviews_dir: Path, questionnaire: LoadedQuestionnaire
) -> tuple[list[Review], Report]:
    """Every review under ``reviews_dir``, checked; unusable files are reported and skipped."""
    report = Report()
    reviews: list[Review] = []
    if not reviews_dir.is_dir():
        return reviews, report
    reviewers: dict[tuple[str, str], tuple[str, Path]] = {}
    with bulk_reading():
        files, unlisted = walk(reviews_dir)
        for folder, exc in unlisted.items():
            report.add(unlisted_folder(exc, display_path(folder)))
        for path in files:
            if path.suffix != ".yaml" or path.parent.parent != reviews_dir:
                continue
            review = _read(path, questionnaire, report, within=reviews_dir, seen=reviewers)
            if review is not None:
                reviews.append(review)
    return reviews, report


def load_reviews_of(
    reviews_dir: Path, application: str, questionnaire: LoadedQuestionnaire
) -> tuple[list[Review], Report]:
    """The reviews of one application (its folder only: a page of ``serve`` does not read
    every review of the network)."""
    report = Report()
    reviews: list[Review] = []
    folder = reviews_dir / safe_name(application)
    if not folder.is_dir() or folder.is_symlink():
        return reviews, report
    reviewers: dict[tuple[str, str], tuple[str, Path]] = {}
    with bulk_reading():
        files, unlisted = walk(folder)
        for where, exc in unlisted.items():
            report.add(unlisted_folder(exc, display_path(where)))
        for path in files:
            if path.suffix != ".yaml" or path.parent != folder:
                continue
            review = _read(path, questionnaire, report, within=reviews_dir, seen=reviewers)
            if review is not None:
                reviews.append(review)
    return reviews, report


def _read(
    path: Path,
    questionnaire: LoadedQuestionnaire,
    report: Report,
    *,
    within: Path,
    seen: dict[tuple[str, str], tuple[str, Path]],
) -> Review | None:
    """One review file, checked (never outside ``within``); its problems go to ``report``.
    ``seen`` holds the reviewers already read, by application and look-alike key."""
    doc, diagnostics = load_yaml(path, display_path(path), within=within)
    report.extend(diagnostics)
    if doc is None or diagnostics:
        return None
    review, diagnostics = validate_document(Review, doc)
    report.extend(diagnostics)
    if review is None:
        return None
    problems = [*check_texts(doc, MULTILINE), *_check(path, doc, review, questionnaire)]
    if not any(p.severity == "error" for p in problems):
        # One person, one review of an application: "alice" and a Cyrillic "аlice"
        # (two file names) would count as two reviewers.
        key = (path.parent.name, comparison_key(review.reviewer))
        other = seen.setdefault(key, (review.reviewer, path))
        if other[1] != path:
            problems.append(
                Diagnostic.error(
                    "REV006",
                    doc.span(("reviewer",)),
                    _(
                        "the reviewer '{reviewer}' looks the same as '{other}', who "
                        "already reviewed this application ({file})"
                    ).format(reviewer=review.reviewer, other=other[0], file=display_path(other[1])),
                    _("one person, one review: merge the two reviews"),
                )
            )
    report.extend(problems)
    return None if any(p.severity == "error" for p in problems) else review


def _check(
    path: Path, doc: Document, review: Review, questionnaire: LoadedQuestionnaire
) -> Iterator[Diagnostic]:
    if review.application != path.parent.name:
        yield Diagnostic.error(
            "REV001",
            doc.span(("application",)),
            _("the review of '{id}' is filed in the folder '{folder}'").format(
                id=review.application, folder=path.parent.name
            ),
            _("move it to reviews/{id}/").format(id=review.application),
        )
    if review.reviewer != path.stem:
        yield Diagnostic.error(
            "REV001",
            doc.span(("reviewer",)),
            _("the review by '{reviewer}' is in the file {file}").format(
                reviewer=review.reviewer, file=path.name
            ),
            _("name the file {reviewer}.yaml").format(reviewer=review.reviewer),
        )
    if review.reviewed is None and review.application_sha256 is None and not review.draft:
        yield Diagnostic.error(
            "SCH001",
            doc.span(()),
            _("missing required field '{field}'").format(field="reviewed"),
            _("review the application again: the review records what it reviewed"),
        )
    by_id = questionnaire.by_id
    for item in review.scores:
        located = by_id.get(item)
        if located is None or located.item.scoring != "rubric":
            yield Diagnostic.error(
                "REV002",
                doc.key_span(("scores", item)),
                _("'{id}' is not an item rated by reviewers").format(id=item),
            )

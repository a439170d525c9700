"""Blind review (:mod:`aptic_qualif.review.visibility`): who sees what of an application's
reviews, and the trace a withdrawn conflict of interest leaves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.context import Context, load_context
from aptic_qualif.review import draft as drafts
from aptic_qualif.review.fingerprint import rated_items
from aptic_qualif.review.load import load_reviews, load_reviews_of
from aptic_qualif.review.model import Review
from aptic_qualif.review.visibility import (
    Viewer,
    other_reviews,
    redact,
    reviews_to_assess,
    visibility,
)
from aptic_qualif.review.workflow import summarize
from aptic_qualif.scoring.engine import Scorer
from tests.conftest import REPO

APP = "fablab-la-forge"
"""An example reviewed by claire-martin, fatou-diallo and yannick-le-goff."""
CLAIRE_SAYS = "Pas de grille de positionnement"


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO, need_policy=True)


@pytest.fixture(scope="module")
def checked(context: Context) -> CheckedApplication:
    found, _report = validate_application(
        REPO / "examples" / "applications" / f"{APP}.yaml",
        context.questionnaire,
        context.catalogue,
    )
    assert found is not None
    return found


@pytest.fixture(scope="module")
def reviews(context: Context) -> list[Review]:
    found, report = load_reviews_of(REPO / "examples" / "reviews", APP, context.questionnaire)
    assert not report.errors and len(found) == 3
    return found


def _draft(checked: CheckedApplication, context: Context, reviewer: str, **kw: object) -> Review:
    return drafts.start_draft(
        checked,
        context.questionnaire,
        reviewer,
        conflict=bool(kw.get("conflict", False)),
        details=str(kw.get("details", "")) or None,
        today=date(2026, 12, 1),
    )


def _finished(checked: CheckedApplication, context: Context, reviewer: str) -> Review:
    review = _draft(checked, context, reviewer)
    for item in rated_items(checked, context.questionnaire):
        review = drafts.record_score(review, checked, context.questionnaire, item, 2)
    review = drafts.record_overall(review, "a-completer", "À compléter.")
    return drafts.finish(review, checked, context.questionnaire, today=date(2026, 12, 2))


def test_the_coordinator_sees_everything(reviews: list[Review]) -> None:
    seen = visibility(Viewer("coordination"), reviews)
    assert seen.reviews and seen.names and seen.scores and seen.comments


def test_a_reviewer_sees_no_other_review_until_theirs_is_finished(
    reviews: list[Review], checked: CheckedApplication, context: Context
) -> None:
    nadia = Viewer("relecteur", "nadia")
    # No review yet, then a draft: nothing of the others, not even the decision they make.
    for own in ([], [_draft(checked, context, "nadia")]):
        seen = visibility(nadia, [*reviews, *own])
        assert seen.nothing and not (seen.names or seen.scores or seen.comments)
        assert seen.reason == "not-finished"
        assert reviews_to_assess([*reviews, *own], seen) == []
        assert other_reviews([*reviews, *own], nadia, seen) == []
    # Finished: everything, to discuss the disagreements.
    everyone = [*reviews, _finished(checked, context, "nadia")]
    seen = visibility(nadia, everyone)
    assert seen.reviews and seen.names and seen.scores and seen.comments
    assert [r.reviewer for r in other_reviews(everyone, nadia, seen)] == [
        "claire-martin",
        "fatou-diallo",
        "yannick-le-goff",
    ]


def test_a_conflicted_reviewer_never_sees_the_reviews(
    reviews: list[Review], checked: CheckedApplication, context: Context
) -> None:
    paul = Viewer("relecteur", "paul")
    conflicted = _draft(checked, context, "paul", conflict=True, details="Bénévole au lieu.")
    finished = drafts.finish(conflicted, checked, context.questionnaire)
    for own in (conflicted, finished):
        seen = visibility(paul, [*reviews, own])
        assert seen.nothing and seen.reason == "conflict"
    # Withdrawing the declaration does not open the others' reviews either.
    withdrawn = drafts.record_conflict(conflicted, False, today=date(2026, 12, 3))
    for item in rated_items(checked, context.questionnaire):
        withdrawn = drafts.record_score(withdrawn, checked, context.questionnaire, item, 3)
    withdrawn = drafts.record_overall(withdrawn, "qualifier", "Bien.")
    done = drafts.finish(withdrawn, checked, context.questionnaire)
    assert visibility(paul, [*reviews, done]).reason == "conflict"


@pytest.mark.parametrize(
    ("setting", "comments", "names"),
    [("decision", False, False), ("commentaires", True, False), ("tout", True, True)],
)
def test_the_venue_sees_what_the_network_chose(
    reviews: list[Review],
    checked: CheckedApplication,
    context: Context,
    setting: str,
    comments: bool,
    names: bool,
) -> None:
    seen = visibility(Viewer("lieu"), reviews, setting)  # type: ignore[arg-type]
    assert seen.reviews  # the venue's decision is the real one
    assert seen.comments is comments and seen.names is names and seen.scores is names
    assert context.policy is not None
    scorer = Scorer(context.catalogue, context.questionnaire, context.policy)
    full = scorer.assess(checked, reviews_to_assess(reviews, seen))
    shown = redact(full, seen)
    assert shown.decision == full.decision and shown.lines == full.lines
    text = shown.model_dump_json()
    assert ("claire-martin" in text) is names
    assert (CLAIRE_SAYS in text) is comments
    if not names:
        assert shown.reviews.disagreements == [] and shown.reviews.recommendations == {}
        assert all(c.score is None for c in shown.reviews.comments)
        assert len(shown.reviews.used) == len(full.reviews.used)


def test_a_withdrawn_conflict_leaves_a_trace(
    tmp_path: Path, checked: CheckedApplication, context: Context
) -> None:
    declared = _draft(checked, context, "paul", conflict=True, details="Bénévole au lieu.")
    assert declared.conflict_declared == date(2026, 12, 1)
    kept = drafts.record_conflict(declared, True, "Bénévole au lieu.", today=date(2026, 12, 2))
    assert kept.conflict_declared == date(2026, 12, 1)  # still the day it was declared
    withdrawn = drafts.record_conflict(kept, False, today=date(2026, 12, 4))
    assert not withdrawn.conflict_of_interest and withdrawn.conflict_details is None
    [trace] = withdrawn.withdrawn_conflicts
    assert trace.declared == date(2026, 12, 1) and trace.withdrawn == date(2026, 12, 4)
    assert trace.conflict_details == "Bénévole au lieu."
    # The trace survives scoring, finishing, saving and reading back.
    for item in rated_items(checked, context.questionnaire):
        withdrawn = drafts.record_score(withdrawn, checked, context.questionnaire, item, 3)
    withdrawn = drafts.record_overall(withdrawn, "qualifier", "Bien.")
    done = drafts.finish(withdrawn, checked, context.questionnaire)
    drafts.save_review(done, tmp_path)
    loaded, report = load_reviews(tmp_path, context.questionnaire)
    assert not report.diagnostics
    assert loaded[0].withdrawn_conflicts == done.withdrawn_conflicts
    # A review started again from scratch keeps it too.
    again = drafts.keep_trace(_draft(checked, context, "paul"), declared, today=date(2026, 12, 5))
    assert [t.withdrawn for t in again.withdrawn_conflicts] == [date(2026, 12, 5)]
    # The coordinator's summary lists it.
    summary = summarize(loaded, context.questionnaire, context.policy)
    assert summary.applications[0].withdrawn_conflicts == {
        "paul": [
            {
                "declared": "2026-12-01",
                "withdrawn": "2026-12-04",
                "conflict_details": "Bénévole au lieu.",
            }
        ]
    }

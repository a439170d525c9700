"""Which reviews of an application count: the one place that decides it.

Every use of reviews — a decision (:mod:`aptic_qualif.scoring.engine`), the review
summary and the agreement between reviewers (:mod:`aptic_qualif.review.workflow`), and
through them coverage and the national export — goes through :func:`select_reviews`:

* a draft (a review in progress, ``draft: true``) is never used, whatever it holds;
* a review whose reviewer declares a conflict of interest is not used;
* a review of something that has changed since (stale) is not used;
* every other review is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.review.fingerprint import Fingerprint, changes
from aptic_qualif.review.model import Review


@dataclass
class Selection:
    """The reviews of one application, sorted by reviewer, each where it belongs."""

    used: list[Review] = field(default_factory=list)
    """Finished, fresh, without a conflict of interest: the reviews that count."""
    stale: dict[str, list[str]] = field(default_factory=dict)
    """Each reviewer whose review is stale, and what changed since (plain messages)."""
    conflicted: list[str] = field(default_factory=list)
    """The reviewers who declare a conflict of interest."""
    drafts: list[str] = field(default_factory=list)
    """The reviewers whose review is still a draft (in progress)."""


def select_reviews(
    reviews: Iterable[Review],
    current: Fingerprint | None,
    questionnaire: LoadedQuestionnaire,
) -> Selection:
    """Sort the reviews of one application into used, stale, conflicted and drafts.

    ``current`` is the fingerprint of the application as it is now; without it
    (``None``), staleness is not checked and every finished review without a conflict is
    used."""
    selection = Selection()
    for review in sorted(reviews, key=lambda r: r.reviewer):
        if review.draft:
            selection.drafts.append(review.reviewer)
            continue
        if review.conflict_of_interest:
            selection.conflicted.append(review.reviewer)
            continue
        changed = changes(review, current, questionnaire) if current is not None else []
        if changed:
            selection.stale[review.reviewer] = changed
        else:
            selection.used.append(review)
    return selection

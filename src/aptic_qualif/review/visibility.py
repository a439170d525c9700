"""Blind review: what each person may see of the reviews of an application.

One function, :func:`visibility`, decides; the fronts (``serve``) only apply what it says,
with :func:`reviews_to_assess`, :func:`redact` and :func:`other_reviews`. The rules:

* the coordinator (and the person at the keyboard of a local ``serve``) sees everything:
  names, scores, comments, recommendations, conflicts, drafts;
* a reviewer sees no other review — no name, no score, no comment, no recommendation, and
  neither the decision nor the points that the other reviewers' scores make — until their
  own review of that application is finished (not a draft); until then, the application
  is shown to them as if nobody had reviewed it yet. Once it is finished, they see the
  other reviews, so that the network can discuss its disagreements;
* a reviewer who declared a conflict of interest sees no review of that application, ever
  (a withdrawn declaration too: withdrawing it does not open the others' reviews);
* a venue sees what the network chose (``aptic-qualif serve --venue-sees``), by default
  ``commentaires``: the decision and its points, and the reviewers' comments, without the
  reviewers' names nor their individual scores or recommendations. ``decision`` leaves
  the comments out too; ``tout`` shows the venue everything, as the coordinator sees it.

Why this default: a venue needs the comments to understand its decision and progress,
but naming the reviewers (often colleagues of the same territory) or giving each one's
scores exposes them to pressure, and a reviewer should write the same comment whoever
the venue is. The aggregated points stay visible: they are the explanation of the
decision that the qualification promises every venue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aptic_qualif.i18n import _
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.model import Assessment, ReviewUse

VenueView = Literal["decision", "commentaires", "tout"]
VENUE_VIEWS: tuple[VenueView, ...] = ("decision", "commentaires", "tout")
DEFAULT_VENUE_VIEW: VenueView = "commentaires"

Role = Literal["coordination", "relecteur", "lieu"]
Reason = Literal["coordination", "finished", "not-finished", "conflict", "venue"]


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the coordinator, a reviewer (``reviewer`` names them), or the venue
    whose application it is."""

    role: Role
    reviewer: str | None = None


@dataclass(frozen=True)
class Visibility:
    """What a viewer may see of an application's reviews."""

    reviews: bool
    """The reviews count in what is shown (the decision, the points from the reviewers'
    scores); ``False``: the application is shown as if nobody had reviewed it yet."""
    names: bool
    """Who reviewed: the names of the reviewers (used, stale, in progress, conflicted)."""
    scores: bool
    """Each reviewer's scores, disagreements and recommendation."""
    comments: bool
    """The reviewers' comments (with their names only if :attr:`names`)."""
    reason: Reason
    """Why: the coordinator; a reviewer whose review is finished, not finished, or in
    conflict of interest; the venue."""

    @property
    def nothing(self) -> bool:
        """Nothing of any review is visible."""
        return not self.reviews


def _none(reason: Reason) -> Visibility:
    return Visibility(reviews=False, names=False, scores=False, comments=False, reason=reason)


def _all(reason: Reason) -> Visibility:
    return Visibility(reviews=True, names=True, scores=True, comments=True, reason=reason)


def visibility(
    viewer: Viewer, reviews: Sequence[Review], venue_view: VenueView = DEFAULT_VENUE_VIEW
) -> Visibility:
    """What ``viewer`` may see of ``reviews`` (every review of one application, drafts
    included) — see the module's rules."""
    if viewer.role == "coordination":
        return _all("coordination")
    if viewer.role == "lieu":
        if venue_view == "tout":
            return _all("venue")
        return Visibility(
            reviews=True,
            names=False,
            scores=False,
            comments=venue_view == "commentaires",
            reason="venue",
        )
    own = next((r for r in reviews if r.reviewer == viewer.reviewer), None)
    if own is not None and (own.conflict_of_interest or own.withdrawn_conflicts):
        # Even withdrawn: a declaration is not undone to read the others' reviews.
        return _none("conflict")
    if own is None or own.draft:
        return _none("not-finished")
    return _all("finished")


def reviews_to_assess(reviews: Sequence[Review], seen: Visibility) -> list[Review]:
    """The reviews to assess the application with, for what the viewer may see: none when
    the viewer may not see the reviews (the decision would tell what they say)."""
    return list(reviews) if seen.reviews else []


def redact(assessment: Assessment, seen: Visibility) -> Assessment:
    """The assessment without what the viewer may not see: reviewers' names replaced by
    « reviewer 1 », « reviewer 2 »…, individual scores, recommendations and disagreements
    left out, comments kept or left out; the written answers near-identical to another
    application's as :func:`copies_seen` allows."""
    assessment = copies_seen(assessment, seen)
    if seen.names and seen.scores and seen.comments:
        return assessment
    use = assessment.reviews
    if not seen.names:
        pseudonym = {name: _("reviewer {n}").format(n=n) for n, name in enumerate(use.used, 1)}
    else:
        pseudonym = {}

    def named(reviewer: str) -> str:
        return reviewer if seen.names else pseudonym.get(reviewer, _("a reviewer"))

    comments = [
        comment.model_copy(
            update={
                "reviewer": named(comment.reviewer),
                "score": comment.score if seen.scores else None,
            }
        )
        for comment in use.comments
        if seen.comments
    ]
    redacted = ReviewUse(
        used=[named(name) for name in use.used],
        stale=use.stale if seen.names else [],
        conflicted=use.conflicted if seen.names else [],
        drafts=use.drafts if seen.names else [],
        disagreements=use.disagreements if seen.scores and seen.names else [],
        decisive=use.decisive,
        comments=comments,
        recommendations=use.recommendations if seen.scores and seen.names else {},
    )
    return assessment.model_copy(update={"reviews": redacted})


def other_reviews(reviews: Sequence[Review], viewer: Viewer, seen: Visibility) -> list[Review]:
    """The other reviewers' finished reviews that ``viewer`` may read in full (name,
    scores, comments), by reviewer: none unless :attr:`Visibility.names` and
    :attr:`Visibility.scores`. Drafts and conflicted reviews hold nothing to read."""
    if not (seen.names and seen.scores):
        return []
    return sorted(
        (
            r
            for r in reviews
            if r.reviewer != viewer.reviewer and not r.draft and not r.conflict_of_interest
        ),
        key=lambda r: r.reviewer,
    )


def copies_seen(assessment: Assessment, seen: Visibility) -> Assessment:
    """The assessment with what the viewer may see of its written answers near-identical to
    another application's (:mod:`aptic_qualif.review.copies`): the coordinator sees them
    all, with the other venue's name; a reviewer sees them with the other application's id
    only; a venue does not see them (nor the other application named in its reasons: it is
    told its written answers await a reviewer)."""
    if seen.reason == "coordination" or not assessment.copies:
        return assessment
    if seen.reason != "venue":
        return assessment.model_copy(
            update={"copies": [m.model_copy(update={"other_venue": ""}) for m in assessment.copies]}
        )
    from aptic_qualif.scoring.engine import copy_reason, unconfirmed_copies

    named = {copy_reason(m) for m in unconfirmed_copies(assessment.copies)}
    reasons = [r for r in assessment.reasons if r not in named]
    if len(reasons) < len(assessment.reasons):
        reasons.append(_("awaiting review: a reviewer must examine some of the written answers"))
    return assessment.model_copy(update={"copies": [], "reasons": reasons})

"""A review: one reviewer's scores of the rubric items of one application.

Saved as ``reviews/<application-id>/<reviewer>.yaml``. It records what the reviewer
reviewed (``reviewed``): a fingerprint of the venue's identity and of each rubric item
that applied — its answer and its evidence. Once one of them changes, the review is
stale and is no longer used; any other edit of the application (a comment, an answer
the reviewers do not rate, keys in another order) leaves it fresh.

A review in progress is a *draft* (``draft: true``): it may hold only some scores, no
recommendation and no overall comment (:mod:`aptic_qualif.review.draft`). A draft is
never used — not for a decision, not for agreement — until it is finished.

Older reviews recorded the sha256 of the whole application file instead
(``application_sha256``): they are still read, and are stale until reviewed again.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aptic_qualif.schema import LaxDate, StrictModel

Recommendation = Literal["qualifier", "a-completer", "ne-pas-qualifier"]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A sha256 digest in lowercase hexadecimal."""


class ReviewScore(StrictModel):
    score: int = Field(ge=0, le=4)
    comment: str | None = None


class Reviewed(StrictModel):
    """What a review rated, as fingerprints (see :mod:`aptic_qualif.review.fingerprint`)."""

    identity: Sha256
    """The venue's identity answers."""
    items: dict[str, Sha256] = Field(default_factory=dict)
    """Each rubric item that applied: its answer and its evidence together."""
    answers: dict[str, Sha256] = Field(default_factory=dict)
    """Each rubric item that applied: its answer alone (tells an answer's change from an
    evidence's change; optional)."""
    evidence: dict[str, Sha256] = Field(default_factory=dict)
    """Each rubric item that applied with evidence: its evidence alone (optional)."""
    claims: dict[str, Sha256] = Field(default_factory=dict)
    """Each declared answer the reviewer marked unsupported (``unsupported``): its answer and
    its evidence together, as they were when marked. Once they change, the mark lapses."""


class WithdrawnConflict(StrictModel):
    """A declaration of conflict of interest the reviewer withdrew: kept in the review, for
    the coordinator to see (a declaration is never erased)."""

    declared: LaxDate | None = None
    """The day it was declared (unknown for reviews written before this was recorded)."""
    withdrawn: LaxDate
    """The day it was withdrawn."""
    conflict_details: str | None = None
    """The link the reviewer had described."""


class Review(StrictModel):
    application: str
    """The application's id (its file name without extension)."""
    reviewer: str
    draft: bool = False
    """A review in progress (``true``): not used until finished; absent, a finished review."""
    date: LaxDate
    """The day the review was finished (of a draft: the day it was last saved)."""
    reviewed: Reviewed | None = None
    """What was reviewed; a review has it, or (older files) ``application_sha256``. A
    draft holds the fingerprints of the items scored so far, as they were when scored."""
    application_sha256: Sha256 | None = None
    """Older reviews only: the digest of the whole application file."""
    conflict_of_interest: bool
    """The reviewer declares a link with the venue (a conflicted review is not used, and
    holds no scores)."""
    conflict_details: str | None = None
    conflict_declared: LaxDate | None = None
    """The day the conflict of interest now declared was declared."""
    withdrawn_conflicts: list[WithdrawnConflict] = Field(default_factory=list)
    """Declarations of conflict of interest withdrawn since, oldest first."""
    scores: dict[str, ReviewScore] = Field(default_factory=dict)
    recommendation: Recommendation | None = None
    comment: str | None = None
    """The overall comment on the application."""
    copies_examined: list[str] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    """Declared answers (questions that take evidence and are not rated by reviewers) the
    reviewer found unsupported by the evidence the venue sent: while a majority of the reviews
    used say so, the answer counts no point."""
    """The other applications whose written answers are near-identical to this one's
    (:mod:`aptic_qualif.review.copies`) and which the reviewer examined, by id: until a fresh
    review says so, such a possible copy keeps the application awaiting review."""

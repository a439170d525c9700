"""A review: one reviewer's scores of the rubric items of one application.

Saved as ``reviews/<application-id>/<reviewer>.yaml``. It records the sha256 of the
application file it reviewed: once the application changes, the review is stale and is
no longer used.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aptic_qualif.schema import LaxDate, StrictModel

Recommendation = Literal["qualifier", "a-completer", "ne-pas-qualifier"]


class ReviewScore(StrictModel):
    score: int = Field(ge=0, le=4)
    comment: str | None = None


class Review(StrictModel):
    application: str
    """The application's id (its file name without extension)."""
    application_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    reviewer: str
    date: LaxDate
    conflict_of_interest: bool
    """The reviewer declares a link with the venue (a conflicted review is not used)."""
    conflict_details: str | None = None
    scores: dict[str, ReviewScore] = Field(default_factory=dict)
    recommendation: Recommendation | None = None
    comment: str | None = None

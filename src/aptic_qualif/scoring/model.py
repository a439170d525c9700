"""The assessment of an application: every number with the answer that produced it.

These models are the stable JSON output of ``assess --format json``; its JSON Schema is
``schemas/assessment.schema.json`` in the repository.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aptic_qualif.scoring.policy import Decision

Source = Literal[
    "answer", "reviews", "unanswered", "not_applicable", "pending_review", "unsupported"
]


class Model(BaseModel):
    # a number that is not finite has no JSON: refused where it would be made
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PointLine(Model):
    """How one item counted: its points out of its maximum, and why."""

    item: str
    theme: str
    label: str
    answer: Any = None
    points: float
    max: float
    weight: float
    source: Source
    detail: str = ""


class Advice(Model):
    """What a venue could put in place where it lost points (« comment progresser »)."""

    item: str
    label: str
    gain: float
    text: str


class ThemeResult(Model):
    theme: str
    title: str
    points: float
    max: float
    percentage: float
    """Rounded down to one decimal, never across the threshold (49.97 shows 49.9)."""
    threshold: float
    passed: bool
    bonus: bool = False
    """A bonus theme raises the overall score and never lowers it; it has no threshold."""
    pending: list[str] = []
    advice: list[Advice] = []


class Overall(Model):
    percentage: float
    threshold: float
    passed: bool


class PracticeFloor(Model):
    """One minimum of the policy on the reviewers' scores (0–4), and where the venue is."""

    scope: Literal["overall", "theme", "item"]
    id: str
    """The theme or item id; empty for the overall floor."""
    label: str
    minimum: float
    score: float | None
    """The reviewers' score (an item) or mean score (a theme, overall); ``None`` while
    nothing in scope has been reviewed."""
    passed: bool
    """Not failed: true while nothing in scope has been reviewed yet (see ``score``)."""


class RequirementHit(Model):
    """A requirement of the policy that the application does not meet yet."""

    id: str
    item: str
    label: str
    reason: str


class KnockoutHit(Model):
    id: str
    item: str | None
    reason: str


class ToComplete(Model):
    item: str
    label: str
    reason: str
    fix: str = ""
    """How to correct it, when the tool knows."""


class Disagreement(Model):
    item: str
    scores: dict[str, int]


class StaleReview(Model):
    """A review left out because what it rated has changed since."""

    reviewer: str
    changes: list[str]


class ReviewComment(Model):
    """A reviewer's comment on one item (with the score given) or on the whole application."""

    reviewer: str
    item: str = ""
    """Empty for the overall comment."""
    label: str = ""
    score: int | None = None
    comment: str


class ReviewUse(Model):
    used: list[str] = []
    stale: list[StaleReview] = []
    conflicted: list[str] = []
    drafts: list[str] = []
    """Reviewers whose review is still a draft (in progress): not used."""
    disagreements: list[Disagreement] = []
    decisive: list[str] = []
    """Items whose disagreement changes the decision: a further review is needed."""
    comments: list[ReviewComment] = []
    recommendations: dict[str, str] = {}


class CopyMatch(Model):
    """A written answer of the application near-identical to one of another application
    (:mod:`aptic_qualif.review.copies`)."""

    item: str
    """The item of this application whose answer matches."""
    other: str
    """The other application's id (its file name without extension)."""
    other_item: str
    """The other application's item whose answer matches (the same item, or another)."""
    similarity: float
    """How near the two answers are once normalised, from 0 to 1 (RapidFuzz's Indel
    normalised similarity), rounded to two decimals."""
    passage: int = 0
    """When the answers as a whole are not near-identical: the words of the passage they
    share (a paragraph pasted into a longer answer); 0 otherwise."""
    other_venue: str = ""
    """The other venue's name; left out where the viewer may not see it."""
    label: str = ""
    other_label: str = ""
    same_organisation: bool = False
    """Both venues belong to one organisation (same SIREN): texts may be shared, it is not
    flagged as a copy."""
    siren: str = ""
    """The SIREN the two venues share, when :attr:`same_organisation`."""
    examined: bool = False
    """A fresh review of this application says its reviewer examined the similarity."""


class Assessment(Model):
    application: str
    file: str
    venue: str
    questionnaire: str
    policy: str
    referentiel: str
    date: str | None = None
    """The application's date (YYYY-MM-DD)."""
    decision: Decision
    reasons: list[str]
    themes: list[ThemeResult]
    overall: Overall
    practice: list[PracticeFloor] = []
    valid_until: str | None = None
    """For a qualified venue under a policy with a validity: the last day of validity."""
    renew_from: str | None = None
    """When to apply again to renew the qualification."""
    complete_by: str | None = None
    """For an application to complete: the day by which to complete it."""
    knockouts: list[KnockoutHit] = []
    requirements: list[RequirementHit] = []
    to_complete: list[ToComplete] = []
    services_by_level: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    """The evidence the venue gave, per item: web links or names of documents."""
    reviews: ReviewUse = ReviewUse()
    lines: list[PointLine] = []
    diagnostics: list[dict[str, Any]] = []
    copies: list[CopyMatch] = []
    """Written answers near-identical to another application's, most similar first."""

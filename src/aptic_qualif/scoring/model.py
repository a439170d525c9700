"""The assessment of an application: every number with the answer that produced it.

These models are the stable JSON output of ``assess --format json``; its JSON Schema is
``schemas/assessment.schema.json`` in the repository.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aptic_qualif.scoring.policy import Decision

Source = Literal["answer", "reviews", "unanswered", "not_applicable", "pending_review"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    """What would raise a theme's score."""

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
    threshold: float
    passed: bool
    pending: list[str] = []
    advice: list[Advice] = []


class Overall(Model):
    percentage: float
    threshold: float
    passed: bool


class KnockoutHit(Model):
    id: str
    item: str | None
    reason: str


class ToComplete(Model):
    item: str
    label: str
    reason: str


class Disagreement(Model):
    item: str
    scores: dict[str, int]


class ReviewUse(Model):
    used: list[str] = []
    stale: list[str] = []
    conflicted: list[str] = []
    disagreements: list[Disagreement] = []


class Assessment(Model):
    application: str
    file: str
    venue: str
    questionnaire: str
    policy: str
    referentiel: str
    decision: Decision
    reasons: list[str]
    themes: list[ThemeResult]
    overall: Overall
    knockouts: list[KnockoutHit] = []
    to_complete: list[ToComplete] = []
    services_by_level: dict[str, list[str]] = {}
    reviews: ReviewUse = ReviewUse()
    lines: list[PointLine] = []
    diagnostics: list[dict[str, Any]] = []

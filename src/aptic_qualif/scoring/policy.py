"""The scoring policy (``questionnaire/policy.yaml``): weights, thresholds, knock-outs, decisions.

A policy is data: it names items and themes of the questionnaire and chooses among a
fixed set of decision rules; nothing in it is evaluated as code. A network may keep a
private policy and pass it with ``--policy FILE``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aptic_qualif.questionnaire.model import Condition
from aptic_qualif.referentiel.model import LangText, OptionalLangText
from aptic_qualif.schema import SemVer, StrictModel

Decision = Literal["qualifie", "a-completer", "non-qualifie", "en-attente-de-revue"]
DECISIONS: tuple[Decision, ...] = ("qualifie", "a-completer", "non-qualifie", "en-attente-de-revue")

Predicate = Literal[
    "knockout",
    "incomplete",
    "pending_review",
    "thresholds_met",
    "thresholds_missed",
    "always",
]
"""What a decision rule looks at:

* ``knockout``: a knock-out applies (invalid identity, charter refused…);
* ``incomplete``: the application is invalid or a required answer is missing;
* ``pending_review``: a reviewer-rated item has no (fresh) review yet;
* ``thresholds_met`` / ``thresholds_missed``: every theme and the overall score reach
  their threshold, or not;
* ``always``: the fallback.
"""


class Knockout(StrictModel):
    """An answer that excludes qualification whatever the score."""

    id: str
    reason: OptionalLangText
    item: str | None = None
    """The item whose answer is tested; ``None`` with ``invalid_identity``."""
    condition: Condition | None = None
    """When the item's answer makes this condition hold, the knock-out applies. The
    ``question`` of the condition is the item itself."""
    invalid_identity: bool = False
    """Applies when an identity answer (SIRET, postcode…) is invalid."""


class Rule(StrictModel):
    """``decision`` when ``when`` holds; rules are tried in order, the first one decides."""

    when: Predicate
    decision: Decision


class ReviewSettings(StrictModel):
    aggregation: Literal["median", "mean", "min"] = "median"
    """How the scores of several reviewers of one item are combined."""
    disagreement: int = 2
    """Reviewers this many rubric steps apart (or more) are flagged for a consensus."""
    minimum_reviewers: int = 1


class Policy(StrictModel):
    id: str
    version: SemVer
    title: LangText
    description: LangText | None = None
    questionnaire: str
    """Id of the questionnaire this policy scores."""
    theme_weights: dict[str, float] = Field(default_factory=dict)
    """Weight of each theme in the overall percentage (1 when absent)."""
    item_weights: dict[str, float] = Field(default_factory=dict)
    """Multiplier of an item's points (1 when absent); 0 makes an item informative."""
    theme_thresholds: dict[str, float] = Field(default_factory=dict)
    """Percentage each theme must reach (0 when absent)."""
    overall_threshold: float = 0
    knockouts: list[Knockout] = Field(default_factory=list)
    reviews: ReviewSettings = Field(default_factory=ReviewSettings)
    rules: list[Rule] = Field(min_length=1)
    label: str = "Qualifié aptic-qualif"
    """The label a qualified venue carries in the national export."""

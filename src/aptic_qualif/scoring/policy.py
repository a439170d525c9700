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

Decision = Literal["qualifie", "a-completer", "non-qualifie", "en-attente-de-revue", "a-arbitrer"]
DECISIONS: tuple[Decision, ...] = (
    "qualifie",
    "a-completer",
    "non-qualifie",
    "en-attente-de-revue",
    "a-arbitrer",
)

Predicate = Literal[
    "knockout",
    "identity_invalid",
    "incomplete",
    "requirements_unmet",
    "pending_review",
    "copy_unconfirmed",
    "practice_below_floor",
    "reviewers_advise_against",
    "thresholds_met",
    "thresholds_missed",
    "always",
]
"""What a decision rule looks at:

* ``knockout``: a knock-out applies (charter refused, no mediation time…);
* ``identity_invalid``: an identity answer (SIRET, postcode, INSEE code…) is invalid: the
  venue can correct it;
* ``incomplete``: the application is invalid or a required answer is missing;
* ``requirements_unmet``: an answer the policy requires to qualify is not given (a
  processing register…): the venue can put it in place;
* ``pending_review``: the reviews could still change the outcome: a reviewer-rated item
  lacks its reviewers, or reviewers disagree in a way that changes the decision;
* ``copy_unconfirmed``: a written answer is near-identical to another application's
  (:mod:`aptic_qualif.review.copies`; venues of one organisation excepted) and no fresh
  review says its reviewer examined that other application, while the application could
  still qualify;
* ``practice_below_floor``: the reviewers' scores are below a floor of the policy (an
  item, a theme or overall), whatever the other points;
* ``reviewers_advise_against``: the scores would qualify the venue, but a majority of the
  reviews used recommend not qualifying it: the coordinator arbitrates (a further reviewer,
  or the reviewers revising their scores or their recommendation);
* ``thresholds_met`` / ``thresholds_missed``: every theme and the overall score reach
  their threshold, or not;
* ``always``: the fallback.
"""


class Knockout(StrictModel):
    """An answer that excludes qualification whatever the score."""

    id: str
    reason: OptionalLangText
    item: str | None = None
    """The item whose answer is tested; ``None`` with ``invalid_identity`` or
    ``venue_closed``."""
    condition: Condition | None = None
    """When the item's answer makes this condition hold, the knock-out applies. The
    ``question`` of the condition is the item itself."""
    invalid_identity: bool = False
    """Applies when an identity answer (SIRET, postcode…) is invalid. Prefer the
    ``identity_invalid`` rule: a typo is corrected, not a reason to refuse a venue."""
    venue_closed: bool = False
    """Applies when the venue has reported its closure (the last event of its
    ``historique``, :attr:`~aptic_qualif.application.Application.closure`)."""


class Requirement(StrictModel):
    """An answer the venue must give to qualify; without it the application is to complete
    (it is something to put in place, not a reason to refuse the venue)."""

    id: str
    item: str
    condition: Condition
    """The requirement is unmet when the item applies and its answer makes this hold
    (an unanswered item leaves it unmet)."""
    reason: OptionalLangText
    """What is missing, in plain words."""


class PracticeFloors(StrictModel):
    """Non-compensatory minimums on the reviewers' scores (0–4) of the rubric items: no
    number of ticked boxes makes up for practice the reviewers judge too weak."""

    overall: float | None = None
    """Minimum mean score of every rubric item that applies, bonus themes left out: an
    innovation essay never makes up for a weak core answer."""
    themes: dict[str, float] = Field(default_factory=dict)
    """Minimum mean score of a theme's rubric items that apply."""
    items: dict[str, float] = Field(default_factory=dict)
    """Minimum score of one rubric item, when it applies."""
    autonomy_level: float | None = Field(default=None, ge=0, le=4)
    """The rubric level from which a reviewer's score means the practice makes the person
    autonomous (3 in the shipped rubrics). ``policy check`` looks, at every level below it,
    for a venue whose practice all reviewers rate at that level and which still qualifies on
    its declarations; each one found is an error (POL006)."""


class Validity(StrictModel):
    """How long a qualification lasts, counted from the application's date."""

    months: int = Field(ge=1, le=120)
    renew_before_months: int = Field(default=3, ge=0, le=24)
    """The venue is asked to renew this many months before the end."""
    complete_within_days: int | None = Field(default=None, ge=1, le=730)
    """An application *to complete* has this many days to be completed."""


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
    """Fresh, non-conflicted reviews each rubric item needs before it counts."""
    further_review_when_decisive: bool = False
    """When reviewers disagree and their scores, taken one way or the other, lead to two
    different decisions, the application awaits a further review."""


class NetworkIdentity(StrictModel):
    """Who publishes the exports: the network that runs the qualification, so that two
    networks using the tool never publish under the same name."""

    source: str = Field(default="aptic-qualif", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    """The ``source`` of the national export and of data·inclusion, and the first part of
    data·inclusion ids (``<source>--<id>``); a venue imported from a national extract keeps
    the extract's own source."""
    id_prefix: str = Field(
        default="aptic-qualif-", pattern=r"^(?:[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99})?$"
    )
    """Put before the application's file name to make the national ``id`` of a venue that
    records none (an imported venue keeps the id of its record)."""
    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s|]+/$")
    """The address of the network's venue pages, ending with ``/``: the venue's id appended
    to it makes ``lien_source`` in data·inclusion. None: no link."""


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
    bonus_themes: list[str] = Field(default_factory=list)
    """Themes that raise the overall score and never lower it (innovation…): the overall
    percentage is the larger of the weighted mean with and without them; they have no
    threshold of their own."""
    minimum_reviewer_share: float | None = None
    """Percentage of the maximum points that reviewer-rated items must carry, in each theme
    and overall; ``policy check`` reports a policy below it."""
    practice: PracticeFloors = Field(default_factory=PracticeFloors)
    requirements: list[Requirement] = Field(default_factory=list)
    validity: Validity | None = None
    knockouts: list[Knockout] = Field(default_factory=list)
    reviews: ReviewSettings = Field(default_factory=ReviewSettings)
    rules: list[Rule] = Field(min_length=1)
    label: str = "Qualifié aptic-qualif"
    """The label a qualified venue carries in the national export."""
    network: NetworkIdentity = Field(default_factory=NetworkIdentity)
    """Who publishes the exports (source, id prefix, address of the venue pages)."""

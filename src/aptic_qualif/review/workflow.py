"""Reviewing: scoring an application's rubric items, and summarising reviews.

``review_application`` asks a reviewer, through the same :class:`Prompter` as the
self-assessment, first for a conflict-of-interest declaration — a conflicted reviewer is
not asked to score — then, for each rubric item that applies, shows the question, the
venue's answer, its evidence and the whole rubric, and asks a 0–4 score and a comment;
then a recommendation and an overall comment. The review is a draft saved after every
answer (:mod:`aptic_qualif.review.draft`), resumed where it stopped, and finished with the
fingerprint of what it reviewed (:mod:`aptic_qualif.review.fingerprint`).

``summarize`` aggregates reviews per application, with the reviewers' comments, says
which reviews are stale and what changed, flags disagreements and measures the
agreement between reviewers with Krippendorff's alpha (ordinal), per theme and overall,
saying when the sample is too small for it to mean anything.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.errors import CommandError
from aptic_qualif.formats import of_name
from aptic_qualif.i18n import N_, _, localized
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.fill import Prompter
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.review.copies import describe, flagged
from aptic_qualif.review.draft import (
    DraftError,
    claims_to_mark,
    finish,
    load_review,
    missing,
    record_claims,
    record_conflict,
    record_copies,
    record_overall,
    record_score,
    reopen,
    save_review,
    start_draft,
)
from aptic_qualif.review.fingerprint import Fingerprint, changes, fingerprint, rated_items
from aptic_qualif.review.load import review_path
from aptic_qualif.review.model import Review
from aptic_qualif.review.select import select_reviews
from aptic_qualif.scoring.engine import aggregate_scores
from aptic_qualif.scoring.model import CopyMatch
from aptic_qualif.scoring.policy import Policy

MIN_PAIRED_UNITS = 10
"""Below this many items rated by at least two reviewers, alpha is only indicative."""
MIN_PAIRED_APPLICATIONS = 2
"""Below this many applications with such items, alpha is only indicative."""

RECOMMENDATIONS = {
    "qualifier": N_("qualify"),
    "a-completer": N_("to complete"),
    "ne-pas-qualifier": N_("do not qualify"),
}
"""Each recommendation a reviewer may make, and its label (to translate)."""

AGGREGATIONS = {"median": N_("median"), "mean": N_("mean"), "min": N_("minimum")}
"""Each way of aggregating reviewers' scores, and its name (to translate)."""


def _required(typed: str) -> str | None:
    return None if typed.strip() else _("an answer is required")


def _shown(value: Any) -> str:
    """An answer as the reviewer reads it."""
    if value is None or value == "" or value == []:
        return _("(no answer)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _present(
    located: LocatedItem, checked: CheckedApplication, position: int, total: int
) -> list[str]:
    """What the reviewer reads before scoring an item, every text in full."""
    item = located.item
    lines = [f"\n{position}/{total} — {localized(item.label)}"]
    lines.append(_("Answer: {answer}").format(answer=_shown(checked.answers.get(item.id))))
    if item.evidence is not None:
        lines.append(_("Evidence expected: {evidence}").format(evidence=localized(item.evidence)))
        given = checked.evidence.get(item.id, [])
        if given:
            lines.append(_("Evidence given:"))
            lines.extend(f"  - {entry}" for entry in given)
        else:
            lines.append(_("Evidence given: none"))
    lines.append(_("Rubric:"))
    lines.extend(f"  {step.score} — {localized(step.description)}" for step in item.rubric or ())
    return lines


def review_application(
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    reviewer: str,
    prompter: Prompter,
    reviews_dir: Path,
    *,
    today: date | None = None,
    force: bool = False,
    copies: Sequence[CopyMatch] = (),
) -> Path:
    """Ask for the review of ``checked`` and save it; returns the review file.

    After the rated answers, as on the web review page: the declared answers that take
    evidence, to mark those the evidence sent does not support, and the possible copies
    (``copies``: the matches of ``checked``'s written answers in its folder), to say which
    the reviewer compared; the other application is named by its id only (blind review).

    The review is a draft (:mod:`aptic_qualif.review.draft`) saved after every answer: an
    interruption loses at most the question being answered, and the next run resumes the
    draft where it stopped.

    A finished review of an application that changed since (a stale review) is reopened,
    as the web review page does: the scores and comments of the items whose answer and
    evidence did not change are kept, and only what changed is asked again, then the
    recommendation and the overall comment, each starting from what it was. A finished
    review that is still fresh is changed only with ``force``, which asks everything again
    (of a stale review too), each question starting from the earlier answer; a file that is
    not a readable review is replaced only with ``force``."""
    path = review_path(reviews_dir, checked.id, reviewer)
    existing: Review | None = None
    try:
        existing = load_review(reviews_dir, checked.id, reviewer)
    except DraftError as exc:
        if not force:
            raise CommandError(
                f"{exc}\n" + _("add --force to start this review again, replacing the file")
            ) from None
    stale: list[str] = []
    if existing is not None and not existing.draft:
        if not existing.conflict_of_interest:
            stale = changes(existing, fingerprint(checked, questionnaire), questionnaire)
        if not stale and not force:
            raise CommandError(
                _(
                    "{path} exists: you finished this review on {date} and the application has "
                    "not changed since; add --force to change it (each question starts from "
                    "your earlier answer)"
                ).format(path=display_path(path), date=existing.date.isoformat())
            )
    prompter.say(
        _("Review {of_venue} ({file}) by {reviewer}").format(
            of_venue=of_name(checked.venue_name), file=checked.doc.file, reviewer=reviewer
        )
    )
    items = rated_items(checked, questionnaire)
    everything = False
    """Whether every item is asked again (a finished review changed with ``force``)."""
    if existing is not None and existing.draft:
        draft = existing
        scored = len([item for item in items if item in draft.scores])
        prompter.say(
            _("Resuming your draft of {date} ({file}): {scored} of {total} items scored.").format(
                date=draft.date.isoformat(),
                file=display_path(path),
                scored=scored,
                total=len(items),
            )
        )
    elif existing is not None and stale and not force:
        prompter.say(
            _(
                "The application changed since your review of {date}; you are asked again only "
                "what changed, your other scores and comments are kept:"
            ).format(date=existing.date.isoformat())
        )
        for change in stale:
            prompter.say(f"  - {change}")
        draft = reopen(existing, today=today)
        save_review(draft, reviews_dir, force=True)
    else:
        conflict = bool(
            prompter.select(
                _("Do you have a link with this venue (employee, volunteer, funder, relative)?"),
                [(_("No"), False), (_("Yes"), True)],
                default=existing.conflict_of_interest if existing is not None else None,
            )
        )
        if existing is not None:  # a finished review, changed with force
            everything = True
            draft = reopen(existing, today=today)
            if conflict != existing.conflict_of_interest:
                draft = record_conflict(draft, conflict, today=today)
        else:
            draft = start_draft(checked, questionnaire, reviewer, conflict=conflict, today=today)
        save_review(draft, reviews_dir, force=True)
    if draft.conflict_of_interest:
        if everything or missing(draft, checked, questionnaire).conflict_details:
            details = prompter.text(
                _("Describe the link (the review will not count)"),
                _required,
                default=draft.conflict_details or "",
            )
            draft = record_conflict(draft, True, details, today=today)
        prompter.say(
            _(
                "You declared a link with this venue: another reviewer will score it; your "
                "declaration is saved."
            )
        )
        return save_review(finish(draft, checked, questionnaire, today=today), reviews_dir)
    by_id = questionnaire.by_id
    lacking = missing(draft, checked, questionnaire)
    asked = items if everything else lacking.items
    for item_id in asked:
        located = by_id[item_id]
        for line in _present(located, checked, items.index(item_id) + 1, len(items)):
            prompter.say(line)
        if item_id in lacking.changed:
            prompter.say(
                _("The answer or its evidence changed since you scored it: score it again.")
            )
        earlier = draft.scores.get(item_id)
        if earlier is not None:
            prompter.say(
                _("Your earlier score: {score}; your earlier comment: {comment}").format(
                    score=earlier.score, comment=earlier.comment or _("(none)")
                )
            )
        steps = [(str(step.score), step.score) for step in located.item.rubric or ()]
        score = prompter.select(
            _("Score (0 to 4)"), steps, default=earlier.score if earlier is not None else None
        )
        comment = prompter.text(
            _("Comment (Enter to skip)"),
            lambda _typed: None,
            default=(earlier.comment or "") if earlier is not None else "",
        )
        draft = record_score(
            draft, checked, questionnaire, item_id, int(score), comment, today=today
        )
        save_review(draft, reviews_dir)
    draft = _ask_claims(draft, checked, questionnaire, prompter, today)
    save_review(draft, reviews_dir)
    draft = _ask_copies(draft, checked, questionnaire, prompter, copies)
    save_review(draft, reviews_dir)
    recommendation = draft.recommendation
    # A review reopened (the application changed, or --force) confirms its recommendation
    # and overall comment, each starting from what it was.
    confirm = existing is not None and not existing.draft
    if recommendation is None or confirm:
        recommendation = prompter.select(
            _("Recommendation"),
            [(_(RECOMMENDATIONS[value]), value) for value in RECOMMENDATIONS],
            default=recommendation,
        )
        draft = record_overall(draft, recommendation, draft.comment, today=today)
        save_review(draft, reviews_dir)
    if confirm or missing(draft, checked, questionnaire).comment:
        comment = prompter.text(
            _("Overall comment: what decided your recommendation (several sentences welcome)"),
            _required,
            multiline=True,
            default=draft.comment or "",
        )
        draft = record_overall(draft, recommendation, comment, today=today)
    return save_review(finish(draft, checked, questionnaire, today=today), reviews_dir)


def _ask_claims(
    draft: Review,
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    prompter: Prompter,
    today: date | None,
) -> Review:
    """The declared answers the evidence sent does not support, ticked by the reviewer
    (:func:`~aptic_qualif.review.draft.record_claims`); none to ask: ``draft`` as it is."""
    claims = claims_to_mark(checked, questionnaire)
    if not claims:
        return draft
    by_id = questionnaire.by_id
    choices = []
    for item in claims:
        sent = checked.evidence.get(item) or []
        evidence = ", ".join(sent) if sent else _("none")
        choices.append(
            (
                _("{label} — evidence sent: {evidence}").format(
                    label=localized(by_id[item].item.label), evidence=evidence
                ),
                item,
            )
        )
    chosen = prompter.checkbox(
        _(
            "Declared answers that the evidence sent does not support (a majority of reviewers "
            "marking one takes its points away; tick none if every one is supported)"
        ),
        choices,
        lambda _chosen: None,
        default=[item for item in draft.unsupported if item in claims],
    )
    return record_claims(draft, checked, questionnaire, chosen)


def _ask_copies(
    draft: Review,
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    prompter: Prompter,
    copies: Sequence[CopyMatch],
) -> Review:
    """The possible copies the reviewer compared (:func:`~aptic_qualif.review.draft.
    record_copies`), each match said first with the other application named by its id."""
    matches = flagged(copies)
    if not matches:
        return draft
    by_id = questionnaire.by_id

    def label(item: str) -> str:
        return localized(by_id[item].item.label) if item in by_id else item

    prompter.say(_("Possible copies: the decision waits until a reviewer compares them."))
    for match in matches:
        blind = match.model_copy(
            update={
                "label": label(match.item),
                "other_label": label(match.other_item),
                "other_venue": "",
                "examined": match.other in draft.copies_examined,
            }
        )
        prompter.say(f"  - {describe(blind)}")
    others = sorted({match.other for match in matches})
    examined = prompter.checkbox(
        _("Tick each application whose answers you compared with this one's"),
        [(_("application {id}").format(id=other), other) for other in others],
        lambda _chosen: None,
        default=[other for other in draft.copies_examined if other in others],
    )
    return record_copies(draft, others, examined)


@dataclass
class ApplicationSummary:
    application: str
    reviewers: list[str]
    """The reviewers whose reviews are used: not stale, without a conflict of interest."""
    stale: dict[str, list[str]]
    """Each stale reviewer, and what changed since their review."""
    conflicted: list[str]
    scores: dict[str, dict[str, int]]
    """Per item, each reviewer's score."""
    aggregated: dict[str, float]
    disagreements: list[str]
    recommendations: dict[str, str]
    comments: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per item, each reviewer's comment."""
    overall_comments: dict[str, str] = field(default_factory=dict)
    """Each reviewer's overall comment."""
    freshness_checked: bool = False
    """Whether the reviews were compared with the current application."""
    drafts: list[str] = field(default_factory=list)
    """The reviewers whose review is still a draft (in progress, not used)."""
    withdrawn_conflicts: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    """Each reviewer who withdrew a declaration of conflict of interest: when it was
    ``declared`` and ``withdrawn`` (YYYY-MM-DD), and the link described
    (``conflict_details``), for the coordinator."""


@dataclass
class Sample:
    """What an agreement measure rests on."""

    units: int = 0
    """Items (of an application) rated by at least two reviewers."""
    applications: int = 0
    """Applications with at least one such item."""
    meaningful: bool = False
    """Whether the sample is large enough for alpha to mean something."""


@dataclass
class Summary:
    applications: list[ApplicationSummary] = field(default_factory=list)
    alpha_by_theme: dict[str, float | None] = field(default_factory=dict)
    alpha_overall: float | None = None
    sample_by_theme: dict[str, Sample] = field(default_factory=dict)
    sample_overall: Sample = field(default_factory=Sample)
    method: str = "median"
    labels: dict[str, str] = field(default_factory=dict)
    """The label of each item in the summary, in the language in use."""


def summarize(
    reviews: Iterable[Review],
    questionnaire: LoadedQuestionnaire,
    policy: Policy | None,
    current: Mapping[str, Fingerprint] | None = None,
) -> Summary:
    """Aggregate per application and measure agreement.

    ``current`` maps application ids to the fingerprint of their current version: reviews
    of something that changed since are stale and left out. Drafts and conflicted reviews
    are left out too (:func:`~aptic_qualif.review.select.select_reviews`). Without a
    fingerprint, an application's finished reviews are used unchecked.
    """
    settings = policy.reviews if policy is not None else None
    method = settings.aggregation if settings else "median"
    threshold = settings.disagreement if settings else 2
    by_application: dict[str, list[Review]] = {}
    for review in reviews:
        by_application.setdefault(review.application, []).append(review)
    summary = Summary(method=method)
    units: dict[tuple[str, str], dict[str, int]] = {}
    for application in sorted(by_application):
        now = (current or {}).get(application)
        selection = select_reviews(by_application[application], now, questionnaire)
        used = selection.used
        scores: dict[str, dict[str, int]] = {}
        comments: dict[str, dict[str, str]] = {}
        for review in used:
            for item, score in review.scores.items():
                scores.setdefault(item, {})[review.reviewer] = score.score
                if score.comment and score.comment.strip():
                    comments.setdefault(item, {})[review.reviewer] = score.comment.strip()
        order = {located.id: located.order for located in questionnaire.items}
        ordered = sorted(scores, key=lambda i: (order.get(i, len(order)), i))
        scores = {item: dict(sorted(scores[item].items())) for item in ordered}
        comments = {
            item: dict(sorted(comments[item].items())) for item in ordered if item in comments
        }
        for item, by_reviewer in scores.items():
            units[(application, item)] = by_reviewer
        summary.applications.append(
            ApplicationSummary(
                application=application,
                reviewers=[r.reviewer for r in used],
                stale=selection.stale,
                conflicted=selection.conflicted,
                drafts=selection.drafts,
                withdrawn_conflicts={
                    r.reviewer: [
                        entry.model_dump(mode="json", exclude_none=True)
                        for entry in r.withdrawn_conflicts
                    ]
                    for r in sorted(by_application[application], key=lambda r: r.reviewer)
                    if r.withdrawn_conflicts
                },
                scores=scores,
                aggregated={
                    item: aggregate_scores(list(values.values()), method)
                    for item, values in scores.items()
                },
                disagreements=[
                    item
                    for item, values in scores.items()
                    if max(values.values()) - min(values.values()) >= threshold
                ],
                recommendations={r.reviewer: r.recommendation for r in used if r.recommendation},
                comments=comments,
                overall_comments={
                    r.reviewer: r.comment.strip() for r in used if r.comment and r.comment.strip()
                },
                freshness_checked=now is not None,
            )
        )
    by_id = questionnaire.by_id
    for theme in questionnaire.themes:
        in_theme = {
            unit: values
            for unit, values in units.items()
            if unit[1] in by_id and by_id[unit[1]].theme == theme
        }
        summary.alpha_by_theme[theme] = agreement(in_theme)
        summary.sample_by_theme[theme] = sample(in_theme)
    summary.alpha_overall = agreement(units)
    summary.sample_overall = sample(units)
    summary.labels = {
        item: localized(by_id[item].item.label)
        for entry in summary.applications
        for item in entry.scores
        if item in by_id
    }
    return summary


def sample(units: Mapping[tuple[str, str], Mapping[str, int]]) -> Sample:
    """The size of the sample an agreement over ``units`` rests on."""
    paired = [unit for unit, values in units.items() if len(values) >= 2]
    applications = len({application for application, _item in paired})
    return Sample(
        units=len(paired),
        applications=applications,
        meaningful=len(paired) >= MIN_PAIRED_UNITS and applications >= MIN_PAIRED_APPLICATIONS,
    )


def agreement(units: Mapping[tuple[str, str], Mapping[str, int]]) -> float | None:
    """Krippendorff's alpha (ordinal, values 0–4) over the units; ``None`` when undefined
    (fewer than two scores on any unit, or no variation at all)."""
    paired = {unit: values for unit, values in units.items() if len(values) >= 2}
    if not paired:
        return None
    import krippendorff
    import numpy as np

    reviewers = sorted({r for values in paired.values() for r in values})
    keys = sorted(paired)
    matrix = np.full((len(reviewers), len(keys)), np.nan)
    for column, key in enumerate(keys):
        for reviewer, score in paired[key].items():
            matrix[reviewers.index(reviewer), column] = score
    try:
        # numpy warns (RuntimeWarning) on the divisions an undefined alpha makes: the
        # result is then NaN, reported as None, and the warning must not reach the output.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            alpha = krippendorff.alpha(
                reliability_data=matrix,
                level_of_measurement="ordinal",
                value_domain=[0, 1, 2, 3, 4],
            )
    except (ValueError, ZeroDivisionError):
        return None
    value = float(alpha)
    return None if math.isnan(value) else round(value, 3)

"""Reviewing: scoring an application's rubric items, and summarising reviews.

``review_application`` asks a reviewer, through the same :class:`Prompter` as the
self-assessment, for a conflict-of-interest declaration, a 0–4 score and a comment per
rubric item that applies, and a recommendation; the review is saved atomically with the
sha256 of the application it reviewed.

``summarize`` aggregates reviews per application, flags disagreements and measures the
agreement between reviewers with Krippendorff's alpha (ordinal), per theme and overall.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from aptic_qualif.application import CheckedApplication
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _, localized
from aptic_qualif.questionnaire.fill import Prompter
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.review.load import review_path
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.engine import aggregate_scores
from aptic_qualif.scoring.policy import Policy
from aptic_qualif.yamlio import atomic_write


def review_application(
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    reviewer: str,
    prompter: Prompter,
    reviews_dir: Path,
    *,
    today: date | None = None,
    force: bool = False,
) -> Path:
    """Ask for the review of ``checked`` and save it; returns the review file."""
    path = review_path(reviews_dir, checked.id, reviewer)
    if path.exists() and not force:
        raise CommandError(
            _(
                "{path} exists: this reviewer already reviewed this application; add --force "
                "to review it again"
            ).format(path=path)
        )
    prompter.say(
        _("Review of {venue} ({file}) by {reviewer}").format(
            venue=checked.venue_name, file=checked.doc.file, reviewer=reviewer
        )
    )
    conflict = prompter.select(
        _("Do you have a link with this venue (employee, volunteer, funder, relative)?"),
        [(_("No"), False), (_("Yes"), True)],
    )
    data: dict[str, Any] = {
        "application": checked.id,
        "application_sha256": checked.sha256,
        "reviewer": reviewer,
        "date": (today or date.today()).isoformat(),
        "conflict_of_interest": bool(conflict),
    }
    if conflict:
        data["conflict_details"] = prompter.text(
            _("Describe the link (the review will not count)"),
            lambda typed: None if typed.strip() else _("an answer is required"),
        ).strip()
    scores: dict[str, dict[str, Any]] = {}
    for located in questionnaire.items:
        item = located.item
        if item.scoring != "rubric" or item.id not in checked.enabled:
            continue
        answer = checked.answers.get(item.id)
        prompter.say(f"\n{localized(item.label)}")
        prompter.say(
            _("Answer: {answer}").format(
                answer=answer if answer not in (None, "") else _("(no answer)")
            )
        )
        if item.evidence is not None:
            prompter.say(
                _("Evidence expected: {evidence}").format(evidence=localized(item.evidence))
            )
        steps = [
            (f"{step.score} — {localized(step.description)}", step.score)
            for step in item.rubric or ()
        ]
        score = prompter.select(_("Score (0 to 4)"), steps)
        comment = prompter.text(_("Comment (Enter to skip)"), lambda _typed: None).strip()
        entry: dict[str, Any] = {"score": int(score)}
        if comment:
            entry["comment"] = comment
        scores[item.id] = entry
    data["scores"] = scores
    data["recommendation"] = prompter.select(
        _("Recommendation"),
        [
            (_("qualify"), "qualifier"),
            (_("to complete"), "a-completer"),
            (_("do not qualify"), "ne-pas-qualifier"),
        ],
    )
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    atomic_write(path, text, force=True)
    return path


@dataclass
class ApplicationSummary:
    application: str
    reviewers: list[str]
    stale: list[str]
    conflicted: list[str]
    scores: dict[str, dict[str, int]]
    """Per item, each reviewer's score."""
    aggregated: dict[str, float]
    disagreements: list[str]
    recommendations: dict[str, str]


@dataclass
class Summary:
    applications: list[ApplicationSummary] = field(default_factory=list)
    alpha_by_theme: dict[str, float | None] = field(default_factory=dict)
    alpha_overall: float | None = None
    method: str = "median"


def summarize(
    reviews: Iterable[Review],
    questionnaire: LoadedQuestionnaire,
    policy: Policy | None,
    current_sha256: Mapping[str, str] | None = None,
) -> Summary:
    """Aggregate per application and measure agreement.

    ``current_sha256`` maps application ids to the digest of their current file: reviews
    of another version are stale and left out. Conflicted reviews are left out too.
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
        used, stale, conflicted = [], [], []
        for review in sorted(by_application[application], key=lambda r: r.reviewer):
            sha = (current_sha256 or {}).get(application)
            if sha is not None and review.application_sha256 != sha:
                stale.append(review.reviewer)
            elif review.conflict_of_interest:
                conflicted.append(review.reviewer)
            else:
                used.append(review)
        scores: dict[str, dict[str, int]] = {}
        for review in used:
            for item, score in review.scores.items():
                scores.setdefault(item, {})[review.reviewer] = score.score
        scores = {item: dict(sorted(scores[item].items())) for item in sorted(scores)}
        for item, by_reviewer in scores.items():
            units[(application, item)] = by_reviewer
        summary.applications.append(
            ApplicationSummary(
                application=application,
                reviewers=[r.reviewer for r in used],
                stale=stale,
                conflicted=conflicted,
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
            )
        )
    by_id = questionnaire.by_id
    themes = list(questionnaire.themes)
    for theme in themes:
        summary.alpha_by_theme[theme] = agreement(
            {
                unit: values
                for unit, values in units.items()
                if unit[1] in by_id and by_id[unit[1]].theme == theme
            }
        )
    summary.alpha_overall = agreement(units)
    return summary


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
        alpha = krippendorff.alpha(
            reliability_data=matrix, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3, 4]
        )
    except (ValueError, ZeroDivisionError):
        return None
    value = float(alpha)
    return None if math.isnan(value) else round(value, 3)

"""The scoring engine: a pure function of (catalogue, questionnaire, policy, application,
reviews) to an :class:`~aptic_qualif.scoring.model.Assessment`.

The questionnaire and the policy are compiled once into a :class:`Scorer` (maximum
points, weights, knock-outs per item), so that scoring many applications costs little
more than reading them. Every point is explained by the item and answer that gave it.

Counting rules:

* an item that does not apply (``enable_when``) or whose answer is "not concerned"
  (an option marked ``not_applicable``) leaves both the points and the maximum;
* an item that applies but is not answered counts 0 out of its maximum;
* a reviewer-rated item counts the aggregated score (0–4) of its fresh, non-conflicted
  reviews; without any it is pending and left out of the theme until reviewed.
"""

from __future__ import annotations

import calendar
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.diagnostics import Diagnostic
from aptic_qualif.formats import number as format_number
from aptic_qualif.formats import percent, quoted
from aptic_qualif.i18n import _, language, localized, ngettext
from aptic_qualif.questionnaire.conditions import holds, is_answered
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import RECURRING_TYPES, Item, answer_key
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.review.fingerprint import fingerprint, unsupported_claims
from aptic_qualif.review.model import Review
from aptic_qualif.review.select import select_reviews
from aptic_qualif.scoring.model import (
    Advice,
    Assessment,
    CopyMatch,
    Disagreement,
    KnockoutHit,
    Overall,
    PointLine,
    PracticeFloor,
    RequirementHit,
    ReviewComment,
    ReviewUse,
    Source,
    StaleReview,
    ThemeResult,
    ToComplete,
)
from aptic_qualif.scoring.policy import Decision, Knockout, Policy, Requirement

RUBRIC_MAX = 4.0
_KEPT_MOST = 20_000
"""The most contributions kept: a batch's distinct answers to choice items are far fewer."""


def _round(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass(frozen=True)
class CompiledItem:
    located: LocatedItem
    weight: float
    max: float

    @property
    def item(self) -> Item:
        return self.located.item


class Scorer:
    """A questionnaire and a policy compiled for scoring."""

    def __init__(
        self,
        catalogue: Catalogue,
        questionnaire: LoadedQuestionnaire,
        policy: Policy,
        *,
        form_hints: bool = False,
    ) -> None:
        self.catalogue = catalogue
        self.form_hints = form_hints
        """Tell how to fix a problem as a person answering in a form does (``serve``), not
        as one editing the file (:attr:`~aptic_qualif.diagnostics.Diagnostic.form_hint`)."""
        self.questionnaire = questionnaire
        self.policy = policy
        self.items: dict[str, list[CompiledItem]] = {theme: [] for theme in questionnaire.themes}
        for located in questionnaire.items:
            item = located.item
            if located.is_identity or item.scoring == "none":
                continue
            weight = policy.item_weights.get(item.id, 1.0)
            self.items[located.theme].append(CompiledItem(located, weight, self.item_max(item)))
        self.service_levels = {s.id: s.level for s in catalogue.services.values()}
        self._identity_ids = frozenset(i.id for i in questionnaire.identity)
        self._contributions: dict[tuple[object, ...], tuple[float, float, Source, str]] = {}

    def item_max(self, item: Item) -> float:
        """The most points an item can give, before its weight."""
        if item.scoring == "rubric":
            return RUBRIC_MAX
        if item.type == "boolean":
            return max(item.points_if_true or 0.0, 0.0)
        if item.type == "single_choice":
            return max((o.points or 0.0 for o in item.options or ()), default=0.0)
        if item.type == "multiple_choice":
            total = sum(max(o.points or 0.0, 0.0) for o in item.options or ())
            return min(total, item.max_points) if item.max_points is not None else total
        if item.type in {"integer", "decimal"}:
            return max((b.points for b in item.brackets or ()), default=0.0)
        if item.type == "services" and item.services_points is not None:
            rule = item.services_points
            offered = [
                s
                for s in self.catalogue.services.values()
                if s.active and (item.levels is None or s.level in item.levels)
            ]
            levels = {s.level for s in offered if s.id not in rule.level_excludes}
            total = rule.per_service * len(offered) + rule.per_level * len(levels)
            return min(total, rule.max) if rule.max is not None else total
        return 0.0

    # -- points of one answer -------------------------------------------------------

    def points(self, item: Item, answer: Any) -> tuple[float, str]:
        """Points of an answer to an item scored from the answer, and how they came."""
        if item.type == "boolean":
            points = (item.points_if_true or 0.0) if answer is True else 0.0
            return points, _("yes") if answer else _("no")
        if item.type == "single_choice":
            option = next((o for o in item.options or () if o.value == answer), None)
            return (option.points or 0.0 if option else 0.0), localized(
                option.label
            ) if option else ""
        if item.type == "multiple_choice":
            chosen = [o for o in item.options or () if o.value in (answer or [])]
            total = sum(o.points or 0.0 for o in chosen)
            detail = ", ".join(localized(o.label) for o in chosen)
            if item.max_points is not None and total > item.max_points:
                total = item.max_points
                detail += " " + _("(capped at {max})").format(max=format_number(item.max_points))
            return total, detail
        if item.type in {"integer", "decimal"}:
            brackets = item.brackets or []
            reached = [b for b in brackets if answer >= b.min]
            if not reached:
                first = format_number(brackets[0].min) if brackets else "0"
                return 0.0, _("below the first bracket ({min})").format(min=first)
            best = reached[-1]
            return best.points, _("bracket from {min}").format(min=format_number(best.min))
        if item.type == "services" and item.services_points is not None:
            rule = item.services_points
            services = [
                s
                for s in answer or ()
                if s in self.service_levels
                and self.catalogue.services[s].active
                and (item.levels is None or self.service_levels[s] in item.levels)
            ]
            levels = {self.service_levels[s] for s in services if s not in rule.level_excludes}
            total = rule.per_service * len(services) + rule.per_level * len(levels)
            detail = _("{services} in {levels}").format(
                services=ngettext("{n} service", "{n} services", len(services)).format(
                    n=len(services)
                ),
                levels=ngettext("{n} level", "{n} levels", len(levels)).format(n=len(levels)),
            )
            if rule.max is not None and total > rule.max:
                total = rule.max
                detail += " " + _("(capped at {max})").format(max=format_number(rule.max))
            return total, detail
        return 0.0, ""

    # -- the whole assessment ----------------------------------------------------

    def assess(
        self,
        checked: CheckedApplication,
        reviews: Iterable[Review] = (),
        *,
        copies: Sequence[CopyMatch] = (),
    ) -> Assessment:
        """The decision on ``checked`` under the policy, given its reviews and the written
        answers of it near-identical to another application's (``copies``: its matches
        from :func:`~aptic_qualif.review.copies.find_copies` over the whole folder)."""
        policy = self.policy
        settings = policy.reviews
        fresh, use = self._select_reviews(reviews, checked)
        scores = _scores_by_item(fresh)
        aggregated, disagreements = _aggregate(scores, policy)
        against = sum(1 for r in fresh if r.recommendation == "ne-pas-qualifier")
        advised_against = (against, len(fresh)) if 2 * against > len(fresh) else None
        matches = self._copies(copies, fresh)
        unsupported = unsupported_claims(checked, self.questionnaire, fresh)
        outcome = self._evaluate(
            checked,
            aggregated,
            advised_against=advised_against,
            copies=matches,
            unsupported=unsupported,
        )
        decisive: list[str] = []
        if settings.further_review_when_decisive and disagreements and not outcome.blocked:
            # Would the reviewers' scores, read one way or the other, decide differently?
            low = dict(aggregated)
            high = dict(aggregated)
            for disagreement in disagreements:
                low[disagreement.item] = float(min(disagreement.scores.values()))
                high[disagreement.item] = float(max(disagreement.scores.values()))
            low_decision = self._evaluate(
                checked, low, copies=matches, unsupported=unsupported
            ).decision
            high_decision = self._evaluate(
                checked, high, copies=matches, unsupported=unsupported
            ).decision
            if low_decision != high_decision:
                decisive = [d.item for d in disagreements]
                outcome = self._evaluate(
                    checked,
                    aggregated,
                    decisive=decisive,
                    advised_against=advised_against,
                    copies=matches,
                    unsupported=unsupported,
                )
        by_id = self.questionnaire.by_id
        comments = [
            ReviewComment(
                reviewer=review.reviewer,
                item=item,
                label=localized(by_id[item].item.label) if item in by_id else item,
                score=score.score,
                comment=score.comment.strip(),
            )
            for review in fresh
            for item, score in review.scores.items()
            if score.comment and score.comment.strip()
        ] + [
            ReviewComment(reviewer=review.reviewer, comment=review.comment.strip())
            for review in fresh
            if review.comment and review.comment.strip()
        ]
        use = ReviewUse(
            used=use.used,
            stale=use.stale,
            conflicted=use.conflicted,
            drafts=use.drafts,
            disagreements=disagreements,
            decisive=decisive,
            comments=comments,
            recommendations={r.reviewer: r.recommendation for r in fresh if r.recommendation},
        )
        by_level: dict[str, list[str]] = {level: [] for level in self.catalogue.levels}
        for located in self.questionnaire.items:
            if located.item.type == "services":
                for service in checked.answers.get(located.id) or ():
                    level = self.service_levels.get(service)
                    if level is not None and service not in by_level[level]:
                        by_level[level].append(service)
        when = checked.date
        valid_until = renew_from = complete_by = None
        if when is not None and policy.validity is not None:
            if outcome.decision == "qualifie":
                end = _add_months(when, policy.validity.months) - timedelta(days=1)
                valid_until = end.isoformat()
                renew_from = _add_months(
                    when, policy.validity.months - policy.validity.renew_before_months
                ).isoformat()
            elif outcome.decision == "a-completer" and policy.validity.complete_within_days:
                complete_by = (
                    when + timedelta(days=policy.validity.complete_within_days)
                ).isoformat()
        return Assessment(
            application=checked.id,
            file=checked.doc.file,
            venue=checked.venue_name,
            questionnaire=self.questionnaire.reference,
            policy=f"{policy.id}@{policy.version}",
            referentiel=f"{self.catalogue.scheme.id}@{self.catalogue.version}",
            date=when.isoformat() if when is not None else None,
            decision=outcome.decision,
            reasons=outcome.reasons,
            themes=outcome.themes,
            overall=outcome.overall,
            practice=outcome.practice,
            valid_until=valid_until,
            renew_from=renew_from,
            complete_by=complete_by,
            knockouts=outcome.knockouts,
            requirements=outcome.requirements,
            to_complete=outcome.to_complete,
            services_by_level=by_level,
            evidence={key: list(value) for key, value in sorted(checked.evidence.items())},
            reviews=use,
            lines=outcome.lines,
            diagnostics=[d.to_json() for d in checked.report.sorted()],
            copies=matches,
        )

    def _copies(self, copies: Sequence[CopyMatch], fresh: Sequence[Review]) -> list[CopyMatch]:
        """The matches with the labels of their items, each marked examined when a fresh
        review (``fresh``) says its reviewer examined the other application."""
        examined = {other for review in fresh for other in review.copies_examined}
        by_id = self.questionnaire.by_id

        def label(item: str) -> str:
            return localized(by_id[item].item.label) if item in by_id else item

        return [
            match.model_copy(
                update={
                    "label": label(match.item),
                    "other_label": label(match.other_item),
                    "examined": match.other in examined,
                }
            )
            for match in copies
        ]

    def _select_reviews(
        self, reviews: Iterable[Review], checked: CheckedApplication
    ) -> tuple[list[Review], ReviewUse]:
        """The reviews of ``checked`` that count (:func:`~aptic_qualif.review.select.
        select_reviews`): finished, fresh and without a conflict of interest."""
        own = [review for review in reviews if review.application == checked.id]
        # the fingerprint (every answer hashed) only tells the fresh reviews from the stale
        current = fingerprint(checked, self.questionnaire) if own else None
        selection = select_reviews(own, current, self.questionnaire)
        return selection.used, ReviewUse(
            used=[review.reviewer for review in selection.used],
            stale=[
                StaleReview(reviewer=reviewer, changes=changed)
                for reviewer, changed in selection.stale.items()
            ],
            conflicted=selection.conflicted,
            drafts=selection.drafts,
        )

    def _evaluate(
        self,
        checked: CheckedApplication,
        aggregated: Mapping[str, float],
        *,
        decisive: Sequence[str] = (),
        advised_against: tuple[int, int] | None = None,
        copies: Sequence[CopyMatch] = (),
        unsupported: frozenset[str] | set[str] = frozenset(),
    ) -> _Outcome:
        """Points, gates and decision for given aggregated reviewer scores; ``advised_against``
        is (reviews recommending not to qualify, reviews used) when they are a majority."""
        policy = self.policy
        answers = checked.answers
        lines: list[PointLine] = []
        exact: dict[str, float] = {}
        totals: dict[str, tuple[float, float]] = {}
        pending_all: list[str] = []
        pending_by_theme: dict[str, list[str]] = {}
        for theme_id, compiled in self.items.items():
            points = maximum = 0.0
            pending: list[str] = []
            for entry in compiled:
                line = self._line(entry, answers, checked.enabled, aggregated, unsupported)
                lines.append(line)
                if line.source == "pending_review":
                    pending.append(entry.item.id)
                if line.source in {"answer", "reviews", "unanswered", "unsupported"}:
                    points += line.points
                    maximum += line.max
            exact[theme_id] = 100.0 * points / maximum if maximum else 100.0
            totals[theme_id] = (points, maximum)
            pending_by_theme[theme_id] = pending
            pending_all.extend(pending)
        passed = {theme: self._theme_passes(theme, exact[theme]) for theme in exact}
        overall_exact = self.overall_percentage(
            {theme: self._counted(theme, exact[theme], totals[theme][1]) for theme in exact}
        )
        overall = Overall(
            percentage=floor_percentage(overall_exact),
            threshold=policy.overall_threshold,
            passed=overall_exact + EPSILON >= policy.overall_threshold,
        )
        practice = self._practice(checked, aggregated)
        knockouts = self._knockouts(checked)
        requirements = self._requirements(checked)
        to_complete = self._to_complete(checked)
        identity_invalid = any(by_key.item in self._identity_ids for by_key in to_complete)
        optimistic = self._optimistic(lines, checked)
        failing_themes = [t for t in exact if not passed[t]]
        thresholds_met = not failing_themes and overall.passed
        practice_ok = all(f.passed for f in practice)
        facts = {
            "knockout": bool(knockouts),
            "identity_invalid": identity_invalid,
            "incomplete": bool(to_complete),
            # A requirement makes the application « to complete » only when meeting it could
            # qualify the venue; otherwise it is listed, and the thresholds decide.
            "requirements_unmet": bool(requirements)
            and optimistic
            and (bool(pending_all) or practice_ok),
            # Reviews are awaited only when they can still change the outcome.
            "pending_review": (bool(pending_all) and optimistic) or bool(decisive),
            # A possible copy is awaited only while the application could still qualify.
            "copy_unconfirmed": bool(unconfirmed_copies(copies)) and optimistic and practice_ok,
            "practice_below_floor": not pending_all and not practice_ok,
            # The reviewers' recommendation counts: the scores qualify, a majority of the
            # reviewers advise against, the coordinator arbitrates.
            "reviewers_advise_against": advised_against is not None
            and thresholds_met
            and not pending_all
            and practice_ok,
            "thresholds_met": thresholds_met and not pending_all and practice_ok,
            "thresholds_missed": not optimistic or (not pending_all and not thresholds_met),
            "always": True,
        }
        decision: Decision = "non-qualifie"
        when = "always"
        for rule in policy.rules:
            if facts[rule.when]:
                decision, when = rule.decision, rule.when
                break
        themes = []
        advise_all = decision != "qualifie" and not failing_themes
        for theme_id in self.items:
            theme = self.questionnaire.themes[theme_id]
            points, maximum = totals[theme_id]
            theme_lines = [line for line in lines if line.theme == theme_id]
            wants_advice = decision != "qualifie" and (
                theme_id in failing_themes
                or advise_all
                or any(f.scope == "theme" and f.id == theme_id and not f.passed for f in practice)
            )
            themes.append(
                ThemeResult(
                    theme=theme_id,
                    title=localized(theme.title),
                    points=_round(points),
                    max=_round(maximum),
                    percentage=floor_percentage(exact[theme_id])
                    if self._counted(theme_id, exact[theme_id], maximum) is not None
                    else 0.0,
                    threshold=0.0
                    if theme_id in policy.bonus_themes
                    else policy.theme_thresholds.get(theme_id, 0.0),
                    passed=passed[theme_id],
                    bonus=theme_id in policy.bonus_themes,
                    pending=pending_by_theme[theme_id],
                    advice=self._advice(theme_lines, practice) if wants_advice else [],
                )
            )
        reasons = self._reasons(
            when,
            knockouts=knockouts,
            to_complete=to_complete,
            requirements=requirements,
            pending=pending_all,
            decisive=decisive,
            practice=practice,
            themes=themes,
            overall=overall,
            advised_against=advised_against,
            copies=copies,
        )
        return _Outcome(
            decision=decision,
            reasons=reasons,
            themes=themes,
            overall=overall,
            practice=practice,
            knockouts=knockouts,
            requirements=requirements,
            to_complete=to_complete,
            lines=lines,
            blocked=when in {"knockout", "identity_invalid", "incomplete", "requirements_unmet"},
        )

    def _theme_passes(self, theme: str, percentage: float) -> bool:
        if theme in self.policy.bonus_themes:
            return True
        return percentage + EPSILON >= self.policy.theme_thresholds.get(theme, 0.0)

    def overall_percentage(self, percentages: Mapping[str, float | None]) -> float:
        """The overall percentage from each theme's: the weighted mean of the themes; bonus
        themes count only when they raise it. A theme given ``None`` (a bonus theme the venue
        chose not to present: nothing in it applies) is left out."""
        given = {theme: value for theme, value in percentages.items() if value is not None}
        return self._overall(given)

    def _overall(self, percentages: Mapping[str, float]) -> float:
        weights = {theme: self.policy.theme_weights.get(theme, 1.0) for theme in percentages}

        def mean(themes: list[str]) -> float:
            total = sum(weights[t] for t in themes)
            return sum(percentages[t] * weights[t] for t in themes) / total if total else 0.0

        core = [t for t in percentages if t not in self.policy.bonus_themes]
        everything = list(percentages)
        if len(core) == len(everything):
            return mean(everything)
        return max(mean(core), mean(everything))

    def _optimistic(self, lines: list[PointLine], checked: CheckedApplication) -> bool:
        """Whether every threshold and floor would be met with every pending item at 4/4."""
        totals: dict[str, list[float]] = {theme: [0.0, 0.0] for theme in self.items}
        for line in lines:
            if line.source == "not_applicable":
                continue
            gained = line.max if line.source == "pending_review" else line.points
            totals[line.theme][0] += gained
            totals[line.theme][1] += line.max
        percentages = {
            theme: 100.0 * points / maximum if maximum else 100.0
            for theme, (points, maximum) in totals.items()
        }
        themes_ok = all(self._theme_passes(theme, percentages[theme]) for theme in percentages)
        counted = {
            theme: self._counted(theme, percentages[theme], totals[theme][1])
            for theme in percentages
        }
        return (
            themes_ok
            and self.overall_percentage(counted) + EPSILON >= self.policy.overall_threshold
        )

    def _counted(self, theme: str, percentage: float, maximum: float) -> float | None:
        """A theme's percentage as the overall score counts it: ``None`` for a bonus theme
        in which nothing applies (the venue did not present it), never a free 100 %."""
        if maximum == 0 and theme in self.policy.bonus_themes:
            return None
        return percentage

    def rubric_items(self, checked: CheckedApplication) -> list[CompiledItem]:
        """The reviewer-rated items that apply to ``checked``."""
        return [
            entry
            for compiled in self.items.values()
            for entry in compiled
            if entry.item.scoring == "rubric" and entry.item.id in checked.enabled
        ]

    def _practice(
        self, checked: CheckedApplication, aggregated: Mapping[str, float]
    ) -> list[PracticeFloor]:
        """Each practice floor of the policy, against the reviewers' scores."""
        return self.practice_floors({e.item.id for e in self.rubric_items(checked)}, aggregated)

    def practice_floors(
        self, applying: Iterable[str], aggregated: Mapping[str, float]
    ) -> list[PracticeFloor]:
        """Each practice floor of the policy that concerns the rubric items ``applying``,
        against the reviewers' ``aggregated`` scores (an item without a score is awaited)."""
        floors = self.policy.practice
        wanted = set(applying)
        rated = [
            entry
            for compiled in self.items.values()
            for entry in compiled
            if entry.item.scoring == "rubric" and entry.item.id in wanted
        ]
        result: list[PracticeFloor] = []

        def mean(entries: list[CompiledItem]) -> float | None:
            scores = [aggregated[e.item.id] for e in entries if e.item.id in aggregated]
            return round(statistics.fmean(scores), 2) if scores else None

        core = [e for e in rated if e.located.theme not in self.policy.bonus_themes]
        if floors.overall is not None and core:
            score = mean(core)
            result.append(
                PracticeFloor(
                    scope="overall",
                    id="",
                    label=_("the answers rated by reviewers, bonus themes aside"),
                    minimum=floors.overall,
                    score=score,
                    passed=score is None or score + EPSILON >= floors.overall,
                )
            )
        for theme_id, minimum in floors.themes.items():
            entries = [e for e in rated if e.located.theme == theme_id]
            if not entries or theme_id not in self.questionnaire.themes:
                continue
            score = mean(entries)
            result.append(
                PracticeFloor(
                    scope="theme",
                    id=theme_id,
                    label=localized(self.questionnaire.themes[theme_id].title),
                    minimum=minimum,
                    score=score,
                    passed=score is None or score + EPSILON >= minimum,
                )
            )
        for item_id, minimum in floors.items.items():
            entry = next((e for e in rated if e.item.id == item_id), None)
            if entry is None:
                continue
            score = aggregated.get(item_id)
            result.append(
                PracticeFloor(
                    scope="item",
                    id=item_id,
                    label=localized(entry.item.label),
                    minimum=minimum,
                    score=score,
                    passed=score is None or score + EPSILON >= minimum,
                )
            )
        return result

    def _line(
        self,
        entry: CompiledItem,
        answers: Mapping[str, Any],
        enabled: set[str],
        aggregated: Mapping[str, float],
        unsupported: frozenset[str] | set[str] = frozenset(),
    ) -> PointLine:
        item = entry.item
        base = {
            "item": item.id,
            "theme": entry.located.theme,
            "label": localized(item.label),
            "weight": entry.weight,
        }
        answer = answers.get(item.id)
        weighted_max = _round(entry.max * entry.weight)
        if item.id not in enabled:
            return PointLine(
                **base,
                answer=None,
                points=0,
                max=0,
                source="not_applicable",
                detail=_("does not apply"),
            )
        if item.scoring == "rubric":
            if item.id not in aggregated:
                return PointLine(
                    **base,
                    answer=answer,
                    points=0,
                    max=weighted_max,
                    source="pending_review",
                    detail=_("awaiting review"),
                )
            score = aggregated[item.id]
            return PointLine(
                **base,
                answer=answer,
                points=_round(score * entry.weight),
                max=weighted_max,
                source="reviews",
                detail=_("reviewers' score {score}/4").format(score=format_number(score)),
            )
        points, maximum, source, detail = self.contribution(entry, answer)
        if item.id in unsupported and source == "answer":
            # The reviewers found the claim unsupported by the evidence the venue sent.
            return PointLine(
                **base,
                answer=answer,
                points=0,
                max=maximum,
                source="unsupported",
                detail=_(
                    "not supported by the evidence sent, for most reviewers ({detail})"
                ).format(detail=detail),
            )
        return PointLine(
            **base,
            answer=answer if source != "unanswered" else None,
            points=points,
            max=maximum,
            source=source,
            detail=detail,
        )

    def contribution(self, entry: CompiledItem, answer: Any) -> tuple[float, float, Source, str]:
        """How a self-declared answer to an item that applies counts: weighted points,
        weighted maximum, source and detail. Unanswered, it counts 0 out of its maximum;
        a "not concerned" option takes the item out of the maximum.

        The same choices recur from one application to the next: each answer to a
        choice, a yes-no or a number item is counted once per language."""
        if entry.item.type not in RECURRING_TYPES:
            return self._contribution(entry, answer)
        key = (entry.item.id, language(), *answer_key(answer))
        try:
            return self._contributions[key]
        except KeyError:
            found = self._contribution(entry, answer)
            if len(self._contributions) < _KEPT_MOST:
                self._contributions[key] = found
            return found
        except TypeError:  # an answer of the wrong shape (a mapping…): counted each time
            return self._contribution(entry, answer)

    def _contribution(self, entry: CompiledItem, answer: Any) -> tuple[float, float, Source, str]:
        item = entry.item
        weighted_max = _round(entry.max * entry.weight)
        if not is_answered(answer):
            return 0.0, weighted_max, "unanswered", _("not answered")
        if item.type == "single_choice":
            option = next((o for o in item.options or () if o.value == answer), None)
            if option is not None and option.not_applicable:
                return 0.0, 0.0, "not_applicable", localized(option.label)
        points, detail = self.points(item, answer)
        return _round(points * entry.weight), weighted_max, "answer", detail

    def _advice(self, lines: list[PointLine], practice: list[PracticeFloor]) -> list[Advice]:
        """Where the theme lost the most points, what the venue could put in place.

        Only items that say how to progress give advice: never « tick this box »."""
        below = {f.id for f in practice if f.scope == "item" and not f.passed}
        gaps = sorted(
            (
                line
                for line in lines
                if line.max - line.points > 0
                and line.source in {"answer", "unanswered", "reviews", "unsupported"}
            ),
            key=lambda line: (line.item not in below, -(line.max - line.points), line.item),
        )
        advice = []
        for line in gaps:
            item = self.questionnaire.by_id[line.item].item
            text = _progress_text(item, line)
            if not text or item.situation:
                continue
            advice.append(
                Advice(
                    item=line.item,
                    label=line.label,
                    gain=_round(line.max - line.points),
                    text=text,
                )
            )
            if len(advice) == 3:
                break
        return advice

    def _knockouts(self, checked: CheckedApplication) -> list[KnockoutHit]:
        hits = []
        invalid_identity = any(key in self._identity_ids for key in checked.invalid)
        for knockout in self.policy.knockouts:
            applies = False
            if knockout.invalid_identity:
                applies = invalid_identity
            elif knockout.venue_closed:
                applies = checked.application.closure is not None
            elif knockout.item is not None and knockout.item in checked.enabled:
                applies = knockout_applies(knockout, checked.answers.get(knockout.item))
            if applies:
                hits.append(
                    KnockoutHit(
                        id=knockout.id, item=knockout.item, reason=localized(knockout.reason)
                    )
                )
        return hits

    def _requirements(self, checked: CheckedApplication) -> list[RequirementHit]:
        hits = []
        by_id = self.questionnaire.by_id
        for requirement in self.policy.requirements:
            if requirement.item not in checked.enabled or requirement.item not in by_id:
                continue
            if not requirement_unmet(requirement, checked.answers.get(requirement.item)):
                continue
            hits.append(
                RequirementHit(
                    id=requirement.id,
                    item=requirement.item,
                    label=localized(by_id[requirement.item].item.label),
                    reason=localized(requirement.reason),
                )
            )
        return hits

    def _hint(self, diagnostic: Diagnostic) -> str | None:
        return diagnostic.hint_in_a_form if self.form_hints else diagnostic.hint

    def _to_complete(self, checked: CheckedApplication) -> list[ToComplete]:
        """Required answers missing, invalid answers (identity included, with how to fix
        them), and any other error of the file."""
        by_id = self.questionnaire.by_id
        found = [
            ToComplete(
                item=key,
                label=localized(by_id[key].item.label),
                reason=_("required answer missing"),
                fix=localized(by_id[key].item.help) if by_id[key].item.help else "",
            )
            for key in checked.missing
        ]
        covered: set[int] = set()
        for key in sorted(checked.invalid, key=lambda k: by_id[k].order):
            problems = checked.invalid[key]
            covered.update(id(p) for p in problems)
            first = problems[0] if problems else None
            found.append(
                ToComplete(
                    item=key,
                    label=localized(by_id[key].item.label),
                    reason=first.message if first else "",
                    fix=(self._hint(first) or "") if first else "",
                )
            )
        for diagnostic in checked.report.sorted():
            if (
                diagnostic.severity == "error"
                and diagnostic.code != "APP005"
                and (id(diagnostic) not in covered)
            ):
                found.append(
                    ToComplete(
                        item="",
                        label="",
                        reason=diagnostic.message,
                        fix=self._hint(diagnostic) or "",
                    )
                )
        return found

    def _reasons(
        self,
        when: str,
        *,
        knockouts: list[KnockoutHit],
        to_complete: list[ToComplete],
        requirements: list[RequirementHit],
        pending: list[str],
        decisive: Sequence[str],
        practice: list[PracticeFloor],
        themes: list[ThemeResult],
        overall: Overall,
        advised_against: tuple[int, int] | None = None,
        copies: Sequence[CopyMatch] = (),
    ) -> list[str]:
        """Why, in plain words: what decided, then what the venue can do about it."""
        by_id = self.questionnaire.by_id

        def label(item: str) -> str:
            return quoted(localized(by_id[item].item.label)) if item in by_id else item

        if when == "knockout":
            return [k.reason for k in knockouts]
        if when in {"identity_invalid", "incomplete"}:
            reasons = []
            for entry in to_complete:
                where = f"{label(entry.item)} : " if entry.item else ""
                fix = f" — {entry.fix}" if entry.fix else ""
                reasons.append(f"{where}{entry.reason}{fix}")
            return reasons
        if when == "requirements_unmet":
            return [r.reason for r in requirements]
        if when == "copy_unconfirmed":
            return [copy_reason(match) for match in unconfirmed_copies(copies)]
        if when == "pending_review":
            if decisive:
                return [
                    _(
                        "the reviewers disagree on {items} and their disagreement changes the "
                        "decision: a further review is needed"
                    ).format(items=", ".join(label(i) for i in decisive))
                ]
            needed = self.policy.reviews.minimum_reviewers
            return [
                ngettext(
                    "awaiting review: each answer rated by reviewers needs {n} reviewer; "
                    "still to review: {items}",
                    "awaiting review: each answer rated by reviewers needs {n} reviewers; "
                    "still to review: {items}",
                    needed,
                ).format(n=needed, items=", ".join(label(i) for i in pending))
            ]
        reasons = []
        for floor in practice:
            if floor.passed or floor.score is None:
                continue
            reasons.append(
                _(
                    "practice as the reviewers judged it — {scope}: {score}/4, below the "
                    "minimum of {minimum}/4"
                ).format(
                    scope=floor.label,
                    score=format_number(floor.score),
                    minimum=format_number(floor.minimum),
                )
            )
        for theme in themes:
            if not theme.passed:
                reasons.append(
                    _("{theme}: {percentage} %, below the threshold of {threshold} %").format(
                        theme=theme.title,
                        percentage=format_number(theme.percentage),
                        threshold=format_number(theme.threshold),
                    )
                )
        if not overall.passed:
            reasons.append(
                _("overall score: {percentage} %, below the threshold of {threshold} %").format(
                    percentage=format_number(overall.percentage),
                    threshold=format_number(overall.threshold),
                )
            )
        if when == "reviewers_advise_against" and advised_against is not None:
            against, used = advised_against
            reasons.append(
                ngettext(
                    "the scores reach every minimum and threshold, but {against} of the {used} "
                    "reviewer recommends not qualifying the venue: the coordinator arbitrates (a "
                    "further reviewer, or the reviewers revising their scores or their "
                    "recommendation)",
                    "the scores reach every minimum and threshold, but {against} of the {used} "
                    "reviewers recommend not qualifying the venue: the coordinator arbitrates (a "
                    "further reviewer, or the reviewers revising their scores or their "
                    "recommendation)",
                    against,
                ).format(against=against, used=used)
            )
        if when == "thresholds_met":
            reasons.append(
                _(
                    "the practice the reviewers judged reaches every minimum, and every theme "
                    "and the overall score reach their thresholds"
                )
            )
        return reasons


@dataclass(frozen=True)
class _Outcome:
    decision: Decision
    reasons: list[str]
    themes: list[ThemeResult]
    overall: Overall
    practice: list[PracticeFloor]
    knockouts: list[KnockoutHit]
    requirements: list[RequirementHit]
    to_complete: list[ToComplete]
    lines: list[PointLine]
    blocked: bool
    """Decided before the reviews matter (knock-out, something to correct or complete)."""


EPSILON = 1e-9


def floor_percentage(value: float) -> float:
    """A percentage rounded down to one decimal: never shown across a threshold."""
    return math.floor((value + EPSILON) * 10) / 10


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _progress_text(item: Item, line: PointLine) -> str:
    """« Comment progresser » for an item that lost points, or ``""``."""
    text = localized(item.progress) if item.progress is not None else ""
    if item.scoring == "rubric" and line.source == "reviews":
        reached = int(line.points / line.weight) if line.weight else 0
        step = next((s for s in item.rubric or () if s.score == min(reached + 1, 4)), None)
        if step is not None and step.score > reached:
            next_step = _("next step of the rubric ({score}/4): {step}").format(
                score=step.score, step=localized(step.description)
            )
            return f"{next_step} {text}".strip()
    return text


def unconfirmed_copies(copies: Iterable[CopyMatch]) -> list[CopyMatch]:
    """The possible copies still to examine: not between venues of one organisation, and
    not examined by a fresh review."""
    return [m for m in copies if not m.same_organisation and not m.examined]


def copy_reason(match: CopyMatch) -> str:
    """Why a possible copy keeps the application awaiting review. The other application is
    named by its id: a reviewer may read this, and reviews blind."""
    if match.passage and match.item == match.other_item:
        return _(
            "possible copy: a passage of {words} words of the answer to « {label} » is the same "
            "as in application {other}'s answer to the same question; a reviewer must examine "
            "both and confirm it in a review"
        ).format(label=match.label or match.item, words=match.passage, other=match.other)
    if match.passage:
        return _(
            "possible copy: a passage of {words} words of the answer to « {label} » is the same "
            "as in the answer to « {other_label} » of application {other}; a reviewer must "
            "examine both and confirm it in a review"
        ).format(
            label=match.label or match.item,
            words=match.passage,
            other_label=match.other_label or match.other_item,
            other=match.other,
        )
    if match.item == match.other_item:
        return _(
            "possible copy: the answer to “{label}” is {similarity} similar to application "
            "{other}'s answer to the same question; a reviewer must examine both and confirm it "
            "in a review"
        ).format(
            label=match.label or match.item,
            similarity=percent(percent_of(match.similarity)),
            other=match.other,
        )
    return _(
        "possible copy: the answer to “{label}” is {similarity} similar to the answer to "
        "“{other_label}” of application {other}; a reviewer must examine both and confirm "
        "it in a review"
    ).format(
        label=match.label or match.item,
        similarity=percent(percent_of(match.similarity)),
        other_label=match.other_label or match.other_item,
        other=match.other,
    )


def percent_of(similarity: float) -> float:
    """A similarity (0–1) as a percentage rounded down to a whole number: a pair at 0.995
    is not shown as 100 %."""
    return float(math.floor(similarity * 100 + EPSILON))


def knockout_applies(knockout: Knockout, answer: Any) -> bool:
    """Whether ``answer``, to the knock-out's item (which applies), excludes qualification.
    An unanswered item never does: it is to complete (a knock-out on « not open to
    everyone » must not refuse a venue that has not answered yet)."""
    return (
        knockout.condition is not None and is_answered(answer) and holds(knockout.condition, answer)
    )


def requirement_unmet(requirement: Requirement, answer: Any) -> bool:
    """Whether ``answer``, to the requirement's item (which applies), leaves it unmet: an
    unanswered item leaves it unmet."""
    return not is_answered(answer) or holds(requirement.condition, answer)


def _scores_by_item(reviews: Iterable[Review]) -> dict[str, dict[str, int]]:
    by_item: dict[str, dict[str, int]] = {}
    for review in reviews:
        for item, score in review.scores.items():
            by_item.setdefault(item, {})[review.reviewer] = score.score
    return by_item


def aggregate_scores(scores: list[int], method: str) -> float:
    if method == "mean":
        return round(statistics.fmean(scores), 2)
    if method == "min":
        return float(min(scores))
    return float(statistics.median(scores))


def _aggregate(
    by_item: Mapping[str, Mapping[str, int]], policy: Policy
) -> tuple[dict[str, float], list[Disagreement]]:
    """Each item's score once it has enough reviewers, and the disagreements."""
    settings = policy.reviews
    aggregated: dict[str, float] = {}
    disagreements: list[Disagreement] = []
    for item in sorted(by_item):
        scores = by_item[item]
        if len(scores) < settings.minimum_reviewers:
            continue
        aggregated[item] = aggregate_scores(list(scores.values()), settings.aggregation)
        if max(scores.values()) - min(scores.values()) >= settings.disagreement:
            disagreements.append(Disagreement(item=item, scores=dict(sorted(scores.items()))))
    return aggregated, disagreements

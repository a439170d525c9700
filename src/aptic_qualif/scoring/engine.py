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

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.questionnaire.conditions import holds, is_answered
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.model import (
    Advice,
    Assessment,
    Disagreement,
    KnockoutHit,
    Overall,
    PointLine,
    ReviewUse,
    ThemeResult,
    ToComplete,
)
from aptic_qualif.scoring.policy import Decision, Policy

RUBRIC_MAX = 4.0


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
        self, catalogue: Catalogue, questionnaire: LoadedQuestionnaire, policy: Policy
    ) -> None:
        self.catalogue = catalogue
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
                detail += " " + _("(capped at {max})").format(max=_fmt(item.max_points))
            return total, detail
        if item.type in {"integer", "decimal"}:
            brackets = item.brackets or []
            reached = [b for b in brackets if answer >= b.min]
            if not reached:
                first = _fmt(brackets[0].min) if brackets else "0"
                return 0.0, _("below the first bracket ({min})").format(min=first)
            best = reached[-1]
            return best.points, _("bracket from {min}").format(min=_fmt(best.min))
        if item.type == "services" and item.services_points is not None:
            rule = item.services_points
            services = [s for s in answer or () if s in self.service_levels]
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
                detail += " " + _("(capped at {max})").format(max=_fmt(rule.max))
            return total, detail
        return 0.0, ""

    # -- the whole assessment ----------------------------------------------------

    def assess(self, checked: CheckedApplication, reviews: Iterable[Review] = ()) -> Assessment:
        policy = self.policy
        answers = checked.answers
        sha = checked.sha256
        fresh, use = _select_reviews(reviews, checked.id, sha)
        aggregated, disagreements = _aggregate(fresh, policy)
        use = ReviewUse(
            used=use.used,
            stale=use.stale,
            conflicted=use.conflicted,
            disagreements=disagreements,
        )

        lines: list[PointLine] = []
        themes: list[ThemeResult] = []
        pending_all: list[str] = []
        for theme_id, compiled in self.items.items():
            theme = self.questionnaire.themes[theme_id]
            points = maximum = 0.0
            pending: list[str] = []
            theme_lines: list[PointLine] = []
            for entry in compiled:
                line = self._line(entry, answers, checked.enabled, aggregated)
                theme_lines.append(line)
                if line.source == "pending_review":
                    pending.append(entry.item.id)
                if line.source in {"answer", "reviews", "unanswered"}:
                    points += line.points
                    maximum += line.max
            percentage = 100.0 * points / maximum if maximum else 100.0
            threshold = policy.theme_thresholds.get(theme_id, 0.0)
            themes.append(
                ThemeResult(
                    theme=theme_id,
                    title=localized(theme.title),
                    points=_round(points),
                    max=_round(maximum),
                    percentage=round(percentage, 1),
                    threshold=threshold,
                    passed=percentage + 1e-9 >= threshold,
                    pending=pending,
                    advice=self._advice(theme_lines) if percentage + 1e-9 < threshold else [],
                )
            )
            lines.extend(theme_lines)
            pending_all.extend(pending)

        overall_percentage = self._overall({t.theme: t.percentage for t in themes})
        overall = Overall(
            percentage=round(overall_percentage, 1),
            threshold=policy.overall_threshold,
            passed=overall_percentage + 1e-9 >= policy.overall_threshold,
        )
        # Could the reviews still change the outcome? Score pending items at their maximum.
        optimistic = self._optimistic(lines)
        knockouts = self._knockouts(checked)
        to_complete = self._to_complete(checked)
        decision, reasons = self._decide(
            themes, overall, knockouts, to_complete, pending_all, optimistic
        )
        by_level: dict[str, list[str]] = {level: [] for level in self.catalogue.levels}
        for located in self.questionnaire.items:
            if located.item.type == "services":
                for service in answers.get(located.id) or ():
                    level = self.service_levels.get(service)
                    if level is not None and service not in by_level[level]:
                        by_level[level].append(service)
        return Assessment(
            application=checked.id,
            file=checked.doc.file,
            venue=checked.venue_name,
            questionnaire=self.questionnaire.reference,
            policy=f"{policy.id}@{policy.version}",
            referentiel=f"{self.catalogue.scheme.id}@{self.catalogue.version}",
            decision=decision,
            reasons=reasons,
            themes=themes,
            overall=overall,
            knockouts=knockouts,
            to_complete=to_complete,
            services_by_level=by_level,
            reviews=use,
            lines=lines,
            diagnostics=[d.to_json() for d in checked.report.sorted()],
        )

    def _overall(self, percentages: Mapping[str, float]) -> float:
        weights = {theme: self.policy.theme_weights.get(theme, 1.0) for theme in percentages}
        total = sum(weights.values())
        return sum(percentages[t] * weights[t] for t in percentages) / total if total else 0.0

    def _optimistic(self, lines: list[PointLine]) -> bool:
        """Whether every threshold would be met with every pending item at its maximum."""
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
        themes_ok = all(
            percentages[theme] + 1e-9 >= self.policy.theme_thresholds.get(theme, 0.0)
            for theme in percentages
        )
        return themes_ok and self._overall(percentages) + 1e-9 >= self.policy.overall_threshold

    def _line(
        self,
        entry: CompiledItem,
        answers: Mapping[str, Any],
        enabled: set[str],
        aggregated: Mapping[str, float],
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
                detail=_("reviewers' score {score}/4").format(score=_fmt(score)),
            )
        if not is_answered(answer):
            return PointLine(
                **base,
                answer=None,
                points=0,
                max=weighted_max,
                source="unanswered",
                detail=_("not answered"),
            )
        if item.type == "single_choice":
            option = next((o for o in item.options or () if o.value == answer), None)
            if option is not None and option.not_applicable:
                return PointLine(
                    **base,
                    answer=answer,
                    points=0,
                    max=0,
                    source="not_applicable",
                    detail=localized(option.label),
                )
        points, detail = self.points(item, answer)
        return PointLine(
            **base,
            answer=answer,
            points=_round(points * entry.weight),
            max=weighted_max,
            source="answer",
            detail=detail,
        )

    def _advice(self, lines: list[PointLine]) -> list[Advice]:
        """The items that would raise a failing theme the most, with what to do."""
        gaps = sorted(
            (
                line
                for line in lines
                if line.max - line.points > 0 and line.source in {"answer", "unanswered", "reviews"}
            ),
            key=lambda line: (-(line.max - line.points), line.item),
        )
        advice = []
        for line in gaps[:3]:
            item = self.questionnaire.by_id[line.item].item
            advice.append(
                Advice(
                    item=line.item,
                    label=line.label,
                    gain=_round(line.max - line.points),
                    text=_advice_text(item, line, self.catalogue),
                )
            )
        return advice

    def _knockouts(self, checked: CheckedApplication) -> list[KnockoutHit]:
        hits = []
        identity_ids = {i.id for i in self.questionnaire.identity}
        invalid_identity = any(key in identity_ids for key in checked.invalid)
        for knockout in self.policy.knockouts:
            applies = False
            if knockout.invalid_identity:
                applies = invalid_identity
            elif (
                knockout.item is not None
                and knockout.condition is not None
                and knockout.item in checked.enabled
            ):
                applies = holds(knockout.condition, checked.answers.get(knockout.item))
            if applies:
                hits.append(
                    KnockoutHit(
                        id=knockout.id, item=knockout.item, reason=localized(knockout.reason)
                    )
                )
        return hits

    def _to_complete(self, checked: CheckedApplication) -> list[ToComplete]:
        """Required answers missing, invalid answers, and any other error of the file.

        An invalid identity answer is left to the knock-outs."""
        by_id = self.questionnaire.by_id
        found = [
            ToComplete(
                item=key,
                label=localized(by_id[key].item.label),
                reason=_("required answer missing"),
            )
            for key in checked.missing
        ]
        covered: set[int] = set()
        for key in sorted(checked.invalid, key=lambda k: by_id[k].order):
            problems = checked.invalid[key]
            covered.update(id(p) for p in problems)
            if by_id[key].is_identity:
                continue
            found.append(
                ToComplete(
                    item=key,
                    label=localized(by_id[key].item.label),
                    reason=problems[0].message if problems else "",
                )
            )
        for diagnostic in checked.report.sorted():
            if (
                diagnostic.severity == "error"
                and diagnostic.code != "APP005"
                and (id(diagnostic) not in covered)
            ):
                found.append(ToComplete(item="", label="", reason=diagnostic.message))
        return found

    def _decide(
        self,
        themes: list[ThemeResult],
        overall: Overall,
        knockouts: list[KnockoutHit],
        to_complete: list[ToComplete],
        pending: list[str],
        optimistic: bool,
    ) -> tuple[Decision, list[str]]:
        failing = [t for t in themes if not t.passed]
        met = not failing and overall.passed
        facts = {
            "knockout": bool(knockouts),
            "incomplete": bool(to_complete),
            # Reviews are awaited only when they can still change the outcome.
            "pending_review": bool(pending) and optimistic,
            "thresholds_met": met and not pending,
            "thresholds_missed": not optimistic or (not pending and not met),
            "always": True,
        }
        for index, rule in enumerate(self.policy.rules, start=1):
            if facts[rule.when]:
                return rule.decision, [
                    _("rule {n}: {when} → {decision}").format(
                        n=index, when=rule.when, decision=rule.decision
                    ),
                    *_explain(rule.when, knockouts, to_complete, pending, failing, overall),
                ]
        return "non-qualifie", [_("no rule applies")]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _explain(
    when: str,
    knockouts: list[KnockoutHit],
    to_complete: list[ToComplete],
    pending: list[str],
    failing: list[ThemeResult],
    overall: Overall,
) -> list[str]:
    if when == "knockout":
        return [k.reason for k in knockouts]
    if when == "incomplete":
        return [_("{n} answer(s) to complete").format(n=len(to_complete))]
    if when == "pending_review":
        return [_("awaiting review: {items}").format(items=", ".join(pending))]
    if when in {"thresholds_missed", "always"}:
        reasons = [
            _("{theme}: {percentage}% below the threshold of {threshold}%").format(
                theme=t.title, percentage=_fmt(t.percentage), threshold=_fmt(t.threshold)
            )
            for t in failing
        ]
        if not overall.passed:
            reasons.append(
                _("overall: {percentage}% below the threshold of {threshold}%").format(
                    percentage=_fmt(overall.percentage), threshold=_fmt(overall.threshold)
                )
            )
        return reasons
    if when == "thresholds_met":
        return [_("every theme and the overall score reach their thresholds")]
    return []


def _advice_text(item: Item, line: PointLine, catalogue: Catalogue) -> str:
    if item.scoring == "rubric":
        best = next((s for s in item.rubric or () if s.score == 4), None)
        return _("describe your practice as in the top step of the rubric: {step}").format(
            step=localized(best.description) if best else ""
        )
    if item.type == "boolean":
        return _("answer yes, if it is true of your venue")
    if item.type == "single_choice":
        best_option = max(item.options or (), key=lambda o: o.points or 0.0)
        return _("the answer '{label}' is worth the most").format(
            label=localized(best_option.label)
        )
    if item.type == "multiple_choice":
        options = sorted(
            (o for o in item.options or () if o.value not in (line.answer or []) and o.points),
            key=lambda o: -(o.points or 0.0),
        )
        names = ", ".join(localized(o.label) for o in options[:3])
        return _("each of these is worth points: {names}").format(names=names)
    if item.type in {"integer", "decimal"}:
        higher = [b for b in item.brackets or () if line.answer is None or b.min > line.answer]
        if higher:
            return _("the next bracket starts at {min}").format(min=_fmt(higher[0].min))
    if item.type == "services":
        offered = set(line.answer or [])
        missing = [
            level
            for level in catalogue.levels
            if not any(s.level == level for s in catalogue.services.values() if s.id in offered)
        ]
        if missing:
            return _("offer services in the levels you do not cover yet: {levels}").format(
                levels=", ".join(localized(catalogue.levels[level].pref_label) for level in missing)
            )
        return _("declare every service of the référentiel that you offer")
    return _("answer this question")


def _select_reviews(
    reviews: Iterable[Review], application: str, sha256: str
) -> tuple[list[Review], ReviewUse]:
    fresh, used, stale, conflicted = [], [], [], []
    for review in sorted(reviews, key=lambda r: r.reviewer):
        if review.application != application:
            continue
        if review.application_sha256 != sha256:
            stale.append(review.reviewer)
        elif review.conflict_of_interest:
            conflicted.append(review.reviewer)
        else:
            fresh.append(review)
            used.append(review.reviewer)
    return fresh, ReviewUse(used=used, stale=stale, conflicted=conflicted)


def aggregate_scores(scores: list[int], method: str) -> float:
    if method == "mean":
        return round(statistics.fmean(scores), 2)
    if method == "min":
        return float(min(scores))
    return float(statistics.median(scores))


def _aggregate(
    reviews: list[Review], policy: Policy
) -> tuple[dict[str, float], list[Disagreement]]:
    settings = policy.reviews
    by_item: dict[str, dict[str, int]] = {}
    for review in reviews:
        for item, score in review.scores.items():
            by_item.setdefault(item, {})[review.reviewer] = score.score
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

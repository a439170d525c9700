"""``policy check``: what a scoring policy lets through, worked out from the questionnaire.

For each theme, and overall, the analysis bounds the score of every venue that could apply:

* **self-declared, at best**: every answer rated by reviewers (``scoring: rubric``) at 0/4
  and every other answer chosen to raise the percentage as much as possible — what
  declarations alone can reach;
* **perfect practice, at worst**: every rated answer at 4/4 and the other answers chosen to
  lower the percentage as much as possible;
* **at best**: everything at its best (a threshold above it is out of reach);
* **reviewers' share**: the part of the maximum that rated answers carry.

Only venues that could qualify count: required answers are given, no knock-out applies and
every requirement is met. A choice per item includes "not concerned" options (the item
leaves the maximum) and, for an optional item, no answer. Points come from the engine
(:class:`~aptic_qualif.scoring.engine.Scorer`) and conditions from
:mod:`aptic_qualif.questionnaire.conditions`: nothing is computed twice.

Percentages are ratios (points over the maximum of what applies), so each theme's extremes
are found by Dinkelbach's parametric method over the answers of its items, which is exact.
``enable_when`` couples items: the answers of the questions that conditions name are
grouped in classes (answers on which every condition agrees), and every assignment of
classes is enumerated when there are few enough — the result is then **exact**. Past
:data:`THEME_LIMIT` (one theme) or :data:`JOINT_LIMIT` (all themes together), conditions
are relaxed (any conditional item may apply or not, independently) and the result is a
**bound** that cannot miss a route: the table and the messages say so.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.application import check_answer
from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.formats import number as format_number
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.questionnaire.conditions import enabled_items, holds, is_answered
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import NUMBER_TYPES, Condition, Item
from aptic_qualif.reading import present
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.scoring.engine import (
    EPSILON,
    RUBRIC_MAX,
    CompiledItem,
    Scorer,
    floor_percentage,
    knockout_applies,
    requirement_unmet,
)
from aptic_qualif.scoring.policy import Knockout, Policy, Requirement
from aptic_qualif.yamlio import Document

THEME_LIMIT = 4096
"""Most assignments of condition classes enumerated for one theme."""
JOINT_LIMIT = 250_000
"""Most assignments enumerated for all themes together (the overall score)."""
LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""The practice levels at which every answer rated by reviewers is tried: a venue whose
practice reviewers rate at one level everywhere, with its declarations at their best."""
_SUBSETS = 6
"""Values named by conditions on one multiple choice or services item, enumerated as
subsets (2**n); beyond, the item's answers are relaxed."""

_SAMPLES: dict[str, str] = {
    "text": "texte",
    "url": "https://example.org",
    "date": "2020-01-01",
    "email": "contact@example.org",
    "phone": "+33123456789",
    "siret": "21010053300012",
    "postcode": "01000",
    "insee_code": "01053",
}
"""A valid answer of each text-like type: what matters is only whether it is answered."""

Pair = tuple[float, float]
"""An answer's weighted points and the weighted maximum it counts for (0: out of the theme)."""


# -- ratios -------------------------------------------------------------------------------


def _start(choices: Sequence[Sequence[Pair]]) -> tuple[float, bool] | None:
    """A first ratio (of an assignment whose maximum is not 0) and whether an assignment
    with a maximum of 0 exists; ``None`` when every assignment has a maximum of 0."""
    pick = [max(pairs, key=lambda pair: (pair[1], pair[0])) for pairs in choices]
    maximum = sum(m for _p, m in pick)
    if maximum == 0:
        return None
    zero = all(any(m == 0 for _p, m in pairs) for pairs in choices)
    return sum(p for p, _m in pick) / maximum, zero


def max_ratio(choices: Sequence[Sequence[Pair]]) -> float:
    """The highest percentage ``100 * Σ points / Σ maximum`` over one pair per item (100
    when nothing counts, as in the engine). Exact: Dinkelbach's method."""
    start = _start(choices)
    if start is None:
        return 100.0
    ratio, zero = start
    for _round in range(1000):
        pick = [max(pairs, key=lambda pair: pair[0] - ratio * pair[1]) for pairs in choices]
        points, maximum = sum(p for p, _m in pick), sum(m for _p, m in pick)
        if points - ratio * maximum <= 1e-12 or maximum == 0:
            break
        ratio = points / maximum
    return max(100.0 * ratio, 100.0) if zero else 100.0 * ratio


def min_ratio(choices: Sequence[Sequence[Pair]]) -> float:
    """The lowest percentage over one pair per item (100 when nothing counts). Exact."""
    start = _start(choices)
    if start is None:
        return 100.0
    ratio, zero = start
    for _round in range(1000):
        pick = [min(pairs, key=lambda pair: pair[0] - ratio * pair[1]) for pairs in choices]
        points, maximum = sum(p for p, _m in pick), sum(m for _p, m in pick)
        if points - ratio * maximum >= -1e-12 or maximum == 0:
            break
        ratio = points / maximum
    return min(100.0 * ratio, 100.0) if zero else 100.0 * ratio


def _reduce(pairs: Iterable[Pair]) -> list[Pair]:
    """For each maximum, only the fewest and the most points matter."""
    low: dict[float, float] = {}
    high: dict[float, float] = {}
    for points, maximum in pairs:
        low[maximum] = min(points, low.get(maximum, points))
        high[maximum] = max(points, high.get(maximum, points))
    return sorted({(low[m], m) for m in low} | {(high[m], m) for m in high})


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """The extremes of one theme's percentage, or of the overall one."""

    theme: str
    """The theme id; empty for the overall score."""
    title: str
    threshold: float | None
    """``None`` for a bonus theme (no threshold of its own)."""
    weight: float
    bonus: bool
    self_declared: float
    """Best percentage with every rated answer at 0/4."""
    practice_worst: float
    """Worst percentage with every rated answer at 4/4."""
    best: float
    """Best percentage with every answer at its best."""
    reviewer_share: float
    """Least part (%) of the maximum that answers rated by reviewers carry."""
    exact: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme or None,
            "title": self.title,
            "threshold": self.threshold,
            "weight": self.weight,
            "bonus": self.bonus,
            "self_declared_best": round(self.self_declared, 2),
            "practice_worst": round(self.practice_worst, 2),
            "best": round(self.best, 2),
            "reviewer_share": round(self.reviewer_share, 2),
            "exact": self.exact,
        }


@dataclass(frozen=True)
class SmartRoute:
    """A venue that qualifies with every answer rated by reviewers at one ``level`` (0/4:
    on its declarations alone), its declarations at their best. The answers of a bonus theme
    are rated 4/4: a bonus never lowers a score."""

    overall: float
    themes: Mapping[str, float | None]
    """Each theme's percentage (``None``: a bonus theme the venue does not present)."""
    rated: tuple[str, ...]
    """The answers rated by reviewers that apply to that venue, outside bonus themes."""
    exact: bool
    level: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "overall": round(self.overall, 2),
            "themes": {t: round(v, 2) for t, v in self.themes.items() if v is not None},
            "rated_at_zero" if self.level == 0 else "rated_at_level": list(self.rated),
            "exact": self.exact,
        }


@dataclass(frozen=True)
class LevelBound:
    """The best overall score of a venue whose practice reviewers rate at ``level``
    everywhere (bonus themes at 4/4), and whether such a venue qualifies."""

    level: float
    best: float
    """Best overall percentage reachable, floors aside; -1 when no venue answers so."""
    qualifies: bool
    """Whether a venue at this level reaches every threshold and no floor stops it."""
    below_autonomy: bool
    """Whether the level is below the policy's ``autonomy_level``."""
    exact: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "best": round(self.best, 2) if self.best >= 0 else None,
            "qualifies": self.qualifies,
            "below_autonomy": self.below_autonomy,
            "exact": self.exact,
        }


@dataclass
class PolicyAnalysis:
    policy: str
    questionnaire: str
    themes: list[Bounds] = field(default_factory=list)
    overall: Bounds | None = None
    smart_route: SmartRoute | None = None
    """The route at 0/4: self-declaration alone qualifies."""
    levels: list[LevelBound] = field(default_factory=list)
    routes: list[SmartRoute] = field(default_factory=list)
    """Every level (:data:`LEVELS`) at which a venue qualifies, lowest first."""
    autonomy_level: float | None = None
    report: Report = field(default_factory=Report)

    @property
    def ok(self) -> bool:
        return self.report.ok

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "questionnaire": self.questionnaire,
            "themes": [t.to_json() for t in self.themes],
            "overall": self.overall.to_json() if self.overall is not None else None,
            "smart_route": self.smart_route.to_json() if self.smart_route else None,
            "autonomy_level": self.autonomy_level,
            "levels": [level.to_json() for level in self.levels],
            "routes": [route.to_json() for route in self.routes],
            **self.report.to_json(),
        }


# -- the analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """One theme under one assignment of condition classes."""

    self_declared: float
    practice_worst: float
    best: float
    rated_max: float
    total_max: float
    rated: frozenset[str]
    levels: tuple[float, ...] = ()
    """Best percentage with every rated answer at each of :data:`LEVELS`."""

    @property
    def share(self) -> float:
        return 100.0 * self.rated_max / self.total_max if self.total_max else 0.0


@dataclass
class _Theme:
    questions: list[str]
    """The questions whose class matters to the theme, in questionnaire order."""
    states: dict[tuple[int, ...], _State | None]
    """Per assignment of classes (indexes); ``None`` when no venue answers so."""
    exact: bool


class _Analyser:
    def __init__(self, scorer: Scorer, theme_limit: int, joint_limit: int) -> None:
        self.scorer = scorer
        self.policy: Policy = scorer.policy
        self.questionnaire: LoadedQuestionnaire = scorer.questionnaire
        self.catalogue: Catalogue = scorer.catalogue
        self.theme_limit = theme_limit
        self.joint_limit = joint_limit
        self.by_id = self.questionnaire.by_id
        self.all_items = [located.item for located in self.questionnaire.items]
        self.entries: dict[str, CompiledItem] = {
            entry.item.id: entry for entries in scorer.items.values() for entry in entries
        }
        self.theme_of = {entry.item.id: entry.located.theme for entry in self.entries.values()}
        # Conditions of enable_when that name each question (of the items that matter).
        self.gating = self._closure(
            c.question for entry in self.entries.values() for c in _conditions(entry.item)
        )
        self.conditions: dict[str, list[Condition]] = {}
        for item_id in [*self.entries, *self.gating]:
            for condition in _conditions(self.by_id[item_id].item):
                if condition.question in self.by_id:
                    self.conditions.setdefault(condition.question, []).append(condition)
        self.knockouts: dict[str, list[Knockout]] = {}
        for knockout in self.policy.knockouts:
            if knockout.item is not None and knockout.condition is not None:
                self.knockouts.setdefault(knockout.item, []).append(knockout)
        self.requirements: dict[str, list[Requirement]] = {}
        for requirement in self.policy.requirements:
            self.requirements.setdefault(requirement.item, []).append(requirement)
        self.answers: dict[str, list[Any]] = {}
        self.classes: dict[str, list[list[Any]]] = {}
        for item_id in sorted({*self.entries, *self.gating}, key=lambda i: self.by_id[i].order):
            self.answers[item_id] = self._candidates(self.by_id[item_id])
        for question in self.gating:
            grouped: dict[tuple[bool, ...], list[Any]] = {}
            for answer in self.answers[question]:
                key = tuple(holds(c, answer) for c in self.conditions.get(question, ()))
                grouped.setdefault(key, []).append(answer)
            self.classes[question] = list(grouped.values())

    # -- questions and answers -------------------------------------------------------------

    def _closure(self, start: Iterable[str]) -> set[str]:
        """``start`` and, transitively, the questions their own conditions name."""
        seen: set[str] = set()
        stack = list(start)
        while stack:
            question = stack.pop()
            if question in seen or question not in self.by_id:
                continue
            seen.add(question)
            stack.extend(c.question for c in _conditions(self.by_id[question].item))
        return seen

    def _named_values(self, item_id: str) -> list[Any]:
        conditions = [
            *self.conditions.get(item_id, ()),
            *(k.condition for k in self.knockouts.get(item_id, ()) if k.condition is not None),
            *(r.condition for r in self.requirements.get(item_id, ())),
        ]
        values: list[Any] = []
        for condition in conditions:
            if condition.value is not None and condition.value not in values:
                values.append(condition.value)
        return values

    def _candidates(self, located: LocatedItem) -> list[Any]:
        """Answers that reach every combination of points and condition outcomes of the item
        (``None``: no answer), each one checked like an application's."""
        item = located.item
        named = self._named_values(item.id)
        raw: list[Any]
        if item.type == "boolean":
            raw = [True, False]
        elif item.type == "single_choice":
            raw = [o.value for o in item.options or ()]
        elif item.type == "multiple_choice":
            raw = _choice_sets(item, named)
        elif item.type in NUMBER_TYPES:
            raw = _numbers(item, named)
        elif item.type == "services":
            raw = self._service_sets(item, named)
        else:
            raw = [_SAMPLES.get(item.type, "texte")]
        found: list[Any] = [None]
        for answer in raw:
            normalised, errors = check_answer(item, answer, self.catalogue)
            if not errors and is_answered(normalised) and normalised not in found:
                found.append(normalised)
        return found

    def _service_sets(self, item: Item, named: Sequence[Any]) -> list[Any]:
        offered = [
            s.id
            for s in sorted(self.catalogue.services.values(), key=lambda s: s.id)
            if not check_answer(item, [s.id], self.catalogue)[1]
        ]
        mentioned = [s for s in offered if s in named][:_SUBSETS]
        others = [s for s in offered if s not in mentioned]
        excluded = set(item.services_points.level_excludes if item.services_points else ())
        # One service of each kind (level, counted for its level or not) among the others.
        kinds: dict[tuple[str, bool], str] = {}
        for service in others:
            level = self.catalogue.services[service].level
            kinds.setdefault((level, service in excluded), service)
        sets: list[Any] = []
        for subset in _subsets(mentioned):
            sets.append([*subset, *others])
            if subset:
                sets.append(list(subset))
            sets.extend([*subset, one] for one in kinds.values())
        return sets

    def _admissible(self, item: Item, answer: Any) -> bool:
        """Whether a venue that could qualify may answer so an item that applies."""
        if not is_answered(answer) and item.required:
            return False
        if any(knockout_applies(k, answer) for k in self.knockouts.get(item.id, ())):
            return False
        return not any(requirement_unmet(r, answer) for r in self.requirements.get(item.id, ()))

    def _pair(self, entry: CompiledItem, answer: Any) -> Pair:
        """The weighted points an answer gives and the weighted maximum it counts for, as the
        engine counts them (:meth:`Scorer.contribution`)."""
        points, maximum, _source, _detail = self.scorer.contribution(entry, answer)
        return points, maximum

    # -- one theme ----------------------------------------------------------------------

    def theme(self, theme: str) -> _Theme:
        entries = self.scorer.items[theme]
        questions = self._closure(c.question for e in entries for c in _conditions(e.item))
        questions |= self._closure(e.item.id for e in entries if e.item.id in self.gating)
        ordered = sorted(questions & self.gating, key=lambda q: self.by_id[q].order)
        sizes = [len(self.classes[q]) for q in ordered]
        if math.prod(sizes) > self.theme_limit:
            return _Theme([], {(): self._relaxed(theme)}, exact=False)
        states: dict[tuple[int, ...], _State | None] = {}
        for combo in itertools.product(*(range(n) for n in sizes)):
            classes = {q: self.classes[q][i] for q, i in zip(ordered, combo, strict=True)}
            sample = {q: answers[0] for q, answers in classes.items()}
            enabled = enabled_items(self.all_items, sample)
            states[combo] = self._state(theme, enabled, classes)
        return _Theme(ordered, states, exact=True)

    def _state(
        self, theme: str, enabled: set[str], classes: Mapping[str, list[Any]]
    ) -> _State | None:
        for question, answers in classes.items():
            if question in enabled and question not in self.entries:
                item = self.by_id[question].item
                if not any(self._admissible(item, a) for a in answers):
                    return None
        declared: list[list[Pair]] = []
        practice: list[list[Pair]] = []
        at_level: list[list[list[Pair]]] = [[] for _level in LEVELS]
        rated: list[str] = []
        rated_max = total_max = 0.0
        for entry in self.scorer.items[theme]:
            item = entry.item
            if item.id not in enabled:
                continue
            answers = [
                a for a in classes.get(item.id, self.answers[item.id]) if self._admissible(item, a)
            ]
            if not answers:
                return None
            full = entry.max * entry.weight
            total_max += full
            if item.scoring == "rubric":
                rated.append(item.id)
                rated_max += full
                declared.append([(0.0, full)])
                practice.append([(RUBRIC_MAX * entry.weight, full)])
                for index, level in enumerate(LEVELS):
                    at_level[index].append([(level * entry.weight, full)])
                continue
            pairs = _reduce(self._pair(entry, a) for a in answers)
            declared.append(pairs)
            practice.append(pairs)
            for choices in at_level:
                choices.append(pairs)
        return _State(
            self_declared=max_ratio(declared),
            practice_worst=min_ratio(practice),
            best=max_ratio(practice),
            rated_max=rated_max,
            total_max=total_max,
            rated=frozenset(rated),
            levels=tuple(max_ratio(choices) for choices in at_level),
        )

    def _relaxed(self, theme: str) -> _State:
        """A bound for a theme with too many condition classes: each conditional item may
        apply or not, whatever the others; answers are free."""
        declared: list[list[Pair]] = []
        practice: list[list[Pair]] = []
        at_level: list[list[list[Pair]]] = [[] for _level in LEVELS]
        always: list[str] = []
        rated_max = total_max = 0.0
        for entry in self.scorer.items[theme]:
            item = entry.item
            optional = item.enable_when is not None
            full = entry.max * entry.weight
            total_max += full
            if item.scoring == "rubric":
                low: list[Pair] = [(0.0, full)]
                high: list[Pair] = [(RUBRIC_MAX * entry.weight, full)]
                levels: list[list[Pair]] = [[(level * entry.weight, full)] for level in LEVELS]
                if not optional:
                    always.append(item.id)
                    rated_max += full
            else:
                answers = [a for a in self.answers[item.id] if self._admissible(item, a)]
                low = high = _reduce(self._pair(entry, a) for a in answers) or [(0.0, 0.0)]
                levels = [high for _level in LEVELS]
            if optional:
                low, high = [*low, (0.0, 0.0)], [*high, (0.0, 0.0)]
                levels = [[*pairs, (0.0, 0.0)] for pairs in levels]
            declared.append(low)
            practice.append(high)
            for index, pairs in enumerate(levels):
                at_level[index].append(pairs)
        return _State(
            self_declared=max_ratio(declared),
            practice_worst=min_ratio(practice),
            best=max_ratio(practice),
            rated_max=rated_max,
            total_max=total_max,
            rated=frozenset(always),
            levels=tuple(max_ratio(choices) for choices in at_level),
        )

    # -- floors -----------------------------------------------------------------------------

    def blocked(self, rated: Iterable[str], score: float, *, theme: str | None = None) -> bool:
        """Whether a practice floor stops a venue whose ``rated`` answers all get ``score``
        (only the floors of ``theme`` and its items when it is given), as the engine judges
        floors (:meth:`Scorer.practice_floors`). The answers of a bonus theme are rated
        4/4 whatever ``score``: at the venue's best."""
        rated = set(rated)
        bonus = set(self.policy.bonus_themes)
        scores = {item: RUBRIC_MAX if self.theme_of.get(item) in bonus else score for item in rated}
        floors = self.scorer.practice_floors(rated, scores)
        return any(
            not floor.passed
            and (
                theme is None
                or (floor.scope == "theme" and floor.id == theme)
                or (floor.scope == "item" and self.theme_of.get(floor.id) == theme)
            )
            for floor in floors
        )

    def covered(self, theme: str) -> bool:
        """Whether a practice floor of the theme, or of one of its items, applies."""
        floors = self.policy.practice
        if floors.themes.get(theme, 0) > 0:
            return True
        return any(
            minimum > 0 and self.theme_of.get(item) == theme
            for item, minimum in floors.items.items()
        )


def _conditions(item: Item) -> list[Condition]:
    return list(item.enable_when.conditions) if item.enable_when is not None else []


def _subsets(values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    for size in range(len(values) + 1):
        yield from itertools.combinations(values, size)


def _choice_sets(item: Item, named: Sequence[Any]) -> list[Any]:
    """Sets of options reaching the most and the fewest points for every combination of the
    options that conditions name."""
    options = item.options or []
    mentioned = [o.value for o in options if o.value in named][:_SUBSETS]
    free = [o for o in options if o.value not in mentioned]
    gaining = [o.value for o in free if not o.exclusive and (o.points or 0) > 0]
    losing = [o.value for o in free if not o.exclusive and (o.points or 0) < 0]
    sets: list[Any] = []
    for subset in _subsets(mentioned):
        sets += [[*subset, *gaining], [*subset, *losing]]
        if subset:
            sets.append(list(subset))
        sets.extend([*subset, o.value] for o in free)
    return sets


def _numbers(item: Item, named: Sequence[Any]) -> list[Any]:
    """Numbers on every side of every bracket and of every value a condition compares with."""
    marks = {b.min for b in item.brackets or ()}
    marks |= {float(v) for v in named if isinstance(v, int | float) and not isinstance(v, bool)}
    marks |= {v for v in (item.min, item.max) if v is not None}
    marks.add(0.0)
    ordered = sorted(marks)
    if item.type == "integer":
        found = {n + d for m in ordered for n in (math.floor(m), math.ceil(m)) for d in (-1, 0, 1)}
        return sorted(found)
    values = set(ordered) | {ordered[0] - 1, ordered[-1] + 1}
    values |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
    return sorted(values)


# -- the whole policy ------------------------------------------------------------------------


def analyse_policy(
    scorer: Scorer,
    doc: Document,
    *,
    theme_limit: int = THEME_LIMIT,
    joint_limit: int = JOINT_LIMIT,
) -> PolicyAnalysis:
    """Bounds, smart routes and located diagnostics of ``scorer``'s policy (read from ``doc``)."""
    analyser = _Analyser(scorer, theme_limit, joint_limit)
    policy = scorer.policy
    questionnaire = scorer.questionnaire
    themes = {theme: analyser.theme(theme) for theme in scorer.items}
    bonus = set(policy.bonus_themes)
    core = [t for t in themes if t not in bonus]
    weights = {t: policy.theme_weights.get(t, 1.0) for t in themes}
    thresholds = {t: policy.theme_thresholds.get(t, 0.0) for t in core}

    def overall_share(shares: Mapping[str, float]) -> float:
        total = sum(weights[t] for t in core)
        return sum(shares[t] * weights[t] for t in core) / total if total else 0.0

    # Per theme, over its own assignments.
    per_theme: dict[str, dict[str, float]] = {}
    for theme, table in themes.items():
        states = [s for s in table.states.values() if s is not None]
        per_theme[theme] = {
            "self": max((s.self_declared for s in states), default=0.0),
            "worst": min((s.practice_worst for s in states), default=100.0),
            "best": max((s.best for s in states), default=0.0),
            "share": min((s.share for s in states), default=0.0),
        }

    # Together: every assignment of the questions of all themes, when there are few enough.
    questions = sorted(
        {q for table in themes.values() for q in table.questions},
        key=lambda q: questionnaire.by_id[q].order,
    )
    sizes = [len(analyser.classes[q]) for q in questions]
    joint = all(t.exact for t in themes.values()) and math.prod(sizes) <= joint_limit
    if joint:
        overall, routes, best_at, qualifiable = _joint(
            analyser, themes, questions, thresholds, overall_share
        )
    else:
        routes, best_at, qualifiable = _bound_routes(analyser, themes, thresholds)
        overall = {
            key: (overall_share if key == "share" else scorer.overall_percentage)(
                {t: v[key] for t, v in per_theme.items()}
            )
            for key in ("self", "worst", "best", "share")
        }

    analysis = PolicyAnalysis(
        policy=f"{policy.id}@{policy.version}",
        questionnaire=questionnaire.reference,
        autonomy_level=policy.practice.autonomy_level,
    )
    for theme, values in per_theme.items():
        analysis.themes.append(
            Bounds(
                theme=theme,
                title=localized(questionnaire.themes[theme].title),
                threshold=None if theme in bonus else thresholds[theme],
                weight=weights[theme],
                bonus=theme in bonus,
                self_declared=values["self"],
                practice_worst=values["worst"],
                best=values["best"],
                reviewer_share=values["share"],
                exact=themes[theme].exact,
            )
        )
    analysis.overall = Bounds(
        theme="",
        title=_("overall"),
        threshold=policy.overall_threshold,
        weight=sum(weights[t] for t in core),
        bonus=False,
        self_declared=overall["self"],
        practice_worst=overall["worst"],
        best=overall["best"],
        reviewer_share=overall["share"],
        exact=joint,
    )
    analysis.smart_route = routes.get(0)
    analysis.routes = [routes[level] for level in LEVELS if level in routes]
    autonomy = policy.practice.autonomy_level
    analysis.levels = [
        LevelBound(
            level=level,
            best=best_at[level],
            qualifies=level in routes,
            below_autonomy=autonomy is not None and level + EPSILON < autonomy,
            exact=joint,
        )
        for level in LEVELS
    ]
    analysis.report.extend(
        _diagnostics(analyser, analysis, doc, qualifiable=qualifiable, exact=joint)
    )
    return analysis


def _at_level(state: _State, index: int, bonus: bool) -> float | None:
    """A theme's best percentage with its rated answers at ``LEVELS[index]`` (a bonus theme's
    at 4/4; ``None`` for a bonus theme the venue did not present)."""
    if bonus:
        return _counted(state, state.best, bonus)
    return state.levels[index]


def _counted(state: _State, value: float, bonus: bool) -> float | None:
    """A theme's percentage as the overall score counts it (:meth:`Scorer._counted`): a bonus
    theme in which nothing applies is left out."""
    return None if bonus and state.total_max == 0 else value


def _joint(
    analyser: _Analyser,
    themes: Mapping[str, _Theme],
    questions: Sequence[str],
    thresholds: Mapping[str, float],
    overall_share: Callable[[Mapping[str, float]], float],
) -> tuple[dict[str, float], dict[int, SmartRoute], dict[int, float], bool]:
    """The overall extremes, the best route at each practice level, the best overall score
    at each level and whether any venue can qualify, over every assignment of classes of
    ``questions`` (exact)."""
    scorer = analyser.scorer
    policy = scorer.policy
    bonus = set(policy.bonus_themes)
    overall = {"self": 0.0, "worst": 100.0, "best": 0.0, "share": 100.0}
    routes: dict[int, SmartRoute] = {}
    best_at = dict.fromkeys(LEVELS, -1.0)
    qualifiable = seen = False
    positions = {
        theme: [questions.index(q) for q in table.questions] for theme, table in themes.items()
    }
    sizes = [len(analyser.classes[q]) for q in questions]
    for combo in itertools.product(*(range(n) for n in sizes)):
        found: dict[str, _State] = {}
        for theme, table in themes.items():
            state = table.states[tuple(combo[i] for i in positions[theme])]
            if state is None:
                break
            found[theme] = state
        else:
            seen = True
            declared = {t: _counted(s, s.self_declared, t in bonus) for t, s in found.items()}
            best = {t: _counted(s, s.best, t in bonus) for t, s in found.items()}
            value = scorer.overall_percentage(declared)
            top = scorer.overall_percentage(best)
            worst = scorer.overall_percentage(
                {t: _counted(s, s.practice_worst, t in bonus) for t, s in found.items()}
            )
            overall["self"] = max(overall["self"], value)
            overall["best"] = max(overall["best"], top)
            overall["worst"] = min(overall["worst"], worst)
            share = overall_share({t: s.share for t, s in found.items()})
            overall["share"] = min(overall["share"], share)
            rated = frozenset().union(*(s.rated for s in found.values()))
            core_rated = frozenset(i for i in rated if analyser.theme_of.get(i) not in bonus)
            for index, level in enumerate(LEVELS):
                at = {t: _at_level(s, index, t in bonus) for t, s in found.items()}
                reached = scorer.overall_percentage(at)
                best_at[level] = max(best_at[level], reached)
                route = routes.get(level)
                if (
                    (route is None or reached > route.overall)
                    and _meets(at, reached, thresholds, policy.overall_threshold)
                    and not analyser.blocked(rated, float(level))
                ):
                    routes[level] = SmartRoute(
                        reached, at, _ordered(core_rated, scorer.questionnaire), True, level
                    )
            if _meets(best, top, thresholds, policy.overall_threshold) and not analyser.blocked(
                rated, RUBRIC_MAX
            ):
                qualifiable = True
    if not seen:
        overall["share"] = 0.0
    return overall, routes, best_at, qualifiable


def _meets(
    percentages: Mapping[str, float | None],
    overall: float,
    thresholds: Mapping[str, float],
    overall_threshold: float,
) -> bool:
    return overall + EPSILON >= overall_threshold and all(
        (value := percentages[t]) is not None and value + EPSILON >= threshold
        for t, threshold in thresholds.items()
    )


def _ordered(items: Iterable[str], questionnaire: LoadedQuestionnaire) -> tuple[str, ...]:
    return tuple(sorted(items, key=lambda i: questionnaire.by_id[i].order))


def _bound_routes(
    analyser: _Analyser, themes: Mapping[str, _Theme], thresholds: Mapping[str, float]
) -> tuple[dict[int, SmartRoute], dict[int, float], bool]:
    """Without enumerating the themes together: each theme at its own best, at each practice
    level. A route found is possible (a bound), a route not found cannot exist."""
    scorer = analyser.scorer
    policy = scorer.policy
    bonus = set(policy.bonus_themes)
    routes: dict[int, SmartRoute] = {}
    best_at: dict[int, float] = {}
    for index, level in enumerate(LEVELS):
        declared: dict[str, float | None] = {}
        reachable: dict[str, float | None] = {}
        rated: set[str] = set()
        always_rated = False
        for theme, table in themes.items():
            states = [s for s in table.states.values() if s is not None]
            # A bonus theme never lowers the overall score: at its best, or left out when
            # the venue may not present it.
            at = [
                (s, value)
                for s in states
                if (value := _at_level(s, index, theme in bonus)) is not None
            ]
            usable = [
                (s, value)
                for s, value in at
                if not analyser.blocked(s.rated, float(level), theme=theme)
                and (theme not in thresholds or value + EPSILON >= thresholds[theme])
            ]
            empty: float | None = None if theme in bonus else -1.0
            declared[theme] = max((value for _s, value in usable), default=empty)
            reachable[theme] = max((value for _s, value in at), default=empty)
            if theme not in bonus:
                rated |= {i for s, _value in usable for i in s.rated}
                always_rated = always_rated or bool(usable and all(s.rated for s, _v in usable))
        value = scorer.overall_percentage(
            {t: None if v is None else max(v, 0.0) for t, v in declared.items()}
        )
        best_at[level] = scorer.overall_percentage(
            {t: None if v is None else max(v, 0.0) for t, v in reachable.items()}
        )
        overall_floor = policy.practice.overall
        stopped = always_rated and overall_floor is not None and level + EPSILON < overall_floor
        possible = all(v is None or v >= 0 for v in declared.values()) and not stopped
        if possible and _meets(declared, value, thresholds, policy.overall_threshold):
            routes[level] = SmartRoute(
                value, declared, _ordered(rated, scorer.questionnaire), False, level
            )
    best = {
        theme: max((s.best for s in table.states.values() if s is not None), default=-1.0)
        for theme, table in themes.items()
    }
    top = scorer.overall_percentage({t: max(v, 0.0) for t, v in best.items()})
    qualifiable = _meets(best, top, thresholds, policy.overall_threshold)
    return routes, best_at, qualifiable


# -- diagnostics -----------------------------------------------------------------------------


def _pct(value: float) -> str:
    return format_number(floor_percentage(value))


def _bound_note(exact: bool) -> str:
    if exact:
        return ""
    return " " + _(
        "(a bound: the questionnaire's conditions were relaxed, this venue may not exist)"
    )


def _diagnostics(
    analyser: _Analyser,
    analysis: PolicyAnalysis,
    doc: Document,
    *,
    qualifiable: bool,
    exact: bool,
) -> Iterator[Diagnostic]:
    policy = analyser.policy
    scorer = analyser.scorer
    overall = analysis.overall
    assert overall is not None
    route = analysis.smart_route
    if route is not None:
        n = len(route.rated)
        if n:
            message = ngettext(
                "self-declaration alone qualifies: a venue whose {n} answer rated by reviewers "
                "gets 0/4 reaches every theme's threshold and the overall one ({overall} %, "
                "threshold {threshold} %), and no practice floor stops it",
                "self-declaration alone qualifies: a venue whose {n} answers rated by reviewers "
                "all get 0/4 reaches every theme's threshold and the overall one ({overall} %, "
                "threshold {threshold} %), and no practice floor stops it",
                n,
            )
        else:
            message = _(
                "self-declaration alone qualifies: a venue to which no answer rated by "
                "reviewers applies reaches every theme's threshold and the overall one "
                "({overall} %, threshold {threshold} %)"
            )
        yield Diagnostic.error(
            "POL001",
            doc.span(("overall_threshold",)),
            message.format(
                n=n, overall=_pct(route.overall), threshold=format_number(policy.overall_threshold)
            )
            + _bound_note(route.exact),
            _(
                "declare practice floors (practice: overall, themes, items) so that the "
                "reviewers' scores decide, or raise the thresholds"
            ),
        )
    for bounds in analysis.themes:
        if bounds.bonus or bounds.threshold is None or bounds.threshold <= 0:
            continue
        has_rated = any(e.item.scoring == "rubric" for e in scorer.items[bounds.theme])
        if (
            has_rated
            and bounds.self_declared + EPSILON >= bounds.threshold
            and not analyser.covered(bounds.theme)
        ):
            yield Diagnostic.warning(
                "POL002",
                doc.span(("theme_thresholds", bounds.theme)),
                _(
                    "self-declaration alone reaches the threshold of the theme '{theme}' ({best} "
                    "%, threshold {threshold} %) and no practice floor covers the theme"
                ).format(
                    best=_pct(bounds.self_declared),
                    theme=bounds.theme,
                    threshold=format_number(bounds.threshold),
                )
                + _bound_note(bounds.exact),
                _("add a floor under practice: themes: {theme}").format(theme=bounds.theme),
            )
    minimum = policy.minimum_reviewer_share
    if minimum is not None:
        for bounds in [*analysis.themes, overall]:
            if bounds.bonus or bounds.reviewer_share + EPSILON >= minimum:
                continue
            if bounds.theme:
                message = _(
                    "share of the points of the theme '{theme}' that answers rated by reviewers "
                    "carry: {share} %, below the minimum of {minimum} %"
                )
            else:
                message = _(
                    "share of the overall score that answers rated by reviewers carry: {share} "
                    "%, below the minimum of {minimum} %"
                )
            yield Diagnostic.error(
                "POL003",
                doc.span(("minimum_reviewer_share",)),
                message.format(
                    share=format_number(round(bounds.reviewer_share, 1)),
                    theme=bounds.theme,
                    minimum=format_number(minimum),
                )
                + ("" if bounds.exact else " " + _("(a bound)")),
                _("weigh the rated answers more (item_weights), or the declared ones less"),
            )
    yield from _below_autonomy(analysis, doc)
    yield from _unreachable(analysis, doc, qualifiable=qualifiable, exact=exact)
    yield from _idle(analyser, doc)


def _practice_span(doc: Document) -> Any:
    """Where a route below the autonomy level is reported: the level itself, else the floors."""
    practice = doc.data.get("practice") if isinstance(doc.data, dict) else None
    if isinstance(practice, dict) and "autonomy_level" in practice:
        return doc.span(("practice", "autonomy_level"))
    if isinstance(practice, dict):
        return doc.key_span(("practice",))
    return doc.span(("overall_threshold",))


def _below_autonomy(analysis: PolicyAnalysis, doc: Document) -> Iterator[Diagnostic]:
    """A route at a practice level above 0 and below the autonomy level (POL006): reviewers
    judge the practice does not make the person autonomous, and the venue still qualifies."""
    autonomy = analysis.autonomy_level
    if autonomy is None:
        return
    for route in analysis.routes:
        if route.level <= 0 or route.level + EPSILON >= autonomy:
            continue
        yield Diagnostic.error(
            "POL006",
            _practice_span(doc),
            ngettext(
                "practice below the autonomy level qualifies: a venue whose {n} answer rated by "
                "reviewers gets {level}/4 (below {autonomy}/4) reaches every threshold with its "
                "declarations at best ({overall} %, threshold {threshold} %), and no practice "
                "floor stops it",
                "practice below the autonomy level qualifies: a venue whose {n} answers rated "
                "by reviewers all get {level}/4 (below {autonomy}/4) reaches every threshold with "
                "its declarations at best ({overall} %, threshold {threshold} %), and no "
                "practice floor stops it",
                len(route.rated),
            ).format(
                n=len(route.rated),
                level=format_number(route.level),
                autonomy=format_number(autonomy),
                overall=_pct(route.overall),
                threshold=format_number(analysis.overall.threshold or 0)
                if analysis.overall is not None
                else "0",
            )
            + _bound_note(route.exact),
            _(
                "raise a practice floor to the autonomy level (practice: items, for the answer "
                "that says whether the person is made autonomous; or practice: overall)"
            ),
        )


def _unreachable(
    analysis: PolicyAnalysis, doc: Document, *, qualifiable: bool, exact: bool
) -> Iterator[Diagnostic]:
    overall = analysis.overall
    assert overall is not None
    found = False
    for bounds in analysis.themes:
        if bounds.threshold is not None and bounds.best + EPSILON < bounds.threshold:
            found = True
            yield Diagnostic.error(
                "POL004",
                doc.span(("theme_thresholds", bounds.theme)),
                _(
                    "no venue can reach the threshold of the theme '{theme}': at most {best} %, "
                    "with every answer at its best (threshold {threshold} %)"
                ).format(
                    theme=bounds.theme,
                    best=_pct(bounds.best),
                    threshold=format_number(bounds.threshold),
                ),
            )
    assert overall.threshold is not None
    if overall.best + EPSILON < overall.threshold:
        found = True
        yield Diagnostic.error(
            "POL004",
            doc.span(("overall_threshold",)),
            _(
                "no venue can reach the overall threshold: at most {best} %, with every answer "
                "at its best (threshold {threshold} %)"
            ).format(best=_pct(overall.best), threshold=format_number(overall.threshold)),
        )
    if not found and not qualifiable:
        yield Diagnostic.error(
            "POL004",
            doc.span(("overall_threshold",)),
            _(
                "no venue can reach every threshold at once, even with every answer at its "
                "best and every practice floor met"
            )
            + ("" if exact else " " + _("(a bound)")),
        )
    floors = _floors(doc)
    for path, value in floors:
        if value > RUBRIC_MAX:
            yield Diagnostic.error(
                "POL004",
                doc.span(path),
                _("a practice floor of {minimum}/4 cannot be met: reviewers score 0 to 4").format(
                    minimum=format_number(value)
                ),
            )


def _floors(doc: Document) -> list[tuple[tuple[str, ...], float]]:
    """Every practice floor of a policy document, with its path."""
    practice = doc.data.get("practice") if isinstance(doc.data, dict) else None
    if not isinstance(practice, dict):
        return []
    found: list[tuple[tuple[str, ...], float]] = []
    if isinstance(practice.get("overall"), int | float):
        found.append((("practice", "overall"), float(practice["overall"])))
    for scope in ("themes", "items"):
        entries = practice.get(scope)
        if isinstance(entries, dict):
            for key, value in entries.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.append((("practice", scope, key), float(value)))
    return found


def _idle(analyser: _Analyser, doc: Document) -> Iterator[Diagnostic]:
    """Scored items and themes that cannot change any decision."""
    policy = analyser.policy
    scorer = analyser.scorer
    used: set[str] = set(analyser.conditions) | set(analyser.knockouts) | set(analyser.requirements)
    floors = policy.practice
    rated_floors = set(floors.items)
    for entries in scorer.items.values():
        for entry in entries:
            theme = entry.located.theme
            if entry.item.scoring == "rubric" and (
                floors.overall is not None or theme in floors.themes
            ):
                rated_floors.add(entry.item.id)
    used |= rated_floors
    bonus = set(policy.bonus_themes)
    for theme in scorer.items:
        threshold = 0.0 if theme in bonus else policy.theme_thresholds.get(theme, 0.0)
        weight = policy.theme_weights.get(theme, 1.0)
        if threshold > 0 or (weight > 0 and policy.overall_threshold > 0):
            continue
        reason = (
            _("its weight in the overall score is 0")
            if weight <= 0
            else _("the overall threshold is 0")
        )
        if theme in policy.theme_weights:
            span = doc.key_span(("theme_weights", theme))
        elif theme in policy.theme_thresholds:
            span = doc.key_span(("theme_thresholds", theme))
        else:
            span = doc.span(("overall_threshold",))
        yield Diagnostic.warning(
            "POL005",
            span,
            _(
                "the points of the theme '{theme}' cannot change any decision: it has no "
                "threshold of its own and {reason}"
            ).format(theme=theme, reason=reason),
            _("give the theme a threshold or a weight, or drop its scoring"),
        )
    for entries in scorer.items.values():
        for entry in entries:
            item = entry.item
            if item.id in used:
                continue
            if entry.weight == 0 and item.id in policy.item_weights:
                yield Diagnostic.warning(
                    "POL005",
                    doc.key_span(("item_weights", item.id)),
                    _("'{id}' has the weight 0: its points cannot change any decision").format(
                        id=item.id
                    ),
                    _(
                        "remove it from item_weights, or make the item informative in the "
                        "questionnaire (scoring: none)"
                    ),
                )
            elif entry.max == 0:
                located = entry.located
                yield Diagnostic.warning(
                    "POL005",
                    located.doc.span((*located.path, "scoring")),
                    _("'{id}' is scored but gives no points: it cannot change any decision").format(
                        id=item.id
                    ),
                    _("give its answers points, or make it informative (scoring: none)"),
                )


# -- loading and rendering ----------------------------------------------------------------


def load_analysis(
    root: Path, policy_path: Path | None = None
) -> tuple[Scorer | None, Document | None, Report]:
    """The project's référentiel and questionnaire with the policy to analyse (the project's,
    or ``policy_path``). A broken référentiel or questionnaire stops the command; the policy's
    own problems are in the report."""
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.errors import CommandError
    from aptic_qualif.project import QUESTIONNAIRE_DIR, display_path
    from aptic_qualif.questionnaire.check import check_questionnaire
    from aptic_qualif.questionnaire.load import load_questionnaire
    from aptic_qualif.scoring.load import POLICY_FILE, check_policy, load_policy

    catalogue = load_catalogue_or_fail(root)
    folder = root / QUESTIONNAIRE_DIR
    if not folder.is_dir():
        raise CommandError(_("the project has no questionnaire ({path})").format(path=folder))
    questionnaire, report = load_questionnaire(folder)
    if questionnaire is not None:
        report.extend(check_questionnaire(questionnaire, catalogue))
    if questionnaire is None or not report.ok:
        raise CommandError(
            _("the project's questionnaire is invalid; run: aptic-qualif questionnaire validate")
        )
    path = policy_path if policy_path is not None else folder / POLICY_FILE
    if not present(path):
        raise CommandError(_("no scoring policy: {path} not found").format(path=display_path(path)))
    policy, doc, found = load_policy(path, within=folder if policy_path is None else None)
    if policy is not None and doc is not None:
        found.extend(check_policy(policy, doc, questionnaire))
    if policy is None or doc is None or not found.ok:
        return None, doc, found
    return Scorer(catalogue, questionnaire, policy), doc, found


def render_text(analysis: PolicyAnalysis) -> str:
    """The table of bounds, then the diagnostics and their summary."""
    lines = [
        _("Policy {policy}, questionnaire {questionnaire}").format(
            policy=analysis.policy, questionnaire=analysis.questionnaire
        ),
        "",
    ]
    header = [
        _("theme"),
        _("threshold"),
        _("self-declared, at best"),
        _("perfect practice, at worst"),
        _("everything at best"),
        _("reviewers' share"),
    ]
    every = [*analysis.themes, *([analysis.overall] if analysis.overall else [])]
    rows = []
    for bounds in every:
        mark = "" if bounds.exact else "*"
        rows.append(
            [
                bounds.theme or bounds.title,
                _("bonus") if bounds.threshold is None else f"{format_number(bounds.threshold)} %",
                f"{_pct(bounds.self_declared)} %{mark}",
                f"{_pct(bounds.practice_worst)} %{mark}",
                f"{_pct(bounds.best)} %{mark}",
                "—" if bounds.bonus else f"{format_number(round(bounds.reviewer_share, 1))} %",
            ]
        )
    # Headers wrap over several lines so that the table fits an 80-column terminal.
    widths = [
        max([len(row[i]) for row in rows] + [max(len(w) for w in header[i].split())])
        for i in range(len(header))
    ]
    wrapped = [
        textwrap.wrap(text, width=widths[i], break_long_words=False)
        for i, text in enumerate(header)
    ]
    for depth in range(max(len(cell) for cell in wrapped)):
        cells = [cell[depth] if depth < len(cell) else "" for cell in wrapped]
        lines.append(
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)
            ).rstrip()
        )
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
            ).rstrip()
        )
    if all(bounds.exact for bounds in every):
        lines.append(_("Every figure is exact: computed over every combination of answers."))
    else:
        lines.append(
            _("* a bound: the questionnaire's conditions were relaxed, this venue may not exist")
        )
    lines.append("")
    if analysis.levels:
        lines.append(_("Practice rated at one level everywhere, declarations at best:"))
        for bound in analysis.levels:
            if bound.best < 0:
                reached = _("no venue")
            else:
                reached = f"{_pct(bound.best)} %" + ("" if bound.exact else "*")
            verdict = _("qualifies") if bound.qualifies else _("does not qualify")
            mark = (
                "  ← " + _("below the autonomy level")
                if (bound.qualifies and bound.below_autonomy and bound.level > 0)
                else ""
            )
            lines.append(f"  {format_number(bound.level)}/4  {reached.rjust(8)}  {verdict}{mark}")
        if analysis.autonomy_level is not None:
            lines.append(
                _("Autonomy level of the policy: {level}/4.").format(
                    level=format_number(analysis.autonomy_level)
                )
            )
        lines.append("")
    route = analysis.smart_route
    if route is None:
        lines.append(_("No smart route: self-declaration alone does not qualify a venue."))
    else:
        lines.append(
            _(
                "Smart route (overall score {overall} %): every answer rated by reviewers at "
                "0/4 ({items})."
            ).format(
                items=", ".join(route.rated) or _("none applies"),
                overall=_pct(route.overall),
            )
            + _bound_note(route.exact)
        )
    lines.append(analysis.report.render_text())
    return "\n".join(lines) + "\n"

"""Static checks of the questionnaire against itself and the référentiel."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.i18n import _
from aptic_qualif.network.national import ENUMERATIONS as NATIONAL_ENUMERATIONS
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem, load_questionnaire
from aptic_qualif.questionnaire.model import (
    CHOICE_TYPES,
    NUMBER_TYPES,
    OPERATORS_BY_TYPE,
    Item,
)
from aptic_qualif.reading import present
from aptic_qualif.referentiel.check import SLUG
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.vocabularies import LIEUX_COLUMNS

REQUIRED_IDENTITY = {
    "nom": "text",
    "siret": "siret",
    "adresse": "text",
    "code_postal": "postcode",
    "commune": "text",
    "code_insee": "insee_code",
}
"""Identity items every questionnaire needs, with their type: the export depends on them."""

SCORING_FIELDS = ("points_if_true", "brackets", "services_points", "max_points", "rubric")


def validate_questionnaire(
    root: Path, catalogue: Catalogue | None
) -> tuple[LoadedQuestionnaire | None, Report]:
    """Read the questionnaire in ``root`` and run every static check."""
    from aptic_qualif.scoring.load import POLICY_FILE, check_policy, load_policy

    loaded, report = load_questionnaire(root)
    if loaded is not None:
        report.extend(check_questionnaire(loaded, catalogue))
        policy_path = root / POLICY_FILE
        if present(policy_path):  # a pipe, a folder or a broken link is reported, not skipped
            policy, doc, found = load_policy(policy_path, within=root)
            report.extend(found.diagnostics)
            if policy is not None and doc is not None:
                report.extend(check_policy(policy, doc, loaded))
    return loaded, report


def check_questionnaire(
    loaded: LoadedQuestionnaire, catalogue: Catalogue | None
) -> list[Diagnostic]:
    return [
        *_check_ids(loaded),
        *_check_identity(loaded),
        *(d for located in loaded.items for d in _check_item(located, catalogue)),
        *_check_conditions(loaded, catalogue),
        *_check_derivations(loaded),
        *_check_services_item(loaded),
        *_check_groups(loaded),
    ]


def _check_groups(loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    """QST020: a group of optional questions names questions that exist, are optional and
    unscored (leaving the group aside changes no decision), belong to one group only and
    follow one another in one section (the group is shown where they stand)."""
    by_id = loaded.by_id
    taken: dict[str, str] = {}
    for g, group in enumerate(loaded.questionnaire.groups):
        members = []
        for i, item_id in enumerate(group.items):
            span = loaded.doc.span(("groups", g, "items", i))
            located = by_id.get(item_id)
            problem = None
            if located is None:
                problem = _("no question has the id '{id}'").format(id=item_id)
            elif located.item.required:
                problem = _("'{id}' is required: only optional questions can be left aside").format(
                    id=item_id
                )
            elif located.item.scoring != "none":
                problem = _("'{id}' is scored: leaving it aside would change the score").format(
                    id=item_id
                )
            elif item_id in taken:
                problem = _("'{id}' is already in the group '{group}'").format(
                    id=item_id, group=taken[item_id]
                )
            if problem is not None:
                yield Diagnostic.error("QST020", span, problem)
                continue
            assert located is not None
            taken[item_id] = group.id
            members.append(located)
        sections = {located.theme for located in members}
        orders = sorted(located.order for located in members)
        apart = bool(orders) and orders != list(range(orders[0], orders[0] + len(orders)))
        if len(sections) > 1 or apart:
            yield Diagnostic.error(
                "QST020",
                loaded.doc.span(("groups", g, "items")),
                _(
                    "the questions of the group '{group}' do not follow one another in one "
                    "section: the group is shown where they stand"
                ).format(group=group.id),
            )


def _check_derivations(loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    """QST019: a ``derive`` rule names an item of the right type, itself not derived, and,
    for ``contains``, one of its options."""
    from aptic_qualif.questionnaire.derive import RULES

    by_id = loaded.by_id
    for located in loaded.items:
        rule = located.item.derive
        if rule is None:
            continue
        source = by_id.get(rule.source)
        source_type, item_type = RULES[rule.rule]
        if source is None:
            close = difflib.get_close_matches(rule.source, list(by_id), n=1)
            yield _error(
                located,
                ("derive", "source"),
                "QST019",
                _("the answer is derived from '{id}', which is not an item").format(id=rule.source),
                _("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
            continue
        if source.item.derive is not None:
            yield _error(
                located,
                ("derive", "source"),
                "QST019",
                _("'{id}' is itself derived: derive from the answer it follows from").format(
                    id=rule.source
                ),
            )
        if source.item.type != source_type or located.item.type != item_type:
            yield _error(
                located,
                ("derive", "rule"),
                "QST019",
                _(
                    "the rule '{rule}' derives a {item_type} from a {source_type}; here a "
                    "{found_item} from a {found_source}"
                ).format(
                    rule=rule.rule,
                    item_type=item_type,
                    source_type=source_type,
                    found_item=located.item.type,
                    found_source=source.item.type,
                ),
            )
        values = [option.value for option in source.item.options or ()]
        if rule.rule == "contains" and rule.value not in values:
            yield _error(
                located,
                ("derive", "value"),
                "QST019",
                _("'{value}' is not an option of '{id}'").format(value=rule.value, id=rule.source),
            )


def _error(
    located: LocatedItem,
    sub: tuple[str | int, ...],
    code: str,
    message: str,
    hint: str | None = None,
    *,
    key: bool = False,
) -> Diagnostic:
    """A diagnostic at the value (or, with ``key``, the key) at ``sub`` inside the item."""
    path = (*located.path, *sub)
    span = located.doc.key_span(path) if key else located.doc.span(path)
    return Diagnostic.error(code, span, message, hint)


def _check_ids(loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    doc = loaded.doc
    if not SLUG.fullmatch(loaded.questionnaire.id):
        yield Diagnostic.error(
            "QST002",
            doc.span(("id",)),
            _(
                "identifier '{id}' is not a slug: lowercase letters without accents, digits and "
                "single hyphens"
            ).format(id=loaded.questionnaire.id),
        )
    seen_themes: set[str] = set()
    for index, theme in enumerate(loaded.questionnaire.themes):
        if theme in seen_themes:
            yield Diagnostic.error(
                "QST003",
                doc.span(("themes", index)),
                _("theme '{theme}' is listed twice").format(theme=theme),
            )
        seen_themes.add(theme)
    first: dict[str, LocatedItem] = {}
    for located in loaded.items:
        if not SLUG.fullmatch(located.id) and not located.is_identity:
            yield _error(
                located,
                ("id",),
                "QST002",
                _(
                    "identifier '{id}' is not a slug: lowercase letters without accents, digits "
                    "and single hyphens"
                ).format(id=located.id),
            )
        other = first.setdefault(located.id, located)
        if other is not located:
            yield _error(
                located,
                ("id",),
                "QST001",
                _("item id '{id}' is already used in {file}, line {line}").format(
                    id=located.id,
                    file=other.doc.file,
                    line=other.doc.span((*other.path, "id")).line,
                ),
            )


def _check_identity(loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    present = {located.id: located for located in loaded.identity}
    for name, kind in REQUIRED_IDENTITY.items():
        located = present.get(name)
        if located is None:
            yield Diagnostic.error(
                "QST015",
                loaded.doc.span(("identity",)),
                _(
                    "the identity section lacks the item '{id}' (type {type}), needed to "
                    "export the venue"
                ).format(id=name, type=kind),
            )
        elif located.item.type != kind:
            yield _error(
                located,
                ("type",),
                "QST015",
                _("identity item '{id}' must be of type {type}").format(id=name, type=kind),
            )
    for located in loaded.identity:
        if located.item.scoring != "none":
            yield _error(
                located,
                ("scoring",),
                "QST006",
                _("identity items are not scored; remove 'scoring'"),
            )
    # A theme item may fill a column too: asked once, in the theme, and exported.
    for located in loaded.items:
        item = located.item
        if item.export is not None and item.export not in LIEUX_COLUMNS:
            close = difflib.get_close_matches(item.export, LIEUX_COLUMNS, n=1)
            yield _error(
                located,
                ("export",),
                "QST015",
                _("'{column}' is not a column of the national venue schema").format(
                    column=item.export
                ),
                _("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
        allowed = NATIONAL_ENUMERATIONS.get(item.export or "")
        for index, option in enumerate(item.options or ()):
            if allowed is not None and option.export is not None and option.export not in allowed:
                yield _error(
                    located,
                    ("options", index, "export"),
                    "QST015",
                    _(
                        "'{value}' is not a value of the column '{column}' of the national "
                        "venue schema"
                    ).format(value=option.export, column=item.export),
                )


def _check_item(located: LocatedItem, catalogue: Catalogue | None) -> Iterator[Diagnostic]:
    item = located.item
    for lang in ("fr", "en"):
        if not getattr(item.label, lang).strip():
            yield _error(
                located,
                ("label", lang),
                "QST016",
                _("the label in '{lang}' is empty").format(lang=lang),
            )
    yield from _check_options(located)
    yield from _check_numbers(located)
    yield from _check_scoring(located)
    if item.levels is not None:
        if item.type != "services":
            yield _error(
                located,
                ("levels",),
                "QST013",
                _("'levels' only applies to an item of type services"),
            )
        elif catalogue is not None:
            for index, level in enumerate(item.levels):
                if level not in catalogue.levels:
                    yield _error(
                        located,
                        ("levels", index),
                        "QST013",
                        _("'{level}' is not a level of the référentiel").format(level=level),
                    )


def _check_options(located: LocatedItem) -> Iterator[Diagnostic]:
    item = located.item
    if item.type in CHOICE_TYPES:
        if not item.options:
            yield _error(
                located,
                ("type",),
                "QST004",
                _("a {type} item needs options").format(type=item.type),
            )
            return
        values: set[str] = set()
        for index, option in enumerate(item.options):
            if not SLUG.fullmatch(option.value):
                yield _error(
                    located,
                    ("options", index, "value"),
                    "QST002",
                    _("option value '{value}' is not a slug").format(value=option.value),
                )
            if option.value in values:
                yield _error(
                    located,
                    ("options", index, "value"),
                    "QST004",
                    _("option value '{value}' appears twice").format(value=option.value),
                )
            values.add(option.value)
            if option.exclusive and item.type != "multiple_choice":
                yield _error(
                    located,
                    ("options", index, "exclusive"),
                    "QST004",
                    _("'exclusive' only applies to an option of a multiple choice"),
                    key=True,
                )
    elif item.options is not None:
        yield _error(
            located,
            ("options",),
            "QST004",
            _("an item of type {type} has no options").format(type=item.type),
            key=True,
        )


def _check_numbers(located: LocatedItem) -> Iterator[Diagnostic]:
    item = located.item
    if item.type not in NUMBER_TYPES:
        for name in ("min", "max", "unit"):
            if getattr(item, name) is not None:
                yield _error(
                    located,
                    (name,),
                    "QST014",
                    _("'{field}' only applies to numbers").format(field=name),
                )
        return
    if item.min is not None and item.max is not None and item.min > item.max:
        yield _error(
            located,
            ("min",),
            "QST014",
            _("min ({min}) is greater than max ({max})").format(min=item.min, max=item.max),
        )
    brackets = item.brackets or []
    for index in range(1, len(brackets)):
        before, after = brackets[index - 1], brackets[index]
        if after.min <= before.min or after.points <= before.points:
            yield _error(
                located,
                ("brackets", index),
                "QST014",
                _(
                    "brackets must rise: each needs a higher min and more points than the one "
                    "before"
                ),
            )


def _check_scoring(located: LocatedItem) -> Iterator[Diagnostic]:
    item = located.item
    needed: str | None = None
    if item.scoring == "auto":
        if item.type in CHOICE_TYPES:
            for index, option in enumerate(item.options or ()):
                if option.points is None:
                    yield _error(
                        located,
                        ("options", index),
                        "QST005",
                        _(
                            "option '{value}' has no points, but the item is scored automatically"
                        ).format(value=option.value),
                        _("give it points: 0 is a valid value"),
                    )
        elif item.type == "boolean":
            needed = "points_if_true"
        elif item.type in NUMBER_TYPES:
            needed = "brackets"
        elif item.type == "services":
            needed = "services_points"
        else:
            yield _error(
                located,
                ("scoring",),
                "QST006",
                _("an item of type {type} cannot be scored automatically; use a rubric").format(
                    type=item.type
                ),
            )
        if needed is not None and getattr(item, needed) in (None, []):
            yield _error(
                located,
                ("scoring",),
                "QST005",
                _("the item is scored automatically but defines no '{field}'").format(field=needed),
            )
        expected = {needed} if needed else set()
        if item.type == "multiple_choice":
            expected.add("max_points")
    elif item.scoring == "rubric":
        expected = {"rubric"}
        yield from _check_rubric(located)
    else:
        expected = set()
        for index, option in enumerate(item.options or ()):
            if option.points is not None:
                yield _error(
                    located,
                    ("options", index, "points"),
                    "QST005",
                    _("points are given but the item is not scored"),
                    _("add scoring: auto, or remove the points"),
                )
    for name in SCORING_FIELDS:
        if name not in expected and getattr(item, name) is not None:
            yield _error(
                located,
                (name,),
                "QST005",
                _("'{field}' does not apply to a {type} item scored '{scoring}'").format(
                    field=name, type=item.type, scoring=item.scoring
                ),
            )


def _check_rubric(located: LocatedItem) -> Iterator[Diagnostic]:
    rubric = located.item.rubric
    if not rubric:
        yield _error(
            located,
            ("scoring",),
            "QST007",
            _("a rubric item needs its 5 steps, scored 0 to 4"),
        )
        return
    scores = [step.score for step in rubric]
    if scores != [0, 1, 2, 3, 4]:
        yield _error(
            located,
            ("rubric",),
            "QST007",
            _("the rubric steps must be scored 0, 1, 2, 3, 4 in order (found: {scores})").format(
                scores=", ".join(map(str, scores))
            ),
            key=True,
        )
    for index, step in enumerate(rubric):
        if not step.description.fr.strip():
            yield _error(
                located,
                ("rubric", index, "description", "fr"),
                "QST007",
                _("rubric step {score} has no description").format(score=step.score),
            )


def _check_conditions(
    loaded: LoadedQuestionnaire, catalogue: Catalogue | None
) -> Iterator[Diagnostic]:
    by_id = loaded.by_id
    in_cycle = _cycles(loaded)
    reported_cycles: set[tuple[str, ...]] = set()
    for located in loaded.items:
        rule = located.item.enable_when
        if rule is None:
            continue
        for index, condition in enumerate(rule.conditions):
            sub = ("enable_when", "conditions", index)
            target = by_id.get(condition.question)
            if target is None:
                close = difflib.get_close_matches(condition.question, list(by_id), n=1)
                yield _error(
                    located,
                    (*sub, "question"),
                    "QST008",
                    _("the condition names '{id}', which is not an item").format(
                        id=condition.question
                    ),
                    _("did you mean '{name}'?").format(name=close[0]) if close else None,
                )
                continue
            cycle = in_cycle.get(located.id)
            if cycle is not None and condition.question in cycle:
                if cycle not in reported_cycles:
                    reported_cycles.add(cycle)
                    yield _error(
                        located,
                        (*sub, "question"),
                        "QST012",
                        _("conditions form a cycle: {cycle}").format(
                            cycle=" → ".join([*cycle, cycle[0]])
                        ),
                    )
                continue
            if target.order >= located.order:
                yield _error(
                    located,
                    (*sub, "question"),
                    "QST009",
                    _(
                        "the condition names '{id}', which comes after this item; a condition "
                        "may only depend on an earlier item"
                    ).format(id=condition.question),
                )
            yield from _check_operator(
                located, sub, condition.operator, condition.value, target.item, catalogue
            )


def _check_operator(
    located: LocatedItem,
    sub: tuple[str | int, ...],
    operator: str,
    value: object,
    target: Item,
    catalogue: Catalogue | None,
) -> Iterator[Diagnostic]:
    allowed = OPERATORS_BY_TYPE.get(target.type, frozenset({"exists"}))
    if operator not in allowed:
        yield _error(
            located,
            (*sub, "operator"),
            "QST010",
            _(
                "operator '{operator}' does not apply to '{id}' (type {type}); use one of: "
                "{allowed}"
            ).format(
                operator=operator,
                id=target.id,
                type=target.type,
                allowed=", ".join(sorted(allowed)),
            ),
        )
        return
    problem: str | None = None
    if operator == "exists":
        if value is not None and not isinstance(value, bool):
            problem = _("'exists' takes true or false")
    elif target.type == "boolean":
        if not isinstance(value, bool):
            problem = _("the value must be true or false")
    elif target.type in CHOICE_TYPES:
        values = [o.value for o in target.options or ()]
        if value not in values:
            problem = _("'{value}' is not an option of '{id}' ({values})").format(
                value=value, id=target.id, values=", ".join(values)
            )
    elif target.type == "services":
        if catalogue is not None and value not in catalogue.services:
            problem = _("'{value}' is not a service of the référentiel").format(value=value)
    elif target.type in NUMBER_TYPES and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        problem = _("the value must be a number")
    if problem is not None:
        yield _error(located, (*sub, "value"), "QST011", problem)


def _cycles(loaded: LoadedQuestionnaire) -> dict[str, tuple[str, ...]]:
    """Items on a cycle of conditions, each mapped to its cycle (from its smallest id)."""
    edges = {
        located.id: sorted({c.question for c in located.item.enable_when.conditions})
        for located in loaded.items
        if located.item.enable_when is not None
    }
    state: dict[str, int] = {}
    found: dict[str, tuple[str, ...]] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                ordered = tuple(cycle[start:] + cycle[:start])
                for member in cycle:
                    found.setdefault(member, ordered)
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in edges:
        if node not in state:
            visit(node, [])
    return found


def _check_services_item(loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    if not any(located.item.type == "services" for located in loaded.items):
        yield Diagnostic.error(
            "QST013",
            loaded.doc.span(("themes",)),
            _(
                "no item asks which services of the référentiel the venue offers "
                "(an item of type services)"
            ),
        )

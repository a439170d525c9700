"""Reading and checking a scoring policy against the questionnaire it scores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.questionnaire.model import OPERATORS_BY_TYPE
from aptic_qualif.schema import validate_document
from aptic_qualif.scoring.policy import Policy
from aptic_qualif.text import check_texts, multiline_under
from aptic_qualif.yamlio import Document, load_yaml

POLICY_FILE = "policy.yaml"

MULTILINE = multiline_under("description", "reason")
"""Where a text of a policy may hold several lines; its label, ids and titles are one line,
and no text holds a control character (``TXT001``)."""


def load_policy(
    path: Path, *, within: Path | None = None
) -> tuple[Policy | None, Document | None, Report]:
    """Read the policy at ``path``; the project's own (``within`` its folder) never leads
    outside it."""
    report = Report()
    doc, diagnostics = load_yaml(path, display_path(path), within=within)
    report.extend(diagnostics)
    if doc is None or diagnostics:
        return None, doc, report
    texts = check_texts(doc, MULTILINE)
    report.extend(texts)
    policy, diagnostics = validate_document(Policy, doc)
    report.extend(diagnostics)
    return (None if texts else policy), doc, report


def check_policy(
    policy: Policy, doc: Document, questionnaire: LoadedQuestionnaire
) -> list[Diagnostic]:
    return list(_check(policy, doc, questionnaire))


def _check(policy: Policy, doc: Document, loaded: LoadedQuestionnaire) -> Iterator[Diagnostic]:
    if policy.questionnaire != loaded.questionnaire.id:
        yield Diagnostic.error(
            "QST017",
            doc.span(("questionnaire",)),
            _("the policy scores the questionnaire '{id}', not '{expected}'").format(
                id=policy.questionnaire, expected=loaded.questionnaire.id
            ),
        )
    themes = set(loaded.questionnaire.themes)
    for field in ("theme_weights", "theme_thresholds"):
        for theme, value in getattr(policy, field).items():
            if theme not in themes:
                yield Diagnostic.error(
                    "QST017",
                    doc.key_span((field, theme)),
                    _("'{theme}' is not a theme of the questionnaire").format(theme=theme),
                )
            elif value < 0 or (field == "theme_thresholds" and value > 100):
                yield _out_of_range(doc, (field, theme), value)
    if not 0 <= policy.overall_threshold <= 100:
        yield _out_of_range(doc, ("overall_threshold",), policy.overall_threshold)
    by_id = loaded.by_id
    for item, weight in policy.item_weights.items():
        if item not in by_id or by_id[item].is_identity:
            yield Diagnostic.error(
                "QST017",
                doc.key_span(("item_weights", item)),
                _("'{id}' is not a scored item of the questionnaire").format(id=item),
            )
        elif weight < 0:
            yield _out_of_range(doc, ("item_weights", item), weight)
    for index, theme in enumerate(policy.bonus_themes):
        if theme not in themes:
            yield Diagnostic.error(
                "QST017",
                doc.span(("bonus_themes", index)),
                _("'{theme}' is not a theme of the questionnaire").format(theme=theme),
            )
        elif theme in policy.theme_thresholds and policy.theme_thresholds[theme] > 0:
            yield Diagnostic.error(
                "QST018",
                doc.key_span(("theme_thresholds", theme)),
                _("'{theme}' is a bonus theme: it cannot have a threshold").format(theme=theme),
            )
    if policy.minimum_reviewer_share is not None and not 0 <= policy.minimum_reviewer_share <= 100:
        yield _out_of_range(doc, ("minimum_reviewer_share",), policy.minimum_reviewer_share)
    floors = policy.practice
    if floors.overall is not None and not 0 <= floors.overall <= 4:
        yield _floor_out_of_range(doc, ("practice", "overall"), floors.overall)
    for theme, minimum in floors.themes.items():
        if theme not in themes:
            yield Diagnostic.error(
                "QST017",
                doc.key_span(("practice", "themes", theme)),
                _("'{theme}' is not a theme of the questionnaire").format(theme=theme),
            )
        elif not 0 <= minimum <= 4:
            yield _floor_out_of_range(doc, ("practice", "themes", theme), minimum)
    for item, minimum in floors.items.items():
        if item not in by_id or by_id[item].item.scoring != "rubric":
            yield Diagnostic.error(
                "QST017",
                doc.key_span(("practice", "items", item)),
                _("'{id}' is not an item rated by reviewers").format(id=item),
            )
        elif not 0 <= minimum <= 4:
            yield _floor_out_of_range(doc, ("practice", "items", item), minimum)
    conditions = [
        (
            ("knockouts", index),
            knockout.item,
            knockout.condition,
            knockout.invalid_identity or knockout.venue_closed,
        )
        for index, knockout in enumerate(policy.knockouts)
    ] + [
        (("requirements", index), requirement.item, requirement.condition, False)
        for index, requirement in enumerate(policy.requirements)
    ]
    for where, item_id, condition, without_item in conditions:
        if without_item:
            continue
        if item_id is None or condition is None:
            yield Diagnostic.error(
                "QST018",
                doc.span(where),
                _(
                    "a knock-out needs 'item' and 'condition', or 'invalid_identity: true', or "
                    "'venue_closed: true'"
                ),
            )
            continue
        target = by_id.get(item_id)
        if target is None:
            yield Diagnostic.error(
                "QST017",
                doc.span((*where, "item")),
                _("'{id}' is not an item of the questionnaire").format(id=item_id),
            )
            continue
        allowed = OPERATORS_BY_TYPE.get(target.item.type, frozenset({"exists"}))
        if condition.operator not in allowed:
            yield Diagnostic.error(
                "QST018",
                doc.span((*where, "condition", "operator")),
                _("operator '{operator}' does not apply to '{id}' (type {type})").format(
                    operator=condition.operator, id=target.id, type=target.item.type
                ),
            )
    if policy.rules[-1].when != "always":
        yield Diagnostic.error(
            "QST018",
            doc.span(("rules", len(policy.rules) - 1)),
            _(
                "the last decision rule must be 'when: always', so that every application gets "
                "a decision"
            ),
        )
    if policy.reviews.disagreement < 1 or policy.reviews.minimum_reviewers < 1:
        yield Diagnostic.error(
            "QST018",
            doc.span(("reviews",)),
            _("'disagreement' and 'minimum_reviewers' must be at least 1"),
        )


def _floor_out_of_range(doc: Document, path: tuple[str, ...], value: float) -> Diagnostic:
    return Diagnostic.error(
        "QST018",
        doc.span(path),
        _("{value} is out of range (a minimum of the reviewers' scores is between 0 and 4)").format(
            value=value
        ),
    )


def _out_of_range(doc: Document, path: tuple[str, ...], value: float) -> Diagnostic:
    return Diagnostic.error(
        "QST018",
        doc.span(path),
        _("{value} is out of range (weights ≥ 0, thresholds between 0 and 100)").format(
            value=value
        ),
    )

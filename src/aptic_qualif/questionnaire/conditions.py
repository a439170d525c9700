"""Evaluating ``enable_when``: declarative conditions, never code.

An item is enabled when its conditions hold (all of them, or any, per ``behavior``).
As in FHIR, the answer of a disabled item counts as absent, so a condition on it is
evaluated as if it had not been answered. Conditions refer to earlier items only, so a
single pass in questionnaire order settles every item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aptic_qualif.formats import number
from aptic_qualif.i18n import N_, _
from aptic_qualif.questionnaire.model import Condition, Item


def is_answered(value: Any) -> bool:
    """``None``, an empty text and an empty list count as no answer."""
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _same(answer: Any, expected: Any) -> bool:
    left, right = _number(answer), _number(expected)
    if left is not None and right is not None:
        return left == right
    return type(answer) is type(expected) and bool(answer == expected)


def holds(condition: Condition, answer: Any) -> bool:
    """Whether ``condition`` holds for ``answer`` (the answer of the item it names)."""
    operator, expected = condition.operator, condition.value
    answered = is_answered(answer)
    if operator == "exists":
        return answered == (expected is None or bool(expected))
    if operator in {"contains", "not_contains"}:
        present = answered and isinstance(answer, list) and expected in answer
        return present if operator == "contains" else not present
    if operator in {"equals", "not_equals"}:
        same = answered and _same(answer, expected)
        return same if operator == "equals" else not same
    left, right = _number(answer), _number(expected)
    if left is None or right is None:
        return False
    if operator == "greater_than":
        return left > right
    if operator == "greater_or_equal":
        return left >= right
    if operator == "less_than":
        return left < right
    return left <= right  # less_or_equal


CONDITION_WORDS = {
    "equals": N_("the answer to {question} is {value}"),
    "not_equals": N_("the answer to {question} is not {value}"),
    "greater_than": N_("the answer to {question} is greater than {value}"),
    "greater_or_equal": N_("the answer to {question} is {value} or more"),
    "less_than": N_("the answer to {question} is less than {value}"),
    "less_or_equal": N_("the answer to {question} is {value} or less"),
    "contains": N_("the answer to {question} includes {value}"),
    "not_contains": N_("the answer to {question} does not include {value}"),
}
"""Each operator in words, in the language in use: the same sentences as the site's
questionnaire pages (``_condition.md.j2``), which link the question and the value."""


def describe_condition(condition: Condition) -> str:
    """``condition`` in words, in the language in use, the question named by its id (the key
    written in the application file): « la réponse à inn-presenter est « oui » »."""
    question, value = condition.question, condition.value
    if condition.operator == "exists":
        if value is False:
            return _("the answer to {question} is not given").format(question=question)
        return _("the answer to {question} is given").format(question=question)
    if value is True:
        shown = _("“yes”")
    elif value is False:
        shown = _("“no”")
    elif isinstance(value, int | float):
        shown = number(value)
    else:
        shown = _("“{value}”").format(value=value)
    return _(CONDITION_WORDS[condition.operator]).format(question=question, value=shown)


def enabled_items(items: Iterable[Item], answers: Mapping[str, Any]) -> set[str]:
    """Ids of the enabled items, given ``answers`` keyed by item id (in questionnaire order)."""
    enabled: set[str] = set()
    for item in items:
        rule = item.enable_when
        if rule is None:
            enabled.add(item.id)
            continue
        results = (
            holds(c, answers.get(c.question) if c.question in enabled else None)
            for c in rule.conditions
        )
        if all(results) if rule.behavior == "all" else any(results):
            enabled.add(item.id)
    return enabled

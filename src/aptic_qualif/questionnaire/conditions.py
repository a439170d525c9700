"""Evaluating ``enable_when``: declarative conditions, never code.

An item is enabled when its conditions hold (all of them, or any, per ``behavior``).
As in FHIR, the answer of a disabled item counts as absent, so a condition on it is
evaluated as if it had not been answered. Conditions refer to earlier items only, so a
single pass in questionnaire order settles every item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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

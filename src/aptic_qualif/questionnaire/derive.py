"""Answers that follow from other answers, so that no concept is asked twice.

An item with a ``derive`` rule (:class:`~aptic_qualif.questionnaire.model.Derivation`) is
not asked while the item it follows from is: the commune's name follows from its INSEE code,
whether referrals come with a prescription form from the ways in (``modalites_acces``). A
derived answer counts as the venue's own everywhere (conditions, scores, exports); an answer
written in the file is kept and checked as usual, so that an application written before the
rule stays valid.

Every front asks the same questions: :func:`asked` is what the web form, ``apply fill`` and
the length measure (:mod:`aptic_qualif.questionnaire.effort`) show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aptic_qualif.questionnaire.conditions import enabled_items, is_answered
from aptic_qualif.questionnaire.model import Item

RULES = {"commune-name": ("insee_code", "text"), "contains": ("multiple_choice", "boolean")}
"""Each rule with the type of its source and the type of the item it answers."""


def derived_value(item: Item, answers: Mapping[str, Any]) -> Any | None:
    """The answer of ``item`` that follows from ``answers``, or ``None`` when it does not
    follow (no rule, the source unanswered, an INSEE code of no current commune)."""
    rule = item.derive
    if rule is None:
        return None
    source = answers.get(rule.source)
    if not is_answered(source):
        return None
    if rule.rule == "commune-name":
        from aptic_qualif.communes import communes

        found = communes().current(str(source))
        return found.name if found is not None and found.name else None
    if rule.rule == "contains":
        return isinstance(source, list) and rule.value in source
    return None


def derivable(items: Iterable[Item], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Each item of ``items`` whose answer follows from ``answers``, with that answer."""
    found: dict[str, Any] = {}
    for item in items:
        value = derived_value(item, answers)
        if value is not None:
            found[item.id] = value
    return found


def asked(items: Iterable[Item], answers: Mapping[str, Any]) -> set[str]:
    """The items a venue is asked, given ``answers``: those that apply (:func:`~aptic_qualif.
    questionnaire.conditions.enabled_items`), less the derived ones whose source applies —
    the source is asked instead, and the derived answer follows from it."""
    listed = list(items)
    enabled = enabled_items(listed, answers)
    return enabled - not_asked(listed, enabled, answers)


def not_asked(
    items: Iterable[Item], enabled: set[str], answers: Mapping[str, Any] | None = None
) -> set[str]:
    """The derived items of ``items`` whose source is among the ``enabled`` items. With
    ``answers``, a derived item whose written answer differs from what follows from its
    source stays asked: the venue's word stands, where the venue can see and change it."""
    found = set()
    for item in items:
        rule = item.derive
        if rule is None or item.id not in enabled or rule.source not in enabled:
            continue
        if answers is not None:
            given = answers.get(item.id)
            if is_answered(given) and given != derived_value(item, answers):
                continue
        found.add(item.id)
    return found

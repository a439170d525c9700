"""Answers as people type them: text from a prompt or a web form, turned into the values an
application file holds.

One conversion for every front-end (``apply fill`` in the terminal, ``serve`` in the browser):
the typed text becomes a number, a boolean, a list of choices…, then
:func:`aptic_qualif.application.check_answer` says whether it is valid. A text that cannot be
converted is kept as typed, so that nothing a person wrote is lost: the application's own
validation then reports it beside the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from aptic_qualif.application import check_answer, exclusive_conflict
from aptic_qualif.i18n import _
from aptic_qualif.questionnaire.load import LocatedItem
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.text import parse_number


def long_answer(located: LocatedItem) -> bool:
    """Whether ``located`` expects a long answer, typed on several lines: a text question
    that may hold line breaks (:attr:`LocatedItem.multiline`: the text questions of the
    themes, which reviewers rate and ask ten lines or so for, and the identity texts that say
    so); a name or an address is one line."""
    return located.item.type == "text" and located.multiline


def convert_text(item: Item, typed: str, *, multiline: bool = False) -> tuple[Any, str | None]:
    """``typed`` (one text) as the value of ``item``, and the error message if it is not
    valid (``None`` for an empty optional answer); ``multiline``: it may hold line breaks."""
    text = typed.strip()
    if not text:
        return None, (_("an answer is required") if item.required else None)
    value: Any = text
    if item.type in {"integer", "decimal"}:
        number = parse_number(text, integer=item.type == "integer")
        if number is None:
            return text, (
                _("type a whole number") if item.type == "integer" else _("type a number")
            )
        value = number
    elif item.type == "boolean":
        lowered = text.lower()
        if lowered in {"true", "oui", "yes"}:
            value = True
        elif lowered in {"false", "non", "no"}:
            value = False
        else:
            return text, _("answer yes or no")
    elif item.type == "date" and text.lower() in {"aujourd'hui", "today"}:
        value = date.today().isoformat()
    if item.type in {"single_choice", "multiple_choice", "services"}:
        return convert_choices(item, [text], None)
    normalised, problems = check_answer(item, value, None, hints=True, multiline=multiline)
    if problems:
        return value, problems[0]
    return normalised, None


def convert_choices(
    item: Item, chosen: Sequence[str], catalogue: Catalogue | None
) -> tuple[Any, str | None]:
    """The options ``chosen`` (their values) as the answer to a choice item: one value for a
    single choice, a list for a multiple choice or services; with the error message if any."""
    values = [value for value in dict.fromkeys(chosen) if value]
    if item.type == "single_choice":
        if not values:
            return None, (_("an answer is required") if item.required else None)
        value: Any = values[0]
    else:
        if not values:
            return None, (_("choose at least one answer") if item.required else None)
        exclusive = exclusive_conflict(item, values)
        if exclusive is not None:
            return values, _("'{value}' excludes every other choice").format(value=exclusive)
        value = values
    normalised, problems = check_answer(item, value, catalogue)
    if problems:
        return value, problems[0]
    return normalised, None


def convert_form(
    located: LocatedItem, raw: Sequence[str], catalogue: Catalogue | None
) -> tuple[Any, str | None]:
    """The values a web form sent for a question (one per field of its name) as its answer."""
    item = located.item
    if item.type in {"single_choice", "multiple_choice", "services"}:
        return convert_choices(item, raw, catalogue)
    return convert_text(item, raw[-1] if raw else "", multiline=located.multiline)


def evidence_lines(typed: str) -> list[str]:
    """Evidence typed one per line: the non-empty lines, stripped, without duplicates."""
    return list(dict.fromkeys(line.strip() for line in typed.splitlines() if line.strip()))

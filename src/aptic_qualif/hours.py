"""Opening hours in OpenStreetMap's ``opening_hours`` format, which the national schema of
digital-mediation venues expects in its ``horaires`` column.

The syntax is checked by ``opening-hours-py`` (a maintained parser of the OSM specification);
this module turns its verdict into messages for venues, and points out the one trap that
keeps coming back: a rule after ``;`` *replaces* the hours that earlier rules gave the same
days, so ``Mo,Tu,Th 09:00-12:00; Tu 14:00-17:00`` closes Tuesday morning.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import opening_hours

from aptic_qualif.i18n import _

EXAMPLE = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00"
"""A valid value, shown in hints."""

_PARSE_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", SyntaxError),  # not in the package's type stubs
    SyntaxError,
    ValueError,
)
_EVAL_ERRORS: tuple[type[Exception], ...] = (*_PARSE_ERRORS, TypeError)
_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_WEEK = datetime(2025, 3, 3)  # a Monday, in a week without French public holidays
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(frozen=True)
class HoursCheck:
    """The verdict on one value: an error (the value is refused) or a warning (the value is
    valid but reads otherwise than it seems), each with a hint."""

    error: str | None = None
    warning: str | None = None
    hint: str | None = None


def check_opening_hours(text: str) -> HoursCheck:
    """Whether ``text`` is a valid OSM ``opening_hours`` value, and what to do if not."""
    try:
        parsed = opening_hours.OpeningHours(text)
    except _PARSE_ERRORS as exc:
        found = _POSITION.search(str(exc))
        column = int(found.group(1)) if found else 0
        near = text[column - 1 :][:20] if column > 1 else ""
        if near:
            message = _(
                "'{value}' is not in OpenStreetMap's opening_hours format (the problem starts "
                "at '{near}')"
            ).format(value=text, near=near)
        else:
            message = _("'{value}' is not in OpenStreetMap's opening_hours format").format(
                value=text
            )
        return HoursCheck(error=message, hint=_hint())
    replaced = _replaced_days(text)
    if replaced:
        return HoursCheck(
            warning=_(
                "under OpenStreetMap's rules, a rule after ';' replaces the earlier hours of "
                "the days it names ({days}): this value reads as '{reading}'"
            ).format(days=", ".join(replaced), reading=str(parsed.normalize())),
            hint=_(
                "to add hours to a day, give all of them in one rule, for example "
                "'Tu 09:00-12:00,14:00-17:00'"
            ),
        )
    return HoursCheck()


def _hint() -> str:
    return _(
        "days in English abbreviations (Mo Tu We Th Fr Sa Su), times as 09:00-12:00, rules "
        "separated by ';', for example '{example}'"
    ).format(example=EXAMPLE)


def _rules(text: str) -> list[str]:
    """The rules of ``text`` separated by ``;`` (outside quoted comments)."""
    rules: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            rules.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    rules.append("".join(current).strip())
    return [rule for rule in rules if rule]


def _open_times(text: str) -> list[set[tuple[datetime, datetime]]] | None:
    """The open intervals of each day of a reference week, or ``None`` if ``text`` cannot be
    evaluated on its own."""
    try:
        parsed = opening_hours.OpeningHours(text)
        days: list[set[tuple[datetime, datetime]]] = []
        for number in range(7):
            start = _WEEK + timedelta(days=number)
            days.append(
                {
                    (begin, end)
                    for begin, end, state, _comment in parsed.intervals(
                        start, start + timedelta(days=1)
                    )
                    if state == opening_hours.State.OPEN
                }
            )
    except _EVAL_ERRORS:
        return None
    return days


@functools.lru_cache(maxsize=1024)
def _replaced_days(text: str) -> tuple[str, ...]:
    """The days for which a later rule gives hours that share nothing with the hours the
    earlier rules gave: most likely meant as more hours, read as a replacement. Cached:
    a batch repeats the same few values, and each evaluates a week per rule."""
    rules = _rules(text)
    replaced: list[str] = []
    for index in range(1, len(rules)):
        before = _open_times("; ".join(rules[:index]))
        rule = _open_times(rules[index])
        if before is None or rule is None:
            continue
        for number, (old, new) in enumerate(zip(before, rule, strict=True)):
            overlap = any(a < d and c < b for a, b in old for c, d in new)
            if old and new and not overlap and _DAYS[number] not in replaced:
                replaced.append(_DAYS[number])
    return tuple(replaced)

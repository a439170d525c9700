"""Opening hours in OpenStreetMap's ``opening_hours`` format, which the national schema of
digital-mediation venues expects in its ``horaires`` column.

The syntax is checked by ``opening-hours-py`` (a maintained parser of the OSM specification);
this module turns its verdict into messages for venues, and points out the one trap that
keeps coming back: a rule after ``;`` *replaces* the hours that earlier rules gave the same
days, so ``Mo,Tu,Th 09:00-12:00; Tu 14:00-17:00`` closes Tuesday morning.

Two rules are stricter than OpenStreetMap's, for venues that open during the day: a time is
a time of day (``00:00`` to ``24:00``, minutes ``00`` to ``59``: OSM's ``25:00``, one in
the morning of the next day, is refused), and a range ends after it starts (OSM reads
``14:00-12:00`` as open overnight; here it is a typo). Hours written the French way
(``Lu-Ve 9h-12h``, ``du lundi au vendredi``) are answered with the OSM spelling to use.
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
    impossible = _impossible_time(text)
    if impossible is not None:
        return HoursCheck(error=impossible, hint=_hint())
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
        suggestion = french_to_osm(text)
        if suggestion is not None:
            return HoursCheck(
                error=message,
                hint=_(
                    "days and times are written the OpenStreetMap way, days in English "
                    "(Mo Tu We Th Fr Sa Su): write '{suggestion}'"
                ).format(suggestion=suggestion),
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


_TIME = re.compile(
    r"(?<![0-9:])([0-9]{1,2}):([0-9]{2})(?:\s*-\s*([0-9]{1,2}):([0-9]{2}))?(?![0-9])"
)


def _unquoted(text: str) -> str:
    """``text`` with its quoted comments blanked out (a comment may say anything)."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text)


def _impossible_time(text: str) -> str | None:
    """The first time that is not a time of day, or range that does not end after it
    starts, as a message; ``None`` when every time is possible."""
    for found in _TIME.finditer(_unquoted(text)):
        times = [(found.group(1), found.group(2))]
        if found.group(3) is not None:
            times.append((found.group(3), found.group(4)))
        minutes = []
        for hour, minute in times:
            if int(minute) > 59:
                return _("'{time}' is not a time: minutes go from 00 to 59").format(
                    time=f"{hour}:{minute}"
                )
            if int(hour) * 60 + int(minute) > 24 * 60:
                return _("'{time}' is not a time of day: hours go from 00:00 to 24:00").format(
                    time=f"{hour}:{minute}"
                )
            minutes.append(int(hour) * 60 + int(minute))
        if len(minutes) == 2 and minutes[1] <= minutes[0]:
            return _(
                "'{range}' closes before it opens: write the opening time first, and a venue "
                "open past midnight as two ranges on two days"
            ).format(range=found.group())
    return None


_FRENCH_DAYS = {
    "lundi": "Mo", "lun": "Mo", "lu": "Mo",
    "mardi": "Tu", "mar": "Tu", "ma": "Tu",
    "mercredi": "We", "mer": "We", "me": "We",
    "jeudi": "Th", "jeu": "Th", "je": "Th",
    "vendredi": "Fr", "ven": "Fr", "ve": "Fr",
    "samedi": "Sa", "sam": "Sa",
    "dimanche": "Su", "dim": "Su", "di": "Su",
}  # fmt: skip
_FRENCH_DAY = re.compile(
    r"\b(" + "|".join(sorted(_FRENCH_DAYS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE
)
_FRENCH_TIME = re.compile(r"\b([0-9]{1,2})\s*h\s*([0-9]{2})?\b", re.IGNORECASE)
_OSM_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_OSM_TIME = r"[0-9]{2}:[0-9]{2}"


def french_to_osm(text: str) -> str | None:
    """``text`` written the French way (« Lu-Ve 9h-12h et 14h-17h », « du lundi au
    vendredi de 9h à 12h », « Mar,Jeu 09:00-12:00 ») in OSM's format, when it names French
    days or hours and its translation is a valid value; otherwise ``None``."""
    if not (_FRENCH_DAY.search(text) or _FRENCH_TIME.search(text)):
        return None
    s = _FRENCH_DAY.sub(lambda m: _FRENCH_DAYS[m.group(1).lower()], text)
    s = _FRENCH_TIME.sub(lambda m: f"{int(m.group(1)):02d}:{m.group(2) or '00'}", s)
    s = re.sub(r"\b(?:du|le|les|de|et de)\s+(?=" + _OSM_DAY + r"|[0-9])", "", s)
    s = re.sub(rf"({_OSM_DAY})\s*(?:au|à|a|-)\s*({_OSM_DAY})\b", r"\1-\2", s)
    s = re.sub(rf"({_OSM_TIME})\s*(?:à|a|-)\s*({_OSM_TIME})", r"\1-\2", s)
    for _pass in range(2):
        s = re.sub(rf"({_OSM_DAY})(?:\s*,\s*|\s+et\s+|\s+)({_OSM_DAY})\b", r"\1,\2", s)
        s = re.sub(rf"({_OSM_TIME})\s*(?:,|et)\s*(?:de\s+)?({_OSM_TIME})", r"\1,\2", s)
    s = re.sub(rf"(?<=[0-9])\s*[,;]?\s*(?:et\s+)?(?={_OSM_DAY}\b)", "; ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if s == text or _impossible_time(s) is not None:
        return None
    try:
        opening_hours.OpeningHours(s)
    except _PARSE_ERRORS:
        return None
    return s


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


_YEAR = datetime(2024, 12, 30)
"""The Monday that starts ISO week 1 of 2025: :func:`weekly_hours` reads the 53 weeks from
it, so that seasonal rules (``Jul-Aug off``) and alternate weeks (``week 1-53/2``) are
seen whatever the week."""


@functools.lru_cache(maxsize=1024)
def weekly_hours(text: str) -> float | None:
    """The most hours a week that ``text`` opens, over the weeks of a reference year, or
    ``None`` when ``text`` is not a valid value (or cannot be evaluated on its own).

    Hours in an ``unknown`` state (``Sa unknown "sur rendez-vous"``) count as open: this is
    an upper bound, which the cross-checks of answers compare with the hours declared
    (:mod:`aptic_qualif.coherence`). Public holidays are not known to the parser without a
    country, so they close nothing here; the busiest week is the one kept anyway."""
    if _impossible_time(text) is not None:
        return None
    try:
        parsed = opening_hours.OpeningHours(text)
        weeks = [0.0] * 54
        end_of_year = _YEAR + timedelta(weeks=53)
        for begin, end, state, _comment in parsed.intervals(_YEAR, end_of_year):
            if state == opening_hours.State.CLOSED:
                continue
            current = begin
            while current < end:
                week = (current - _YEAR).days // 7
                stop = min(end, _YEAR + timedelta(weeks=week + 1))
                weeks[week] += (stop - current).total_seconds() / 3600
                current = stop
    except _EVAL_ERRORS:
        return None
    return max(weeks)

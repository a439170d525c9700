"""Numbers, percentages, dates, plurals and « de » + a name, for people, in the language in use.

The one place where human text gets its numbers and dates: every page, report, message and
table of the project calls these functions, which follow the Unicode CLDR through Babel —
French writes ``3 847,5`` (a narrow no-break space between thousands, a decimal comma),
``68,4 %`` (a no-break space before the sign) and « 1er janvier 2027 »; English writes
``3,847.5``, ``68.4%`` and « 1 January 2027 ».

Machine outputs (JSON, the data columns of a CSV, YAML written for the tools) never use
these: their numbers are the same in every language.

:func:`of_name` writes « de » before a proper name as French does: « des Granges », « du
Vigan », « d'Aix », never « de Les Granges », « de Le Vigan », « de Aix ».
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from aptic_qualif.i18n import _, language

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
"""The CLDR locale of each language of the interface."""


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES["fr"]))


def _current() -> Locale:
    return _locale(language())


def _decimal(value: float | int | Decimal) -> Decimal:
    """``value`` as the decimal its shortest text says (``0.1`` is 0.1, not 0.1000…0555)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value))) + 0  # + 0 turns -0.0 into 0


def number(value: float | int | Decimal, places: int | None = None) -> str:
    """A number in the language in use: ``3 847,5`` in French, ``3,847.5`` in English;
    no useless ``,0`` (``4``); at most three decimals. With ``places``, exactly that many
    decimals (``0,000``)."""
    exact = _decimal(value)
    return _number(language(), exact, exact.is_signed(), places)


@lru_cache(maxsize=4096)
def _number(lang: str, value: Decimal, _signed: bool, places: int | None) -> str:
    # Babel formats a number in tens of microseconds; an assessment writes the same few
    # numbers (brackets, scores, caps) thousands of times. Decimals equal in value format
    # alike (1 and 1.0 both give « 1 »), but for their sign (-0 is « -0 »): the sign is
    # part of the key.
    pattern = "#,##0.###" if places is None else "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(value: float | int | Decimal) -> str:
    """A percentage given in percent (``68.4``): ``68,4 %`` in French, ``68.4%`` in
    English; one decimal at most."""
    exact = _decimal(value)
    return _percent(language(), exact, exact.is_signed())


@lru_cache(maxsize=4096)
def _percent(lang: str, value: Decimal, _signed: bool) -> str:
    locale = _locale(lang)
    pattern = locale.percent_formats[None].pattern
    last = pattern.rfind("0")
    pattern = pattern[: last + 1] + ".#" + pattern[last + 1 :]
    return format_percent(value / 100, format=pattern, locale=locale)


def day(value: str | date) -> str:
    """A date (``YYYY-MM-DD`` or a :class:`date`) as people write it: « 24 janvier 2027 »,
    « 1er mars 2027 » in French; « 24 January 2027 » in English."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    text = format_date(when, format="long", locale=_current())
    if language() == "fr" and when.day == 1:
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text


def duration(minutes: int) -> str:
    """A length of time in minutes, as a person says it: « 45 min », « 1 h », « 1 h 30 »."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("{minutes} min").format(minutes=rest)
    if not rest:
        return _("{hours} h").format(hours=hours)
    return _("{hours} h {minutes:02d}").format(hours=hours, minutes=rest)


def quoted(text: str) -> str:
    """``text`` between the quotes of the language in use: « text » in French (no-break
    spaces inside), “text” in English."""
    return _("“{value}”").format(value=text)


def plural_count(value: float | int | Decimal) -> int:
    """The count to give ``ngettext`` for ``value``, which may not be whole: CLDR's rule
    of the language in use says whether it takes the singular (« 1,5 point » in French,
    « 1.5 points » in English)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number_ = _decimal(value)
    if number_ == number_.to_integral_value():
        return int(number_)
    return 1 if _current().plural_form(number_) == "one" else 2


_ARTICLE = re.compile(r"(?P<article>Les|Le)\s+(?P<rest>\S.*)", re.DOTALL)
_VOWEL = re.compile(r"[AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÆŒaeiouyàâäéèêëîïôöùûüÿæœ]")


def of_name(name: str) -> str:
    """« de » followed by the proper name ``name``, contracted as French writes it:
    « de Les Granges » → « des Granges », « de Le Vigan » → « du Vigan », « de Aix » →
    « d'Aix »; « de La Souterraine » and « de L'Isle-Jourdain » stay as they are. In English,
    « of » followed by the name."""
    if language() != "fr":
        return _("of {name}").format(name=name)
    found = _ARTICLE.fullmatch(name)
    if found is not None:
        article = "des" if found.group("article") == "Les" else "du"
        return f"{article} {found.group('rest')}"
    if _VOWEL.match(name):
        return f"d'{name}"
    return f"de {name}"

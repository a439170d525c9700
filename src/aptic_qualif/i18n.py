"""Translations: French by default, English on request.

Messages are written in English in the code (gettext message ids) and translated from
the catalogue ``locale/fr/LC_MESSAGES/aptic_qualif.po`` (compiled to ``.mo``). The
language is French unless ``--lang en`` is given or the environment asks for English
(``APTIC_QUALIF_LANG``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``).
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

DOMAIN = "aptic_qualif"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_scoped: ContextVar[tuple[gettext.NullTranslations, str] | None] = ContextVar(
    "aptic_qualif_language", default=None
)
"""A language for the current context only (one web request), over the process's own."""


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language asked for by the environment: ``en`` for an English locale, else ``fr``."""
    env = os.environ if environ is None else environ
    for name in ("APTIC_QUALIF_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


_BELOW_ONE = re.compile(r"q=0(?:\.([0-9]{0,3})[0-9]*)?")


def language_quality(header: str, language: str) -> float:
    """The quality (``q``, RFC 9110) an ``Accept-Language`` header gives ``language``: that
    of the first entry naming it (``en``, ``en-GB``: browsers list each language once, its
    most specific form first), else that of ``*``, else 0. A ``q`` below 1 counts to three
    decimals, as RFC 9110 writes it; any other (``q=1``, or a malformed one) counts as 1."""
    wildcard: float | None = None
    for part in header.split(","):
        tag, _sep, params = part.partition(";")
        tag = tag.strip().lower()
        below_one = _BELOW_ONE.fullmatch(params.strip().replace(" ", "").replace("\t", ""))
        quality = float(f"0.{below_one.group(1) or 0}") if below_one else 1.0
        if tag == language or tag.startswith(language + "-"):
            return quality
        if tag == "*" and wildcard is None:
            wildcard = quality
    return wildcard or 0.0


def preferred_language(header: str) -> str:
    """The language an ``Accept-Language`` header prefers among French and English: English
    when it weighs English above French (:func:`language_quality`), else French, the
    language of the project (a tie, a header naming neither, or no header). The site's
    redirect rules (``publish.site.pages.w3id_rules``) decide the same way."""
    if language_quality(header, "en") > language_quality(header, DEFAULT_LANGUAGE):
        return "en"
    return DEFAULT_LANGUAGE


def set_language(language: str | None = None) -> str:
    """Use ``language`` (``fr`` or ``en``; detected from the environment when ``None``)."""
    global _translations, _language
    lang = (language or detect_language()).lower()[:2]
    if lang not in LANGUAGES:
        raise ValueError(language)
    _translations = _catalogue(lang)
    _language = lang
    return lang


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


@contextmanager
def use_language(language: str) -> Iterator[str]:
    """Use ``language`` in the current context only (a web request served beside others),
    leaving the process's language as it is."""
    lang = language.lower()[:2]
    if lang not in LANGUAGES:
        raise ValueError(language)
    token = _scoped.set((_catalogue(lang), lang))
    try:
        yield lang
    finally:
        _scoped.reset(token)


def _current() -> tuple[gettext.NullTranslations, str]:
    scoped = _scoped.get()
    return scoped if scoped is not None else (_translations, _language)


def language() -> str:
    """The language in use."""
    return _current()[1]


def _(message: str) -> str:
    """Translate ``message`` into the language in use."""
    return _current()[0].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return _current()[0].ngettext(singular, plural, n)


def localized(value: object, lang: str | None = None) -> str:
    """The text of a bilingual value (``fr``/``en`` attributes) in ``lang`` (the language in
    use by default), falling back to French; ``""`` for ``None``."""
    return str(getattr(value, lang or language(), None) or getattr(value, "fr", "") or "")


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message


set_language()

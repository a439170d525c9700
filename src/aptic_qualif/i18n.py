"""Translations: French by default, English on request.

Messages are written in English in the code (gettext message ids) and translated from
the catalogue ``locale/fr/LC_MESSAGES/aptic_qualif.po`` (compiled to ``.mo``). The
language is French unless ``--lang en`` is given or the environment asks for English
(``APTIC_QUALIF_LANG``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "aptic_qualif"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language asked for by the environment: ``en`` for an English locale, else ``fr``."""
    env = os.environ if environ is None else environ
    for name in ("APTIC_QUALIF_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(language: str | None = None) -> str:
    """Use ``language`` (``fr`` or ``en``; detected from the environment when ``None``)."""
    global _translations, _language
    lang = (language or detect_language()).lower()[:2]
    if lang not in LANGUAGES:
        raise ValueError(language)
    if lang == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True
        )
    _language = lang
    return lang


def language() -> str:
    """The language in use."""
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the language in use."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return _translations.ngettext(singular, plural, n)


def localized(value: object, lang: str | None = None) -> str:
    """The text of a bilingual value (``fr``/``en`` attributes) in ``lang`` (the language in
    use by default), falling back to French; ``""`` for ``None``."""
    return str(getattr(value, lang or _language, None) or getattr(value, "fr", "") or "")


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message


set_language()

"""Text values read from files: what a text may hold, and when two texts are the same.

Two rules, each in one place, used by every reader:

- :func:`text_problem` / :func:`check_texts` — a text never holds a control character:
  C0 and C1 controls (NUL, escape sequences…), DEL, bidi overrides and isolates (text
  shown in another order than it is stored) and line or paragraph separators. A tab or a
  newline is accepted only where a text of several lines is expected (a definition, a
  help text, a long answer); a name, a label, an address or an identifier is one line.
  Refused with ``TXT001``, located at the value.
- :func:`comparison_key` — two labels are the same label when they look the same: both
  are normalised to NFC, default-ignorable characters (zero-width spaces and joiners, soft
  hyphens…) are removed, case and runs of whitespace are ignored, then their confusable
  skeletons (Unicode TR39) are compared. A Cyrillic « а » for a Latin « a », a zero-width
  space or a decomposed accent no longer makes a second label distinct. The confusable data
  is Unicode's ``confusables.txt`` (version 13.0.0), vendored in the package with its
  source and licence (``unicode-confusables/``): the same on every machine.

Text in NFD (decomposed accents, as some systems type it) is **normalised**, never refused:
NFC and NFD are canonically equivalent (the same text for the reader, different bytes
only), the person who typed it cannot see the difference to correct it, and nothing is lost
by composing it. The YAML reader (:mod:`aptic_qualif.yamlio`) composes every text it reads.

:func:`is_http_iri` tells an absolute ``http``/``https`` IRI (RFC 3987), with a host and
without the characters RFC 3987 excludes (spaces, ``<>"{}|\\^`` and backquotes, bidi
controls).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from rfc3986 import abnf_regexp as _abnf  # type: ignore[import-untyped]

from aptic_qualif.diagnostics import Diagnostic, Span
from aptic_qualif.i18n import _
from aptic_qualif.sanitize import BIDI_CONTROLS

LINE_SEPARATORS = frozenset({0x2028, 0x2029})
"""Unicode's line and paragraph separators: a line break for some readers, none for others."""

_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "LF",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
    0x85: "NEL",
}

_FORBIDDEN = frozenset([*range(0x20), 0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS, *LINE_SEPARATORS])
_FORBIDDEN_MULTILINE = _FORBIDDEN - {0x09, 0x0A}
_FORBIDDEN_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_FORBIDDEN)) + "]")
_FORBIDDEN_MULTILINE_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(_FORBIDDEN_MULTILINE)) + "]"
)


def _name(code: int) -> str:
    if code in _CONTROL_NAMES:
        return _CONTROL_NAMES[code]
    return unicodedata.name(chr(code), "") or _("control character")


def text_problem(text: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """``None`` when ``text`` holds no forbidden character, else (message, hint) naming the
    first one and its position (1-based, in characters)."""
    found = (_FORBIDDEN_MULTILINE_RE if multiline else _FORBIDDEN_RE).search(text)
    if found is None:
        return None
    code = ord(found.group())
    position = found.start() + 1
    if code in {0x0A, 0x0D, 0x09, *LINE_SEPARATORS} and not multiline:
        return (
            _(
                "a line break or a tab ({name}, U+{code:04X}) at character {position}: this "
                "text is a single line"
            ).format(name=_name(code), code=code, position=position),
            _("write it on one line"),
        )
    return (
        _(
            "the text holds the invisible control character {name} (U+{code:04X}) at character "
            "{position}"
        ).format(name=_name(code), code=code, position=position),
        _(
            "remove it: a control character can hide or reorder what is shown, or break the "
            "files made from this one"
        ),
    )


def check_text(text: str, span: Span, *, multiline: bool = False) -> Diagnostic | None:
    """A located ``TXT001`` error when ``text`` holds a forbidden character."""
    problem = text_problem(text, multiline=multiline)
    if problem is None:
        return None
    message, hint = problem
    return Diagnostic.error("TXT001", span, message, hint)


PathKey = tuple[str | int, ...]


def _strings(data: Any) -> Iterator[tuple[PathKey, str, bool]]:
    """Every text in ``data`` with its path; the flag is true for a mapping key."""
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value, False
        elif isinstance(value, dict):
            for key, child in value.items():
                child_path = (*path, key)
                yield child_path, str(key), True
                stack.append((child_path, child))
        elif isinstance(value, list):
            stack.extend(((*path, index), child) for index, child in enumerate(value))


def multiline_under(*keys: str) -> Callable[[PathKey], bool]:
    """A predicate: a text is of several lines when one of ``keys`` is on its path."""
    names = frozenset(keys)
    return lambda path: any(part in names for part in path if isinstance(part, str))


def check_texts(doc: Any, multiline: Callable[[PathKey], bool]) -> list[Diagnostic]:
    """``TXT001`` for every text (value or key) of the document ``doc`` that holds a
    forbidden character; ``multiline(path)`` tells where tabs and newlines are allowed."""
    found: list[Diagnostic] = []
    for path, text, is_key in _strings(doc.data):
        problem = text_problem(text, multiline=not is_key and multiline(path))
        if problem is None:
            continue
        span = doc.key_span(path) if is_key else doc.span(path)
        found.append(Diagnostic.error("TXT001", span, *problem))
    found.sort(key=Diagnostic.sort_key)
    return found


# ── Comparing labels ─────────────────────────────────────────────────────────────────────


DEFAULT_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""Unicode's ``Default_Ignorable_Code_Point`` (DerivedCoreProperties.txt, Unicode 15.0), as
the ranges of a regular-expression class: characters a renderer shows as nothing when it
does not support them (zero-width spaces and joiners, soft hyphen, variation selectors, tag
characters, Hangul fillers…), reserved code points of those blocks included."""

_IGNORABLE_RE = re.compile(f"[{DEFAULT_IGNORABLE}]+")

_CONFUSABLES = files("aptic_qualif") / "unicode-confusables" / "data.json"


@cache
def _prototypes() -> dict[int, str]:
    """Unicode's confusable prototypes (``confusables.txt``), as a :meth:`str.translate`
    table: read once, at the first comparison."""
    table: dict[str, str] = json.loads(_CONFUSABLES.read_text(encoding="utf-8"))
    return {ord(char): prototype for char, prototype in table.items()}


def skeleton(text: str) -> str:
    """The confusable skeleton of ``text`` (UTS #39, section 4): ``NFD(text)``, each
    character replaced by its prototype, then NFD again. Two texts that look the same have
    the same skeleton: ``skeleton("раураl") == skeleton("paypal")`` (Cyrillic р, а, у)."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).translate(_prototypes()))


def visible(text: str) -> str:
    """``text`` in NFC without its default-ignorable characters (zero-width spaces and
    joiners, soft hyphens, variation selectors…): what a reader actually sees."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text
    return _IGNORABLE_RE.sub("", text)


def comparison_key(text: str) -> str:
    """The key under which two labels are the same label: :func:`visible` text, whitespace
    collapsed, case folded, then its confusable skeleton (Unicode TR39)."""
    return skeleton(" ".join(visible(text).split()).casefold())


# ── Web addresses ────────────────────────────────────────────────────────────────────────


def _bare(pattern: str) -> str:
    return pattern.removeprefix("^").removesuffix("$")


_HTTP_IRI = re.compile(
    "(?i:https?)://"
    f"(?:{_bare(_abnf.IUSERINFO_RE)}@)?"
    f"(?:{_abnf.IHOST_RE})"
    f"(?::{_abnf.PORT_RE})?"
    f"{_abnf.IPATH_ABEMPTY}"
    f"(?:\\?{_bare(_abnf.IQUERY_RE)})?"
    f"(?:#{_bare(_abnf.IFRAGMENT_RE)})?"
)
"""An absolute http(s) IRI, from the ABNF of RFC 3987 (``IRI`` with the ``ihier-part``
that has an authority), as written out by the rfc3986 library."""


def is_http_iri(text: str) -> bool:
    """Whether ``text`` is an absolute ``http`` or ``https`` IRI with a host (RFC 3987):
    no space, none of ``<>"{}|\\^``` ``, no control or bidi character, ``%`` only before two
    hexadecimal digits."""
    if not _HTTP_IRI.fullmatch(text) or any(ord(c) in BIDI_CONTROLS for c in text):
        return False
    try:
        return bool(urlsplit(text).hostname)
    except ValueError:  # a malformed port or IPv6 literal
        return False


# ── Numbers typed as text ────────────────────────────────────────────────────────────────

_TYPED_INTEGER = re.compile(r"[-+]?[0-9]+")
_TYPED_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_number(text: str, *, integer: bool = False) -> int | float | None:
    """A number typed or read as text (a prompt, a CSV cell): ASCII digits only, a comma or
    a point before the decimals; ``None`` when it is not one, or not a finite number.

    Python's own ``int()`` and ``float()`` are not used alone: they accept full-width or
    Arabic-Indic digits, ``1_000``, ``inf`` and ``nan``."""
    text = text.strip()
    if len(text) > 40:
        return None
    if integer:
        return int(text) if _TYPED_INTEGER.fullmatch(text) else None
    if not _TYPED_NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def alphabetical_key(text: str) -> tuple[str, str]:
    """A key that sorts names in French alphabetical order: accents, ligatures, case and
    punctuation ignored first (« Église » beside « eglise », « Saint-Amand » as « saint
    amand »), then the text as written, so that the order is the same every time."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in bare).split()
    return " ".join(words), text

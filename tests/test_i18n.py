"""The French catalogue is complete, consistent and compiled."""

from __future__ import annotations

import gettext
import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from aptic_qualif.i18n import LOCALE_DIR
from tests.conftest import REPO

PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "aptic_qualif.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _catalogue():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def _source_messages() -> set[str | tuple[str, ...]]:
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        REPO / "src" / "aptic_qualif", keywords=keywords, method_map=[("**.py", "python")]
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_message_of_the_code_is_translated() -> None:
    catalogue = _catalogue()
    assert not catalogue.fuzzy
    missing = []
    for message in _source_messages():
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key)
        strings = entry.string if entry is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)) or entry.fuzzy:
            missing.append(key)
    assert missing == [], "run `make i18n` and translate: " + repr(missing)


def test_placeholders_are_kept() -> None:
    for entry in _catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (ids[0], string)


def _expected_translations() -> dict[str | tuple[str, int], str]:
    """What the .mo must map, read from the .po: the messages and their translations only."""
    expected: dict[str | tuple[str, int], str] = {}
    for entry in _catalogue():
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple):
            for index, string in enumerate(entry.string):
                if string:
                    expected[(entry.id[0], index)] = string
        elif entry.string:
            expected[entry.id] = entry.string
    return expected


def test_compiled_catalogue_is_up_to_date() -> None:
    """The committed .mo says what the .po says.

    The comparison is on parsed messages, read back by the standard library's own gettext (the
    reader the program uses), never on bytes: the bytes carry the compiler's name and version, and
    a new release of Babel must not turn a correct catalogue red.
    """
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog: dict[str | tuple[str, int], str] = dict(compiled._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header: dates and the compiler's version, not messages
    assert catalog == _expected_translations(), "run `make i18n` to recompile"
    assert compiled.plural(0) == 0 and compiled.plural(1) == 0 and compiled.plural(2) == 1, (
        "French plural forms: 0 and 1 are singular"
    )

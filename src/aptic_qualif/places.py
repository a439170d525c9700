"""A venue's place checked against the commune reference: INSEE code ↔ postcode ↔ name.

Each answer has already passed its own format check (``application``); here the three are
checked against :mod:`aptic_qualif.communes`, together, with a hint that names the right
value (« vouliez-vous dire ») whenever the reference allows one:

* ``GEO001``: the INSEE code, or one of the communes a travelling venue serves
  (``communes_itinerance``), is no current commune's (a former commune's code, a postcode
  typed in the INSEE field, a typo);
* ``GEO003``: an entry of ``communes_itinerance`` is not an INSEE code at all (a commune's
  name, a postcode): the hint gives the code of the commune so named;
* ``APP009``: no commune uses the postcode;
* ``APP013``: the postcode is not one of the commune's;
* ``GEO002``: the commune's name is not the one of the INSEE code (compared without accents,
  case or punctuation; « Paris » names every Paris arrondissement).

:func:`commune_proposals` gives ``apply fill`` the communes of a postcode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from aptic_qualif.communes import (
    Commune,
    CommuneTable,
    closest_name,
    communes,
    names_match,
    normalise_name,
)
from aptic_qualif.diagnostics import Diagnostic
from aptic_qualif.formats import of_name
from aptic_qualif.i18n import _
from aptic_qualif.yamlio import Document

IDENTITY_KEY = "lieu"
POSTCODE, NAME, INSEE = "code_postal", "commune", "code_insee"
ITINERANCE = "communes_itinerance"
MAX_LISTED = 5

INSEE_CODE = re.compile(  # ASCII digits: \d would also match full-width ones
    r"(?:0[1-9]|1[0-9]|2[AB1-9]|[3-8][0-9]|9[0-5])[0-9]{3}|97[1-6][0-9]{2}|98[4-9][0-9]{2}"
)
"""An INSEE commune code: ``code_insee`` is checked with it (:mod:`aptic_qualif.application`),
and each code of ``communes_itinerance``."""
_SEPARATORS = re.compile(r"[\s,;]+")
_ENTRIES = re.compile(r"[,;\n]+")


def itinerance_codes(text: object) -> tuple[list[str], list[str]]:
    """The INSEE codes of a ``communes_itinerance`` answer and the entries that are not."""
    codes: list[str] = []
    invalid: list[str] = []
    for token in _SEPARATORS.split(str(text or "")):
        if not token:
            continue
        upper = token.upper()
        if INSEE_CODE.fullmatch(upper):
            if upper not in codes:
                codes.append(upper)
        else:
            invalid.append(token)
    return codes, invalid


def itinerance_names(text: object) -> list[str]:
    """The entries of a ``communes_itinerance`` answer (separated by commas, semicolons or
    lines) that hold something else than INSEE codes, as written: « Privas », « 07000 »."""
    found: list[str] = []
    for entry in _ENTRIES.split(str(text or "")):
        words = entry.split()
        if words and not all(INSEE_CODE.fullmatch(word.upper()) for word in words):
            found.append(" ".join(words))
    return found


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_LISTED])
    return shown + (", …" if len(values) > MAX_LISTED else "")


def _described(commune: Commune) -> str:
    return f"{commune.name} ({commune.insee})"


def check_places(doc: Document, answers: Mapping[str, Any]) -> Iterator[Diagnostic]:
    """Every disagreement between the venue's INSEE code, postcode and commune name."""
    postcode, name, insee = (_text(answers.get(key)) for key in (POSTCODE, NAME, INSEE))
    yield from _check_itinerance(doc, answers.get(ITINERANCE))
    if postcode is None and insee is None:
        return
    table = communes()
    commune = table.current(insee) if insee is not None else None
    if insee is not None and commune is None:
        yield Diagnostic.error(
            "GEO001",
            doc.span((IDENTITY_KEY, INSEE)),
            _("{insee} is not the INSEE code of a current commune").format(insee=insee),
            _unknown_insee_hint(table, insee, postcode, name),
        )
    known_pair = commune is not None and postcode in commune.postcodes
    if known_pair:
        pass  # the usual case: no need of the postcode index
    elif postcode is not None and not table.postcode_exists(postcode):
        yield Diagnostic.error(
            "APP009",
            doc.span((IDENTITY_KEY, POSTCODE)),
            _("no commune uses the postcode {postcode}").format(postcode=postcode),
            _("the postcodes {of_commune}: {postcodes}").format(
                of_commune=of_name(_described(commune)),
                postcodes=_listing(list(commune.postcodes)),
            )
            if commune is not None and commune.postcodes
            else _("check the postcode on a letter sent to the venue"),
        )
    elif postcode is not None and commune is not None and postcode not in commune.postcodes:
        yield Diagnostic.error(
            "APP013",
            doc.span((IDENTITY_KEY, POSTCODE)),
            _("{postcode} is not a postcode {of_commune}").format(
                postcode=postcode, of_commune=of_name(_described(commune))
            ),
            _pair_hint(table, commune, postcode, name),
        )
    if name is not None and commune is not None and not names_match(name, commune, table):
        yield Diagnostic.error(
            "GEO002",
            doc.span((IDENTITY_KEY, NAME)),
            _("the commune of INSEE code {insee} is {name}, not '{given}'").format(
                insee=commune.insee, name=commune.name, given=name
            ),
            _name_hint(table, commune, postcode, name),
        )
    elif name is not None and insee is None and postcode is not None:
        candidates = table.of_postcode(postcode)
        if candidates and not any(names_match(name, c, table) for c in candidates):
            closest = closest_name(name, candidates)
            yield Diagnostic.error(
                "GEO002",
                doc.span((IDENTITY_KEY, NAME)),
                _("no commune named '{given}' uses the postcode {postcode}").format(
                    given=name, postcode=postcode
                ),
                _("did you mean '{name}'?").format(name=closest.name)
                if closest is not None
                else _("the communes of {postcode}: {names}").format(
                    postcode=postcode, names=_listing([c.name for c in candidates])
                ),
            )


def _check_itinerance(doc: Document, text: object) -> Iterator[Diagnostic]:
    """Every entry a travelling venue lists must be the INSEE code of a current commune:
    coverage counts the venue there, and a name or a postcode would be counted nowhere."""
    if not isinstance(text, str) or not text.strip():
        return
    codes, _others = itinerance_codes(text)
    table = communes()
    span = doc.span((IDENTITY_KEY, ITINERANCE))
    for entry in itinerance_names(text):
        yield Diagnostic.error(
            "GEO003",
            span,
            _(
                "“{entry}” is not an INSEE code: list the codes of the communes served "
                "(e.g. 07186), not their names"
            ).format(entry=entry),
            _named_commune_hint(table, entry),
        )
    for code in codes:
        if table.current(code) is None:
            yield Diagnostic.error(
                "GEO001",
                span,
                _("{insee} is not the INSEE code of a current commune").format(insee=code),
                _unknown_insee_hint(table, code, None, None),
            )


def _named_commune_hint(table: CommuneTable, entry: str) -> str | None:
    """The code of the commune(s) named ``entry``, or of the communes of a postcode."""
    if entry.isdigit() and len(entry) == 5 and table.postcode_exists(entry):
        found = [c for c in table.of_postcode(entry) if table.current(c.insee) is not None]
        if found:
            return _("{postcode} is a postcode; its communes: {communes}").format(
                postcode=entry, communes=_listing([_described(c) for c in found])
            )
    wanted = normalise_name(entry)
    named = [
        c
        for c in table.rows()
        if c.kind == "commune" and c.name and normalise_name(c.name) == wanted
    ]
    if named:
        return (
            _("the INSEE code {of_commune}").format(of_commune=of_name(_described(named[0])))
            if len(named) == 1
            else _("communes of that name: {communes}").format(
                communes=_listing([_described(c) for c in named])
            )
        )
    return None


def _unknown_insee_hint(
    table: CommuneTable, insee: str, postcode: str | None, name: str | None
) -> str | None:
    former = table.get(insee)
    if former is not None and former.kind == "ancienne":
        now = table.current(former.parent)
        if now is not None:
            return _(
                "{insee} is the code of a former commune{name}, now part of {commune}: "
                "write its code {code}"
            ).format(
                insee=insee,
                name=f" ({former.name})" if former.name else "",
                commune=now.name,
                code=now.insee,
            )
    if table.postcode_exists(insee):
        candidates = table.of_postcode(insee)
        match = closest_name(name, candidates) if name else None
        if match is None and len(candidates) == 1:
            match = candidates[0]
        if match is not None:
            return _(
                "{insee} is a postcode, not an INSEE code: the INSEE code {of_commune} is {code}"
            ).format(insee=insee, of_commune=of_name(match.name), code=match.insee)
        return _(
            "{insee} is a postcode, not an INSEE code; the communes using it: {communes}"
        ).format(insee=insee, communes=_listing([_described(c) for c in candidates]))
    if postcode is not None and name is not None:
        match = closest_name(name, table.of_postcode(postcode))
        if match is not None:
            return _("did you mean {code} ({commune})?").format(
                code=match.insee, commune=match.name
            )
    return _("the INSEE code (5 characters) is not the postcode; find it in the COG of INSEE")


def _pair_hint(table: CommuneTable, commune: Commune, postcode: str, name: str | None) -> str:
    others = [c for c in table.of_postcode(postcode) if c.insee != commune.insee]
    if name is not None:
        other = next((c for c in others if names_match(name, c, table)), None)
        if other is not None:
            return _(
                "{postcode} is the postcode {of_commune}: if the venue is there, its INSEE "
                "code is {code}"
            ).format(postcode=postcode, of_commune=of_name(other.name), code=other.insee)
    return _("did you mean {postcodes}?").format(postcodes=" / ".join(commune.postcodes))


def _name_hint(table: CommuneTable, commune: Commune, postcode: str | None, name: str) -> str:
    if postcode is not None:
        other = next(
            (
                c
                for c in table.of_postcode(postcode)
                if c.insee != commune.insee and names_match(name, c, table)
            ),
            None,
        )
        if other is not None:
            return _(
                "did you mean '{name}'? Or, if the venue is in {other}, its INSEE code is {code}"
            ).format(name=commune.name, other=other.name, code=other.insee)
    return _("did you mean '{name}'?").format(name=commune.name)


def commune_proposals(postcode: object) -> list[Commune]:
    """The communes ``apply fill`` proposes for a postcode (none when it is unknown)."""
    text = _text(postcode)
    return communes().of_postcode(text) if text is not None else []

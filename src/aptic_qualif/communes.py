"""French communes: INSEE codes, postcodes, names and populations, from a vendored file.

The data come from Etalab's ``@etalab/decoupage-administratif`` (Code officiel géographique
of INSEE, La Poste's postcodes, legal populations; Licence Ouverte 2.0), vendored as
``data/communes/communes.tsv.gz`` by ``make communes`` (see the README beside it).

Loading is lazy and cheap: nothing is read until the first look-up, then the file is
decompressed once and its lines indexed by INSEE code without being split; a line is parsed
only when looked up. The postcode index and the populations by département, which need
every line, are built on first use only (``apply fill``, a postcode typo, ``coverage``), like
the list of every current commune (``publish site --by commune``).
"""

from __future__ import annotations

import difflib
import gzip
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Literal

DATA_FILE = "communes.tsv.gz"
Kind = Literal["commune", "arrondissement", "ancienne"]


@dataclass(frozen=True, slots=True)
class Commune:
    """One row of the reference: a current commune, a municipal arrondissement (Paris, Lyon,
    Marseille: ``parent`` is the commune) or a former commune (delegated, associated or
    merged away: ``parent`` is the commune it now belongs to; its name may be unknown)."""

    insee: str
    name: str
    departement: str
    postcodes: tuple[str, ...]
    population: int
    kind: Kind
    parent: str


class CommuneTable:
    """The reference table; build it with :func:`communes`."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        self.source = lines[0].lstrip("# ").strip()
        """The package and version the file comes from, with its licence."""
        self._lines: dict[str, str] = {line[:5]: line for line in lines[2:] if line}

    def __len__(self) -> int:
        return len(self._lines)

    def get(self, insee: str) -> Commune | None:
        """The row of an INSEE code (current, arrondissement or former), or None."""
        line = self._lines.get(insee)
        return _parse(line) if line is not None else None

    def current(self, insee: str) -> Commune | None:
        """The current commune or arrondissement of an INSEE code (not a former one)."""
        commune = self.get(insee)
        return commune if commune is not None and commune.kind != "ancienne" else None

    def rows(self) -> Iterator[Commune]:
        for line in self._lines.values():
            yield _parse(line)

    @cached_property
    def _by_postcode(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for insee, line in self._lines.items():
            fields = line.split("\t")
            if fields[5] == "commune":
                for postcode in fields[3].split():
                    index.setdefault(postcode, []).append(insee)
        return {postcode: tuple(codes) for postcode, codes in index.items()}

    def of_postcode(self, postcode: str) -> list[Commune]:
        """The current communes that use ``postcode``, by INSEE code (arrondissements are
        left out: the commune's own code is what most venues give)."""
        found = (self.get(code) for code in self._by_postcode.get(postcode, ()))
        return [commune for commune in found if commune is not None]

    def postcode_exists(self, postcode: str) -> bool:
        return postcode in self._by_postcode

    @cached_property
    def commune_codes(self) -> tuple[str, ...]:
        """The INSEE codes of the current communes, by code (neither the municipal
        arrondissements of Paris, Lyon and Marseille nor former communes)."""
        return tuple(
            insee for insee, line in self._lines.items() if line.split("\t", 6)[5] == "commune"
        )

    @cached_property
    def departement_populations(self) -> dict[str, int]:
        """Legal population of each département (sum of its current communes)."""
        totals: dict[str, int] = {}
        for line in self._lines.values():
            fields = line.split("\t")
            if fields[5] == "commune":
                totals[fields[2]] = totals.get(fields[2], 0) + int(fields[4])
        return totals

    def population(self, territory: str) -> int | None:
        """Population of a département (``59``, ``2A``, ``974``) or of a commune or
        arrondissement (by INSEE code); None when unknown."""
        if len(territory) == 5:
            commune = self.current(territory)
            return commune.population if commune is not None and commune.population else None
        return self.departement_populations.get(territory) or None


def _parse(line: str) -> Commune:
    insee, name, departement, postcodes, population, kind, parent = line.split("\t")
    return Commune(
        insee,
        name,
        departement,
        tuple(postcodes.split()),
        int(population),
        kind,  # type: ignore[arg-type]
        parent,
    )


@cache
def communes() -> CommuneTable:
    """The reference table, read on first call and kept."""
    path = resources.files("aptic_qualif") / "data" / "communes" / DATA_FILE
    return CommuneTable(gzip.decompress(path.read_bytes()).decode("utf-8"))


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalise_name(name: str) -> str:
    """A commune name for comparison: no accent, no case, no punctuation; ``St``/``Ste``
    read as ``Saint``/``Sainte`` (``St-Étienne`` = ``SAINT ETIENNE``)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("æ", "ae")
    words = _NOT_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def names_match(given: str, commune: Commune, table: CommuneTable) -> bool:
    """Whether ``given`` names ``commune`` (for an arrondissement, its commune's name also
    matches: « Paris » for 75104)."""
    wanted = normalise_name(given)
    if wanted == normalise_name(commune.name):
        return True
    if commune.kind == "arrondissement":
        parent = table.get(commune.parent)
        return parent is not None and wanted == normalise_name(parent.name)
    return False


def closest_name(given: str, candidates: list[Commune]) -> Commune | None:
    """The candidate whose name is closest to ``given`` (for « vouliez-vous dire »)."""
    by_name = {normalise_name(c.name): c for c in candidates if c.name}
    wanted = normalise_name(given)
    if wanted in by_name:
        return by_name[wanted]
    close = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.6)
    return by_name[close[0]] if close else None

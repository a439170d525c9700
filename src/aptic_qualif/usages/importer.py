"""Importers of activity records: the observatory's own format and La Coop's activity export.

Both read a CSV whole (a regular file, at most :data:`MAX_BYTES`), then:

* refuse the whole file when a column would hold personal data (``USG001``) or a cell looks
  like an e-mail address, a telephone number or a NIR (``USG002``): nothing of it is kept;
* refuse the whole file when its header does not have the format's columns (``USG003``);
* report a row that breaks the format (``USG004``), names an unknown service (``USG005``)
  or an unknown place (``USG006``), with its line and column, and keep the other rows;
* keep a residence in a commune of fewer than
  :data:`~aptic_qualif.usages.model.RESIDENCE_MIN_POPULATION` inhabitants as its
  département (``USG008``, a warning at the first such row, with how many communes).

Records come out as columns (:class:`Columns`), ready for :mod:`aptic_qualif.usages.store`.
Every distinct cell value is checked once (a national file repeats the same dates, venues
and services millions of times).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.project import display_path
from aptic_qualif.reading import read_regular
from aptic_qualif.usages.model import (
    RESIDENCE_MIN_POPULATION,
    Resolver,
    check_cell,
    field_names,
    required_fields,
    rules,
)
from aptic_qualif.usages.personal import KIND_LABELS, fold, personal_column, personal_value

MAX_BYTES = 4 * 1024 * 1024 * 1024
"""The largest file an import reads (about 40 million records of the format); it is read as
a stream, :data:`CHUNK_ROWS` records at a time."""
MAX_CELL_CHARS = 131_072
CHUNK_ROWS = 200_000

STORED_COLUMNS: tuple[str, ...] = (
    "mois",
    "date",
    "lieu",
    "departement",
    "service",
    "thematique",
    "niveau",
    "mode",
    "participants",
    "pass",
    "pass_emetteur",
    "publics",
    "tranche_age",
    "residence",
    "residence_departement",
)
"""The columns of a stored record (``mois``, YYYY-MM, is the partition)."""

Columns = dict[str, list[Any]]


def empty_columns() -> Columns:
    return {name: [] for name in STORED_COLUMNS}


@dataclass
class UsageImport:
    """What an import read: the records kept, and every problem found."""

    file: str
    columns: Columns = field(default_factory=empty_columns)
    report: Report = field(default_factory=Report)
    rows: int = 0
    invalid_rows: list[int] = field(default_factory=list)
    refused: bool = False
    """The whole file is refused (personal data, a wrong header, unreadable): no record."""
    digest: str = ""
    """SHA-256 of the file's bytes: importing the same file again replaces its records."""
    kept: int = 0
    """Records kept (in :attr:`columns`, or given to the import's sink)."""

    def refuse(self, diagnostic: Diagnostic) -> None:
        self.report.add(diagnostic)
        self.refused = True
        self.columns = empty_columns()
        self.kept = 0


class _Hashing(io.RawIOBase):
    """A file's bytes as they are read, hashed on the way (SHA-256)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.read(self.fd, len(buffer))
        self.hash.update(data)
        buffer[: len(data)] = data
        return len(data)


def _records(path: Path, result: UsageImport) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record of a regular file, streamed, with the line it starts on (1-based).

    A file that cannot be read, is not a regular file, is larger than :data:`MAX_BYTES` or is
    not UTF-8 refuses the import (the records already read are dropped by the caller). The
    file's SHA-256 is in ``result.digest`` once every record is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        result.refuse(
            Diagnostic.error(
                "IO001",
                Span(result.file, 0, 0),
                _("cannot read the file: {reason}").format(reason=exc.strerror or exc),
            )
        )
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            _raw, problem = read_regular(path, result.file, limit=0)
            result.refuse(
                problem
                or Diagnostic.error("IO002", Span(result.file, 0, 0), _("not a regular file"))
            )
            return
        if info.st_size > MAX_BYTES:
            result.refuse(
                Diagnostic.error(
                    "YAML007",
                    Span(result.file, 1, 1),
                    _("the file is too large (more than {limit} bytes)").format(limit=MAX_BYTES),
                    _("split it into smaller files, each with the header row"),
                )
            )
            return
        raw = _Hashing(fd)
        text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding="utf-8-sig", newline="")
        previous = csv.field_size_limit(MAX_CELL_CHARS)
        reader = csv.reader(text)
        line = 1
        try:
            for record in reader:
                yield line, record
                line = reader.line_num + 1
        except UnicodeDecodeError:
            result.refuse(
                Diagnostic.error(
                    "IO001",
                    Span(result.file, line, 0),
                    _("the file is not encoded in UTF-8"),
                    _("save it again as CSV UTF-8"),
                )
            )
            return
        except csv.Error as exc:
            result.refuse(
                Diagnostic.error(
                    "USG004",
                    Span(result.file, line, 0),
                    _("unreadable CSV: {error}").format(error=exc),
                )
            )
            return
        finally:
            csv.field_size_limit(previous)
        result.digest = raw.hash.hexdigest()
    finally:
        os.close(fd)


MAX_XLSX_BYTES = 256 * 1024 * 1024
COOP_SHEET = "Activités"


def _xlsx_cell(value: object) -> str:
    """A cell of a workbook as the text its CSV export would hold."""
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(path: Path, result: UsageImport) -> Iterator[tuple[int, list[str]]]:
    """Each row of La Coop's workbook (its « Activités » sheet, else the first), with its
    row number, as texts."""
    raw, problem = read_regular(path, result.file, limit=MAX_XLSX_BYTES)
    if raw is None:
        assert problem is not None
        result.refuse(problem)
        return
    result.digest = hashlib.sha256(raw).hexdigest()
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        result.refuse(
            Diagnostic.error(
                "IO001",
                Span(result.file, 0, 0),
                _("the file is not an Excel workbook (.xlsx) that can be read"),
                _("export the activities from La Coop again, or save the sheet as CSV"),
            )
        )
        return
    try:
        sheet = (
            workbook[COOP_SHEET] if COOP_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(value) for value in row]
    finally:
        workbook.close()


def _personal_header(header: list[str], result: UsageImport, *, line: int = 1) -> bool:
    """Refuse the file when a column would hold personal data; True when refused."""
    problems = [
        Diagnostic.error(
            "USG001",
            Span(result.file, line, col),
            _(
                "column '{name}' would hold {what}: the observatory records usages, never "
                "the people accompanied; the whole file is refused"
            ).format(name=name, what=_(what)),
            _("remove the column from the file (its cells too), then import it again"),
        )
        for col, name in enumerate(header, start=1)
        if (what := personal_column(name)) is not None
    ]
    for problem in problems:
        result.refuse(problem)
    return bool(problems)


def _personal_cell(result: UsageImport, line: int, col: int, name: str, kind: str) -> None:
    result.refuse(
        Diagnostic.error(
            "USG002",
            Span(result.file, line, col),
            _(
                "the cell of column '{name}' looks like {what}: a record never holds a "
                "person's data; the whole file is refused (the value is not repeated here)"
            ).format(name=name, what=_(KIND_LABELS[kind])),  # type: ignore[index]
            _(
                "find where this value came from and clear it at the source, then export "
                "and import the file again"
            ),
        )
    )


class _Rows:
    """Turns rows of the format into stored columns, a chunk at a time and column by column:
    every distinct value of a column is checked once per import (a national file repeats
    the same dates, venues and services millions of times)."""

    def __init__(
        self,
        resolver: Resolver,
        result: UsageImport,
        names: list[str],
        cols: dict[str, int],
        sink: Callable[[Columns], None] | None,
    ) -> None:
        self.resolver = resolver
        self.result = result
        self.names = names
        self.cols = cols
        self.sink = sink
        self._cells: dict[str, dict[str, tuple[Any, str | None, str | None]]] = {
            name: {} for name in field_names()
        }
        self._places: dict[str, str | None] = {}
        self._residences: dict[str, str] = {}
        self._coarsened: dict[str, int] = {}
        """Each commune of residence kept as its département, with the line it first came on."""
        self._targets: dict[str, Any] = {}
        self.lines: list[int] = []
        self.records: list[list[str]] = []

    def push(self, line: int, record: list[str]) -> None:
        self.lines.append(line)
        self.records.append(record)
        if len(self.lines) >= CHUNK_ROWS:
            self.flush()

    def cell(self, name: str, value: str) -> tuple[Any, str | None, str | None]:
        """(typed value, schema problem, personal kind) of one cell."""
        cache = self._cells[name]
        found = cache.get(value)
        if found is None:
            kind = personal_value(value) if value else None
            typed, problem = check_cell(rules()[name], value)
            found = (typed, problem, kind)
            if len(cache) < 2_000_000:
                cache[value] = found
        return found

    def place(self, code: str) -> str | None:
        if code not in self._places:
            self._places[code] = self.resolver.departement_of(code)
        return self._places[code]

    def error(self, code: str, line: int, col: int, message: str) -> None:
        self.result.report.add(Diagnostic.error(code, Span(self.result.file, line, col), message))

    def flush(self) -> None:
        """Check the pending rows, keep the valid ones (to the sink, or the result)."""
        lines, records = self.lines, self.records
        self.lines, self.records = [], []
        result = self.result
        if not records:
            return
        count = len(records)
        given = dict(zip(self.names, zip(*records, strict=True), strict=True))
        typed: dict[str, list[Any]] = {}
        problems: dict[int, list[tuple[str, str, str]]] = {}
        for name in field_names():
            values = given.get(name)
            if values is None:
                typed[name] = [None] * count
                continue
            checked = {value: self.cell(name, value) for value in set(values)}
            for value, (_typed, _problem, kind) in checked.items():
                if kind is not None:
                    index = values.index(value)
                    _personal_cell(result, lines[index], self.cols.get(name, 0), name, kind)
            if result.refused:
                continue
            typed_of = {value: found[0] for value, found in checked.items()}
            typed[name] = list(map(typed_of.__getitem__, values))
            if any(problem is not None for _t, problem, _k in checked.values()):
                for index, value in enumerate(values):
                    problem = checked[value][1]
                    if problem is not None:
                        problems.setdefault(index, []).append((name, problem, "USG004"))
        if result.refused:
            return
        services = typed["service"]
        for value in set(services):
            if value is not None and value not in self._targets:
                self._targets[value] = self.resolver.service(value)
        unknown_places: set[str | None] = set()
        for name in ("commune_lieu", "residence"):
            for value in set(typed[name]):
                if value is not None and self.place(value) is None:
                    unknown_places.add(value)
        unknown_services = {v for v in set(services) if self._targets.get(v) is None}
        # the rules across columns, on the rows that may break one (most break none)
        suspects = [
            index
            for index, (service, mode, participants, paid, emitter, commune, residence) in (
                enumerate(
                    zip(
                        services,
                        typed["mode"],
                        typed["participants"],
                        typed["pass"],
                        typed["pass_emetteur"],
                        typed["commune_lieu"],
                        typed["residence"],
                        strict=True,
                    )
                )
            )
            if service in unknown_services
            or (participants is not None and participants > 1 and mode != "collectif")
            or (emitter and not paid)
            or commune in unknown_places
            or residence in unknown_places
        ]
        for index in suspects:
            if index in problems:
                continue
            found = self._row_problems(
                services[index],
                typed["mode"][index],
                typed["participants"][index],
                typed["pass"][index],
                typed["pass_emetteur"][index],
                typed["commune_lieu"][index],
                typed["residence"][index],
            )
            if found:
                problems[index] = found
        for index in sorted(problems):
            result.invalid_rows.append(lines[index])
            for name, problem, code in problems[index]:
                self.error(
                    code,
                    lines[index],
                    self.cols.get(name, 0),
                    _("row skipped: {problem}").format(problem=problem),
                )
        if problems:
            keep = [i for i in range(count) if i not in problems]
            typed = {name: [values[i] for i in keep] for name, values in typed.items()}
            lines = [lines[i] for i in keep]
        given_residences = typed["residence"]
        typed["residence"] = self._coarse_residences(given_residences, lines)
        places: dict[str | None, str | None] = {None: None}
        places.update(self._places)
        targets = list(map(self._targets.__getitem__, typed["service"]))
        dates = typed["date"]
        months = {d: d[:7] for d in set(dates)}
        splits: dict[str | None, list[str]] = {}
        for value in set(typed["publics"]):
            splits[value] = value.split("|") if value else []
        columns: Columns = {
            "mois": list(map(months.__getitem__, dates)),
            "date": dates,
            "lieu": typed["lieu"],
            "departement": list(map(places.__getitem__, typed["commune_lieu"])),
            "service": [t.service for t in targets],
            "thematique": [t.thematique for t in targets],
            "niveau": [t.niveau for t in targets],
            "mode": typed["mode"],
            "participants": [p or 1 for p in typed["participants"]],
            "pass": [p is True for p in typed["pass"]],
            "pass_emetteur": typed["pass_emetteur"],
            "publics": list(map(splits.__getitem__, typed["publics"])),
            "tranche_age": typed["tranche_age"],
            "residence": typed["residence"],
            "residence_departement": list(map(places.__getitem__, given_residences)),
        }
        result.kept += len(dates)
        if self.sink is not None:
            self.sink(columns)
        else:
            for name, kept in columns.items():
                result.columns[name].extend(kept)

    def _coarse_residences(self, residences: list[Any], lines: list[int]) -> list[Any]:
        """The residences as kept: a small commune as its département."""
        kept: dict[str | None, str | None] = {None: None}
        for value in set(residences):
            if value is None:
                continue
            if value not in self._residences:
                self._residences[value] = self.resolver.residence_of(value)
            kept[value] = self._residences[value]
            # a former commune becomes its current one silently; a département is told
            if len(kept[value] or "") < 5 <= len(value) and value not in self._coarsened:
                self._coarsened[value] = lines[residences.index(value)]
        return list(map(kept.__getitem__, residences))

    def finish(self) -> None:
        """After the last row: one warning for the residences kept as their département."""
        if not self._coarsened or self.result.refused:
            return
        first = min(self._coarsened, key=lambda code: (self._coarsened[code], code))
        codes = sorted(self._coarsened, key=lambda code: (self._coarsened[code], code))
        shown = ", ".join(codes[:5]) + (", …" if len(codes) > 5 else "")
        self.result.report.add(
            Diagnostic.warning(
                "USG008",
                Span(self.result.file, self._coarsened[first], self.cols.get("residence", 1)),
                ngettext(
                    "residence kept as its département for {n} commune of fewer than "
                    "{population} inhabitants, where it could single a person out: {codes}",
                    "residence kept as its département for {n} communes of fewer than "
                    "{population} inhabitants, where it could single a person out: {codes}",
                    len(codes),
                ).format(n=len(codes), population=RESIDENCE_MIN_POPULATION, codes=shown),
            )
        )

    def _row_problems(
        self,
        service: str,
        mode: str,
        participants: int | None,
        paid: bool | None,
        emitter: str | None,
        commune: str | None,
        residence: str | None,
    ) -> list[tuple[str, str, str]]:
        problems: list[tuple[str, str, str]] = []
        if self._targets.get(service) is None:
            problems.append(
                (
                    "service",
                    _(
                        "service '{value}' is neither a service of the référentiel (id or "
                        "notation) nor a thematique of La Coop"
                    ).format(value=service),
                    "USG005",
                )
            )
        if participants is not None and participants > 1 and mode != "collectif":
            problems.append(
                (
                    "participants",
                    _("only a collective session has more than one participant"),
                    "USG004",
                )
            )
        if emitter and not paid:
            problems.append(
                ("pass_emetteur", _("pass_emetteur is given but pass is not 'oui'"), "USG004")
            )
        for name, code in (("commune_lieu", commune), ("residence", residence)):
            if code and self._places.get(code) is None:
                problems.append(
                    (
                        name,
                        _("{field}: '{value}' is neither a commune nor a département").format(
                            field=name, value=code
                        ),
                        "USG006",
                    )
                )
        return problems


def import_usages(
    path: Path, resolver: Resolver, *, sink: Callable[[Columns], None] | None = None
) -> UsageImport:
    """Read a CSV in the observatory's format (:func:`_import_usages`), the cyclic garbage
    collector paused (millions of small lists and no cycle)."""
    from aptic_qualif.yamlio import bulk_reading

    with bulk_reading():
        return _import_usages(path, resolver, sink=sink)


def _import_usages(
    path: Path, resolver: Resolver, *, sink: Callable[[Columns], None] | None = None
) -> UsageImport:
    """Read a CSV in the observatory's format (``schema.json``), as a stream.

    The records kept go to ``sink``, a chunk of columns at a time, or else to the result's
    columns. A refused file may have given chunks to ``sink`` before its refusal: the caller
    drops them (:class:`~aptic_qualif.usages.store.StoreWriter` does)."""
    result = UsageImport(display_path(path))
    records = _records(path, result)
    first = next(records, None)
    if result.refused:
        return result
    if first is None:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, 1, 1),
                _("the file is empty: no header row"),
                _("the first row names the columns: {columns}").format(
                    columns=",".join(field_names())
                ),
            )
        )
        return result
    _line, header = first
    if _personal_header(header, result):
        return result
    names = [h.strip() for h in header]
    known = set(field_names())
    unknown = [(col, n) for col, n in enumerate(names, start=1) if n not in known]
    missing = sorted(required_fields() - set(names))
    seen: set[str] = set()
    twice = [(col, n) for col, n in enumerate(names, start=1) if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    for col, name in unknown:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, 1, col),
                _(
                    "column '{name}' is not part of the usage format; an unknown column "
                    "could carry personal data, so the whole file is refused"
                ).format(name=name),
                _("the columns are: {columns}").format(columns=", ".join(field_names())),
            )
        )
    for col, name in twice:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, 1, col),
                _("column '{name}' appears twice").format(name=name),
            )
        )
    for name in missing:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, 1, 1),
                _("the required column '{name}' is missing").format(name=name),
                _("the columns are: {columns}").format(columns=", ".join(field_names())),
            )
        )
    if result.refused:
        return result
    cols = {name: col for col, name in enumerate(names, start=1)}
    rows = _Rows(resolver, result, names, cols, sink)
    width = len(names)
    for line, record in records:
        if not record:
            continue
        result.rows += 1
        if len(record) != width:
            for cell_col, value in enumerate(record, start=1):
                kind = personal_value(value) if value else None
                if kind is not None:
                    _personal_cell(result, line, cell_col, f"#{cell_col}", kind)
            if not result.refused:
                result.invalid_rows.append(line)
                rows.error(
                    "USG004",
                    line,
                    1,
                    _("row skipped: it has {n} cells, the header {width}").format(
                        n=len(record), width=width
                    ),
                )
            continue
        rows.push(line, record)
    rows.flush()
    rows.finish()
    if result.refused:
        result.columns = empty_columns()
        result.kept = 0
    return result


# --- La Coop de la médiation numérique -------------------------------------------------

COOP_DATE = "Date"
COOP_TYPE = "Type"
COOP_PARTICIPANTS = "Nombre de participants"
COOP_CHANNEL = "Canaux d’accompagnement"
COOP_LIEU = "Lieu"
COOP_THEMATIQUES = "Thématique(s) d’accompagnement"
COOP_RESIDENCE = "Commune de résidence du bénéficiaire"
COOP_AGE = "Tranche d’âge du bénéficiaire"
COOP_STATUS = "Statut du bénéficiaire"
COOP_PERSONAL = (
    "Bénéficiaire",
    "Nom de l’atelier",
    "Nom de la démarche administrative",
    "Notes supplémentaires",
)
"""The columns of La Coop's export that name people or hold free text: the import refuses
them, or drops them unread with ``--drop-personal-columns``."""
COOP_USED = (
    COOP_DATE,
    COOP_TYPE,
    COOP_PARTICIPANTS,
    COOP_CHANNEL,
    COOP_LIEU,
    COOP_THEMATIQUES,
    COOP_RESIDENCE,
    COOP_AGE,
    COOP_STATUS,
)
COOP_REQUIRED = (COOP_DATE, COOP_TYPE, COOP_THEMATIQUES)

_COOP_AGE = {
    "mineur(e)": "moins-18",
    "mineur": "moins-18",
    "18 - 24 ans": "18-24",
    "25 - 39 ans": "25-39",
    "40 - 59 ans": "40-59",
    "60 - 69 ans": "60-69",
    "70 ans ou plus": "70-plus",
    "70 ans et plus": "70-plus",
}
_COOP_STATUS = {
    "scolarise(e)": "etudiants",
    "scolarise": "etudiants",
    "sans emploi": "demandeurs-emploi",
    "en emploi": "actifs",
    "retraite(e)": "seniors",
    "retraite": "seniors",
}
_POSTCODE_COMMUNE = re.compile(r"(\d{5})\s+(.+)$")


def _plain(text: str) -> str:
    return fold(text).replace("_", " ").strip()


def _coop_key(text: str) -> str:
    """A La Coop label compared without accents, case, or the kind of apostrophe."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _coop_thematiques() -> dict[str, str]:
    from aptic_qualif.vocabularies import COOP_DEMARCHES, COOP_THEMATIQUES

    found = {_coop_key(label): value for value, label in COOP_THEMATIQUES.items()}
    found["__demarches__"] = "|".join(COOP_DEMARCHES)
    return found


def _coop_date(value: str) -> str | None:
    value = value.strip()
    if m := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})(?:\s.*)?", value):
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T\s].*)?", value):
        return m.group(1)
    return None


class _CoopPlaces:
    def __init__(self) -> None:
        self._found: dict[str, str | None] = {}

    def insee(self, text: str) -> str | None:
        """The INSEE code of « 35000 Rennes » (or of « Venue, 35000 Rennes »), or None."""
        if text in self._found:
            return self._found[text]
        from aptic_qualif.communes import communes

        found: str | None = None
        m = _POSTCODE_COMMUNE.search(text.split(",")[-1].strip())
        if m:
            candidates = communes().of_postcode(m.group(1))
            if len(candidates) == 1:
                found = candidates[0].insee
            else:
                name = _plain(m.group(2))
                named = [c for c in candidates if _plain(c.name) == name]
                found = named[0].insee if len(named) == 1 else None
        self._found[text] = found
        return found


def import_coop(path: Path, resolver: Resolver, **options: Any) -> UsageImport:
    """Read La Coop's activity export (:func:`_import_coop`), the garbage collector paused."""
    from aptic_qualif.yamlio import bulk_reading

    with bulk_reading():
        return _import_coop(path, resolver, **options)


def _import_coop(
    path: Path,
    resolver: Resolver,
    *,
    venue: str | None = None,
    venues: dict[str, str] | None = None,
    drop_personal: bool = False,
    sink: Callable[[Columns], None] | None = None,
) -> UsageImport:
    """Read La Coop's activity export: its workbook (.xlsx), or its « Activités » sheet
    saved as CSV.

    The venue of an activity is ``venues[Lieu]`` (the national id of each « Lieu » text of
    the export), else ``venue``; a row whose venue is not known is reported and skipped.
    An activity counts once, under its first thematique (a kind of administrative
    procedure before the generic « Aide aux démarches administratives »)."""
    result = UsageImport(display_path(path))
    records = (
        _xlsx_records(path, result) if path.suffix.lower() == ".xlsx" else _records(path, result)
    )
    header: list[str] | None = None
    header_line = 1
    for line, record in records:
        # The export starts with its metadata and filters; the table's header follows.
        if record and record[0].strip() == COOP_DATE and COOP_TYPE in [c.strip() for c in record]:
            header, header_line = [c.strip() for c in record], line
            break
        for col, value in enumerate(record, start=1):
            if value and (kind := personal_value(value)) is not None:
                _personal_cell(result, line, col, f"#{col}", kind)
    if result.refused:
        return result
    if header is None:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, 1, 1),
                _("no table of activities: no row starts with the column « Date »"),
                _("export the activities from La Coop and save the « Activités » sheet as CSV"),
            )
        )
        return result
    normalized = [h.replace("'", "’") for h in header]
    personal = [(col, h) for col, h in enumerate(normalized, start=1) if h in COOP_PERSONAL]
    if personal and not drop_personal:
        for col, name in personal:
            result.refuse(
                Diagnostic.error(
                    "USG001",
                    Span(result.file, header_line, col),
                    _(
                        "column '{name}' names the people accompanied or holds free text: "
                        "the observatory records usages, never users; the whole file is "
                        "refused"
                    ).format(name=name),
                    _(
                        "delete the column, or add --drop-personal-columns to leave it "
                        "unread (its cells are neither stored nor shown)"
                    ),
                )
            )
        return result
    for col, name in personal:
        result.report.add(
            Diagnostic.warning(
                "USG007",
                Span(result.file, header_line, col),
                _("column '{name}' left unread: it names people or holds free text").format(
                    name=name
                ),
            )
        )
    missing = [name for name in COOP_REQUIRED if name not in normalized]
    for name in missing:
        result.refuse(
            Diagnostic.error(
                "USG003",
                Span(result.file, header_line, 1),
                _("the column « {name} » of La Coop's export is missing").format(name=name),
            )
        )
    if result.refused:
        return result
    cols = {name: col for col, name in enumerate(normalized, start=1) if name in COOP_USED}
    personal_cols = {col for col, _name in personal}
    themes = _coop_thematiques()
    demarches = set(themes.pop("__demarches__").split("|"))
    places = _CoopPlaces()
    names = list(field_names())
    rows = _Rows(
        resolver,
        result,
        names,
        {k: cols.get(c, 1) for k, c in _COOP_FIELD_COLUMN.items()},
        sink,
    )
    venues = venues or {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        result.rows += 1
        for col, value in enumerate(record, start=1):
            if col in personal_cols or not value:
                continue
            if (kind := personal_value(value)) is not None:
                _personal_cell(
                    result, line, col, header[col - 1] if col <= len(header) else f"#{col}", kind
                )
        if result.refused:
            continue

        def get(name: str, record: list[str] = record) -> str:
            col = cols.get(name)
            return record[col - 1].strip() if col is not None and col <= len(record) else ""

        values, problem = _coop_row(get, themes, demarches, places, venue, venues)
        if problem is not None:
            name, message = problem
            result.invalid_rows.append(line)
            rows.error(
                "USG004",
                line,
                cols.get(name, 1),
                _("row skipped: {problem}").format(problem=message),
            )
            continue
        assert values is not None
        rows.push(line, [values[name] for name in names])
    rows.flush()
    rows.finish()
    if result.refused:
        result.columns = empty_columns()
        result.kept = 0
    return result


_COOP_FIELD_COLUMN = {
    "date": COOP_DATE,
    "lieu": COOP_LIEU,
    "commune_lieu": COOP_LIEU,
    "service": COOP_THEMATIQUES,
    "mode": COOP_TYPE,
    "participants": COOP_PARTICIPANTS,
    "publics": COOP_STATUS,
    "tranche_age": COOP_AGE,
    "residence": COOP_RESIDENCE,
}


def _coop_row(
    get: Callable[[str], str],
    themes: dict[str, str],
    demarches: set[str],
    places: _CoopPlaces,
    venue: str | None,
    venues: dict[str, str],
) -> tuple[dict[str, str] | None, tuple[str, str] | None]:
    date = _coop_date(get(COOP_DATE))
    if date is None:
        return None, (COOP_DATE, _("the date is neither DD/MM/YYYY nor YYYY-MM-DD"))
    kind = _coop_key(get(COOP_TYPE))
    channel = _coop_key(get(COOP_CHANNEL))
    if "collectif" in kind:
        mode = "collectif"
    elif "individuel" in kind or "demarche" in kind:
        mode = "a-distance" if "distance" in channel else "individuel"
    else:
        return None, (COOP_TYPE, _("the type is neither an individual nor a collective one"))
    labels = [label for label in re.split(r"[\n;]", get(COOP_THEMATIQUES)) if label.strip()]
    values = [themes.get(_coop_key(label)) for label in labels]
    if not labels or None in values:
        return None, (COOP_THEMATIQUES, _("a thematique is not one of La Coop's"))
    chosen = next((v for v in values if v in demarches), values[0])
    assert chosen is not None
    lieu_text = get(COOP_LIEU)
    venue_id = venues.get(lieu_text, venue)
    if not venue_id:
        return None, (
            COOP_LIEU,
            _("the venue « {lieu} » has no national id (give --venue or --venues)").format(
                lieu=lieu_text
            ),
        )
    participants = get(COOP_PARTICIPANTS)
    ages = Counter(
        _COOP_AGE[k] for a in get(COOP_AGE).split("\n") if (k := _coop_key(a)) in _COOP_AGE
    )
    publics = sorted(
        {
            _COOP_STATUS[k]
            for s in get(COOP_STATUS).split("\n")
            if (k := _coop_key(s)) in _COOP_STATUS
        }
    )
    homes = {
        code
        for h in get(COOP_RESIDENCE).split("\n")
        if h.strip() not in {"", "-"} and (code := places.insee(h)) is not None
    }
    residence = ""
    if len(homes) == 1:
        residence = homes.pop()
    elif homes:
        from aptic_qualif.communes import communes

        deps = {c.departement for code in homes if (c := communes().get(code)) is not None}
        residence = deps.pop() if len(deps) == 1 else ""
    return {
        "date": date,
        "lieu": venue_id,
        "commune_lieu": places.insee(lieu_text) or "",
        "service": chosen,
        "mode": mode,
        "participants": participants if mode == "collectif" and participants != "0" else "",
        "pass": "",
        "pass_emetteur": "",
        "publics": "|".join(publics),
        "tranche_age": ages.most_common(1)[0][0] if ages else "",
        "residence": residence,
    }, None


def read_venue_map(path: Path) -> tuple[dict[str, str], Report]:
    """``--venues FILE.csv``: two columns, La Coop's « Lieu » text and the venue's id."""
    report = Report()
    shown = display_path(path)
    raw, problem = read_regular(path, shown, limit=16 * 1024 * 1024)
    if raw is None:
        assert problem is not None
        report.add(problem)
        return {}, report
    found: dict[str, str] = {}
    for line, record in csv_lines(raw.decode("utf-8-sig", errors="replace")):
        if line == 1 or not record:
            continue
        if len(record) != 2 or not rules()["lieu"].pattern.fullmatch(record[1].strip()):  # type: ignore[union-attr]
            report.add(
                Diagnostic.error(
                    "USG004",
                    Span(shown, line, 1),
                    _("expected two cells: the « Lieu » text of La Coop and the venue's id"),
                )
            )
            continue
        found[record[0].strip()] = record[1].strip()
    return found, report


def csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record of a text with the line it starts on (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1

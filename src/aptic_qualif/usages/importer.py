"""Importers of activity records: the observatory's own format and La Coop's activity export.

Both read a CSV whole (a regular file, at most :data:`MAX_BYTES`), then:

* refuse the whole file when a column would hold personal data (``USG001``) or a cell looks
  like an e-mail address, a telephone number or a NIR (``USG002``): nothing of it is kept;
* refuse the whole file when its header does not have the format's columns (``USG003``);
* report a row that breaks the format (``USG004``), names an unknown service (``USG005``)
  or an unknown place (``USG006``), with its line and column, and keep the other rows.

Records come out as columns (:class:`Columns`), ready for :mod:`aptic_qualif.usages.store`.
Every distinct cell value is checked once (a national file repeats the same dates, venues
and services millions of times).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.reading import read_regular
from aptic_qualif.usages.model import Resolver, check_cell, field_names, required_fields, rules
from aptic_qualif.usages.personal import KIND_LABELS, fold, personal_column, personal_value

MAX_BYTES = 1024 * 1024 * 1024
"""The largest file an import reads (about 10 million records of the format)."""

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

    @property
    def kept(self) -> int:
        return len(self.columns["mois"])

    def refuse(self, diagnostic: Diagnostic) -> None:
        self.report.add(diagnostic)
        self.refused = True
        self.columns = empty_columns()


def _read_text(path: Path, result: UsageImport) -> str | None:
    raw, problem = read_regular(path, result.file, limit=MAX_BYTES)
    if raw is None:
        assert problem is not None
        result.refuse(problem)
        return None
    result.digest = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.refuse(
            Diagnostic.error(
                "IO001",
                Span(result.file, 0, 0),
                _("the file is not encoded in UTF-8"),
                _("save it again as CSV UTF-8"),
            )
        )
        return None


def _records(text: str, start: int = 0) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (1-based)."""
    previous = csv.field_size_limit(max(len(text), 131_072) + 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        line = 1
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    finally:
        csv.field_size_limit(previous)


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
    """Turns checked rows into stored columns; every distinct value is checked once."""

    def __init__(self, resolver: Resolver, result: UsageImport) -> None:
        self.resolver = resolver
        self.result = result
        self._cells: dict[tuple[str, str], tuple[Any, str | None, str | None]] = {}
        self._places: dict[str, str | None] = {}
        self._interned: dict[str, str] = {}

    def cell(self, name: str, value: str) -> tuple[Any, str | None, str | None]:
        """(typed value, schema problem, personal kind) of one cell."""
        key = (name, value)
        found = self._cells.get(key)
        if found is None:
            kind = personal_value(value) if value else None
            typed, problem = check_cell(rules()[name], value)
            found = (
                self._interned.setdefault(typed, typed) if isinstance(typed, str) else typed,
                problem,
                kind,
            )
            if len(self._cells) < 1_000_000:
                self._cells[key] = found
        return found

    def place(self, code: str) -> str | None:
        if code not in self._places:
            self._places[code] = self.resolver.departement_of(code)
        return self._places[code]

    def error(self, code: str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.result.report.add(
            Diagnostic.error(code, Span(self.result.file, line, col), message, hint)
        )

    def add(self, line: int, values: dict[str, str], cols: dict[str, int]) -> None:
        """Check one row of the format (``values`` by field name) and keep it, or report it."""
        result = self.result
        typed: dict[str, Any] = {}
        problems: list[tuple[str, str, str]] = []
        for name, value in values.items():
            got, problem, kind = self.cell(name, value)
            if kind is not None:
                _personal_cell(result, line, cols.get(name, 0), name, kind)
                return
            if problem is not None:
                problems.append((name, problem, "USG004"))
            typed[name] = got
        if result.refused:
            return
        if not problems:
            problems = self._semantics(typed)
        if problems:
            result.invalid_rows.append(line)
            for name, problem, code in problems:
                self.error(
                    code,
                    line,
                    cols.get(name, 0),
                    _("row skipped: {problem}").format(problem=problem),
                )
            return
        target = self.resolver.service(typed["service"])
        assert target is not None
        date = typed["date"]
        mode = typed["mode"]
        columns = result.columns
        columns["mois"].append(date[:7])
        columns["date"].append(date)
        columns["lieu"].append(typed["lieu"])
        columns["departement"].append(
            self.place(typed["commune_lieu"]) if typed.get("commune_lieu") else None
        )
        columns["service"].append(target.service)
        columns["thematique"].append(target.thematique)
        columns["niveau"].append(target.niveau)
        columns["mode"].append(mode)
        columns["participants"].append(typed.get("participants") or 1)
        columns["pass"].append(bool(typed.get("pass")))
        columns["pass_emetteur"].append(typed.get("pass_emetteur"))
        publics = typed.get("publics")
        columns["publics"].append(publics.split("|") if publics else [])
        columns["tranche_age"].append(typed.get("tranche_age"))
        residence = typed.get("residence")
        columns["residence"].append(residence)
        columns["residence_departement"].append(self.place(residence) if residence else None)

    def _semantics(self, typed: dict[str, Any]) -> list[tuple[str, str, str]]:
        problems: list[tuple[str, str, str]] = []
        if self.resolver.service(typed["service"]) is None:
            problems.append(
                (
                    "service",
                    _(
                        "service '{value}' is neither a service of the référentiel (id or "
                        "notation) nor a thematique of La Coop"
                    ).format(value=typed["service"]),
                    "USG005",
                )
            )
        participants = typed.get("participants")
        if participants is not None and participants > 1 and typed["mode"] != "collectif":
            problems.append(
                (
                    "participants",
                    _("only a collective session has more than one participant"),
                    "USG004",
                )
            )
        if typed.get("pass_emetteur") and not typed.get("pass"):
            problems.append(
                ("pass_emetteur", _("pass_emetteur is given but pass is not 'oui'"), "USG004")
            )
        for name in ("commune_lieu", "residence"):
            code = typed.get(name)
            if code and self.place(code) is None:
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


def import_usages(path: Path, resolver: Resolver) -> UsageImport:
    """Read a CSV in the observatory's format (``schema.json``)."""
    result = UsageImport(display_path(path))
    text = _read_text(path, result)
    if text is None:
        return result
    records = _records(text)
    first = next(records, None)
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
    rows = _Rows(resolver, result)
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
        rows.add(line, dict(zip(names, record, strict=True)), cols)
    if result.refused:
        result.columns = empty_columns()
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


def import_coop(
    path: Path,
    resolver: Resolver,
    *,
    venue: str | None = None,
    venues: dict[str, str] | None = None,
    drop_personal: bool = False,
) -> UsageImport:
    """Read La Coop's activity export (its « Activités » table saved as CSV).

    The venue of an activity is ``venues[Lieu]`` (the national id of each « Lieu » text of
    the export), else ``venue``; a row whose venue is not known is reported and skipped.
    An activity counts once, under its first thematique (a kind of administrative
    procedure before the generic « Aide aux démarches administratives »)."""
    result = UsageImport(display_path(path))
    text = _read_text(path, result)
    if text is None:
        return result
    records = _records(text)
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
    rows = _Rows(resolver, result)
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
        rows.add(line, values, {k: cols.get(c, 1) for k, c in _COOP_FIELD_COLUMN.items()})
    if result.refused:
        result.columns = empty_columns()
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
    for line, record in _records(raw.decode("utf-8-sig", errors="replace")):
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

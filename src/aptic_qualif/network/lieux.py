"""Exchanges with the national open data of digital-mediation venues.

The national schema ("lieux de médiation numérique", v1, a Frictionless Table Schema) has
32 columns (:data:`~aptic_qualif.vocabularies.LIEUX_COLUMNS`); multiple values are joined
with ``|``.

* **Export** (:func:`export_lieux`): one row per venue whose decision is *qualifié* (or every
  venue with ``include_all``). The identity items of the questionnaire name the column they
  fill (``export``) and, for choices, the national value of each option. Computed columns:

  - ``id``: ``aptic-qualif-<application id>`` (the application file name without extension);
  - ``services``: the national values of the catalogue services the venue declared
    (``mappings.lieux_services``), in the schema's order;
  - ``autres_formations_labels``: the policy's label, for qualified venues only;
  - ``source``: ``aptic-qualif``;
  - ``date_maj``: the given date, else the latest date of the reviews used for the venue,
    else the ``modified`` date of the référentiel: never the clock, so that the same files
    give the same export.

  Privacy: only the venue (a legal entity) is described, never the people it helps; its
  telephone, email and website are exported only when the application answers
  ``contacts_publics: true``. A value that the national schema would refuse is dropped with
  a warning (``LIEU004``) rather than producing an invalid file; a venue left without a
  required column is not exported.

* **Import** (:func:`import_lieux`): each row of a CSV in the same schema becomes a pre-filled
  application skeleton (identity mapped back through the same ``export`` keys, every other
  answer empty). An invalid row (``LIEU002``) is reported with its row number and skipped; a
  value that cannot be mapped is dropped with a warning (``LIEU003``). The national services
  of the row are not turned into catalogue services, which would claim services the venue
  never declared: the skeleton lists the matching catalogue services in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    CheckedApplication,
    check_answer,
)
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import CHOICE_TYPES, NUMBER_TYPES, Item
from aptic_qualif.reading import read_regular
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.review.model import Review
from aptic_qualif.sanitize import csv_cell
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.vocabularies import LIEUX_COLUMNS, LIEUX_ENUMERATIONS, LIEUX_SERVICES

MAX_CSV_BYTES = 64 * 1024 * 1024
"""Largest CSV accepted by the import (bytes): the national list of venues is a few MiB."""

SEPARATOR = "|"
SOURCE = "aptic-qualif"
ID_PREFIX = "aptic-qualif-"

LIEUX_REQUIRED: tuple[str, ...] = (
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "adresse",
    "date_maj",
)
"""The columns the national schema requires (``constraints.required``)."""

FORMATIONS_LABELS: tuple[str, ...] = (
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "Collectif ressources et acteurs réemploi (Normandie)",
    "Étapes numériques(La Poste)",
    "Fabriques de Territoire",
    "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)",
    "ORDI 3.0",
    "SUD LABS (PACA)",
)
"""The values the pattern of ``formations_labels`` allows (schema v1.0.2, spelling kept)."""

ENUMERATIONS: dict[str, tuple[str, ...]] = {
    **LIEUX_ENUMERATIONS,
    "formations_labels": FORMATIONS_LABELS,
}

PATTERNS: dict[str, re.Pattern[str]] = {
    "pivot": re.compile(r"[a-zA-Z0-9]{9,14}"),
    "code_postal": re.compile(r"\d{5}"),
    "code_insee": re.compile(r"(?:[013-9]\d|2[AB1-9])\d{3}"),
    "telephone": re.compile(
        r"(?:\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}"
    ),
}
"""The ``pattern`` constraints of the national schema (matched in full)."""

MAX_LENGTHS: dict[str, int] = {"presentation_resume": 280}

UNPREFIXED: frozenset[str] = frozenset(
    {*PATTERNS, *ENUMERATIONS, "latitude", "longitude", "date_maj"}
)
"""Columns written as they are in the CSV: their schema (a pattern, a list of values, a
number, a date) already excludes formulas, and a ``'`` would make the value invalid
(``+33…`` is a telephone number, ``-1.55`` a longitude). Every other column is free text and
gets :func:`~aptic_qualif.sanitize.csv_cell`."""


def national_cell(column: str, value: str) -> str:
    """The CSV cell of ``value`` in ``column``: free text that starts like a formula gets a
    leading ``'`` (:func:`~aptic_qualif.sanitize.csv_cell`); constrained columns never."""
    if column in UNPREFIXED:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return str(csv_cell(value))


MULTI_VALUED: frozenset[str] = frozenset({*ENUMERATIONS, "typologie", "courriels", "site_web"})
"""Columns whose values are joined with ``|``."""

CONTACT_COLUMNS: frozenset[str] = frozenset({"telephone", "courriels", "site_web"})
"""Published only when the application says so (``contacts_publics``)."""

CONTACTS_ITEM = "contacts_publics"


# ── Export ──────────────────────────────────────────────────────────────────────────────


@dataclass
class ExportResult:
    rows: list[dict[str, str]] = field(default_factory=list)
    """One row per exported venue: every column of :data:`LIEUX_COLUMNS`, in order."""
    report: Report = field(default_factory=Report)
    unreadable: list[str] = field(default_factory=list)
    """Application files that could not be read (already reported)."""
    assessed: int = 0


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return text


def _identity_values(item: Item, answer: Any) -> list[str]:
    """The national values of one identity answer (already normalised)."""
    if item.type in CHOICE_TYPES:
        exports = {o.value: o.export for o in item.options or ()}
        chosen = answer if isinstance(answer, list) else [answer]
        return [value for c in chosen if (value := exports.get(c))]
    if item.type in NUMBER_TYPES:
        return [_number(answer)] if isinstance(answer, int | float) else []
    if item.type == "boolean":
        return []
    text = str(answer).strip()
    return [text] if text else []


class RowBuilder:
    """The questionnaire, catalogue and policy compiled into the national columns."""

    def __init__(self, context: Context) -> None:
        self.exported: list[LocatedItem] = [
            located for located in context.questionnaire.identity if located.item.export
        ]
        self.services_items = [
            located.id for located in context.questionnaire.items if located.item.type == "services"
        ]
        self.national: dict[str, tuple[str, ...]] = {
            service.id: tuple(service.mappings.lieux_services)
            for service in context.catalogue.services.values()
        }
        self.label = context.policy.label if context.policy is not None else ""
        self.default_date = context.catalogue.scheme.modified.isoformat()

    def row(
        self,
        checked: CheckedApplication,
        qualified: bool,
        date_maj: str,
        report: Report,
    ) -> dict[str, str] | None:
        """The venue's row, or ``None`` when a required column cannot be filled."""
        answers = checked.answers
        doc = checked.doc
        public_contacts = answers.get(CONTACTS_ITEM) is True
        values: dict[str, list[str]] = {}
        spans: dict[str, Span] = {}
        for located in self.exported:
            column = located.item.export or ""
            if column in CONTACT_COLUMNS and not public_contacts:
                continue
            answer = answers.get(located.id)
            if answer is None:
                continue
            found = values.setdefault(column, [])
            found += [v for v in _identity_values(located.item, answer) if v not in found]
            spans.setdefault(column, doc.span((IDENTITY_KEY, located.id)))

        offered: set[str] = set()
        for item_id in self.services_items:
            for service in answers.get(item_id) or ():
                offered.update(self.national.get(service, ()))
            if item_id in answers:
                spans.setdefault("services", doc.span((ANSWERS_KEY, item_id)))
        values["services"] = [value for value in LIEUX_SERVICES if value in offered]
        values["id"] = [ID_PREFIX + checked.id]
        values["source"] = [SOURCE]
        values["date_maj"] = [date_maj]
        if qualified and self.label:
            labels = values.setdefault("autres_formations_labels", [])
            if self.label not in labels:
                labels.append(self.label)

        row: dict[str, str] = {}
        here = Span(doc.file, 1, 1)
        for column in LIEUX_COLUMNS:
            kept = _conform(column, values.get(column, []), spans.get(column, here), report)
            row[column] = SEPARATOR.join(kept)
        empty = [column for column in LIEUX_REQUIRED if not row[column]]
        if empty:
            report.add(
                Diagnostic.warning(
                    "LIEU004",
                    here,
                    _("venue not exported: the required column(s) {columns} would be empty").format(
                        columns=", ".join(empty)
                    ),
                    _("answer the identity questions that fill them"),
                )
            )
            return None
        return row


def _conform(column: str, values: list[str], span: Span, report: Report) -> list[str]:
    """The values the national schema accepts in ``column``; the others are reported."""
    allowed = ENUMERATIONS.get(column)
    pattern = PATTERNS.get(column)
    limit = MAX_LENGTHS.get(column)
    kept: list[str] = []
    for value in values:
        if allowed is not None and value not in allowed:
            problem = _("'{value}' is not one of the values of the column {column}")
        elif pattern is not None and not pattern.fullmatch(value):
            problem = _("'{value}' does not match the format of the column {column}")
        elif limit is not None and len(value) > limit:
            problem = _("the column {column} holds at most {limit} characters")
        elif limit is not None and len(national_cell(column, value)) > limit:
            problem = _(
                "'{value}' starts like a spreadsheet formula: with the quote that neutralises "
                "it, it exceeds the {limit} characters of the column {column}"
            )
        elif SEPARATOR in value and column in MULTI_VALUED:
            problem = _("'{value}' contains the separator '|' of the column {column}")
        else:
            kept.append(value)
            continue
        report.add(
            Diagnostic.warning(
                "LIEU004",
                span,
                _("not exported: {problem}").format(
                    problem=problem.format(value=value, column=column, limit=limit)
                ),
                _("the national schema of digital-mediation venues would refuse it"),
            )
        )
    return kept


def export_lieux(
    files: Iterable[Path],
    context: Context,
    reviews: Iterable[Review] = (),
    *,
    include_all: bool = False,
    date_maj: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> ExportResult:
    """Assess ``files`` (as ``assess`` does) and build the national rows, sorted by id.

    ``date_maj`` (``YYYY-MM-DD``) is the update date of every row; by default, each venue's
    latest used review, else the référentiel's ``modified`` date.
    """
    from aptic_qualif.scoring.assess import assess_each

    builder = RowBuilder(context)
    result = ExportResult()
    built: list[tuple[tuple[str, str], dict[str, str]]] = []

    def build(assessment: Assessment, checked: CheckedApplication, own: Sequence[Review]) -> None:
        result.assessed += 1
        qualified = assessment.decision == "qualifie"
        if not (qualified or include_all):
            return
        when = date_maj or _review_date(assessment, own) or builder.default_date
        row = builder.row(checked, qualified, when, result.report)
        if row is not None:
            built.append(((assessment.application, assessment.file), row))

    batch = assess_each(files, context, build, reviews, on_file=on_file)
    result.report.extend(batch.report.diagnostics)
    result.unreadable.extend(batch.unreadable)
    # Rows are built as files are read (nothing else is kept), then sorted like ``assess``.
    built.sort(key=lambda entry: entry[0])
    seen: dict[str, int] = {}
    for (_application, file), row in built:
        row["id"] = _unique(row["id"], seen, file, result.report)
        result.rows.append(row)
    return result


def _review_date(assessment: Assessment, reviews: Sequence[Review]) -> str | None:
    used = set(assessment.reviews.used)
    dates = [r.date for r in reviews if r.reviewer in used]
    return max(dates).isoformat() if dates else None


def _unique(venue_id: str, seen: dict[str, int], file: str, report: Report) -> str:
    """``venue_id``, or ``venue_id-N`` when another venue of the batch already has it."""
    count = seen.get(venue_id, 0) + 1
    seen[venue_id] = count
    if count == 1:
        return venue_id
    unique = f"{venue_id}-{count}"
    while unique in seen:
        count += 1
        unique = f"{venue_id}-{count}"
    seen[unique] = 1
    report.add(
        Diagnostic.warning(
            "LIEU004",
            Span(file, 1, 1),
            _("another application has the same file name: this venue is exported as {id}").format(
                id=unique
            ),
            _("give every application file a distinct name"),
        )
    )
    return unique


def render_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as CSV: the national columns in order, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LIEUX_COLUMNS)
    for row in rows:
        writer.writerow([national_cell(column, row.get(column, "")) for column in LIEUX_COLUMNS])
    return buffer.getvalue()


def render_json(rows: Iterable[dict[str, str]]) -> str:
    """The rows as a JSON array of objects: keys in column order, empty columns left out,
    multiple values kept as in the CSV (joined with ``|``)."""
    objects = [{column: row[column] for column in LIEUX_COLUMNS if row.get(column)} for row in rows]
    return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"


# ── Import ──────────────────────────────────────────────────────────────────────────────


@dataclass
class ImportedVenue:
    """One row turned into an application skeleton."""

    row: int
    """The row number in the file (the header is row 1)."""
    name: str
    """The application id: the file name to write, without ``.yaml``."""
    identity: dict[str, Any]
    """The pre-filled identity answers, keyed by item id."""
    extras: dict[str, str] = field(default_factory=dict)
    """The row's columns that no answer takes (``id``, ``source``, ``date_maj``, ``services``),
    for the skeleton's comments."""


@dataclass
class ImportResult:
    venues: list[ImportedVenue] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    rows: int = 0
    """Data rows read."""
    invalid_rows: list[int] = field(default_factory=list)
    header_ok: bool = True
    file: str = ""
    renderer: SkeletonRenderer | None = None

    def text(self, venue: ImportedVenue) -> str:
        """The venue's skeleton (YAML), rendered on demand: thousands of rows stay light."""
        assert self.renderer is not None
        return self.renderer.render(venue, venue.extras, self.file)


def import_lieux(path: Path, context: Context) -> ImportResult:
    """Read a CSV in the national schema and build one skeleton per valid row."""
    result = ImportResult()
    shown = display_path(path)
    raw, refused = read_regular(path, shown, limit=MAX_CSV_BYTES)
    if raw is None:
        assert refused is not None
        result.header_ok = False
        result.report.add(refused)
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.header_ok = False
        result.report.add(
            Diagnostic.error(
                "IO001",
                Span(shown, 0, 0),
                _("the file is not encoded in UTF-8"),
                _("save it again as CSV UTF-8"),
            )
        )
        return result

    mapper = _RowMapper(context, shown)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        header = None
        result.report.add(Diagnostic.error("LIEU001", Span(shown, 1, 1), str(exc)))
    else:
        if header is None:
            result.report.add(
                Diagnostic.error(
                    "LIEU001",
                    Span(shown, 1, 1),
                    _("the file is empty: no header row, no venue"),
                    _("the header must name the columns of the national schema"),
                )
            )
    if not header or not mapper.check_header(header, result.report):
        result.header_ok = False
        return result

    line = reader.line_num + 1
    number = 1
    try:
        for record in reader:
            number += 1
            start, line = line, reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            result.rows += 1
            venue = mapper.venue(record, number, start, result.report)
            if venue is None:
                result.invalid_rows.append(number)
            else:
                result.venues.append(venue)
    except csv.Error as exc:
        result.invalid_rows.append(number)
        result.report.add(
            Diagnostic.error(
                "LIEU002",
                Span(shown, reader.line_num, 1),
                _("row {row}: {error}; the rest of the file is not read").format(
                    row=number, error=exc
                ),
            )
        )

    _name(result.venues)
    result.file = shown
    result.renderer = SkeletonRenderer(context.questionnaire, context.catalogue)
    return result


class _RowMapper:
    """Maps the columns of a row back to identity answers."""

    def __init__(self, context: Context, file: str) -> None:
        self.catalogue = context.catalogue
        self.file = file
        self.items: list[tuple[LocatedItem, str]] = [
            (located, located.item.export)
            for located in context.questionnaire.identity
            if located.item.export
        ]
        self.columns: dict[str, int] = {}
        self.width = 0

    def check_header(self, header: list[str], report: Report) -> bool:
        self.width = len(header)
        for index, raw in enumerate(header):
            name = raw.strip()
            if name in self.columns:
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        Span(self.file, 1, index + 1),
                        _("the column {column} appears twice: only the first one is read").format(
                            column=name
                        ),
                    )
                )
            elif name in LIEUX_COLUMNS:
                self.columns[name] = index
            else:
                self.columns.setdefault(name, index)
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        Span(self.file, 1, index + 1),
                        _(
                            "'{column}' is not a column of the national schema: it is ignored"
                        ).format(column=name),
                    )
                )
        missing = [column for column in LIEUX_REQUIRED if column not in self.columns]
        if missing:
            hint = (
                _("the file must be comma-separated")
                if len(header) == 1 and ";" in header[0]
                else _("the header must name the columns of the national schema")
            )
            report.add(
                Diagnostic.error(
                    "LIEU001",
                    Span(self.file, 1, 1),
                    _("required column(s) missing: {columns}").format(columns=", ".join(missing)),
                    hint,
                )
            )
            return False
        return True

    def venue(
        self, record: list[str], number: int, line: int, report: Report
    ) -> ImportedVenue | None:
        columns = self.columns
        if len(record) != self.width:
            report.add(
                Diagnostic.error(
                    "LIEU002",
                    Span(self.file, line, 1),
                    _("row {row} has {n} fields, the header has {m}: the row is skipped").format(
                        row=number, n=len(record), m=self.width
                    ),
                    _("check the quotes and separators of the row"),
                )
            )
            return None

        def cell(column: str) -> str:
            index = columns.get(column)
            return record[index].strip() if index is not None else ""

        def span(column: str) -> Span:
            index = columns.get(column)
            return Span(self.file, line, index + 1 if index is not None else 0)

        problems: list[Diagnostic] = []
        for column in LIEUX_REQUIRED:
            if not cell(column):
                problems.append(
                    Diagnostic.error(
                        "LIEU002",
                        span(column),
                        _("row {row}: the required column {column} is empty").format(
                            row=number, column=column
                        ),
                    )
                )
        identity: dict[str, Any] = {}
        for located, column in self.items:
            raw = cell(column)
            if not raw:
                continue
            value, errors, warnings = self._answer(located.item, column, raw)
            required = column in LIEUX_REQUIRED
            for message in warnings:
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        span(column),
                        _("row {row}, column {column}: {problem}").format(
                            row=number, column=column, problem=message
                        ),
                    )
                )
            if errors and required:
                problems.append(
                    Diagnostic.error(
                        "LIEU002",
                        span(column),
                        _("row {row}, column {column}: {problem}").format(
                            row=number, column=column, problem=errors[0]
                        ),
                        _(
                            "the application needs the 14-digit SIRET of the establishment "
                            "(annuaire-entreprises.data.gouv.fr); an RNA number or a SIREN "
                            "is not enough"
                        )
                        if column == "pivot"
                        else None,
                    )
                )
            elif errors:
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        span(column),
                        _("row {row}, column {column}: {problem}; the value is dropped").format(
                            row=number, column=column, problem=errors[0]
                        ),
                    )
                )
            elif value is not None:
                identity[located.id] = value
        if problems:
            report.extend(problems)
            return None
        extras = {column: cell(column) for column in ("id", "source", "date_maj", "services")}
        return ImportedVenue(number, "", identity, extras)

    def _answer(self, item: Item, column: str, raw: str) -> tuple[Any, list[str], list[str]]:
        """The answer for ``item`` from the cell ``raw``: (value, errors, warnings)."""
        parts = [p.strip() for p in raw.split(SEPARATOR)] if column in MULTI_VALUED else [raw]
        parts = [p for p in parts if p]
        warnings: list[str] = []
        if item.type in CHOICE_TYPES:
            by_export = {o.export: o.value for o in item.options or () if o.export}
            folded = {_fold(k): v for k, v in by_export.items()}
            chosen: list[str] = []
            for part in parts:
                value = by_export.get(part) or folded.get(_fold(part))
                if value is None:
                    warnings.append(
                        _("'{value}' has no matching choice: it is dropped").format(value=part)
                    )
                elif value not in chosen:
                    chosen.append(value)
            if item.type == "single_choice":
                if len(chosen) > 1:
                    warnings.append(
                        _("several values ({values}) for a single choice: left unanswered").format(
                            values=SEPARATOR.join(parts)
                        )
                    )
                    return None, [], warnings
                return (chosen[0] if chosen else None), [], warnings
            return (chosen or None), [], warnings
        errors: list[str] = []
        for index, part in enumerate(parts):
            candidate: Any = part
            if item.type in NUMBER_TYPES:
                candidate = _parse_number(part)
                if candidate is None:
                    errors.append(_("'{value}' is not a number").format(value=part))
                    continue
            value, found = check_answer(item, candidate, self.catalogue)
            if found:
                errors += found
                continue
            if len(parts) > index + 1:
                warnings.append(
                    _("only the first valid value is kept; dropped: {values}").format(
                        values=SEPARATOR.join(parts[index + 1 :])
                    )
                )
            return value, [], warnings
        return None, errors, warnings


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")


def _parse_number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def slug(text: str) -> str:
    """Lower case ASCII letters, digits and single hyphens (at most 60 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:60].rstrip("-")


def _name(venues: list[ImportedVenue]) -> None:
    """Name each venue after its ``nom``; names shared by several rows get the commune,
    then ``-2``, ``-3``… in row order. Names depend on the file only, never on the folder."""
    base = {v.row: slug(str(v.identity.get("nom", ""))) or f"lieu-{v.row}" for v in venues}
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name] = counts.get(name, 0) + 1
    taken: set[str] = set()
    for venue in venues:
        name = base[venue.row]
        if counts[name] > 1:
            commune = slug(str(venue.identity.get("commune", "")))
            if commune and not name.endswith(commune):
                name = f"{name}-{commune}"
        unique, number = name, 1
        while unique in taken:
            number += 1
            unique = f"{name}-{number}"
        taken.add(unique)
        venue.name = unique


# ── Skeleton ────────────────────────────────────────────────────────────────────────────

_PLAIN = re.compile(r"[^\W\d_][\w .,'’()/«»…+\-]*")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _one_line(text: str, limit: int = 200) -> str:
    """Text from a file, safe in a YAML comment: one line, printable, not too long."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def yaml_scalar(value: Any) -> str:
    """``value`` as a YAML scalar that reads back as the same value (plain when safe)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value) if isinstance(value, int) else repr(float(value))
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and "  " not in text
        and text.lower() not in _YAML11_WORDS
    ):
        return text
    return json.dumps(text, ensure_ascii=not all(c.isprintable() for c in text))


def _value_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, list):
        return [f"{indent}{key}:", *[f"{indent}  - {yaml_scalar(v)}" for v in value]]
    if isinstance(value, str) and len(indent) + len(key) + len(value) > 90:
        folded = textwrap.wrap(value, 88 - len(indent), break_long_words=False)
        if (
            all(c.isprintable() for c in value)
            and " ".join(folded) == value
            and all(line and not line[0].isspace() for line in folded)
        ):
            return [f"{indent}{key}: >-", *[f"{indent}  {line}" for line in folded]]
    return [f"{indent}{key}: {yaml_scalar(value)}"]


class SkeletonRenderer:
    """Renders pre-filled applications; the parts that never change are built once."""

    def __init__(
        self, questionnaire: LoadedQuestionnaire, catalogue: Catalogue, lang: str | None = None
    ) -> None:
        from aptic_qualif.i18n import language, localized
        from aptic_qualif.questionnaire.template import comment_lines, item_lines

        self.lang = lang or language()
        self.comment = comment_lines
        self.questionnaire = questionnaire
        meta = questionnaire.questionnaire
        self.modeline = (
            [f"# yaml-language-server: $schema={meta.schema_url}"] if meta.schema_url else []
        )
        self.title = localized(meta.title, self.lang)
        self.identity: list[tuple[LocatedItem, list[str]]] = [
            (located, item_lines(located, catalogue, self.lang)[:-1])
            for located in questionnaire.identity
        ]
        self.services_item: str | None = None
        self.candidates: dict[str, list[str]] = {}
        themes = list(questionnaire.themes)
        before: list[str] = ["", "reponses:"]
        after: list[str] = []
        for number, theme_id in enumerate(themes, start=1):
            theme = questionnaire.themes[theme_id]
            target = after if self.services_item is not None else before
            target += [
                "",
                f"  # ── {number}/{len(themes)} {localized(theme.title, self.lang)} ──",
                *comment_lines(localized(theme.description, self.lang), "  "),
            ]
            for located in questionnaire.theme_items(theme_id):
                lines = item_lines(located, catalogue, self.lang)
                if located.item.type == "services" and self.services_item is None:
                    self.services_item = located.id
                    before += lines[:-1]
                    after.append(lines[-1])
                    levels = located.item.levels
                    self.candidates = {
                        value: [
                            s.id
                            for s in sorted(catalogue.services.values(), key=lambda s: s.notation)
                            if s.active
                            and value in s.mappings.lieux_services
                            and (levels is None or s.level in levels)
                        ]
                        for value in LIEUX_SERVICES
                    }
                else:
                    (after if self.services_item is not None else before).extend(lines)
        self.before = before
        self.after = after

    def render(self, venue: ImportedVenue, extras: dict[str, str], file: str) -> str:
        comment = self.comment
        loaded = self.questionnaire
        lines = [
            *self.modeline,
            "#",
            *comment(
                _("Application to {title} ({ref}).").format(title=self.title, ref=loaded.reference),
                "",
            ),
            *comment(
                _(
                    "Pre-filled from the open data of digital-mediation venues: {file}, row "
                    "{row} (id {id}, source {source}, updated {date})."
                ).format(
                    file=_one_line(file),
                    row=venue.row,
                    id=_one_line(extras.get("id", "")) or "-",
                    source=_one_line(extras.get("source", "")) or "-",
                    date=_one_line(extras.get("date_maj", "")) or "-",
                ),
                "",
            ),
            *comment(_("Check the pre-filled answers, then answer the other questions."), ""),
            *comment(_("Write each answer after its ':'. Lines starting with '#' explain."), ""),
            *comment(_("Check the file with: aptic-qualif apply validate FILE"), ""),
            f"questionnaire: {loaded.reference}",
            *comment(_("Application date (YYYY-MM-DD): the day you complete it."), ""),
            "date:",
            "",
            f"{IDENTITY_KEY}:",
        ]
        for located, item_comments in self.identity:
            lines += item_comments
            value = venue.identity.get(located.id)
            lines += (
                _value_lines(located.id, value, "  ") if value is not None else [f"  {located.id}:"]
            )
        lines += self.before
        if self.services_item is not None:
            lines += self._services_hint(extras.get("services", ""))
        lines += self.after
        return "\n".join(lines) + "\n"

    def _services_hint(self, cell: str) -> list[str]:
        listed = [v.strip() for v in cell.split(SEPARATOR) if v.strip() in self.candidates]
        if not listed:
            return []
        lines = self.comment(
            _(
                "In the open data, the venue lists these services of the national schema; "
                "under each, the services of the référentiel that match it. Declare only "
                "those the venue really offers."
            ),
            "  ",
        )
        for value in dict.fromkeys(listed):
            lines.append(f"  #   {value}:")
            ids = ", ".join(self.candidates[value]) or "-"
            lines += [f"  #     {part}" for part in textwrap.wrap(ids, 86, break_on_hyphens=False)]
        return lines


def write_skeletons(
    result: ImportResult, folder: Path, *, force: bool = False
) -> tuple[list[Path], list[Path]]:
    """Write each skeleton to ``folder/<name>.yaml`` atomically: (written, kept). A file
    that exists is kept as it is unless ``force``."""
    from aptic_qualif.fsio import safe_name
    from aptic_qualif.yamlio import atomic_write

    written: list[Path] = []
    kept: list[Path] = []
    for venue in result.venues:
        target = folder / f"{safe_name(venue.name)}.yaml"
        if target.exists() and not force:
            kept.append(target)
            continue
        try:
            atomic_write(target, result.text(venue), force=force)
        except FileExistsError:
            kept.append(target)
        else:
            written.append(target)
    return written, kept


def parse_date(text: str) -> str:
    """``YYYY-MM-DD`` checked, or :class:`CommandError`."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CommandError(_("'{value}' is not a date YYYY-MM-DD").format(value=text)) from None

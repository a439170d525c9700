"""Import of the national open data (``import lieux``).

Each row of a CSV in the national schema becomes a pre-filled application skeleton (identity
mapped back through the questionnaire's ``export`` keys, every other answer empty). An
invalid row (``LIEU002``: a required value missing or refused, a cell over
:data:`MAX_CELL_CHARS`) is reported with its line and skipped, and the rows after it are
read as usual; a value that cannot be mapped is dropped with a warning (``LIEU003``).

The row's ``id`` becomes the application's ``identifiant`` when it passes the same check as
an application's (:func:`~aptic_qualif.application.venue_id_problem`): a control character
makes the row invalid (``TXT001``), an id of another shape is left out with a warning
(``LIEU003``). Two rows with the same id (case and surrounding spaces ignored) would be
published as one venue: the first row that keeps it is imported, the later ones are
reported (``LIEU005``, naming that row) and skipped. A file over
:data:`~aptic_qualif.network.national.MAX_CSV_BYTES` is refused (``LIEU006``).

The national services of the row are not turned into catalogue services, which would claim
services the venue never declared: the skeleton lists them, with the matching catalogue
services, in a comment, and the import says so once (``LIEU003`` on the ``services`` column);
a value that is not a national service is dropped with a warning on its row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.application import (
    MAX_SOURCE,
    check_answer,
    venue_id_key,
    venue_id_problem,
)
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.network import COMMENTED_MAX
from aptic_qualif.network.national import (
    LABELS_FROM_OTHER,
    LIEUX_REQUIRED,
    MAX_CSV_BYTES,
    MULTI_VALUED,
    SEPARATOR,
)
from aptic_qualif.network.skeleton import ImportedVenue, SkeletonRenderer
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.load import LocatedItem
from aptic_qualif.questionnaire.model import CHOICE_TYPES, NUMBER_TYPES
from aptic_qualif.reading import read_regular
from aptic_qualif.text import parse_number, text_problem
from aptic_qualif.vocabularies import LIEUX_COLUMNS, LIEUX_SERVICES


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
    compact: bool = False
    """Whether the skeletons are compact (more than :data:`COMMENTED_MAX` venues)."""

    def text(self, venue: ImportedVenue) -> str:
        """The venue's skeleton (YAML), rendered on demand: thousands of rows stay light."""
        assert self.renderer is not None
        return self.renderer.render(venue, venue.extras, self.file, compact=self.compact)


MAX_CELL_CHARS = 131_072
"""The longest cell the import takes (characters), the ``csv`` module's own default limit: the
longest texts of the national schema are a few thousand characters. A longer cell is most
often a quote left open, which makes one cell of the lines that follow it."""


def import_lieux(path: Path, context: Context) -> ImportResult:
    """Read a CSV in the national schema and build one skeleton per valid row.

    A row that cannot be imported (a missing required value, an oversized cell, an ``id``
    already taken by an earlier row) is reported with its line and skipped; the rows after it
    are read as usual."""
    result = ImportResult()
    shown = display_path(path)
    raw, refused = read_regular(path, shown, limit=MAX_CSV_BYTES)
    if raw is None:
        assert refused is not None
        result.header_ok = False
        result.report.add(_too_large(shown) if refused.code == "YAML007" else refused)
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
    del raw
    # The csv module stops a reader at a cell over its field limit, and with it the rest of
    # the file. The limit is raised to the whole text (already in memory, at most
    # MAX_CSV_BYTES), so that every record is read whole and in step with its lines; each
    # cell is then checked against MAX_CELL_CHARS, and only its row is skipped.
    previous = csv.field_size_limit(max(len(text), MAX_CELL_CHARS) + 1)
    try:
        _read_rows(text, context, shown, result)
    finally:
        csv.field_size_limit(previous)
    if not result.header_ok:
        return result
    _name(result.venues)
    result.compact = len(result.venues) > COMMENTED_MAX
    with_services = sum(1 for venue in result.venues if venue.extras.get("services"))
    if with_services:
        # Said once for the column: each national service matches several services of the
        # référentiel, and ticking them all would claim services the venue never declared.
        result.report.add(
            Diagnostic.warning(
                "LIEU003",
                Span(shown, 1, _column_of(text, "services")),
                ngettext(
                    "column services: the national services of {n} venue are not ticked as "
                    "services of the référentiel (each matches several); its file lists them "
                    "in a comment, with the services of the référentiel that match",
                    "column services: the national services of {n} venues are not ticked as "
                    "services of the référentiel (each matches several); each file lists them "
                    "in a comment, with the services of the référentiel that match",
                    with_services,
                ).format(n=with_services),
                _("declare in each application the services the venue really offers"),
            )
        )
    result.file = shown
    result.renderer = SkeletonRenderer(context.questionnaire, context.catalogue)
    return result


def _column_of(text: str, name: str) -> int:
    """The column (1-based) of ``name`` in the header row of ``text``; 0 when absent."""
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0], newline="")), [])
    names = [cell.strip() for cell in header]
    return names.index(name) + 1 if name in names else 0


def _too_large(shown: str) -> Diagnostic:
    return Diagnostic.error(
        "LIEU006",
        Span(shown, 1, 1),
        _("the file is larger than {limit} MiB, the most an import reads").format(
            limit=MAX_CSV_BYTES // (1024 * 1024)
        ),
        _(
            "split it into smaller files, each starting with the header row, and import "
            "them one after the other into the same folder"
        ),
    )


def _read_rows(text: str, context: Context, shown: str, result: ImportResult) -> None:
    mapper = _RowMapper(context, shown)
    report = result.report
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        header = None
        report.add(Diagnostic.error("LIEU001", Span(shown, 1, 1), str(exc)))
    else:
        if header is None:
            report.add(
                Diagnostic.error(
                    "LIEU001",
                    Span(shown, 1, 1),
                    _("the file is empty: no header row, no venue"),
                    _("the header must name the columns of the national schema"),
                )
            )
        elif any(len(cell) > MAX_CELL_CHARS for cell in header):
            report.add(
                Diagnostic.error(
                    "LIEU001",
                    Span(shown, 1, 1),
                    _("the header row holds a cell of more than {limit} characters").format(
                        limit=MAX_CELL_CHARS
                    ),
                    _("the header must name the columns of the national schema"),
                )
            )
            header = None
    if not header or not mapper.check_header(header, report):
        result.header_ok = False
        return

    line = reader.line_num + 1  # the line the next record starts on
    number = 1  # the row number of the record (the header is row 1)
    taken: dict[str, int] = {}  # the key of each national id kept, and the row that has it
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:  # never expected with the raised limit: the row is skipped
            number += 1
            result.rows += 1
            result.invalid_rows.append(number)
            report.add(
                Diagnostic.error(
                    "LIEU002",
                    Span(shown, line, 1),
                    _("row {row} cannot be read ({error}): the row is skipped").format(
                        row=number, error=exc
                    ),
                    _("check the quotes and separators of the row"),
                )
            )
            line = reader.line_num + 1
            continue
        if record is None:
            break
        number += 1
        start, line = line, reader.line_num + 1
        if not record or all(not cell.strip() for cell in record):
            continue
        result.rows += 1
        venue = None
        if mapper.cells_fit(record, number, start, report):
            venue = mapper.venue(record, number, start, report)
        if venue is not None and venue.venue_id is not None:
            key = venue_id_key(venue.venue_id)
            first = taken.setdefault(key, number)
            if first != number:
                report.add(mapper.duplicate(venue.venue_id, number, first, start))
                venue = None
        if venue is None:
            result.invalid_rows.append(number)
        else:
            result.venues.append(venue)


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

    def column_name(self, index: int) -> str:
        for name, at in self.columns.items():
            if at == index:
                return name
        return str(index + 1)

    def cells_fit(self, record: list[str], number: int, line: int, report: Report) -> bool:
        """Whether every cell of the row is at most :data:`MAX_CELL_CHARS` long; the first
        one that is not is reported."""
        for index, cell in enumerate(record):
            if len(cell) > MAX_CELL_CHARS:
                report.add(
                    Diagnostic.error(
                        "LIEU002",
                        Span(self.file, line, index + 1),
                        _(
                            "row {row}, column {column}: the cell holds {length} characters, "
                            "more than the {limit} a cell may hold: the row is skipped"
                        ).format(
                            row=number,
                            column=self.column_name(index),
                            length=len(cell),
                            limit=MAX_CELL_CHARS,
                        ),
                        _(
                            "a quote left open makes one cell of the lines that follow it: "
                            "check the quotes of the row"
                        ),
                    )
                )
                return False
        return True

    def duplicate(self, venue_id: str, number: int, first: int, line: int) -> Diagnostic:
        index = self.columns.get("id")
        return Diagnostic.error(
            "LIEU005",
            Span(self.file, line, index + 1 if index is not None else 0),
            _(
                "row {row}: the id '{id}' is already the id of row {first}: the row is skipped"
            ).format(row=number, id=venue_id, first=first),
            _(
                "each venue has its own id in the national data: correct the id of one of "
                "the two rows, or remove the row if it is the same venue"
            ),
        )

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
            if column == "formations_labels":
                # the labels the export writes in autres_formations_labels (LABELS_AS_OTHER)
                others = [
                    LABELS_FROM_OTHER[part.strip()]
                    for part in cell("autres_formations_labels").split(SEPARATOR)
                    if part.strip() in LABELS_FROM_OTHER
                ]
                raw = SEPARATOR.join([raw, *others] if raw else others)
            if not raw:
                continue
            value, errors, warnings = self._answer(located, column, raw)
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
        _booking_is_a_way_in(identity)
        venue_id: str | None = cell("id") or None
        refused = venue_id_problem(venue_id) if venue_id is not None else None
        if refused is not None:
            code, problem, hint = refused
            message = _("row {row}, column {column}: {problem}").format(
                row=number, column="id", problem=problem
            )
            if code == "TXT001":  # a control character: refused, as in every other cell
                problems.append(Diagnostic.error(code, span("id"), message, hint))
            else:  # an id of another shape: the venue is imported without it
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        span("id"),
                        _("{problem}; the export will give the venue another id").format(
                            problem=message
                        ),
                        hint,
                    )
                )
            venue_id = None
        if problems:
            report.extend(problems)
            return None
        extras = {column: cell(column) for column in ("id", "source", "date_maj", "services")}
        known = {_fold(value): value for value in LIEUX_SERVICES}
        services: list[str] = []
        for part in (p.strip() for p in extras["services"].split(SEPARATOR)):
            if not part:
                continue
            if _fold(part) in known:
                services.append(known[_fold(part)])
            else:
                report.add(
                    Diagnostic.warning(
                        "LIEU003",
                        span("services"),
                        _("row {row}, column {column}: {problem}").format(
                            row=number,
                            column="services",
                            problem=_(
                                "'{value}' is not a service of the national schema: it is dropped"
                            ).format(value=part),
                        ),
                        _("the national services are: {values}").format(
                            values=", ".join(LIEUX_SERVICES)
                        ),
                    )
                )
        extras["services"] = SEPARATOR.join(dict.fromkeys(services))
        source: str | None = " ".join(cell("source").split()) or None
        if source is not None and (
            text_problem(source) is not None or len(source) > MAX_SOURCE or SEPARATOR in source
        ):
            report.add(
                Diagnostic.warning(
                    "LIEU003",
                    span("source"),
                    _(
                        "row {row}, column {column}: '{value}' cannot be kept as the source; "
                        "the export will give the network's"
                    ).format(row=number, column="source", value=source[:60]),
                )
            )
            source = None
        return ImportedVenue(number, "", identity, extras, venue_id, source)

    def _answer(
        self, located: LocatedItem, column: str, raw: str
    ) -> tuple[Any, list[str], list[str]]:
        """The answer for ``located`` from the cell ``raw``: (value, errors, warnings)."""
        item = located.item
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
                candidate = parse_number(part)
                if candidate is None:
                    errors.append(_("'{value}' is not a number").format(value=part))
                    continue
            value, found = check_answer(
                item, candidate, self.catalogue, multiline=located.multiline
            )
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


def slug(text: str) -> str:
    """Lower case ASCII letters, digits and single hyphens (at most 60 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:60].rstrip("-")


BOOKING, WAYS_IN, BOOK_ONLINE = "prise_rdv", "modalites_acces", "prendre-rdv-en-ligne"


def _booking_is_a_way_in(identity: dict[str, Any]) -> None:
    """A record with a booking link is one a person can book online: the questionnaire asks
    for the link only then, so the way in is added when the record does not list it (unless
    it says the venue receives no public, which the link then contradicts: left as is)."""
    if not identity.get(BOOKING):
        return
    ways = identity.get(WAYS_IN)
    listed = list(ways) if isinstance(ways, list) else []
    if BOOK_ONLINE not in listed and "pas-d-accueil-du-public" not in listed:
        identity[WAYS_IN] = [*listed, BOOK_ONLINE]


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


def write_skeletons(
    result: ImportResult, folder: Path, *, force: bool = False
) -> tuple[list[Path], list[Path]]:
    """Write each skeleton to ``folder/<name>.yaml`` atomically: (written, kept). A file
    that exists is kept as it is unless ``force``."""
    from aptic_qualif.fsio import atomic_write, safe_name

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

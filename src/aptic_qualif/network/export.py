"""Export of qualified venues to the national schema (``export lieux``).

One row per venue whose decision is *qualifié* (or every venue with ``include_all``). The
identity items of the questionnaire name the column they fill (``export``) and, for choices,
the national value of each option. Computed columns:

- ``id``: the application's ``identifiant`` (the id of the national record it was imported
  from), else the network's ``id_prefix`` (the policy's ``network``, ``aptic-qualif-`` by
  default) and the application id (the file name without extension);
- ``services``: the national values of the catalogue services the venue declared
  (``mappings.lieux_services``), in the schema's order;
- ``autres_formations_labels``: the labels that the national cartography spells otherwise
  than the schema's pattern (:data:`~aptic_qualif.network.national.LABELS_AS_OTHER`), then
  the policy's label, for qualified venues only;
- ``source``: the application's ``source`` (the producer of the national record it was
  imported from), else the network's (the policy's ``network``, ``aptic-qualif`` by default);
- ``date_maj``: the given date, else the latest date of the reviews used for the venue,
  else the ``modified`` date of the référentiel: never the clock, so that the same files
  give the same export.

Privacy: only the venue (a legal entity) is described, never the people it helps; its
telephone, email and website are exported only when the application answers
``contacts_publics: true``. A value that the national schema would refuse is dropped with
a warning (``LIEU004``) rather than producing an invalid file; a venue left without a
required column is not exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    CheckedApplication,
)
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.network.national import (
    CONTACT_COLUMNS,
    CONTACTS_ITEM,
    LIEUX_REQUIRED,
    SEPARATOR,
    conform_values,
    format_number,
    national_cell,
    place_labels,
)
from aptic_qualif.questionnaire.load import LocatedItem
from aptic_qualif.questionnaire.model import CHOICE_TYPES, NUMBER_TYPES, Item
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.policy import NetworkIdentity
from aptic_qualif.vocabularies import LIEUX_COLUMNS, LIEUX_SERVICES


@dataclass
class ExportResult:
    rows: list[dict[str, str]] = field(default_factory=list)
    """One row per exported venue: every column of :data:`LIEUX_COLUMNS`, in order."""
    report: Report = field(default_factory=Report)
    unreadable: list[str] = field(default_factory=list)
    """Application files that could not be read (already reported)."""
    assessed: int = 0


def _identity_values(item: Item, answer: Any) -> list[str]:
    """The national values of one identity answer (already normalised)."""
    if item.type in CHOICE_TYPES:
        exports = {o.value: o.export for o in item.options or ()}
        chosen = answer if isinstance(answer, list) else [answer]
        return [value for c in chosen if (value := exports.get(c))]
    if item.type in NUMBER_TYPES:
        return [format_number(answer)] if isinstance(answer, int | float) else []
    if item.type == "boolean":
        return []
    text = str(answer).strip()
    return [text] if text else []


class RowBuilder:
    """The questionnaire, catalogue and policy compiled into the national columns."""

    def __init__(self, context: Context) -> None:
        # Identity answers, and theme answers that name a column too (the publics a venue
        # serves, the situations it is equipped for): asked once, in the theme.
        self.exported: list[LocatedItem] = [
            located for located in context.questionnaire.items if located.item.export
        ]
        self.services_items = [
            located.id for located in context.questionnaire.items if located.item.type == "services"
        ]
        self.national: dict[str, tuple[str, ...]] = {
            service.id: tuple(service.mappings.lieux_services)
            for service in context.catalogue.services.values()
        }
        self.label = context.policy.label if context.policy is not None else ""
        self.network = context.policy.network if context.policy is not None else NetworkIdentity()
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
            if not located.is_identity and located.id not in checked.enabled:
                continue
            answer = answers.get(located.id)
            refused = checked.invalid.get(located.id)
            if answer is None and refused:
                # an invalid answer is never exported: say so, where the venue can see it
                report.add(
                    Diagnostic.warning(
                        "LIEU004",
                        refused[0].span,
                        _("not exported: {problem}").format(problem=refused[0].message),
                        refused[0].hint,
                    )
                )
                continue
            if answer is None:
                continue
            found = values.setdefault(column, [])
            found += [v for v in _identity_values(located.item, answer) if v not in found]
            section = IDENTITY_KEY if located.is_identity else ANSWERS_KEY
            spans.setdefault(column, doc.span((section, located.id)))

        offered: set[str] = set()
        for item_id in self.services_items:
            for service in answers.get(item_id) or ():
                offered.update(self.national.get(service, ()))
            if item_id in answers:
                spans.setdefault("services", doc.span((ANSWERS_KEY, item_id)))
        if "formations_labels" in spans:
            spans.setdefault("autres_formations_labels", spans["formations_labels"])
        place_labels(values)
        values["services"] = [value for value in LIEUX_SERVICES if value in offered]
        values["id"] = [checked.venue_id or self.network.id_prefix + checked.id]
        values["source"] = [checked.record_source or self.network.source]
        values["date_maj"] = [date_maj]
        if qualified and self.label:
            labels = values.setdefault("autres_formations_labels", [])
            if self.label not in labels:
                labels.append(self.label)

        row: dict[str, str] = {}
        here = Span(doc.file, 1, 1)
        for column in LIEUX_COLUMNS:
            kept = conform_values(column, values.get(column, []), spans.get(column, here), report)
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


class LieuxCollector:
    """Builds the national rows one assessment at a time (:meth:`add`, the callback of
    :func:`~aptic_qualif.scoring.assess.assess_each`), keeping only the rows, then sorts
    them and makes their ids unique (:meth:`finish`). :func:`export_lieux` uses it; so does
    the site, which reads a network's applications once for every page."""

    def __init__(
        self, context: Context, *, include_all: bool = False, date_maj: str | None = None
    ) -> None:
        self.builder = RowBuilder(context)
        self.include_all = include_all
        self.date_maj = date_maj
        self.result = ExportResult()
        self._built: list[tuple[tuple[str, str], bool, dict[str, str]]] = []

    def add(
        self, assessment: Assessment, checked: CheckedApplication, own: Sequence[Review]
    ) -> None:
        """Build the row of one venue (:meth:`build`)."""
        self.build(assessment, checked, own)

    def build(
        self, assessment: Assessment, checked: CheckedApplication, own: Sequence[Review]
    ) -> dict[str, str] | None:
        """Build the row of one venue; returns it, or None when the venue is not exported.
        The row is the one exported: its id may still change in :meth:`finish`."""
        self.result.assessed += 1
        qualified = assessment.decision == "qualifie"
        if not (qualified or self.include_all):
            return None
        when = self.date_maj or _review_date(assessment, own) or self.builder.default_date
        row = self.builder.row(checked, qualified, when, self.result.report)
        if row is not None:
            recorded = checked.venue_id is not None
            self._built.append(((assessment.application, assessment.file), recorded, row))
        return row

    def finish(self) -> ExportResult:
        """The rows sorted like ``assess``, with unique ids."""
        result = self.result
        # Rows are built as files are read (nothing else is kept), then sorted like ``assess``.
        self._built.sort(key=lambda entry: entry[0])
        seen: dict[str, int] = {}
        for (_application, file), recorded, row in self._built:
            row["id"] = _unique(row["id"], seen, file, recorded, result.report)
            result.rows.append(row)
        self._built = []
        return result


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

    collector = LieuxCollector(context, include_all=include_all, date_maj=date_maj)
    batch = assess_each(files, context, collector.add, reviews, on_file=on_file)
    collector.result.report.extend(batch.report.diagnostics)
    collector.result.unreadable.extend(batch.unreadable)
    return collector.finish()


def _review_date(assessment: Assessment, reviews: Sequence[Review]) -> str | None:
    used = set(assessment.reviews.used)
    dates = [r.date for r in reviews if r.reviewer in used]
    return max(dates).isoformat() if dates else None


def _unique(venue_id: str, seen: dict[str, int], file: str, recorded: bool, report: Report) -> str:
    """``venue_id``, or ``venue_id-N`` when another venue of the batch already has it
    (``recorded``: the id is the application's ``identifiant``, not its file name)."""
    count = seen.get(venue_id, 0) + 1
    seen[venue_id] = count
    if count == 1:
        return venue_id
    unique = f"{venue_id}-{count}"
    while unique in seen:
        count += 1
        unique = f"{venue_id}-{count}"
    seen[unique] = 1
    if recorded:
        message = _(
            "another application records the same identifiant {recorded}: this venue is "
            "exported as {id}"
        )
        hint = _("each venue has its own identifiant: check the line 'identifiant' of both")
    else:
        message = _("another application has the same file name: this venue is exported as {id}")
        hint = _("give every application file a distinct name")
    report.add(
        Diagnostic.warning(
            "LIEU004", Span(file, 1, 1), message.format(id=unique, recorded=venue_id), hint
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


NUMBER_COLUMNS: frozenset[str] = frozenset({"latitude", "longitude"})
"""The columns of type ``number`` in the national schema: numbers in JSON."""


def json_record(row: dict[str, str]) -> dict[str, str | float | None]:
    """One row as a JSON object: every column of the CSV, in the same order; an empty cell
    is ``null``, a number column a number; multiple values stay joined with ``|`` as in the
    CSV, so that a record reads the same in both forms."""
    record: dict[str, str | float | None] = {}
    for column in LIEUX_COLUMNS:
        value = row.get(column, "")
        if not value:
            record[column] = None
        elif column in NUMBER_COLUMNS:
            number = float(value)
            record[column] = int(number) if number.is_integer() else number
        else:
            record[column] = value
    return record


def render_json(rows: Iterable[dict[str, str]]) -> str:
    """The rows as a JSON array of objects with the fields of the CSV (:func:`json_record`)."""
    objects = [json_record(row) for row in rows]
    return json.dumps(objects, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def parse_date(text: str) -> str:
    """``YYYY-MM-DD`` checked, or :class:`CommandError`."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CommandError(_("'{value}' is not a date YYYY-MM-DD").format(value=text)) from None

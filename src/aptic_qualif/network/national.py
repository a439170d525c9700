"""The national schema of digital-mediation venues ("lieux de médiation numérique", v1).

A Frictionless Table Schema (vendored in ``reference/standard-mediation-num``) of 32 columns
(:data:`~aptic_qualif.vocabularies.LIEUX_COLUMNS`); multiple values are joined with ``|``.
This module holds its constraints (required columns, enumerations, patterns, lengths), how a
value is written in a cell, and the check of values against a column: export, import and
the answer checks all use these, so that a rule is stated once.
"""

from __future__ import annotations

import re

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.hours import check_opening_hours
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.sanitize import csv_cell
from aptic_qualif.vocabularies import LIEUX_ENUMERATIONS

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

LABELS_AS_OTHER: dict[str, str] = {
    "Étapes numériques(La Poste)": "Étapes numériques (La Poste)",
}
"""Values of the ``formations_labels`` pattern that the national cartography's library
(``@gouvfr-anct/lieux-de-mediation-numerique``, enumeration ``FormationLabel``) spells
otherwise, with the library's spelling. The schema's pattern has no space before « ( »,
its description and the library have one: no spelling of the column passes both, and the
library refuses the whole venue. Such a label is exported in ``autres_formations_labels``
(free text, which both accept), in the library's spelling; the import reads it back as the
questionnaire's choice (``reference/README.md`` has the note for the schema's maintainers)."""

LABELS_FROM_OTHER: dict[str, str] = {spelled: value for value, spelled in LABELS_AS_OTHER.items()}

ENUMERATIONS: dict[str, tuple[str, ...]] = {
    **LIEUX_ENUMERATIONS,
    "formations_labels": FORMATIONS_LABELS,
}

PATTERNS: dict[str, re.Pattern[str]] = {
    "pivot": re.compile(r"[a-zA-Z0-9]{9,14}"),
    "code_postal": re.compile(r"\d{5}", re.ASCII),
    "code_insee": re.compile(r"(?:[013-9]\d|2[AB1-9])\d{3}", re.ASCII),
    "telephone": re.compile(
        r"(?:\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}", re.ASCII
    ),
}
"""The ``pattern`` constraints of the national schema (matched in full; ``\\d`` is ASCII, as in
the JavaScript and SQL tools that read the national data)."""

MAX_LENGTHS: dict[str, int] = {"presentation_resume": 280}
"""The ``maxLength`` constraints of the national schema."""

HOURS_COLUMN = "horaires"
"""The column in OpenStreetMap's ``opening_hours`` format (the schema's description says so;
a pattern could not)."""

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


def format_number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return text


def column_problem(column: str, value: str) -> tuple[str, str | None] | None:
    """Why the national schema refuses ``value`` in ``column`` (a message and a hint), or
    ``None`` when it takes it. The single statement of the schema's constraints: answers are
    checked with it when they are given, and the export again before writing a row."""
    allowed = ENUMERATIONS.get(column)
    pattern = PATTERNS.get(column)
    limit = MAX_LENGTHS.get(column)
    if allowed is not None and value not in allowed:
        return _("'{value}' is not one of the values of the column {column}").format(
            value=value, column=column
        ), None
    if pattern is not None and not pattern.fullmatch(value):
        return _("'{value}' does not match the format of the column {column}").format(
            value=value, column=column
        ), None
    if limit is not None and len(value) > limit:
        return _(
            "this text has {length} characters; the national map of venues takes at most {limit}"
        ).format(length=len(value), limit=limit), ngettext(
            "shorten it by {n} character", "shorten it by {n} characters", len(value) - limit
        ).format(n=len(value) - limit)
    if limit is not None and len(national_cell(column, value)) > limit:
        return _(
            "'{value}' starts like a spreadsheet formula: with the quote that neutralises "
            "it, it exceeds the {limit} characters of the column {column}"
        ).format(value=value, column=column, limit=limit), _(
            "start it with a letter or shorten it by one character"
        )
    if SEPARATOR in value and column in MULTI_VALUED:
        return _("'{value}' contains the separator '|' of the column {column}").format(
            value=value, column=column
        ), _("write it without '|'")
    if column == HOURS_COLUMN:
        checked = check_opening_hours(value)
        if checked.error is not None:
            return checked.error, checked.hint
    return None


def place_labels(values: dict[str, list[str]]) -> None:
    """Move the labels of :data:`LABELS_AS_OTHER` from ``formations_labels`` to
    ``autres_formations_labels``, in the cartography's spelling (in place)."""
    labels = values.get("formations_labels", [])
    moved = [LABELS_AS_OTHER[value] for value in labels if value in LABELS_AS_OTHER]
    if not moved:
        return
    values["formations_labels"] = [value for value in labels if value not in LABELS_AS_OTHER]
    others = values.setdefault("autres_formations_labels", [])
    others[:0] = [value for value in moved if value not in others]


def conform_values(column: str, values: list[str], span: Span, report: Report) -> list[str]:
    """The values the national schema accepts in ``column``; the others are reported."""
    kept: list[str] = []
    for value in values:
        found = column_problem(column, value)
        if found is None:
            kept.append(value)
            continue
        report.add(
            Diagnostic.warning(
                "LIEU004",
                span,
                _("not exported: {problem}").format(problem=found[0]),
                found[1] or _("the national schema of digital-mediation venues would refuse it"),
            )
        )
    return kept

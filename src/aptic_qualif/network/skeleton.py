"""The YAML of a pre-filled application (a skeleton), written by ``import lieux``.

A skeleton is the application template (``apply template``) with the row's identity filled
in: every question with its comment (label, help, choices), about 58 KB. A compact skeleton
has the same keys and values without those comments (about 4 KB): ``import lieux`` writes
compact skeletons when it imports many venues
(:data:`~aptic_qualif.network.importer.COMMENTED_MAX`), where the comments would be the same
58 KB repeated in every file (5.8 GB for 100,000 venues)."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from aptic_qualif.application import (
    IDENTITY_KEY,
)
from aptic_qualif.i18n import _
from aptic_qualif.network.national import SEPARATOR, format_number
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.vocabularies import LIEUX_SERVICES

_PLAIN = re.compile(r"[^\W\d_][\w .,'’()/«»…+\-]*")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


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
    venue_id: str | None = None
    """The row's ``id``, recorded as the application's ``identifiant`` so that exporting the
    venue again keeps it."""
    source: str | None = None
    """The row's ``source`` (the record's producer), recorded as the application's
    ``source`` so that the exports keep it."""


def _one_line(text: str, limit: int = 200) -> str:
    """Text from a file, safe in a YAML comment: one line, printable, not too long."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def yaml_scalar(value: Any) -> str:
    """``value`` as a YAML scalar that reads back as the same value (plain when safe)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value) if isinstance(value, int) else repr(float(value))
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and "  " not in text
        and text.lower() not in _YAML11_WORDS
    ):
        return text
    return double_quoted(text)


_KEPT_INVISIBLE = frozenset({0x200D, *range(0xE0020, 0xE0080)})
"""The zero-width joiner and the tag characters: invisible alone, they are parts of emoji
sequences (👩🏽‍💻, a regional flag) and are kept as they are."""


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: what prints is written as it is (emoji
    sequences included), anything else as a YAML escape (``\\n``, ``\\x1B``, ``\\u202E``,
    ``\\U000E0001``), so that an invisible character stays visible in the file.

    Not ``json.dumps``: JSON writes a character beyond U+FFFF as a pair of surrogate
    escapes, which YAML refuses (an emoji in a venue name made an unreadable file)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif (
            char.isprintable()
            or code in _KEPT_INVISIBLE
            or unicodedata.category(char) == "Zs"  # no-break spaces, before « : ; ? ! »
        ):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


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
        # The answers part, in full (every comment) and compact (headings and keys only),
        # each split at the services item, before which the row's services are hinted.
        full: tuple[list[str], list[str]] = (["", "reponses:"], [])
        compact: tuple[list[str], list[str]] = (["", "reponses:"], [])
        for number, theme_id in enumerate(themes, start=1):
            theme = questionnaire.themes[theme_id]
            part = 1 if self.services_item is not None else 0
            heading = f"  # ── {number}/{len(themes)} {localized(theme.title, self.lang)} ──"
            full[part].extend(
                ["", heading, *comment_lines(localized(theme.description, self.lang), "  ")]
            )
            compact[part].extend(["", heading])
            for located in questionnaire.theme_items(theme_id):
                lines = item_lines(located, catalogue, self.lang)
                if located.item.type == "services" and self.services_item is None:
                    self.services_item = located.id
                    full[0].extend(lines[:-1])
                    full[1].append(lines[-1])
                    compact[1].append(lines[-1])
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
                    part = 1 if self.services_item is not None else 0
                    full[part].extend(lines)
                    compact[part].append(lines[-1])
        self.before, self.after = full
        self.compact_before, self.compact_after = compact

    def render(
        self, venue: ImportedVenue, extras: dict[str, str], file: str, *, compact: bool = False
    ) -> str:
        """The skeleton of ``venue``. ``compact``: without the comment of each question (its
        label, help and choices), which ``apply template`` writes once for all: the same
        keys and values, about 4 KB instead of 58 KB."""
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
            *(
                comment(
                    _(
                        "Compact file (imported with many other venues): the questions, their "
                        "choices and their help are in the commented template that "
                        "'aptic-qualif apply template' writes; 'aptic-qualif apply fill FILE' "
                        "asks them one by one."
                    ),
                    "",
                )
                if compact
                else comment(
                    _("Write each answer after its ':'. Lines starting with '#' explain."), ""
                )
            ),
            *comment(_("Check the file with: aptic-qualif apply validate FILE"), ""),
            f"questionnaire: {loaded.reference}",
            *comment(_("Application date (YYYY-MM-DD): the day you complete it."), ""),
            "date:",
        ]
        if venue.venue_id is not None:
            lines += [
                *comment(
                    _(
                        "The venue's identifier in the national open data: keep it, so that "
                        "publishing the venue again updates it instead of adding a new one."
                    ),
                    "",
                ),
                f"identifiant: {yaml_scalar(venue.venue_id)}",
            ]
        if venue.source is not None:
            lines += [
                *comment(
                    _(
                        "The producer of the national record: keep it, so that the exports "
                        "keep publishing the venue under its source."
                    ),
                    "",
                ),
                f"source: {yaml_scalar(venue.source)}",
            ]
        lines += ["", f"{IDENTITY_KEY}:"]
        for located, item_comments in self.identity:
            if not compact:
                lines += item_comments
            value = venue.identity.get(located.id)
            lines += (
                _value_lines(located.id, value, "  ") if value is not None else [f"  {located.id}:"]
            )
        lines += self.compact_before if compact else self.before
        if self.services_item is not None:
            lines += self._services_hint(extras.get("services", ""))
        lines += self.compact_after if compact else self.after
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

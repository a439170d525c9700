"""Browsing the référentiel: rows for ``catalogue list`` and a card for ``catalogue show``.

The data functions return plain values; the ``rich`` renderables are built only when a
terminal needs them, every text from the référentiel passed through
:func:`aptic_qualif.sanitize.rich_text` (no control character, no markup).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.referentiel.model import Service
from aptic_qualif.sanitize import rich_text, terminal
from aptic_qualif.schema import duration_minutes
from aptic_qualif.vocabularies import COOP_THEMATIQUES, CRCN, MODALITIES, MODALITIES_EN

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table


def list_services(
    catalogue: Catalogue, *, level: str | None = None, include_deprecated: bool = False
) -> list[dict[str, Any]]:
    """Services as rows, ordered by level (scheme order) then notation."""
    levels = list(catalogue.levels)
    if level is not None and level not in levels:
        raise CommandError(
            _("unknown level '{level}': expected one of {levels}").format(
                level=level, levels=", ".join(levels)
            )
        )
    services = [
        s
        for s in catalogue.services.values()
        if (level is None or s.level == level) and (include_deprecated or s.active)
    ]
    services.sort(key=lambda s: (levels.index(s.level) if s.level in levels else 99, s.notation))
    return [
        {
            "id": s.id,
            "notation": s.notation,
            "level": s.level,
            "status": s.status,
            "pref_label": s.pref_label.model_dump(),
            "replaced_by": s.replaced_by,
        }
        for s in services
    ]


def find_service(catalogue: Catalogue, key: str) -> Service:
    """The service with identifier or notation ``key`` (case-insensitive for notations)."""
    services = catalogue.services
    if key in services:
        return services[key]
    for service in services.values():
        if service.notation.casefold() == key.casefold():
            return service
    close = difflib.get_close_matches(key, list(services), n=3)
    message = _("no service '{id}' in the référentiel").format(id=key)
    if close:
        message += " — " + _("did you mean: {names}?").format(names=", ".join(close))
    raise CommandError(message)


def format_duration(value: str) -> str:
    """``PT1H30M`` → ``1 h 30``; ``PT45M`` → ``45 min`` (:func:`aptic_qualif.formats.duration`)."""
    from aptic_qualif.formats import duration

    return duration(duration_minutes(value))


def services_table(catalogue: Catalogue, rows: list[dict[str, Any]], lang: str) -> Table:
    from rich.table import Table

    levels = catalogue.levels
    table = Table(
        title=rich_text(
            _("Référentiel {id} {version}").format(
                id=catalogue.scheme.id, version=catalogue.version
            )
        ),
        expand=True,
    )
    table.add_column(_("Notation"), no_wrap=True)
    table.add_column(_("Label"), ratio=4, min_width=20)
    table.add_column(_("Identifier"), ratio=3, overflow="fold")
    table.add_column(_("Level"), no_wrap=True)
    table.add_column(_("Status"), ratio=1)
    for row in rows:
        level = levels.get(row["level"])
        status = (
            _("active")
            if row["status"] == "active"
            else _("deprecated → {id}").format(id=row["replaced_by"])
        )
        table.add_row(
            rich_text(row["notation"]),
            rich_text(row["pref_label"][lang]),
            rich_text(row["id"]),
            rich_text(getattr(level.pref_label, lang) if level else row["level"]),
            rich_text(status),
            style=None if row["status"] == "active" else "dim",
        )
    table.caption = ngettext("{n} service", "{n} services", len(rows)).format(n=len(rows))
    return table


def service_panel(catalogue: Catalogue, service: Service, lang: str) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def text(value: object) -> str:
        return localized(value, lang)

    class Grid:
        """The card's rows: every value is data, passed through :func:`rich_text`."""

        def __init__(self) -> None:
            self.table = Table.grid(padding=(0, 2))
            self.table.add_column(style="bold", no_wrap=True)
            self.table.add_column(overflow="fold")

        def add_row(self, name: str, value: str) -> None:
            self.table.add_row(rich_text(name), rich_text(value))

    level = catalogue.levels.get(service.level)
    grid = Grid()
    grid.add_row(_("Identifier"), service.id)
    grid.add_row("IRI", f"{catalogue.scheme.base_iri}{service.id}")
    grid.add_row(_("Notation"), service.notation)
    grid.add_row(_("Level"), text(level.pref_label) if level else service.level)
    status = _("active") if service.active else _("deprecated")
    if service.replaced_by:
        status += " → " + service.replaced_by
    grid.add_row(_("Status"), status)
    grid.add_row(_("Added in"), service.added_in)
    if service.deprecated_in:
        grid.add_row(_("Deprecated in"), service.deprecated_in)
    alt = getattr(service.alt_labels, lang) or service.alt_labels.fr
    if alt:
        grid.add_row(_("Also called"), " · ".join(alt))
    grid.add_row(_("Definition"), text(service.definition))
    outcomes = getattr(service.learning_outcomes, lang) or service.learning_outcomes.fr
    if outcomes:
        grid.add_row(_("Learning outcomes"), "\n".join(f"• {o}" for o in outcomes))
    modalities = MODALITIES_EN if lang == "en" else MODALITIES
    grid.add_row(_("Modalities"), ", ".join(modalities[m] for m in service.modalities))
    grid.add_row(_("Length of a session"), format_duration(service.typical_duration))
    if service.sessions is not None:
        grid.add_row(
            _("Sessions"),
            ngettext(
                "{n} session (one pass each)", "{n} sessions (one pass each)", service.sessions
            ).format(n=service.sessions),
        )
    mappings = service.mappings
    if mappings.lieux_services:
        grid.add_row(_("National venue schema"), "\n".join(mappings.lieux_services))
    if mappings.crcn:
        grid.add_row("CRCN", "\n".join(f"{c} {CRCN[c]}" for c in mappings.crcn if c in CRCN))
    if mappings.data_inclusion:
        grid.add_row("data·inclusion", "\n".join(mappings.data_inclusion))
    if mappings.coop_thematiques:
        grid.add_row(
            _("La Coop (activities)"),
            "\n".join(f"{v} ({COOP_THEMATIQUES.get(v, '')})" for v in mappings.coop_thematiques),
        )
    if service.history_note:
        grid.add_row(_("History"), text(service.history_note))
    title = Text(
        terminal(f"{service.notation} — {text(service.pref_label)}", single_line=True),
        style="bold",
    )
    return Panel(Group(grid.table), title=title, title_align="left")

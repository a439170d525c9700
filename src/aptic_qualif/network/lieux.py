"""Exchanges with the national open data of digital-mediation venues: the public names.

Each job has its own module: :mod:`~aptic_qualif.network.national` (the schema's columns and
constraints), :mod:`~aptic_qualif.network.export` (``export lieux``),
:mod:`~aptic_qualif.network.importer` (``import lieux``) and
:mod:`~aptic_qualif.network.skeleton` (the applications an import writes).
"""

from __future__ import annotations

from aptic_qualif.network.export import (
    ExportResult,
    RowBuilder,
    export_lieux,
    parse_date,
    render_csv,
    render_json,
)
from aptic_qualif.network.importer import (
    ImportResult,
    import_lieux,
    slug,
    write_skeletons,
)
from aptic_qualif.network.national import (
    CONTACT_COLUMNS,
    ENUMERATIONS,
    ID_PREFIX,
    LIEUX_REQUIRED,
    MAX_LENGTHS,
    PATTERNS,
    SEPARATOR,
    SOURCE,
    UNPREFIXED,
    national_cell,
)
from aptic_qualif.network.skeleton import ImportedVenue, SkeletonRenderer, yaml_scalar

__all__ = [
    "CONTACT_COLUMNS",
    "ENUMERATIONS",
    "ID_PREFIX",
    "LIEUX_REQUIRED",
    "MAX_LENGTHS",
    "PATTERNS",
    "SEPARATOR",
    "SOURCE",
    "UNPREFIXED",
    "ExportResult",
    "ImportResult",
    "ImportedVenue",
    "RowBuilder",
    "SkeletonRenderer",
    "export_lieux",
    "import_lieux",
    "national_cell",
    "parse_date",
    "render_csv",
    "render_json",
    "slug",
    "write_skeletons",
    "yaml_scalar",
]

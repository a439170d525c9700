"""Every download of a release, written at once: ``aptic-qualif publish all -o DIR``.

* ``referentiel.jsonld`` and ``context.jsonld``: the SKOS scheme and its JSON-LD context;
* ``referentiel.ttl``: the same graph in Turtle;
* ``questionnaire.json``: the questionnaire, its themes in order, as plain JSON;
* ``application.schema.json``: the JSON Schema of an application file;
* ``services.csv``: one row per service, for spreadsheets (``typical_duration`` is the
  length of one session, ``sessions`` the typical number of sessions).

Each text depends only on the project's files: same project, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.sanitize import csv_row

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.questionnaire.load import LoadedQuestionnaire
    from aptic_qualif.referentiel.load import Catalogue

JSONLD_FILE = "referentiel.jsonld"
CONTEXT_FILE = "context.jsonld"
TURTLE_FILE = "referentiel.ttl"
QUESTIONNAIRE_FILE = "questionnaire.json"
SCHEMA_FILE = "application.schema.json"
CSV_FILE = "services.csv"

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "notation",
    "level",
    "status",
    "pref_label_fr",
    "pref_label_en",
    "replaced_by",
    "lieux_services",
    "crcn",
    "data_inclusion",
    "coop_thematiques",
    "typical_duration",
    "sessions",
    "modalities",
)
LIST_SEPARATOR = "|"
"""Separates the values of a mapping column in the CSV."""


def services_csv(catalogue: Catalogue) -> str:
    """The services as CSV: a header row, then one row per service (deprecated ones too),
    by level in the scheme's order, then by notation. Every cell passes
    :func:`~aptic_qualif.sanitize.csv_cell` (no formula)."""
    rank = {level.id: index for index, level in enumerate(catalogue.scheme.levels)}
    services = sorted(
        catalogue.services.values(),
        key=lambda s: (rank.get(s.level, len(rank)), s.notation, s.id),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for service in services:
        writer.writerow(
            csv_row(
                [
                    service.id,
                    service.notation,
                    service.level,
                    service.status,
                    service.pref_label.fr,
                    service.pref_label.en,
                    service.replaced_by or "",
                    LIST_SEPARATOR.join(service.mappings.lieux_services),
                    LIST_SEPARATOR.join(service.mappings.crcn),
                    LIST_SEPARATOR.join(service.mappings.data_inclusion),
                    LIST_SEPARATOR.join(service.mappings.coop_thematiques),
                    service.typical_duration,
                    "" if service.sessions is None else str(service.sessions),
                    LIST_SEPARATOR.join(service.modalities),
                ]
            )
        )
    return buffer.getvalue()


def questionnaire_json(loaded: LoadedQuestionnaire) -> str:
    """The questionnaire as one JSON document: its metadata and identity items, then
    ``themes`` as the list of full themes in the questionnaire's order."""
    data: dict[str, Any] = loaded.questionnaire.model_dump(mode="json", exclude_none=True)
    data["themes"] = [
        loaded.themes[theme].model_dump(mode="json", exclude_none=True)
        for theme in loaded.questionnaire.themes
        if theme in loaded.themes
    ]
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def exports(context: Context) -> dict[str, Callable[[], str]]:
    """The file names of ``publish all`` and how to make each one."""
    from aptic_qualif.publish.skos import render_context, render_jsonld, render_turtle
    from aptic_qualif.questionnaire.jsonschema import render_schema

    catalogue = context.catalogue
    return {
        JSONLD_FILE: lambda: render_jsonld(catalogue),
        CONTEXT_FILE: lambda: render_context(catalogue.scheme.base_iri),
        TURTLE_FILE: lambda: render_turtle(catalogue),
        QUESTIONNAIRE_FILE: lambda: questionnaire_json(context.questionnaire),
        SCHEMA_FILE: lambda: render_schema(context.questionnaire, catalogue),
        CSV_FILE: lambda: services_csv(catalogue),
    }


def write_all(context: Context, out_dir: Path, force: bool = False) -> list[Path]:
    """Write every download into ``out_dir`` (created if needed); the paths written.

    Without ``force``, nothing is written when any of the files already exists. The files
    are written into a temporary folder next to ``out_dir`` first; then, when ``out_dir``
    is absent or holds nothing but downloads, the folders are swapped by renaming, so that
    an interrupted run never leaves old and new files mixed. In a folder holding other
    files, each download replaces its old version atomically.
    """
    from aptic_qualif.fsio import atomic_write, default_mode

    makers = exports(context)
    targets = [out_dir / name for name in makers]
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(
            _("{path} exists and is not a folder").format(path=display_path(out_dir))
        )
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise CommandError(
            _("{paths} already exist; add --force to overwrite them").format(
                paths=", ".join(display_path(path) for path in existing)
            )
        )
    texts = {name: make() for name, make in makers.items()}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".new", dir=out_dir.parent))
    try:
        staging.chmod(default_mode(folder=True))  # mkdtemp makes it private
        for name, text in texts.items():
            atomic_write(staging / name, text)
        _swap(staging, out_dir, set(texts))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return targets


def _swap(staging: Path, out_dir: Path, names: set[str]) -> None:
    """Put the files of ``staging`` into ``out_dir``: the whole folder at once when
    ``out_dir`` is absent or holds only downloads, else file by file."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    if all(entry.name in names for entry in out_dir.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
        try:
            staging.rename(out_dir)
        except BaseException:
            old.rename(out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    for name in sorted(names):
        (staging / name).replace(out_dir / name)

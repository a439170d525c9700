"""Reading a référentiel folder: the scheme file and every service file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _
from aptic_qualif.project import SCHEME_FILE, display_path
from aptic_qualif.reading import unlisted_folder, walk
from aptic_qualif.referentiel.model import Level, Scheme, Service
from aptic_qualif.schema import salvage as salvage_model
from aptic_qualif.schema import validate_document
from aptic_qualif.text import check_texts, multiline_under
from aptic_qualif.yamlio import Document, bulk_reading, load_yaml

SERVICES_DIR = "services"

MULTILINE = multiline_under("definition", "description", "history_note", "reason")
"""Where a text of the référentiel may hold several lines; every other text (an id, a
label, a notation) is one line, and no text holds a control character (``TXT001``)."""


@dataclass(frozen=True)
class ServiceEntry:
    """A service as read from its file."""

    path: Path
    doc: Document
    service: Service

    @property
    def folder(self) -> str:
        return self.path.parent.name

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass
class Catalogue:
    """A référentiel as read from a folder, with where everything came from.

    ``entries`` holds every service that passed the schema, in file order (duplicates
    included, so that integrity checks can report them); ``services`` maps each id to
    its first entry.
    """

    root: Path
    scheme: Scheme
    scheme_doc: Document
    entries: list[ServiceEntry] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    """Service files that could not be read or failed their schema (already reported)."""

    @property
    def version(self) -> str:
        return self.scheme.version

    @cached_property
    def services(self) -> dict[str, Service]:
        found: dict[str, Service] = {}
        for entry in self.entries:
            found.setdefault(entry.service.id, entry.service)
        return found

    @cached_property
    def levels(self) -> dict[str, Level]:
        return {level.id: level for level in self.scheme.levels}

    def by_level(self, level: str, *, include_deprecated: bool = True) -> list[Service]:
        return [
            s
            for s in self.services.values()
            if s.level == level and (include_deprecated or s.active)
        ]


def _service_files(
    services_dir: Path, report: Report, display: Callable[[Path], str]
) -> list[Path]:
    """Every entry of ``services_dir`` but hidden ones; a folder that cannot be listed is
    an error in ``report``, never a silent hole in the catalogue."""
    if not services_dir.is_dir():
        return []
    files, unlisted = walk(services_dir, hidden=False)
    for folder, exc in unlisted.items():
        report.add(unlisted_folder(exc, display(folder)))
    return files


def load_catalogue(
    root: Path, *, display: Callable[[Path], str] = display_path, salvage: bool = False
) -> tuple[Catalogue | None, Report]:
    """Read the référentiel in folder ``root``.

    Returns the catalogue (``None`` when the scheme file itself is unusable) and the
    report of every file and schema problem. Integrity rules are checked separately by
    :func:`aptic_qualif.referentiel.check.check_catalogue`.

    With ``salvage``, a service file with schema errors still joins the catalogue, without
    its faulty values, when the rest of it makes a service (:func:`~aptic_qualif.schema.salvage`):
    the integrity rules then check it too, and a contributor reads every problem of the file
    at once. The report then holds the schema errors: such a catalogue is never published.
    """
    report = Report()
    scheme_path = root / SCHEME_FILE
    scheme_doc, diagnostics = load_yaml(scheme_path, display(scheme_path), within=root)
    report.extend(diagnostics)
    scheme: Scheme | None = None
    if scheme_doc is not None and not diagnostics:
        report.extend(check_texts(scheme_doc, MULTILINE))
        scheme, diagnostics = validate_document(Scheme, scheme_doc)
        report.extend(diagnostics)

    entries: list[ServiceEntry] = []
    unreadable: list[Path] = []
    services_dir = root / SERVICES_DIR
    with bulk_reading():
        for path in _service_files(services_dir, report, display):
            name = display(path)
            if path.suffix != ".yaml" or path.parent.parent != services_dir:
                report.add(_stray(path, services_dir, name))
                continue
            doc, diagnostics = load_yaml(path, name, within=root)
            report.extend(diagnostics)
            if doc is None or any(d.severity == "error" for d in diagnostics):
                unreadable.append(path)
                continue
            report.extend(check_texts(doc, MULTILINE))
            service, diagnostics = validate_document(Service, doc)
            report.extend(diagnostics)
            if service is None and salvage:
                service = salvage_model(Service, doc.data)
            if service is None:
                unreadable.append(path)
            else:
                entries.append(ServiceEntry(path, doc, service))

    if scheme is None or scheme_doc is None:
        return None, report
    return Catalogue(root, scheme, scheme_doc, entries, unreadable), report


def _stray(path: Path, services_dir: Path, name: str) -> Diagnostic:
    if path.suffix == ".yml":
        message = _("file ignored: a service file ends in .yaml, not .yml")
        hint = _("rename it to {name}").format(name=path.with_suffix(".yaml").name)
    elif path.suffix != ".yaml":
        message = _("file ignored: only .yaml service files belong in services/")
        hint = None
    else:
        message = _("file ignored: a service file belongs in services/<level>/")
        hint = _("move it to services/<level>/{name}").format(name=path.name)
    return Diagnostic.error("REF020", Span(name, 0, 0), message, hint)

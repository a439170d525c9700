"""The network's view of the site: coverage, qualified venues and the map, from its own files.

:func:`read_network` reads a folder of applications (and of reviews) once, assessing one
file at a time (:func:`aptic_qualif.scoring.assess.assess_each`), and keeps only what the
pages need: the coverage counts per département (every département of the commune
reference, with or without a venue) and, on demand (``by="commune"``), per commune (every
current commune of the reference, counted in the same pass by the same rule), the rows of
the national export (:class:`~aptic_qualif.network.export.LieuxCollector`, for
``lieux.csv``) and, for each qualified venue, what the national export may publish about
it — its public name and commune, as the export writes them — with the levels and services
it is qualified for.

Privacy: nothing else from an application reaches the site; no contact, no person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aptic_qualif.application import ApplicationFiles, CheckedApplication
    from aptic_qualif.context import Context
    from aptic_qualif.network.coverage import By, Coverage
    from aptic_qualif.network.export import ExportResult
    from aptic_qualif.review.model import Review
    from aptic_qualif.scoring.model import Assessment


@dataclass(frozen=True)
class NetworkSource:
    """Where a network keeps its files (``publish site --applications … --reviews …``)."""

    applications: Path
    reviews: Path | None = None
    policy: Path | None = None


@dataclass(frozen=True)
class QualifiedVenue:
    """A qualified venue as the site lists it: only columns the national export publishes."""

    name: str
    commune: str
    code_insee: str
    departement: str
    levels: tuple[str, ...]
    """Levels of the services it is qualified for, in the référentiel's order."""
    services: tuple[str, ...]
    """Notations of those services, in the référentiel's order."""


@dataclass
class NetworkView:
    coverage: Coverage
    venues: list[QualifiedVenue]
    lieux: ExportResult
    report: Report = field(default_factory=Report)
    """Unreadable applications, unusable reviews, review and export warnings."""
    communes: Coverage | None = None
    """The coverage by commune, every current commune of the reference listed (only when
    read with ``by="commune"``)."""


def source_files(source: NetworkSource) -> ApplicationFiles:
    """The application files of ``source.applications``, or a clear error."""
    from aptic_qualif.application import application_files

    if not source.applications.is_dir():
        raise CommandError(
            _("not a folder of applications: {path}").format(path=display_path(source.applications))
        )
    files, _missing = application_files([source.applications])
    return files


def read_network(
    context: Context,
    files: ApplicationFiles,
    reviews_dir: Path | None,
    *,
    by: By = "departement",
) -> NetworkView:
    """Assess ``files`` once, with the reviews of ``reviews_dir``, into a :class:`NetworkView`
    (with ``by="commune"``, its coverage by commune too, counted in the same pass)."""
    from aptic_qualif.application import departement_of_insee
    from aptic_qualif.network.coverage import (
        PLACE_ITEMS,
        QUALIFIED,
        CoverageCounter,
        every_commune,
        every_departement,
    )
    from aptic_qualif.network.export import LieuxCollector
    from aptic_qualif.review.load import load_reviews
    from aptic_qualif.scoring.assess import assess_each

    report = Report()
    reviews: list[Review] = []
    if reviews_dir is not None:
        if not reviews_dir.is_dir():
            raise CommandError(
                _("not a folder of reviews: {path}").format(path=display_path(reviews_dir))
            )
        reviews, review_report = load_reviews(reviews_dir, context.questionnaire)
        report.extend(review_report.diagnostics)
    catalogue = context.catalogue
    counter = CoverageCounter(catalogue, territories=every_departement())
    counters = [counter]
    if by == "commune":
        counters.append(CoverageCounter(catalogue, by="commune", territories=every_commune()))
    collector = LieuxCollector(context)
    notation = {s.id: s.notation for s in catalogue.services.values()}
    levels = {level: index for index, level in enumerate(catalogue.levels)}
    order = {
        s.id: (levels.get(s.level, len(levels)), s.notation) for s in catalogue.services.values()
    }
    venues: list[QualifiedVenue] = []

    def each(assessment: Assessment, checked: CheckedApplication, own: Sequence[Review]) -> None:
        answers = checked.answers
        places = {k: answers[k] for k in PLACE_ITEMS if k in answers}
        for each_counter in counters:
            each_counter.add(assessment, places)
        row = collector.build(assessment, checked, own)
        if row is None or assessment.decision != QUALIFIED:
            return
        offered = sorted(
            {s for ids in assessment.services_by_level.values() for s in ids},
            key=lambda s: order.get(s, (len(levels), s)),
        )
        venues.append(
            QualifiedVenue(
                name=row.get("nom", ""),
                commune=row.get("commune", ""),
                code_insee=row.get("code_insee", ""),
                departement=departement_of_insee(row["code_insee"])
                if row.get("code_insee")
                else "",
                levels=tuple(lv for lv in catalogue.levels if assessment.services_by_level.get(lv)),
                services=tuple(notation.get(s, s) for s in offered),
            )
        )

    batch = assess_each(files, context, each, reviews, reviews_dir)
    report.extend(batch.report.diagnostics)
    lieux = collector.finish()
    report.extend(lieux.report.diagnostics)

    from aptic_qualif.network.coverage import territory_sort_key

    venues.sort(
        key=lambda v: (territory_sort_key(v.departement), v.commune.casefold(), v.name.casefold())
    )
    communes = counters[1].result() if by == "commune" else None
    return NetworkView(counter.result(), venues, lieux, report, communes)


__all__ = ["NetworkSource", "NetworkView", "QualifiedVenue", "read_network", "source_files"]

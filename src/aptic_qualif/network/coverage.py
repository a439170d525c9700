"""Territorial coverage of a network: qualified venues per territory, level and service.

:func:`compute_coverage` counts, from assessments and the identity answers of the same
applications, the venues of every territory (a département derived from the INSEE code,
``2A``/``2B`` in Corsica and three digits overseas, or a commune), the venues offering each
level and each service there, then the gaps: the services of the référentiel offered
nowhere and the territories where no venue offers a level. A travelling venue counts once
in every territory it declares it goes to (``communes_itinerance``), as well as in its base.

Privacy by default: the result holds territories and counts only — no venue name, no
application identifier, nothing about the people the venues help.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from aptic_qualif import __version__
from aptic_qualif.application import departement_of_insee
from aptic_qualif.formats import number
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.places import INSEE_CODE, itinerance_codes
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.sanitize import markdown_code
from aptic_qualif.sanitize import markdown_text as _md
from aptic_qualif.scoring.model import Assessment

if TYPE_CHECKING:
    from rich.console import RenderableType

    from aptic_qualif.application import CheckedApplication
    from aptic_qualif.context import Context
    from aptic_qualif.review.model import Review
    from aptic_qualif.scoring.assess import Batch

FORMAT_VERSION = "1.0"
By = Literal["departement", "commune"]
QUALIFIED = "qualifie"
ITINERANT = "itinerant"

PLACE_ITEMS = ("code_insee", "commune", "itinerance", "communes_itinerance")
"""The identity answers coverage reads: where a venue is and where it goes, nothing else."""

DEPARTEMENTS: dict[str, str] = {
    "01": "Ain",
    "02": "Aisne",
    "03": "Allier",
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "07": "Ardèche",
    "08": "Ardennes",
    "09": "Ariège",
    "10": "Aube",
    "11": "Aude",
    "12": "Aveyron",
    "13": "Bouches-du-Rhône",
    "14": "Calvados",
    "15": "Cantal",
    "16": "Charente",
    "17": "Charente-Maritime",
    "18": "Cher",
    "19": "Corrèze",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "21": "Côte-d'Or",
    "22": "Côtes-d'Armor",
    "23": "Creuse",
    "24": "Dordogne",
    "25": "Doubs",
    "26": "Drôme",
    "27": "Eure",
    "28": "Eure-et-Loir",
    "29": "Finistère",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "33": "Gironde",
    "34": "Hérault",
    "35": "Ille-et-Vilaine",
    "36": "Indre",
    "37": "Indre-et-Loire",
    "38": "Isère",
    "39": "Jura",
    "40": "Landes",
    "41": "Loir-et-Cher",
    "42": "Loire",
    "43": "Haute-Loire",
    "44": "Loire-Atlantique",
    "45": "Loiret",
    "46": "Lot",
    "47": "Lot-et-Garonne",
    "48": "Lozère",
    "49": "Maine-et-Loire",
    "50": "Manche",
    "51": "Marne",
    "52": "Haute-Marne",
    "53": "Mayenne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "56": "Morbihan",
    "57": "Moselle",
    "58": "Nièvre",
    "59": "Nord",
    "60": "Oise",
    "61": "Orne",
    "62": "Pas-de-Calais",
    "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "69": "Rhône",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "72": "Sarthe",
    "73": "Savoie",
    "74": "Haute-Savoie",
    "75": "Paris",
    "76": "Seine-Maritime",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "79": "Deux-Sèvres",
    "80": "Somme",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
    "83": "Var",
    "84": "Vaucluse",
    "85": "Vendée",
    "86": "Vienne",
    "87": "Haute-Vienne",
    "88": "Vosges",
    "89": "Yonne",
    "90": "Territoire de Belfort",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Clipperton",
}
"""Names of the départements and overseas collectivities, by INSEE code."""


# -- the result ------------------------------------------------------------------------


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRef(Model):
    id: str
    label: str


class ServiceRef(Model):
    service: str
    level: str
    label: str


class ServiceCount(Model):
    """How many counted venues offer a service, in how many territories."""

    service: str
    level: str
    label: str
    active: bool
    venues: int
    territories: int


class TerritoryCoverage(Model):
    """The venues counted in one territory (travelling venues included)."""

    territory: str
    """Département code (``2B``, ``974``) or commune INSEE code (``2B096``)."""
    label: str
    """Name of the département, or of the commune when a venue based there gives it."""
    venues: int
    itinerant: int
    """Of ``venues``, the travelling ones (based here or coming here)."""
    population: int | None = None
    """Legal population of the territory (commune reference, INSEE); None when unknown."""
    venues_per_10000: float | None = None
    """``venues`` per 10,000 inhabitants, to two decimals; None when the population is
    unknown."""
    levels: dict[str, int]
    """Venues offering at least one service of each level (every level, zeros included)."""
    services: dict[str, int]
    """Venues offering each service (services offered here only)."""
    services_offered: int
    missing_levels: list[str]
    """Levels no venue offers here, in the référentiel's order."""


class Totals(Model):
    assessed: int
    """Assessments read (whatever their decision)."""
    venues: int
    """Venues counted (qualified ones, or all of them with ``qualified_only=False``)."""
    itinerant: int
    without_territory: int
    """Counted venues without a valid INSEE code: in the totals, in no territory."""
    ignored_itinerance_codes: int
    """Entries of ``communes_itinerance`` that are not INSEE commune codes."""
    territories: int
    levels: dict[str, int]
    services_offered: int


class Coverage(Model):
    """Stable, JSON-serialisable coverage: territories in code order, services in the
    référentiel's order."""

    by: By
    qualified_only: bool
    referentiel: str
    levels: list[LevelRef]
    totals: Totals
    territories: list[TerritoryCoverage]
    services: list[ServiceCount]
    """Every active service, and the deprecated ones still offered somewhere."""
    services_offered_nowhere: list[ServiceRef]
    """Active services no counted venue offers."""
    territories_without_level: dict[str, list[str]]
    """For each level, the territories present where no counted venue offers it."""


# -- territories -----------------------------------------------------------------------


def territory_sort_key(code: str) -> str:
    """Codes in INSEE order: Corsica (``2A``, ``2B``) between 19 and 21, overseas last."""
    return "20" + code[1:] if code[:2] in {"2A", "2B"} else code


def per_10000(venues: int, population: int | None) -> float | None:
    """Venues per 10,000 inhabitants, to two decimals (None without a population)."""
    return round(venues * 10_000 / population, 2) if population else None


def density(value: float | None) -> str:
    """Venues per 10,000 inhabitants as a reader expects it (French decimal comma)."""
    if value is None:
        return "—"
    return number(value, 2)


def departement_label(code: str) -> str:
    return DEPARTEMENTS.get(code, "")


def every_departement() -> list[str]:
    """The codes of every département and overseas collectivity of the commune reference
    (Etalab's découpage administratif), in INSEE order."""
    from aptic_qualif.communes import communes

    return sorted(communes().departement_populations, key=territory_sort_key)


def every_commune() -> tuple[str, ...]:
    """The INSEE codes of every current commune of the commune reference (not the municipal
    arrondissements of Paris, Lyon and Marseille, nor former communes)."""
    from aptic_qualif.communes import communes

    return communes().commune_codes


def check_departement(text: str) -> str:
    """The département code ``text`` names (``19``, ``2a`` → ``2A``, ``974``), as the commune
    reference knows it; :class:`CommandError` otherwise, giving the code when ``text`` is the
    name of a département."""
    from aptic_qualif.errors import CommandError
    from aptic_qualif.text import alphabetical_key

    code = text.strip().upper()
    if code in every_departement():
        return code
    wanted = alphabetical_key(text.strip())[0]
    named = [c for c, name in DEPARTEMENTS.items() if alphabetical_key(name)[0] == wanted]
    if named:
        raise CommandError(
            _("--departement takes a code: {name} is {code} (--departement {code})").format(
                name=DEPARTEMENTS[named[0]], code=named[0]
            )
        )
    raise CommandError(
        _("'{value}' is not the code of a département (for example 19, 2A or 974)").format(
            value=text
        )
    )


def communes_by_name(rows: Iterable[TerritoryCoverage]) -> list[TerritoryCoverage]:
    """Communes in French alphabetical order of their names (accents and case ignored first:
    :func:`~aptic_qualif.text.alphabetical_key`), then by code: the same order every time."""
    from aptic_qualif.text import alphabetical_key

    return sorted(
        rows, key=lambda row: (*alphabetical_key(row.label), territory_sort_key(row.territory))
    )


def by_departement(coverage: Coverage) -> dict[str, list[TerritoryCoverage]]:
    """The territories of a coverage by commune, grouped by département (each group in the
    coverage's order, INSEE order)."""
    groups: dict[str, list[TerritoryCoverage]] = {}
    for row in coverage.territories:
        groups.setdefault(departement_of_insee(row.territory), []).append(row)
    return groups


class CoverageCounter:
    """Counts venues one assessment at a time, keeping counts only (no assessment), so
    that thousands of applications are counted as they are assessed."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        by: By = "departement",
        qualified_only: bool = True,
        territories: Iterable[str] = (),
        departement: str | None = None,
        complete: bool = False,
    ) -> None:
        """``territories`` are listed in the result even where no venue is counted (for
        instance every département of the commune reference, :func:`every_departement`).

        ``departement`` (a code) keeps only that département: a venue is counted where it is
        or goes in it, and not at all when it neither is nor goes there. ``complete`` lists
        every territory of the commune reference in scope, with or without a venue: that
        département, or every département; by commune, every commune of that département,
        or of every département where a venue is counted."""
        self.catalogue = catalogue
        self.listed = frozenset(territories)
        self.departement = departement
        self.complete = complete
        self.by: By = by
        self.qualified_only = qualified_only
        self.levels = list(catalogue.levels)
        self._territory_of: Callable[[str], str] = (
            departement_of_insee if by == "departement" else str
        )
        self.venues: Counter[str] = Counter()
        self.itinerant: Counter[str] = Counter()
        self.level_counts: dict[str, Counter[str]] = {}
        self.service_counts: dict[str, Counter[str]] = {}
        self.names: dict[str, Counter[str]] = {}
        self.national_levels: Counter[str] = Counter()
        self.national_services: Counter[str] = Counter()
        self.assessed = self.counted = self.travelling = self.without = self.ignored = 0

    def add(self, assessment: Assessment, answers: Mapping[str, Any]) -> None:
        """Count the venue of ``assessment``, located by its checked ``answers``."""
        self.assessed += 1
        if self.qualified_only and assessment.decision != QUALIFIED:
            return
        places: list[str] = []
        base = answers.get("code_insee")
        if isinstance(base, str) and INSEE_CODE.fullmatch(base):
            places.append(base)
        moving = answers.get("itinerance") == ITINERANT
        invalid: list[str] = []
        if moving:
            codes, invalid = itinerance_codes(answers.get("communes_itinerance"))
            places += codes
        if self.departement is not None:
            places = [code for code in places if departement_of_insee(code) == self.departement]
            if not places:
                return  # neither is nor goes in the département
        self.counted += 1
        self.ignored += len(invalid)
        if moving:
            self.travelling += 1
        if isinstance(base, str) and base in places and self.by == "commune":
            commune = answers.get("commune")
            if isinstance(commune, str) and commune.strip():
                self.names.setdefault(base, Counter())[commune.strip()] += 1
        offered_levels = [lv for lv, ids in assessment.services_by_level.items() if ids]
        offered = {s for ids in assessment.services_by_level.values() for s in ids}
        self.national_levels.update(offered_levels)
        self.national_services.update(offered)
        territories = dict.fromkeys(self._territory_of(code) for code in places)
        if not territories:
            self.without += 1
        for territory in territories:
            self.venues[territory] += 1
            if moving:
                self.itinerant[territory] += 1
            self.level_counts.setdefault(territory, Counter()).update(offered_levels)
            self.service_counts.setdefault(territory, Counter()).update(offered)

    def _label(self, territory: str) -> str:
        if self.by == "departement":
            return departement_label(territory)
        candidates = self.names.get(territory, Counter())
        if candidates:
            return min(candidates, key=lambda n: (-candidates[n], n))
        from aptic_qualif.communes import communes

        commune = communes().current(territory)  # a place a travelling venue goes to
        return commune.name if commune is not None else ""

    def _in_scope(self) -> set[str]:
        """With ``complete``: every territory of the commune reference in scope."""
        if not self.complete:
            return set()
        if self.by == "departement":
            return {self.departement} if self.departement else set(every_departement())
        departements = (
            {self.departement}
            if self.departement
            else {departement_of_insee(code) for code in self.venues}
        )
        return {code for code in every_commune() if departement_of_insee(code) in departements}

    def result(self) -> Coverage:
        levels, catalogue = self.levels, self.catalogue
        from aptic_qualif.communes import communes

        present = set(self.venues) | self.listed | self._in_scope()
        reference = communes() if present else None
        rows: list[TerritoryCoverage] = []
        for territory in sorted(present, key=territory_sort_key):
            population = reference.population(territory) if reference is not None else None
            by_level = self.level_counts.get(territory, Counter())
            by_service = self.service_counts.get(territory, Counter())
            rows.append(
                TerritoryCoverage(
                    territory=territory,
                    label=self._label(territory),
                    venues=self.venues[territory],
                    itinerant=self.itinerant[territory],
                    population=population,
                    venues_per_10000=per_10000(self.venues[territory], population),
                    levels={level: by_level[level] for level in levels},
                    services=dict(sorted(by_service.items())),
                    services_offered=len(by_service),
                    missing_levels=[level for level in levels if not by_level[level]],
                )
            )
        level_order = {level: index for index, level in enumerate(levels)}
        services = sorted(
            catalogue.services.values(),
            key=lambda s: (level_order.get(s.level, len(levels)), s.notation, s.id),
        )
        national = self.national_services
        territories_of_service: Counter[str] = Counter()
        for counts in self.service_counts.values():
            territories_of_service.update(counts.keys())
        return Coverage(
            by=self.by,
            qualified_only=self.qualified_only,
            referentiel=f"{catalogue.scheme.id}@{catalogue.version}",
            levels=[
                LevelRef(id=level.id, label=localized(level.pref_label))
                for level in catalogue.levels.values()
            ],
            totals=Totals(
                assessed=self.assessed,
                venues=self.counted,
                itinerant=self.travelling,
                without_territory=self.without,
                ignored_itinerance_codes=self.ignored,
                # the territories where a venue is counted (the listed zeros aside)
                territories=sum(1 for row in rows if row.venues),
                levels={level: self.national_levels[level] for level in levels},
                services_offered=len(national),
            ),
            territories=rows,
            services=[
                ServiceCount(
                    service=s.id,
                    level=s.level,
                    label=localized(s.pref_label),
                    active=s.active,
                    venues=national[s.id],
                    territories=territories_of_service[s.id],
                )
                for s in services
                if s.active or national[s.id]
            ],
            services_offered_nowhere=[
                ServiceRef(service=s.id, level=s.level, label=localized(s.pref_label))
                for s in services
                if s.active and not national[s.id]
            ],
            territories_without_level={
                level: [row.territory for row in rows if level in row.missing_levels]
                for level in levels
            },
        )


def compute_coverage(
    assessments: Iterable[Assessment],
    checked_answers_by_application: Mapping[str, Mapping[str, Any]],
    catalogue: Catalogue,
    *,
    by: By = "departement",
    qualified_only: bool = True,
) -> Coverage:
    """The coverage of the venues assessed (the order of the assessments does not matter).

    ``checked_answers_by_application`` maps each application id to its checked answers
    (:attr:`CheckedApplication.answers`; only :data:`PLACE_ITEMS` are read). A venue is
    counted when qualified (every venue with ``qualified_only=False``), once per territory:
    its base (``code_insee``) and, when travelling, each place of ``communes_itinerance``.
    """
    counter = CoverageCounter(catalogue, by=by, qualified_only=qualified_only)
    for assessment in assessments:
        counter.add(assessment, checked_answers_by_application.get(assessment.application, {}))
    return counter.result()


# -- assessing with the places ---------------------------------------------------------


def assess_each(
    files: Iterable[Path],
    context: Context,
    on_assessment: Callable[[Assessment, dict[str, Any]], None],
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> Batch:
    """Assess every file as ``assess`` does, handing each assessment with the answers of
    :data:`PLACE_ITEMS` (nothing else) to ``on_assessment`` instead of keeping it."""
    from aptic_qualif.scoring import assess

    def places(assessment: Assessment, checked: CheckedApplication, _reviews: object) -> None:
        answers = checked.answers
        on_assessment(assessment, {k: answers[k] for k in PLACE_ITEMS if k in answers})

    return assess.assess_each(files, context, places, reviews, reviews_dir, on_file=on_file)


def assess_with_places(
    files: Iterable[Path],
    context: Context,
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
) -> tuple[Batch, dict[str, dict[str, Any]]]:
    """The batch of assessments (sorted as ``assess`` sorts them) and, for each
    application id, its answers of :data:`PLACE_ITEMS`."""
    places: dict[str, dict[str, Any]] = {}
    assessments: list[Assessment] = []

    def keep(assessment: Assessment, answers: dict[str, Any]) -> None:
        assessments.append(assessment)
        places[assessment.application] = answers

    batch = assess_each(files, context, keep, reviews, reviews_dir)
    batch.assessments = sorted(assessments, key=lambda a: (a.application, a.file))
    return batch, places


def coverage_of_files(
    files: Iterable[Path],
    context: Context,
    reviews: Iterable[Review] | None = None,
    reviews_dir: Path | None = None,
    *,
    by: By = "departement",
    qualified_only: bool = True,
    departement: str | None = None,
    complete: bool = False,
    on_file: Callable[[Path], None] | None = None,
) -> tuple[Coverage, Batch]:
    """Assess ``files`` and count them as they are assessed (no assessment is kept).

    ``departement`` and ``complete`` are those of :class:`CoverageCounter`. The reviews are
    read from ``reviews_dir`` unless given. The batch holds the report (unreadable files,
    review warnings) and the unreadable files."""
    if reviews is None and reviews_dir is not None:
        from aptic_qualif.review.load import load_reviews

        reviews, _report = load_reviews(reviews_dir, context.questionnaire)
    counter = CoverageCounter(
        context.catalogue,
        by=by,
        qualified_only=qualified_only,
        departement=departement,
        complete=complete,
    )
    batch = assess_each(files, context, counter.add, reviews or (), reviews_dir, on_file=on_file)
    return counter.result(), batch


# -- renderings ------------------------------------------------------------------------


def render_json(coverage: Coverage) -> str:
    """Stable JSON: keys sorted, the same bytes for the same applications."""
    payload = {
        "format": FORMAT_VERSION,
        "tool": f"aptic-qualif {__version__}",
        "coverage": coverage.model_dump(mode="json"),
    }
    return json.dumps(payload, ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True) + "\n"


def csv_columns(coverage: Coverage) -> list[str]:
    return [
        "territory",
        "label",
        "venues",
        *[f"venues_{level.id}" for level in coverage.levels],
        "services_offered",
        "population",
        "venues_per_10000",
    ]


def render_csv(coverage: Coverage) -> str:
    """One row per territory, for spreadsheets; every cell passes
    :func:`~aptic_qualif.sanitize.csv_cell` (no formula)."""
    from aptic_qualif.sanitize import csv_row

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns(coverage))
    for row in coverage.territories:
        writer.writerow(
            csv_row(
                [
                    row.territory,
                    row.label,
                    row.venues,
                    *[row.levels.get(level.id, 0) for level in coverage.levels],
                    row.services_offered,
                    "" if row.population is None else row.population,
                    "" if row.venues_per_10000 is None else f"{row.venues_per_10000:.2f}",
                ]
            )
        )
    return buffer.getvalue()


def _territory_word(coverage: Coverage) -> str:
    return _("Département") if coverage.by == "departement" else _("Commune")


def _summary(coverage: Coverage) -> str:
    totals = coverage.totals
    territories = ngettext("in {n} territory", "in {n} territories", totals.territories).format(
        n=number(totals.territories)
    )
    if coverage.qualified_only:
        text = ngettext(
            "{venues} qualified venue out of {assessed} assessed, {territories}",
            "{venues} qualified venues out of {assessed} assessed, {territories}",
            totals.venues,
        )
    else:
        text = ngettext(
            "{venues} venue assessed, {territories}",
            "{venues} venues assessed, {territories}",
            totals.venues,
        )
    return text.format(
        venues=number(totals.venues), assessed=number(totals.assessed), territories=territories
    )


def _territory_names(coverage: Coverage) -> dict[str, str]:
    return {row.territory: f"{row.territory} {row.label}".strip() for row in coverage.territories}


def _gaps(missing: list[str], names: Mapping[str, str]) -> str:
    """The territories without a venue for a level: how many, then their names."""
    return ngettext("{n} territory: {names}", "{n} territories: {names}", len(missing)).format(
        n=len(missing), names=", ".join(names[t] for t in missing)
    )


def render_markdown(coverage: Coverage) -> str:
    levels = coverage.levels
    names = _territory_names(coverage)
    lines = [
        "# " + _("Territorial coverage"),
        "",
        f"- {_md(_summary(coverage))}",
        "- "
        + _md(_("Travelling venues: {count}").format(count=coverage.totals.itinerant))
        + " — "
        + _md(_("counted in every territory they declare they go to")),
    ]
    if coverage.totals.without_territory:
        lines.append(
            "- "
            + _md(
                _("Venues without a valid INSEE code: {count}").format(
                    count=coverage.totals.without_territory
                )
            )
        )
    lines += [
        "",
        "| "
        + " | ".join(
            [
                _territory_word(coverage),
                _("Venues"),
                _("Per 10,000 inhabitants"),
                *[_md(level.label) for level in levels],
                _("Services offered"),
            ]
        )
        + " |",
        "| --- | ---: | ---: | " + "".join("---: | " for _level in levels) + "---: |",
    ]
    for row in coverage.territories:
        cells = [
            _md(names[row.territory]),
            str(row.venues),
            density(row.venues_per_10000),
            *[str(row.levels.get(level.id, 0)) for level in levels],
            str(row.services_offered),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## " + _("Services offered nowhere"), ""]
    if coverage.services_offered_nowhere:
        labels = {level.id: level.label for level in levels}
        lines += [
            f"- {_md(s.label)} ({markdown_code(s.service)}, {_md(labels.get(s.level, s.level))})"
            for s in coverage.services_offered_nowhere
        ]
    else:
        lines.append(_md(_("Every active service is offered somewhere.")))
    lines += ["", "## " + _("Territories without a venue for a level"), ""]
    for level in levels:
        missing = coverage.territories_without_level.get(level.id, [])
        listed = _md(_gaps(missing, names)) if missing else "—"
        lines.append(f"- **{_md(level.label)}**: {listed}")
    return "\n".join(lines) + "\n"


def render_table(coverage: Coverage) -> RenderableType:
    """The terminal tables: every text from a file passes :func:`rich_text`."""
    from rich.console import Group
    from rich.table import Table

    from aptic_qualif.sanitize import rich_text

    levels = coverage.levels
    names = _territory_names(coverage)
    table = Table(title=_("Territorial coverage"), caption=rich_text(_summary(coverage)))
    table.add_column(_territory_word(coverage))
    table.add_column(_("Venues"), justify="right")
    table.add_column(_("/10,000 inh."), justify="right", max_width=7)
    for level in levels:
        table.add_column(rich_text(level.label), justify="right")
    table.add_column(_("Services offered"), justify="right", max_width=9)
    for row in coverage.territories:
        cells = [str(n) if n else "[red]0[/]" for n in (row.levels.get(lv.id, 0) for lv in levels)]
        table.add_row(
            rich_text(names[row.territory]),
            str(row.venues),
            density(row.venues_per_10000),
            *cells,
            str(row.services_offered),
        )
    gaps = Table(title=_("Gaps"), show_header=True)
    gaps.add_column(_("Level"))
    gaps.add_column(_("Services offered nowhere"))
    gaps.add_column(_("Territories without a venue for a level"))
    for level in levels:
        nowhere = [s.label for s in coverage.services_offered_nowhere if s.level == level.id]
        missing = coverage.territories_without_level.get(level.id, [])
        gaps.add_row(
            rich_text(level.label),
            rich_text("\n".join(nowhere) or "—"),
            rich_text(_gaps(missing, names) if missing else "—"),
        )
    return Group(table, gaps)


def chart_title(coverage: Coverage) -> str:
    if coverage.by == "departement":
        return _("Venues per département and per level")
    return _("Venues per commune and per level")


def chart_series(
    coverage: Coverage, venues_label: str
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """What the chart of :mod:`aptic_qualif.network.svg` draws: the series (the venues,
    then each level) and, per territory, its name and one number per series."""
    series = [venues_label, *(level.label for level in coverage.levels)]
    groups = [
        (
            f"{row.territory} {row.label}".strip(),
            [row.venues, *(row.levels.get(level.id, 0) for level in coverage.levels)],
        )
        for row in coverage.territories
    ]
    return series, groups


def render_svg(coverage: Coverage) -> str:
    """The bar chart of :mod:`aptic_qualif.network.svg`, as a standalone SVG file."""
    from aptic_qualif.network.svg import render_chart

    return render_chart(
        *chart_series(coverage, _("Venues")),
        title=chart_title(coverage),
        description=_(
            "For each territory, the number of venues and the number of venues offering each level."
        ),
        empty_label=_("No venue"),
    )


RENDERERS: dict[str, Callable[[Coverage], str]] = {
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "svg": render_svg,
}

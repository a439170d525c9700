"""What the observatory publishes: tables of accompaniments aggregated by DuckDB over the
store, every count passed through :func:`~aptic_qualif.usages.disclosure.protect`.

An accompaniment is a person in a session: an individual session counts 1, a collective
one its participants (La Coop's own count). The tables by territory are protected
**together with the national figures**: each is one table whose rows are the départements
and whose column totals are the national counts, so that a count hidden in one département
cannot be recomputed from the national figure and the other départements. A département's
page shows its row of these tables. A level's subtotal is published where it lets no hidden
service count be computed back, nor narrowed down within the safety range
(:func:`~aptic_qualif.usages.disclosure.publishable_subtotals`); a rate per 10,000
inhabitants only where its count is published.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.i18n import _
from aptic_qualif.usages.cube import UNKNOWN as UNKNOWN  # the pages use it too
from aptic_qualif.usages.disclosure import (
    DEFAULT_SAFETY_RANGE,
    DEFAULT_THRESHOLD,
    ProtectedTable,
    protect,
    publishable_subtotals,
)
from aptic_qualif.usages.labels import ReportLabels
from aptic_qualif.usages.model import AGE_BANDS, EMITTERS, PUBLICS

HIDDEN = "s"
"""How a hidden count is shown (the « secret statistique » of French official tables)."""


@dataclass(frozen=True)
class UsageSecrecy:
    """The statistical secrecy of a publication: the threshold of primary suppression and
    the safety range (per cent) of the counts it hides."""

    threshold: int = DEFAULT_THRESHOLD
    safety_range: float = DEFAULT_SAFETY_RANGE


@dataclass(frozen=True)
class Offer:
    """The offer side of a département, from the qualified venues (``coverage``)."""

    venues: int
    population: int | None
    services: frozenset[str]


@dataclass
class UsageReport:
    threshold: int
    months: tuple[str, ...]
    departements: tuple[str, ...]
    service_labels: dict[str, str]
    service_levels: dict[str, str | None]
    levels: tuple[tuple[str, str], ...]
    by_month: ProtectedTable
    by_service: ProtectedTable
    by_public: ProtectedTable
    by_age: ProtectedTable
    pass_by_level: ProtectedTable
    pass_by_departement: ProtectedTable
    offer: dict[str, Offer] = field(default_factory=dict)
    populations: dict[str, int] = field(default_factory=dict)
    level_published: tuple[tuple[bool, ...], ...] = ()
    """For each row of :attr:`by_service` (national first), whether each level's subtotal is
    published (:func:`~aptic_qualif.usages.disclosure.publishable_subtotals`)."""
    safety_range: float = DEFAULT_SAFETY_RANGE


def _matrix(
    rows: list[tuple[Any, ...]], row_labels: list[str], col_labels: list[str]
) -> list[list[int]]:
    r = {label: i for i, label in enumerate(row_labels)}
    c = {label: j for j, label in enumerate(col_labels)}
    cells = [[0] * len(col_labels) for _ in row_labels]
    for row, col, value in rows:
        cells[r[row]][c[col]] += int(value)
    return cells


def query(con: Any, sql: str) -> list[tuple[Any, ...]]:
    return list(con.execute(sql).fetchall())


def _territory_key(code: str) -> str:
    if code == UNKNOWN:
        return "~"
    return "20" + code[1:] if code[:2] in {"2A", "2B"} else code


def build_report(
    store: Path,
    catalogue: Any,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    offer: dict[str, Offer] | None = None,
    safety_range: float = DEFAULT_SAFETY_RANGE,
) -> UsageReport:
    """Aggregate the store (its cubes, :mod:`aptic_qualif.usages.cube`) and protect every
    table. ``catalogue`` is the project's référentiel, or its :class:`ReportLabels`
    (:func:`~aptic_qualif.usages.labels.report_labels`, cached in the store)."""
    from aptic_qualif.usages.cube import connect_cube

    labels_of = catalogue if isinstance(catalogue, ReportLabels) else ReportLabels.of(catalogue)
    con = connect_cube(store)
    con.execute("CREATE TEMPORARY TABLE c AS SELECT * FROM cube")
    by_month = query(
        con, "SELECT departement, mois, sum(n) FROM c WHERE vue = 'service' GROUP BY ALL"
    )
    by_service = query(
        con, "SELECT departement, cle, sum(n) FROM c WHERE vue = 'service' GROUP BY ALL"
    )
    by_public = query(
        con, "SELECT departement, cle, sum(n) FROM c WHERE vue = 'public' GROUP BY ALL"
    )
    by_age = query(con, "SELECT departement, cle, sum(n) FROM c WHERE vue = 'age' GROUP BY ALL")
    pass_level = query(con, "SELECT cle, niveau, sum(n) FROM c WHERE vue = 'pass' GROUP BY ALL")
    pass_dep = query(con, "SELECT departement, cle, sum(n) FROM c WHERE vue = 'pass' GROUP BY ALL")
    con.close()

    departements = sorted({row[0] for row in by_month} | set(offer or {}), key=_territory_key)
    months = sorted({row[1] for row in by_month})
    levels = labels_of.levels
    level_order = {level: k for k, (level, _label) in enumerate(levels)}
    used = {row[1] for row in by_service}
    # Active services, and the deprecated ones that were used when they were offered.
    services = [s for s in labels_of.services if s.active or s.id in used]
    labels = {s.id: s.label for s in services}
    service_levels: dict[str, str | None] = {s.id: s.level for s in services}
    ordered = sorted(
        (s for s in services if s.id in used),
        key=lambda s: (level_order.get(s.level or "", 99), s.notation),
    )
    coop = sorted(key for key in used if key.startswith("coop:"))
    for key in coop:
        labels[key] = labels_of.coop_thematiques.get(key[5:], key[5:])
        service_levels[key] = None
    service_keys = [s.id for s in ordered] + coop
    ages = [*AGE_BANDS, UNKNOWN]
    emitters = [*EMITTERS, UNKNOWN]
    level_keys = [level for level, _label in levels] + [UNKNOWN]
    dep_table = labels_of.populations

    def table(
        name: str, rows: list[str], cols: list[str], data: list[tuple[Any, ...]], **kw: Any
    ) -> ProtectedTable:
        return protect(
            name,
            rows,
            cols,
            _matrix(data, rows, cols),
            threshold=threshold,
            safety_range=safety_range,
            **kw,
        )

    by_service_table = table("service", departements, service_keys, by_service)
    level_groups = [
        [k for k in service_keys if service_levels.get(k) == level] for level, _label in levels
    ]
    return UsageReport(
        threshold=threshold,
        months=tuple(months),
        departements=tuple(departements),
        service_labels=labels,
        service_levels=service_levels,
        levels=levels,
        by_month=table("mois", departements, months, by_month),
        by_service=by_service_table,
        by_public=table("public", departements, list(PUBLICS), by_public, row_totals=False),
        by_age=table("age", departements, ages, by_age),
        pass_by_level=table("pass-niveau", emitters, level_keys, pass_level),
        pass_by_departement=table("pass-departement", departements, emitters, pass_dep),
        offer=offer or {},
        populations={d: dep_table[d] for d in departements if d in dep_table},
        level_published=publishable_subtotals(by_service_table, level_groups),
        safety_range=safety_range,
    )


# -- sections: what every rendering shows ---------------------------------------------


@dataclass
class Section:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    """Cells: a text, a number, or None for a hidden count."""
    column_ids: list[str]
    """A stable id per column (never translated), for the open-data aggregates."""
    row_ids: list[str]
    """A stable id per row: a month, a level, service, public, age band or emitter id, a
    département code, or :data:`TOTAL`."""


TOTAL = "total"
"""The id of a row or column of totals."""
COUNT = "accompagnements"
"""The id of a column of counts of accompaniments."""


def _line(table: ProtectedTable, i: int, keys: list[str]) -> list[int | None]:
    return [table.value(i, table.col(k)) for k in keys]


def _row_index(table: ProtectedTable, departement: str | None) -> int:
    if departement is None:
        return 0
    return table.row(departement) if departement in table.row_labels else -1


def level_subtotals(report: UsageReport, i: int) -> dict[str, int | None]:
    """Each level's subtotal in row ``i`` of the table by service: None where it is not
    published (:attr:`UsageReport.level_published`)."""
    table = report.by_service
    found: dict[str, int | None] = {}
    for k, (level, _label) in enumerate(report.levels):
        keys = [
            table.col(key) for key in table.col_labels if report.service_levels.get(key) == level
        ]
        published = report.level_published[i][k]
        found[level] = sum(table.counts[i][j] for j in keys) if published else None
    return found


def per_10000(count: int | None, population: int | None) -> float | None:
    if count is None or not population:
        return None
    return round(count * 10_000 / population, 2)


def sections(report: UsageReport, departement: str | None = None) -> list[Section]:
    """The report's tables, nationally (``departement`` None) or for one département."""
    found: list[Section] = []
    i = _row_index(report.by_month, departement)
    if i < 0:
        return found
    month = report.by_month
    found.append(
        Section(
            "mois",
            _("Accompaniments by month"),
            [_("Month"), _("Accompaniments")],
            [[m, month.value(i, month.col(m))] for m in report.months]
            + [[_("Total"), month.value(i, 0)]],
            ["mois", COUNT],
            [*report.months, TOTAL],
        )
    )
    svc = report.by_service
    si = _row_index(svc, departement)
    subtotals = level_subtotals(report, si)
    level_rows: list[list[Any]] = [[label, subtotals[level]] for level, label in report.levels]
    found.append(
        Section(
            "niveau",
            _("Accompaniments by level"),
            [_("Level"), _("Accompaniments")],
            level_rows,
            ["niveau", COUNT],
            [level for level, _label in report.levels],
        )
    )
    level_labels = dict(report.levels)
    found.append(
        Section(
            "service",
            _("Accompaniments by service"),
            [_("Service"), _("Level"), _("Accompaniments")],
            [
                [
                    report.service_labels.get(k, k),
                    level_labels.get(report.service_levels.get(k) or "", "—"),
                    svc.value(si, svc.col(k)),
                ]
                for k in svc.col_labels
            ],
            ["service", "niveau", COUNT],
            list(svc.col_labels),
        )
    )
    found.append(
        _counts_section(
            "public",
            _("Accompaniments by public (a person may belong to several)"),
            _("Public"),
            "public",
            report.by_public,
            departement,
        )
    )
    found.append(
        _counts_section(
            "age",
            _("Accompaniments by age band"),
            _("Age band"),
            "tranche_age",
            report.by_age,
            departement,
        )
    )
    if departement is None:
        table = report.pass_by_level
        levels = [level for level, _label in report.levels] + [UNKNOWN]
        found.append(
            Section(
                "pass",
                _("Accompaniments paid by a pass, by emitter and level"),
                [_("Emitter"), *[level_labels.get(level, level) for level in levels], _("Total")],
                [
                    [e, *_line(table, table.row(e), levels), table.value(table.row(e), 0)]
                    for e in table.row_labels
                ]
                + [[_("Total"), *_line(table, 0, levels), table.value(0, 0)]],
                ["pass_emetteur", *levels, TOTAL],
                [*table.row_labels, TOTAL],
            )
        )
    else:
        table = report.pass_by_departement
        di = _row_index(table, departement)
        found.append(
            Section(
                "pass",
                _("Accompaniments paid by a pass, by emitter"),
                [_("Emitter"), _("Accompaniments")],
                [[e, table.value(di, table.col(e))] for e in table.col_labels]
                + [[_("Total"), table.value(di, 0)]],
                ["pass_emetteur", COUNT],
                [*table.col_labels, TOTAL],
            )
        )
    found.append(_offer_section(report, departement))
    return found


def _counts_section(
    key: str,
    title: str,
    heading: str,
    column: str,
    table: ProtectedTable,
    departement: str | None,
) -> Section:
    """A table of one count per column of ``table`` (publics, age bands), nationally or for
    one département."""
    row = _row_index(table, departement)
    return Section(
        key,
        title,
        [heading, _("Accompaniments")],
        [[label, table.value(row, table.col(label))] for label in table.col_labels],
        [column, COUNT],
        list(table.col_labels),
    )


def _offer_section(report: UsageReport, departement: str | None) -> Section:
    month = report.by_month
    rows: list[list[Any]] = []
    territories = [departement] if departement else [d for d in report.departements if d != UNKNOWN]
    for d in territories:
        offer = report.offer.get(d)
        population = report.populations.get(d)
        count = month.value(month.row(d), 0) if d in month.row_labels else 0
        rows.append(
            [
                d,
                offer.venues if offer else 0,
                per_10000(offer.venues if offer else 0, population),
                count,
                per_10000(count, population),
            ]
        )
    return Section(
        "offre",
        _("Offer against usage, per 10,000 inhabitants"),
        [
            _("Département"),
            _("Qualified venues"),
            _("Venues per 10,000"),
            _("Accompaniments"),
            _("Accompaniments per 10,000"),
        ],
        rows,
        ["departement", "lieux_qualifies", "lieux_pour_10000", COUNT, "accompagnements_pour_10000"],
        list(territories),
    )


def gaps(report: UsageReport, departement: str | None = None) -> tuple[list[str], list[str]]:
    """(services offered by a qualified venue and never used, services used where no venue
    is qualified for them), as service ids; a list of services discloses no count."""
    svc = report.by_service
    if departement is None:
        offered = (
            set().union(*(o.services for o in report.offer.values())) if report.offer else set()
        )
        used = {k for k in svc.col_labels if svc.counts[0][svc.col(k)] > 0}
    else:
        offer = report.offer.get(departement)
        offered = set(offer.services) if offer else set()
        i = svc.row(departement) if departement in svc.row_labels else None
        used = (
            {k for k in svc.col_labels if svc.counts[i][svc.col(k)] > 0} if i is not None else set()
        )
    order = {k: n for n, k in enumerate(report.service_labels)}
    never_used = sorted(offered - used, key=lambda k: order.get(k, 1 << 30))
    unoffered = sorted(
        (k for k in used - offered if not k.startswith("coop:")),
        key=lambda k: order.get(k, 1 << 30),
    )
    return never_used, unoffered


# -- renderings -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return HIDDEN
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def render_json(report: UsageReport, departement: str | None = None) -> str:
    never_used, unoffered = gaps(report, departement)
    data = {
        "seuil": report.threshold,
        "intervalle_de_protection": report.safety_range,
        "departement": departement,
        "secret": HIDDEN,
        "tableaux": [
            {"id": s.id, "titre": s.title, "colonnes": s.columns, "lignes": s.rows}
            for s in sections(report, departement)
        ],
        "services_offerts_jamais_utilises": never_used,
        "services_utilises_sans_lieu_qualifie": unoffered,
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


CSV_COLUMNS = (
    "tableau",
    "ligne",
    "ligne_libelle",
    "colonne",
    "colonne_libelle",
    "valeur",
    "secret",
)
SECTION_IDS = ("mois", "niveau", "service", "public", "age", "pass", "offre")


def render_csv(report: UsageReport, departement: str | None = None) -> str:
    """Long format: one published or hidden number per row (``secret`` says which), its
    row and column named by stable ids, their labels beside them."""
    from aptic_qualif.sanitize import csv_row

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sections(report, departement):
        for row_id, row in zip(s.row_ids, s.rows, strict=True):
            for column_id, column, value in zip(
                s.column_ids[1:], s.columns[1:], row[1:], strict=True
            ):
                if isinstance(value, str):
                    continue
                writer.writerow(
                    csv_row(
                        [
                            s.id,
                            row_id,
                            str(row[0]),
                            column_id,
                            column,
                            "" if value is None else _text(value),
                            "true" if value is None else "false",
                        ]
                    )
                )
    return out.getvalue()


def csv_schema() -> dict[str, Any]:
    """The Table Schema of :func:`render_csv`'s file (the open-data aggregates)."""
    return {
        "name": "aptic-qualif-usages-agregats",
        "title": "Agrégats d'usages de la médiation numérique (secret statistique appliqué)",
        "fields": [
            {
                "name": "tableau",
                "type": "string",
                "description": "Identifiant du tableau.",
                "constraints": {"required": True, "enum": list(SECTION_IDS)},
            },
            {
                "name": "ligne",
                "type": "string",
                "description": (
                    "Identifiant stable de la ligne : mois (AAAA-MM), identifiant de niveau ou "
                    "de service du référentiel (coop:<thématique> pour une thématique de La "
                    "Coop), de public, de tranche d'âge ou d'émetteur de pass, code de "
                    f"département, « {UNKNOWN} » ou « {TOTAL} »."
                ),
                "constraints": {"required": True},
            },
            {
                "name": "ligne_libelle",
                "type": "string",
                "description": "Libellé de la ligne, tel que l'affichent les pages.",
            },
            {
                "name": "colonne",
                "type": "string",
                "description": (
                    "Identifiant stable de la colonne : « accompagnements », un identifiant de "
                    "niveau (tableau pass), « total », ou une colonne du tableau offre."
                ),
                "constraints": {"required": True},
            },
            {
                "name": "colonne_libelle",
                "type": "string",
                "description": "Libellé de la colonne, tel que l'affichent les pages.",
            },
            {"name": "valeur", "type": "number", "description": "Vide quand le compte est secret."},
            {"name": "secret", "type": "boolean", "constraints": {"required": True}},
        ],
        "primaryKey": ["tableau", "ligne", "colonne"],
        "missingValues": [""],
    }


def render_markdown(report: UsageReport, departement: str | None = None) -> str:
    from aptic_qualif.sanitize import markdown_text

    title = _("Usages of digital mediation")
    if departement:
        title += f" — {departement}"
    lines = [f"# {markdown_text(title)}", ""]
    lines.append(
        markdown_text(
            _(
                "Counts from 1 to {n} are secret ({s}), and so are the counts that would "
                "let one compute them back."
            ).format(n=report.threshold - 1, s=HIDDEN)
        )
    )
    for s in sections(report, departement):
        lines += ["", f"## {markdown_text(s.title)}", ""]
        lines.append("| " + " | ".join(markdown_text(c) for c in s.columns) + " |")
        lines.append("| --- |" + " ---: |" * (len(s.columns) - 1))
        for row in s.rows:
            lines.append("| " + " | ".join(markdown_text(_text(v)) for v in row) + " |")
    lines += gaps_markdown(report, departement)
    return "\n".join(lines) + "\n"


def gaps_markdown(report: UsageReport, departement: str | None = None) -> list[str]:
    """:func:`gaps` as Markdown lines: a heading and a list of service names for each, the
    report's and the site's pages alike."""
    from aptic_qualif.sanitize import markdown_text

    never_used, unoffered = gaps(report, departement)
    lines: list[str] = []
    for title, keys in (
        (_("Services offered by a qualified venue and never used"), never_used),
        (_("Services used where no venue is qualified for them"), unoffered),
    ):
        lines += ["", f"## {markdown_text(title)}", ""]
        lines += [f"- {markdown_text(report.service_labels.get(k, k))}" for k in keys] or ["—"]
    return lines


def render_table(report: UsageReport, departement: str | None = None) -> Any:
    from rich.console import Group
    from rich.table import Table

    from aptic_qualif.sanitize import rich_text

    tables = []
    for s in sections(report, departement):
        table = Table(title=rich_text(s.title))
        for k, column in enumerate(s.columns):
            table.add_column(rich_text(column), justify="left" if k == 0 else "right")
        for row in s.rows:
            table.add_row(*[rich_text(_text(v)) for v in row])
        tables.append(table)
    return Group(*tables)


RENDERERS = {"json": render_json, "csv": render_csv, "markdown": render_markdown}

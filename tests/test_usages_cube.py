"""The store's cubes and the report's cached labels: a report read from the cubes gives the
sums of the records themselves, a month whose records changed is computed again (an import,
a re-import, records written without their cube), data tools see the records only, and the
labels follow the référentiel."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from aptic_qualif.context import load_catalogue_or_fail
from aptic_qualif.errors import CommandError
from aptic_qualif.usages.cube import CUBE_DIR, refresh_cubes
from aptic_qualif.usages.importer import STORED_COLUMNS, Columns, import_usages
from aptic_qualif.usages.labels import CACHE_PREFIX, report_labels
from aptic_qualif.usages.model import Resolver
from aptic_qualif.usages.report import UNKNOWN, build_report, render_json
from aptic_qualif.usages.store import StoreWriter, write_records
from tests.conftest import REPO

SOURCE = REPO / "examples" / "usages" / "accompagnements-synthetiques.csv"


@pytest.fixture(scope="module")
def imported() -> tuple[Columns, str]:
    result = import_usages(SOURCE, Resolver(load_catalogue_or_fail(REPO)))
    assert not result.refused and result.kept == 400
    return result.columns, result.digest


def _sums(columns: Columns) -> dict[str, Counter[tuple[str, str]]]:
    """The report's sums, computed in Python from the records (no DuckDB, no cube)."""
    sums: dict[str, Counter[tuple[str, str]]] = {
        name: Counter() for name in ("mois", "service", "public", "age", "pass")
    }
    rows = zip(*(columns[name] for name in STORED_COLUMNS), strict=True)
    for record in rows:
        r = dict(zip(STORED_COLUMNS, record, strict=True))
        dep = r["departement"] or UNKNOWN
        n = r["participants"]
        sums["mois"][dep, r["mois"]] += n
        sums["service"][dep, r["service"] or "coop:" + r["thematique"]] += n
        sums["age"][dep, r["tranche_age"] or UNKNOWN] += n
        for public in r["publics"]:
            sums["public"][dep, public] += n
        if r["pass"]:
            sums["pass"][dep, r["pass_emetteur"] or UNKNOWN] += n
    return sums


def _counts(report: object, name: str) -> Counter[tuple[str, str]]:
    table = getattr(report, name)
    return Counter(
        {
            (row, col): table.counts[i + 1][j + 1]
            for i, row in enumerate(table.row_labels)
            for j, col in enumerate(table.col_labels)
            if table.counts[i + 1][j + 1]
        }
    )


def _check(store: Path, *parts: Columns) -> None:
    expected: dict[str, Counter[tuple[str, str]]] = {}
    for columns in parts:
        for name, counter in _sums(columns).items():
            expected.setdefault(name, Counter()).update(counter)
    report = build_report(store, load_catalogue_or_fail(REPO))
    for name, attribute in (
        ("mois", "by_month"),
        ("service", "by_service"),
        ("public", "by_public"),
        ("age", "by_age"),
        ("pass", "pass_by_departement"),
    ):
        assert _counts(report, attribute) == +expected[name], name


def _shifted(columns: Columns, year: str) -> Columns:
    """The same records a year later (other months, the same sums)."""
    shifted = {name: list(values) for name, values in columns.items()}
    shifted["mois"] = [year + m[4:] for m in columns["mois"]]
    shifted["date"] = [year + d[4:] for d in columns["date"]]
    return shifted


def test_the_report_gives_the_sums_of_the_records(
    imported: tuple[Columns, str], tmp_path: Path
) -> None:
    columns, digest = imported
    store = tmp_path / "entrepot"
    write_records(columns, store, digest)
    cubes = sorted((store / CUBE_DIR).glob("mois=*/*.parquet"))
    assert len(cubes) == 12  # one per month, written by the import
    _check(store, columns)


def test_a_changed_month_is_computed_again(imported: tuple[Columns, str], tmp_path: Path) -> None:
    columns, digest = imported
    store = tmp_path / "entrepot"
    write_records(columns, store, digest)
    # records written without their cube (an import stopped between the two)
    later = _shifted(columns, "2026")
    writer = StoreWriter(store)
    writer.add(later)
    for month, parts in writer.parts.items():
        folder = store / f"mois={month}"
        folder.mkdir()
        shutil.copy(parts[0], folder / "interrompu.parquet")
    writer.abort()
    _check(store, columns, later)
    # the same file imported again replaces itself, and each month keeps one cube
    write_records(columns, store, digest)
    _check(store, columns, later)
    months = [p.parent.name for p in (store / CUBE_DIR).glob("mois=*/*.parquet")]
    assert len(months) == len(set(months)) == 24
    # a month whose records are gone loses its cube
    for path in store.glob("mois=2026-*/*.parquet"):
        path.unlink()
    refresh_cubes(store)
    assert not list((store / CUBE_DIR).glob("mois=2026-*"))
    _check(store, columns)


def test_a_store_not_written_gives_the_same_report(
    imported: tuple[Columns, str], tmp_path: Path
) -> None:
    columns, digest = imported
    store = tmp_path / "entrepot"
    write_records(columns, store, digest)
    catalogue = load_catalogue_or_fail(REPO)
    expected = render_json(build_report(store, catalogue))
    shutil.rmtree(store / CUBE_DIR)
    fresh, computed = refresh_cubes(store, write=False)
    assert fresh == [] and len(computed) == 12
    assert not (store / CUBE_DIR).exists()
    assert render_json(build_report(store, catalogue)) == expected


def test_data_tools_see_the_records_only(imported: tuple[Columns, str], tmp_path: Path) -> None:
    import duckdb
    import pyarrow.dataset as ds

    columns, digest = imported
    store = tmp_path / "entrepot"
    write_records(columns, store, digest)
    assert ds.dataset(store, format="parquet", partitioning="hive").count_rows() == 400
    glob = str(store / "mois=*" / "*.parquet")
    rows = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()
    assert rows == [(400,)]


def test_the_labels_follow_the_referentiel(imported: tuple[Columns, str], tmp_path: Path) -> None:
    columns, digest = imported
    store = tmp_path / "entrepot"
    write_records(columns, store, digest)
    root = tmp_path / "projet"
    shutil.copytree(REPO / "referentiel", root / "referentiel")
    labels = report_labels(root, store)
    assert labels == report_labels(root, store)
    (cache,) = (store / CUBE_DIR).glob(f"{CACHE_PREFIX}*.json")
    service = next(s for s in labels.services if s.active)
    path = next(
        p
        for p in (root / "referentiel").rglob("*.yaml")
        if f"id: {service.id}\n" in (p.read_text(encoding="utf-8"))
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(service.label, service.label + " (revu)", 1), encoding="utf-8")
    renamed = report_labels(root, store)
    assert next(s for s in renamed.services if s.id == service.id).label.endswith(" (revu)")
    assert not cache.exists()  # the stale cache is removed
    # a broken référentiel stops the report, whatever an earlier cache says
    path.write_text(text.replace(f"id: {service.id}\n", "id: ''\n"), encoding="utf-8")
    with pytest.raises(CommandError):
        report_labels(root, store)

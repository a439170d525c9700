"""The store's pre-aggregated counts: one small Parquet file per month, what the reports read.

Every table of :mod:`aptic_qualif.usages.report` is a sum of participants by a few
dimensions; the cube of a month holds these sums once, computed from the month's record
files, so that a report reads a few thousand rows instead of scanning every record. The
records stay where they are (``mois=YYYY-MM/*.parquet``, which data teams open); the cubes
live beside them, in a folder that neither hive-partitioned readers nor the records' glob
see::

    DIR/_agregats/mois=YYYY-MM/<fingerprint>.parquet

A cube is named after the fingerprint of the record files it was computed from (their names,
sizes and modification times) and of :data:`CUBE_VERSION`: when a month's files change (an
import, a re-import replacing a source, an import interrupted between its records and its
cube), the name no longer matches and the month's cube is computed again, then put in place
atomically (a temporary file renamed), the stale one removed. A reader never trusts a cube
whose fingerprint it has not just checked.

A cube is a long table: ``vue`` (which sums), ``departement``, ``cle`` (the service, age
band, public or pass emitter), ``niveau`` (for the pass sums), ``n`` and ``mois``. Every
key is already what the report shows: an absent département or value is :data:`UNKNOWN`, a
La Coop thematique that maps to no single service is ``coop:<thematique>``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path

if TYPE_CHECKING:
    import duckdb

CUBE_DIR = "_agregats"
CUBE_VERSION = "1"
"""Changes whenever the cube's layout or sums change: every cube is then computed again."""
UNKNOWN = "inconnu"
"""The row or column of records that do not say (a département, an age band)."""

_DEP = f"coalesce(departement, '{UNKNOWN}')"
CUBE_SQL = f"""
SELECT 'service' AS vue, {_DEP} AS departement,
       coalesce(service, 'coop:' || thematique) AS cle, NULL::VARCHAR AS niveau,
       sum(participants)::BIGINT AS n
FROM records GROUP BY ALL
UNION ALL
SELECT 'age', {_DEP}, coalesce(tranche_age, '{UNKNOWN}'), NULL, sum(participants)::BIGINT
FROM records GROUP BY ALL
UNION ALL
SELECT 'public', d, p, NULL, sum(n)::BIGINT
FROM (SELECT {_DEP} AS d, unnest(publics) AS p, participants AS n FROM records) GROUP BY ALL
UNION ALL
SELECT 'pass', {_DEP}, coalesce(pass_emetteur, '{UNKNOWN}'), coalesce(niveau, '{UNKNOWN}'),
       sum(participants)::BIGINT
FROM records WHERE pass GROUP BY ALL
ORDER BY vue, departement, cle, niveau
"""
"""The sums of one month's records (the view ``records``), in a stable order."""


PARTITION = re.compile(r"mois=\d{4}-\d{2}")


def parquet_files(store: Path) -> list[Path]:
    """The record files of a store, in a stable order."""
    if not store.is_dir():
        raise CommandError(
            _("{path} is not a folder of usage records").format(path=display_path(store))
        )
    return sorted(p for p in store.glob("mois=*/*.parquet") if PARTITION.fullmatch(p.parent.name))


def _connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection on every core, with no progress bar (a report may go
    to the standard output)."""
    import duckdb

    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    con.execute("SET enable_progress_bar = false")
    return con


def _fingerprint(files: Iterable[Path]) -> str:
    digest = hashlib.sha256(f"aptic-qualif cube {CUBE_VERSION}\n".encode())
    for path in files:
        info = path.stat()
        digest.update(f"{path.name}\t{info.st_size}\t{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _months(store: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in parquet_files(store):
        found.setdefault(path.parent.name.removeprefix("mois="), []).append(path)
    return found


def _listing(files: Iterable[Path]) -> str:
    return ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)


def _compute(con: duckdb.DuckDBPyConnection, month: str, files: list[Path]) -> Any:
    """The cube of one month's record files, as an Arrow table (``mois`` its last column)."""
    import pyarrow as pa

    con.execute(
        "CREATE OR REPLACE TEMPORARY VIEW records AS "
        f"SELECT * FROM read_parquet([{_listing(files)}])"
    )
    table = con.sql(CUBE_SQL).to_arrow_table()
    return table.append_column("mois", pa.array([month] * table.num_rows, pa.string()))


def _write(table: Any, target: Path) -> None:
    """Write a cube atomically (a cube is small: its bytes are made in memory first)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from aptic_qualif.fsio import atomic_write

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    atomic_write(target, sink.getvalue().to_pybytes(), force=True)


def refresh_cubes(store: Path, *, write: bool = True) -> tuple[list[Path], list[Any]]:
    """Every month's cube, computed again where its records changed.

    Returns (the cube files up to date, the cubes computed but not written): with ``write``
    false, or when the store cannot be written (a read-only copy), a stale month's cube is
    only computed in memory. Cubes of months that have no record any more are removed."""
    months = _months(store)
    root = store / CUBE_DIR
    fresh: list[Path] = []
    computed: list[Any] = []
    con: duckdb.DuckDBPyConnection | None = None
    for month, files in sorted(months.items()):
        folder = root / f"mois={month}"
        target = folder / f"{_fingerprint(files)}.parquet"
        if target.is_file():
            fresh.append(target)
            continue
        if con is None:
            con = _connect()
        table = _compute(con, month, files)
        if write:
            try:
                _write(table, target)
            except OSError:
                computed.append(table)
                continue
            fresh.append(target)
            for stale in folder.glob("*.parquet"):
                if stale != target:
                    with contextlib.suppress(OSError):
                        stale.unlink(missing_ok=True)
        else:
            computed.append(table)
    if con is not None:
        con.close()
    if write and root.is_dir():
        for folder in root.glob("mois=*"):
            if folder.name.removeprefix("mois=") not in months:
                with contextlib.suppress(OSError):
                    for stale in folder.glob("*.parquet"):
                        stale.unlink(missing_ok=True)
                    folder.rmdir()
    return fresh, computed


def connect_cube(store: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the view ``cube`` over the store's up-to-date
    cubes (columns ``vue, departement, cle, niveau, n, mois``)."""
    fresh, computed = refresh_cubes(store)
    con = _connect()
    parts = []
    if fresh:
        parts.append(f"SELECT * FROM read_parquet([{_listing(fresh)}])")
    for k, table in enumerate(computed):
        con.register(f"computed_{k}", table)
        parts.append(f"SELECT * FROM computed_{k}")
    if not parts:
        parts.append(
            "SELECT NULL::VARCHAR AS vue, NULL::VARCHAR AS departement, NULL::VARCHAR AS cle, "
            "NULL::VARCHAR AS niveau, NULL::BIGINT AS n, NULL::VARCHAR AS mois WHERE false"
        )
    con.execute("CREATE VIEW cube AS " + " UNION ALL ".join(parts))
    return con

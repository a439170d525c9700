"""The record store: Parquet files partitioned by month, read by embedded DuckDB.

``DIR/mois=YYYY-MM/<source>.parquet``: one file per imported source file and month, named
after the SHA-256 of the source's bytes, so that importing the same file again replaces its
records instead of counting them twice. The same files open in any Arrow, DuckDB or Polars
tool (hive partitioning).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.usages.importer import STORED_COLUMNS, Columns

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

PARTITION = re.compile(r"mois=\d{4}-\d{2}")


def arrow_schema() -> pa.Schema:
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("mois", text),
            ("date", text),
            ("lieu", text),
            ("departement", text),
            ("service", text),
            ("thematique", text),
            ("niveau", text),
            ("mode", text),
            ("participants", pa.int32()),
            ("pass", pa.bool_()),
            ("pass_emetteur", text),
            ("publics", pa.list_(text)),
            ("tranche_age", text),
            ("residence", text),
            ("residence_departement", text),
        ]
    )


def write_records(columns: Columns, store: Path, digest: str) -> list[Path]:
    """Write the records of one source file into ``store``, one Parquet file per month;
    the files of an earlier import of the same source are replaced. Returns the files."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    assert list(columns) == list(STORED_COLUMNS)
    table = pa.table(columns, schema=arrow_schema())
    store.mkdir(parents=True, exist_ok=True)
    name = f"{digest[:24]}.parquet"
    for stale in store.glob(f"mois=*/{name}"):
        stale.unlink()
    written: list[Path] = []
    if table.num_rows == 0:
        return written
    table = table.sort_by([("mois", "ascending"), ("date", "ascending")])
    months = pc.unique(table.column("mois")).to_pylist()
    for month in sorted(months):
        part = table.filter(pc.equal(table.column("mois"), month)).drop_columns(["mois"])
        folder = store / f"mois={month}"
        folder.mkdir(exist_ok=True)
        target = folder / name
        temporary = folder / f".{name}.tmp"
        pq.write_table(part, temporary, compression="zstd", row_group_size=1_000_000)
        temporary.replace(target)
        written.append(target)
    return written


def parquet_files(store: Path) -> list[Path]:
    """The record files of a store, in a stable order."""
    if not store.is_dir():
        raise CommandError(
            _("{path} is not a folder of usage records").format(path=display_path(store))
        )
    return sorted(p for p in store.glob("mois=*/*.parquet") if PARTITION.fullmatch(p.parent.name))


def connect(store: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the view ``usages`` over the store's files."""
    import duckdb

    files = parquet_files(store)
    con = duckdb.connect(":memory:", config={"threads": max(1, os.cpu_count() or 1)})
    if not files:
        types = {"participants": "INTEGER", "pass": "BOOLEAN", "publics": "VARCHAR[]"}
        columns = ", ".join(f'NULL::{types.get(c, "VARCHAR")} AS "{c}"' for c in STORED_COLUMNS)
        con.execute(f"CREATE VIEW usages AS SELECT {columns} WHERE false")
        return con
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    con.execute(
        f"CREATE VIEW usages AS SELECT * FROM read_parquet([{listing}], hive_partitioning = true)"
    )
    return con


def query(con: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return list(con.execute(sql, list(params)).fetchall())

"""The record store: Parquet files partitioned by month, read by embedded DuckDB.

``DIR/mois=YYYY-MM/<source>.parquet``: one file per imported source file and month, named
after the SHA-256 of the source's bytes, so that importing the same file again replaces its
records instead of counting them twice. The same files open in any Arrow, DuckDB or Polars
tool (hive partitioning).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
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


class StoreWriter:
    """Writes the records of one source file into a store, chunk by chunk, and puts them in
    place only when the whole file is read (:meth:`commit`): a file refused half-way leaves
    the store as it was (:meth:`abort`). Each month of the source ends as one Parquet file,
    ``mois=YYYY-MM/<source>.parquet``, which replaces the one of an earlier import of the
    same source."""

    def __init__(self, store: Path) -> None:
        self.store = store
        store.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".import-", dir=store))
        self.parts: dict[str, list[Path]] = {}

    def add(self, columns: Columns) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        table = pa.table(columns, schema=arrow_schema())
        if table.num_rows == 0:
            return
        for month in sorted(pc.unique(table.column("mois")).to_pylist()):
            part = table.filter(pc.equal(table.column("mois"), month)).drop_columns(["mois"])
            parts = self.parts.setdefault(month, [])
            target = self.staging / f"{month}-{len(parts):05d}.parquet"
            pq.write_table(part, target, compression="zstd")
            parts.append(target)

    def commit(self, digest: str) -> list[Path]:
        """Put the records in place (one file per month); returns the files written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = f"{digest[:24]}.parquet"
        for stale in self.store.glob(f"mois=*/{name}"):
            stale.unlink()
        written: list[Path] = []
        for month in sorted(self.parts):
            table = pa.concat_tables([pq.read_table(p) for p in self.parts[month]])
            table = table.sort_by([("date", "ascending")])
            folder = self.store / f"mois={month}"
            folder.mkdir(exist_ok=True)
            temporary = self.staging / f"{month}.parquet"
            pq.write_table(table, temporary, compression="zstd", row_group_size=1_000_000)
            target = folder / name
            temporary.replace(target)
            written.append(target)
        self.abort()
        return written

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_records(columns: Columns, store: Path, digest: str) -> list[Path]:
    """Write the records of one source file (all in memory) into ``store``."""
    assert list(columns) == list(STORED_COLUMNS)
    writer = StoreWriter(store)
    writer.add(columns)
    return writer.commit(digest)


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

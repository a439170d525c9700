"""The record store: Parquet files partitioned by month.

``DIR/mois=YYYY-MM/<source>.parquet``: one file per imported source file and month, named
after the SHA-256 of the source's bytes, so that importing the same file again replaces its
records instead of counting them twice. The same files open in any Arrow, DuckDB or Polars
tool (hive partitioning). Each month's sums, what the reports read, are kept beside them in
``DIR/_agregats/`` (:mod:`aptic_qualif.usages.cube`), which those tools leave aside.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from aptic_qualif.usages.importer import Columns


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
        """Put the records in place (one file per month), then compute again the cubes of
        the months that changed (:mod:`aptic_qualif.usages.cube`); returns the files
        written."""
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
        from aptic_qualif.usages.cube import refresh_cubes

        refresh_cubes(self.store)
        return written

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_records(columns: Columns, store: Path, digest: str) -> list[Path]:
    """Write the records of one source file (all in memory) into ``store``."""
    from aptic_qualif.usages.importer import STORED_COLUMNS

    assert list(columns) == list(STORED_COLUMNS)
    writer = StoreWriter(store)
    writer.add(columns)
    return writer.commit(digest)

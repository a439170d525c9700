"""The usage observatory at scale: import, store and every report table, beside a bare
DuckDB aggregate over the same Parquet files and a plain ``csv`` module count.

Synthetic records (``aptic_qualif.usages.generate``) are written to a CSV; each step then
runs in a new process, so that its peak memory (maximum resident set size) is its own::

    .venv/bin/python benchmarks/bench_usages.py --records 1000000
    .venv/bin/python benchmarks/bench_usages.py --records 100000 --frictionless

``--frictionless`` also times frictionless validating the same file against the same Table
Schema (the library's own validator, row by row), to compare with the importer's checks.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

STEP = r"""
import json, resource, sys, time
from pathlib import Path
step, source, store = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
repo = Path(sys.argv[4])
t0 = time.perf_counter()
extra = {}
if step == "generate":
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.usages.generate import generate_csv
    count = int(sys.argv[5])
    with source.open("w", encoding="utf-8") as out:
        for chunk in generate_csv(count, load_catalogue_or_fail(repo), seed=11):
            out.write(chunk)
elif step == "import":
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.usages.importer import import_usages
    from aptic_qualif.usages.model import Resolver
    from aptic_qualif.usages.store import StoreWriter
    writer = StoreWriter(store)
    result = import_usages(source, Resolver(load_catalogue_or_fail(repo)), sink=writer.add)
    t1 = time.perf_counter()
    writer.commit(result.digest)
    extra = {"kept": result.kept, "read_check_and_stage": t1 - t0}
elif step == "report":
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.usages.report import build_report, render_json
    report = build_report(store, load_catalogue_or_fail(repo))
    t1 = time.perf_counter()
    text = render_json(report)
    for departement in report.departements:
        render_json(report, departement)
    extra = {"aggregate_and_protect": t1 - t0, "hidden": sum(
        t.hidden for t in (report.by_month, report.by_service, report.by_public, report.by_age,
                           report.pass_by_level, report.pass_by_departement))}
elif step == "duckdb":
    import duckdb
    con = duckdb.connect()
    rows = con.execute(
        "SELECT departement, mois, sum(participants) FROM read_parquet(?, hive_partitioning=true) "
        "GROUP BY ALL", [str(store / "mois=*" / "*.parquet")]).fetchall()
    extra = {"groups": len(rows)}
elif step == "csv":
    import csv
    counts = {}
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            key = (row[2][:2], row[0][:7])
            counts[key] = counts.get(key, 0) + int(row[5] or 1)
    extra = {"groups": len(counts)}
elif step == "frictionless":
    import frictionless
    from aptic_qualif.usages.model import schema
    report = frictionless.validate(frictionless.Resource(
        path=source.name, basepath=str(source.parent),
        schema=frictionless.Schema.from_descriptor(schema())))
    extra = {"valid": report.valid}
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak, **extra}))
"""


def run(step: str, source: Path, store: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", STEP, step, str(source), str(store), str(REPO), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--frictionless", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, store = Path(folder) / "usages.csv", Path(folder) / "entrepot"
        started = time.perf_counter()
        generated = run("generate", source, store, str(args.records))
        size = source.stat().st_size / 1024 / 1024
        print(
            f"records: {args.records:,} ({size:.0f} MiB of CSV, generated in "
            f"{generated['seconds']:.1f} s)"
        )
        steps = ["import", "report", "duckdb", "csv"] + (
            ["frictionless"] if args.frictionless else []
        )
        for step in steps:
            result = run(step, source, store)
            details = ", ".join(
                f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                for k, v in result.items()
                if k not in {"seconds", "peak_mib"}
            )
            print(
                f"{step:>13}: {result['seconds']:7.2f} s, peak {result['peak_mib']:6.0f} MiB"
                + (f" ({details})" if details else "")
            )
        parquet = sum(p.stat().st_size for p in store.glob("mois=*/*.parquet")) / 1024 / 1024
        print(f"store: {parquet:.1f} MiB of Parquet; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

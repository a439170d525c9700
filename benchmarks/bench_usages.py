"""The usage observatory at scale: import, store and every report table, beside a bare
DuckDB aggregate over the same Parquet files and a plain ``csv`` module count.

Synthetic records (``aptic_qualif.usages.generate``) are written to a CSV; each step then
runs in a new process, so that its peak memory (maximum resident set size) is its own::

    .venv/bin/python benchmarks/bench_usages.py --records 1000000
    .venv/bin/python benchmarks/bench_usages.py --records 100000 --frictionless
    .venv/bin/python benchmarks/bench_usages.py --records 10000000 --work /tmp/usages --runs 5

``--frictionless`` also times frictionless validating the same file against the same Table
Schema (the library's own validator, row by row), to compare with the importer's checks.
``--work`` keeps the generated CSV in a folder and reuses it (same count, same seed: the same
bytes); ``--runs`` repeats the report and the bare scan, in turn, and prints their medians.

The import writes the records, then each month's cube (``aptic_qualif.usages.cube``); the
step ``cube`` computes every cube again from the records alone, to show what they add to an
import. ``report (cold)`` is the first report of the store: it reads and validates the
référentiel and keeps its labels in the store (``aptic_qualif.usages.labels``); ``report`` is
every later one. The bare scan reads the record files, never the cubes.
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
elif step == "cube":
    import shutil
    from aptic_qualif.usages.cube import CUBE_DIR, refresh_cubes
    for folder in (store / CUBE_DIR).glob("mois=*"):
        shutil.rmtree(folder)
    t0 = time.perf_counter()
    fresh, _computed = refresh_cubes(store)
    extra = {"months": len(fresh)}
elif step == "report":
    from aptic_qualif.usages.labels import report_labels
    from aptic_qualif.usages.report import build_report, render_json
    report = build_report(store, report_labels(repo, store))
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
    # the last line: DuckDB may draw a progress bar before it on a long query
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def show(name: str, result: dict[str, float]) -> None:
    details = ", ".join(
        f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
        for k, v in result.items()
        if k not in {"seconds", "peak_mib"}
    )
    print(
        f"{name:>14}: {result['seconds']:7.2f} s, peak {result['peak_mib']:6.0f} MiB"
        + (f" ({details})" if details else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--frictionless", action="store_true")
    parser.add_argument("--work", type=Path, help="folder that keeps the generated CSV")
    parser.add_argument("--runs", type=int, default=1, help="runs of the report and bare scan")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "entrepot"
        source = Path(folder) / "usages.csv"
        if args.work is not None:
            args.work.mkdir(parents=True, exist_ok=True)
            source = args.work / f"usages-{args.records}.csv"
        started = time.perf_counter()
        if source.is_file():
            print(f"records: {args.records:,} (CSV reused)")
        else:
            generated = run("generate", source, store, str(args.records))
            size = source.stat().st_size / 1024 / 1024
            print(
                f"records: {args.records:,} ({size:.0f} MiB of CSV, generated in "
                f"{generated['seconds']:.1f} s)"
            )
        show("import", run("import", source, store))
        show("cube", run("cube", source, store))
        show("report (cold)", run("report", source, store))
        medians: dict[str, float] = {}
        # the report and the bare scan in turn, so that both meet the same load
        runs: dict[str, list[dict[str, float]]] = {"report": [], "duckdb": []}
        for _ in range(args.runs):
            for step in runs:
                runs[step].append(run(step, source, store))
        for step, results in runs.items():
            results.sort(key=lambda r: r["seconds"])
            median = results[len(results) // 2]
            medians[step] = median["seconds"]
            suffix = f" (median of {args.runs})" if args.runs > 1 else ""
            show(step + ("*" if suffix else ""), median)
            if suffix:
                print(
                    " " * 16
                    + suffix.strip()
                    + ": "
                    + ", ".join(f"{r['seconds']:.2f}" for r in results)
                )
        print(f"{'ratio':>14}: report / bare scan = {medians['report'] / medians['duckdb']:.1f}")
        for step in ["csv"] + (["frictionless"] if args.frictionless else []):
            show(step, run(step, source, store))
        parquet = sum(p.stat().st_size for p in store.glob("mois=*/*.parquet")) / 1024 / 1024
        cubes = sum(p.stat().st_size for p in store.glob("_agregats/mois=*/*.parquet")) / 1024
        print(
            f"store: {parquet:.1f} MiB of record Parquet, {cubes:.0f} KiB of cubes; "
            f"total {time.perf_counter() - started:.0f} s"
        )


if __name__ == "__main__":
    main()

"""Time ``coverage`` and ``export lieux`` against ``assess`` on the same applications.

Both commands read, check and assess every application as ``assess`` does, then add their
own work (counting per territory, or mapping to the national schema of venues): the goal
is that they stay within a small multiple of ``assess``. Each command runs in a new
process (cold start included), median of ``--repeat`` runs, on 1,000 and 10,000 synthetic
applications written by ``generate_applications.py``.

    python benchmarks/bench_network.py [--sizes 1000 10000] [--repeat 3]

``export lieux`` is timed when the installed aptic-qualif has it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

from bench_assess import cpu_model, median_time, seconds, tool  # sibling scripts (their
from generate_applications import generate  # folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent


def has_export(aptic: str) -> bool:
    result = subprocess.run(
        [aptic, "export", "lieux", "--help"], cwd=REPO, capture_output=True, check=False
    )
    return result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    aptic = tool("aptic-qualif")
    export = has_export(aptic)

    print(
        f"# {platform.platform()} — {cpu_model()}, {os.cpu_count()} cores — "
        f"Python {platform.python_version()} — median of {args.repeat} runs, wall clock"
    )
    print()
    header = "| applications | assess (csv) | coverage --all (json) | coverage / assess |"
    rule = "|---:|---:|---:|---:|"
    if export:
        header += " export lieux --all (csv) | export / assess |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    notes = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "applications"
            generate(size, folder, seed=size)
            out = Path(tmp)
            coverage_json = out / "coverage.json"
            write = ["--force", "-o"]
            assess = median_time(
                [aptic, "assess", str(folder), "-f", "csv", *write, str(out / "assess.csv")],
                args.repeat,
            )
            coverage = median_time(
                [aptic, "coverage", str(folder), "--all", "-f", "json", *write, str(coverage_json)],
                args.repeat,
            )
            row = (
                f"| {size:,} | {seconds(assess)} | {seconds(coverage)} | {coverage / assess:.2f} |"
            )
            if export:
                exported = median_time(
                    [
                        aptic,
                        "export",
                        "lieux",
                        str(folder),
                        "--all",
                        *write,
                        str(out / "lieux.csv"),
                    ],
                    args.repeat,
                )
                row += f" {seconds(exported)} | {exported / assess:.2f} |"
            print(row, flush=True)
            totals = json.loads(coverage_json.read_text(encoding="utf-8"))["coverage"]["totals"]
            notes.append(
                f"- {size:,}: {totals['venues']:,} venues ({totals['itinerant']:,} travelling) "
                f"in {totals['territories']} départements"
            )
    if not export:
        print("\n`export lieux` is not available in this aptic-qualif: not timed.")
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()

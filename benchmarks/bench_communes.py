"""Cost of the commune reference (``aptic_qualif.communes``): loading it, looking codes up,
and the indexes built on first use.

Each figure is the median of ``--repeat`` runs, each in a new process, so that the lazy
loading is measured cold::

    .venv/bin/python benchmarks/bench_communes.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STEPS = r"""
import json, time
import aptic_qualif.application  # what every command that reads an application imports
t0 = time.perf_counter()
import aptic_qualif.places
from aptic_qualif.communes import communes
t1 = time.perf_counter()
table = communes()
t2 = time.perf_counter()
for code in ("01053", "75056", "2A004", "97416", "59512") * 200:
    table.current(code)
t3 = time.perf_counter()
table.of_postcode("01000")
t4 = time.perf_counter()
table.population("59")
t5 = time.perf_counter()
print(json.dumps({
    "import": t1 - t0,
    "load": t2 - t1,
    "lookup_us": (t3 - t2) / 1000 * 1e6,
    "postcode_index": t4 - t3,
    "populations": t5 - t4,
    "rows": len(table),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", STEPS], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(args.repeat)
    ]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"rows in the reference: {median['rows']:.0f}")
    print(f"import of places and communes: {median['import'] * 1000:.1f} ms")
    print(f"first look-up (decompress, index lines): {median['load'] * 1000:.1f} ms")
    print(f"one look-up by INSEE code: {median['lookup_us']:.1f} µs")
    print(f"postcode index, on first use: {median['postcode_index'] * 1000:.1f} ms")
    print(f"populations by département, on first use: {median['populations'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()

"""Time ``publish jsonld`` and ``publish turtle`` on synthetic référentiels (500 and 5,000).

The catalogue is read once per size (reading is measured by ``bench_validate.py``); what is
timed is the publication itself, in-process: building the compact JSON-LD, and building the
rdflib graph then serialising it as Turtle.

    python benchmarks/bench_publish.py [--sizes 500 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aptic_qualif.publish.skos import render_jsonld, render_turtle
from aptic_qualif.referentiel.check import validate_catalogue
from aptic_qualif.referentiel.load import Catalogue
from bench_validate import make_catalogue  # the sibling script (its folder is on sys.path)


def timed(render: Callable[[Catalogue], str], catalogue: Catalogue) -> tuple[float, int]:
    start = time.perf_counter()
    text = render(catalogue)
    return time.perf_counter() - start, len(text.encode("utf-8"))


def measure(
    render: Callable[[Catalogue], str], catalogue: Catalogue, repeat: int
) -> tuple[float, int]:
    runs = [timed(render, catalogue) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {platform.platform()} — Python {platform.python_version()} — "
        f"{platform.processor() or platform.machine()}"
    )
    print("| services | JSON-LD | size | Turtle (graph + serialisation) | size |")
    print("|---:|---:|---:|---:|---:|")
    results: dict[int, tuple[float, float]] = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            catalogue, report = validate_catalogue(make_catalogue(Path(tmp), size))
            assert catalogue is not None and report.ok, report.render_text()
            jsonld, jsonld_bytes = measure(render_jsonld, catalogue, args.repeat)
            turtle, turtle_bytes = measure(render_turtle, catalogue, args.repeat)
        results[size] = (jsonld, turtle)
        print(
            f"| {size:,} | {jsonld:.2f} s | {jsonld_bytes / 1e6:.1f} MB | {turtle:.2f} s | "
            f"{turtle_bytes / 1e6:.1f} MB |"
        )
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(
            f"\nRatio {large:,}/{small:,} (×{large / small:g} services): "
            f"JSON-LD ×{results[large][0] / results[small][0]:.1f}, "
            f"Turtle ×{results[large][1] / results[small][1]:.1f}"
        )


if __name__ == "__main__":
    main()

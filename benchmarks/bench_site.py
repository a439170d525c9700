"""Time ``publish site`` on the shipped project: staging, ``mkdocs build --strict``, search
index, each concept's own JSON-LD and Turtle.

Each run is a new process (``aptic-qualif publish site -o DIR``), as a user runs it; the
median of ``--repeat`` runs is printed, with the share of the concepts' own files.

    python benchmarks/bench_site.py [--repeat 5] [--root .]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("aptic-qualif")


def build_once(root: Path, output: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(CLI), "--root", str(root), "publish", "site", "-o", str(output)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def concept_files(root: Path) -> float:
    """In-process time to write every concept's JSON-LD and Turtle."""
    from aptic_qualif.context import load_context
    from aptic_qualif.publish.skos import concept_documents

    catalogue = load_context(root).catalogue
    start = time.perf_counter()
    for _document in concept_documents(catalogue):
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    print(
        f"# {platform.platform()} — Python {platform.python_version()} — "
        f"{platform.processor() or platform.machine()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        runs = [build_once(args.root, Path(tmp) / "site") for _ in range(args.repeat)]
    print(f"publish site (median of {args.repeat}): {statistics.median(runs):.2f} s")
    print(f"  of which concepts' JSON-LD and Turtle: {concept_files(args.root):.2f} s")


if __name__ == "__main__":
    main()

"""Time ``aptic-qualif assess`` on 1,000 and 10,000 synthetic applications.

Side by side with what a network would otherwise run: ``check-jsonschema`` against the
application JSON Schema (``aptic-qualif questionnaire schema``), which only checks the shape
of each file — no conditions between items, no SIRET checksum, no référentiel, no score.
``assess`` reads, validates AND scores every application, from a cold process.

Also times one application from a cold start and the bare CLI start-up (``--version``).

    python benchmarks/bench_assess.py [--sizes 1000 10000] [--repeat 3]

Needs ``check-jsonschema`` in the same environment (``pip install check-jsonschema``).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from generate_applications import generate  # the sibling script (its folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    """The executable ``name`` of this environment, else the one on the PATH."""
    local = Path(sys.executable).with_name(name)
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found; install it: pip install {name}")
    return found


def timed(command: Sequence[str]) -> float:
    """Wall-clock seconds of one run of ``command`` (from the project root); it must pass."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command[:4])} …\n{result.stderr}")
    return elapsed


def median_time(command: Sequence[str], repeat: int) -> float:
    return statistics.median(timed(command) for _ in range(repeat))


def chunks(fixed: Sequence[str], files: Sequence[str]) -> list[list[str]]:
    """``fixed + files`` split into command lines that fit within the system's ARG_MAX."""
    budget = os.sysconf("SC_ARG_MAX") // 2 - sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    base = sum(len(arg) + 9 for arg in fixed)
    commands: list[list[str]] = []
    current: list[str] = []
    size = base
    for name in files:
        cost = len(name.encode()) + 9  # the string, its NUL and its pointer
        if current and size + cost > budget:
            commands.append([*fixed, *current])
            current, size = [], base
        current.append(name)
        size += cost
    if current:
        commands.append([*fixed, *current])
    return commands


def time_check_jsonschema(schema: Path, files: Sequence[Path], repeat: int) -> tuple[float, int]:
    """Median over ``repeat`` runs of the summed time of every chunk, and the chunk count."""
    commands = chunks(
        [tool("check-jsonschema"), "--schemafile", str(schema)], [str(f) for f in files]
    )
    runs = [sum(timed(command) for command in commands) for _ in range(repeat)]
    return statistics.median(runs), len(commands)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.0f} GiB"
    except OSError:
        pass
    return "?"


def decisions(csv_path: Path) -> str:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        counts = Counter(row["decision"] for row in csv.DictReader(handle))
    return ", ".join(f"{decision} {count:,}" for decision, count in sorted(counts.items()))


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    aptic = tool("aptic-qualif")
    check = tool("check-jsonschema")

    print(
        f"# {platform.platform()} — {cpu_model()}, {os.cpu_count()} cores, {memory()} — "
        f"Python {platform.python_version()} — median of {args.repeat} runs, wall clock"
    )
    print()
    print(
        "| applications | aptic-qualif assess (validate + score) | check-jsonschema "
        "(shape only) | ratio | assess, per application |"
    )
    print("|---:|---:|---:|---:|---:|")
    notes = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "applications"
            files = generate(size, folder, seed=size)
            schema = Path(tmp) / "application.schema.json"
            timed([aptic, "questionnaire", "schema", "-o", str(schema), "--force"])
            out = Path(tmp) / "out.csv"
            assess = median_time(
                [aptic, "assess", str(folder), "-f", "csv", "-o", str(out), "--force"],
                args.repeat,
            )
            shape, parts = time_check_jsonschema(schema, files, args.repeat)
            print(
                f"| {size:,} | {seconds(assess)} | {seconds(shape)} | {assess / shape:.2f} | "
                f"{1000 * assess / size:.2f} ms |",
                flush=True,
            )
            notes.append(
                f"- {size:,}: check-jsonschema in {parts} process(es); decisions: {decisions(out)}"
            )

    with tempfile.TemporaryDirectory() as tmp:
        (one,) = generate(1, Path(tmp), seed=1)
        schema = Path(tmp) / "application.schema.json"
        timed([aptic, "questionnaire", "schema", "-o", str(schema), "--force"])
        version = median_time([aptic, "--version"], args.repeat)
        single = median_time([aptic, "assess", str(one), "-f", "json"], args.repeat)
        single_shape = median_time([check, "--schemafile", str(schema), str(one)], args.repeat)
    print()
    print("| cold start | time |")
    print("|---|---:|")
    print(f"| `aptic-qualif --version` (CLI start-up) | {seconds(version)} |")
    print(f"| `aptic-qualif assess one.yaml -f json` | {seconds(single)} |")
    print(f"| `check-jsonschema --schemafile schema.json one.yaml` | {seconds(single_shape)} |")
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()

"""Time ``aptic-qualif policy check`` and ``policy test`` on the shipped policy.

Side by side with what a network would otherwise run to see the same thing: ``assess`` on
the reference cases' applications (decisions without the cases' reviews, so without the
expected-vs-obtained comparison), and the bare CLI start-up. Each command runs in a new
process, the median of ``--repeat`` runs.

    python benchmarks/bench_policy.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("aptic-qualif"))


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = sorted(str(p) for p in (REPO / "questionnaire" / "cases").glob("*/candidature.yaml"))
    runs = {
        "`aptic-qualif --version` (CLI start-up)": [CLI, "--version"],
        "`aptic-qualif policy check`": [CLI, "policy", "check"],
        f"`aptic-qualif policy test` ({len(cases)} cases)": [CLI, "policy", "test"],
        f"`aptic-qualif assess` on the {len(cases)} cases' applications": [
            CLI,
            "assess",
            *cases,
            "-f",
            "csv",
        ],
    }
    print(
        f"# {platform.platform()} — Python {platform.python_version()} — "
        f"median of {args.repeat} runs, wall clock\n"
    )
    print("| command | time |\n|---|---:|")
    for name, command in runs.items():
        median = statistics.median(timed(command) for _ in range(args.repeat))
        print(f"| {name} | {median:.2f} s |")


if __name__ == "__main__":
    main()

"""Peak memory and time of the batch commands on synthetic applications.

Each command runs in a new process, under a small parent that reads the child's peak
resident memory (``getrusage(RUSAGE_CHILDREN).ru_maxrss``) once it has ended:

* ``assess DOSSIER -f csv|json -o …``, ``assess DOSSIER -f table`` (to a pipe),
  ``coverage DOSSIER -f csv -o …`` and ``export lieux DOSSIER -o …``;
* for scale, a bare parse of the same files with PyYAML's libyaml loader (no checks, no
  scores), in one process: the least any tool reading YAML has to spend, the **parse
  floor**; each command's time and processor time are also given as multiples of it.

``assess`` runs with its default processes (one per processor for a batch of 64 files or
more); ``--one-process`` measures each ``assess`` with ``-j 1`` too.

    python benchmarks/bench_memory.py [--size 10000] [--folder DOSSIER] [--repeat 5] [--assess]
        [--one-process]

``--folder`` reuses applications already written by ``generate_applications.py``. With
``--repeat``, every command runs that many times, one after the other in turn (the floor
among them), and each figure is the median: on a shared machine, the others' work comes and
goes. ``--assess`` leaves ``coverage`` and ``export lieux`` out; ``--cli`` measures another
``aptic-qualif`` (an earlier version's, for a before and after on the same machine).
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

from generate_applications import generate  # the sibling script (its folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("aptic-qualif"))

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, check=False)
elapsed = time.perf_counter() - start
if done.returncode not in (0, 1):
    sys.exit(done.stderr.decode()[-2000:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""

_BARE_PARSE = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""


def measure(command: list[str]) -> tuple[float, float, float]:
    """Seconds, processor seconds (user and system: what other work on a shared machine
    disturbs least) and peak resident memory (MiB) of ``command`` in a new process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(command[:4])} …\n{out.stderr}")
    seconds, cpu, kib = out.stdout.split()
    return float(seconds), float(cpu), int(kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--assess", action="store_true", help="only assess and the floor")
    parser.add_argument(
        "--one-process", action="store_true", help="each assess also with -j 1 (one process)"
    )
    parser.add_argument(
        "--cli", default=CLI, help="the aptic-qualif to measure (another version's, to compare)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = args.folder
        if folder is None:
            folder = work / "apps"
            start = time.perf_counter()
            generate(args.size, folder, seed=0)
            print(f"{args.size} applications written in {time.perf_counter() - start:.1f} s")
        count = len(list(folder.glob("*.yaml")))
        cli = args.cli
        commands = {
            "libyaml parse only": [sys.executable, "-c", _BARE_PARSE, str(folder)],
            "assess -f csv": [cli, "assess", str(folder), "-f", "csv", "-o", str(work / "a.csv")],
            "assess -f json": [
                cli,
                "assess",
                str(folder),
                "-f",
                "json",
                "-o",
                str(work / "a.json"),
            ],
            "assess -f table": [cli, "assess", str(folder), "-f", "table"],
        }
        if args.one_process:
            for name in [name for name in commands if name.startswith("assess")]:
                commands[f"{name} -j 1"] = [*commands[name], "-j", "1"]
        if not args.assess:
            commands["coverage -f csv"] = [
                cli,
                "coverage",
                str(folder),
                "--format",
                "csv",
                "-o",
                str(work / "c.csv"),
            ]
            commands["export lieux"] = [
                cli,
                "export",
                "lieux",
                str(folder),
                "-o",
                str(work / "l.csv"),
            ]
        print(f"{count} applications; Python {platform.python_version()}, {platform.machine()}")
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for _round in range(args.repeat):
            for name, command in commands.items():
                if name != "libyaml parse only":
                    command = [*command, "--force"] if "-o" in command else command
                runs[name].append(measure(command))
        medians = {
            name: (
                statistics.median(r[0] for r in results),
                statistics.median(r[1] for r in results),
                max(r[2] for r in results),
            )
            for name, results in runs.items()
        }
        floor, floor_cpu, floor_mib = medians.pop("libyaml parse only")
        print(f"median of {args.repeat} runs of each, in turn")
        print(
            "| command | time | × parse floor | processor time | × parse floor (processor) "
            "| peak memory |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, (seconds, cpu, mib) in medians.items():
            print(
                f"| {name} | {seconds:.2f} s | {seconds / floor:.1f} | {cpu:.2f} s "
                f"| {cpu / floor_cpu:.1f} | {mib:.0f} MiB |"
            )
        print(
            f"| libyaml parse only (the floor) | {floor:.2f} s | 1 | {floor_cpu:.2f} s | 1 "
            f"| {floor_mib:.0f} MiB |"
        )


if __name__ == "__main__":
    main()

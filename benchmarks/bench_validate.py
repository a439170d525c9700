"""Time ``catalogue validate`` on synthetic référentiels of 500 and 5,000 services.

Side by side with what a network would otherwise write: load every file with PyYAML's
C loader and check it against a JSON Schema with ``jsonschema`` — which only checks the
shape of each file, none of the cross-file integrity rules.

    python benchmarks/bench_validate.py [--sizes 500 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from aptic_qualif.referentiel.check import validate_catalogue
from aptic_qualif.referentiel.model import Service
from aptic_qualif.vocabularies import CRCN, DATA_INCLUSION_THEMATIQUES, LIEUX_SERVICES

REPO = Path(__file__).resolve().parent.parent
LEVELS = ("decouvrir", "maitriser", "agir")
PREFIX = {"decouvrir": "DEC", "maitriser": "MAI", "agir": "AGI"}
CRCN_CODES = sorted(CRCN)


def service_yaml(index: int) -> tuple[str, str, str]:
    """A realistic service file: (level, id, text)."""
    level = LEVELS[index % 3]
    sid = f"service-synthetique-{index:05d}"
    notation = f"{PREFIX[level]}-{index:05d}"
    crcn = ", ".join(f'"{CRCN_CODES[(index + k) % len(CRCN_CODES)]}"' for k in range(2))
    text = f"""\
id: {sid}
notation: {notation}
level: {level}
status: active
added_in: "1.0.0"
pref_label:
  fr: Service synthétique numéro {index}
  en: Synthetic service number {index}
alt_labels:
  fr:
    - Atelier numéro {index}
definition:
  fr: >-
    La personne apprend à utiliser un outil numérique du quotidien, pas à pas, avec un
    médiateur, et repart avec une démarche réalisée.
  en: >-
    The person learns to use an everyday digital tool, step by step, with a mediator, and
    leaves with a completed task.
learning_outcomes:
  fr:
    - Réaliser la démarche seul
    - Savoir où demander de l'aide
  en:
    - Complete the task alone
    - Know where to ask for help
modalities: [individuel, atelier-collectif]
typical_duration: PT1H30M
mappings:
  lieux_services:
    - {LIEUX_SERVICES[index % len(LIEUX_SERVICES)]}
  crcn: [{crcn}]
  data_inclusion:
    - {DATA_INCLUSION_THEMATIQUES[index % len(DATA_INCLUSION_THEMATIQUES)]}
"""
    return level, sid, text


def make_catalogue(root: Path, size: int) -> Path:
    """Write a synthetic référentiel of ``size`` services under ``root``."""
    folder = root / "referentiel"
    folder.mkdir(parents=True)
    shutil.copy2(REPO / "referentiel" / "referentiel.yaml", folder)
    for level in LEVELS:
        (folder / "services" / level).mkdir(parents=True)
    for index in range(size):
        level, sid, text = service_yaml(index)
        (folder / "services" / level / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return folder


def run_ours(folder: Path) -> float:
    start = time.perf_counter()
    _catalogue, report = validate_catalogue(folder)
    elapsed = time.perf_counter() - start
    assert report.ok, report.render_text()
    return elapsed


def run_alternative(folder: Path) -> float:
    import jsonschema

    schema = Service.model_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    start = time.perf_counter()
    for path in sorted((folder / "services").rglob("*.yaml")):
        with path.open("rb") as handle:
            data = yaml.load(handle, Loader=yaml.CSafeLoader)
        errors = list(validator.iter_errors(data))
        assert not errors, errors
    return time.perf_counter() - start


def run_cli(root: Path) -> float:
    exe = Path(sys.executable).with_name("aptic-qualif")
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "--root", str(root), "catalogue", "validate"], check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {platform.platform()} — Python {platform.python_version()} — "
        f"{platform.processor() or platform.machine()}"
    )
    print(
        "| services | aptic-qualif (in-process) | CLI, cold start | PyYAML + jsonschema "
        "(shape only) | ratio |"
    )
    print("|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = make_catalogue(Path(tmp), size)
            ours = statistics.median(run_ours(folder) for _ in range(args.repeat))
            cli = statistics.median(run_cli(Path(tmp)) for _ in range(args.repeat))
            alternative = statistics.median(run_alternative(folder) for _ in range(args.repeat))
            print(
                f"| {size:,} | {ours:.2f} s | {cli:.2f} s | {alternative:.2f} s | "
                f"{ours / alternative:.2f} |"
            )


if __name__ == "__main__":
    main()

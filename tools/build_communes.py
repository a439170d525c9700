"""Regenerate the commune reference data shipped with aptic-qualif (``make communes``).

Fetches Etalab's npm package ``@etalab/decoupage-administratif`` at the pinned version with
``npm pack`` into a temporary folder, reads ``data/communes.json`` from the tarball (nothing
is extracted to disk) and writes ``src/aptic_qualif/data/communes/communes.tsv.gz``: a line
naming the source, a header, then one tab-separated line per commune, municipal
arrondissement and former commune, sorted by INSEE code (the code first, so that a reader
can index lines without splitting them), gzip'd without a time stamp so that the same
package version always gives the same bytes.

The package's data are under the Licence Ouverte (its README says so; its code is MIT):
the script stops if that statement disappears, so that a licence change is never vendored
unnoticed. Run it from the repository root; it needs npm and the registry, nothing else.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_VERSION = "6.0.0"
OUTPUT = Path("src/aptic_qualif/data/communes/communes.tsv.gz")
COLUMNS = ["insee", "nom", "departement", "codes_postaux", "population", "type", "parent"]
KINDS = {
    "commune-actuelle": "commune",
    "arrondissement-municipal": "arrondissement",
    "commune-deleguee": "ancienne",
    "commune-associee": "ancienne",
}


def fetch(version: str, folder: Path) -> Path:
    """``npm pack`` the package into ``folder``: the tarball's path."""
    done = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--pack-destination", str(folder), "--silent"],
        check=True,
        capture_output=True,
        text=True,
    )
    name = done.stdout.strip().splitlines()[-1]
    return folder / name


def read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.getmember(f"package/{name}")
    if not member.isfile():
        raise SystemExit(f"{name} is not a regular file in the package")
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def rows_of(communes: list[dict[str, Any]]) -> list[list[Any]]:
    """Current communes and municipal arrondissements with their postcodes and population;
    former communes (delegated, associated, or merged away: ``anciensCodes``) with the
    commune they now belong to, so that an old code gets a helpful hint."""
    rows: dict[str, list[Any]] = {}
    for entry in communes:
        kind = KINDS.get(entry["type"])
        if kind is None or kind == "ancienne":
            continue
        parent = entry.get("commune", "") if kind == "arrondissement" else ""
        rows[entry["code"]] = [
            entry["code"],
            entry["nom"],
            entry["departement"],
            " ".join(sorted(entry.get("codesPostaux", []))),
            int(entry.get("population", 0)),
            kind,
            parent,
        ]
    for entry in communes:
        if KINDS.get(entry["type"]) == "ancienne" and entry["code"] not in rows:
            parent = entry.get("chefLieu", "")
            rows[entry["code"]] = [
                entry["code"],
                entry["nom"],
                entry["departement"],
                "",
                0,
                "ancienne",
                parent,
            ]
    for entry in communes:
        if entry["type"] != "commune-actuelle":
            continue
        for old in entry.get("anciensCodes", []):
            if old not in rows:
                rows[old] = [old, "", entry["departement"], "", 0, "ancienne", entry["code"]]
    return [rows[code] for code in sorted(rows)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=DEFAULT_VERSION, help="package version to vendor")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = fetch(args.version, Path(tmp))
        with tarfile.open(tarball, "r:gz") as archive:
            package = json.loads(read_member(archive, "package.json"))
            readme = read_member(archive, "README.md").decode("utf-8")
            communes = json.loads(read_member(archive, "data/communes.json"))
    if package.get("name") != PACKAGE or package.get("version") != args.version:
        raise SystemExit(f"unexpected package {package.get('name')}@{package.get('version')}")
    if "Données : [Licence Ouverte]" not in readme:
        raise SystemExit("the package no longer states its data are under the Licence Ouverte")
    rows = rows_of(communes)
    for row in rows:
        if any("\t" in str(cell) or "\n" in str(cell) for cell in row):
            raise SystemExit(f"a tab or a line break in {row}")
    lines = [
        f"# {PACKAGE}@{args.version} · Licence Ouverte 2.0 (etalab-2.0)",
        "\t".join(COLUMNS),
        *("\t".join(str(cell) for cell in row) for row in rows),
    ]
    text = "\n".join(lines) + "\n"
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(text.encode("utf-8"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(buffer.getvalue())
    kinds = {kind: sum(1 for row in rows if row[5] == kind) for kind in sorted(set(KINDS.values()))}
    print(
        f"{args.output}: {PACKAGE}@{args.version}, {len(rows)} rows {kinds}, "
        f"{len(buffer.getvalue())} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The wheel says under which licences it ships what it carries."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from tests.conftest import REPO


def test_the_wheel_declares_the_licences_of_its_bundled_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    expression = metadata["License-Expression"]
    for licence in ("EUPL-1.2", "etalab-2.0", "CC-BY-4.0", "MIT", "Unicode-DFS-2016"):
        assert licence in expression.split(" AND "), expression
    files = metadata.get_all("License-File")
    assert "src/aptic_qualif/data/departements-map/LICENSE.md" in files
    assert "src/aptic_qualif/unicode-confusables/LICENSE" in files
    for name in files:
        assert any(n.endswith(f".dist-info/licenses/{name}") for n in names), name
    # every bundled data folder with a licence of its own is declared
    for licence_file in (REPO / "src" / "aptic_qualif").rglob("LICENSE*"):
        assert licence_file.relative_to(REPO).as_posix() in files, licence_file

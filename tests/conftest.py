from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.i18n import set_language

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture(autouse=True)
def french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests run in French, the default language, whatever the machine's locale."""
    monkeypatch.setenv("APTIC_QUALIF_LANG", "fr")
    set_language("fr")
    yield
    set_language("fr")


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the minimal test project; the current folder is the project."""
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped référentiel as a project; the current folder is the project."""
    root = tmp_path / "projet"
    shutil.copytree(REPO / "referentiel", root / "referentiel")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()

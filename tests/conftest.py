from __future__ import annotations

import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from aptic_qualif.i18n import _, set_language

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"

# One fixed hypothesis profile: the examples are derived from each test's name, not drawn at
# random, and no example database is kept, so that every run (CI included) tries the same
# inputs and a failure is reproduced by running the test again.
# No deadline: how long an example takes depends on the machine's load, and tests assert
# behaviour, never time (benchmarks/ measures it).
settings.register_profile(
    "aptic-qualif", derandomize=True, database=None, print_blob=True, deadline=None
)
settings.load_profile("aptic-qualif")


INTERNAL_ERROR = "internal error ({kind}: {error}); rerun with --debug and report it"
"""The message of an error the program did not expect: a bug, never a user's mistake."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "internal_error: the test provokes an internal error on purpose (a planted bug)",
    )


def _internal_error_prefixes() -> list[str]:
    prefixes = []
    for lang in ("fr", "en"):
        set_language(lang)
        prefixes.append(_(INTERNAL_ERROR).split("(", 1)[0].strip())
    set_language("fr")
    return prefixes


@pytest.fixture(autouse=True)
def no_internal_error(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command a test runs through CliRunner must end cleanly: no traceback, no
    « erreur interne ». An input, however hostile, is a message for people and exit 1 or 2."""
    if request.node.get_closest_marker("internal_error") is not None:
        return
    prefixes = _internal_error_prefixes()
    invoke = CliRunner.invoke

    def checked(self: CliRunner, *args: Any, **kwargs: Any) -> Result:
        result = invoke(self, *args, **kwargs)
        output = result.output + result.stderr
        for prefix in prefixes:
            assert prefix not in output, f"internal error shown by {args[1:]}:\n{output}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            raise AssertionError(f"exception escaped from {args[1:]}:\n{trace}")
        return result

    monkeypatch.setattr(CliRunner, "invoke", checked)


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

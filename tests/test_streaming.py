"""assess --format json|csv writes one assessment at a time, in the order it always had,
byte for byte what the whole-batch renderings give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif import __version__
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.scoring import render
from aptic_qualif.scoring.assess import Batch, assess_files, iter_assessments
from aptic_qualif.scoring.render import FORMAT_VERSION
from tests.conftest import REPO

APPLICATIONS = REPO / "examples" / "applications"


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def test_empty_batch_renders_like_json_dumps() -> None:
    expected = json.dumps(
        {"assessments": [], "format": FORMAT_VERSION, "tool": f"aptic-qualif {__version__}"},
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )
    assert "".join(render.json_chunks([])) == expected + "\n"
    assert "".join(render.csv_chunks([])) == ",".join(render.csv_columns([])) + "\n"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_streamed_output_is_the_whole_batch_rendering(
    repo: Path, runner: CliRunner, tmp_path: Path, fmt: str
) -> None:
    context = load_context(REPO)
    files = sorted(APPLICATIONS.glob("*.yaml"), reverse=True)  # any order in, sorted out
    batch = assess_files(files, context)
    whole = (render.render_json if fmt == "json" else render.render_csv)(batch.assessments)
    assert [a.application for a in batch.assessments] == sorted(p.stem for p in files)
    target = tmp_path / f"out.{fmt}"
    decision = batch.assessments[0].decision
    command = ["assess", *map(str, files), "-f", fmt, "-o", str(target), "--fail-on", decision]
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output  # --fail-on still applies
    assert target.read_text(encoding="utf-8") == whole
    result = runner.invoke(app, ["assess", str(APPLICATIONS), "-f", fmt])
    assert result.exit_code == 0 and result.stdout == whole


def test_assessments_are_made_one_at_a_time(repo: Path) -> None:
    """Nothing is read ahead once the copies are known: the first assessment comes after
    reading one file. To find the copies, every file is read first, once: its check then
    waits in a temporary file, not in memory (``scoring.assess``)."""
    context = load_context(REPO)
    files = sorted(APPLICATIONS.glob("*.yaml"))
    read: list[Path] = []
    assessed = iter_assessments(files, context, Batch(), on_file=read.append, copies={})
    first, _checked, _own = next(iter(assessed))
    assert len(read) == 1 and first.application == read[0].stem
    read.clear()
    assessed = iter_assessments(files, context, Batch(), on_file=read.append)
    first, _checked, _own = next(iter(assessed))
    assert read == files and first.application == files[0].stem

"""Relative paths are taken from the current folder, by every command.

Each test works from a folder that is not the project (``travail/`` next to ``projet/``),
names the project with a relative ``--root`` and its inputs and outputs with relative paths,
then checks that every file landed where a person reading the command line expects it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli import apply, review
from aptic_qualif.cli.app import app
from aptic_qualif.cli.common import State, handle_errors, user_path
from tests.conftest import MINI

ROOT = ["--root", "../projet"]
APPLICATION = "../projet/applications/complet.yaml"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``projet/`` (a copy of the minimal project) and ``travail/``, the current folder."""
    shutil.copytree(MINI, tmp_path / "projet")
    folder = tmp_path / "travail"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _written(path: Path) -> None:
    assert path.is_file(), path
    assert path.stat().st_size > 0, path


# -- the shared helper -------------------------------------------------------------------


def test_every_command_receives_absolute_paths(work: Path) -> None:
    received: dict[str, Any] = {}

    @handle_errors
    def command(source: Path, output: Path, inputs: list[Path], name: str, count: int = 1) -> None:
        received.update(source=source, output=output, inputs=inputs, name=name, count=count)

    command(
        Path("src"),
        output=Path("build/x"),
        inputs=[Path("a.yaml"), Path("../b")],
        name="build",
        count=2,
    )
    assert received == {
        "source": work / "src",
        "output": work / "build" / "x",
        "inputs": [work / "a.yaml", work / ".." / "b"],
        "name": "build",  # only paths change
        "count": 2,
    }


# -- publish ------------------------------------------------------------------------------


def test_publish_site_into_a_relative_folder(mini: Path, runner: CliRunner) -> None:
    """``make demo``'s ``publish site -o build/site``: the site was built in MkDocs'
    temporary folder and lost, leaving build/site with its marker file only."""
    output = _run(runner, "publish", "site", "-o", "build/site")
    _written(mini / "build" / "site" / "index.html")
    _written(mini / "build" / "site" / "referentiel" / "agir" / "index.html")
    assert "Site construit : build/site" in output


def test_publish_site_with_a_relative_root(work: Path, runner: CliRunner) -> None:
    _run(runner, *ROOT, "publish", "site")  # into the project's build/site by default
    _written(work.parent / "projet" / "build" / "site" / "index.html")
    _run(runner, *ROOT, "publish", "site", "-o", "sortie/site")  # -o: from the current folder
    _written(work / "sortie" / "site" / "index.html")
    assert not (work.parent / "projet" / "sortie").exists()


def test_publish_files_into_relative_paths(work: Path, runner: CliRunner) -> None:
    for command, name in (("jsonld", "r.jsonld"), ("turtle", "r.ttl"), ("context", "c.jsonld")):
        output = _run(runner, *ROOT, "publish", command, "-o", f"sortie/{name}")
        _written(work / "sortie" / name)
        assert f"Fichier écrit : sortie/{name}" in output
    _run(runner, *ROOT, "publish", "all", "-o", "sortie/publication")
    _written(work / "sortie" / "publication" / "referentiel.jsonld")
    _written(work / "sortie" / "publication" / "services.csv")


# -- catalogue and questionnaire ------------------------------------------------------------


def test_catalogue_on_relative_folders(work: Path, runner: CliRunner) -> None:
    assert "est valide" in _run(runner, "catalogue", "validate", "../projet")
    assert "est valide" in _run(runner, "catalogue", "validate", "../projet/referentiel")
    _run(runner, "catalogue", "diff", "../projet/referentiel", "../projet")
    assert "comprendre-internet" in _run(runner, *ROOT, "catalogue", "list", "-f", "json")


def test_questionnaire_schema_into_a_relative_file(work: Path, runner: CliRunner) -> None:
    _run(runner, *ROOT, "questionnaire", "validate")
    _run(runner, *ROOT, "questionnaire", "schema", "-o", "sortie/schema.json")
    _written(work / "sortie" / "schema.json")


# -- apply --------------------------------------------------------------------------------


def test_template_points_its_editor_at_the_schema(work: Path, runner: CliRunner) -> None:
    """A relative ``--schema-url`` is typed from the current folder, but an editor reads
    the modeline from the file's folder: it is rewritten relative to the file."""
    _run(runner, *ROOT, "questionnaire", "schema", "-o", "build/schema.json")
    _run(
        runner,
        *ROOT,
        "apply",
        "template",
        "--schema-url",
        "build/schema.json",
        "-o",
        "build/candidatures/modele.yaml",
    )
    template = work / "build" / "candidatures" / "modele.yaml"
    first = template.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema.json"
    assert (template.parent / "../schema.json").resolve() == (work / "build/schema.json")

    # Addresses and absolute paths are kept as they are.
    for url in ("https://example.org/s.json", str(work / "build" / "schema.json")):
        _run(runner, *ROOT, "apply", "template", "--schema-url", url, "-o", "m.yaml", "--force")
        assert (
            (work / "m.yaml")
            .read_text(encoding="utf-8")
            .startswith(f"# yaml-language-server: $schema={url}\n")
        )


def test_apply_validate_relative_files(work: Path, runner: CliRunner) -> None:
    assert "1 candidature(s) valide(s) sur 1" in _run(
        runner, *ROOT, "apply", "validate", APPLICATION
    )
    result = runner.invoke(app, [*ROOT, "apply", "validate", "absente.yaml"])
    assert result.exit_code == 2
    assert "absente.yaml" in result.output


class _Terminal:
    """A standard input that is a terminal, for the interactive commands."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def interactive(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interactive commands called as the CLI would (global options already parsed),
    with a terminal on standard input; their questions are replaced by the tests."""
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("aptic_qualif.cli.common._state", State(root=user_path("../projet")))


def test_apply_fill_writes_a_relative_file(
    work: Path, interactive: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    asked: list[Path] = []

    def fill(path: Path, *args: Any, **kwargs: Any) -> None:  # the answers of complet.yaml
        asked.append(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MINI / "applications" / "complet.yaml", path)

    monkeypatch.setattr("aptic_qualif.questionnaire.fill.fill", fill)
    apply.fill_command(Path("mes-candidatures/lieu.yaml"))  # the application is valid
    assert asked == [work / "mes-candidatures" / "lieu.yaml"]
    _written(work / "mes-candidatures" / "lieu.yaml")
    assert "Candidature enregistrée dans mes-candidatures/lieu.yaml" in capsys.readouterr().out


# -- assess, coverage, export and import lieux ------------------------------------------------


@pytest.fixture
def batch(work: Path) -> list[str]:
    """A relative application, reviews folder and policy."""
    (work / "avis").mkdir()
    shutil.copy(work.parent / "projet" / "questionnaire" / "policy.yaml", work / "politique.yaml")
    return [APPLICATION, "--reviews", "avis", "--policy", "politique.yaml"]


def test_assess_relative_paths(work: Path, runner: CliRunner, batch: list[str]) -> None:
    output = _run(runner, *ROOT, "assess", *batch, "-f", "csv", "-o", "sortie/evaluations.csv")
    _written(work / "sortie" / "evaluations.csv")
    assert "Fichier écrit : sortie/evaluations.csv" in output
    _run(runner, *ROOT, "assess", "../projet/applications/*.yaml", "-f", "html", "-o", "e.html")
    _written(work / "e.html")


def test_coverage_relative_paths(work: Path, runner: CliRunner, batch: list[str]) -> None:
    _run(runner, *ROOT, "coverage", *batch, "--all", "-f", "svg", "-o", "sortie/couverture.svg")
    _written(work / "sortie" / "couverture.svg")


def test_export_and_import_lieux_relative_paths(
    work: Path, runner: CliRunner, batch: list[str]
) -> None:
    _run(runner, *ROOT, "export", "lieux", *batch, "--all", "-o", "sortie/lieux.csv")
    _written(work / "sortie" / "lieux.csv")
    output = _run(runner, *ROOT, "import", "lieux", "sortie/lieux.csv", "-o", "sortie/importes")
    (imported,) = (work / "sortie" / "importes").glob("*.yaml")
    _written(imported)
    assert "écrite(s) dans sortie/importes" in output


# -- review ---------------------------------------------------------------------------------


def test_review_writes_into_a_relative_folder(
    work: Path, interactive: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aptic_qualif.review.load import review_path

    def review_application(checked: Any, questionnaire: Any, reviewer: str, prompter: Any,
                           reviews_dir: Path, **kwargs: Any) -> Path:  # fmt: skip
        path = review_path(reviews_dir, checked.id, reviewer)
        path.parent.mkdir(parents=True)
        path.write_text("relecture\n", encoding="utf-8")
        return path

    monkeypatch.setattr("aptic_qualif.review.workflow.review_application", review_application)
    review_command = handle_errors(review.review_command)  # as the application registers it
    review_command(APPLICATION, None, reviewer="alice", reviews_dir=Path("avis"))
    _written(work / "avis" / "complet" / "alice.yaml")


def test_review_summary_of_relative_folders(work: Path, runner: CliRunner) -> None:
    (work / "avis").mkdir()
    _run(runner, *ROOT, "review", "summary", "avis", "--applications", "../projet/applications")
    result = runner.invoke(app, [*ROOT, "review", "summary", "absent"])
    assert result.exit_code == 2
    assert "absent" in result.output

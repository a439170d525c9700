"""The command line, run in-process: output, exit codes, languages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif import __version__
from aptic_qualif.cli.app import app
from tests.conftest import REPO
from tests.test_referentiel_validate import C, M, _replace, apply_edits


def test_validate_ok(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 0, result.output
    assert "Aucun problème" in result.output
    assert "mini 1.1.0" in result.output


def test_validate_reports_located_errors_in_french(mini: Path, runner: CliRunner) -> None:
    apply_edits(
        mini / "referentiel",
        (_replace(M, "MAI-01", "DEC-02"), _replace(C, "status: active", "statut: active")),
    )
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "referentiel/services/decouvrir/comprendre-internet.yaml:4:1: error[SCH002]: "
        "champ inconnu « statut »"
    ) in lines
    assert "  = conseil : vouliez-vous dire « status » ?" in lines
    assert any(
        line.startswith(
            "referentiel/services/maitriser/creer-une-adresse-electronique.yaml:2:11: error[REF003]"
        )
        for line in lines
    )
    assert lines[-1] == "Bilan : 3 erreurs dans 2 fichiers."
    assert "Traceback" not in result.output


def test_validate_json(mini: Path, runner: CliRunner) -> None:
    apply_edits(mini / "referentiel", (_replace(M, "MAI-01", "DEC-01"),))
    result = runner.invoke(app, ["catalogue", "validate", "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["ok"] is False and payload["errors"] == 1
    (diagnostic,) = payload["diagnostics"]
    assert diagnostic["code"] == "REF003"
    assert diagnostic["line"] == 2 and diagnostic["column"] == 11
    assert diagnostic["file"].endswith("creer-une-adresse-electronique.yaml")


def test_english_on_request(mini: Path, runner: CliRunner) -> None:
    apply_edits(mini / "referentiel", (_replace(C, "status: active", "statut: active"),))
    result = runner.invoke(app, ["--lang", "en", "catalogue", "validate"])
    assert result.exit_code == 1
    assert "unknown field 'statut'" in result.output
    result = runner.invoke(app, ["--lang", "de", "catalogue", "validate"])
    assert result.exit_code == 2


def test_english_from_the_environment() -> None:
    from aptic_qualif.i18n import detect_language

    assert detect_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert detect_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert detect_language({"LANG": "C.UTF-8"}) == "fr"
    assert detect_language({}) == "fr"
    assert detect_language({"APTIC_QUALIF_LANG": "fr", "LANG": "en_US"}) == "fr"
    assert detect_language({"LC_ALL": "en_US", "LANG": "fr_FR"}) == "en"


def test_not_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 2
    assert "aucun projet" in result.output.lower()
    assert "Traceback" not in result.output


def test_project_is_found_upward(
    mini: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.chdir(mini / "referentiel" / "services" / "agir")
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 0, result.output


def test_root_option(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["--root", str(mini), "catalogue", "validate"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--root", str(elsewhere), "catalogue", "validate"])
    assert result.exit_code == 2
    assert "n'est pas un projet" in result.output


def test_validate_a_missing_folder(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogue", "validate", "absent"])
    assert result.exit_code == 2
    assert "absent" in result.output


def test_version(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"aptic-qualif {__version__}",
        "référentiel mini 1.1.0",
        "questionnaire mini-questionnaire 1.0.0",
    ]
    (mini / "questionnaire" / "questionnaire.yaml").unlink()
    result = runner.invoke(app, ["--version"])
    assert result.output.splitlines()[-1] == "questionnaire : absent"


def test_version_outside_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith(f"aptic-qualif {__version__}\n")


def test_list(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogue", "list"])
    assert result.exit_code == 0, result.output
    assert "MAI-01" in result.output and "DEC-02" not in result.output
    result = runner.invoke(app, ["catalogue", "list", "--all", "--format", "json"])
    rows = json.loads(result.output)
    assert [r["notation"] for r in rows] == ["DEC-01", "DEC-02", "MAI-01", "AGI-01"]
    result = runner.invoke(app, ["catalogue", "list", "--level", "agir", "--format", "json"])
    assert [r["id"] for r in json.loads(result.output)] == ["reparer-son-ordinateur"]
    result = runner.invoke(app, ["catalogue", "list", "--level", "agri"])
    assert result.exit_code == 2
    assert "agri" in result.output


def test_show(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["catalogue", "show", "creer-une-adresse-electronique"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Créer une adresse électronique" in result.output
    assert "https://example.org/mini/creer-une-adresse-electronique" in result.output
    result = runner.invoke(app, ["catalogue", "show", "mai-01", "--format", "json"])
    assert json.loads(result.output)["id"] == "creer-une-adresse-electronique"
    result = runner.invoke(app, ["catalogue", "show", "creer-une-adresse"])
    assert result.exit_code == 2
    assert "creer-une-adresse-electronique" in result.output


def test_show_on_a_broken_catalogue(mini: Path, runner: CliRunner) -> None:
    (mini / "referentiel" / "referentiel.yaml").write_text("id: [\n", encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "show", "MAI-01"])
    assert result.exit_code == 1
    assert "error[YAML001]" in result.output


@pytest.mark.internal_error
def test_internal_errors_are_not_tracebacks(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("aptic_qualif.referentiel.check.validate_catalogue", boom)
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 2
    assert "erreur interne" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--debug", "catalogue", "validate"])
    assert isinstance(result.exception, RuntimeError)


def test_help_is_french_and_every_command_documented(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Référentiel ouvert" in result.output
    for command in ("validate", "diff", "list", "show"):
        result = runner.invoke(app, ["catalogue", command, "--help"])
        assert result.exit_code == 0
        first = result.output.split("Usage:")[-1]
        assert len(first.strip().splitlines()) > 2, command


def test_dash_as_output_is_the_standard_output(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o -`` wrote a file named ``-``; it is the standard output, as in every tool, and a
    command that writes a folder refuses it."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--root", str(REPO), "publish", "context", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert '"@context"' in result.stdout
    assert not (tmp_path / "-").exists()
    result = runner.invoke(app, ["--root", str(REPO), "publish", "all", "-o", "-"])
    assert result.exit_code == 2
    assert "sortie standard" in result.output
    assert not (tmp_path / "-").exists()


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """``assess … | head``: the reader stops, the command stops, with no message."""
    import subprocess
    import sys

    cli = Path(sys.executable).with_name("aptic-qualif")
    command = (
        f"'{cli}' --root '{REPO}' assess '{REPO / 'examples' / 'applications'}' --format json"
        ' | head -c 10 > /dev/null; echo "status=${PIPESTATUS[0]}"'
    )
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "status=0", done
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr

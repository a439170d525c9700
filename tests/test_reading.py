"""Only regular files are read, and at most a size limit while reading (issue 11, class 5)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif import reading
from aptic_qualif.application import application_files, load_application
from aptic_qualif.cli.app import app
from aptic_qualif.reading import read_regular
from aptic_qualif.referentiel.check import validate_catalogue
from aptic_qualif.yamlio import load_yaml

BATCH_COMMANDS = (["assess"], ["apply", "validate"], ["export", "lieux"], ["coverage"])


@pytest.mark.timeout(10)
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    doc, diagnostics = load_yaml(fifo, "f.yaml")
    assert doc is None and [d.code for d in diagnostics] == ["IO002"]
    assert diagnostics[0].span.file == "f.yaml"


@pytest.mark.timeout(10)
def test_a_link_to_a_device_or_a_folder_is_refused(tmp_path: Path) -> None:
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "dossier.yaml"
    folder.mkdir()
    for path in (zero, folder):
        doc, diagnostics = load_yaml(path)
        assert doc is None and [d.code for d in diagnostics] == ["IO002"]


def test_the_limit_holds_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n" * 100)
    raw, problem = read_regular(path, "f.yaml", limit=50)
    assert raw is None and problem is not None and problem.code == "YAML007"
    raw, problem = read_regular(path, "f.yaml", limit=500)
    assert problem is None and raw == b"a: 1\n" * 100


def test_a_project_file_may_not_lead_outside_the_project(mini: Path, tmp_path: Path) -> None:
    service = mini / "referentiel/services/agir/reparer-son-ordinateur.yaml"
    elsewhere = tmp_path / "ailleurs.yaml"
    shutil.move(service, elsewhere)
    service.symlink_to(elsewhere)
    _catalogue, report = validate_catalogue(mini / "referentiel")
    assert ("IO003", "referentiel/services/agir/reparer-son-ordinateur.yaml") in {
        (d.code, d.span.file) for d in report.diagnostics
    }
    assert not report.ok


def test_a_link_inside_the_project_is_followed(mini: Path) -> None:
    service = mini / "referentiel/services/agir/reparer-son-ordinateur.yaml"
    kept = mini / "referentiel/copie.txt"
    shutil.move(service, kept)
    service.symlink_to(kept)
    _catalogue, report = validate_catalogue(mini / "referentiel")
    assert "IO003" not in {d.code for d in report.diagnostics}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("command", BATCH_COMMANDS, ids=" ".join)
def test_a_pipe_in_a_batch_folder_is_reported_not_waited_for(
    mini: Path, runner: CliRunner, command: list[str]
) -> None:
    os.mkfifo(mini / "applications/tube.yaml")
    result = runner.invoke(app, [*command, "applications"])
    assert result.exit_code == 1, result.output
    assert "applications/tube.yaml: error[IO002]" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", BATCH_COMMANDS, ids=" ".join)
def test_a_link_out_of_a_batch_folder_is_refused(
    mini: Path, runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    outside = tmp_path / "dehors.yaml"
    shutil.copy(mini / "applications/complet.yaml", outside)
    (mini / "applications/lien.yaml").symlink_to(outside)
    result = runner.invoke(app, [*command, "applications"])
    assert result.exit_code == 1, result.output
    assert "applications/lien.yaml: error[IO003]" in result.output
    # given on the command line, the same file is read wherever it lives
    result = runner.invoke(app, ["apply", "validate", str(outside)])
    assert result.exit_code == 0, result.output


@pytest.mark.timeout(10)
def test_the_csv_import_reads_only_a_regular_file(mini: Path, runner: CliRunner) -> None:
    os.mkfifo(mini / "lieux.csv")
    result = runner.invoke(app, ["import", "lieux", "lieux.csv", "-o", "sortie"])
    assert result.exit_code == 1, result.output
    assert "lieux.csv: error[IO002]" in result.output


# -- depth (issue 11, class 6) ------------------------------------------------------------


def _deep(levels: int) -> str:
    return "lieu:\n" + "".join("  " * i + "k:\n" for i in range(1, levels))


def test_deep_nesting_is_a_located_error_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(_deep(900))
    doc, diagnostics = load_yaml(path, "f.yaml")
    assert [(d.code, d.span.line) for d in diagnostics] == [("YAML008", 65)]
    path.write_text("x: " + "[" * 5000 + "]" * 5000 + "\n")
    doc, diagnostics = load_yaml(path, "f.yaml")
    assert doc is None and [d.code for d in diagnostics] == ["YAML001"]


@pytest.mark.parametrize("command", BATCH_COMMANDS, ids=" ".join)
def test_one_poisoned_file_leaves_the_others_processed(
    mini: Path, runner: CliRunner, command: list[str]
) -> None:
    valid = mini / "applications/complet.yaml"
    shutil.copy(valid, mini / "applications/autre.yaml")
    (mini / "applications/poison.yaml").write_text(_deep(600))
    result = runner.invoke(app, [*command, "applications"])
    assert result.exit_code == 1, result.output
    assert "applications/poison.yaml:65:" in result.output
    assert "error[YAML008]" in result.output
    assert "Traceback" not in result.output and "erreur interne" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    alone = runner.invoke(app, [*command, "applications/complet.yaml"])
    # the valid files give the same results as when they are read without the poisoned one
    for line in alone.stdout.splitlines():
        if "complet" in line:
            assert line in result.stdout


# -- nothing silently skipped (issue 11, class 7) ----------------------------------------


def _unlistable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Tests run as root, where chmod 000 does not bite: listing ``name`` fails instead."""
    real = os.scandir

    def scandir(path: str | Path = ".") -> object:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_level_folder_is_an_error_not_valid(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unlistable(monkeypatch, "agir")
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert "referentiel/services/agir: error[IO001]" in result.output
    assert "est valide" not in result.output


@pytest.mark.timeout(10)
def test_a_pipe_in_place_of_a_service_file_is_reported(mini: Path, runner: CliRunner) -> None:
    service = mini / "referentiel/services/agir/reparer-son-ordinateur.yaml"
    service.unlink()
    os.mkfifo(service)
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert "referentiel/services/agir/reparer-son-ordinateur.yaml: error[IO002]" in result.output


def test_an_unreadable_subfolder_of_a_batch_is_reported(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mini / "applications/archives").mkdir()
    _unlistable(monkeypatch, "archives")
    result = runner.invoke(app, ["apply", "validate", "applications"])
    assert result.exit_code == 1, result.output
    assert "applications/archives: error[IO00" in result.output


def test_an_unreadable_reviews_folder_is_reported(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mini / "avis/complet").mkdir(parents=True)
    _unlistable(monkeypatch, "complet")
    result = runner.invoke(app, ["review", "summary", "avis"])
    assert "avis/complet: error[IO001]" in result.output


def test_a_mistyped_applications_folder_is_an_error(mini: Path, runner: CliRunner) -> None:
    (mini / "avis").mkdir()
    result = runner.invoke(app, ["review", "summary", "avis", "--applications", "nulle-part"])
    assert result.exit_code == 2, result.output
    assert "nulle-part" in result.output


def test_a_link_swapped_in_after_the_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is checked to be inside the folder is what is opened: a file replaced by a link
    out of the folder between the check and the opening is refused, not followed."""
    folder = tmp_path / "dossier"
    folder.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("secret: 1\n", encoding="utf-8")
    file = folder / "a.yaml"
    file.write_text("a: 1\n", encoding="utf-8")
    check = reading.resolved

    def swapped(path: Path, within: Path) -> tuple[Path, bool] | None:
        found = check(path, within)
        file.unlink()
        file.symlink_to(secret)
        return found

    monkeypatch.setattr(reading, "resolved", swapped)
    raw, refused = read_regular(file, "a.yaml", limit=1000, within=folder)
    assert raw is None and refused is not None
    assert (refused.code, refused.span.file) == ("IO003", "a.yaml")


def test_a_link_inside_the_folder_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "vrai.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "lien.yaml").symlink_to(tmp_path / "vrai.yaml")
    raw, refused = read_regular(tmp_path / "lien.yaml", "lien.yaml", limit=100, within=tmp_path)
    assert (raw, refused) == (b"a: 1\n", None)


def test_the_folder_a_file_was_found_in_is_per_call(tmp_path: Path) -> None:
    """Where each application file was found is returned with it, never kept between calls:
    the same link, named by the user, is read where it leads."""
    folder = tmp_path / "candidatures"
    folder.mkdir()
    (tmp_path / "ailleurs.yaml").write_text("a: 1\n", encoding="utf-8")
    link = folder / "lien.yaml"
    link.symlink_to(tmp_path / "ailleurs.yaml")
    assert application_files([folder]) == ({link: folder}, [])
    assert application_files([link]) == ({link: None}, [])
    assert application_files([link, folder]) == ({link: None}, [])
    doc, _application, diagnostics = load_application(link)
    assert doc is not None and "IO003" not in {d.code for d in diagnostics}

"""A conflict between two service files is reported on the file the contributor touched.

The same notation, id or label in two files: the error goes to the file that git says
changed (untracked, added, modified, or changed since ``--base``), and names the other
file with its line. Without git, or when both or neither changed, the data decides: the
later ``added_in``, then the higher notation number, then the later path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.gitref import changed_files
from aptic_qualif.referentiel.check import touch_key, validate_catalogue
from aptic_qualif.referentiel.load import load_catalogue

C = "referentiel/services/decouvrir/comprendre-internet.yaml"
M = "referentiel/services/maitriser/creer-une-adresse-electronique.yaml"


def service(
    id: str,
    notation: str,
    *,
    fr: str = "Nouveau service",
    en: str = "New service",
    added_in: str = "1.1.0",
) -> str:
    level = {"DEC": "decouvrir", "MAI": "maitriser", "AGI": "agir"}[notation[:3]]
    return f"""\
id: {id}
notation: {notation}
level: {level}
status: active
added_in: "{added_in}"
pref_label:
  fr: {fr}
  en: {en}
definition:
  fr: Une définition.
  en: A definition.
modalities: [individuel]
typical_duration: PT1H
sessions: 1
mappings:
  coop_thematiques: [email]
"""


def add(root: Path, text: str) -> str:
    """Write a new service file; its path relative to the project."""
    lines = dict(line.split(": ", 1) for line in text.splitlines()[:3])
    path = f"referentiel/services/{lines['level']}/{lines['id']}.yaml"
    (root / path).write_text(text, encoding="utf-8")
    return path


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error[" in line]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def commit_all(root: Path, message: str = "base") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(mini: Path) -> Path:
    """The minimal project as a git repository, everything committed on ``main``."""
    git(mini, "init", "-q", "-b", "main")
    commit_all(mini)
    return mini


# Without git: the data decides.


def test_added_service_with_a_taken_notation_is_the_one_reported(
    mini: Path, runner: CliRunner
) -> None:
    added = add(mini, service("mettre-a-jour-ses-appareils", "MAI-01"))
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:2:11: error[REF003]: notation « MAI-01 » déjà utilisée par "
        f"« creer-une-adresse-electronique » ({M}:2)"
    ]


def test_added_service_with_a_confusable_label_is_the_one_reported(
    mini: Path, runner: CliRunner
) -> None:
    # the "е" of "électroniquе" is U+0435 CYRILLIC SMALL LETTER IE
    added = add(
        mini,
        service(
            "ouvrir-une-boite-mail",
            "MAI-02",
            fr="Créer une adresse électroniqu\u0435",
            en="Create an email address",
        ),
    )
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:7:7: error[REF009]: le libellé « Créer une adresse électroniqu\u0435 » (fr) "
        f"est déjà utilisé par « creer-une-adresse-electronique » ({M}:7)",
        f"{added}:8:7: error[REF009]: le libellé « Create an email address » (en) "
        f"est déjà utilisé par « creer-une-adresse-electronique » ({M}:8)",
    ]


def test_every_duplicate_names_the_file_kept(mini: Path, runner: CliRunner) -> None:
    first = add(mini, service("mettre-a-jour-ses-appareils", "MAI-01", fr="Un", en="One"))
    second = add(mini, service("proteger-ses-appareils", "MAI-01", fr="Deux", en="Two"))
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    found = errors(result.output)
    assert [line.split(":", 1)[0] for line in found] == [first, second]
    assert all(f"({M}:2)" in line for line in found)


def test_the_data_decides_without_git(mini: Path) -> None:
    """Later added_in, then higher notation number, then later path: always the same."""
    catalogue, _report = load_catalogue(mini / "referentiel")
    assert catalogue is not None
    entries = {entry.service.id: entry for entry in catalogue.entries}
    order = sorted(entries.values(), key=lambda entry: touch_key(entry, frozenset()))
    assert [entry.service.id for entry in order] == [
        # added_in 1.0.0, then by notation number, then by path
        "comprendre-internet",  # DEC-01
        "creer-une-adresse-electronique",  # MAI-01, later path
        "decouvrir-le-courriel",  # DEC-02
        "reparer-son-ordinateur",  # added_in 1.1.0
    ]
    changed = frozenset({entries["comprendre-internet"].path.resolve()})
    assert max(entries.values(), key=lambda e: touch_key(e, changed)).service.id == (
        "comprendre-internet"
    )


def test_a_duplicate_id_is_reported_on_the_newer_file(mini: Path) -> None:
    referentiel = mini / "referentiel"
    add(mini, service("comprendre-internet", "AGI-02", fr="Autre", en="Other"))
    _catalogue, report = validate_catalogue(referentiel)
    assert [(d.code, d.span.file, d.span.line) for d in report.errors] == [
        ("REF002", "referentiel/services/agir/comprendre-internet.yaml", 1)
    ]
    assert report.errors[0].message == (
        f"identifiant « comprendre-internet » déjà utilisé par {C}:1"
    )


def test_git_is_never_required(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "sans-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert changed_files(mini / "referentiel") == frozenset()
    added = add(mini, service("mettre-a-jour-ses-appareils", "MAI-01"))
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert [line.split(":", 1)[0] for line in errors(result.output)] == [added]
    result = runner.invoke(app, ["catalogue", "validate", "--base", "main"])
    assert result.exit_code == 2
    assert "git" in result.output


def test_outside_a_repository_nothing_changed(mini: Path) -> None:
    assert changed_files(mini / "referentiel") == frozenset()


# In a git work tree: the file git says changed.

# Sorts before comprendre-internet.yaml, same added_in, same notation: by the data alone it
# would be the older file, and the error would go to comprendre-internet.yaml.
EARLIER = service("apprendre-internet", "DEC-01", fr="Apprendre internet", added_in="1.0.0")


def test_untracked_file_is_the_touched_one(repo: Path, runner: CliRunner) -> None:
    added = add(repo, EARLIER)
    _catalogue, report = validate_catalogue(repo / "referentiel")
    assert [d.span.file for d in report.errors] == [C], "the data alone picks the other file"
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:2:11: error[REF003]: notation « DEC-01 » déjà utilisée par "
        f"« comprendre-internet » ({C}:2)"
    ]
    git(repo, "add", added)  # staged: still touched
    result = runner.invoke(app, ["catalogue", "validate", "--format", "json"])
    assert f'"file": "{added}"' in result.output


def test_modified_file_is_the_touched_one(repo: Path, runner: CliRunner) -> None:
    """A contributor renames comprendre-internet as the other service: the data alone would
    blame creer-une-adresse-electronique (the later path)."""
    path = repo / C
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "fr: Comprendre internet", "fr: Créer une adresse électronique"
        ),
        encoding="utf-8",
    )
    changed = changed_files(repo / "referentiel")
    assert changed == {path.resolve()}
    _catalogue, report = validate_catalogue(repo / "referentiel")
    assert [d.span.file for d in report.errors] == [M]
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{C}:7:7: error[REF009]: le libellé « Créer une adresse électronique » (fr) "
        f"est déjà utilisé par « creer-une-adresse-electronique » ({M}:7)"
    ]


def test_replacement_cycle_on_the_touched_file(repo: Path, runner: CliRunner) -> None:
    """decouvrir-le-courriel is replaced by creer-une-adresse-electronique; the contributor
    deprecates the latter in favour of the former."""
    path = repo / M
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "status: active\n",
            'status: deprecated\ndeprecated_in: "1.1.0"\nreplaced_by: decouvrir-le-courriel\n',
        ),
        encoding="utf-8",
    )
    _catalogue, report = validate_catalogue(repo / "referentiel")
    cycle = [d.span.file for d in report.errors if d.code == "REF015"]
    assert cycle == ["referentiel/services/decouvrir/decouvrir-le-courriel.yaml"]  # DEC-02
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert [line for line in errors(result.output) if "REF015" in line] == [
        f"{M}:6:14: error[REF015]: les remplacements forment une boucle : "
        "creer-une-adresse-electronique → decouvrir-le-courriel → creer-une-adresse-electronique"
    ]


def test_base_names_what_the_branch_changed(repo: Path, runner: CliRunner) -> None:
    git(repo, "switch", "-q", "-c", "ajout")
    added = add(repo, EARLIER)
    commit_all(repo, "ajout")  # as in CI: the work tree is clean, HEAD is the pull request
    result = runner.invoke(app, ["catalogue", "validate"])
    assert [line.split(":", 1)[0] for line in errors(result.output)] == [C]
    result = runner.invoke(app, ["catalogue", "validate", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:2:11: error[REF003]: notation « DEC-01 » déjà utilisée par "
        f"« comprendre-internet » ({C}:2)"
    ]
    # main moved on since the branch started: only the branch's own changes count
    git(repo, "switch", "-q", "main")
    (repo / "README").write_text("x", encoding="utf-8")
    commit_all(repo, "main")
    git(repo, "switch", "-q", "ajout")
    assert changed_files(repo / "referentiel", "main") == {(repo / added).resolve()}
    # catalogue diff --base reports the same way, and still compares the two versions
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 1, result.output
    conflicts = [line for line in errors(result.output) if "REF003" in line]
    assert [line.split(":", 1)[0] for line in conflicts] == [added]
    assert "error[DIFF001]" in result.output


@pytest.mark.parametrize("ref", ["-x", "--output=/tmp/x", ""])
def test_base_never_reads_as_an_option(repo: Path, runner: CliRunner, ref: str) -> None:
    result = runner.invoke(app, ["catalogue", "validate", f"--base={ref}"])
    assert result.exit_code == 2, result.output
    assert "n'est pas une référence git" in result.output


def test_unknown_base(repo: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogue", "validate", "--base", "pas-une-branche"])
    assert result.exit_code == 2
    assert "pas-une-branche" in result.output


def test_base_outside_a_repository(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["catalogue", "validate", "--base", "main"])
    assert result.exit_code == 2
    assert "main" in result.output


def test_git_paths_are_read_as_git_writes_them(repo: Path) -> None:
    """Names with spaces or non-ASCII letters come back unquoted (``-z``)."""
    odd = repo / "referentiel" / "services" / "decouvrir" / "été à la plage.yaml"
    odd.write_text("x", encoding="utf-8")
    assert changed_files(repo / "referentiel") == {odd.resolve()}

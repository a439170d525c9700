"""``catalogue diff``: a table of changes and the version bump each one needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.referentiel.diff import diff_catalogues, render_changelog
from aptic_qualif.referentiel.load import load_catalogue
from tests.conftest import MINI
from tests.test_referentiel_validate import A, C, D, M, S, _replace, apply_edits

ADDED = """\
id: utiliser-franceconnect
notation: MAI-02
level: maitriser
status: active
added_in: "{version}"
pref_label:
  fr: Se connecter avec FranceConnect
  en: Sign in with FranceConnect
definition:
  fr: Utiliser FranceConnect pour accéder aux services publics.
  en: Use FranceConnect to reach public services.
modalities: [individuel]
typical_duration: PT1H
mappings:
  lieux_services:
    - Aide aux démarches administratives
"""

DEPRECATE_C = (
    _replace(
        C,
        "status: active",
        'status: deprecated\ndeprecated_in: "{version}"\n'
        "replaced_by: creer-une-adresse-electronique",
    ),
)


def version(v: str) -> tuple[str, ...]:
    """A release: its version, and the day of the change (``modified``, ``DIFF004``)."""
    return _replace(
        S,
        'version: "1.1.0"\nmodified: "2026-01-15"',
        f'version: "{v}"\nmodified: "2026-02-01"',
    )


# (name, edits of NEW, expected change kinds, required bump)
CASES: list[tuple[str, tuple[tuple[str, ...], ...], list[str], str | None]] = [
    ("nothing", (), [], None),
    ("typo", (_replace(C, "comment il fonctionne", "comment il marche"),), ["edited"], "patch"),
    (
        "translation",
        (_replace(C, "en: Understand the internet", "en: Understanding the internet"),),
        ["relabelled"],
        "patch",
    ),
    ("duration", (_replace(M, "PT2H", "PT2H30M"),), ["edited"], "patch"),
    ("sessions", (_replace(M, "sessions: 2", "sessions: 3"),), ["edited"], "patch"),
    (
        "modality-added",
        (_replace(M, "a-distance]", "a-distance, a-domicile]"),),
        ["edited"],
        "patch",
    ),
    (
        "scheme-title",
        (_replace(S, "Mini référentiel de test", "Petit référentiel"),),
        ["scheme"],
        "patch",
    ),
    (
        "added",
        (
            (
                "write",
                "services/maitriser/utiliser-franceconnect.yaml",
                ADDED.format(version="1.2.0"),
            ),
        ),
        ["added"],
        "minor",
    ),
    (
        "deprecated",
        (
            _replace(
                C,
                "status: active",
                'status: deprecated\ndeprecated_in: "1.2.0"\n'
                "replaced_by: creer-une-adresse-electronique",
            ),
        ),
        ["deprecated"],
        "minor",
    ),
    (
        "mapping-added",
        (_replace(M, 'crcn: ["2.1", "4.1"]', 'crcn: ["2.1", "4.1", "4.2"]'),),
        ["remapped"],
        "minor",
    ),
    (
        "mapping-removed",
        (_replace(M, 'crcn: ["2.1", "4.1"]', 'crcn: ["2.1"]'),),
        ["unmapped"],
        "major",
    ),
    (
        "moved",
        (
            ("rename", A, "services/maitriser/reparer-son-ordinateur.yaml"),
            _replace(
                "services/maitriser/reparer-son-ordinateur.yaml", "level: agir", "level: maitriser"
            ),
            (
                "write",
                "services/agir/autre.yaml",
                ADDED.format(version="2.0.0")
                .replace("utiliser-franceconnect", "autre")
                .replace("MAI-02", "AGI-02")
                .replace("level: maitriser", "level: agir")
                .replace("Se connecter avec FranceConnect", "Autre")
                .replace("Sign in with FranceConnect", "Other"),
            ),
        ),
        ["added", "moved"],
        "major",
    ),
    ("notation", (_replace(M, "notation: MAI-01", "notation: MAI-10"),), ["renotated"], "major"),
    (
        "id-changed",
        (
            ("rename", M, "services/maitriser/ouvrir-une-adresse.yaml"),
            _replace(
                "services/maitriser/ouvrir-une-adresse.yaml",
                "id: creer-une-adresse-electronique",
                "id: ouvrir-une-adresse",
            ),
            _replace(
                D, "replaced_by: creer-une-adresse-electronique", "replaced_by: ouvrir-une-adresse"
            ),
        ),
        ["renamed", "replacement"],
        "major",
    ),
    (
        "removed",
        (
            ("delete", D),
            _replace(
                S,
                "retired:\n",
                'retired:\n  - id: decouvrir-le-courriel\n    retired_in: "2.0.0"\n',
            ),
        ),
        ["removed"],
        "major",
    ),
    (
        "base-iri",
        (_replace(S, "https://example.org/mini/", "https://example.org/autre/"),),
        ["base_iri"],
        "major",
    ),
]


@pytest.mark.parametrize(("name", "edits", "kinds", "bump"), CASES, ids=[c[0] for c in CASES])
def test_classification(
    tmp_path: Path,
    name: str,
    edits: tuple[tuple[str, ...], ...],
    kinds: list[str],
    bump: str | None,
) -> None:
    old_dir = MINI / "referentiel"
    new_dir = tmp_path / "referentiel"
    shutil.copytree(old_dir, new_dir)
    apply_edits(new_dir, edits)
    old, _r1 = load_catalogue(old_dir)
    new, _r2 = load_catalogue(new_dir)
    assert old is not None and new is not None
    result = diff_catalogues(old, new)
    assert sorted(c.kind for c in result.changes) == sorted(kinds)
    assert result.required == bump
    # Version 1.1.0 is kept: it suffices only when nothing needs a bump.
    assert result.version_ok is (bump is None)
    if bump is not None:
        assert "DIFF001" in {d.code for d in result.report.diagnostics}


@pytest.mark.parametrize(
    ("bump", "declared", "ok"),
    [
        ("patch", "1.1.1", True),
        ("patch", "1.2.0", True),
        ("minor", "1.1.1", False),
        ("minor", "1.2.0", True),
        ("minor", "2.0.0", True),
        ("major", "1.9.0", False),
        ("major", "2.0.0", True),
    ],
)
def test_declared_version_is_checked(tmp_path: Path, bump: str, declared: str, ok: bool) -> None:
    edits = {
        "patch": (_replace(C, "comment il fonctionne", "comment il marche"),),
        "minor": (_replace(M, 'crcn: ["2.1", "4.1"]', 'crcn: ["2.1", "4.1", "4.2"]'),),
        "major": (_replace(M, "notation: MAI-01", "notation: MAI-10"),),
    }[bump]
    new_dir = tmp_path / "referentiel"
    shutil.copytree(MINI / "referentiel", new_dir)
    apply_edits(new_dir, (*edits, version(declared)))
    old, _ = load_catalogue(MINI / "referentiel")
    new, _ = load_catalogue(new_dir)
    assert old is not None and new is not None
    result = diff_catalogues(old, new)
    assert result.required == bump
    assert result.version_ok is ok


def test_sessions_given_for_the_first_time_is_a_patch(tmp_path: Path) -> None:
    """A base written before 2.0.0 has no ``sessions``: it loads, and giving the number of
    sessions to every service is an edit (patch), like any other detail of a service."""
    old_dir = tmp_path / "ancien" / "referentiel"
    shutil.copytree(MINI / "referentiel", old_dir)
    apply_edits(
        old_dir,
        tuple(
            _replace(path, line, "")
            for path, line in (
                (C, "sessions: 1\n"),
                (D, "sessions: 1\n"),
                (M, "sessions: 2\n"),
                (A, "sessions: 4\n"),
            )
        ),
    )
    old, report = load_catalogue(old_dir)
    assert old is not None and report.ok
    assert {s.sessions for s in old.services.values()} == {None}
    new, _ = load_catalogue(MINI / "referentiel")
    assert new is not None
    result = diff_catalogues(old, new)
    assert sorted((c.kind, c.id, c.detail) for c in result.changes) == [
        ("edited", "comprendre-internet", "sessions"),
        ("edited", "creer-une-adresse-electronique", "sessions"),
        ("edited", "decouvrir-le-courriel", "sessions"),
        ("edited", "reparer-son-ordinateur", "sessions"),
    ]
    assert result.required == "patch"


def test_removal_needs_a_tombstone(tmp_path: Path) -> None:
    new_dir = tmp_path / "referentiel"
    shutil.copytree(MINI / "referentiel", new_dir)
    apply_edits(new_dir, (("delete", D), version("2.0.0")))
    old, _ = load_catalogue(MINI / "referentiel")
    new, _ = load_catalogue(new_dir)
    assert old is not None and new is not None
    result = diff_catalogues(old, new)
    assert result.version_ok
    assert [d.code for d in result.report.diagnostics] == ["DIFF002"]
    assert not result.ok


def test_added_in_must_be_the_new_version(tmp_path: Path) -> None:
    new_dir = tmp_path / "referentiel"
    shutil.copytree(MINI / "referentiel", new_dir)
    apply_edits(
        new_dir,
        (
            (
                "write",
                "services/maitriser/utiliser-franceconnect.yaml",
                ADDED.format(version="1.1.0"),
            ),
            version("1.2.0"),
        ),
    )
    old, _ = load_catalogue(MINI / "referentiel")
    new, _ = load_catalogue(new_dir)
    assert old is not None and new is not None
    result = diff_catalogues(old, new)
    assert [(d.code, d.span.line) for d in result.report.diagnostics] == [("DIFF003", 5)]


def test_changelog_section(tmp_path: Path) -> None:
    new_dir = tmp_path / "referentiel"
    shutil.copytree(MINI / "referentiel", new_dir)
    apply_edits(
        new_dir,
        (
            (
                "write",
                "services/maitriser/utiliser-franceconnect.yaml",
                ADDED.format(version="1.2.0"),
            ),
            _replace(
                C,
                "status: active",
                'status: deprecated\ndeprecated_in: "1.2.0"\n'
                "replaced_by: creer-une-adresse-electronique",
            ),
            version("1.2.0"),
        ),
    )
    old, _ = load_catalogue(MINI / "referentiel")
    new, _ = load_catalogue(new_dir)
    assert old is not None and new is not None
    text = render_changelog(diff_catalogues(old, new), "2026-02-01")
    assert text.startswith("## [1.2.0] - 2026-02-01\n")
    assert "### Ajouté" in text and "### Déprécié" in text
    assert "`MAI-02` Se connecter avec FranceConnect (`utiliser-franceconnect`)" in text
    assert "creer-une-adresse-electronique" in text


def test_cli_diff_directories(mini: Path, tmp_path: Path, runner: CliRunner) -> None:
    new_dir = tmp_path / "nouveau" / "referentiel"
    shutil.copytree(mini / "referentiel", new_dir)
    apply_edits(new_dir, (_replace(M, 'crcn: ["2.1", "4.1"]', 'crcn: ["2.1", "4.1", "4.2"]'),))
    result = runner.invoke(app, ["catalogue", "diff", str(mini / "referentiel"), str(new_dir)])
    assert result.exit_code == 1, result.output
    assert "DIFF001" in result.output and "1.2.0" in result.output
    apply_edits(new_dir, (version("1.2.0"),))
    result = runner.invoke(app, ["catalogue", "diff", str(mini / "referentiel"), str(new_dir)])
    assert result.exit_code == 0, result.output
    assert "mineure" in result.output
    result = runner.invoke(
        app, ["catalogue", "diff", str(mini / "referentiel"), str(new_dir), "--format", "json"]
    )
    assert result.exit_code == 0
    assert '"required": "minor"' in result.output


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_cli_diff_against_a_git_ref(mini: Path, runner: CliRunner) -> None:
    git(mini, "init", "-q", "-b", "main")
    git(mini, "add", "-A")
    git(mini, "commit", "-q", "-m", "initial")
    added = "services/maitriser/utiliser-franceconnect.yaml"
    apply_edits(mini / "referentiel", (("write", added, ADDED.format(version="1.1.0")),))
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert "referentiel/referentiel.yaml:2:10: error[DIFF001]" in result.output
    apply_edits(mini / "referentiel", (version("1.2.0"),))
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert f"referentiel/{added}:5:11: error[DIFF003]" in result.output
    apply_edits(mini / "referentiel", (_replace(added, '"1.1.0"', '"1.2.0"'),))
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main", "--changelog"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## [1.2.0]")
    result = runner.invoke(app, ["catalogue", "diff", "--base", "pas-une-branche"])
    assert result.exit_code == 2
    assert "pas-une-branche" in result.output
    assert "Traceback" not in result.output


def test_cli_diff_first_version(mini: Path, runner: CliRunner) -> None:
    (mini / "README").write_text("x")
    git(mini, "init", "-q", "-b", "main")
    git(mini, "add", "README")
    git(mini, "commit", "-q", "-m", "initial")
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 0, result.output
    assert "1.1.0" in result.output


def test_diff_of_a_catalogue_with_itself_is_empty(shipped: Path) -> None:
    catalogue, _ = load_catalogue(shipped / "referentiel")
    assert catalogue is not None
    result = diff_catalogues(catalogue, catalogue)
    assert result.changes == [] and result.required is None and result.ok


@pytest.mark.parametrize("ref", ["-x", "--output=base.tar", ""])
def test_cli_diff_base_never_reads_as_an_option(mini: Path, runner: CliRunner, ref: str) -> None:
    git(mini, "init", "-q", "-b", "main")
    result = runner.invoke(app, ["catalogue", "diff", f"--base={ref}"])
    assert result.exit_code == 2, result.output
    assert "n'est pas une référence git" in result.output
    assert not (mini / "base.tar").exists()

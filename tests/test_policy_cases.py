"""``policy test``: reference cases, the decisions they expect, and what makes one flip."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.scoring.cases import gates, run_reference_cases
from tests.conftest import FIXTURES, MINI, REPO

CASES = FIXTURES / "cases-mini"
VALID = CASES / "valid"


def policy_test(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--root", str(MINI), "policy", "test", *args])
    return result.exit_code, result.output


def stricter(tmp_path: Path, old: str, new: str) -> Path:
    """A private copy of the mini policy with one change."""
    text = (MINI / "questionnaire" / "policy.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "politique-privee.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# -- cases that hold --------------------------------------------------------------------------


def test_every_valid_case_keeps_its_decision(runner: CliRunner) -> None:
    code, output = policy_test(runner, "--cases", str(VALID))
    assert code == 0, output
    assert "✓ complet-qualifie" in output
    assert "✓ complet-qualifie    qualifié" in output
    assert "attendu" not in output  # a case that keeps its decision takes one short line
    assert all(len(line) <= 80 for line in output.splitlines())
    assert "Les 3 cas de référence gardent leur décision." in output


def test_the_shipped_cases_keep_their_decision(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--root", str(REPO), "policy", "test"])
    assert result.exit_code == 0, result.output


def test_reviews_of_a_case_are_fresh_and_count() -> None:
    run = run_reference_cases(MINI, cases_dir=VALID)
    by_id = {r.case.id: r for r in run.results}
    reviews = by_id["complet-qualifie"].assessment.reviews
    assert reviews.used == ["alice"] and not reviews.stale
    assert reviews.conflicted == ["bruno"]
    assert run.ok and run.total == 3


def test_json(runner: CliRunner) -> None:
    code, output = policy_test(runner, "--cases", str(VALID), "--format", "json")
    assert code == 0
    payload = json.loads(output)
    assert payload["flipped"] == 0 and payload["total"] == 3
    case = next(c for c in payload["cases"] if c["id"] == "complet-qualifie")
    assert case["expected"] == case["got"] == "qualifie"
    assert case["why"]["en"].startswith("A complete venue")
    assert case["point_changes"] is None


# -- a case that flips ------------------------------------------------------------------------


def test_a_flip_is_reported_with_its_margins(tmp_path: Path, runner: CliRunner) -> None:
    policy = stricter(tmp_path, "  publics: 40", "  publics: 90")
    code, output = policy_test(runner, "--cases", str(VALID), "--policy", str(policy))
    assert code == 1
    assert "✗ complet-qualifie" in output
    assert "complet-qualifie : non qualifié au lieu de qualifié" in output
    assert "pourquoi ce cas : Lieu complet" in output
    assert "raisons de la décision :" in output
    # The gate that failed, and by how much; the ones that passed, with their margin.
    assert "✗ thème Publics : 88,8 % (seuil 90 %, marge −1,2)" in output
    assert "✓ thème Aptitudes : 56,2 % (seuil 50 %, marge +6,2)" in output
    assert "✓ note globale" in output
    assert "1 cas sur 3 change de décision." in output


def test_a_flip_in_json(tmp_path: Path, runner: CliRunner) -> None:
    policy = stricter(tmp_path, "  publics: 40", "  publics: 90")
    code, output = policy_test(
        runner, "--cases", str(VALID), "--policy", str(policy), "--format", "json"
    )
    assert code == 1
    payload = json.loads(output)
    case = next(c for c in payload["cases"] if not c["ok"])
    assert (case["id"], case["expected"], case["got"]) == (
        "complet-qualifie",
        "qualifie",
        "non-qualifie",
    )
    publics = next(g for g in case["gates"] if g["id"] == "publics")
    assert publics["passed"] is False and publics["margin"] == pytest.approx(-1.2)


def test_knockouts_and_floors_are_gates(tmp_path: Path) -> None:
    policy = stricter(
        tmp_path, "overall_threshold: 50", "overall_threshold: 50\npractice:\n  overall: 3.5"
    )
    run = run_reference_cases(MINI, cases_dir=VALID, policy=policy)
    by_id = {r.case.id: r for r in run.results}
    assert not by_id["complet-qualifie"].ok
    floor = next(g for g in gates(by_id["complet-qualifie"].assessment) if g.kind == "practice")
    assert (floor.value, floor.threshold, floor.margin, floor.passed) == (3, 3.5, -0.5, False)
    knockout = gates(by_id["charte-refusee"].assessment)[0]
    assert knockout.kind == "knockout" and not knockout.passed


def test_a_flip_shows_the_points_changed_since_a_git_reference(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(VALID, root / "questionnaire" / "cases")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    policy = root / "questionnaire" / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(
        text.replace(
            "theme_thresholds:", "item_weights:\n  pub-aller-vers: 0\ntheme_thresholds:"
        ).replace("  publics: 40", "  publics: 86"),
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["policy", "test", "--base", "HEAD"])
    assert result.exit_code == 1, result.output
    assert "points changés depuis HEAD :" in result.output
    assert "pub-aller-vers (Allez-vous vers les publics ?) : 2/2 → 0/0" in result.output
    # Without --base, no comparison.
    plain = runner.invoke(app, ["policy", "test"])
    assert "points changés" not in plain.output
    # An unknown reference cannot run.
    unknown = runner.invoke(app, ["policy", "test", "--base", "nulle-part"])
    assert unknown.exit_code == 2
    assert "nulle-part" in unknown.output


# -- the command cannot run -------------------------------------------------------------------


def test_no_cases_folder_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    code, output = policy_test(runner, "--cases", str(tmp_path / "absent"))
    assert code == 2
    assert "n'existe pas" in output


def test_an_empty_cases_folder_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    code, _output = policy_test(runner, "--cases", str(tmp_path))
    assert code == 2


# -- one failing fixture per code -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "where", "words"),
    [
        ("CAS001", "CAS001/sans-cas: error[CAS001]", "n'a pas de cas.yaml"),
        ("CAS002", "CAS002/Cas_Invalide: error[CAS002]", "cas-invalide"),
        ("CAS003", "note-inconnue/cas.yaml:9:7: error[CAS003]", "apt-connexion"),
        ("CAS004", "relecteur-double/cas.yaml:9:15: error[CAS004]", "alice"),
    ],
)
def test_case_file_errors(runner: CliRunner, code: str, where: str, words: str) -> None:
    exit_code, output = policy_test(runner, "--cases", str(CASES / code))
    assert exit_code == 1, output
    assert where in output
    assert words in output
    assert "1 cas ne peut pas être rejoué" in output


def test_cas005_is_a_warning(runner: CliRunner) -> None:
    exit_code, output = policy_test(runner, "--cases", str(CASES / "CAS005"))
    assert exit_code == 0, output
    assert "note-inutile/cas.yaml:8:7: warning[CAS005]" in output
    assert "pub-aller-vers-detail" in output


def test_a_stray_file_is_cas001(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "cas"
    shutil.copytree(VALID, folder)
    (folder / "notes.txt").write_text("brouillon", encoding="utf-8")
    (folder / "complet-qualifie" / "cas.yml").write_text("decision: qualifie", encoding="utf-8")
    (folder / "README.md").write_text("# Cas", encoding="utf-8")  # documents the folder
    exit_code, output = policy_test(runner, "--cases", str(folder))
    assert exit_code == 1
    assert output.count("error[CAS001]") == 2
    assert "README" not in output


def test_a_broken_case_file_is_located(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "cas"
    shutil.copytree(VALID / "complet-en-attente", folder / "complet-en-attente")
    path = folder / "complet-en-attente" / "cas.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("en-attente-de-revue", "peut-etre"))
    exit_code, output = policy_test(runner, "--cases", str(folder))
    assert exit_code == 1
    assert "cas.yaml:1:11: error[SCH003]" in output

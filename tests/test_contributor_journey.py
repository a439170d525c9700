"""A contributor adds a service with the classic mistakes and is told everything, on their own
file, at once: schema errors do not hide the rules across files, every diagnostic comes with
a hint, ``catalogue diff`` runs on a catalogue it can read, and a release without its date
(``modified``) or its changelog section is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.codes import CODES, HINTS, code_hint
from aptic_qualif.diagnostics import Diagnostic, Span
from aptic_qualif.i18n import use_language
from aptic_qualif.referentiel.check import validate_catalogue
from tests.conftest import REPO
from tests.test_touched import commit_all, errors, git

NEW = "referentiel/services/maitriser/faire-une-pre-demande-de-titre-d-identite.yaml"
DRAFT = """\
id: faire-une-pre-demande-de-titre-d-identite
notation: MAI-13
level: maitrise
status: active
added_in: "3.1.0"
pref_label:
  fr: Faire une pré-demande de titre d'identité
  en: Pre-apply for an identity document
definition:
  fr: La personne remplit la pré-demande de carte d'identité sur le site de l'ANTS.
  en: The person fills in the pre-application for an identity card on the ANTS site.
modalities: [individuel]
typical_duration: PT1H
sessions: 1
mappings:
  lieux_services:
    - Maitrise des outils numeriques du quotidien
  crcn: [2.4]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped référentiel in a git repository (``main``), the current folder."""
    root = tmp_path / "projet"
    shutil.copytree(REPO / "referentiel", root / "referentiel")
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root)
    return root


def test_a_schema_error_hides_no_other_error_of_the_file(project: Path) -> None:
    (project / NEW).write_text(DRAFT, encoding="utf-8")
    _catalogue, report = validate_catalogue(project / "referentiel")
    found = {(d.code, d.span.file) for d in report.errors}
    assert found == {
        (code, NEW) for code in ("SCH003", "REF003", "REF007", "REF018", "REF019", "REF025")
    }
    (notation,) = [d for d in report.errors if d.code == "REF003"]
    assert notation.hint == "la prochaine notation libre est MAI-25"  # MAI-24 is taken


def test_a_file_missing_a_required_field_is_not_guessed(project: Path) -> None:
    """Nothing is made up: without its ``id``, the file is left out of the rules across
    files (only its schema error is reported)."""
    (project / NEW).write_text(DRAFT.replace("id: faire", "ident: faire"), encoding="utf-8")
    _catalogue, report = validate_catalogue(project / "referentiel")
    assert {d.code for d in report.errors} == {"SCH001", "SCH002", "SCH003"}


def test_every_code_has_a_hint_in_both_languages() -> None:
    assert set(HINTS) == set(CODES)
    for code in CODES:
        with use_language("en"):
            english = code_hint(code)
        with use_language("fr"):
            french = code_hint(code)
        assert english and french and english != french, code


def test_a_diagnostic_without_a_hint_of_its_own_shows_its_codes() -> None:
    bare = Diagnostic.error("REF021", Span("referentiel/referentiel.yaml", 3, 1), "x")
    with use_language("fr"):
        assert bare.render().endswith("= conseil : gardez au moins un service actif par niveau")
        assert bare.to_json()["hint"] == "gardez au moins un service actif par niveau"
    assert bare.hint_in_a_form is None  # a form shows only hints written for it


def test_ref019_says_which_version_to_declare(project: Path) -> None:
    fixed = DRAFT.replace("MAI-13", "MAI-25").replace("maitrise\n", "maitriser\n")
    fixed = fixed.replace(
        "[2.4]", '["2.4"]\n  coop_thematiques: [aide_aux_demarches_administratives]'
    )
    fixed = fixed.replace("Maitrise des outils numeriques", "Maîtrise des outils numériques")
    (project / NEW).write_text(fixed, encoding="utf-8")
    _catalogue, report = validate_catalogue(project / "referentiel")
    (problem,) = report.errors
    assert problem.code == "REF019"
    assert problem.hint is not None and 'version: "3.1.0"' in problem.hint


def _release(project: Path, *, version: str, modified: str | None = None) -> None:
    scheme = project / "referentiel" / "referentiel.yaml"
    text = scheme.read_text(encoding="utf-8").replace('version: "3.0.0"', f'version: "{version}"')
    if modified is not None:
        text = text.replace('modified: "2026-12-07"', f'modified: "{modified}"')
    scheme.write_text(text, encoding="utf-8")


def test_diff_runs_on_a_catalogue_it_can_read_and_asks_for_the_release(
    project: Path,
) -> None:
    runner = CliRunner()
    fixed = DRAFT.replace("MAI-13", "MAI-25").replace("maitrise\n", "maitriser\n")
    fixed = fixed.replace(
        "[2.4]", '["2.4"]\n  coop_thematiques: [aide_aux_demarches_administratives]'
    )
    fixed = fixed.replace("Maitrise des outils numeriques", "Maîtrise des outils numériques")
    (project / NEW).write_text(fixed, encoding="utf-8")
    # the version is not bumped: REF019, and the diff says which version the change needs
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 1, result.output
    codes = {line.split("error[", 1)[1].split("]", 1)[0] for line in errors(result.output)}
    assert codes == {"REF019", "DIFF001", "DIFF003", "DIFF004"}
    assert "[mineure] ajouté : MAI-25" in result.output
    # bumped, but neither the date nor the changelog
    _release(project, version="3.1.0")
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert [line.split(": error")[0] for line in errors(result.output)] == [
        "referentiel/CHANGELOG.md:20:1",
        "referentiel/referentiel.yaml:4:11",
    ]
    assert "error[DIFF005]" in result.output and "error[DIFF004]" in result.output
    # the changelog section comes with the release's date, once modified says it
    _release(project, version="3.1.0", modified="2026-12-10")
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main", "--changelog"])
    assert result.exit_code == 1  # not in the changelog yet: said on standard error
    section = result.stdout
    assert section.startswith("## [3.1.0] - 2026-12-10\n")
    changelog = project / "referentiel" / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    head, sep, rest = text.partition("## [3.0.0]")
    changelog.write_text(head + section + "\n" + sep + rest, encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "diff", "--base", "main"])
    assert result.exit_code == 0, result.output

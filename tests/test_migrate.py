"""``apply migrate``: applications and reviews of questionnaire 2.0.0 brought to 3.0.0.

The fixtures are two example applications and the reviews of one, as they were under 2.0.0."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.questionnaire.migrate import (
    STEPS,
    migrate_application,
    migrate_review,
    migrated_text,
)
from aptic_qualif.review.load import load_reviews
from aptic_qualif.scoring.assess import assess_files
from tests.conftest import FIXTURES, REPO

SOURCE = FIXTURES / "migration-2.0.0"
QUESTIONNAIRE = "qualification-lieux-mediation"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "reseau"
    shutil.copytree(SOURCE, target)
    return target


def migrate(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--root", str(REPO), "apply", "migrate", *args])
    return result.exit_code, result.output


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- the data -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seniors", "young", "merged"),
    [
        (["aucune"], ["demarches-jeunes"], ["demarches-jeunes"]),
        (["aucune"], ["aucune"], ["aucune"]),
        (["ateliers-dedies"], None, ["ateliers-dedies"]),
        (
            ["lien-avec-les-proches"],
            ["outils-scolaires"],
            ["lien-avec-les-proches", "outils-scolaires"],
        ),
    ],
)
def test_older_and_younger_publics_merge_into_one_question(
    seniors: list[str], young: list[str] | None, merged: list[str]
) -> None:
    answers: dict[str, object] = {"cs-seniors": seniors}
    if young is not None:
        answers["cs-jeunes-parents"] = young
    data = {
        "questionnaire": f"{QUESTIONNAIRE}@2.0.0",
        "reponses": answers,
        "preuves": {"cs-seniors": ["convention-ehpad.pdf"]},
    }
    migrated = migrate_application(data, QUESTIONNAIRE, "3.0.0")
    result = migrated.data["reponses"]
    assert result["cs-ages-de-la-vie"] == merged
    assert "cs-seniors" not in result and "cs-jeunes-parents" not in result
    # Nothing is dropped: the answers live on in the merged question, with their evidence.
    assert "cs-seniors" not in migrated.dropped and "cs-jeunes-parents" not in migrated.dropped
    assert migrated.data["preuves"] == {"cs-ages-de-la-vie": ["convention-ehpad.pdf"]}


def test_a_recent_training_becomes_an_option_of_the_trainings() -> None:
    data = {
        "questionnaire": f"{QUESTIONNAIRE}@2.0.0",
        "reponses": {
            "apt-formations-mediateurs": ["aucune"],
            "apt-formation-recente": True,
            "ter-partenaires-locaux": 4,
        },
    }
    migrated = migrate_application(data, QUESTIONNAIRE, "3.0.0")
    answers = migrated.data["reponses"]
    assert answers["apt-formations-mediateurs"] == ["formation-continue-annee"]
    assert "apt-formation-recente" not in answers
    # A count of partners is retired; the answer is kept in the file as a comment.
    assert "ter-partenaires-locaux" not in answers
    assert migrated.dropped["ter-partenaires-locaux"] == 4


def test_answers_move_and_retired_ones_are_dropped() -> None:
    data = read(SOURCE / "applications" / "bus-numerique-corse.yaml")
    migrated = migrate_application(data, QUESTIONNAIRE, "3.0.0")
    answers = migrated.data["reponses"]
    assert migrated.data["questionnaire"] == f"{QUESTIONNAIRE}@3.0.0"
    assert "wifi-public" in answers["apt-equipements-complementaires"]
    assert answers["cs-faire-pour-autrui"] == "aidants-connect"
    # The evidence of the Aidants Connect authorisation follows the answer.
    assert migrated.data["preuves"]["cs-faire-pour-autrui"] == [
        "habilitation-aidants-connect-strada-numerica.pdf"
    ]
    assert "cs-aidants-connect" not in migrated.data["preuves"]
    for retired in STEPS[0].retired:
        assert retired not in answers
    # What the venue wrote is kept for memory; what moved is not repeated there.
    assert "pub-adaptation-eloignes" in migrated.dropped
    assert "apt-wifi-public" not in migrated.dropped
    assert "pub-acces-pass" in migrated.to_answer
    # The input is left as it was.
    assert data["reponses"]["apt-wifi-public"] is True


def test_an_exclusive_none_is_replaced_by_the_moved_option() -> None:
    data = {
        "questionnaire": f"{QUESTIONNAIRE}@2.0.0",
        "reponses": {"cs-langues": ["aucune"], "cs-interpretariat": True},
    }
    migrated = migrate_application(data, QUESTIONNAIRE, "3.0.0")
    assert migrated.data["reponses"]["cs-langues"] == ["interpretariat"]


def test_an_application_already_current_or_of_another_questionnaire_is_left_alone() -> None:
    current = {"questionnaire": f"{QUESTIONNAIRE}@3.0.0", "reponses": {"x": 1}}
    assert not migrate_application(current, QUESTIONNAIRE, "3.0.0").changed
    other = {"questionnaire": "autre-questionnaire@2.0.0", "reponses": {"x": 1}}
    assert not migrate_application(other, QUESTIONNAIRE, "3.0.0").changed
    unknown = {"questionnaire": f"{QUESTIONNAIRE}@0.9.0", "reponses": {"x": 1}}
    assert not migrate_application(unknown, QUESTIONNAIRE, "3.0.0").changed


def test_a_review_keeps_its_scores_of_unchanged_answers() -> None:
    data = read(SOURCE / "reviews" / "bus-numerique-corse" / "claire-martin.yaml")
    migrated = migrate_review(data, "2.0.0", "3.0.0")
    assert set(migrated.dropped) == {"pub-adaptation-eloignes", "inn-participation-usagers"}
    assert "apt-demarche-pedagogique" in migrated.data["scores"]
    assert "pub-adaptation-eloignes" not in migrated.data["reviewed"]["items"]


# -- the text ---------------------------------------------------------------------------------


def test_the_text_keeps_its_comments_and_reads_back_as_the_data() -> None:
    text = (SOURCE / "applications" / "bus-numerique-corse.yaml").read_text(encoding="utf-8")
    migrated = migrate_application(yaml.safe_load(text), QUESTIONNAIRE, "3.0.0")
    out = migrated_text(text, migrated)
    assert out.startswith(text.splitlines(keepends=True)[0])
    assert "# ── 2/5 Publics ──" in out  # a comment inside the answers is kept
    assert yaml.safe_load(out) == migrated.data
    # The essay of a retired question stays in the file, as a comment.
    assert "# pub-adaptation-eloignes:" in out
    assert "#   Dans les villages, beaucoup de personnes âgées" in out
    # The moved option is written as the file writes its lists.
    assert "    - wifi-public\n" in out


def test_an_unusual_layout_is_written_from_the_data(tmp_path: Path) -> None:
    text = (
        "# Une candidature écrite à la main.\n"
        f"{{questionnaire: '{QUESTIONNAIRE}@2.0.0', reponses: {{apt-wifi-public: true, "
        "apt-equipements-complementaires: [imprimante], pub-pass-numerique: false}}\n"
    )
    migrated = migrate_application(yaml.safe_load(text), QUESTIONNAIRE, "3.0.0")
    out = migrated_text(text, migrated)
    assert out.startswith("# Une candidature écrite à la main.\n")
    assert yaml.safe_load(out) == migrated.data


@settings(max_examples=40, deadline=None)
@given(
    wifi=st.booleans(),
    interpreting=st.booleans(),
    languages=st.lists(st.sampled_from(["anglais", "arabe", "turc"]), unique=True),
)
def test_migrating_twice_changes_nothing_more(
    wifi: bool, interpreting: bool, languages: list[str]
) -> None:
    data = {
        "questionnaire": f"{QUESTIONNAIRE}@2.0.0",
        "reponses": {
            "apt-wifi-public": wifi,
            "cs-interpretariat": interpreting,
            "cs-langues": languages or ["aucune"],
            "apt-equipements-complementaires": ["aucun"],
        },
    }
    once = migrate_application(data, QUESTIONNAIRE, "3.0.0")
    again = migrate_application(once.data, QUESTIONNAIRE, "3.0.0")
    assert not again.changed and again.data == once.data
    answers = once.data["reponses"]
    assert ("wifi-public" in answers["apt-equipements-complementaires"]) is wifi
    assert ("interpretariat" in answers["cs-langues"]) is interpreting
    # An exclusive « none » never stays beside another choice.
    for item, none in (("cs-langues", "aucune"), ("apt-equipements-complementaires", "aucun")):
        assert none not in answers[item] or answers[item] == [none]


# -- the command ------------------------------------------------------------------------------


def test_without_force_nothing_is_written(folder: Path, runner: CliRunner) -> None:
    before = {p: p.read_bytes() for p in folder.rglob("*.yaml")}
    code, output = migrate(
        runner, str(folder / "applications"), "--reviews", str(folder / "reviews")
    )
    assert code == 0, output
    assert "questionnaire 2.0.0 → 3.0.0" in output
    assert "2 candidature(s) et 2 relecture(s) à mettre à jour" in output
    assert "relancez avec --force" in output
    assert "pub-acces-pass" in output  # a new question to answer, with its label
    assert {p: p.read_bytes() for p in folder.rglob("*.yaml")} == before


def test_force_migrates_and_the_reviews_still_count(folder: Path, runner: CliRunner) -> None:
    code, output = migrate(
        runner, str(folder / "applications"), "--reviews", str(folder / "reviews"), "--force"
    )
    assert code == 0, output
    assert "2 candidature(s) et 2 relecture(s) mises à jour." in output
    application = folder / "applications" / "bus-numerique-corse.yaml"
    assert read(application)["questionnaire"] == f"{QUESTIONNAIRE}@3.0.0"
    # The reviews of unchanged answers are still fresh: the venue only answers the new
    # questions, it is not reviewed again.
    context = load_context(REPO, need_policy=True)
    reviews, report = load_reviews(folder / "reviews", context.questionnaire)
    assert report.ok, report.render_text()
    assessed = assess_files([application], context, reviews, folder / "reviews").assessments[0]
    assert sorted(assessed.reviews.used) == ["claire-martin", "fatou-diallo"]
    assert assessed.reviews.stale == []
    assert assessed.decision == "a-completer"  # the new required questions
    code, output = migrate(
        runner, str(folder / "applications"), "--reviews", str(folder / "reviews"), "--force"
    )
    assert code == 0 and "Rien à mettre à jour." in output


def test_one_bad_file_is_reported_and_the_others_migrated(folder: Path, runner: CliRunner) -> None:
    (folder / "applications" / "dossier.yaml").mkdir()
    code, output = migrate(runner, str(folder / "applications"), "--force")
    assert code == 1
    assert "dossier.yaml" in output
    assert "Traceback" not in output
    assert read(folder / "applications" / "bus-numerique-corse.yaml")["questionnaire"].endswith(
        "@3.0.0"
    )


def test_the_shipped_examples_and_cases_are_current(runner: CliRunner) -> None:
    code, output = migrate(runner, str(REPO / "examples" / "applications"))
    assert code == 0 and "Rien à mettre à jour." in output
    for path in (REPO / "questionnaire" / "cases").glob("*/candidature.yaml"):
        assert read(path)["questionnaire"] == f"{QUESTIONNAIRE}@3.0.0", path


@pytest.mark.parametrize(
    "text",
    [
        "questionnaire: qualification-lieux-mediation@2.0.0\nreponses: [1, 2]\n",
        "questionnaire: qualification-lieux-mediation@2.0.0\nlieu: texte\n",
        "questionnaire: qualification-lieux-mediation@2.0.0\npreuves: {cs-aidants-connect: x}\n",
    ],
)
def test_a_file_that_is_not_an_application_is_left_alone(
    tmp_path: Path, runner: CliRunner, text: str
) -> None:
    path = tmp_path / "bizarre.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = migrate(runner, str(path), "--force")
    assert code == 0, output
    assert "Rien à mettre à jour." in output and "Traceback" not in output
    assert path.read_text(encoding="utf-8") == text


def test_a_file_with_a_yaml_error_is_reported_not_migrated(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = tmp_path / "double.yaml"
    text = (
        "questionnaire: qualification-lieux-mediation@2.0.0\n"
        "reponses:\n  apt-wifi-public: true\n  apt-wifi-public: false\n"
    )
    path.write_text(text, encoding="utf-8")
    code, output = migrate(runner, str(path), "--force")
    assert code == 1
    assert "error[YAML002]" in output
    assert path.read_text(encoding="utf-8") == text

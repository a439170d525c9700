"""Answers derived from other answers: asked once, counted everywhere, checked when written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.editing import prune
from aptic_qualif.network.export import export_lieux
from aptic_qualif.questionnaire.derive import asked, derived_value
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.yamlio import load_yaml
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "applications" / "association-les-cles-du-plateau.yaml"


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO, need_policy=True)


def edited(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / EXAMPLE.name
    path.write_text(text, encoding="utf-8")
    return path


def check(context: Context, path: Path) -> CheckedApplication:
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None, report.render_text()
    return checked


def codes(checked: CheckedApplication) -> list[str]:
    return [d.code for d in checked.report.diagnostics]


def test_the_commune_follows_from_its_insee_code(context: Context, tmp_path: Path) -> None:
    path = edited(tmp_path, ("  commune: Felletin\n", ""))
    checked = check(context, path)
    assert checked.answers["commune"] == "Felletin"
    assert "commune" in checked.derived and "commune" not in checked.asked
    assert checked.report.ok, checked.report.render_text()
    # The national export carries it like a written answer.
    result = export_lieux([path], context, include_all=True)
    assert [row["commune"] for row in result.rows] == ["Felletin"]


def test_no_insee_code_is_one_error_not_two(context: Context, tmp_path: Path) -> None:
    path = edited(tmp_path, ("  commune: Felletin\n", ""), ('  code_insee: "23079"\n', ""))
    checked = check(context, path)
    missing = [d for d in checked.report.diagnostics if d.code == "APP005"]
    assert [d.message for d in missing if "commune" in d.message.split("(")[0]] == []
    assert any("code_insee" in d.message for d in missing)
    assert "commune" not in checked.answers


def test_a_written_commune_is_kept_and_checked(context: Context, tmp_path: Path) -> None:
    kept = check(context, EXAMPLE)
    assert kept.answers["commune"] == "Felletin" and "commune" not in kept.derived
    wrong = check(context, edited(tmp_path, ("  commune: Felletin\n", "  commune: Aubusson\n")))
    assert not wrong.report.ok
    assert wrong.answers["commune"] == "Aubusson"


def test_referrals_with_a_form_are_asked_once(context: Context, tmp_path: Path) -> None:
    item = context.questionnaire.by_id["pub-outil-orientation"].item
    assert derived_value(item, {"modalites_acces": ["fiche-prescription"]}) is True
    assert derived_value(item, {"modalites_acces": ["se-presenter"]}) is False
    assert derived_value(item, {}) is None
    scorer = Scorer(context.catalogue, context.questionnaire, context.policy)

    def point(path: Path) -> float:
        checked = check(context, path)
        lines = {line.item: line for line in scorer.assess(checked).lines}
        return lines["pub-outil-orientation"].points

    without = ("  pub-outil-orientation: true\n", "")
    assert point(edited(tmp_path, without)) == 0
    with_form = (
        "    - telephoner\n  modalites_accompagnement:",
        "    - telephoner\n    - fiche-prescription\n  modalites_accompagnement:",
    )
    assert point(edited(tmp_path, without, with_form)) == 1
    # A written answer stays the venue's word, as before the rule.
    assert point(EXAMPLE) == 1


def test_no_front_asks_a_derived_question(context: Context, tmp_path: Path) -> None:
    items = [located.item for located in context.questionnaire.items]
    shown = asked(items, {})
    assert "commune" not in shown and "pub-outil-orientation" not in shown
    assert "code_insee" in shown and "modalites_acces" in shown
    # The web form puts a written commune aside: the code decides it from then on.
    data = load_yaml(EXAMPLE, "x")[0].data  # type: ignore[union-attr]
    aside = [located.id for located in prune(data, context.questionnaire)]
    assert "commune" in aside and "commune" not in data["lieu"]
    # A written answer that differs from what follows stays asked, and kept: this venue says
    # it uses a referral tool, though its ways in do not say so.
    assert data["reponses"]["pub-outil-orientation"] is True
    assert "fiche-prescription" not in data["lieu"]["modalites_acces"]
    assert "pub-outil-orientation" not in aside
    checked = check(context, EXAMPLE)
    assert "pub-outil-orientation" in checked.asked and "commune" not in checked.asked


def test_the_template_says_a_derived_answer_is_left_empty(
    runner: CliRunner, tmp_path: Path
) -> None:
    answers = tmp_path / "reponses.yaml"
    result = runner.invoke(app, ["--root", str(REPO), "apply", "template", "-o", str(answers)])
    assert result.exit_code == 0, result.output
    text = answers.read_text(encoding="utf-8")
    before_commune = text.split("\n  commune:")[0].rsplit("\n  code_postal:", 1)[1]
    assert "déduit de « code_insee », à laisser vide" in before_commune
    assert "obligatoire" not in before_commune

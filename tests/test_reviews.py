"""Reviews: the interactive review, loading, staleness and the agreement summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.review.load import load_reviews
from aptic_qualif.review.workflow import agreement, review_application, summarize
from tests.test_fill import Scripted

F = "applications/complet.yaml"


def _review(mini: Path, reviewer: str, score: int, conflict: bool = False) -> Path:
    ctx = load_context(mini, need_policy=True)
    checked, _ = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    answers: list[object] = [conflict]
    if conflict:
        answers.append("Je suis bénévole dans ce lieu.")
    answers += [score, "Des actions régulières et décrites.", "qualifier"]
    prompter = Scripted(answers)
    path = review_application(
        checked, ctx.questionnaire, reviewer, prompter, mini / "reviews", today=date(2026, 11, 20)
    )
    assert prompter.answers == []
    assert any("Un exemple d'action." in said for said in prompter.said)  # the evidence
    return path


def test_review_is_saved_with_the_application_digest(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    assert path == mini / "reviews" / "complet" / "alice.yaml"
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert report.diagnostics == []
    (review,) = reviews
    assert review.scores["pub-aller-vers-detail"].score == 3
    assert review.date == date(2026, 11, 20)
    with pytest.raises(CommandError):
        _review(mini, "alice", 2)  # never overwritten without --force


def test_assess_with_reviews_and_a_stale_one(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 1)
    _review(mini, "carole", 4, conflict=True)
    result = runner.invoke(app, ["assess", F, "--reviews", "reviews", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"decision": "qualifie"' in result.output
    assert "REV004" in result.output
    # The application changes: every review of it becomes stale.
    path = mini / F
    path.write_text(
        path.read_text(encoding="utf-8").replace("apt-mediateurs: 2", "apt-mediateurs: 3")
    )
    result = runner.invoke(app, ["assess", F, "--reviews", "reviews", "-f", "json"])
    assert '"decision": "en-attente-de-revue"' in result.output
    assert "REV003" in result.output
    result = runner.invoke(
        app, ["assess", F, "--reviews", "reviews", "-f", "json", "--fail-on", "en-attente-de-revue"]
    )
    assert result.exit_code == 1


def test_misfiled_review(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    path.rename(path.with_name("bob.yaml"))
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert reviews == [] and [d.code for d in report.diagnostics] == ["REV001"]


def test_unrated_item(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    path.write_text(
        path.read_text(encoding="utf-8").replace("pub-aller-vers-detail:", "apt-connexion:"),
        encoding="utf-8",
    )
    ctx = load_context(mini, need_policy=True)
    _reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert [d.code for d in report.diagnostics] == ["REV002"]


def test_summary(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 1)
    result = runner.invoke(app, ["review", "summary", "reviews", "--applications", "applications"])
    assert result.exit_code == 0, result.output
    assert "pub-aller-vers-detail : 2 (alice=3, bob=1)" in result.output
    assert "⚠" in result.output
    ctx = load_context(mini, need_policy=True)
    reviews, _ = load_reviews(mini / "reviews", ctx.questionnaire)
    summary = summarize(reviews, ctx.questionnaire, ctx.policy, {"complet": "0" * 64})
    assert summary.applications[0].stale == ["alice", "bob"]


def test_krippendorff_alpha() -> None:
    perfect = {
        ("a", "x"): {"r1": 1, "r2": 1},
        ("b", "x"): {"r1": 3, "r2": 3},
        ("c", "x"): {"r1": 4, "r2": 4},
    }
    assert agreement(perfect) == 1.0
    opposed = {
        ("a", "x"): {"r1": 0, "r2": 4},
        ("b", "x"): {"r1": 4, "r2": 0},
        ("c", "x"): {"r1": 2, "r2": 2},
    }
    value = agreement(opposed)
    assert value is not None and value < 0
    assert agreement({("a", "x"): {"r1": 1}}) is None


def test_review_needs_a_terminal_and_a_reviewer(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["review", F])
    assert result.exit_code == 2 and "--reviewer" in result.output
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"], input="")
    assert result.exit_code == 2 and "terminal" in result.output

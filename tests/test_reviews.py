"""Reviews: the interactive review, loading, staleness and the agreement summary."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.review.load import load_reviews
from aptic_qualif.review.workflow import agreement, review_application, sample, summarize
from aptic_qualif.yamlio import load_yaml
from tests.test_fill import Scripted

F = "applications/complet.yaml"
ITEM = "pub-aller-vers-detail"
LONG_STEP = (
    "Des actions régulières, décrites avec leurs lieux, leurs horaires et leurs partenaires, "
    "dont le lieu suit la fréquentation et qu'il ajuste au fil des mois en fonction de ce que "
    "les personnes rencontrées lui disent de leurs besoins et de leurs contraintes."
)


def _script(score: int, conflict: bool = False, comment: str = "") -> list[object]:
    """The answers of a review: conflict first, then (without one) score, comments, etc."""
    if conflict:
        return [True, "Je suis bénévole dans ce lieu."]
    return [
        False,
        score,
        comment or "Des actions régulières et décrites.",
        "qualifier",
        "Une candidature solide. Le suivi reste à préciser.",
    ]


def _review(mini: Path, reviewer: str, score: int, conflict: bool = False, **kw: Any) -> Path:
    ctx = load_context(mini, need_policy=True)
    checked, _ = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    prompter = Scripted(_script(score, conflict, **kw))
    path = review_application(
        checked, ctx.questionnaire, reviewer, prompter, mini / "reviews", today=date(2026, 11, 20)
    )
    assert prompter.answers == []
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_review_is_saved_with_what_it_reviewed(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    assert path == mini / "reviews" / "complet" / "alice.yaml"
    saved = path.read_text(encoding="utf-8")
    assert "application_sha256" not in saved
    doc, _problems = load_yaml(path, "alice.yaml")
    assert doc is not None
    assert set(doc.data["reviewed"]) == {"identity", "items", "answers"}
    assert list(doc.data["reviewed"]["items"]) == [ITEM]
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert report.diagnostics == []
    (review,) = reviews
    assert review.scores[ITEM].score == 3
    assert review.scores[ITEM].comment == "Des actions régulières et décrites."
    assert review.recommendation == "qualifier"
    assert review.comment == "Une candidature solide. Le suivi reste à préciser."
    assert review.date == date(2026, 11, 20)
    with pytest.raises(CommandError):
        _review(mini, "alice", 2)  # never overwritten without --force


def test_the_reviewer_reads_everything_in_full_before_scoring(mini: Path) -> None:
    _edit(
        mini / "questionnaire" / "themes" / "publics.yaml",
        "{score: 3, description: {fr: Des actions régulières.}}",
        f'{{score: 3, description: {{fr: "{LONG_STEP}"}}}}',
    )
    with (mini / F).open("a", encoding="utf-8") as handle:
        handle.write(f"preuves:\n  {ITEM}: [https://example.org/permanences, planning.pdf]\n")
    ctx = load_context(mini, need_policy=True)
    checked, report = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None and report.ok, report.render_text()
    prompter = Scripted(_script(3))
    review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    said = "\n".join(prompter.said)
    assert f"3 — {LONG_STEP}" in said  # the whole anchor, never cut
    for step in ("0 — Rien de concret.", "1 — Une intention.", "4 — Une stratégie évaluée."):
        assert step in said
    assert "Comment allez-vous vers les publics ?" in said
    assert "Des permanences hebdomadaires au centre social et au marché." in said  # the answer
    assert "Un exemple d'action." in said  # the evidence expected
    assert "https://example.org/permanences" in said and "planning.pdf" in said  # given
    # The conflict question comes before anything about the answers.
    assert prompter.asked[0].startswith("Avez-vous un lien avec ce lieu")
    assert prompter.asked[1:] == [
        "Note (de 0 à 4)",
        "Commentaire (Entrée pour passer)",
        "Recommandation",
        prompter.asked[-1],
    ]
    assert "commentaire d'ensemble" in prompter.asked[-1].lower()


def test_a_conflicted_reviewer_is_not_asked_to_score(mini: Path) -> None:
    path = _review(mini, "carole", 0, conflict=True)
    doc, _problems = load_yaml(path, "carole.yaml")
    assert doc is not None
    assert doc.data["conflict_of_interest"] is True
    assert doc.data["conflict_details"] == "Je suis bénévole dans ce lieu."
    assert "scores" not in doc.data and "recommendation" not in doc.data
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert report.diagnostics == [] and reviews[0].scores == {}


def test_the_overall_comment_is_required(mini: Path) -> None:
    ctx = load_context(mini, need_policy=True)
    checked, _ = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    answers = _script(2)
    answers.insert(-1, "   ")  # an empty overall comment is refused
    prompter = Scripted(answers)
    review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    assert "refused:    " in prompter.said


def test_an_old_review_still_loads_and_is_stale(mini: Path, runner: CliRunner) -> None:
    folder = mini / "reviews" / "complet"
    folder.mkdir(parents=True)
    (folder / "sophie.yaml").write_text(
        "application: complet\n"
        f"application_sha256: {'a' * 64}\n"
        "reviewer: sophie\n"
        'date: "2026-11-01"\n'
        "conflict_of_interest: false\n"
        f"scores:\n  {ITEM}: {{score: 2}}\n",
        encoding="utf-8",
    )
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert report.diagnostics == [] and reviews[0].application_sha256 == "a" * 64
    result = runner.invoke(app, ["review", "summary", "reviews", "--applications", "applications"])
    assert result.exit_code == 0, result.output
    assert "sophie : cette relecture est antérieure aux empreintes par réponse" in result.output


def test_a_review_that_records_nothing_reviewed(mini: Path, runner: CliRunner) -> None:
    folder = mini / "reviews" / "complet"
    folder.mkdir(parents=True)
    (folder / "sophie.yaml").write_text(
        "application: complet\nreviewer: sophie\ndate: 2026-11-01\nconflict_of_interest: false\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["review", "summary", "reviews"])
    assert result.exit_code == 1
    assert "reviews/complet/sophie.yaml:1:1: error[SCH001]: champ requis manquant « reviewed »" in (
        result.output
    )


def test_assess_with_reviews_and_a_stale_one(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 1)
    _review(mini, "carole", 4, conflict=True)
    result = runner.invoke(app, ["assess", F, "--reviews", "reviews", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"decision": "qualifie"' in result.output
    assert "REV004" in result.output
    # An answer the reviewers do not rate changes: the reviews still count.
    _edit(mini / F, "apt-mediateurs: 2", "apt-mediateurs: 3")
    result = runner.invoke(app, ["assess", F, "--reviews", "reviews", "-f", "json"])
    assert '"decision": "qualifie"' in result.output and "REV003" not in result.output
    # The rated answer changes: every review of it becomes stale.
    _edit(mini / F, "au centre social", "à la mairie")
    result = runner.invoke(app, ["assess", F, "--reviews", "reviews", "-f", "json"])
    assert '"decision": "en-attente-de-revue"' in result.output
    assert "REV003" in result.output


def test_misfiled_review(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    path.rename(path.with_name("bob.yaml"))
    ctx = load_context(mini, need_policy=True)
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert reviews == [] and [d.code for d in report.diagnostics] == ["REV001"]


def test_unrated_item(mini: Path) -> None:
    path = _review(mini, "alice", 3)
    text = path.read_text(encoding="utf-8")
    scores = text.index("scores:")
    path.write_text(
        text[:scores] + text[scores:].replace(f"{ITEM}:", "apt-connexion:", 1), encoding="utf-8"
    )
    ctx = load_context(mini, need_policy=True)
    _reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert [d.code for d in report.diagnostics] == ["REV002"]


def test_summary(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 1, comment="Une seule permanence est décrite.")
    _review(mini, "carole", 0, conflict=True)
    result = runner.invoke(app, ["review", "summary", "reviews", "--applications", "applications"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{ITEM} : 2 (alice=3, bob=1)" in out
    assert "⚠ à discuter" in out
    assert "Comment allez-vous vers les publics ?" in out  # the item's label
    assert "alice : Des actions régulières et décrites." in out  # each reviewer's comment
    assert "bob : Une seule permanence est décrite." in out
    assert "recommandations : alice=qualifier, bob=qualifier" in out
    assert "commentaires d'ensemble" in out
    assert "alice : Une candidature solide. Le suivi reste à préciser." in out
    assert "relectures avec conflit d'intérêts (non prises en compte) : carole" in out
    # One application, one item: alpha means nothing, and the summary says so.
    assert "pas significatif sur un si petit échantillon" in out
    assert "1 question notée par au moins deux relecteurs et 1 candidature" in out
    assert "(indicatif)" in out
    assert "Agrégation : médiane." in out

    result = runner.invoke(
        app, ["review", "summary", "reviews", "--applications", "applications", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (entry,) = data["applications"]
    assert entry["comments"][ITEM] == {
        "alice": "Des actions régulières et décrites.",
        "bob": "Une seule permanence est décrite.",
    }
    assert entry["overall_comments"]["bob"].startswith("Une candidature solide.")
    assert entry["recommendations"] == {"alice": "qualifier", "bob": "qualifier"}
    assert entry["conflicted"] == ["carole"] and entry["stale"] == {}
    assert entry["freshness_checked"] is True
    assert data["sample_overall"] == {"units": 1, "applications": 1, "meaningful": False}


def test_summary_says_what_changed(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 1)
    args = ["review", "summary", "reviews", "--applications", "applications"]
    # A comment and an answer the reviewers do not rate: the reviews are still fresh.
    _edit(mini / F, "apt-mediateurs: 2", "apt-mediateurs: 3  # une petite note")
    result = runner.invoke(app, args)
    assert "périmée" not in result.output and f"{ITEM} : 2 (alice=3, bob=1)" in result.output
    # The rated answer and the venue's name change.
    _edit(mini / F, "au centre social", "à la mairie")
    _edit(mini / F, "Espace numérique de Bourg", "Espace numérique de Bourg-en-Bresse")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # A stale review is reviewed again without --force: only what changed is asked.
    assert "périmées (non prises en compte), à refaire (seul ce qui a changé" in result.output
    assert "--force" not in result.output
    expected = (
        "    alice :\n"
        "      - l'identité du lieu a changé depuis cette relecture\n"
        "      - la réponse à « Comment allez-vous vers les publics ? » a changé depuis cette "
        "relecture\n"
    )
    assert expected in result.output
    assert f"{ITEM} :" not in result.output  # stale reviews are left out
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).output)
    assert list(data["applications"][0]["stale"]) == ["alice", "bob"]


def test_summary_without_the_applications(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    result = runner.invoke(app, ["review", "summary", "reviews"])
    assert result.exit_code == 0, result.output
    assert "--applications" in result.output.splitlines()[0]
    result = runner.invoke(app, ["review", "summary", "reviews", "--applications", "nulle-part"])
    assert result.exit_code == 2


def test_alpha_is_meaningful_only_on_a_sample_large_enough() -> None:
    def units(applications: int, items: int) -> dict[tuple[str, str], dict[str, int]]:
        return {
            (f"a{a}", f"i{i}"): {"r1": i % 5, "r2": (i + a) % 5}
            for a in range(applications)
            for i in range(items)
        }

    assert sample(units(2, 5)).meaningful
    assert not sample(units(2, 4)).meaningful  # 8 items rated twice
    assert not sample(units(1, 12)).meaningful  # one application
    single = {("a", "x"): {"r1": 1}, ("b", "x"): {"r1": 2, "r2": 2}}
    assert (sample(single).units, sample(single).applications) == (1, 1)


def test_english_summary(mini: Path, runner: CliRunner) -> None:
    _review(mini, "alice", 3)
    _review(mini, "bob", 2)
    result = runner.invoke(
        app, ["--lang", "en", "review", "summary", "reviews", "--applications", "applications"]
    )
    assert result.exit_code == 0, result.output
    assert "not meaningful on so small a sample" in result.output
    assert "recommendations: alice=qualify, bob=qualify" in result.output
    assert "Aggregation: median." in result.output


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


def test_summarize_takes_the_current_fingerprints(mini: Path) -> None:
    from aptic_qualif.review.fingerprint import fingerprint

    _review(mini, "alice", 3)
    ctx = load_context(mini, need_policy=True)
    reviews, _ = load_reviews(mini / "reviews", ctx.questionnaire)
    checked, _ = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    current = {"complet": fingerprint(checked, ctx.questionnaire)}
    summary = summarize(reviews, ctx.questionnaire, ctx.policy, current)
    assert summary.applications[0].reviewers == ["alice"]
    checked.answers[ITEM] = "Autre chose."
    current = {"complet": fingerprint(checked, ctx.questionnaire)}
    summary = summarize(reviews, ctx.questionnaire, ctx.policy, current)
    assert list(summary.applications[0].stale) == ["alice"]
    assert summary.applications[0].reviewers == []


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``review`` in a terminal, its questions answered by a script set by the test."""
    scripted = Scripted([])
    monkeypatch.setattr(
        "aptic_qualif.cli.review.sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True))
    )
    monkeypatch.setattr("aptic_qualif.questionnaire.fill.QuestionaryPrompter", lambda: scripted)
    return scripted


def test_review_command(mini: Path, runner: CliRunner, terminal: Scripted) -> None:
    terminal.answers = _script(4)
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"])
    assert result.exit_code == 0, result.output
    assert "reviews/complet/alice.yaml" in result.output
    assert terminal.answers == []
    assert "score: 4" in (mini / "reviews" / "complet" / "alice.yaml").read_text(encoding="utf-8")
    terminal.answers = _script(0, conflict=True)
    result = runner.invoke(app, ["review", F, "--reviewer", "carole", "--reviews", "autres"])
    assert result.exit_code == 0, result.output
    assert terminal.answers == [] and len(terminal.asked) == 7  # 5 + conflict and its details
    assert "scores" not in (mini / "autres" / "complet" / "carole.yaml").read_text("utf-8")
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"])
    assert result.exit_code == 2 and "--force" in result.output


def test_review_needs_a_terminal_and_a_reviewer(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["review", F])
    assert result.exit_code == 2 and "--reviewer" in result.output
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"], input="")
    assert result.exit_code == 2 and "terminal" in result.output


def _checked_mini(mini: Path) -> Any:
    ctx = load_context(mini, need_policy=True)
    checked, _ = validate_application(mini / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    return ctx, checked


def test_an_interrupted_review_is_a_draft_resumed_where_it_stopped(mini: Path) -> None:
    from tests.test_fill import Interrupted

    ctx, checked = _checked_mini(mini)
    prompter = Scripted([False, 3, "Régulier.", Interrupted])
    with pytest.raises(Interrupted):
        review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    path = mini / "reviews" / "complet" / "alice.yaml"
    doc, _problems = load_yaml(path)
    assert doc is not None and doc.data["draft"] is True  # saved after the score
    assert doc.data["scores"] == {ITEM: {"score": 3, "comment": "Régulier."}}
    reviews, report = load_reviews(mini / "reviews", ctx.questionnaire)
    assert report.diagnostics == [] and reviews[0].draft
    # Run again: it says so and asks only what is left.
    prompter = Scripted(["a-completer", "Le suivi manque.\nÀ préciser."])
    review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    assert prompter.answers == []
    assert prompter.asked == ["Recommandation", prompter.asked[-1]]
    assert any("Reprise de votre brouillon" in said and "1 sur 1" in said for said in prompter.said)
    (review,) = load_reviews(mini / "reviews", ctx.questionnaire)[0]
    assert not review.draft and review.scores[ITEM].score == 3
    assert review.comment == "Le suivi manque.\nÀ préciser."
    assert "comment: |-" in path.read_text(encoding="utf-8")  # several lines, as a block


def test_the_overall_comment_is_a_long_answer(mini: Path) -> None:
    ctx, checked = _checked_mini(mini)
    prompter = Scripted(_script(2))
    review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    assert prompter.multiline == [prompter.asked[-1]]
    assert "commentaire d'ensemble" in prompter.asked[-1].lower()


def test_a_score_given_before_the_answer_changed_is_asked_again(mini: Path) -> None:
    from tests.test_fill import Interrupted

    ctx, checked = _checked_mini(mini)
    prompter = Scripted([False, 4, "", Interrupted])
    with pytest.raises(Interrupted):
        review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    _edit(mini / F, "Des permanences hebdomadaires", "Des permanences mensuelles")
    ctx, checked = _checked_mini(mini)
    prompter = Scripted([1, "", "ne-pas-qualifier", "Trop peu."])
    review_application(checked, ctx.questionnaire, "alice", prompter, mini / "reviews")
    assert any("a changé depuis que vous l'avez notée" in said for said in prompter.said)
    (review,) = load_reviews(mini / "reviews", ctx.questionnaire)[0]
    assert review.scores[ITEM].score == 1


def test_a_conflict_declared_then_interrupted_asks_only_the_link(mini: Path) -> None:
    from tests.test_fill import Interrupted

    ctx, checked = _checked_mini(mini)
    with pytest.raises(Interrupted):
        review_application(
            checked, ctx.questionnaire, "carole", Scripted([True, Interrupted]), mini / "reviews"
        )
    prompter = Scripted(["Ma sœur y travaille."])
    review_application(checked, ctx.questionnaire, "carole", prompter, mini / "reviews")
    assert prompter.asked == ["Décrivez ce lien (la relecture ne sera pas prise en compte)"]
    (review,) = load_reviews(mini / "reviews", ctx.questionnaire)[0]
    assert review.conflict_of_interest and not review.draft and review.scores == {}


def test_review_command_keeps_the_draft_on_ctrl_c(
    mini: Path, runner: CliRunner, terminal: Scripted
) -> None:
    from tests.test_fill import Interrupted

    terminal.answers = [False, 2, "", Interrupted]
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"])
    assert result.exit_code == 130
    assert "Votre brouillon est enregistré dans reviews/complet/alice.yaml" in result.output
    assert "relancez la même commande" in result.output
    terminal.answers = ["qualifier", "Bien."]
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"])
    assert result.exit_code == 0, result.output
    assert "draft" not in (mini / "reviews" / "complet" / "alice.yaml").read_text("utf-8")
    # Stopped before anything was answered: nothing saved, and it says so.
    terminal.answers = [Interrupted]
    result = runner.invoke(app, ["review", F, "--reviewer", "bruno"])
    assert result.exit_code == 130 and "rien n'a été enregistré" in result.output
    assert not (mini / "reviews" / "complet" / "bruno.yaml").exists()


def test_a_broken_review_file_is_replaced_only_with_force(
    mini: Path, runner: CliRunner, terminal: Scripted
) -> None:
    path = mini / "reviews" / "complet" / "alice.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("application: [\n", encoding="utf-8")
    result = runner.invoke(app, ["review", F, "--reviewer", "alice"])
    assert result.exit_code == 2 and "--force" in result.output
    assert path.read_text(encoding="utf-8") == "application: [\n"
    terminal.answers = _script(3)
    result = runner.invoke(app, ["review", F, "--reviewer", "alice", "--force"])
    assert result.exit_code == 0, result.output

"""Review drafts (``review/draft.py``): started, scored bit by bit, saved, resumed, finished;
and never used before they are finished."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.review.draft import (
    DraftError,
    DraftIncomplete,
    finish,
    load_review,
    missing,
    record_conflict,
    record_overall,
    record_score,
    reopen,
    save_review,
    start_draft,
)
from aptic_qualif.review.fingerprint import changes, fingerprint, rated_items
from aptic_qualif.review.load import load_reviews
from aptic_qualif.review.model import Review
from aptic_qualif.review.workflow import review_application, summarize
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.yamlio import load_yaml
from tests.conftest import REPO
from tests.test_fill import Scripted

APP = "mediatheque-les-tilleuls"
DAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO, need_policy=True)


def _checked(context: Context, name: str = APP) -> CheckedApplication:
    checked, report = validate_application(
        REPO / "examples" / "applications" / f"{name}.yaml",
        context.questionnaire,
        context.catalogue,
    )
    assert checked is not None, report.render_text()
    return checked


def _items(context: Context, checked: CheckedApplication) -> list[str]:
    items = rated_items(checked, context.questionnaire)
    assert len(items) >= 3
    return items


def test_a_new_draft_is_saved_and_loaded_back(context: Context, tmp_path: Path) -> None:
    checked = _checked(context)
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False, today=DAY)
    assert draft.draft and draft.scores == {} and draft.recommendation is None
    path = save_review(draft, tmp_path)
    assert path == tmp_path / APP / "zoe.yaml"
    doc, problems = load_yaml(path)
    assert problems == [] and doc is not None
    assert doc.data["draft"] is True and doc.data["conflict_of_interest"] is False
    assert list(doc.data)[:3] == ["application", "reviewer", "draft"]
    assert load_review(tmp_path, APP, "zoe") == draft
    assert load_review(tmp_path, APP, "personne") is None
    reviews, report = load_reviews(tmp_path, context.questionnaire)
    assert report.diagnostics == [] and reviews == [draft]  # a draft is a valid review file


def test_scores_one_by_one_then_finished(context: Context, tmp_path: Path) -> None:
    checked = _checked(context)
    items = _items(context, checked)
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False, today=DAY)
    lacking = missing(draft, checked, context.questionnaire)
    assert lacking.items == items and lacking.recommendation and lacking.comment
    draft = record_score(draft, checked, context.questionnaire, items[1], 3, "  Clair.  ")
    draft = record_score(draft, checked, context.questionnaire, items[0], 2)
    assert list(draft.scores) == items[:2]  # in questionnaire order, whatever the order given
    assert draft.scores[items[1]].comment == "Clair."
    assert draft.scores[items[0]].comment is None
    draft = record_score(draft, checked, context.questionnaire, items[0], 4, "Mieux.")
    assert draft.scores[items[0]].score == 4  # a score can be changed
    assert missing(draft, checked, context.questionnaire).items == items[2:]
    with pytest.raises(DraftIncomplete) as refused:
        finish(draft, checked, context.questionnaire)
    assert refused.value.missing.items == items[2:]
    assert "recommandation" in str(refused.value) and "commentaire d'ensemble" in str(refused.value)
    for item in items[2:]:
        draft = record_score(draft, checked, context.questionnaire, item, 1)
    draft = record_overall(draft, "a-completer", "Le suivi manque.")
    assert not missing(draft, checked, context.questionnaire)
    save_review(draft, tmp_path)  # the draft saved just before: replaced
    done = finish(draft, checked, context.questionnaire, today=date(2026, 12, 1))
    assert not done.draft and done.date == date(2026, 12, 1)
    assert done.reviewed is not None
    assert (
        done.reviewed.model_dump(exclude_defaults=True)
        == fingerprint(checked, context.questionnaire).record()
    )
    path = save_review(done, tmp_path)
    assert "draft" not in path.read_text(encoding="utf-8")
    reviews, report = load_reviews(tmp_path, context.questionnaire)
    assert report.diagnostics == [] and reviews == [done]


def test_a_conflicted_reviewer_scores_nothing(context: Context) -> None:
    checked = _checked(context)
    item = _items(context, checked)[0]
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=True)
    assert missing(draft, checked, context.questionnaire).conflict_details
    with pytest.raises(DraftError):
        record_score(draft, checked, context.questionnaire, item, 3)
    with pytest.raises(DraftError):
        record_overall(draft, "qualifier", "Très bien.")
    draft = record_conflict(draft, True, "Je suis bénévole ici.")
    assert not missing(draft, checked, context.questionnaire)
    done = finish(draft, checked, context.questionnaire)
    assert done.conflict_of_interest and done.scores == {} and done.recommendation is None
    # Declaring a conflict after scoring drops the scores.
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False)
    draft = record_score(draft, checked, context.questionnaire, item, 3)
    draft = record_conflict(draft, True, "Un parent y travaille.")
    assert draft.scores == {} and draft.conflict_details == "Un parent y travaille."


def test_what_cannot_be_recorded(context: Context) -> None:
    checked = _checked(context)
    item = _items(context, checked)[0]
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False)
    for wrong_item, score in (("lieu-nom", 2), ("n-existe-pas", 2), (item, 5), (item, -1)):
        with pytest.raises(DraftError):
            record_score(draft, checked, context.questionnaire, wrong_item, score)
    finished = _finished(context, checked)
    with pytest.raises(DraftError, match="terminée"):
        record_score(finished, checked, context.questionnaire, item, 2)
    reopened = reopen(finished)
    assert reopened.draft and reopened.scores == finished.scores
    assert record_score(reopened, checked, context.questionnaire, item, 0).scores[item].score == 0


def _finished(context: Context, checked: CheckedApplication, reviewer: str = "zoe") -> Review:
    draft = start_draft(checked, context.questionnaire, reviewer, conflict=False)
    for item in rated_items(checked, context.questionnaire):
        draft = record_score(draft, checked, context.questionnaire, item, 4)
    draft = record_overall(draft, "qualifier", "Remarquable.")
    return finish(draft, checked, context.questionnaire)


def test_an_answer_changed_after_its_score_must_be_scored_again(context: Context) -> None:
    checked = _checked(context)
    items = _items(context, checked)
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False)
    for item in items:
        draft = record_score(draft, checked, context.questionnaire, item, 3)
    draft = record_overall(draft, "qualifier", "Bien.")
    assert not missing(draft, checked, context.questionnaire)
    checked.answers[items[1]] = "Une tout autre réponse."  # the venue edits its answer
    lacking = missing(draft, checked, context.questionnaire)
    assert lacking.items == [items[1]] and lacking.changed == [items[1]]
    assert "a changé" in " ".join(lacking.messages(context.questionnaire))
    with pytest.raises(DraftIncomplete):
        finish(draft, checked, context.questionnaire)
    draft = record_score(draft, checked, context.questionnaire, items[1], 1)
    assert not missing(draft, checked, context.questionnaire)


def test_a_finished_review_is_never_overwritten_without_force(
    context: Context, tmp_path: Path
) -> None:
    checked = _checked(context)
    done = _finished(context, checked)
    save_review(done, tmp_path)
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False)
    with pytest.raises(DraftError, match="--force"):
        save_review(draft, tmp_path)
    with pytest.raises(DraftError):
        save_review(done, tmp_path)
    assert save_review(draft, tmp_path, force=True).read_text("utf-8").count("draft: true") == 1
    # Something else in its place (not a readable draft) is not replaced either.
    (tmp_path / APP / "zoe.yaml").write_text("pas: [une relecture\n", encoding="utf-8")
    with pytest.raises(DraftError):
        save_review(draft, tmp_path)
    with pytest.raises(DraftError, match="reprise"):
        load_review(tmp_path, APP, "zoe")


def _decisions(context: Context, reviews_dir: Path) -> dict[str, tuple[str, list[str]]]:
    reviews, report = load_reviews(reviews_dir, context.questionnaire)
    assert report.errors == []
    files = sorted((REPO / "examples" / "applications").glob("*.yaml"))
    batch = assess_files(files, context, reviews, reviews_dir)
    return {a.application: (a.decision, a.reviews.used) for a in batch.assessments}


def test_a_draft_never_changes_a_decision(context: Context, tmp_path: Path) -> None:
    reviews_dir = tmp_path / "reviews"
    shutil.copytree(REPO / "examples" / "reviews", reviews_dir)
    before = _decisions(context, reviews_dir)
    # Every application gets a draft, as high or as low as can be, scored in full.
    for name in before:
        checked = _checked(context, name)
        for reviewer, score, recommendation in (("zoe", 4, "qualifier"), ("yves", 0, None)):
            draft = start_draft(checked, context.questionnaire, reviewer, conflict=False)
            for item in rated_items(checked, context.questionnaire):
                draft = record_score(draft, checked, context.questionnaire, item, score)
            draft = record_overall(draft, recommendation, "Complet mais pas terminé.")
            save_review(draft, reviews_dir)
    assert _decisions(context, reviews_dir) == before
    # A review turned back into a draft counts no more: as if it were not there.
    path = reviews_dir / "fablab-la-forge" / "yannick-le-goff.yaml"
    (review,) = [
        r
        for r in load_reviews(reviews_dir, context.questionnaire)[0]
        if r.application == "fablab-la-forge" and r.reviewer == "yannick-le-goff"
    ]
    save_review(reopen(review), reviews_dir, force=True)
    with_draft = _decisions(context, reviews_dir)
    path.unlink()
    assert with_draft == _decisions(context, reviews_dir)
    assert "yannick-le-goff" not in with_draft["fablab-la-forge"][1]


def test_summary_lists_drafts_as_in_progress(
    context: Context, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviews_dir = tmp_path / "reviews"
    shutil.copytree(REPO / "examples" / "reviews" / APP, reviews_dir / APP)
    checked = _checked(context)
    item = _items(context, checked)[0]
    draft = start_draft(checked, context.questionnaire, "zoe", conflict=False)
    save_review(record_score(draft, checked, context.questionnaire, item, 0), reviews_dir)
    reviews, _report = load_reviews(reviews_dir, context.questionnaire)
    current = {APP: fingerprint(checked, context.questionnaire)}
    (entry,) = summarize(reviews, context.questionnaire, context.policy, current).applications
    assert entry.drafts == ["zoe"] and "zoe" not in entry.reviewers
    assert all("zoe" not in scores for scores in entry.scores.values())
    monkeypatch.chdir(REPO)
    result = runner.invoke(
        app, ["review", "summary", str(reviews_dir), "--applications", "examples/applications"]
    )
    assert result.exit_code == 0, result.output
    assert "relectures en cours (brouillons, non prises en compte) : zoe" in result.output
    result = runner.invoke(
        app, ["assess", f"examples/applications/{APP}.yaml", "--reviews", str(reviews_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "REV005" in result.output and "brouillon" in result.output


def _terminal_review(
    context: Context, path: Path, reviews: Path, script: list[object], *, force: bool = False
) -> Scripted:
    """The terminal review of the application at ``path``, answered by ``script``."""
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None, report.render_text()
    prompter = Scripted(script)
    review_application(
        checked, context.questionnaire, "yannick", prompter, reviews, today=DAY, force=force
    )
    assert prompter.answers == [], prompter.answers
    return prompter


def test_a_stale_review_in_the_terminal_asks_only_what_changed(
    context: Context, tmp_path: Path
) -> None:
    """The venue edits one reviewed answer: the terminal review asks again only that item,
    keeps every other score and comment, and starts each question from its earlier answer."""
    path = tmp_path / "applications" / f"{APP}.yaml"
    path.parent.mkdir()
    shutil.copy(REPO / "examples" / "applications" / f"{APP}.yaml", path)
    reviews = tmp_path / "reviews"
    items = _items(context, _checked(context))
    first: list[object] = [False]
    for n, _item in enumerate(items):
        first += [n % 5, f"Commentaire {n}."]
    first += [[], "a-completer", "Aucune grille fournie pour le suivi."]  # no claim marked
    _terminal_review(context, path, reviews, first)

    # Unchanged: nothing to do without --force, and the error says which option.
    checked = _checked(context)
    with pytest.raises(CommandError, match="--force"):
        review_application(checked, context.questionnaire, "yannick", Scripted([]), reviews)

    # The venue edits the answer to the second rated item.
    text = path.read_text("utf-8")
    answer = str(checked.answers[items[1]])
    assert answer[:30] in text
    path.write_text(text.replace(answer[:30], "Tout autre chose, désormais", 1), "utf-8")
    again = _terminal_review(
        context, path, reviews, [4, "Mieux décrit.", [], "qualifier", "Le suivi est décrit."]
    )
    assert again.asked == [
        "Note (de 0 à 4)",
        "Commentaire (Entrée pour passer)",
        again.asked[2],  # the declared answers to mark unsupported, asked every time
        "Recommandation",
        again.asked[-1],
    ]
    assert again.asked[2].startswith("Réponses déclarées que les justificatifs")
    assert again.defaults[:4] == [1, "Commentaire 1.", [], "a-completer"]  # the earlier review
    assert again.defaults[-1] == "Aucune grille fournie pour le suivi."
    said = "\n".join(again.said)
    assert "a changé" in said and "vos autres notes et commentaires sont conservés" in said
    assert "la réponse à « Comment suivez-vous" in said  # what changed, named
    assert said.count("Note précédente") == 0 and said.count("Votre note précédente") == 1
    review = load_review(reviews, APP, "yannick")
    assert review is not None and not review.draft
    assert review.scores[items[1]].score == 4
    assert review.scores[items[1]].comment == "Mieux décrit."
    for n, item in enumerate(items):
        if item != items[1]:  # kept, comment and all
            assert review.scores[item].score == n % 5
            assert review.scores[item].comment == f"Commentaire {n}."
    assert review.recommendation == "qualifier"
    assert review.comment == "Le suivi est décrit."
    checked = _checked_at(context, path)
    assert not changes(review, fingerprint(checked, context.questionnaire), context.questionnaire)

    # --force on a fresh review asks everything, each from the earlier answer.
    script: list[object] = [False]
    for _item in items:
        script += [2, "Revu."]
    script += [[], "qualifier", "Revu en entier."]
    forced = _terminal_review(context, path, reviews, script, force=True)
    assert forced.defaults[0] is False
    assert forced.defaults[1:3] == [0, "Commentaire 0."]
    # --force on a stale review asks everything too.
    text = path.read_text("utf-8")
    path.write_text(text.replace("Tout autre chose", "Encore autre chose", 1), "utf-8")
    again = _terminal_review(context, path, reviews, script, force=True)
    assert again.asked.count("Note (de 0 à 4)") == len(items)


def _checked_at(context: Context, path: Path) -> CheckedApplication:
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None, report.render_text()
    return checked


def test_a_stale_review_with_real_prompts_starts_from_the_earlier_answers(
    context: Context, tmp_path: Path
) -> None:
    """Real questionary prompts, fed keys through a pipe: Enter alone at each question of a
    reopened review keeps the earlier score (the cursor starts on it, not on 0), comment,
    recommendation and overall comment."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from aptic_qualif.questionnaire.fill import QuestionaryPrompter

    path = tmp_path / f"{APP}.yaml"
    shutil.copy(REPO / "examples" / "applications" / f"{APP}.yaml", path)
    reviews = tmp_path / "reviews"
    items = _items(context, _checked(context))
    first: list[object] = [False]
    for _item in items:
        first += [3, "Précis."]
    first += [[], "a-completer", "Aucune grille fournie."]
    _terminal_review(context, path, reviews, first)
    checked = _checked_at(context, path)
    answer = str(checked.answers[items[0]])
    path.write_text(path.read_text("utf-8").replace(answer[:30], "Autre chose", 1), "utf-8")

    checked = _checked_at(context, path)
    with create_pipe_input() as keys:
        # score, comment, claims, recommendation: Enter; the overall comment: Esc then Enter.
        keys.send_text("\r" * 4 + "\x1b\r")
        review_application(
            checked,
            context.questionnaire,
            "yannick",
            QuestionaryPrompter(input=keys, output=DummyOutput()),
            reviews,
            today=DAY,
        )
    review = load_review(reviews, APP, "yannick")
    assert review is not None and not review.draft
    assert {item: (s.score, s.comment) for item, s in review.scores.items()} == dict.fromkeys(
        items, (3, "Précis.")
    )
    assert review.recommendation == "a-completer"
    assert review.comment == "Aucune grille fournie."


def test_the_terminal_review_marks_claims_and_examines_copies(
    context: Context, tmp_path: Path
) -> None:
    """As the web review page does: the declared answers that take evidence, to mark those
    the evidence sent does not support, and the possible copies, named by their id only."""
    from aptic_qualif.review.copies import copies_of_files

    folder = tmp_path / "applications"
    folder.mkdir()
    path = folder / f"{APP}.yaml"
    shutil.copy(REPO / "examples" / "applications" / f"{APP}.yaml", path)
    # Another venue pastes this one's account of its approach.
    copier = folder / "tiers-lieu-la-coursive.yaml"
    shutil.copy(REPO / "examples" / "applications" / "tiers-lieu-la-coursive.yaml", copier)
    checked = _checked(context)
    item = "apt-demarche-pedagogique"
    data = load_yaml(copier, "x")[0].data  # type: ignore[union-attr]
    text = copier.read_text("utf-8")
    pasted = str(checked.answers[item]).replace("\n", " ")
    own = str(data["reponses"][item]).replace("\n", " ")
    assert own[:40] in text.replace("\n    ", " ")
    import yaml

    data["reponses"][item] = pasted
    copier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    copies = copies_of_files(sorted(folder.glob("*.yaml")), context.questionnaire, None)
    assert [m.other for m in copies[APP]] == ["tiers-lieu-la-coursive"]

    items = _items(context, checked)
    script: list[object] = [False]
    for _item in items:
        script += [3, "Précis."]
    script += [["apt-formations-mediateurs"], ["tiers-lieu-la-coursive"], "qualifier", "Bien."]
    checked = _checked_at(context, path)
    prompter = Scripted(script)
    review_application(
        checked,
        context.questionnaire,
        "yannick",
        prompter,
        tmp_path / "reviews",
        today=DAY,
        copies=copies[APP],
    )
    assert prompter.answers == []
    said = "\n".join(prompter.said)
    # Blind review: the other application by its id, never its venue's name.
    assert "tiers-lieu-la-coursive" in said and "La Coursive" not in said
    assert any(q.startswith("Réponses déclarées que les justificatifs") for q in prompter.asked)
    assert any(q.startswith("Cochez chaque candidature") for q in prompter.asked)
    review = load_review(tmp_path / "reviews", APP, "yannick")
    assert review is not None and not review.draft
    assert review.unsupported == ["apt-formations-mediateurs"]
    assert review.reviewed is not None and "apt-formations-mediateurs" in review.reviewed.claims
    assert review.copies_examined == ["tiers-lieu-la-coursive"]

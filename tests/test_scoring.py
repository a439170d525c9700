"""The scoring engine: decision rules, counting rules, reviews, and properties."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import check_application, validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.review.fingerprint import fingerprint
from aptic_qualif.review.model import Review, Reviewed, ReviewScore
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.scoring.engine import Scorer, aggregate_scores
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.yamlio import Document
from tests.conftest import MINI, REPO
from tests.test_referentiel_validate import _replace, apply_edits

F = "applications/complet.yaml"
DETAIL = "pub-aller-vers-detail"


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(MINI, need_policy=True)


def assess_file(root: Path, reviews: list[Review] | None = None) -> Assessment:
    ctx = load_context(root, need_policy=True)
    assert ctx.policy is not None
    checked, _report = validate_application(root / F, ctx.questionnaire, ctx.catalogue)
    assert checked is not None
    return Scorer(ctx.catalogue, ctx.questionnaire, ctx.policy).assess(checked, reviews or [])


def review(
    root: Path, reviewer: str, score: int, *, sha: str | None = None, conflict: bool = False
) -> Review:
    """A review of the application as it is now (or, given ``sha``, of another version)."""
    if sha is not None:
        stamp: dict[str, Any] = {"application_sha256": sha}
    else:
        context = load_context(root)
        checked, _report = validate_application(root / F, context.questionnaire, context.catalogue)
        assert checked is not None
        stamp = {"reviewed": Reviewed(**fingerprint(checked, context.questionnaire).record())}
    return Review(
        application="complet",
        **stamp,
        reviewer=reviewer,
        date=date(2026, 11, 20),
        conflict_of_interest=conflict,
        scores={DETAIL: ReviewScore(score=score)},
    )


def theme(assessment: Assessment, name: str) -> Any:
    return next(t for t in assessment.themes if t.theme == name)


def test_every_point_is_explained(mini: Path) -> None:
    assessment = assess_file(mini)
    aptitudes = theme(assessment, "aptitudes")
    assert (aptitudes.points, aptitudes.max, aptitudes.percentage) == (9, 16, 56.2)
    lines = {line.item: line for line in assessment.lines}
    assert (lines["apt-services"].points, lines["apt-services"].max) == (6, 9)
    assert lines["apt-services"].detail == "2 services sur 2 niveaux"
    assert lines["pub-publics"].points == 3  # 1 + 2, capped at 3
    assert assessment.services_by_level == {
        "decouvrir": ["comprendre-internet"],
        "maitriser": ["creer-une-adresse-electronique"],
        "agir": [],
    }


def test_decision_awaits_review_only_when_it_can_change(mini: Path) -> None:
    assert assess_file(mini).decision == "en-attente-de-revue"
    apply_edits(
        mini,
        (
            _replace(F, "apt-connexion: fibre", "apt-connexion: aucune"),
            _replace(F, "apt-mediateurs: 2", "apt-mediateurs: 0"),
            _replace(F, "    - creer-une-adresse-electronique\n", ""),
        ),
    )
    weak = assess_file(mini)
    assert theme(weak, "aptitudes").percentage < 50
    assert weak.decision == "non-qualifie"  # no review could lift aptitudes
    assert any("Aptitudes" in reason for reason in weak.reasons)
    assert theme(weak, "aptitudes").advice


def test_decision_qualified_once_reviewed(mini: Path) -> None:
    assessment = assess_file(mini, [review(mini, "alice", 2), review(mini, "bob", 3)])
    assert assessment.decision == "qualifie"
    line = next(line for line in assessment.lines if line.item == DETAIL)
    assert (line.points, line.source) == (2.5, "reviews")
    assert assessment.reviews.used == ["alice", "bob"]


def test_knockout(mini: Path) -> None:
    apply_edits(mini, (_replace(F, "apt-charte: true", "apt-charte: false"),))
    assessment = assess_file(mini, [review(mini, "alice", 4)])
    assert assessment.decision == "non-qualifie"
    assert [k.id for k in assessment.knockouts] == ["charte-refusee"]


def test_an_identity_typo_is_to_complete_naming_the_field_and_the_fix(mini: Path) -> None:
    """A one-digit SIRET typo is corrected, never a refusal with nothing to complete."""
    apply_edits(mini, (_replace(F, "21010053300012", "21010053300013"),))
    assessment = assess_file(mini, [review(mini, "alice", 4)])
    assert assessment.decision == "a-completer"
    assert assessment.knockouts == []
    (entry,) = assessment.to_complete
    assert entry.item == "siret" and "21010053300013" in entry.reason and entry.fix
    assert "SIRET" in assessment.reasons[0] and entry.fix in assessment.reasons[0]


def test_an_invalid_identity_knockout_still_works_for_policies_that_keep_it(mini: Path) -> None:
    apply_edits(
        mini,
        (
            _replace(F, "21010053300012", "21010053300013"),
            (
                "replace",
                "questionnaire/policy.yaml",
                "knockouts:\n",
                "knockouts:\n  - {id: identite, invalid_identity: true, reason: {fr: Identité.}}\n",
            ),
        ),
    )
    assessment = assess_file(mini, [review(mini, "alice", 4)])
    assert assessment.decision == "non-qualifie"
    assert [k.id for k in assessment.knockouts] == ["identite"]


def test_incomplete(mini: Path) -> None:
    apply_edits(mini, (_replace(F, "  apt-connexion: fibre\n", ""),))
    assessment = assess_file(mini, [review(mini, "alice", 4)])
    assert assessment.decision == "a-completer"
    assert [t.item for t in assessment.to_complete] == ["apt-connexion"]


def test_not_applicable_leaves_the_denominator(mini: Path) -> None:
    apply_edits(
        mini,
        (
            _replace(F, "pub-aller-vers: true", "pub-aller-vers: false"),
            _replace(
                F,
                "  pub-aller-vers-detail: >-\n    Des permanences "
                "hebdomadaires au centre social et au marché.\n",
                "",
            ),
        ),
    )
    assessment = assess_file(mini)
    publics = theme(assessment, "publics")
    assert (publics.points, publics.max) == (3, 5)  # the detail is not counted at all
    assert assessment.decision == "qualifie"  # nothing is left to review


def test_a_not_applicable_answer_leaves_the_denominator(mini: Path) -> None:
    apply_edits(mini, (("append", F, "  apt-accessibilite: sans-objet\n"),))
    aptitudes = theme(assess_file(mini), "aptitudes")
    assert (aptitudes.points, aptitudes.max) == (9, 14)
    apply_edits(mini, (_replace(F, "apt-accessibilite: sans-objet", "apt-accessibilite: non"),))
    aptitudes = theme(assess_file(mini), "aptitudes")
    assert (aptitudes.points, aptitudes.max) == (9, 16)


def test_stale_and_conflicted_reviews_are_not_used(mini: Path) -> None:
    stale = review(mini, "carole", 4, sha="0" * 64)
    conflicted = review(mini, "dan", 4, conflict=True)
    assessment = assess_file(mini, [stale, conflicted])
    assert [s.reviewer for s in assessment.reviews.stale] == ["carole"]
    assert assessment.reviews.stale[0].changes
    assert assessment.reviews.conflicted == ["dan"]
    assert assessment.decision == "en-attente-de-revue"


def test_disagreement_is_flagged(mini: Path) -> None:
    assessment = assess_file(mini, [review(mini, "alice", 1), review(mini, "bob", 3)])
    assert [(d.item, d.scores) for d in assessment.reviews.disagreements] == [
        (DETAIL, {"alice": 1, "bob": 3})
    ]


@pytest.mark.parametrize(
    ("method", "scores", "expected"),
    [
        ("median", [1, 3, 4], 3),
        ("median", [1, 2], 1.5),
        ("mean", [1, 2, 4], 2.33),
        ("min", [3, 1, 4], 1),
    ],
)
def test_aggregation(method: str, scores: list[int], expected: float) -> None:
    assert aggregate_scores(scores, method) == expected


def test_private_policy(mini: Path, tmp_path: Path) -> None:
    private = tmp_path / "privee.yaml"
    text = (mini / "questionnaire" / "policy.yaml").read_text(encoding="utf-8")
    private.write_text(
        text.replace("aptitudes: 50", "aptitudes: 90").replace(
            "id: mini-politique", "id: politique-privee"
        ),
        encoding="utf-8",
    )
    ctx = load_context(mini, policy=private)
    batch = assess_files([mini / F], ctx)
    (assessment,) = batch.assessments
    assert assessment.policy == "politique-privee@1.0.0"
    assert assessment.decision == "non-qualifie"


# -- properties ------------------------------------------------------------------------

SERVICES = ["comprendre-internet", "creer-une-adresse-electronique", "reparer-son-ordinateur"]

answers = st.fixed_dictionaries(
    {
        "apt-mediateurs": st.integers(0, 50),
        "apt-connexion": st.sampled_from(["aucune", "fibre"]),
        "apt-services": st.lists(st.sampled_from(SERVICES), min_size=1, unique=True),
        "apt-charte": st.booleans(),
        "pub-publics": st.sampled_from(
            [["seniors"], ["jeunes", "familles"], ["seniors", "jeunes", "familles"], ["aucun"]]
        ),
        "pub-aller-vers": st.booleans(),
        "pub-personnes-par-mois": st.floats(0, 1000, allow_nan=False),
    }
)


def _assess(context: Context, reponses: dict[str, Any]) -> Assessment:
    from aptic_qualif.application import Application

    data = dict(reponses)
    if data.get("pub-aller-vers"):
        data[DETAIL] = "Des permanences."
    application = Application(
        questionnaire="mini-questionnaire@1.0.0",
        date=date(2026, 11, 2),
        lieu={
            "nom": "Lieu",
            "siret": "21010053300012",
            "adresse": "1 rue",
            "code_postal": "01000",
            "commune": "Bourg-en-Bresse",
            "code_insee": "01053",
            "itinerance": "fixe",
        },
        reponses=data,
    )
    doc = Document("p.yaml", application.model_dump())
    checked = check_application(
        Path("p.yaml"), doc, application, context.questionnaire, context.catalogue
    )
    assert checked.report.ok, checked.report.render_text()
    assert context.policy is not None
    return Scorer(context.catalogue, context.questionnaire, context.policy).assess(checked)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers)
def test_scores_stay_within_bounds(context: Context, reponses: dict[str, Any]) -> None:
    assessment = _assess(context, reponses)
    for result in assessment.themes:
        assert 0 <= result.points <= result.max
        assert 0 <= result.percentage <= 100
    for line in assessment.lines:
        assert 0 <= line.points <= line.max or line.source == "not_applicable"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers, st.integers(1, 20), st.sampled_from(SERVICES))
def test_a_better_answer_never_lowers_a_score(
    context: Context, reponses: dict[str, Any], more: int, service: str
) -> None:
    before = _assess(context, reponses)
    better = dict(reponses)
    better["apt-mediateurs"] = min(50, reponses["apt-mediateurs"] + more)
    better["apt-connexion"] = "fibre"
    if service not in better["apt-services"]:
        better["apt-services"] = [*better["apt-services"], service]
    after = _assess(context, better)
    for old, new in zip(before.themes, after.themes, strict=True):
        assert new.points >= old.points
    assert after.overall.percentage >= before.overall.percentage


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers, st.randoms())
def test_the_order_of_answers_does_not_matter(
    context: Context, reponses: dict[str, Any], rng: random.Random
) -> None:
    keys = list(reponses)
    rng.shuffle(keys)
    shuffled = {key: reponses[key] for key in keys}
    assert _assess(context, shuffled) == _assess(context, reponses)


def test_the_order_of_files_does_not_matter(mini: Path) -> None:
    (mini / "applications" / "autre.yaml").write_text(
        (mini / F).read_text(encoding="utf-8").replace("apt-mediateurs: 2", "apt-mediateurs: 5"),
        encoding="utf-8",
    )
    ctx = load_context(mini, need_policy=True)
    files = sorted((mini / "applications").glob("*.yaml"))
    forward = assess_files(files, ctx).assessments
    backward = assess_files(list(reversed(files)), ctx).assessments
    assert forward == backward
    assert [a.application for a in forward] == ["autre", "complet"]


# --- the gates of a policy: practice floors, requirements, bonus themes, disagreements ------

POLICY = "questionnaire/policy.yaml"


def _policy_adds(text: str) -> tuple[str, str, str, str]:
    """An edit that adds top-level keys to the mini policy (before its knock-outs)."""
    return ("replace", POLICY, "knockouts:\n", text + "knockouts:\n")


def _rules(*lines: str) -> tuple[str, str, str, str]:
    rules = "".join(f"  - {line}\n" for line in lines)
    old = (
        "  - {when: knockout, decision: non-qualifie}\n"
        "  - {when: identity_invalid, decision: a-completer}\n"
        "  - {when: incomplete, decision: a-completer}\n"
        "  - {when: pending_review, decision: en-attente-de-revue}\n"
        "  - {when: thresholds_met, decision: qualifie}\n"
        "  - {when: always, decision: non-qualifie}\n"
    )
    return ("replace", POLICY, old, rules)


FULL_RULES = _rules(
    "{when: knockout, decision: non-qualifie}",
    "{when: identity_invalid, decision: a-completer}",
    "{when: incomplete, decision: a-completer}",
    "{when: requirements_unmet, decision: a-completer}",
    "{when: pending_review, decision: en-attente-de-revue}",
    "{when: practice_below_floor, decision: non-qualifie}",
    "{when: thresholds_met, decision: qualifie}",
    "{when: always, decision: non-qualifie}",
)


def test_practice_below_its_floor_is_not_made_up_by_ticked_boxes(mini: Path) -> None:
    apply_edits(mini, (_policy_adds("practice: {overall: 2}\n"), FULL_RULES))
    weak = assess_file(mini, [review(mini, "alice", 1)])
    assert weak.overall.passed and all(t.passed for t in weak.themes)
    assert weak.decision == "non-qualifie"
    (floor,) = weak.practice
    assert (floor.scope, floor.score, floor.minimum, floor.passed) == ("overall", 1, 2, False)
    assert any("1/4" in reason and "2/4" in reason for reason in weak.reasons)
    assert assess_file(mini, [review(mini, "alice", 3)]).decision == "qualifie"


def test_an_unmet_requirement_is_to_complete_not_a_refusal(mini: Path) -> None:
    requirement = (
        "requirements:\n"
        "  - id: permanence\n"
        "    item: pub-aller-vers\n"
        "    condition: {question: pub-aller-vers, operator: equals, value: false}\n"
        "    reason: {fr: Allez vers les publics., en: Reach out.}\n"
    )
    apply_edits(
        mini,
        (
            _policy_adds(requirement),
            FULL_RULES,
            _replace(F, "pub-aller-vers: true", "pub-aller-vers: false"),
            _replace(F, "  pub-aller-vers-detail: >-\n", ""),
            _replace(F, "    Des permanences hebdomadaires au centre social et au marché.\n", ""),
        ),
    )
    assessment = assess_file(mini)
    assert assessment.decision == "a-completer"
    assert [r.id for r in assessment.requirements] == ["permanence"]
    assert assessment.reasons == ["Allez vers les publics."]


def test_a_bonus_theme_raises_the_overall_score_and_never_lowers_it(mini: Path) -> None:
    apply_edits(
        mini,
        (_policy_adds("bonus_themes: [publics]\n"), ("replace", POLICY, "  publics: 40\n", "")),
    )
    weak = assess_file(mini, [review(mini, "alice", 0)])
    strong = assess_file(mini, [review(mini, "alice", 4)])
    aptitudes = theme(weak, "aptitudes").percentage
    publics = theme(weak, "publics")
    assert publics.bonus and publics.passed and publics.threshold == 0
    assert publics.percentage < aptitudes
    assert weak.overall.percentage == pytest.approx(aptitudes, abs=0.1)  # not lowered
    assert strong.overall.percentage > theme(strong, "aptitudes").percentage  # raised


def test_a_disagreement_that_decides_awaits_a_further_review(mini: Path) -> None:
    settings = (
        "reviews: {minimum_reviewers: 2, aggregation: median, further_review_when_decisive: true}\n"
        "practice: {overall: 2}\n"
    )
    apply_edits(mini, (_policy_adds(settings), FULL_RULES))
    one = assess_file(mini, [review(mini, "alice", 4)])
    assert one.decision == "en-attente-de-revue"  # a second reviewer is required
    split = assess_file(mini, [review(mini, "alice", 0), review(mini, "bob", 4)])
    assert split.decision == "en-attente-de-revue"
    assert split.reviews.decisive == [DETAIL]
    assert "revue supplémentaire" in split.reasons[0]
    agreeing = assess_file(mini, [review(mini, "alice", 3), review(mini, "bob", 4)])
    assert agreeing.decision == "qualifie" and agreeing.reviews.decisive == []


def test_validity_dates_count_from_the_application_date(mini: Path) -> None:
    apply_edits(
        mini,
        (
            _policy_adds(
                "validity: {months: 36, renew_before_months: 3, complete_within_days: 90}\n"
            ),
        ),
    )
    qualified = assess_file(mini, [review(mini, "alice", 4)])
    assert qualified.decision == "qualifie"
    assert (qualified.date, qualified.valid_until, qualified.renew_from) == (
        "2026-11-02",
        "2029-11-01",
        "2029-08-02",
    )
    apply_edits(mini, (_replace(F, "  apt-connexion: fibre\n", ""),))
    incomplete = assess_file(mini, [review(mini, "alice", 4)])
    assert incomplete.decision == "a-completer"
    assert incomplete.complete_by == "2027-01-31" and incomplete.valid_until is None


@given(st.floats(min_value=0, max_value=100), st.integers(min_value=0, max_value=1000))
@example(49.999999998, 500)
@example(49.97, 500)
def test_a_shown_percentage_never_crosses_its_threshold(value: float, tenths: int) -> None:
    from aptic_qualif.scoring.engine import floor_percentage

    threshold = tenths / 10
    shown = floor_percentage(value)
    assert shown <= value + 1e-6 and value - shown < 0.1 + 1e-6
    if value + 1e-9 < threshold:
        assert shown < threshold
    assert floor_percentage(49.97) == 49.9 and floor_percentage(50.0) == 50.0


def test_the_terminal_table_is_followed_by_reasons_advice_and_comments(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every assess format carries the reviewers' comments, the terminal one too."""
    monkeypatch.chdir(REPO)
    result = runner.invoke(
        app,
        [
            "assess",
            "examples/applications/espace-numerique-les-forges.yaml",
            "--reviews",
            "examples/reviews",
            "--format",
            "table",
        ],
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "non qualifié" in out
    assert "sous le minimum de 2/4" in out  # the practice floor, in plain words
    assert "étape suivante de la grille" in out  # advice about practice, not boxes to tick
    assert "commentaire général" in out and "yannick-le-goff" in out
    assert "règle" not in out  # no rule ids in reasons


def test_dates_are_written_as_people_read_them() -> None:
    from aptic_qualif.formats import day
    from aptic_qualif.i18n import set_language

    assert day("2027-01-01") == "1er janvier 2027"
    assert day("2029-08-24") == "24 août 2029"
    set_language("en")
    try:
        assert day("2029-08-24") == "24 August 2029"
    finally:
        set_language("fr")


def test_advice_is_about_practice_never_the_venue_situation() -> None:
    """A territory or a neighbourhood is not something to change to earn points."""
    context = load_context(REPO, need_policy=True)
    situation = {i.id for i in context.questionnaire.items if i.item.situation}
    assert situation  # the shipped questionnaire has such items
    batch = assess_files(
        sorted((REPO / "examples" / "applications").glob("*.yaml")), context, [], None
    )
    advised = {x.item for a in batch.assessments for t in a.themes for x in t.advice}
    assert advised and not advised & situation
    assert all(
        "cochez" not in x.text for a in batch.assessments for t in a.themes for x in t.advice
    )

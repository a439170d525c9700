"""The scoring engine: decision rules, counting rules, reviews, and properties."""

from __future__ import annotations

import hashlib
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic_qualif.application import check_application, validate_application
from aptic_qualif.context import Context, load_context
from aptic_qualif.review.model import Review, ReviewScore
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.scoring.engine import Scorer, aggregate_scores
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.yamlio import Document
from tests.conftest import MINI
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
    digest = sha or hashlib.sha256((root / F).read_bytes()).hexdigest()
    return Review(
        application="complet",
        application_sha256=digest,
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
    apply_edits(mini, (_replace(F, "21010053400010", "21010053400011"),))
    assessment = assess_file(mini, [review(mini, "alice", 4)])
    assert assessment.decision == "a-completer"
    assert assessment.knockouts == []
    (entry,) = assessment.to_complete
    assert entry.item == "siret" and "21010053400011" in entry.reason and entry.fix
    assert "SIRET" in assessment.reasons[0] and entry.fix in assessment.reasons[0]


def test_an_invalid_identity_knockout_still_works_for_policies_that_keep_it(mini: Path) -> None:
    apply_edits(
        mini,
        (
            _replace(F, "21010053400010", "21010053400011"),
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
            "siret": "21010053400010",
            "adresse": "1 rue",
            "code_postal": "01000",
            "commune": "Bourg",
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

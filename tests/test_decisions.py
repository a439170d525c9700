"""Decisions on the edges: a score exactly on each threshold and floor, the practice-level
routes ``policy check`` looks for, and the reviewers' recommendation.

The reference cases (``questionnaire/cases/``) hold the decisions a network signed; these
tests hold the comparisons those decisions rest on, so that turning an "at least" into a
"strictly more" anywhere fails."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.scoring.cases import ReferenceCase, assess_case, load_cases
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.policy import Policy
from tests.conftest import REPO
from tests.test_policy_check import analyse, edit_policy

CASES = REPO / "questionnaire" / "cases"


@pytest.fixture(scope="module")
def shipped() -> tuple[Catalogue, LoadedQuestionnaire, Policy]:
    context = load_context(REPO, need_policy=True)
    assert context.policy is not None
    return context.catalogue, context.questionnaire, context.policy


@pytest.fixture(scope="module")
def cases(shipped: tuple[Catalogue, LoadedQuestionnaire, Policy]) -> dict[str, ReferenceCase]:
    catalogue, questionnaire, _policy = shipped
    found, report = load_cases(CASES, questionnaire, catalogue)
    assert report.ok, report.render_text()
    return {case.id: case for case in found}


def assess(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], case: ReferenceCase, **changes: object
) -> Assessment:
    catalogue, questionnaire, policy = shipped
    scorer = Scorer(catalogue, questionnaire, policy.model_copy(update=changes))
    assessment, problems = assess_case(case, scorer)
    assert assessment is not None, problems
    return assessment


# -- thresholds: exactly on it qualifies, a hair above does not ---------------------------------


def exact(assessment: Assessment, theme: str) -> float:
    result = next(t for t in assessment.themes if t.theme == theme)
    return 100.0 * result.points / result.max


THEMES = ["aptitudes", "publics", "territoires", "competences-specifiques"]


@pytest.mark.parametrize("theme", THEMES)
def test_a_theme_exactly_on_its_threshold_passes(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy],
    cases: dict[str, ReferenceCase],
    theme: str,
) -> None:
    case = cases["clic-en-morvan-adsl"]
    base = assess(shipped, case)
    assert base.decision == "qualifie"
    on = exact(base, theme)
    thresholds = {**shipped[2].theme_thresholds, theme: on}
    at = assess(shipped, case, theme_thresholds=thresholds)
    assert at.decision == "qualifie", at.reasons
    assert next(t for t in at.themes if t.theme == theme).passed
    above = assess(shipped, case, theme_thresholds={**thresholds, theme: on + 0.01})
    assert above.decision == "non-qualifie"
    assert not next(t for t in above.themes if t.theme == theme).passed


def test_the_overall_score_exactly_on_its_threshold_passes(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    case = cases["clic-en-morvan-adsl"]
    catalogue, questionnaire, policy = shipped
    base = assess(shipped, case)
    scorer = Scorer(catalogue, questionnaire, policy)
    on = scorer.overall_percentage({t.theme: 100.0 * t.points / t.max for t in base.themes})
    at = assess(shipped, case, overall_threshold=on)
    assert at.decision == "qualifie" and at.overall.passed
    above = assess(shipped, case, overall_threshold=on + 0.01)
    assert above.decision == "non-qualifie" and not above.overall.passed


# -- practice floors: the reference cases exactly on them ---------------------------------------


def floors(assessment: Assessment) -> dict[tuple[str, str], tuple[float | None, float]]:
    return {(f.scope, f.id): (f.score, f.minimum) for f in assessment.practice}


def test_the_case_on_every_floor_is_exactly_on_them(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    on = floors(assess(shipped, cases["coche-tout-aux-minimums"]))
    assert on[("overall", "")] == (2.0, 2.0)
    assert on[("theme", "publics")] == (2.0, 2.0)
    assert on[("theme", "competences-specifiques")] == (1.5, 1.5)
    assert on[("item", "apt-demarche-pedagogique")] == (2.5, 2.5)
    assert on[("item", "pub-suivi-progression")] == (2.0, 2.0)
    territories = floors(assess(shipped, cases["coche-tout-territoires-au-minimum"]))
    assert territories[("theme", "territoires")] == (1.5, 1.5)


@pytest.mark.parametrize(
    ("scope", "key", "raised"),
    [
        ("overall", "", {"overall": 2.01}),
        ("theme", "publics", {"themes": {"publics": 2.01}}),
        ("theme", "competences-specifiques", {"themes": {"competences-specifiques": 1.51}}),
        ("item", "apt-demarche-pedagogique", {"items": {"apt-demarche-pedagogique": 2.51}}),
        ("item", "pub-suivi-progression", {"items": {"pub-suivi-progression": 2.01}}),
    ],
)
def test_a_hair_above_a_floor_refuses(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy],
    cases: dict[str, ReferenceCase],
    scope: str,
    key: str,
    raised: dict[str, object],
) -> None:
    practice = shipped[2].practice
    update: dict[str, object] = {}
    for field, value in raised.items():
        current = getattr(practice, field)
        update[field] = {**current, **value} if isinstance(value, dict) else value  # type: ignore[dict-item]
    assessment = assess(
        shipped, cases["coche-tout-aux-minimums"], practice=practice.model_copy(update=update)
    )
    assert assessment.decision == "non-qualifie"
    failed = [(f.scope, f.id) for f in assessment.practice if not f.passed]
    assert failed == [(scope, key)]


def test_innovation_stays_out_of_the_practice_mean(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    assessment = assess(shipped, cases["coche-tout-innovation-compense"])
    overall = floors(assessment)[("overall", "")]
    # Core answers only: 2, 1, 1.5, 1.5 — the innovation answer at 4/4 does not count.
    assert overall == (1.5, 2.0)
    assert assessment.decision == "non-qualifie"


# -- the reviewers' recommendation -----------------------------------------------------------


def test_a_majority_advising_against_sends_to_arbitration(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    assessment = assess(shipped, cases["coche-tout-relecteurs-deconseillent"])
    assert assessment.decision == "a-arbitrer"
    assert any("2 des 2" in r or "2 of the 2" in r for r in assessment.reasons), assessment.reasons
    assert assessment.valid_until is None
    one = assess(shipped, cases["coche-tout-un-relecteur-deconseille"])
    assert one.decision == "qualifie"


def test_advice_against_does_not_rescue_nor_sink_other_decisions(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    # Both reviewers advise against and the practice is below the floor: refused, not arbitrated.
    assert assess(shipped, cases["coche-tout-pratique-niveau-2"]).decision == "non-qualifie"


# -- policy check at every practice level ----------------------------------------------------


def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    root.mkdir()
    for name in ("referentiel", "questionnaire"):
        shutil.copytree(REPO / name, root / name)
    return root


def test_the_shipped_policy_qualifies_no_practice_below_autonomy() -> None:
    analysis = analyse(REPO)
    assert analysis.ok, analysis.report.render_text()
    assert analysis.autonomy_level == 3
    by_level = {bound.level: bound for bound in analysis.levels}
    assert [level for level, bound in by_level.items() if bound.qualifies] == [3, 4]
    # Declarations at their best would carry a practice at 2/4 far above the threshold: only
    # the floors stop it.
    assert by_level[2].best > 80
    assert all(bound.exact for bound in analysis.levels)


def test_a_planted_route_is_found_and_located(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit_policy(root, "apt-demarche-pedagogique: 2.5", "apt-demarche-pedagogique: 2")
    analysis = analyse(root)
    found = [d for d in analysis.report.diagnostics if d.code == "POL006"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "2/4" in found[0].message
    span = found[0].span
    assert span.file.endswith("questionnaire/policy.yaml")
    line = (root / "questionnaire" / "policy.yaml").read_text(encoding="utf-8").splitlines()
    assert line[span.line - 1].strip() == "autonomy_level: 3"
    assert [route.level for route in analysis.routes] == [2, 3, 4]


def test_lower_routes_are_each_reported(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit_policy(root, "apt-demarche-pedagogique: 2.5", "apt-demarche-pedagogique: 0")
    edit_policy(root, "pub-suivi-progression: 2", "pub-suivi-progression: 0")
    edit_policy(root, "  overall: 2\n", "  overall: 1\n")
    edit_policy(root, "    aptitudes: 2\n    publics: 2\n", "    aptitudes: 1\n    publics: 1\n")
    edit_policy(
        root,
        "territoires: 1.5\n    competences-specifiques: 1.5",
        "territoires: 1\n    competences-specifiques: 1",
    )
    analysis = analyse(root)
    levels = sorted(
        float(d.message.split("/4")[0].rsplit(" ", 1)[-1].replace(",", "."))
        for d in analysis.report.diagnostics
        if d.code == "POL006"
    )
    assert levels == [1.0, 2.0]


def test_without_an_autonomy_level_the_table_still_shows_every_level(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    edit_policy(root, "  autonomy_level: 3\n", "")
    edit_policy(root, "apt-demarche-pedagogique: 2.5", "apt-demarche-pedagogique: 2")
    analysis = analyse(root)
    assert "POL006" not in {d.code for d in analysis.report.diagnostics}
    assert [b.level for b in analysis.levels] == [0, 1, 2, 3, 4]
    assert analysis.levels[2].qualifies and not analysis.levels[2].below_autonomy


def test_check_prints_the_levels_in_french(tmp_path: Path, runner: CliRunner) -> None:
    root = project_copy(tmp_path)
    edit_policy(root, "apt-demarche-pedagogique: 2.5", "apt-demarche-pedagogique: 2")
    result = runner.invoke(app, ["--root", str(root), "policy", "check"])
    assert result.exit_code == 1, result.output
    assert "error[POL006]" in result.output
    assert "sous le niveau d'autonomie" in result.output
    assert "2/4" in result.output


# -- open to pass holders ---------------------------------------------------------------------


def test_a_venue_that_has_not_said_who_it_receives_is_to_complete_not_refused(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    case = cases["clic-en-morvan-adsl"]
    text = case.application.read_text(encoding="utf-8")
    assert "  pub-acces-pass: toute-personne\n" in text
    catalogue, questionnaire, policy = shipped
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidature.yaml"
        path.write_text(text.replace("  pub-acces-pass: toute-personne\n", ""), encoding="utf-8")
        silent = dataclasses.replace(case, application=path)
        assessment, problems = assess_case(silent, Scorer(catalogue, questionnaire, policy))
        assert assessment is not None, problems
        assert assessment.decision == "a-completer"
        assert assessment.knockouts == []
        for restricted in ("public-de-la-structure", "sur-prescription"):
            path.write_text(
                text.replace("pub-acces-pass: toute-personne", f"pub-acces-pass: {restricted}"),
                encoding="utf-8",
            )
            assessment, _problems = assess_case(silent, Scorer(catalogue, questionnaire, policy))
            assert assessment is not None
            assert assessment.decision == "non-qualifie"
            assert [k.id for k in assessment.knockouts] == ["accueil-restreint"]
            assert "ouvrez au moins un créneau" in assessment.reasons[0]


# -- copies -----------------------------------------------------------------------------------


def test_a_copied_application_waits_for_a_reviewer_then_the_scores_decide(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    catalogue, questionnaire, policy = shipped
    scorer = Scorer(catalogue, questionnaire, policy)
    waiting, problems = assess_case(cases["copie-des-reponses-non-examinee"], scorer, cases)
    assert waiting is not None and not problems
    assert waiting.decision == "en-attente-de-revue"
    assert {m.other for m in waiting.copies} == {"clic-en-morvan-adsl"}
    assert any("clic-en-morvan-adsl" in reason for reason in waiting.reasons)
    # Without the other application in the batch, nothing is seen: it would qualify.
    alone, _problems = assess_case(cases["copie-des-reponses-non-examinee"], scorer)
    assert alone is not None and alone.decision == "qualifie"
    examined, _problems = assess_case(cases["copie-des-reponses-examinee"], scorer, cases)
    assert examined is not None and examined.decision == "non-qualifie"


def test_a_case_compared_with_an_unknown_case_is_cas006(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    case = cases["copie-des-reponses-non-examinee"]
    broken = dataclasses.replace(
        case, case=case.case.model_copy(update={"compared_with": ["pas-un-cas", case.id]})
    )
    catalogue, questionnaire, policy = shipped
    _assessment, problems = assess_case(broken, Scorer(catalogue, questionnaire, policy), cases)
    assert [p.code for p in problems] == ["CAS006", "CAS006"]
    assert problems[0].span.file.endswith("copie-des-reponses-non-examinee/cas.yaml")


# -- innovation, a bonus a venue may leave aside ------------------------------------------


def test_a_venue_that_leaves_innovation_aside_gets_its_core_score(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    import re

    case = cases["clic-en-morvan-adsl"]
    text = case.application.read_text(encoding="utf-8")
    start = text.index("  inn-presenter: true\n")
    end = re.search(r"(?m)^  cs-", text[start:])
    assert end is not None
    aside = text[:start] + "  inn-presenter: false\n" + text[start + end.start() :]
    catalogue, questionnaire, policy = shipped
    scorer = Scorer(catalogue, questionnaire, policy)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidature.yaml"
        path.write_text(aside, encoding="utf-8")
        assessment, problems = assess_case(dataclasses.replace(case, application=path), scorer)
    assert assessment is not None, problems
    innovation = next(t for t in assessment.themes if t.theme == "innovation")
    assert innovation.max == 0 and innovation.percentage == 0 and innovation.passed
    core = {t.theme: 100.0 * t.points / t.max for t in assessment.themes if not t.bonus}
    weights = {t: policy.theme_weights.get(t, 1.0) for t in core}
    expected = sum(core[t] * weights[t] for t in core) / sum(weights.values())
    # Not a free 100 % for the theme left aside: the overall score is the core themes' mean.
    assert abs(assessment.overall.percentage - expected) < 0.11
    assert assessment.decision == "qualifie"


# -- declarations the reviewers find unsupported ----------------------------------------------


def test_unsupported_declarations_count_no_point_while_a_majority_says_so(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    catalogue, questionnaire, policy = shipped
    scorer = Scorer(catalogue, questionnaire, policy)
    case = cases["coche-tout-declarations-non-etayees"]
    marked, _problems = assess_case(case, scorer)
    assert marked is not None
    lines = {line.item: line for line in marked.lines}
    for item in ("apt-formations-mediateurs", "apt-services-proposes", "pub-prescripteurs"):
        assert lines[item].source == "unsupported" and lines[item].points == 0
        assert lines[item].max > 0
    # One reviewer of two is no majority: the declarations count.
    one = case.case.model_copy(
        update={
            "reviews": [
                case.case.reviews[0],
                case.case.reviews[1].model_copy(update={"unsupported": []}),
            ]
        }
    )
    single, _problems = assess_case(dataclasses.replace(case, case=one), scorer)
    assert single is not None
    assert {line.item: line for line in single.lines}["apt-services-proposes"].source == "answer"
    assert single.overall.percentage > marked.overall.percentage


def test_evidence_sent_after_the_review_lifts_the_mark(
    shipped: tuple[Catalogue, LoadedQuestionnaire, Policy], cases: dict[str, ReferenceCase]
) -> None:
    from aptic_qualif.application import validate_application
    from aptic_qualif.review.fingerprint import unsupported_claims
    from aptic_qualif.scoring.cases import review_of

    catalogue, questionnaire, _policy = shipped
    case = cases["coche-tout-declarations-non-etayees"]
    checked, _report = validate_application(case.application, questionnaire, catalogue)
    assert checked is not None
    reviews = [review_of(review, checked, questionnaire) for review in case.case.reviews]
    assert "pub-prescripteurs" in unsupported_claims(checked, questionnaire, reviews)
    text = case.application.read_text(encoding="utf-8")
    assert "\npreuves:" not in text
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidature.yaml"
        path.write_text(
            text + "\npreuves:\n  pub-prescripteurs:\n    - convention-ccas-2026.pdf\n",
            encoding="utf-8",
        )
        sent, _report = validate_application(path, questionnaire, catalogue)
        assert sent is not None
        lifted = unsupported_claims(sent, questionnaire, reviews)
    assert "pub-prescripteurs" not in lifted
    assert "apt-services-proposes" in lifted

"""``policy check``: the static analysis of a scoring policy against its questionnaire."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import Application, check_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.review.fingerprint import fingerprint
from aptic_qualif.review.model import Review, Reviewed, ReviewScore
from aptic_qualif.schema import validate_document
from aptic_qualif.scoring.analysis import (
    PolicyAnalysis,
    analyse_policy,
    load_analysis,
    max_ratio,
    min_ratio,
)
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import FIXTURES, MINI, REPO

PREVIOUS = FIXTURES / "policy-1.0.0"
"""The questionnaire and policy 1.0.0 (commit a0cc6e2): a smart route let venues qualify on
their declarations alone."""


def analyse(root: Path, policy: Path | None = None, **limits: int) -> PolicyAnalysis:
    scorer, doc, report = load_analysis(root, policy)
    assert scorer is not None and doc is not None, report.render_text()
    return analyse_policy(scorer, doc, **limits)


def codes(analysis: PolicyAnalysis) -> list[str]:
    return [d.code for d in analysis.report.sorted()]


def edit_policy(root: Path, old: str, new: str) -> None:
    path = root / "questionnaire" / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the previous policy and the shipped one ----------------------------------------------


def test_previous_policy_has_a_smart_route() -> None:
    analysis = analyse(PREVIOUS)
    route = analysis.smart_route
    assert route is not None and route.exact
    # Every theme's threshold and 83 % overall with every answer reviewers rate at 0/4.
    assert route.overall == pytest.approx(83.92, abs=0.01)
    assert "apt-demarche-pedagogique" in route.rated and len(route.rated) == 6
    smart = [d for d in analysis.report.diagnostics if d.code == "POL001"]
    assert len(smart) == 1
    assert smart[0].span.file.endswith("policy-1.0.0/questionnaire/policy.yaml")
    assert (smart[0].span.line, smart[0].span.col) == (40, 20)  # overall_threshold: 50
    assert not analysis.ok


def test_previous_policy_table_is_exact() -> None:
    analysis = analyse(PREVIOUS)
    aptitudes = analysis.themes[0]
    # Everything declared at its best, the pedagogy answer at 0/4: 52 points out of 56.
    assert aptitudes.theme == "aptitudes"
    assert aptitudes.self_declared == pytest.approx(100 * 52 / 56)
    # Publics: welcoming without appointment makes the waiting-time question not apply.
    assert analysis.themes[1].self_declared == pytest.approx(75.0)
    assert all(t.exact for t in analysis.themes)
    assert analysis.overall is not None and analysis.overall.exact


def test_shipped_policy_has_no_smart_route() -> None:
    analysis = analyse(REPO)
    assert analysis.smart_route is None, analysis.report.render_text()
    assert "POL001" not in codes(analysis)


def test_both_commands_finish_in_seconds() -> None:
    start = time.perf_counter()
    analyse(PREVIOUS)
    assert time.perf_counter() - start < 5


# -- the command --------------------------------------------------------------------------


def test_check_in_french_with_exit_1(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--root", str(PREVIOUS), "policy", "check"])
    assert result.exit_code == 1, result.output
    assert "autodéclaration seule" in result.output
    assert "error[POL001]: l'autodéclaration seule qualifie" in result.output
    assert "policy.yaml:40:20:" in result.output
    assert "exact" in result.output
    assert "83,9 %" in result.output


def test_check_in_english(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--lang", "en", "--root", str(PREVIOUS), "policy", "check"])
    assert result.exit_code == 1
    assert "self-declaration alone qualifies" in result.output


def test_check_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--root", str(PREVIOUS), "policy", "check", "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["smart_route"]["exact"] is True
    assert payload["themes"][0]["theme"] == "aptitudes"
    assert payload["overall"]["theme"] is None
    assert {d["code"] for d in payload["diagnostics"]} >= {"POL001", "POL002"}


def test_check_exit_0_without_error(mini: Path, runner: CliRunner) -> None:
    edit_policy(mini, "overall_threshold: 50", "overall_threshold: 90")
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert "POL001" not in result.output


def test_check_exit_2_without_policy(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["policy", "check", "--policy", "absente.yaml"])
    assert result.exit_code == 2
    assert "absente.yaml" in result.output


def test_check_private_policy(mini: Path, runner: CliRunner) -> None:
    private = mini / "privee.yaml"
    text = (mini / "questionnaire" / "policy.yaml").read_text(encoding="utf-8")
    private.write_text(text.replace("overall_threshold: 50", "overall_threshold: 90"), "utf-8")
    assert runner.invoke(app, ["policy", "check"]).exit_code == 1
    assert runner.invoke(app, ["policy", "check", "--policy", str(private)]).exit_code == 0


def test_invalid_policy_is_reported(mini: Path, runner: CliRunner) -> None:
    edit_policy(mini, "  aptitudes: 50", "  aptitudes: 150")
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 1
    assert "QST018" in result.output


# -- one failing fixture per code ---------------------------------------------------------


def test_pol001_and_pol002_on_mini(mini: Path) -> None:
    analysis = analyse(mini)
    assert analysis.smart_route is not None
    assert analysis.smart_route.rated == ()  # reaching out is not declared: nothing to rate
    assert "POL001" in codes(analysis)
    warning = next(d for d in analysis.report.diagnostics if d.code == "POL002")
    assert warning.severity == "warning"
    assert (warning.span.line, warning.span.col) == (7, 12)  # theme_thresholds: publics
    assert "publics" in warning.message


def test_floors_close_the_smart_route(tmp_path: Path) -> None:
    root = tmp_path / "precedente"
    shutil.copytree(PREVIOUS, root)
    edit_policy(root, "overall_threshold: 50", "overall_threshold: 50\npractice:\n  overall: 1")
    analysis = analyse(root)
    assert analysis.smart_route is None
    assert "POL001" not in codes(analysis)
    assert "POL002" in codes(analysis)  # an overall floor does not cover each theme
    edit_policy(root, "  overall: 1", "  overall: 1\n  themes: {aptitudes: 2}")
    themes = [d.message for d in analyse(root).report.diagnostics if d.code == "POL002"]
    assert len(themes) == 4 and not any("'aptitudes'" in m for m in themes)


def test_floors_stop_only_venues_with_rated_answers(mini: Path) -> None:
    edit_policy(
        mini,
        "overall_threshold: 50",
        "overall_threshold: 50\npractice:\n  overall: 2\n  themes: {publics: 2}",
    )
    # Not reaching out leaves the one rated answer out: declarations alone still qualify.
    assert "POL001" in codes(analyse(mini))


def test_pol003_reviewer_share(mini: Path) -> None:
    edit_policy(mini, "overall_threshold: 50", "overall_threshold: 50\nminimum_reviewer_share: 30")
    analysis = analyse(mini)
    errors = [d for d in analysis.report.diagnostics if d.code == "POL003"]
    assert errors and all(d.severity == "error" for d in errors)
    assert (errors[0].span.line, errors[0].span.col) == (9, 25)
    assert any("publics" in d.message for d in errors)


def test_pol004_unreachable_threshold(mini: Path) -> None:
    # Fibre knocks a venue out: the connection's points are out of reach.
    edit_policy(
        mini,
        "knockouts:\n",
        "knockouts:\n  - id: fibre\n    item: apt-connexion\n"
        "    condition: {question: apt-connexion, operator: equals, value: fibre}\n"
        "    reason: {fr: Fibre., en: Fibre.}\n",
    )
    edit_policy(mini, "  aptitudes: 50", "  aptitudes: 95")
    analysis = analyse(mini)
    error = next(d for d in analysis.report.diagnostics if d.code == "POL004")
    assert (error.span.line, error.span.col) == (6, 14)
    assert "aptitudes" in error.message


def test_thresholds_of_100_are_reachable(mini: Path) -> None:
    edit_policy(mini, "  publics: 40", "  publics: 100")
    edit_policy(mini, "overall_threshold: 50", "overall_threshold: 100")
    analysis = analyse(mini)
    assert "POL004" not in codes(analysis)  # each threshold alone is reachable
    assert analysis.overall is not None and analysis.overall.best >= 100


def test_pol005_weight_zero_and_idle_theme(mini: Path) -> None:
    edit_policy(
        mini,
        "theme_thresholds:",
        "item_weights:\n  pub-publics: 0\ntheme_weights:\n  publics: 0\ntheme_thresholds:",
    )
    edit_policy(mini, "  publics: 40\n", "")
    analysis = analyse(mini)
    idle = [d for d in analysis.report.diagnostics if d.code == "POL005"]
    assert {d.severity for d in idle} == {"warning"}
    messages = " ".join(d.message for d in idle)
    assert "pub-publics" in messages and "publics" in messages
    assert {(d.span.line, d.span.col) for d in idle} == {(6, 3), (8, 3)}


# -- exactness and bounds -------------------------------------------------------------------


def test_ratios_are_exact_on_small_cases() -> None:
    choices = [[(0.0, 4.0), (4.0, 4.0)], [(0.0, 0.0), (1.0, 3.0)], [(2.0, 2.0)]]
    assert max_ratio(choices) == pytest.approx(100 * 6 / 6)
    assert min_ratio(choices) == pytest.approx(100 * 2 / 6)
    assert max_ratio([[(0.0, 0.0)]]) == 100.0


@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 6)).map(
                lambda pair: (float(min(pair)), float(pair[1]))
            ),
            min_size=1,
            max_size=3,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_ratios_match_brute_force(choices: list[list[tuple[float, float]]]) -> None:
    import itertools

    values = []
    for pick in itertools.product(*choices):
        points, maximum = sum(p for p, _ in pick), sum(m for _, m in pick)
        values.append(100 * points / maximum if maximum else 100.0)
    assert max_ratio(choices) == pytest.approx(max(values))
    assert min_ratio(choices) == pytest.approx(min(values))


def test_bound_when_conditions_are_not_enumerated() -> None:
    exact = analyse(PREVIOUS)
    bound = analyse(PREVIOUS, theme_limit=1, joint_limit=1)
    assert not any(t.exact for t in bound.themes)
    assert bound.overall is not None and not bound.overall.exact
    assert bound.smart_route is not None and not bound.smart_route.exact  # never missed
    for a, b in zip(exact.themes, bound.themes, strict=True):
        assert b.self_declared >= a.self_declared - 1e-9
        assert b.practice_worst <= a.practice_worst + 1e-9
        assert b.best >= a.best - 1e-9
    assert "borne" in next(d.message for d in bound.report.diagnostics if d.code == "POL001")


def test_bound_of_the_overall_only(mini: Path) -> None:
    exact = analyse(mini)
    bound = analyse(mini, joint_limit=1)
    assert all(t.exact for t in bound.themes)
    assert bound.overall is not None and exact.overall is not None
    assert not bound.overall.exact
    assert bound.overall.self_declared >= exact.overall.self_declared - 1e-9


# -- the analysis never misses what an assessment finds --------------------------------------


@functools.cache
def _mini() -> tuple[Scorer, PolicyAnalysis]:
    context = load_context(MINI, need_policy=True)
    assert context.policy is not None
    return Scorer(context.catalogue, context.questionnaire, context.policy), analyse(MINI)


_IDENTITY = yaml.safe_load((MINI / "applications" / "complet.yaml").read_text(encoding="utf-8"))[
    "lieu"
]
_SERVICES = ["comprendre-internet", "creer-une-adresse-electronique", "reparer-son-ordinateur"]


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    found: dict[str, Any] = {
        "apt-mediateurs": draw(st.integers(0, 50)),
        "apt-connexion": draw(st.sampled_from(["aucune", "fibre"])),
        "apt-services": draw(st.lists(st.sampled_from(_SERVICES), min_size=1, unique=True)),
        "apt-charte": True,
    }
    optional: dict[str, Any] = {
        "apt-accessibilite": st.sampled_from(["oui", "non", "sans-objet"]),
        "pub-publics": st.one_of(
            st.just(["aucun"]),
            st.lists(st.sampled_from(["seniors", "jeunes", "familles"]), min_size=1, unique=True),
        ),
        "pub-aller-vers": st.booleans(),
        "pub-personnes-par-mois": st.floats(0, 500),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            found[key] = draw(strategy)
    if found.get("pub-aller-vers") is True:
        found["pub-aller-vers-detail"] = "Des permanences au marché."
    return found


def _assess(reponses: dict[str, Any], score: int) -> Any:
    data = {"questionnaire": "mini-questionnaire@1.0.0", "date": "2026-11-02"}
    data |= {"lieu": _IDENTITY, "reponses": reponses}
    text = yaml.safe_dump(data, allow_unicode=True)
    doc, problems = parse_yaml(text, "aleatoire.yaml")
    assert doc is not None and not problems
    application, problems = validate_document(Application, doc)
    assert application is not None, problems
    scorer, _analysis = _mini()
    questionnaire = scorer.questionnaire
    checked = check_application(
        Path("aleatoire.yaml"), doc, application, questionnaire, scorer.catalogue
    )
    checked.sha256 = hashlib.sha256(text.encode()).hexdigest()
    rated = [i for i in ("pub-aller-vers-detail",) if i in checked.enabled]
    review = Review(
        application=checked.id,
        reviewed=Reviewed(**fingerprint(checked, questionnaire).record()),
        reviewer="alice",
        date=date(2026, 11, 20),
        conflict_of_interest=False,
        scores={item: ReviewScore(score=score) for item in rated},
    )
    return scorer.assess(checked, [review])


def _exact(points: float, maximum: float) -> float:
    return 100 * points / maximum if maximum else 100.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.sampled_from([0, 4]))
def test_bounds_hold_for_every_assessment(reponses: dict[str, Any], score: int) -> None:
    scorer, analysis = _mini()
    assessment = _assess(reponses, score)
    if assessment.knockouts or assessment.to_complete or assessment.requirements:
        return  # such a venue cannot qualify: the analysis leaves it out
    tolerance = 0.05  # the engine rounds points to the hundredth
    bounds = {b.theme: b for b in analysis.themes}
    percentages = {}
    for theme in assessment.themes:
        value = _exact(theme.points, theme.max)
        percentages[theme.theme] = value
        limit = bounds[theme.theme]
        assert value <= limit.best + tolerance
        if score == 0:
            assert value <= limit.self_declared + tolerance
        else:
            assert value >= limit.practice_worst - tolerance
    overall = analysis.overall
    assert overall is not None
    value = scorer.overall_percentage(percentages)
    assert value <= overall.best + tolerance
    if score == 0:
        assert value <= overall.self_declared + tolerance
    else:
        assert value >= overall.practice_worst - tolerance


def test_the_smart_route_of_the_mini_policy_is_a_real_venue() -> None:
    """The analysis is tight: its best self-declared venue exists and qualifies."""
    scorer, analysis = _mini()
    route = analysis.smart_route
    assert route is not None
    best = {
        "apt-mediateurs": 3,
        "apt-connexion": "fibre",
        "apt-services": [*_SERVICES, "decouvrir-le-courriel"],
        "apt-charte": True,
        "apt-accessibilite": "sans-objet",
        "pub-publics": ["familles", "seniors"],
        "pub-aller-vers": False,
    }
    assessment = _assess(best, 0)
    assert assessment.decision == "qualifie"
    assert scorer.overall_percentage(
        {t.theme: _exact(t.points, t.max) for t in assessment.themes}
    ) == pytest.approx(route.overall, abs=0.05)

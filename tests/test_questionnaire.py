"""Static checks of the questionnaire: a failing fixture for every rule, located."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from aptic_qualif.codes import CODES
from aptic_qualif.questionnaire.check import validate_questionnaire
from aptic_qualif.questionnaire.conditions import enabled_items, holds
from aptic_qualif.questionnaire.jsonschema import application_schema
from aptic_qualif.questionnaire.model import Condition
from aptic_qualif.referentiel.check import validate_catalogue
from tests.conftest import REPO
from tests.test_referentiel_validate import Case, _replace, apply_edits

Q = "questionnaire.yaml"
P = "policy.yaml"
TA = "themes/aptitudes.yaml"
TP = "themes/publics.yaml"

CYCLE = (
    "    enable_when:\n      conditions:\n"
    "        - {question: pub-aller-vers-detail, operator: exists}\n"
)

CASES = [
    Case(
        "duplicate-item",
        (_replace(TP, "id: pub-personnes-par-mois", "id: apt-mediateurs"),),
        (("QST001", TP, 44),),
    ),
    Case("item-id", (_replace(TP, "id: pub-site", "id: pub_site"),), (("QST002", TP, 51),)),
    Case("option-value", (_replace(TP, "value: jeunes", "value: Jeunes"),), (("QST002", TP, 14),)),
    Case("missing-theme-file", (("delete", TP),), (("QST003", Q, 11),)),
    Case("unlisted-theme-file", (("copy", TP, "themes/extra.yaml"),), (("QST003", Q, 11),)),
    Case(
        "options-on-text",
        (_replace(TA, "type: single_choice", "type: text"),),
        (("QST004", TA, 23), ("QST006", TA, 22)),
    ),
    Case(
        "duplicate-option",
        (_replace(TP, "value: jeunes", "value: seniors"),),
        (("QST004", TP, 14),),
    ),
    Case(
        "option-without-points", (_replace(TA, "        points: 2\n", ""),), (("QST005", TA, 27),)
    ),
    Case(
        "points-not-scored",
        (_replace(TA, "    scoring: auto\n    options:", "    scoring: none\n    options:"),),
        (("QST005", TA, 26), ("QST005", TA, 29)),
    ),
    Case("auto-on-url", (("append", TP, "    scoring: auto\n"),), (("QST006", TP, 54),)),
    Case(
        "rubric-incomplete",
        (_replace(TP, "      - {score: 4, description: {fr: Une stratégie évaluée.}}\n", ""),),
        (("QST007", TP, 35),),
    ),
    Case(
        "unknown-condition",
        (_replace(TP, "question: pub-aller-vers,", "question: pub-allervers,"),),
        (("QST008", TP, 43),),
    ),
    Case(
        "forward-condition",
        (
            _replace(
                TP,
                "{question: pub-aller-vers, operator: equals, value: true}",
                "{question: pub-site, operator: exists}",
            ),
        ),
        (("QST009", TP, 43),),
    ),
    Case(
        "bad-operator",
        (_replace(TP, "operator: equals", "operator: greater_than"),),
        (("QST010", TP, 43),),
    ),
    Case(
        "bad-value",
        (_replace(TP, "operator: equals, value: true", "operator: equals, value: oui"),),
        (("QST011", TP, 43),),
    ),
    Case(
        "cycle",
        (_replace(TP, "    points_if_true: 2\n", "    points_if_true: 2\n" + CYCLE),),
        (("QST012", TP, 31),),
    ),
    Case(
        "unknown-level",
        (
            _replace(
                TA,
                "services_points: {per_service: 1, per_level: 2, max: 10}",
                "services_points: {per_service: 1, per_level: 2, max: 10}\n"
                "    levels: [decouvrir, avancer]",
            ),
        ),
        (("QST013", TA, 36),),
    ),
    Case(
        "no-services-item",
        (_replace(TA, "type: services", "type: boolean"),),
        (("QST005", TA, 35), ("QST005", TA, 34), ("QST013", Q, 11)),
    ),
    Case("min-above-max", (_replace(TA, "max: 50", "max: -1"),), (("QST014", TA, 9),)),
    Case(
        "brackets",
        (_replace(TA, "{min: 3, points: 3}", "{min: 3, points: 1}"),),
        (("QST014", TA, 17),),
    ),
    Case(
        "identity-without-siret",
        (_replace(Q, "  - id: siret\n    type: siret\n", "  - id: siren\n    type: text\n"),),
        (("QST015", Q, 13),),
    ),
    Case(
        "unknown-column",
        (_replace(Q, "export: courriels", "export: courriel"),),
        (("QST015", Q, 46),),
    ),
    Case(
        "formations-label-misspelled",
        (
            _replace(
                Q,
                "  - id: itinerance\n",
                "  - id: labels\n    type: multiple_choice\n    label: {fr: Labels, en: Labels}\n"
                "    export: formations_labels\n    options:\n      - value: duplex\n"
                "        label: {fr: DUPLEX, en: DUPLEX}\n        export: Formé à DUPLEX\n"
                "  - id: itinerance\n",
            ),
        ),
        (("QST015", Q, 62),),
    ),
    Case(
        "empty-label",
        (_replace(TA, "{fr: Nombre de médiateurs,", "{fr: '',"),),
        (("QST016", TA, 7),),
    ),
]


def _group(*items: str) -> tuple[str, str, str]:
    listed = "".join(f"      - {item}\n" for item in items)
    label = "    label: {fr: Détails, en: Details}\n"
    group = f"groups:\n  - id: details\n{label}    items:\n{listed}"
    return _replace(Q, "identity:\n", group + "identity:\n")


CASES += [
    Case("group-unknown-item", (_group("courriel", "inconnu"),), (("QST020", Q, 17),)),
    Case("group-required-item", (_group("nom"),), (("QST020", Q, 16),)),
    Case("group-apart", (_group("courriel", "presentation_resume"),), (("QST020", Q, 16),)),
    Case("group-valid", (_group("courriel", "horaires"),), ()),
]


DERIVE = "    points_if_true: 2\n"


def _derive(rule: str) -> tuple[str, str, str]:
    return _replace(TP, DERIVE, DERIVE + f"    derive: {{{rule}}}\n")


CASES += [
    Case(
        "derive-unknown-source",
        (_derive("source: inconnu, rule: contains, value: x"),),
        (("QST019", TP, 29),),
    ),
    Case(
        "derive-unknown-option",
        (_derive("source: pub-publics, rule: contains, value: inconnu"),),
        (("QST019", TP, 29),),
    ),
    Case(
        "derive-wrong-types",
        (_derive("source: pub-publics, rule: commune-name"),),
        (("QST019", TP, 29),),
    ),
]

CASES += [
    Case(
        "policy-unknown-theme", (_replace(P, "  publics: 40", "  public: 40"),), (("QST017", P, 7),)
    ),
    Case(
        "policy-unknown-item",
        (_replace(P, "item: apt-charte", "item: apt-chartes"),),
        (("QST017", P, 11),),
    ),
    Case(
        "policy-threshold",
        (_replace(P, "overall_threshold: 50", "overall_threshold: 150"),),
        (("QST018", P, 8),),
    ),
    Case(
        "policy-operator",
        (_replace(P, "operator: equals, value: false", "operator: greater_than, value: false"),),
        (("QST018", P, 12),),
    ),
    Case(
        "policy-no-fallback",
        (_replace(P, "  - {when: always, decision: non-qualifie}\n", ""),),
        (("QST018", P, 19),),
    ),
    Case(
        "policy-unknown-bonus", (("append", P, "bonus_themes: [inconnu]\n"),), (("QST017", P, 21),)
    ),
    Case(
        "policy-bonus-with-threshold",
        (("append", P, "bonus_themes: [publics]\n"),),
        (("QST018", P, 7),),
    ),
    Case(
        "policy-floor-not-rubric",
        (("append", P, "practice:\n  items: {apt-connexion: 2}\n"),),
        (("QST017", P, 22),),
    ),
    Case(
        "policy-floor-out-of-range",
        (("append", P, "practice:\n  overall: 5\n"),),
        (("QST018", P, 22),),
    ),
    Case(
        "policy-requirement-unknown-item",
        (
            (
                "append",
                P,
                "requirements:\n  - id: r\n    item: inconnu\n"
                "    condition: {question: inconnu, operator: exists}\n    reason: {fr: R.}\n",
            ),
        ),
        (("QST017", P, 23),),
    ),
]


def _validate(root: Path):  # type: ignore[no-untyped-def]
    catalogue, report = validate_catalogue(root / "referentiel")
    assert report.ok
    return validate_questionnaire(root / "questionnaire", catalogue)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case, mini: Path) -> None:
    apply_edits(mini / "questionnaire", case.edits)
    _loaded, report = _validate(mini)
    found = sorted(
        (d.code, Path(d.span.file).relative_to("questionnaire").as_posix(), d.span.line)
        for d in report.diagnostics
    )
    assert found == sorted(case.expected), report.render_text()


def test_every_code_has_a_failing_fixture() -> None:
    covered = {code for case in CASES for code, _file, _line in case.expected}
    assert {c for c in CODES if c.startswith("QST")} - covered == set()


def test_cycle_names_every_item(mini: Path) -> None:
    apply_edits(
        mini / "questionnaire",
        (_replace(TP, "    points_if_true: 2\n", "    points_if_true: 2\n" + CYCLE),),
    )
    _loaded, report = _validate(mini)
    (diagnostic,) = report.diagnostics
    assert "pub-aller-vers → pub-aller-vers-detail → pub-aller-vers" in diagnostic.message


def test_minimal_questionnaire_is_valid(mini: Path) -> None:
    loaded, report = _validate(mini)
    assert report.diagnostics == []
    assert loaded is not None and loaded.reference == "mini-questionnaire@1.0.0"


def test_shipped_questionnaire_is_valid() -> None:
    catalogue, _ = validate_catalogue(REPO / "referentiel")
    loaded, report = validate_questionnaire(REPO / "questionnaire", catalogue)
    assert report.diagnostics == [], report.render_text()
    assert loaded is not None
    assert list(loaded.themes) == [
        "aptitudes",
        "publics",
        "territoires",
        "innovation",
        "competences-specifiques",
    ]
    for theme in loaded.themes:
        items = loaded.theme_items(theme)
        assert len(items) >= 6, theme
        assert {i.item.scoring for i in items} >= {"auto", "rubric"}, theme
    assert sum(i.item.type == "services" for i in loaded.items) == 1


def test_shipped_schema_is_a_valid_json_schema() -> None:
    catalogue, _ = validate_catalogue(REPO / "referentiel")
    loaded, _ = validate_questionnaire(REPO / "questionnaire", catalogue)
    assert loaded is not None
    jsonschema.Draft202012Validator.check_schema(application_schema(loaded, catalogue))


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("equals", True, True, True),
        ("equals", True, False, False),
        ("equals", True, None, False),
        ("not_equals", True, None, True),
        ("equals", 3, 3.0, True),
        ("equals", "1", 1, False),
        ("exists", None, "x", True),
        ("exists", False, None, True),
        ("exists", True, [], False),
        ("contains", "a", ["a", "b"], True),
        ("contains", "c", ["a", "b"], False),
        ("not_contains", "c", None, True),
        ("greater_than", 2, 3, True),
        ("greater_or_equal", 3, 3, True),
        ("less_than", 3, 3, False),
        ("less_or_equal", 3, 3, True),
        ("greater_than", 2, None, False),
        ("greater_than", 2, True, False),
    ],
)
def test_condition_operators(operator: str, value: object, answer: object, expected: bool) -> None:
    condition = Condition(question="q", operator=operator, value=value)  # type: ignore[arg-type]
    assert holds(condition, answer) is expected


def test_disabled_answers_count_as_absent(mini: Path) -> None:
    loaded, _ = _validate(mini)
    assert loaded is not None
    items = [i.item for i in loaded.items]
    assert "pub-aller-vers-detail" in enabled_items(items, {"pub-aller-vers": True})
    assert "pub-aller-vers-detail" not in enabled_items(items, {"pub-aller-vers": False})

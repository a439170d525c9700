"""Applications: every rule located in the application file, the schema and the template."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret
from typer.testing import CliRunner

from aptic_qualif.application import check_answer, siret_is_valid, validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.codes import CODES
from aptic_qualif.context import load_context
from aptic_qualif.questionnaire.jsonschema import application_schema
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.questionnaire.template import render_template
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import REPO
from tests.test_referentiel_validate import Case, _replace, apply_edits

F = "applications/complet.yaml"

CASES = [
    Case(
        "other-questionnaire",
        (_replace(F, "mini-questionnaire@1.0.0", "autre@1.0.0"),),
        (("APP001", F, 1),),
    ),
    Case(
        "no-version",
        (_replace(F, "mini-questionnaire@1.0.0", "mini-questionnaire"),),
        (("APP001", F, 1),),
    ),
    Case("newer-version", (_replace(F, "@1.0.0", "@2.0.0"),), (("APP002", F, 1),)),
    Case(
        "unknown-item",
        (_replace(F, "apt-connexion: fibre", "apt-connection: fibre"),),
        (("APP003", F, 14), ("APP005", F, 13)),
    ),
    Case(
        "not-a-number",
        (_replace(F, "apt-mediateurs: 2", "apt-mediateurs: deux"),),
        (("APP004", F, 13),),
    ),
    Case(
        "out-of-range",
        (_replace(F, "apt-mediateurs: 2", "apt-mediateurs: 99"),),
        (("APP004", F, 13),),
    ),
    Case(
        "unknown-choice",
        (_replace(F, "apt-connexion: fibre", "apt-connexion: adsl"),),
        (("APP004", F, 14),),
    ),
    Case(
        "choice-twice",
        (_replace(F, "[seniors, familles]", "[seniors, seniors]"),),
        (("APP004", F, 19),),
    ),
    Case(
        "yes-is-not-true",
        (_replace(F, "apt-charte: true", "apt-charte: oui"),),
        (("APP004", F, 18),),
    ),
    Case("required-missing", (_replace(F, "  apt-charte: true\n", ""),), (("APP005", F, 13),)),
    Case("required-null", (_replace(F, "apt-charte: true", "apt-charte:"),), (("APP005", F, 18),)),
    Case(
        "disabled-answered",
        (_replace(F, "pub-aller-vers: true", "pub-aller-vers: false"),),
        (("APP006", F, 21),),
    ),
    Case(
        "unknown-service",
        (_replace(F, "- comprendre-internet", "- comprendre-l-internet"),),
        (("APP007", F, 16),),
    ),
    Case(
        "deprecated-service",
        (_replace(F, "- comprendre-internet", "- decouvrir-le-courriel"),),
        (("APP007", F, 16),),
    ),
    Case("bad-siret", (_replace(F, "21010053300012", "21010053300013"),), (("APP008", F, 5),)),
    Case("short-siret", (_replace(F, "21010053300012", "210100534"),), (("APP008", F, 5),)),
    Case("la-poste-siret", (_replace(F, "21010053300012", "35600000049837"),), ()),
    # SIRET key right, SIREN key wrong: the former check (Luhn on 14 digits) accepted it
    Case("bad-siren-key", (_replace(F, "21010053300012", "36075983867565"),), (("APP008", F, 5),)),
    Case(
        "full-width-siret",
        (_replace(F, "21010053300012", "２１０１００５３３０００１２"),),
        (("APP008", F, 5),),
    ),
    Case(
        "free-text-hours",
        (_replace(F, "  itinerance: fixe\n", '  horaires: "lundi 9h-12h"\n  itinerance: fixe\n'),),
        (("APP020", F, 11),),
    ),
    Case(
        "impossible-hours",
        (
            _replace(
                F, "  itinerance: fixe\n", '  horaires: "Mo-Fr 14:00-12:00"\n  itinerance: fixe\n'
            ),
        ),
        (("APP020", F, 11),),
    ),
    Case(
        "answer-over-its-limit",
        (_replace(F, "  adresse: 1 place de la Mairie\n", f"  adresse: {'x' * 2001}\n"),),
        (("APP022", F, 6),),
    ),
    Case(
        "summary-over-280-characters",
        (
            _replace(
                F,
                "  itinerance: fixe\n",
                f"  presentation_resume: {'x' * 281}\n  itinerance: fixe\n",
            ),
        ),
        (("APP021", F, 11),),
    ),
    Case("spaced-siret", (_replace(F, "21010053300012", "210 100 533 00012"),), ()),
    Case("bad-postcode", (_replace(F, '"01000"', '"1000"'),), (("APP009", F, 7),)),
    Case("unquoted-postcode", (_replace(F, '"01000"', "01000"),), ()),
    Case(
        "overseas-postcode",
        (
            _replace(F, '"01000"', '"97410"'),
            _replace(F, '"01053"', '"97416"'),
            _replace(F, "commune: Bourg-en-Bresse", "commune: Saint-Pierre"),
        ),
        (),
    ),
    Case("six-digit-postcode", (_replace(F, '"01000"', '"974100"'),), (("APP009", F, 7),)),
    Case("bad-insee", (_replace(F, '"01053"', '"20004"'),), (("APP010", F, 9),)),
    Case(
        "bad-email", (_replace(F, "contact@example.org", "contact@example"),), (("APP011", F, 10),)
    ),
    # what a simple pattern lets through and data·inclusion's models (email-validator) refuse
    Case(
        "email-two-dots",
        (_replace(F, "contact@example.org", "con..tact@example.org"),),
        (("APP011", F, 10),),
    ),
    Case(
        "email-leading-dot",
        (_replace(F, "contact@example.org", ".contact@example.org"),),
        (("APP011", F, 10),),
    ),
    Case(
        "email-domain-two-dots",
        (_replace(F, "contact@example.org", "contact@example..org"),),
        (("APP011", F, 10),),
    ),
    Case(
        "email-domain-hyphen",
        (_replace(F, "contact@example.org", "contact@-example.org"),),
        (("APP011", F, 10),),
    ),
    Case("email-accented", (_replace(F, "contact@example.org", "médiathèque@example.org"),), ()),
    Case(
        "bad-url",
        (_replace(F, "https://example.org/espace-numerique", "example.org"),),
        (("APP011", F, 25),),
    ),
    Case("bad-date", (_replace(F, '"2019-09-02"', '"2019-02-30"'),), (("APP011", F, 24),)),
    Case(
        "wrong-section",
        (
            _replace(F, "  courriel: contact@example.org\n", ""),
            ("append", F, "  courriel: contact@example.org\n"),
        ),
        (("APP012", F, 25),),
    ),
    Case("no-date", (_replace(F, "date: 2026-11-02\n", ""),), (("APP014", F, 1),)),
    Case(
        "evidence-not-taken",
        (("append", F, "preuves:\n  pub-site:\n    - https://example.org\n"),),
        (("APP015", F, 27),),
    ),
    Case(
        "evidence-unsafe-link",
        (("append", F, "preuves:\n  pub-aller-vers-detail:\n    - javascript:alert(1)\n"),),
        (("APP015", F, 28),),
    ),
    Case(
        "places-mismatch",
        (_replace(F, '"01000"', '"01300"'),),  # the postcode of Ambléon, Arboys en Bugey…
        (("APP013", F, 7),),
    ),
    # Identity texts are one line and no text holds a control character (TXT001).
    Case(
        "nul-in-name",
        (_replace(F, "nom: Espace numérique de Bourg", 'nom: "Espace\\0 numérique"'),),
        (("TXT001", F, 4),),
    ),
    Case(
        "escape-in-address",
        (_replace(F, "adresse: 1 place de la Mairie", 'adresse: "1 place\\e[8m cachée"'),),
        (("TXT001", F, 6),),
    ),
    Case(
        "bidi-override-in-commune",
        (_replace(F, "commune: Bourg-en-Bresse", 'commune: "\\u202EesserB"'),),
        (("TXT001", F, 8),),
    ),
    Case(
        "newline-in-name",
        (_replace(F, "nom: Espace numérique de Bourg", 'nom: "Espace\\nnumérique"'),),
        (("TXT001", F, 4),),
    ),
    Case(
        "control-in-email",
        (_replace(F, "contact@example.org", '"contact\\x7f@example.org"'),),
        (("TXT001", F, 10),),
    ),
    Case(
        "control-in-evidence",
        (("append", F, 'preuves:\n  pub-aller-vers-detail:\n    - "rapport\\x1b.pdf"\n'),),
        (("TXT001", F, 28),),
    ),
    Case(
        "lines-in-a-long-answer",
        (_replace(F, ">-\n    Des permanences hebdomadaires", '"Des permanences.\\n\\tAu"\n#'),),
        (),
    ),
    Case(
        "escape-in-a-long-answer",
        (_replace(F, ">-\n    Des permanences hebdomadaires", '"Des permanences\\e[2J"\n#'),),
        (("TXT001", F, 21),),
    ),
    # Digits are ASCII digits: full-width ones pass \d in a Python pattern.
    Case("full-width-postcode", (_replace(F, '"01000"', '"01\uff1000"'),), (("APP009", F, 7),)),
    Case("full-width-insee", (_replace(F, '"01053"', '"01\uff10\uff153"'),), (("APP010", F, 9),)),
    Case("arabic-indic-postcode", (_replace(F, '"01000"', '"01\u066000"'),), (("APP009", F, 7),)),
    Case(
        "full-width-date",
        (_replace(F, '"2019-09-02"', '"\uff12019-09-02"'),),
        (("APP011", F, 24),),
    ),
    Case(
        "full-width-questionnaire-version",
        (_replace(F, "mini-questionnaire@1.0.0", "mini-questionnaire@\uff11.0.0"),),
        (("APP001", F, 1),),
    ),
    Case(
        "infinite-number",
        (_replace(F, "pub-personnes-par-mois: 35.5", "pub-personnes-par-mois: 1e400"),),
        (("YAML009", F, 23),),
    ),
    Case(
        "url-with-forbidden-characters",
        (_replace(F, "https://example.org/espace-numerique", '"https://example.org/a>b{c}"'),),
        (("APP011", F, 25),),
    ),
    Case(
        "lieu-not-a-mapping",
        (_replace(F, "itinerance: fixe\nreponses:", "itinerance: fixe\nreponses: []\nautre:"),),
        (("SCH002", F, 13), ("SCH003", F, 12)),
    ),
]


def _check(root: Path, relative: str = F):  # type: ignore[no-untyped-def]
    context = load_context(root)
    return validate_application(root / relative, context.questionnaire, context.catalogue)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case, mini: Path) -> None:
    apply_edits(mini, case.edits)
    _checked, report = _check(mini)
    found = sorted((d.code, d.span.file, d.span.line) for d in report.diagnostics)
    assert found == sorted(case.expected), report.render_text()


def test_every_code_has_a_failing_fixture() -> None:
    covered = {code for case in CASES for code, _file, _line in case.expected}
    # The cross-checks between answers need the shipped questionnaire: tests/test_coherence.py
    from tests.test_coherence import CASES as COHERENCE_CASES

    covered |= {code for case in COHERENCE_CASES for code, _severity, _item in case.expected}
    assert {c for c in CODES if c.startswith("APP")} - covered == set()


def test_older_minor_version_is_a_warning(mini: Path) -> None:
    apply_edits(mini, (_replace("questionnaire/questionnaire.yaml", '"1.0.0"', '"1.1.0"'),))
    _checked, report = _check(mini)
    assert [(d.code, d.severity) for d in report.diagnostics] == [("APP002", "warning")]
    assert report.ok


def test_answers_are_normalised(mini: Path) -> None:
    apply_edits(mini, (_replace(F, '"01000"', "01000"), _replace(F, '"01053"', "1053")))
    checked, report = _check(mini)
    assert checked is not None
    assert checked.answers["code_postal"] == "01000"
    assert [d.code for d in report.diagnostics] == ["APP010"]  # 1053 has lost its zero


def test_valid_example(mini: Path) -> None:
    checked, report = _check(mini)
    assert report.diagnostics == []
    assert checked is not None and checked.id == "complet"
    assert checked.answers["apt-services"] == [
        "comprendre-internet",
        "creer-une-adresse-electronique",
    ]
    assert "pub-aller-vers-detail" in checked.enabled


def test_an_answer_checked_once_is_still_each_applications_own(mini: Path) -> None:
    """A valid answer to a choice item is checked once per value, then taken as it was:
    each application still gets a list of its own, and a wrong answer is reported at its
    own line in every file that has it."""
    context = load_context(mini)
    first = mini / F
    second = first.with_name("autre.yaml")
    text = first.read_text(encoding="utf-8")
    second.write_text("# une ligne de plus\n" + text, encoding="utf-8")
    checks = [
        validate_application(path, context.questionnaire, context.catalogue)[0]
        for path in (first, second)
    ]
    assert checks[0] is not None and checks[1] is not None
    mine, theirs = checks[0].answers["pub-publics"], checks[1].answers["pub-publics"]
    assert mine == theirs == ["seniors", "familles"] and mine is not theirs
    mine.append("changed")
    again, _report = validate_application(second, context.questionnaire, context.catalogue)
    assert again is not None and again.answers["pub-publics"] == ["seniors", "familles"]
    for path in (first, second):
        path.write_text(
            path.read_text(encoding="utf-8").replace("apt-charte: true", "apt-charte: oui"),
            encoding="utf-8",
        )
    lines = []
    for path in (first, second):
        _checked, report = validate_application(path, context.questionnaire, context.catalogue)
        lines.append([(d.code, d.span.line) for d in report.diagnostics])
    assert lines == [[("APP004", 18)], [("APP004", 19)]]


def luhn_digit(body: str) -> str:
    """The digit that completes ``body`` into a number with a valid Luhn key."""
    return str(luhn.calc_check_digit(body))


@given(st.from_regex(r"[1-9][0-9]{7}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_every_siret_body_has_exactly_one_check_digit(head: str, nic: str) -> None:
    siren = head + luhn_digit(head)
    if siren == "356000000":
        return
    valid = [d for d in "0123456789" if siret_is_valid(siren + nic + d)]
    assert len(valid) == 1


@given(st.from_regex(r"[1-9][0-9]{7}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_a_siret_whose_siren_key_is_wrong_is_refused(head: str, nic: str) -> None:
    """Whatever its last digit: the SIREN's own key is checked, not only the SIRET's."""
    right = luhn_digit(head)
    for wrong in (d for d in "0123456789" if d != right):
        assert not any(siret_is_valid(head + wrong + nic + d) for d in "0123456789")


@given(st.from_regex(r"[1-9][0-9]{7}", fullmatch=True), st.integers(0, 13), st.integers(1, 9))
def test_changing_one_digit_breaks_a_siret(head: str, position: int, delta: int) -> None:
    siren = head + luhn_digit(head)
    if siren == "356000000":
        return
    siret = siren + "0001" + luhn_digit(siren + "0001")
    digits = list(siret)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not siret_is_valid("".join(digits))


def test_la_poste_rule() -> None:
    assert siret_is_valid("35600000049837")  # digits add up to 45
    assert not siret_is_valid("35600000049838")
    assert siret_is_valid("35600000000048")  # the head office follows the usual rule


def test_full_width_digits_are_refused() -> None:
    assert siret_is_valid("21010053300012")
    assert not siret_is_valid("２１０１００５３３０００１２")
    assert not siret_is_valid("٢١٠١٠٠٥٣٣٠٠٠١٢")  # Arabic-Indic digits


_SIRET_ITEM = Item(id="siret", type="siret", label={"fr": "SIRET", "en": "SIRET"})
_DIGITS = st.text(alphabet="0123456789", min_size=14, max_size=14)
_NEAR_VALID = st.builds(
    lambda head, nic: (siren := head + luhn_digit(head)) + nic + luhn_digit(siren + nic),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
)
_LA_POSTE = st.from_regex(r"356000000[0-9]{5}", fullmatch=True)


@given(
    st.one_of(
        _DIGITS,
        _NEAR_VALID,
        _LA_POSTE,
        st.text(alphabet="0123456789 ０１２３４５６７８９", max_size=18),
        st.text(max_size=16),
    )
)
def test_the_answer_check_agrees_with_python_stdnum(text: str) -> None:
    """An answer is accepted exactly when python-stdnum accepts the SIRET written in ASCII
    digits (spaces between digits allowed), and is then kept without its spaces."""
    value, errors = check_answer(_SIRET_ITEM, text, None)
    compact = text.strip().replace(" ", "")
    expected = compact.isascii() and compact.isdigit() and stdnum_siret.is_valid(compact)
    assert (errors == []) == expected
    if expected:
        assert value == compact
    else:
        assert len(errors) == 1


def test_schema_accepts_the_example_and_rejects_mistakes(mini: Path) -> None:
    context = load_context(mini)
    schema = application_schema(context.questionnaire, context.catalogue)
    jsonschema.Draft202012Validator.check_schema(schema)
    doc, _ = parse_yaml((mini / F).read_text(encoding="utf-8"), F)
    assert doc is not None
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(doc.data)) == []
    doc.data["reponses"]["apt-connexion"] = "adsl"
    doc.data["lieu"]["inconnu"] = 1
    assert len(list(validator.iter_errors(doc.data))) == 2


def test_template_is_a_commented_skeleton(mini: Path) -> None:
    context = load_context(mini)
    text = render_template(context.questionnaire, context.catalogue)
    assert text.splitlines()[0] == (
        "# yaml-language-server: $schema=https://example.org/mini/application.schema.json"
    )
    doc, problems = parse_yaml(text, "template.yaml")
    assert problems == [] and doc is not None
    assert doc.data["questionnaire"] == "mini-questionnaire@1.0.0"
    assert set(doc.data["lieu"]) == {i.id for i in context.questionnaire.identity}
    assert "  #     - creer-une-adresse-electronique  (MAI-01 Créer une adresse électronique)" in (
        text.splitlines()
    )
    # Deprecated services are not offered.
    assert "decouvrir-le-courriel" not in text


def test_template_then_validate(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["apply", "template", "-o", "vide.yaml"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["apply", "template", "-o", "vide.yaml"])
    assert result.exit_code == 2 and "--force" in result.output
    result = runner.invoke(app, ["apply", "validate", "vide.yaml"])
    assert result.exit_code == 1
    assert "error[APP005]" in result.output
    assert "Traceback" not in result.output


def test_cli_validate_files_and_folders(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["apply", "validate", "applications"])
    assert result.exit_code == 0, result.output
    apply_edits(mini, (_replace(F, "21010053300012", "21010053300013"),))
    result = runner.invoke(app, ["apply", "validate", F, "--format", "json"])
    assert result.exit_code == 1
    (diagnostic,) = json.loads(result.output)["diagnostics"]
    assert diagnostic["code"] == "APP008" and diagnostic["line"] == 5
    result = runner.invoke(app, ["apply", "validate", "absent.yaml"])
    assert result.exit_code == 2


def test_cli_schema(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["questionnaire", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    again = runner.invoke(app, ["questionnaire", "schema"])
    assert again.output == result.output


def test_cli_questionnaire_validate(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["questionnaire", "validate"])
    assert result.exit_code == 0, result.output
    apply_edits(
        mini / "questionnaire",
        (_replace("themes/publics.yaml", "operator: equals", "operator: greater_than"),),
    )
    result = runner.invoke(app, ["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "questionnaire/themes/publics.yaml:43:" in result.output
    result = runner.invoke(app, ["apply", "validate", F])
    assert result.exit_code == 2
    assert "questionnaire validate" in result.output


def test_an_answer_that_does_not_apply_says_its_condition_in_words(
    tmp_path: Path, runner: CliRunner
) -> None:
    """APP006 names the condition as the template and the site say it, never « contains »."""
    example = REPO / "examples" / "applications" / "association-les-cles-du-plateau.yaml"
    text = example.read_text(encoding="utf-8")
    assert "  frais_a_charge: gratuit\n" in text
    path = tmp_path / example.name
    path.write_text(
        text.replace(
            "  frais_a_charge: gratuit\n",
            "  frais_a_charge: gratuit\n  prise_rdv: https://exemple.fr/rdv\n",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--root", str(REPO), "apply", "validate", str(path)])
    assert result.exit_code == 1
    assert (
        "ne s'applique que si la réponse à modalites_acces comprend « prendre-rdv-en-ligne »"
        in result.output
    )
    assert " contains " not in result.output


def test_an_answer_to_a_retired_question_says_why_it_is_gone(
    tmp_path: Path, runner: CliRunner
) -> None:
    """APP003 on a question the questionnaire retired says so, with the reason, rather than
    guessing a question of a similar name."""
    example = REPO / "examples" / "applications" / "association-les-cles-du-plateau.yaml"
    text = example.read_text(encoding="utf-8")
    assert "  ter-permanences-exterieures: true\n" in text
    path = tmp_path / example.name
    path.write_text(
        text.replace(
            "  ter-permanences-exterieures: true\n",
            "  ter-partenaires-locaux: 4\n  ter-permanences-exterieures: true\n",
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--root", str(REPO), "apply", "validate", str(path)])
    assert result.exit_code == 1
    assert "error[APP003]" in result.output
    assert "la question a été retirée dans la version 3.0.0 (un nombre de partenaires" in (
        result.output.replace("\n", " ")
    )
    assert "vouliez-vous dire" not in result.output

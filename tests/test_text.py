"""Text values read from files: control characters, look-alike labels, ASCII digits, finite
numbers, web addresses, and venue names that survive ``import lieux`` → ``apply validate``.

Each source has its failing fixture here or in the rule tables of
``test_referentiel_validate.py`` and ``test_application.py``.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.network.lieux import import_lieux
from aptic_qualif.vocabularies import LIEUX_COLUMNS
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import REPO

APPLICATION = "applications/complet.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _no_internal_error(output: str) -> None:
    assert "erreur interne" not in output and "Traceback" not in output, output


# ── Control characters ──


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("Médiathèque", False, False),
        ("Espace\x00", False, True),
        ("Espace\x1b[2J", True, True),
        ("\x9bC1", True, True),
        ("Espace\x7f", True, True),
        ("abc\u202eevil", True, True),
        ("abc\u2066isolate", True, True),
        ("ligne\u2028séparateur", True, True),
        ("deux\nlignes", False, True),
        ("deux\nlignes", True, False),
        ("tab\there", False, True),
        ("tab\there", True, False),
        ("retour\r", True, True),
        ("👩🏽\u200d💻 Atelier 🇫🇷", False, False),  # emoji sequences are text
        ("Espace\u00a0numérique\u202f:", False, False),  # no-break spaces are text
    ],
)
def test_control_characters(text: str, multiline: bool, refused: bool) -> None:
    from aptic_qualif.text import text_problem

    assert (text_problem(text, multiline=multiline) is not None) is refused


def test_control_character_message_names_it() -> None:
    from aptic_qualif.text import text_problem

    problem = text_problem("ab\x1bc")
    assert problem is not None
    assert "ESC (U+001B)" in problem[0] and "3" in problem[0]
    problem = text_problem("abc\u202eevil")
    assert problem is not None and "U+202E" in problem[0]


def test_questionnaire_label_with_a_control_character(mini: Path, runner: CliRunner) -> None:
    theme = mini / "questionnaire" / "themes" / "aptitudes.yaml"
    text = theme.read_text(encoding="utf-8")
    label = next(line for line in text.splitlines() if line.strip().startswith("fr:"))
    _edit(theme, label, label.split("fr:")[0] + 'fr: "Nombre\\e[2J de médiateurs"')
    result = runner.invoke(app, ["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "error[TXT001]" in result.output and "aptitudes.yaml:" in result.output
    _no_internal_error(result.output)


def test_policy_label_with_a_line_break(mini: Path, runner: CliRunner) -> None:
    _edit(
        mini / "questionnaire" / "policy.yaml",
        "overall_threshold: 50",
        'overall_threshold: 50\nlabel: "Qualifié\\nFAUX"',
    )
    result = runner.invoke(app, ["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "policy.yaml:9:" in result.output and "TXT001" in result.output, result.output
    result = runner.invoke(app, ["assess", "applications"])
    assert result.exit_code == 2
    _no_internal_error(result.output)


def test_review_with_a_control_character(mini: Path) -> None:
    from aptic_qualif.review.load import load_reviews
    from tests.test_reviews import _review

    path = _review(mini, "alice", 3, comment="Bien.\nTrès bien.")  # lines: accepted
    context = load_context(mini)
    reviews, report = load_reviews(mini / "reviews", context.questionnaire)
    assert len(reviews) == 1 and report.diagnostics == []
    _edit(path, "reviewer: alice", 'reviewer: "alice\\u202E"')
    reviews, report = load_reviews(mini / "reviews", context.questionnaire)
    assert reviews == []
    assert "TXT001" in {d.code for d in report.errors}


# ── Labels that only look distinct ──


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Créer une adresse", "Сréer une adresse"),  # Cyrillic С
        ("Créer une adresse", "Cre\u0301er une adresse"),  # decomposed accent
        ("Créer une adresse", "Cré\u200ber une adresse"),  # zero-width space
        ("Créer une adresse", "Créer une\u00ad adresse"),  # soft hyphen
        ("Créer une adresse", "créer  une ADRESSE"),  # case and spaces
        ("Payer en ligne", "Pаyer en ligne"),  # Cyrillic а
    ],
)
def test_look_alike_labels_have_one_key(a: str, b: str) -> None:
    from aptic_qualif.text import comparison_key

    assert comparison_key(a) == comparison_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Créer une adresse", "Crier une adresse"), ("Niveau 1", "Niveau 2"), ("Café", "Cafe")],
)
def test_distinct_labels_stay_distinct(a: str, b: str) -> None:
    from aptic_qualif.text import comparison_key

    assert comparison_key(a) != comparison_key(b)


def test_vendored_confusables_give_tr39_skeletons() -> None:
    """The skeleton of UTS #39 (section 4) from Unicode's confusables.txt, vendored."""
    from aptic_qualif.text import _prototypes, skeleton

    assert len(_prototypes()) == 6311  # confusables.txt 13.0.0, one source character each
    assert skeleton("\u0430") == "a"  # Cyrillic а
    assert skeleton("\u0440\u0430\u0443\u0440\u0430l") == skeleton("paypal")  # р а у
    assert skeleton("m") == skeleton("rn") == "rn"  # prototypes may be several characters
    assert skeleton("\ufb01") == "fi"  # the ligature ﬁ
    # Full-width forms are not in confusables.txt (UTS #39 leaves them to NFKC): « ｍ » keeps
    # its own skeleton, as ICU's spoof checker gives it.
    assert skeleton("\uff4d") == "\uff4d"
    assert skeleton("e\u0301") == skeleton("\u00e9") == "e\u0301"  # NFD before and after


def test_vendored_confusables_name_their_source_and_licence() -> None:
    folder = REPO / "src" / "aptic_qualif" / "unicode-confusables"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for needed in (
        "unhomoglyph",
        "1.0.6",
        "nodeca/unhomoglyph",
        "confusables.txt",
        "13.0.0",
        "MIT",
        "Unicode License",
        "https://www.unicode.org/license.txt",
    ):
        assert needed in readme, needed
    assert "Permission is hereby granted" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_reader_composes_decomposed_text() -> None:
    """NFD text is normalised (to NFC), never refused: the same text, other bytes."""
    doc, problems = parse_yaml('a: "Me\u0301diathe\u0300que"\nCafe\u0301: e\u0301\n', "x.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": "Médiathèque", "Café": "é"}
    assert all(unicodedata.is_normalized("NFC", key) for key in doc.data)


# ── Digits ──


@pytest.mark.parametrize(
    ("typed", "integer", "value"),
    [
        ("12", True, 12),
        ("-3", True, -3),
        ("\uff11\uff12", True, None),  # full-width
        ("1_000", True, None),
        ("12,5", False, 12.5),
        ("1e3", False, 1000.0),
        ("\u0661\u0662", False, None),  # Arabic-Indic
        ("inf", False, None),
        ("nan", False, None),
        ("1e400", False, None),
    ],
)
def test_typed_numbers(typed: str, integer: bool, value: float | None) -> None:
    from aptic_qualif.text import parse_number

    assert parse_number(typed, integer=integer) == value


def test_fill_refuses_full_width_numbers(mini: Path) -> None:
    from aptic_qualif.questionnaire.fill import ask

    context = load_context(mini)
    item = context.questionnaire.by_id["apt-mediateurs"].item

    class Prompter:
        def __init__(self) -> None:
            self.refused: list[str | None] = []

        def text(self, message: str, validate, **_options):  # type: ignore[no-untyped-def]
            self.refused.append(validate("\uff12"))
            assert validate("2") is None
            return "2"

    prompter = Prompter()
    assert ask(item, context.catalogue, prompter, "fr") == 2  # type: ignore[arg-type]
    assert prompter.refused and prompter.refused[0] is not None


# ── Finite numbers, valid JSON ──


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "1" + "0" * 400, "1" + "0" * 5000, "10000000000000001"]
)
def test_numbers_out_of_range_are_refused_where_read(number: str) -> None:
    doc, problems = parse_yaml(f"poids:\n  a: {number}\n", "p.yaml")
    assert [(d.code, d.span.line, d.span.col) for d in problems] == [("YAML009", 2, 6)]
    assert doc is not None and doc.data == {"poids": {"a": None}}


def test_numbers_in_range_and_quoted_texts_pass() -> None:
    doc, problems = parse_yaml('a: 1000000000000000\nb: -1.5e3\nc: "1e400"\n', "p.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": 10**15, "b": -1500.0, "c": "1e400"}


def test_policy_weight_1e400(mini: Path, runner: CliRunner) -> None:
    """Once NaN scores, a traceback and invalid JSON; now a located error, exit 2."""
    _edit(
        mini / "questionnaire" / "policy.yaml",
        "theme_thresholds:",
        "theme_weights:\n  aptitudes: 1e400\ntheme_thresholds:",
    )
    result = runner.invoke(app, ["assess", "applications", "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "NaN" not in result.stdout
    _no_internal_error(result.output)
    result = runner.invoke(app, ["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "policy.yaml:6:14: error[YAML009]" in result.output, result.output


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_json_outputs_are_strict(mini: Path, runner: CliRunner) -> None:
    for args in (
        ["assess", "applications", "--format", "json"],
        ["apply", "validate", "applications", "--format", "json"],
        ["coverage", "applications", "--all", "--format", "json"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (args, result.output)
        _strict_json(result.stdout)


def test_json_writers_refuse_nan() -> None:
    from aptic_qualif.diagnostics import Diagnostic, Report, Span

    report = Report([Diagnostic.error("X", Span("f", float("nan"), 1), "m")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON compliant"):
        report.render_json()


# ── Web addresses ──


@pytest.mark.parametrize(
    ("iri", "valid"),
    [
        ("https://aptic-qualif.github.io/referentiel/", True),
        ("https://exemple.fr/référentiel/", True),
        ("http://example.org:8080/a?b=c#d", True),
        ("https://[::1]/x/", True),
        ("https://example.org/a>b/", False),
        ('https://example.org/a"b/', False),
        ("https://example.org/{x}/", False),
        ("https://example.org/a|b/", False),
        ("https://example.org/a^b/", False),
        ("https://example.org/a`b/", False),
        ("https://example.org/a b/", False),
        ("https://example.org/%zz/", False),
        ("https://example.org/a\u202eb/", False),
        ("ftp://example.org/", False),
        ("https:///x/", False),
        ("javascript:alert(1)", False),
        ("https://example.org:99999999/", False),
    ],
)
def test_http_iri(iri: str, valid: bool) -> None:
    from aptic_qualif.text import is_http_iri

    assert is_http_iri(iri) is valid


# ── import lieux → apply validate ──


@cache
def _context() -> Context:
    return load_context(REPO)


def _csv(nom: str) -> str:
    row = {
        "id": "lieu-1",
        "pivot": "82237860000057",
        "nom": nom,
        "commune": "Aubenas",
        "code_postal": "07200",
        "code_insee": "07019",
        "adresse": "3 place de la Paix",
        "date_maj": "2024-05-02",
    }
    buffer = io.StringIO()
    # every cell quoted: Python's writer leaves a bare "\r" unquoted, a broken row
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(LIEUX_COLUMNS)
    writer.writerow([row.get(column, "") for column in LIEUX_COLUMNS])
    return buffer.getvalue()


def test_emoji_venue_name_round_trips(tmp_path: Path, runner: CliRunner) -> None:
    """The skeleton once held JSON's surrogate escapes (\\ud83d…), which YAML refuses."""
    england = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    name = f"👩🏽\u200d💻 Atelier ☕\ufe0f 🇫🇷 {england}"
    source = tmp_path / "lieux.csv"
    source.write_text(_csv(name), encoding="utf-8")
    out = tmp_path / "candidatures"
    result = runner.invoke(
        app, ["--root", str(REPO), "import", "lieux", str(source), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    (written,) = out.iterdir()
    result = runner.invoke(app, ["--root", str(REPO), "apply", "validate", str(written)])
    assert "YAML001" not in result.output and "TXT001" not in result.output, result.output
    context = _context()
    checked, _report = validate_application(written, context.questionnaire, context.catalogue)
    assert checked is not None and checked.answers["nom"] == name


printable = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=printable, min_size=1, max_size=30))
@example("👩🏽\u200d💻 Atelier")
@example("🇫🇷 Espace \ufe0f numérique")
@example('Guillemets " et \\ barre')
@example("Espace\u202enumérique")
@example("Cafe\u0301")
@example("0\r")
def test_import_then_validate_round_trips(
    tmp_path_factory: pytest.TempPathFactory, nom: str
) -> None:
    """Any venue name: the skeleton ``import lieux`` writes reads back, with the same name
    (composed to NFC), or the row is refused with a located error (a control character)."""
    from aptic_qualif.text import text_problem

    folder = tmp_path_factory.mktemp("rt")
    source = folder / "lieux.csv"
    source.write_bytes(_csv(nom).encode("utf-8"))
    context = _context()
    result = import_lieux(source, context)
    expected = nom.strip()
    if not expected or text_problem(expected) is not None:
        assert not result.venues and result.report.errors, nom
        assert all(d.span.line for d in result.report.errors)
        return
    (venue,) = result.venues
    written = folder / "candidature.yaml"
    written.write_text(result.text(venue), encoding="utf-8")
    checked, report = validate_application(written, context.questionnaire, context.catalogue)
    assert checked is not None, report.render_text()
    assert {d.code for d in report.errors} <= {"APP005", "APP014"}, report.render_text()
    assert checked.answers["nom"] == unicodedata.normalize("NFC", expected)


def test_look_alike_reviewers_of_a_reference_case(runner: CliRunner, tmp_path: Path) -> None:
    """CAS004 (one reviewer twice) holds when the second "alice" has a Cyrillic "а"."""
    import shutil

    from tests.test_policy_cases import CASES, policy_test

    folder = tmp_path / "cas"
    shutil.copytree(CASES / "CAS004", folder)
    case = folder / "relecteur-double" / "cas.yaml"
    text = case.read_text(encoding="utf-8")
    last = text.rindex("reviewer: alice")
    case.write_text(text[:last] + "reviewer: \u0430lice" + text[last + 15 :], encoding="utf-8")
    exit_code, output = policy_test(runner, "--cases", str(folder))
    assert exit_code == 1, output
    assert "relecteur-double/cas.yaml:9:15: error[CAS004]" in output


def test_look_alike_reviewers_of_an_application(mini: Path) -> None:
    """Two files, "alice.yaml" and "аlice.yaml" (Cyrillic а): one person, counted once."""
    from aptic_qualif.review.load import load_reviews
    from tests.test_reviews import _review

    _review(mini, "alice", 3)
    _review(mini, "bob", 2)
    _review(mini, "\u0430lice", 4)
    context = load_context(mini)
    reviews, report = load_reviews(mini / "reviews", context.questionnaire)
    assert sorted(r.reviewer for r in reviews) == ["alice", "bob"]
    (error,) = report.errors
    assert error.code == "REV006" and error.span.file.endswith("\u0430lice.yaml")
    assert "alice" in error.message

"""Numbers, dates, plurals and « de » + a name in human text: one place (aptic_qualif.formats),
CLDR's rules through Babel, in both languages; machine outputs stay the same in every language."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.formats import day, number, of_name, percent, plural_count
from aptic_qualif.i18n import ngettext, set_language, use_language
from tests.conftest import REPO

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(autouse=True)
def french() -> Iterator[None]:
    set_language("fr")
    yield
    set_language("fr")


def test_numbers_follow_the_cldr_of_each_language() -> None:
    assert number(2.5) == "2,5"
    assert number(4.0) == "4"
    assert number(3847.5) == f"3{NNBSP}847,5"
    assert number(0, 3) == "0,000"
    assert number(0.5, 2) == "0,50"
    assert percent(68.4) == f"68,4{NBSP}%"
    assert percent(50) == f"50{NBSP}%"
    with use_language("en"):
        assert number(2.5) == "2.5"
        assert number(3847.5) == "3,847.5"
        assert number(0, 3) == "0.000"
        assert percent(68.4) == "68.4%"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_a_french_number_never_holds_a_decimal_point(value: float) -> None:
    text = number(value)
    assert "." not in text
    with use_language("en"):
        english = number(value)
    # the same digits, only the separators differ
    assert english.replace(",", "").replace(".", ",") == text.replace(NNBSP, "")


def test_dates_are_written_as_each_language_writes_them() -> None:
    assert day("2027-03-01") == "1er mars 2027"
    assert day("2029-08-24") == "24 août 2029"
    with use_language("en"):
        assert day("2027-03-01") == "1 March 2027"


def test_plurals_follow_the_rule_of_the_language_even_for_decimals() -> None:
    def points(value: float) -> str:
        return ngettext("+{points} point", "+{points} points", plural_count(value)).format(
            points=number(value)
        )

    assert points(1) == "+1 point"
    assert points(1.5) == "+1,5 point"  # French: 0 ≤ n < 2 takes the singular
    assert points(2) == "+2 points"
    with use_language("en"):
        assert points(1) == "+1 point"
        assert points(1.5) == "+1.5 points"
        assert points(0) == "+0 points"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Les Granges numériques", "des Granges numériques"),
        ("Le Vigan", "du Vigan"),
        ("Aix", "d'Aix"),
        ("Ussel", "d'Ussel"),
        ("Égletons", "d'Égletons"),
        ("Yssingeaux", "d'Yssingeaux"),
        ("La Souterraine", "de La Souterraine"),
        ("L'Isle-Jourdain", "de L'Isle-Jourdain"),
        ("Peyrelevade", "de Peyrelevade"),
        ("Lesneven", "de Lesneven"),
        ("Leyme", "de Leyme"),
        ("claire-martin", "de claire-martin"),
        ("anne-sophie", "d'anne-sophie"),
    ],
)
def test_de_before_a_name_is_contracted_as_french_writes_it(name: str, expected: str) -> None:
    assert of_name(name) == expected
    with use_language("en"):
        assert of_name(name) == f"of {name}"


def _run(*args: str, stdout: bool = False) -> str:
    result = CliRunner().invoke(app, ["--root", str(REPO), *args], env={"COLUMNS": "160"})
    return result.stdout if stdout else result.output


def test_the_postcode_hint_contracts_de_before_a_commune(tmp_path: Path) -> None:
    """The reviewer's case: INSEE 19164 (Peyrelevade), postcode 19200, commune « Aix ».
    « 19200 est le code postal de Aix » is now « d'Aix »."""
    source = (REPO / "examples" / "applications" / "fablab-la-forge.yaml").read_text("utf-8")
    source = source.replace('code_postal: "71200"', 'code_postal: "19200"')
    source = source.replace("commune: Le Creusot", "commune: Aix")
    source = source.replace('code_insee: "71153"', 'code_insee: "19164"')
    target = tmp_path / "granges.yaml"
    target.write_text(source, "utf-8")
    out = " ".join(_run("--lang", "fr", "apply", "validate", str(target)).split())
    assert "19200 est le code postal d'Aix" in out, out
    assert "n'est pas un code postal de Peyrelevade (19164)" in out, out
    assert "de Aix" not in out
    english = " ".join(_run("--lang", "en", "apply", "validate", str(target)).split())
    assert "19200 is the postcode of Aix" in english, english


def test_machine_outputs_do_not_follow_the_language() -> None:
    """JSON and the CSV's data columns keep a decimal point, whatever the language."""
    files = str(REPO / "examples" / "applications")
    reviews = str(REPO / "examples" / "reviews")
    outputs = {}
    for lang in ("fr", "en"):
        outputs[lang] = (
            _run(
                "--lang",
                lang,
                "assess",
                files,
                "--reviews",
                reviews,
                "--format",
                "json",
                stdout=True,
            ),
            _run(
                "--lang",
                lang,
                "assess",
                files,
                "--reviews",
                reviews,
                "--format",
                "csv",
                stdout=True,
            ),
        )

    def numbers(data: object) -> list[object]:
        if isinstance(data, dict):
            return [n for value in data.values() for n in numbers(value)]
        if isinstance(data, list):
            return [n for value in data for n in numbers(value)]
        return [data] if isinstance(data, int | float) else []

    assert numbers(json.loads(outputs["fr"][0])) == numbers(json.loads(outputs["en"][0]))
    french = list(csv.DictReader(io.StringIO(outputs["fr"][1])))
    english = list(csv.DictReader(io.StringIO(outputs["en"][1])))
    assert [row["global_pct"] for row in french] == [row["global_pct"] for row in english]
    assert any("." in row["global_pct"] for row in french)


def test_the_review_summary_writes_decimal_commas_in_french() -> None:
    out = _run(
        "--lang",
        "fr",
        "review",
        "summary",
        str(REPO / "examples" / "reviews"),
        "--applications",
        str(REPO / "examples" / "applications"),
    )
    assert "pub-suivi-progression : 2,5 (fatou-diallo=2, yannick-le-goff=3)" in out, out
    assert re.search(r"\d\.\d", out) is None, re.search(r".*\d\.\d.*", out)


def test_coverage_counts_in_the_singular_and_the_plural() -> None:
    """« 1 lieux évalués, dans 1 territoires » was printed for one venue."""
    one = str(REPO / "examples" / "applications" / "fablab-la-forge.yaml")
    reviews = str(REPO / "examples" / "reviews")
    out = _run("--lang", "fr", "coverage", one, "--reviews", reviews, "--all", "-f", "markdown")
    assert "1 lieu évalué, dans 1 territoire\n" in out, out
    every = str(REPO / "examples" / "applications")
    out = _run("--lang", "fr", "coverage", every, "--reviews", reviews, "--all", "-f", "markdown")
    assert re.search(r"\d+ lieux évalués, dans \d+ territoires\n", out), out


def test_the_report_counts_points_in_the_singular() -> None:
    """The report's advice said « +1 points »."""
    from aptic_qualif.scoring.html import _gain

    assert _gain(1) == "+1 point"
    assert _gain(2.5) == "+2,5 points"
    with use_language("en"):
        assert _gain(1.5) == "+1.5 points"


def test_a_number_formatted_again_is_the_same_in_each_language() -> None:
    """Numbers are formatted once per language and value (babel is slow): the cache keeps
    the language, the sign of zero and the decimals asked for apart."""
    from decimal import Decimal

    assert number(Decimal("-0")) == "-0"
    assert number(Decimal("0")) == "0"
    assert number(Decimal("-0")) == "-0"
    assert number(2.5) == "2,5"
    assert number(2.5, places=2) == "2,50"
    assert percent(68.4) == percent(Decimal("68.40")) == "68,4\u00a0%"
    with use_language("en"):
        assert number(2.5) == "2.5"
        assert percent(68.4) == "68.4%"
    assert number(3847.5) == "3\u202f847,5"

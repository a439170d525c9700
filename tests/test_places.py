"""A venue's INSEE code, postcode and commune name, checked against the commune reference
(Etalab's découpage administratif): each rule with a failing fixture, the hints that name
the right value, the reference itself, and the proposals of ``apply fill``."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aptic_qualif.codes import CODES
from aptic_qualif.communes import communes, normalise_name
from aptic_qualif.context import load_context
from aptic_qualif.places import commune_proposals
from tests.conftest import REPO
from tests.test_application import _check
from tests.test_referentiel_validate import Case, _replace, apply_edits

F = "applications/complet.yaml"  # Bourg-en-Bresse, INSEE 01053, postcode 01000

CASES = [
    Case("unknown-insee", (_replace(F, '"01053"', '"01999"'),), (("GEO001", F, 9),)),
    Case("postcode-as-insee", (_replace(F, '"01053"', '"01000"'),), (("GEO001", F, 9),)),
    Case("former-commune", (_replace(F, '"01053"', '"01300"'),), (("GEO001", F, 9),)),
    Case("unknown-postcode", (_replace(F, '"01000"', '"01999"'),), (("APP009", F, 7),)),
    Case("postcode-of-another-commune", (_replace(F, '"01000"', '"01300"'),), (("APP013", F, 7),)),
    Case(
        "name-typo",
        (_replace(F, "commune: Bourg-en-Bresse", "commune: Bourg-en-Brese"),),
        (("GEO002", F, 8),),
    ),
    Case(
        "name-without-accents-or-case",
        (_replace(F, "commune: Bourg-en-Bresse", "commune: BOURG EN BRESSE"),),
        (),
    ),
    Case(
        "insee-of-another-commune",
        (_replace(F, '"01053"', '"01344"'),),  # Saint-Denis-lès-Bourg, also 01000
        (("GEO002", F, 8),),
    ),
    Case(
        "everything-else-wrong",
        (_replace(F, '"01053"', '"2A004"'),),  # Ajaccio
        (("APP013", F, 7), ("GEO002", F, 8)),
    ),
    Case(
        "arrondissement-named-after-its-commune",
        (
            _replace(F, '"01000"', '"75004"'),
            _replace(F, '"01053"', '"75104"'),
            _replace(F, "commune: Bourg-en-Bresse", "commune: Paris"),
        ),
        (),
    ),
    Case(
        "saint-abbreviated",
        (
            _replace(F, '"01000"', '"42000"'),
            _replace(F, '"01053"', '"42218"'),
            _replace(F, "commune: Bourg-en-Bresse", "commune: St-Etienne"),
        ),
        (),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case, mini: Path) -> None:
    apply_edits(mini, case.edits)
    _checked, report = _check(mini)
    found = sorted((d.code, d.span.file, d.span.line) for d in report.diagnostics)
    assert found == sorted(case.expected), report.render_text()


def test_every_code_has_a_failing_fixture() -> None:
    covered = {code for case in CASES for code, _file, _line in case.expected}
    covered |= {code for _written, codes, _hint in ITINERANCE for code in codes}
    assert {c for c in CODES if c.startswith("GEO")} - covered == set()


def _hints(mini: Path, *edits: tuple[str, ...]) -> list[str]:
    apply_edits(mini, edits)
    _checked, report = _check(mini)
    return [d.hint or "" for d in report.diagnostics]


def test_a_postcode_in_the_insee_field_gets_the_insee_code(mini: Path) -> None:
    [hint] = _hints(mini, _replace(F, '"01053"', '"01000"'))
    assert "01000" in hint and "01053" in hint and "Bourg-en-Bresse" in hint


def test_a_former_commune_names_the_commune_it_joined(mini: Path) -> None:
    [hint] = _hints(mini, _replace(F, '"01053"', '"01300"'))
    assert "Le Poizat" in hint and "01204" in hint


def test_a_misspelt_name_gets_did_you_mean(mini: Path) -> None:
    [hint] = _hints(mini, _replace(F, "commune: Bourg-en-Bresse", "commune: Bourg-en-Brese"))
    assert hint == "vouliez-vous dire « Bourg-en-Bresse » ?"


def test_a_name_of_the_postcode_points_to_its_insee_code(mini: Path) -> None:
    """The venue is in Saint-Denis-lès-Bourg (01344, postcode 01000) but gave Bourg's code."""
    [hint] = _hints(mini, _replace(F, "commune: Bourg-en-Bresse", "commune: Saint-Denis-les-Bourg"))
    assert "01344" in hint and "Bourg-en-Bresse" in hint


def test_a_wrong_postcode_lists_the_communes_postcodes(mini: Path) -> None:
    [hint] = _hints(mini, _replace(F, '"01000"', '"01300"'))
    assert "01000" in hint


def test_examples_agree_with_the_reference() -> None:
    context = load_context(REPO)
    files = sorted((REPO / "examples" / "applications").glob("*.yaml"))
    files += sorted((REPO / "questionnaire" / "cases").glob("*/candidature.yaml"))
    for path in files:
        from aptic_qualif.application import validate_application

        _checked, report = validate_application(path, context.questionnaire, context.catalogue)
        codes = {d.code for d in report.diagnostics}
        assert not codes & {"GEO001", "GEO002", "APP013"}, report.render_text()


# -- the reference -------------------------------------------------------------------


def test_the_reference_names_its_source_and_licence() -> None:
    table = communes()
    assert table.source.startswith("@etalab/decoupage-administratif@")
    assert "Licence Ouverte" in table.source
    readme = (REPO / "src" / "aptic_qualif" / "data" / "communes" / "README.md").read_text()
    version = table.source.split("@")[2].split()[0]
    assert version in readme
    assert f"COMMUNES_VERSION := {version}" in (REPO / "Makefile").read_text()


def test_the_reference_holds_every_commune() -> None:
    table = communes()
    kinds = {"commune": 0, "arrondissement": 0, "ancienne": 0}
    for commune in table.rows():
        kinds[commune.kind] += 1
    assert kinds["commune"] > 34_000
    assert kinds["arrondissement"] == 45  # Paris 20 (+ Paris Centre's 4), Lyon 9, Marseille 16
    paris = table.current("75056")
    assert paris is not None and paris.population > 2_000_000
    assert "75116" in paris.postcodes
    assert table.population("59") == table.departement_populations["59"] > 2_500_000
    assert table.get("97416") is not None  # overseas
    assert table.get("2B096") is not None  # Corsica


def test_the_data_file_is_sorted_and_well_formed() -> None:
    path = REPO / "src" / "aptic_qualif" / "data" / "communes" / "communes.tsv.gz"
    raw = path.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # no time stamp: the same version gives the same bytes
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    assert lines[1].split("\t") == [
        "insee", "nom", "departement", "codes_postaux", "population", "type", "parent"
    ]  # fmt: skip
    rows = [line for line in lines[2:] if line]
    assert [row[:5] for row in rows] == sorted({row[:5] for row in rows})
    assert all(row.count("\t") == 6 for row in rows)


def test_loading_is_lazy() -> None:
    """Importing the checks (every command does) never reads the reference."""
    code = (
        "import sys, aptic_qualif.application, aptic_qualif.places, aptic_qualif.communes as c;"
        "print(c.communes.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "0", done.stderr


@given(st.text(max_size=40))
def test_normalising_is_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


def test_normalising_ignores_accents_case_punctuation() -> None:
    assert normalise_name("Saint-Étienne") == normalise_name("ST ETIENNE")
    assert normalise_name("L'Haÿ-les-Roses") == normalise_name("l hay les roses")
    assert normalise_name("Œuilly") == "oeuilly"


# -- apply fill ----------------------------------------------------------------------


def test_fill_proposals_are_the_communes_of_the_postcode() -> None:
    assert [c.insee for c in commune_proposals("01000")] == ["01053", "01344"]
    assert commune_proposals("01999") == []
    assert commune_proposals(None) == []


def test_fill_proposes_the_commune_then_its_insee_code(mini: Path) -> None:
    from aptic_qualif.questionnaire.fill import OTHER, ask_proposed, place_proposals
    from tests.test_fill import Scripted

    identity = {"code_postal": "01000"}
    communes_of = place_proposals("commune", identity)
    assert communes_of == [
        ("Bourg-en-Bresse (01053)", "Bourg-en-Bresse"),
        ("Saint-Denis-lès-Bourg (01344)", "Saint-Denis-lès-Bourg"),
    ]
    identity["commune"] = "Saint-Denis-lès-Bourg"
    assert place_proposals("code_insee", identity) == [("01344 — Saint-Denis-lès-Bourg", "01344")]
    assert place_proposals("nom", identity) == []
    assert place_proposals("commune", {"code_postal": "01999"}) == []

    context = load_context(mini)
    item = context.questionnaire.by_id["commune"].item
    chosen = Scripted(["Bourg-en-Bresse"])
    assert ask_proposed(item, communes_of, context.catalogue, chosen, "fr") == "Bourg-en-Bresse"
    typed = Scripted([OTHER, "Bourg"])  # none of them: the question is asked as usual
    assert ask_proposed(item, communes_of, context.catalogue, typed, "fr") == "Bourg"
    assert len(typed.asked) == 2


def test_every_commune_a_travelling_venue_serves_exists(tmp_path: Path) -> None:
    """A code of communes_itinerance that is no current commune's is a located GEO001."""
    from aptic_qualif.application import validate_application

    context = load_context(REPO)
    source = (REPO / "examples" / "applications" / "bus-numerique-corse.yaml").read_text(
        encoding="utf-8"
    )
    assert "2B341, 2B354" in source
    path = tmp_path / "bus.yaml"
    path.write_text(source.replace("2B341, 2B354", "2B341, 01300, 2B999"), encoding="utf-8")
    _checked, report = validate_application(path, context.questionnaire, context.catalogue)
    found = [(d.code, d.span.line) for d in report.diagnostics]
    line = 1 + source[: source.index("communes_itinerance:")].count("\n")
    assert found == [("GEO001", line), ("GEO001", line)], report.render_text()
    assert "01204" in (report.diagnostics[0].hint or "")  # Le Poizat, now part of 01204


ITINERANCE = [
    # a name, with its code as the hint
    ("2B341, Corte, 2B354", ["GEO003"], "2B096"),
    # a name of several words, separated from the codes by semicolons
    ("2B341; Le Cheylard; 2B354", ["GEO003"], "07064"),
    # a postcode: its communes as the hint
    ("2B341, 20250, 2B354", ["GEO003"], "Corte (2B096)"),
    ("2B341, 2B354", [], ""),
    # only names, as a person answers « which communes? »
    ("'Paris, Lyon'", ["GEO003", "GEO003"], "75056"),
]


@pytest.mark.parametrize(("written", "codes", "hint"), ITINERANCE)
def test_the_communes_a_travelling_venue_serves_are_codes(
    tmp_path: Path, written: str, codes: list[str], hint: str
) -> None:
    """A commune's name in communes_itinerance was accepted, then counted nowhere by the
    coverage: it is a located error, whose hint gives the code."""
    from aptic_qualif.application import validate_application

    context = load_context(REPO)
    source = (REPO / "examples" / "applications" / "bus-numerique-corse.yaml").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "bus.yaml"
    old = "2B341, 2B354, 2B074, 2B315, 2B238, 2B260, 2B263, 2B177"
    path.write_text(source.replace(old, written), encoding="utf-8")
    _checked, report = validate_application(path, context.questionnaire, context.catalogue)
    line = 1 + source[: source.index("communes_itinerance:")].count("\n")
    assert [(d.code, d.span.line) for d in report.diagnostics] == [(c, line) for c in codes]
    if hint:
        assert hint in (report.diagnostics[0].hint or ""), report.render_text()

"""Territorial coverage: territories, itinerance, gaps, formats, chart, CLI and site page."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import application_files, validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.network.coverage import (
    Coverage,
    assess_with_places,
    chart_series,
    compute_coverage,
    coverage_of_files,
    itinerance_codes,
    render_csv,
    render_json,
    render_markdown,
    render_svg,
    render_table,
    territory_sort_key,
)
from aptic_qualif.network.svg import SVG_NAMESPACE, render_chart
from aptic_qualif.review.load import load_reviews
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment
from tests.conftest import MINI, REPO

APPLICATIONS = REPO / "examples" / "applications"
REVIEWS = REPO / "examples" / "reviews"
BUS_COMMUNES = ["2B341", "2B354", "2B074", "2B315", "2B238", "2B260", "2B263", "2B177"]
EXAMPLES = 12
QUALIFIED = {  # with their reviews, under the policy 2.0.0 (examples/README.md)
    "association-les-cles-du-plateau": "23",
    "bus-numerique-corse": "2B",
    "epn-rural-val-de-saone": "21",
    "france-services-porte-des-causses": "12",
    "mairie-lacapelle-marival": "46",
    "mediatheque-les-tilleuls": "44",
}
MALICIOUS = "<script>alert(1)</script> & \"quotes\" 'x' ]]> {{ 7*7 }}"


# -- the shipped examples, assessed once with their reviews ------------------------------


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO, need_policy=True)


@pytest.fixture(scope="module")
def assessed(context: Context) -> tuple[list[Assessment], dict[str, dict[str, Any]]]:
    files, _missing = application_files([APPLICATIONS])
    reviews, _report = load_reviews(REVIEWS, context.questionnaire)
    batch, places = assess_with_places(files, context, reviews, REVIEWS)
    assert len(batch.assessments) == EXAMPLES and not batch.unreadable
    return batch.assessments, places


def _coverage(
    context: Context,
    assessed: tuple[list[Assessment], dict[str, dict[str, Any]]],
    **options: Any,
) -> Coverage:
    assessments, places = assessed
    return compute_coverage(assessments, places, context.catalogue, **options)


def test_places_keep_only_where_venues_are(
    assessed: tuple[list[Assessment], dict[str, dict[str, Any]]],
) -> None:
    _assessments, places = assessed
    bus = places["bus-numerique-corse"]
    assert bus["code_insee"] == "2B096" and bus["itinerance"] == "itinerant"
    assert itinerance_codes(bus["communes_itinerance"]) == (BUS_COMMUNES, [])
    for answers in places.values():
        assert set(answers) <= {"code_insee", "commune", "itinerance", "communes_itinerance"}


def test_departements_of_every_assessed_venue(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    coverage = _coverage(context, assessed, by="departement", qualified_only=False)
    rows = {row.territory: row for row in coverage.territories}
    # INSEE order: Corsica between 19 and 21, overseas last
    assert list(rows) == [
        "03", "12", "2B", "21", "23", "44", "46", "56", "59", "65", "71", "974"
    ]  # fmt: skip
    assert rows["2B"].label == "Haute-Corse"
    assert rows["974"].label == "La Réunion"
    assert (rows["03"].label, rows["23"].label, rows["46"].label) == ("Allier", "Creuse", "Lot")
    assert rows["2B"].itinerant == 1 and rows["2B"].venues == 1  # its base and stops: once
    assert all(row.venues == 1 for row in rows.values())  # one example per département
    assert coverage.totals.assessed == coverage.totals.venues == EXAMPLES
    assert coverage.totals.itinerant == 1
    assert coverage.totals.without_territory == 0
    # the incomplete application from La Réunion declares no service at all
    assert rows["974"].levels == {"decouvrir": 0, "maitriser": 0, "agir": 0}
    assert rows["974"].missing_levels == ["decouvrir", "maitriser", "agir"]
    # Felletin (23) and Lacapelle-Marival (46) offer no service of the level "agir"
    assert rows["23"].missing_levels == rows["46"].missing_levels == ["agir"]
    # Since référentiel 2.0.0, open access and refurbished equipment are "maîtriser"
    # services: the venues of 12, 21, 56 and 65 reached "agir" only through them.
    assert rows["21"].missing_levels == ["agir"]
    assert coverage.territories_without_level == {
        "decouvrir": ["974"],
        "maitriser": ["974"],
        "agir": ["12", "21", "23", "46", "56", "65", "974"],
    }


def test_only_qualified_venues_by_default(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    assessments, _places = assessed
    coverage = _coverage(context, assessed)
    assert coverage.qualified_only and coverage.by == "departement"
    qualified = [a for a in assessments if a.decision == "qualifie"]
    assert {a.application for a in qualified} == set(QUALIFIED)
    assert coverage.totals.venues == len(qualified) == 6
    assert coverage.totals.assessed == EXAMPLES
    codes = [row.territory for row in coverage.territories]
    # Not qualified: 59 (Tremplin, no register of processing) and 974 (incomplete) are to
    # complete, 71 (the fablab) awaits one more review, 03 (Les Forges, practice below the
    # minimum), 56 (below the thresholds) and 65 (charter refused) are not qualified.
    assert codes == ["12", "2B", "21", "23", "44", "46"]
    assert codes == sorted(QUALIFIED.values(), key=territory_sort_key)
    assert sum(row.venues for row in coverage.territories) == 6


def test_services_offered_nowhere(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    assessments, _places = assessed
    coverage = _coverage(context, assessed)
    offered = {
        s
        for a in assessments
        if a.decision == "qualifie"
        for ids in a.services_by_level.values()
        for s in ids
    }
    expected = {
        s.id for s in context.catalogue.services.values() if s.active and s.id not in offered
    }
    assert expected  # the examples leave a few services uncovered
    assert {s.service for s in coverage.services_offered_nowhere} == expected
    counts = {s.service: s for s in coverage.services}
    assert all(counts[s].venues == 0 and counts[s].territories == 0 for s in expected)
    assert coverage.totals.services_offered == len(offered)
    bus = next(a for a in assessments if a.application == "bus-numerique-corse")
    row = next(r for r in coverage.territories if r.territory == "2B")
    bus_services = {s for ids in bus.services_by_level.values() for s in ids}
    assert row.services == dict.fromkeys(sorted(bus_services), 1)
    assert row.services_offered == len(bus_services)


def test_itinerant_bus_counted_in_each_commune(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    coverage = _coverage(context, assessed, by="commune", qualified_only=False)
    rows = {row.territory: row for row in coverage.territories}
    for code in ["2B096", *BUS_COMMUNES]:
        assert rows[code].venues == 1 and rows[code].itinerant == 1, code
    assert rows["2B096"].label == "Corte"  # the base's name
    assert rows["2B341"].label == "Venaco"  # a stop: named from the commune reference
    assert rows["2B341"].population is not None and rows["2B341"].venues_per_10000
    assert rows["97416"].label == "Saint-Pierre"
    assert coverage.totals.territories == 8 + EXAMPLES  # the bus's stops, each venue's commune
    assert coverage.totals.venues == EXAMPLES  # the bus once in the totals


def test_counting_while_assessing_gives_the_same_coverage(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    files, _missing = application_files([APPLICATIONS])
    for by in ("departement", "commune"):
        coverage, batch = coverage_of_files(
            reversed(files), context, reviews_dir=REVIEWS, by=by, qualified_only=False
        )
        assert coverage == _coverage(context, assessed, by=by, qualified_only=False)
        assert batch.assessments == [] and batch.unreadable == []  # nothing kept
        assert {d.code for d in batch.report.diagnostics} == {"REV003", "REV004"}


# -- hand-made venues on the mini project --------------------------------------------------


@pytest.fixture(scope="module")
def mini_context() -> Context:
    return load_context(MINI, need_policy=True)


@pytest.fixture(scope="module")
def mini_assessment(mini_context: Context) -> Assessment:
    checked, _report = validate_application(
        MINI / "applications" / "complet.yaml", mini_context.questionnaire, mini_context.catalogue
    )
    assert checked is not None
    assert mini_context.policy is not None
    return Scorer(mini_context.catalogue, mini_context.questionnaire, mini_context.policy).assess(
        checked
    )


def _venue(base: Assessment, name: str, decision: str, **services: list[str]) -> Assessment:
    by_level = {"decouvrir": [], "maitriser": [], "agir": [], **services}
    return base.model_copy(
        update={
            "application": name,
            "venue": f"Nom de {name}",
            "decision": decision,
            "services_by_level": by_level,
        }
    )


@pytest.fixture(scope="module")
def synthetic(mini_assessment: Assessment) -> tuple[list[Assessment], dict[str, dict[str, Any]]]:
    assessments = [
        _venue(
            mini_assessment,
            "bus",
            "qualifie",
            decouvrir=["comprendre-internet"],
            maitriser=["creer-une-adresse-electronique"],
        ),
        _venue(mini_assessment, "fixe", "qualifie", decouvrir=["comprendre-internet"]),
        _venue(mini_assessment, "refuse", "non-qualifie", agir=["reparer-son-ordinateur"]),
        _venue(mini_assessment, "sans-code", "qualifie", decouvrir=["decouvrir-le-courriel"]),
    ]
    answers = {
        "bus": {
            "code_insee": "01053",
            "commune": "Bourg-en-Bresse",
            "itinerance": "itinerant",
            "communes_itinerance": "2A004, 2b096;97416 01004 2A004, 7019",
        },
        "fixe": {"code_insee": "01004", "commune": "Ambérieu-en-Bugey", "itinerance": "fixe"},
        "refuse": {"code_insee": "97416", "commune": "Saint-Pierre", "itinerance": "fixe"},
        "sans-code": {"commune": "Nulle part", "itinerance": "fixe"},
    }
    return assessments, answers


def test_itinerant_venue_counts_once_in_every_territory(
    mini_context: Context, synthetic: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    assessments, answers = synthetic
    coverage = compute_coverage(assessments, answers, mini_context.catalogue)
    rows = {row.territory: row for row in coverage.territories}
    assert list(rows) == ["01", "2A", "2B", "974"]
    assert rows["01"].venues == 2 and rows["01"].itinerant == 1  # base + stop 01004: once
    assert rows["01"].levels == {"decouvrir": 2, "maitriser": 1, "agir": 0}
    assert rows["01"].services == {"comprendre-internet": 2, "creer-une-adresse-electronique": 1}
    for code in ("2A", "2B", "974"):
        assert rows[code].venues == rows[code].itinerant == 1
        assert rows[code].missing_levels == ["agir"]
    assert rows["974"].label == "La Réunion"  # the refused venue there is not counted
    assert coverage.totals.ignored_itinerance_codes == 1  # "7019"
    assert coverage.totals.without_territory == 1
    assert coverage.totals.venues == 3 and coverage.totals.assessed == 4
    assert coverage.totals.levels == {"decouvrir": 3, "maitriser": 1, "agir": 0}
    # deprecated services are counted where offered, but are never a gap
    assert [s.service for s in coverage.services_offered_nowhere] == ["reparer-son-ordinateur"]
    deprecated = next(s for s in coverage.services if s.service == "decouvrir-le-courriel")
    assert not deprecated.active and deprecated.venues == 1 and deprecated.territories == 0
    assert coverage.territories_without_level == {
        "decouvrir": [],
        "maitriser": [],
        "agir": ["01", "2A", "2B", "974"],
    }


def test_all_venues_and_communes(
    mini_context: Context, synthetic: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    assessments, answers = synthetic
    coverage = compute_coverage(
        assessments, answers, mini_context.catalogue, by="commune", qualified_only=False
    )
    rows = {row.territory: row for row in coverage.territories}
    assert list(rows) == ["01004", "01053", "2A004", "2B096", "97416"]
    assert rows["97416"].venues == 2 and rows["97416"].label == "Saint-Pierre"
    assert rows["97416"].levels == {"decouvrir": 1, "maitriser": 1, "agir": 1}
    assert rows["01004"].label == "Ambérieu-en-Bugey"
    assert coverage.services_offered_nowhere == []


def test_territory_order_and_codes() -> None:
    codes = ["974", "21", "2B", "19", "2A", "01", "988"]
    assert sorted(codes, key=territory_sort_key) == ["01", "19", "2A", "2B", "21", "974", "988"]
    assert itinerance_codes(" 07019,07010 ;2a004\n 07019 abc ") == (
        ["07019", "07010", "2A004"],
        ["abc"],
    )
    assert itinerance_codes(None) == ([], [])


# -- formats ---------------------------------------------------------------------------


def test_every_format_renders(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    from rich.console import Console

    coverage = _coverage(context, assessed, qualified_only=False)
    first = render_json(coverage)
    assert first == render_json(_coverage(context, assessed, qualified_only=False))
    payload = json.loads(first)
    assert payload["format"] == "1.0"
    assert payload["coverage"]["totals"]["venues"] == EXAMPLES
    assert list(payload) == sorted(payload)

    rows = list(csv.reader(io.StringIO(render_csv(coverage))))
    assert rows[0] == [
        "territory",
        "label",
        "venues",
        "venues_decouvrir",
        "venues_maitriser",
        "venues_agir",
        "services_offered",
        "population",
        "venues_per_10000",
    ]
    assert [row[0] for row in rows[1:4]] == ["03", "12", "2B"]  # INSEE order
    assert rows[3][:3] == ["2B", "Haute-Corse", "1"]
    # Haute-Corse: 1 venue for its legal population (INSEE, Etalab's découpage administratif)
    population = int(rows[3][-2])
    assert 180_000 < population < 200_000
    assert rows[3][-1] == f"{10_000 / population:.2f}"
    assert len(rows) == 1 + EXAMPLES  # one département per example

    markdown = render_markdown(coverage)
    assert "| 2B Haute-Corse | 1 | 0,05 |" in markdown
    assert "974 La Réunion" in markdown

    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(render_table(coverage))
    assert "2B Haute-Corse" in console.file.getvalue()  # type: ignore[attr-defined]

    svg = render_svg(coverage)
    assert ET.fromstring(svg).tag == f"{{{SVG_NAMESPACE}}}svg"


def test_output_is_private(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    coverage = _coverage(context, assessed, qualified_only=False)
    outputs = [render_json(coverage), render_csv(coverage), render_markdown(coverage)]
    outputs.append(render_svg(coverage))
    assessments, _places = assessed
    for text in outputs:
        for assessment in assessments:
            assert assessment.venue not in text
            assert assessment.application not in text
        assert "example.org" not in text and "siret" not in text.lower()


def _malicious(coverage: Coverage) -> Coverage:
    rows = [
        row.model_copy(update={"label": MALICIOUS}) if index == 0 else row
        for index, row in enumerate(coverage.territories)
    ]
    levels = [level.model_copy(update={"label": MALICIOUS}) for level in coverage.levels]
    return coverage.model_copy(update={"territories": rows, "levels": levels})


def test_chart_is_well_formed_local_and_escaped(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    coverage = _malicious(_coverage(context, assessed, by="commune", qualified_only=False))
    svg = render_chart(
        *chart_series(coverage, MALICIOUS),
        title=MALICIOUS,
        description=MALICIOUS,
        empty_label="vide",
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    assert root.get("role") == "img"
    assert svg.count("http") == 1 and SVG_NAMESPACE in svg
    assert "<script" not in svg and "href" not in svg
    texts = [node.text or "" for node in root.iter()]
    assert any(MALICIOUS[:30] in text for text in texts)  # shown as text, not markup
    title = root.find(f"{{{SVG_NAMESPACE}}}title")
    assert title is not None and title.text == MALICIOUS
    assert svg == render_chart(
        *chart_series(coverage, MALICIOUS),
        title=MALICIOUS,
        description=MALICIOUS,
        empty_label="vide",
    )
    for node in root.iter():
        for name, value in node.attrib.items():
            assert not name.startswith("on")
            if name in {"x", "y", "width", "height", "x1", "x2", "y1", "y2"}:
                assert value == str(round(float(value), 1)).removesuffix(".0")

    empty = coverage.model_copy(update={"territories": []})
    assert ">vide</text>" in render_chart(
        *chart_series(empty, "v"), title="t", description="d", empty_label="vide"
    )


def test_chart_takes_plain_series() -> None:
    """The chart module draws labels and numbers: it imports nothing of the network
    modules (the coverage module calls it, never the other way round)."""
    import ast
    import inspect

    from aptic_qualif.network import svg

    tree = ast.parse(inspect.getsource(svg))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("aptic_qualif.network")]
    chart = render_chart(
        ["Lieux", "Découvrir"],
        [("2A Corse-du-Sud", [3, 1]), ("75 Paris", [5, 5])],
        title="t",
        description="d",
        empty_label="vide",
    )
    root = ET.fromstring(chart)
    texts = [node.text for node in root.iter() if node.text]
    assert "2A Corse-du-Sud" in texts and "75 Paris" in texts
    assert texts.count("5") >= 2  # both bars of Paris carry their value
    with pytest.raises(ValueError):
        render_chart(["a", "b"], [("x", [1])], title="t", description="d", empty_label="e")


def test_markdown_escapes_labels(
    context: Context, assessed: tuple[list[Assessment], dict[str, dict[str, Any]]]
) -> None:
    markdown = render_markdown(_malicious(_coverage(context, assessed)))
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


# -- command line ----------------------------------------------------------------------


def test_cli_on_the_examples(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    arguments = ["coverage", "examples/applications", "--reviews", "examples/reviews"]
    first = runner.invoke(app, [*arguments, "-f", "json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, [*arguments, "-f", "json"])
    assert first.stdout == second.stdout  # byte-identical
    payload = json.loads(first.stdout)["coverage"]
    assert payload["qualified_only"] is True
    counted = [t["territory"] for t in payload["territories"] if t["venues"]]
    assert counted == ["12", "2B", "21", "23", "44", "46"]

    every = runner.invoke(app, [*arguments, "--all", "--by", "commune", "-f", "csv"])
    assert every.exit_code == 0, every.output
    lines = every.stdout.splitlines()
    assert lines[0].startswith("territory,label,venues,venues_decouvrir")
    # A place a travelling venue goes to is named from the commune reference.
    assert any(line.startswith("2B341,Venaco,1,") for line in lines)
    assert any(line.startswith("97416,Saint-Pierre,1,0,0,0,0") for line in lines)

    for fmt in ("markdown", "table", "svg"):
        result = runner.invoke(app, [*arguments, "-f", fmt])
        assert result.exit_code == 0, (fmt, result.output)
        assert "Haute-Corse" in result.stdout

    out = tmp_path / "couverture.csv"
    result = runner.invoke(app, [*arguments, "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("territory,")
    again = runner.invoke(app, [*arguments, "-f", "csv", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_cli_errors(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    missing = runner.invoke(app, ["coverage", "nulle-part/"])
    assert missing.exit_code == 2
    bad_by = runner.invoke(app, ["coverage", "examples/applications", "--by", "region"])
    assert bad_by.exit_code == 2
    broken = tmp_path / "casse.yaml"
    broken.write_text("questionnaire: [\n", encoding="utf-8")
    result = runner.invoke(app, ["coverage", str(broken), "examples/applications", "-f", "json"])
    assert result.exit_code == 1  # one unreadable file: counted without it, exit 1
    assert json.loads(result.stdout)["coverage"]["totals"]["assessed"] == EXAMPLES


def test_cli_itinerance_end_to_end(
    runner: CliRunner, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mini questionnaire, given the item ``communes_itinerance`` of the shipped one."""
    questionnaire = mini / "questionnaire" / "questionnaire.yaml"
    questionnaire.write_text(
        questionnaire.read_text(encoding="utf-8")
        + "  - id: communes_itinerance\n"
        + "    type: text\n"
        + "    label: {fr: Communes desservies, en: Municipalities served}\n"
        + "    enable_when:\n"
        + "      conditions:\n"
        + "        - {question: itinerance, operator: equals, value: itinerant}\n",
        encoding="utf-8",
    )
    source = (mini / "applications" / "complet.yaml").read_text(encoding="utf-8")
    bus = source.replace(
        "  itinerance: fixe\n",
        '  itinerance: itinerant\n  communes_itinerance: "2A004, 2B096, 97416"\n',
    )
    assert bus != source
    (mini / "applications" / "bus.yaml").write_text(bus, encoding="utf-8")
    result = runner.invoke(app, ["coverage", "applications", "--all", "-f", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)["coverage"]
    venues = {
        t["territory"]: (t["venues"], t["itinerant"]) for t in payload["territories"] if t["venues"]
    }
    assert venues == {"01": (2, 1), "2A": (1, 1), "2B": (1, 1), "974": (1, 1)}
    qualified = runner.invoke(app, ["coverage", "applications", "-f", "json"])
    territories = json.loads(qualified.stdout)["coverage"]["territories"]
    assert territories and not any(t["venues"] for t in territories)  # awaiting review


# -- the site page ---------------------------------------------------------------------


def test_site_page_from_the_examples(context: Context, tmp_path: Path) -> None:
    from aptic_qualif.publish.site import stage_site

    config = stage_site(context, tmp_path / "stage")
    assert '  - "Couverture territoriale":\n      - couverture.md\n' in config.read_text("utf-8")
    page = (config.parent / "docs" / "couverture.md").read_text(encoding="utf-8")
    assert page.startswith("# Couverture territoriale\n")
    assert "| 2B Haute-Corse | 1 | 1 |" in page
    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    assert ET.fromstring(page[start:end]).get("role") == "img"
    assert "\n\n" not in page[start:end]  # one raw HTML block for Markdown
    coverage, _batch = coverage_of_files(
        application_files([APPLICATIONS])[0], context, reviews_dir=REVIEWS
    )
    for service in coverage.services_offered_nowhere:
        assert f"/{service.service}.md)" in page


def test_site_page_without_examples(mini_context: Context, tmp_path: Path) -> None:
    from aptic_qualif.publish.site import stage_site

    config = stage_site(mini_context, tmp_path / "stage")
    page = (config.parent / "docs" / "couverture.md").read_text(encoding="utf-8")
    assert "Aucune donnée" in page and "<svg" not in page


def test_cli_lists_territories_without_venues_and_filters_a_departement(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every département appears, with 0 where no venue is counted; --departement keeps one;
    --by commune then lists each of its communes, with or without a venue."""
    from aptic_qualif.application import departement_of_insee
    from aptic_qualif.network.coverage import every_commune, every_departement

    monkeypatch.chdir(REPO)
    arguments = ["coverage", "examples/applications", "--reviews", "examples/reviews", "-f", "json"]
    payload = json.loads(runner.invoke(app, arguments).stdout)["coverage"]
    rows = {t["territory"]: t for t in payload["territories"]}
    assert list(rows) == every_departement()
    assert rows["19"]["venues"] == 0 and rows["19"]["label"] == "Corrèze"
    assert rows["46"]["venues"] == 1
    assert "19" in payload["territories_without_level"]["decouvrir"]

    one = json.loads(runner.invoke(app, [*arguments, "--departement", "46"]).stdout)["coverage"]
    assert [t["territory"] for t in one["territories"]] == ["46"]
    assert one["totals"]["venues"] == 1  # only the venues that are or go in the Lot

    by_commune = runner.invoke(app, [*arguments, "--by", "commune", "--departement", "2b"])
    assert by_commune.exit_code == 0, by_commune.output
    communes = json.loads(by_commune.stdout)["coverage"]
    listed = [t["territory"] for t in communes["territories"]]
    assert set(listed) == {c for c in every_commune() if departement_of_insee(c) == "2B"}
    venues = {t["territory"]: t["venues"] for t in communes["territories"]}
    assert venues["2B096"] == 1 and venues["2B033"] == 0  # Corte's bus; Bastia has none
    assert "2B033" in communes["territories_without_level"]["decouvrir"]

    table = runner.invoke(
        app, [*arguments[:-2], "--by", "commune", "--departement", "19", "-f", "table"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "19031 Brive-la-Gaillarde" in table.stdout
    assert "19275 Ussel" in table.stdout and "territoires :" in table.stdout

    for wrong, said in (("Corrèze", "--departement 19"), ("99", "n'est pas le code")):
        result = runner.invoke(app, [*arguments, "--departement", wrong])
        assert result.exit_code == 2 and said in result.output, result.output

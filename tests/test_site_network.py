"""The funders' view of the site: coverage, map and qualified venues from a network's files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from benchmarks.generate_applications import generate
from typer.testing import CliRunner

from aptic_qualif.application import application_files
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.network.choropleth import SHAPE_ID, outlines, render_map
from aptic_qualif.network.coverage import DEPARTEMENTS, every_departement
from aptic_qualif.network.export import export_lieux
from aptic_qualif.publish.network import NetworkSource
from aptic_qualif.publish.site import COVERAGE_PAGE, VENUES_PAGE, stage_site
from tests.conftest import REPO

SVG = "{http://www.w3.org/2000/svg}"
BANNER = '!!! warning "Exemples fictifs"'


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> NetworkSource:
    """40 generated applications, and a policy that qualifies every complete application
    without a knock-out (the generated ones have no review): some are qualified, some not."""
    folder = tmp_path_factory.mktemp("network")
    generate(40, folder / "candidatures", seed=3)
    policy = yaml.safe_load((REPO / "questionnaire" / "policy.yaml").read_text("utf-8"))
    assert isinstance(policy, dict)
    policy["rules"] = [
        {"when": "knockout", "decision": "non-qualifie"},
        {"when": "identity_invalid", "decision": "a-completer"},
        {"when": "incomplete", "decision": "a-completer"},
        {"when": "always", "decision": "qualifie"},
    ]
    (folder / "politique.yaml").write_text(
        yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8"
    )
    (folder / "relectures").mkdir()
    return NetworkSource(folder / "candidatures", folder / "relectures", folder / "politique.yaml")


@pytest.fixture(scope="module")
def network_context(network: NetworkSource) -> Context:
    return load_context(REPO, policy=network.policy, need_policy=True)


@pytest.fixture(scope="module")
def staged(
    network: NetworkSource, network_context: Context, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The docs/ folder of the site staged from the network."""
    return (
        stage_site(network_context, tmp_path_factory.mktemp("stage"), network=network).parent
        / "docs"
    )


def _map(page: str) -> ET.Element:
    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    return ET.fromstring(page[start:end])


def test_the_venue_list_holds_exactly_the_qualified_venues(
    network: NetworkSource, network_context: Context, staged: Path
) -> None:
    files, _missing = application_files([network.applications])
    exported = export_lieux(files, network_context).rows
    assert 0 < len(exported) < len(files)  # some qualified, some not
    page = (staged / VENUES_PAGE).read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(exported)
    listed = sorted(row.split(" | ")[2] for row in rows)
    from aptic_qualif.publish.site import md_escape

    assert listed == sorted(md_escape(row["nom"]) for row in exported)
    assert BANNER not in page
    # only what the national export publishes: no contact, no SIRET
    for row in exported:
        for column in ("telephone", "courriel", "site_web", "siret"):
            if row.get(column):
                assert row[column] not in page


def test_coverage_lists_every_departement(staged: Path) -> None:
    page = (staged / COVERAGE_PAGE).read_text(encoding="utf-8")
    assert BANNER not in page
    section = page[page.index("## Tous les départements") :]
    for code in every_departement():
        assert f"| {code} {DEPARTEMENTS[code]} |" in section, code
    assert "tous (aucun lieu)" in page  # a département without any venue, its gaps
    assert "## Services absents de chaque département" in page


def test_the_map_has_one_shape_per_departement(staged: Path) -> None:
    svg = _map((staged / COVERAGE_PAGE).read_text(encoding="utf-8"))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title") is not None
    shapes = [e for e in svg.iter() if e.get("id", "").startswith(SHAPE_ID)]
    codes = [e.get("id", "").removeprefix(SHAPE_ID) for e in shapes]
    assert sorted(codes) == sorted(every_departement())  # one each, none twice
    assert sum(1 for e in shapes if e.tag == f"{SVG}path") == len(outlines()["departements"])
    assert all(e.find(f"{SVG}title") is not None for e in shapes)  # a tooltip each


def test_the_examples_banner_only_without_applications(tmp_path: Path) -> None:
    context = load_context(REPO, need_policy=True)
    docs = stage_site(context, tmp_path / "stage").parent / "docs"
    for page in (COVERAGE_PAGE, VENUES_PAGE):
        assert BANNER in (docs / page).read_text(encoding="utf-8")


def test_map_text_is_sanitised() -> None:
    hostile = "<script>alert(1)</script> & \x07 ]]>"
    svg = render_map(
        ["01", "971", "<x>"],
        {"01": 3, "<x>": 1},
        {"01": hostile, "971": hostile},
        title=hostile,
        description=hostile,
        tooltip=lambda name, value: f"{name} : {value}",
        legend_title=hostile,
    )
    root = ET.fromstring(svg)
    assert "<script>" not in svg
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == hostile.replace("\x07", "␇")  # type: ignore[union-attr]


def test_publish_site_with_applications(
    network: NetworkSource, tmp_path: Path, runner: CliRunner
) -> None:
    result = runner.invoke(
        app,
        [
            "--root",
            str(REPO),
            "publish",
            "site",
            "-o",
            str(tmp_path / "site"),
            "--applications",
            str(network.applications),
            "--reviews",
            str(network.reviews),
            "--policy",
            str(network.policy),
        ],
    )
    assert result.exit_code == 0, result.output + result.stderr
    html = (tmp_path / "site" / "lieux-qualifies" / "index.html").read_text(encoding="utf-8")
    assert "Exemples fictifs" not in html
    csv = (tmp_path / "site" / "telechargements" / "lieux.csv").read_text(encoding="utf-8")
    assert len(csv.splitlines()) > 1


def test_publish_site_options_are_checked(tmp_path: Path, runner: CliRunner) -> None:
    alone = runner.invoke(app, ["--root", str(REPO), "publish", "site", "--reviews", str(tmp_path)])
    assert alone.exit_code == 2 and "--applications" in alone.stderr
    missing = runner.invoke(
        app,
        [
            "--root",
            str(REPO),
            "publish",
            "site",
            "-o",
            str(tmp_path / "s"),
            "--applications",
            str(tmp_path / "absent"),
        ],
    )
    assert missing.exit_code == 2, missing.output + missing.stderr
    assert "absent" in missing.stderr


def test_build_site_is_deterministic_for_a_network(
    network: NetworkSource, network_context: Context, tmp_path: Path
) -> None:
    first = stage_site(network_context, tmp_path / "a", network=network).parent / "docs"
    second = stage_site(network_context, tmp_path / "b", network=network).parent / "docs"
    for page in (COVERAGE_PAGE, VENUES_PAGE):
        assert (first / page).read_bytes() == (second / page).read_bytes()


def test_a_large_network_gets_classes_of_its_own() -> None:
    from aptic_qualif.network.choropleth import BREAKS, breaks, classes

    assert breaks([0, 3, 24]) == BREAKS  # small networks: fixed classes
    counts = list(range(0, 500, 5))
    bounds = breaks(counts)
    assert bounds[0] == 1 and list(bounds) == sorted(set(bounds)) and bounds[-1] > BREAKS[-1]
    colours = [fill for _text, fill in classes(bounds)]
    assert len(set(colours)) == len(colours) == len(bounds) + 1
    svg = render_map(
        every_departement(),
        dict(zip(every_departement(), counts, strict=False)),
        {},
        title="t",
        description="d",
        tooltip=lambda name, value: f"{name} {value}",
        legend_title="l",
    )
    used = {
        e.get("fill") for e in ET.fromstring(svg).iter() if e.get("id", "").startswith(SHAPE_ID)
    }
    assert used == set(colours)

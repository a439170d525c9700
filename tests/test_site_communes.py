"""``publish site --by commune``: the page of each département lists every one of its communes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import application_files
from aptic_qualif.cli.app import app
from aptic_qualif.communes import communes
from aptic_qualif.context import load_context
from aptic_qualif.network.coverage import by_departement, every_departement
from aptic_qualif.publish.site import stage_site
from tests.conftest import REPO

_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _rows(html: str) -> dict[str, list[str]]:
    """The rows of the tables of a page whose first cell is an INSEE code, by that code."""
    rows: dict[str, list[str]] = {}
    for row in _ROW.findall(html):
        cells = [_TAG.sub("", cell).strip() for cell in _CELL.findall(row)]
        if cells and re.fullmatch(r"[0-9][0-9AB][0-9]{3}", cells[0]):
            rows[cells[0]] = cells
    return rows


def _reference(departement: str) -> set[str]:
    return {
        c.insee for c in communes().rows() if c.kind == "commune" and c.departement == departement
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the project's examples, built by the command with ``--by commune``."""
    output = tmp_path_factory.mktemp("communes") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APTIC_QUALIF_LANG", "fr")
        result = CliRunner().invoke(
            app, ["--root", str(REPO), "publish", "site", "-o", str(output), "--by", "commune"]
        )
    assert result.exit_code == 0, result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return output


def test_the_page_of_a_departement_lists_every_commune(site: Path) -> None:
    # 2B: the travelling bus based in Corte (2B096), which goes to eight other communes
    for page in (site / "couverture" / "2B" / "index.html", site / "en/couverture/2B/index.html"):
        rows = _rows(page.read_text(encoding="utf-8"))
        assert set(rows) == _reference("2B"), page
        corte, bastia = rows["2B096"], rows["2B033"]
        assert corte[1] == "Corte" and corte[2] == "1" and corte[3] == "1"  # venues, travelling
        assert bastia[1] == "Bastia" and bastia[2:4] == ["0", "0"]
        assert all(cell == "0" for cell in bastia[5:])  # no venue for any level
    french = (site / "couverture" / "2B" / "index.html").read_text(encoding="utf-8")
    english = (site / "en" / "couverture" / "2B" / "index.html").read_text(encoding="utf-8")
    assert "Couverture par commune : 2B Haute-Corse" in french
    assert "Coverage by commune: 2B Haute-Corse" in english
    assert "Services proposés nulle part dans le département" in french
    assert "Services offered nowhere in the département" in english


def test_a_departement_without_venue_has_its_page_too(site: Path) -> None:
    for code in every_departement():
        assert (site / "couverture" / code / "index.html").is_file(), code
        assert (site / "en" / "couverture" / code / "index.html").is_file(), code
    rows = _rows((site / "couverture" / "62" / "index.html").read_text(encoding="utf-8"))
    assert set(rows) == _reference("62")
    assert all(row[2] == "0" for row in rows.values())


def test_the_coverage_table_links_to_each_departement(site: Path) -> None:
    for page in (site / "couverture", site / "en" / "couverture"):
        html = (page / "index.html").read_text(encoding="utf-8")
        assert '<a href="2B/">2B Haute-Corse</a>' in html, page
        assert '<a href="974/">974 La Réunion</a>' in html, page


def test_the_pages_stay_out_of_the_menu_and_the_search(site: Path) -> None:
    """Reached from the coverage table: 109 entries would bury the menu, 35,000 communes
    would swell the search index that every searching reader downloads."""
    for top in (site, site / "en"):
        assert "Aghione" not in (top / "search" / "search_index.json").read_text("utf-8")
        assert 'href="couverture/2B/"' not in (top / "index.html").read_text("utf-8")


def test_the_pages_are_deterministic(tmp_path: Path) -> None:
    context = load_context(REPO, need_policy=True)
    first = stage_site(context, tmp_path / "a", by="commune").parent
    second = stage_site(context, tmp_path / "b", by="commune").parent
    for page in ("docs/couverture/2B.md", "docs-en/couverture/75.md", "docs/couverture.md"):
        assert (first / page).read_bytes() == (second / page).read_bytes(), page


def test_without_the_option_no_departement_page(tmp_path: Path) -> None:
    context = load_context(REPO, need_policy=True)
    config = stage_site(context, tmp_path / "stage")
    for docs in ("docs", "docs-en"):
        assert not (config.parent / docs / "couverture").exists()
        assert "couverture/2B.md" not in (config.parent / docs / "couverture.md").read_text(
            encoding="utf-8"
        )
    assert "not_in_nav" not in config.read_text(encoding="utf-8")


def test_communes_are_counted_in_the_same_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """One reading of the applications gives both coverages, and they agree: the venues of a
    département are those of its communes (a travelling venue once per place)."""
    from aptic_qualif.publish import network
    from aptic_qualif.scoring import assess

    context = load_context(REPO, need_policy=True)
    files, _missing = application_files([REPO / "examples" / "applications"])
    calls: list[int] = []
    original = assess.assess_each

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assess, "assess_each", counted)
    view = network.read_network(context, files, REPO / "examples" / "reviews", by="commune")
    assert len(calls) == 1
    assert view.communes is not None
    groups = by_departement(view.communes)
    assert sorted(groups) == sorted(every_departement())
    assert sum(len(rows) for rows in groups.values()) == len(communes().commune_codes)
    for row in view.coverage.territories:
        in_communes = groups[row.territory]
        assert row.venues <= sum(c.venues for c in in_communes)
        if not row.itinerant:
            assert row.venues == sum(c.venues for c in in_communes), row.territory
        offered = {s for c in in_communes for s in c.services}
        assert offered == set(row.services), row.territory
    plain = network.read_network(context, files, REPO / "examples" / "reviews")
    assert plain.communes is None and plain.coverage == view.coverage


def test_the_communes_of_a_page_are_in_alphabetical_order(site: Path) -> None:
    """Sorted by name, accents, case and hyphens ignored first, then as written, then code:
    the same order at every build."""
    from aptic_qualif.text import alphabetical_key

    for code in ("2B", "19"):
        rows = list(_rows((site / "couverture" / code / "index.html").read_text("utf-8")).values())
        keys = [(*alphabetical_key(row[1]), row[0]) for row in rows]
        assert keys == sorted(keys), code
        assert len(rows) > 100
    page = (site / "couverture" / "19" / "index.html").read_text("utf-8")
    names = [row[1] for row in _rows(page).values()]
    # « Égletons » among the E, not after the Z
    assert names.index("Égletons") < names.index("Espagnac") < names.index("Ussel")


def test_alphabetical_key() -> None:
    from aptic_qualif.text import alphabetical_key

    words = ["Ussel", "Église", "eglise", "Égletons", "Saint-Angel", "Saint Aulaire", "Œuilly",
             "Oeyreluy", "Zoza", "Évian"]  # fmt: skip
    assert sorted(words, key=alphabetical_key) == [
        "Égletons",
        "eglise",  # accents and case ignored first, then as written
        "Église",
        "Évian",
        "Œuilly",  # œ as oe
        "Oeyreluy",
        "Saint-Angel",  # the hyphen as a space
        "Saint Aulaire",
        "Ussel",
        "Zoza",
    ]

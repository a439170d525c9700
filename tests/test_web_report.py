"""The report served by the web front is no dead end: the web front's header and menu, a
way back, its own title (tests/test_web.py's project and client)."""

from __future__ import annotations

import re
from pathlib import Path

from aptic_qualif.cli import app as cli_app
from tests.test_web import APP, Web, project, web

__all__ = ["project", "web"]


def _header(page: str) -> str:
    found = re.search(r'<header class="bandeau">(.*?)</header>', page, re.S)
    assert found, page[:2000]
    return found.group(1)


def test_the_venue_report_has_the_web_fronts_header_and_a_way_back(web: Web) -> None:
    """The report had no header and no link (M11)."""
    _link, venue = web.store.create("lieu", APP)
    base = f"/t/{venue}"
    report = web.client.get(f"{base}/candidatures/{APP}/rapport").text
    home = web.client.get(f"{base}/candidatures/{APP}/").text
    header = _header(report)
    assert f'<a href="{base}/">aptic-qualif</a>' in header
    assert f'<a href="{base}/candidatures/{APP}/">Ma candidature</a>' in header
    # the same menu as the web front's pages
    menu = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', header)
    assert menu == re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', _header(home))
    assert '<a class="skip" href="#contenu">Aller au contenu</a>' in report
    assert '<main id="contenu" tabindex="-1">' in report
    assert f'<a href="{base}/candidatures/{APP}/">← Retour à la candidature</a>' in report
    assert "<title>Rapport de qualification — Fablab La Forge</title>" in report
    assert "candidature évaluée" not in report  # a count for one application says nothing


def test_the_coordinators_report_shows_the_coordinators_menu(web: Web) -> None:
    _link, coordinator = web.store.create("coordination")
    base = f"/t/{coordinator}"
    header = _header(web.client.get(f"{base}/candidatures/{APP}/rapport").text)
    for address, words in (
        (f"{base}/", "Candidatures"),
        (f"{base}/synthese", "Synthèse des relectures"),
        (f"{base}/liens", "Liens secrets"),
    ):
        assert f'<a href="{address}">{words}</a>' in header


def test_the_report_of_assess_has_the_header_without_links(tmp_path: Path) -> None:
    """``assess --format html`` writes a file of its own: the header names the tool, and
    links nowhere (there is no server behind it)."""
    from typer.testing import CliRunner

    from tests.conftest import REPO

    target = tmp_path / "rapport.html"
    result = CliRunner().invoke(
        cli_app.app,
        [
            "--root",
            str(REPO),
            "assess",
            str(REPO / "examples" / "applications"),
            "--reviews",
            str(REPO / "examples" / "reviews"),
            "--format",
            "html",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    page = target.read_text("utf-8")
    header = _header(page)
    assert '<p class="marque">aptic-qualif</p>' in header
    assert "<a " not in header
    assert re.search(r'<p class="lead">\d+ candidatures évaluées</p>', page), page[-3000:]

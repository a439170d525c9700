"""Accessibility: axe-core finds no serious or critical violation of WCAG 2.1 A and AA.

Checked in Chromium on every page of the built site, in its light and dark palettes, and
on the HTML report (``assess --format html``); plus what axe cannot judge alone: both stay
readable on a 400 px wide screen (no horizontal scrolling of the page), and the keyboard
reaches the links. axe-core comes from its npm package (``tests/vendor/axe-core/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.publish.site import build_site
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, screenshot_path, serve
from tests.conftest import REPO

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
NARROW = {"width": 400, "height": 800}
WIDE = {"width": 1280, "height": 900}

require_chromium()

_RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    });
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
    }));
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # served at the root of a local server: its 404 page finds its assets from there
    return build_site(REPO, tmp_path_factory.mktemp("a11y") / "site", site_url="http://127.0.0.1/")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of the example applications, as `make demo` writes it."""
    folder = tmp_path_factory.mktemp("report")
    output = folder / "evaluations.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = CliRunner().invoke(
            app,
            [
                "assess",
                "examples/applications",
                "--reviews",
                "examples/reviews",
                "--format",
                "html",
                "-o",
                str(output),
            ],
        )
    assert output.is_file(), result.output
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _violations(page: Any, url: str) -> list[str]:
    """The serious and critical violations axe finds on ``url``, one line per element."""
    page.goto(url, wait_until="load")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE, WCAG)
    return [
        f"{url}: {v['id']} ({v['impact']}, {v['help']}) {node}"
        for v in found
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


def _pages(site: Path) -> list[str]:
    """Every page of the French site, but the redirects from former addresses (they lead
    away). The English site is the same templates with other words: one page of each kind
    is checked (:func:`test_english_site_passes_axe`)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith("en/")
        and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    )


CHUNKS = 4
"""The site's pages are checked in this many tests, each well within the test timeout."""
DARK_PAGES = (
    "index.html",
    "utiliser/index.html",
    "contribuer/index.html",
    "referentiel/index.html",
    "referentiel/maitriser/index.html",
    "referentiel/reperer-l-hameconnage-et-les-arnaques/index.html",
    "referentiel/decouvrir-facebook/index.html",
    "referentiel/vocab/index.html",
    "index-alphabetique/index.html",
    "questionnaire/aptitudes/index.html",
    "questionnaire/politique/index.html",
    "couverture/index.html",
    "telechargements/index.html",
    "codes-erreur/index.html",
)
"""The dark palette on one page of each kind (every template, code blocks, the chart)."""


def _check(browser: Any, site: Path, pages: list[str], scheme: str) -> None:
    problems: list[str] = []
    with serve(site) as base:
        context = browser.new_context(viewport=WIDE, locale="fr-FR", color_scheme=scheme)
        page = context.new_page()
        for name in pages:
            problems += _violations(page, base + name)
        context.close()
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_site_page_passes_axe(browser: Any, site: Path, chunk: int) -> None:
    pages = _pages(site)
    assert len(pages) > 50
    _check(browser, site, pages[chunk::CHUNKS], "light")


def test_english_site_passes_axe(browser: Any, site: Path) -> None:
    english = [f"en/{page}" for page in DARK_PAGES]
    assert all((site / page).is_file() for page in english)
    _check(browser, site, english, "light")


def test_site_passes_axe_in_dark_palette(browser: Any, site: Path) -> None:
    pages = _pages(site)
    assert set(DARK_PAGES) <= set(pages)
    _check(browser, site, list(DARK_PAGES), "dark")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_html_report_passes_axe(browser: Any, report: Path, scheme: str) -> None:
    with serve(report) as base:
        context = browser.new_context(viewport=WIDE, locale="fr-FR", color_scheme=scheme)
        problems = _violations(context.new_page(), base + "evaluations.html")
        context.close()
    assert not problems, "\n".join(problems)


def _fits(page: Any) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits the screen)."""
    overflow: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


def test_readable_at_400_px(browser: Any, site: Path, report: Path, tmp_path: Path) -> None:
    """At 400 px the page itself never scrolls sideways (wide tables scroll in their box);
    screenshots are written for a person to look at."""
    shots = {
        "site-home-400.png": (site, ""),
        "site-service-400.png": (
            site,
            "referentiel/reperer-l-hameconnage-et-les-arnaques/",
        ),
        "site-questionnaire-400.png": (site, "questionnaire/aptitudes/"),
        "report-400.png": (report, "evaluations.html"),
    }
    overflowing: dict[str, int] = {}
    context = browser.new_context(viewport=NARROW, locale="fr-FR", device_scale_factor=1)
    page = context.new_page()
    for name, (folder, path) in shots.items():
        with serve(folder) as base:
            page.goto(base + path, wait_until="load")
            if _fits(page) > 0:
                overflowing[name] = _fits(page)
            page.screenshot(path=str(screenshot_path(tmp_path, name)), full_page=False)
    context.close()
    assert not overflowing, overflowing


def test_keyboard_reaches_the_content(browser: Any, site: Path) -> None:
    """From the top of a service page, the first Tab stop is the link that skips to the
    content; following it, the next Tab stops are the page's own links."""
    context = browser.new_context(viewport=WIDE, locale="fr-FR")
    page = context.new_page()
    with serve(site) as base:
        page.goto(base + "referentiel/reperer-l-hameconnage-et-les-arnaques/")
        page.keyboard.press("Tab")
        skip = page.evaluate("() => document.activeElement.getAttribute('href') || ''")
        assert skip.startswith("#"), skip
        page.keyboard.press("Enter")
        inside: list[bool] = []
        for _ in range(5):
            page.keyboard.press("Tab")
            inside.append(
                page.evaluate(
                    """() => {
                        const el = document.activeElement;
                        const box = el.getBoundingClientRect();
                        return !!el.closest('article') && box.width > 0 && box.height > 0;
                    }"""
                )
            )
        assert all(inside), inside
    context.close()

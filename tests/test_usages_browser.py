"""The observatory's pages in Chromium: axe-core finds no serious or critical violation
(light and dark palettes, French and English), the page never scrolls sideways at 400 px,
each chart stands beside its table at 1280 px and above it at 400 px, and screenshots at
1280 and 400 px are written for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from aptic_qualif.context import load_catalogue_or_fail
from aptic_qualif.publish.site import build_site
from aptic_qualif.usages.importer import import_usages
from aptic_qualif.usages.model import Resolver
from aptic_qualif.usages.store import write_records
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, screenshot_path, serve
from tests.conftest import REPO
from tests.test_accessibility import NARROW, WIDE, _fits, _violations

require_chromium()

PAGES = ("usages/index.html", "usages/13/index.html", "en/usages/index.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("usages-site")
    result = import_usages(
        REPO / "examples" / "usages" / "accompagnements-synthetiques.csv",
        Resolver(load_catalogue_or_fail(REPO)),
    )
    write_records(result.columns, folder / "entrepot", result.digest)
    return build_site(REPO, folder / "site", usages=folder / "entrepot")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_usage_pages_pass_axe(browser: Any, site: Path, scheme: str) -> None:
    problems: list[str] = []
    with serve(site) as base:
        context = browser.new_context(viewport=WIDE, locale="fr-FR", color_scheme=scheme)
        page = context.new_page()
        for name in PAGES:
            problems += _violations(page, base + name)
        context.close()
    assert not problems, "\n".join(problems[:40])


def test_usage_pages_at_1280_and_400_px(browser: Any, site: Path, tmp_path: Path) -> None:
    overflowing: dict[str, int] = {}
    with serve(site) as base:
        for width, viewport in (("1280", WIDE), ("400", NARROW)):
            context = browser.new_context(viewport=viewport, locale="fr-FR")
            page = context.new_page()
            for name in ("usages/index.html", "usages/13/index.html"):
                page.goto(base + name, wait_until="load")
                # the chart is drawn by the server: an SVG with its title, then its table
                chart = page.locator(".aptic-usage-chart svg").first
                assert chart.get_attribute("role") == "img"
                assert page.locator("table").count() >= 5
                # each chart beside its table on a wide screen, above it on a narrow one
                for k in range(page.locator(".aptic-usage-pair").count()):
                    pair = page.locator(".aptic-usage-pair").nth(k)
                    drawn = pair.locator(".aptic-usage-chart svg").bounding_box()
                    table = pair.locator("table").bounding_box()
                    assert drawn is not None and table is not None
                    if width == "1280":
                        assert table["x"] >= drawn["x"] + drawn["width"], (name, k)
                        assert abs(table["y"] - drawn["y"]) < 40, (name, k)
                    else:
                        assert table["y"] >= drawn["y"] + drawn["height"], (name, k)
                if width == "400" and _fits(page) > 0:
                    overflowing[name] = _fits(page)
                shot = f"usages-{name.split('/')[1].replace('.html', '')}-{width}.png"
                page.screenshot(path=str(screenshot_path(tmp_path, shot)), full_page=True)
            context.close()
    assert not overflowing, overflowing

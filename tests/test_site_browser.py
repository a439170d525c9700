"""The built site in a real browser: home page, search in French, a service page, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from aptic_qualif.publish.site import build_site
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, screenshot_path, serve
from tests.conftest import REPO

SERVICE = "reperer-l-hameconnage-et-les-arnaques"

require_chromium()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped project's site, served on localhost; yields its base URL."""
    site = build_site(REPO, tmp_path_factory.mktemp("browser") / "site")
    with serve(site) as url:
        yield url


def _heading(page: Any) -> str:
    """The text of the page's title, without its permalink sign."""
    text: str = page.locator("article h1").first.inner_text()
    return text.removesuffix("¶").strip()


def test_home_search_and_service_page(served: str, tmp_path: Path) -> None:
    from aptic_qualif.context import load_context

    service = load_context(REPO).catalogue.services[SERVICE]
    external: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page.on(
                "request",
                lambda request: (
                    external.append(request.url)
                    if not request.url.startswith((served, "data:", "blob:"))
                    else None
                ),
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(served, wait_until="networkidle")

            assert page.title() == "Référentiel des services de médiation numérique"
            assert _heading(page) == "Référentiel des services de médiation numérique"
            assert page.locator("html").get_attribute("lang") == "fr"
            screenshot = screenshot_path(tmp_path, "home.png")
            page.screenshot(path=str(screenshot))
            print(f"screenshot: {screenshot}")

            opener = page.locator('label[for="__search"]').first
            if opener.is_visible():  # narrow screens: the search box opens from an icon
                opener.click()
            search = page.locator("input.md-search__input")
            search.click()
            search.type(service.pref_label.fr)
            wanted = f"referentiel/{service.id}/"
            # results link to the page with the search terms to highlight: …/?h=terms
            result = page.locator(f'.md-search-result__link[href*="/{wanted}?"]').first
            result.wait_for(state="visible", timeout=15_000)
            result.click()
            page.wait_for_url(f"**/{wanted}?**", timeout=15_000)
            assert _heading(page) == f"{service.notation} — {service.pref_label.fr}"
            assert service.definition.fr[:40] in page.locator("article").inner_text()
        finally:
            browser.close()
    assert not errors, errors
    assert not external, f"the site loaded external resources: {external}"


def _open_search(page: Any) -> Any:
    opener = page.locator('label[for="__search"]').first
    if opener.is_visible():  # narrow screens: the search box opens from an icon
        opener.click()
    return page.locator("input.md-search__input")


def _results(page: Any, query: str) -> list[str]:
    """The paths of the pages the search box lists for ``query``, best first."""
    search = _open_search(page)
    meta = ".md-search-result__meta"
    # the theme reads the box on key events, and answers from a worker: empty the box and
    # wait for the placeholder, so that no answer to an earlier query is read
    search.fill("")
    search.press("End")
    page.wait_for_function(
        f"() => /Taper|Type to/.test(document.querySelector('{meta}')?.textContent ?? '')",
        timeout=15_000,
    )
    search.fill(query)  # all at once: no results for a part of the query
    search.press("End")
    page.wait_for_function(
        f"""() => {{
            const text = document.querySelector('{meta}')?.textContent ?? '';
            const items = document.querySelectorAll('.md-search-result__item').length;
            const waiting = /Taper|Initialisation|Type to|Initializing/.test(text);
            return !waiting && (items > 0 || /Aucun|No matching/.test(text));
        }}""",
        timeout=15_000,
    )
    hrefs: list[str] = page.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link",
        "links => links.map(link => link.getAttribute('href'))",
    )
    return [href.split("?")[0].split("#")[0] for href in hrefs]


def test_search_in_french(served: str) -> None:
    """Elisions split (« hameçonnage » finds « l'hameçonnage »), accents ignored, plurals
    and several words found, a notation found: each query lists the service's page."""
    from aptic_qualif.context import load_context

    services = load_context(REPO).catalogue.services

    def url(service_id: str) -> str:
        service = services[service_id]
        return f"{served}referentiel/{service.id}/"

    phishing = url(SERVICE)
    queries = {
        "hameçonnage": phishing,
        "Hameçonnage": phishing,
        "l’hameçonnage": phishing,
        "recuperer": url("reagir-au-piratage-d-un-compte"),  # only « récupérer » on the site
        "arnaques": phishing,
        "FranceConnect": url("se-connecter-avec-franceconnect"),
        "mots de passe": url("gerer-ses-mots-de-passe"),
        services[SERVICE].notation: phishing,
    }
    found: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page.goto(served, wait_until="networkidle")
            for query in queries:
                found[query] = _results(page, query)
        finally:
            browser.close()
    missing = {q: found[q][:5] for q, wanted in queries.items() if wanted not in found[q][:5]}
    assert not missing, missing


def test_the_english_site_searches_in_english_and_switches_language(served: str) -> None:
    """In en/, English words find the English page of a service; the language selector of
    a French page leads to the same page in English, and back."""
    from aptic_qualif.context import load_context

    services = load_context(REPO).catalogue.services
    phishing = f"{served}en/referentiel/{SERVICE}/"
    queries = {
        "phishing": phishing,
        "scams": phishing,
        services[SERVICE].notation: phishing,
        "passwords": f"{served}en/referentiel/gerer-ses-mots-de-passe/",
    }
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.goto(served + "en/", wait_until="networkidle")
            found = {query: _results(page, query) for query in queries}
            missing = {
                q: found[q][:5] for q, wanted in queries.items() if wanted not in found[q][:5]
            }
            assert not missing, missing

            page.goto(f"{served}referentiel/{SERVICE}/", wait_until="networkidle")
            page.locator(".md-header__option .md-select").first.hover()
            page.locator('.md-select__link[hreflang="en"]').click()
            page.wait_for_url(phishing)
            assert page.locator("html").get_attribute("lang") == "en"
            assert services[SERVICE].pref_label.en in page.locator("article h1").inner_text()
            page.locator(".md-header__option .md-select").first.hover()
            page.locator('.md-select__link[hreflang="fr"]').click()
            page.wait_for_url(f"{served}referentiel/{SERVICE}/")
            assert page.locator("html").get_attribute("lang") == "fr"
            assert not failed, failed
        finally:
            browser.close()


def test_coverage_page_map_at_1280_and_400(served: str, tmp_path: Path) -> None:
    """The coverage page with its map: one shape per territory, drawn inside the page at a
    desktop and a phone width (no horizontal scrolling), screenshots to look at."""
    from aptic_qualif.network.coverage import every_departement

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width in (1280, 400):
                page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
                page.goto(served + "couverture/", wait_until="networkidle")
                shapes = page.locator('.aptic-coverage-map svg [id^="territoire-"]')
                assert shapes.count() == len(every_departement())
                box = page.locator(".aptic-coverage-map svg").bounding_box()
                assert box is not None and box["width"] > 300 and box["x"] >= 0
                assert box["x"] + box["width"] <= width
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"the page scrolls sideways at {width} px"
                assert "Exemples fictifs" in page.locator("article").inner_text()
                page.locator(".aptic-coverage-map").scroll_into_view_if_needed()
                screenshot = screenshot_path(tmp_path, f"coverage-{width}.png")
                page.screenshot(path=str(screenshot), full_page=False)
                print(f"screenshot: {screenshot}")
                page.close()
        finally:
            browser.close()

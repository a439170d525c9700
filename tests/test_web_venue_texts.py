"""What a venue reads in the web front, for a venue (Chromium, at 1280 and 400 px, with and
without JavaScript; tests/test_web_browser.py's server and browser): a welcome that says
what qualification is, how long it takes and what to have at hand; a footer without YAML;
each service's definition on demand; a live count of the summary's characters; the save
status in sight where the person is.

Needs Debian's Chromium, as tests/test_web_browser.py (skipped without it, a failure under
``CI=true``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from aptic_qualif import editing
from aptic_qualif.access import LinkStore
from aptic_qualif.questionnaire.effort import EVERY_QUESTION, SMALL_FIXED, profile_effort
from tests.test_web_browser import _capture, browser, served, sync_api

__all__ = ["browser", "served"]

VENUE = "les-granges"


@pytest.fixture(scope="module")
def venue(served: dict[str, Any]) -> str:
    """A blank draft application and its venue's link: the address of its home page."""
    root: Path = served["root"]
    editing.create(
        root / "candidatures" / f"{VENUE}.yaml",
        served["context"].questionnaire,
        identity={"nom": "Les Granges numériques"},
    )
    store: LinkStore = served["store"]
    _link, token = store.create("lieu", VENUE)
    return f"{served['url']}/t/{token}/candidatures/{VENUE}/"


def _page(browser: sync_api.Browser, width: int, javascript: bool = True) -> sync_api.Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="fr-FR", java_script_enabled=javascript
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _words(locator: sync_api.Locator) -> str:
    """The text shown, no-break spaces (French typography) as spaces."""
    return locator.inner_text().replace("\u00a0", " ").strip()


def _minutes(text: str) -> int:
    found = re.fullmatch(r"(?:(\d+) h)?(?: ?(\d+)(?: min)?)?", text.strip())
    assert found, text
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


@pytest.mark.parametrize("width", [1280, 400])
def test_the_venue_home_says_what_qualification_is_and_what_to_have_at_hand(
    served: dict[str, Any], browser: sync_api.Browser, venue: str, width: int
) -> None:
    page = _page(browser, width, javascript=False)
    page.goto(venue)
    welcome = page.locator("section.accueil")
    text = " ".join(welcome.inner_text().replace("\u00a0", " ").split())
    assert "La qualification reconnaît" in text
    assert "pass numérique" in text
    for needed in ("SIRET", "code INSEE", "charte", "« Aptitudes »"):
        assert needed in text, needed
    # How long: the questionnaire's own estimate, from a small fixed venue to every question.
    found = re.search(r"Comptez environ (.+?) à (.+?), selon votre lieu", text)
    assert found, text
    loaded = served["context"].questionnaire
    low = profile_effort(loaded, SMALL_FIXED).total.minutes
    high = profile_effort(loaded, EVERY_QUESTION).total.minutes
    assert abs(_minutes(found.group(1)) - low) <= 5
    assert abs(_minutes(found.group(2)) - high) <= 5
    footer = page.locator("footer").inner_text()
    assert "YAML" not in footer and "ligne de commande" not in footer
    assert "rouvrez le même lien" in footer
    # nothing wider than the window at 400 px
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _capture(page, "venue-welcome")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_each_service_has_its_definition_on_demand(
    served: dict[str, Any], browser: sync_api.Browser, venue: str, javascript: bool
) -> None:
    catalogue = served["context"].catalogue
    service = catalogue.services["creer-une-adresse-electronique"]
    page = _page(browser, 400, javascript=javascript)
    page.goto(venue + "aptitudes")
    box = page.locator(f"#apt-services-proposes-{service.id}")
    definition = page.locator(f"#def-apt-services-proposes-{service.id}")
    assert box.get_attribute("aria-describedby") == definition.get_attribute("id")
    assert definition.is_hidden()  # on demand: closed until asked for
    summary = box.locator("xpath=..").locator("details.definition summary")
    assert "De quoi s'agit-il ?" in _words(summary)
    summary.click()
    assert definition.is_visible()
    assert definition.inner_text().strip() == service.definition.fr.strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    if javascript:
        _capture(page, "venue-service-definition")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 400])
def test_the_summary_counts_its_characters_as_one_types(
    browser: sync_api.Browser, venue: str, width: int
) -> None:
    page = _page(browser, width)
    page.goto(venue + "identite")
    summary = page.locator("#presentation_resume")
    counter = page.locator("#compte-presentation_resume")
    assert "compte-presentation_resume" in (summary.get_attribute("aria-describedby") or "")
    summary.fill("")
    summary.type("Accueil numérique. ", delay=0)
    assert _words(counter) == "Caractères : 18 sur 280 au plus"
    summary.fill("x" * 300)
    summary.dispatch_event("input")
    assert _words(counter) == "Caractères : 300 sur 280 au plus — 20 de trop"
    assert "depasse" in (counter.get_attribute("class") or "")
    # said to screen readers once the typing pauses, in a polite live region
    said = page.locator('[data-counter-said="presentation_resume"]')
    assert said.get_attribute("aria-live") == "polite"
    said.filter(has_text="20 de trop").wait_for(timeout=5_000)
    _capture(page, "venue-summary-counter")
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_the_summary_count_is_there_without_javascript(
    browser: sync_api.Browser, venue: str
) -> None:
    page = _page(browser, 1280, javascript=False)
    page.goto(venue + "identite")
    page.locator("#presentation_resume").fill("Un lieu ouvert à tous.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    counter = page.locator("#compte-presentation_resume")
    assert _words(counter) == "Caractères : 22 sur 280 au plus"
    page.context.close()


@pytest.mark.parametrize("width", [1280, 400])
def test_the_save_status_is_in_sight_where_the_person_is(
    browser: sync_api.Browser, venue: str, width: int
) -> None:
    """The status « Enregistré à … » sat under the last question, 6,500 px down."""
    page = _page(browser, width)
    page.goto(venue + "aptitudes")
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * 900
    first = page.locator("#apt-heures-mediation")
    first.scroll_into_view_if_needed()
    first.fill("12")
    status = page.locator("[data-status]")
    status.filter(has_text="Enregistré").wait_for(timeout=10_000)
    assert status.get_attribute("aria-live") == "polite"
    box = status.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= 900, box  # within the window
    field = first.bounding_box()
    assert field is not None and 0 <= field["y"] <= 900  # and the field still in sight
    _capture(page, "venue-save-status")
    page.context.close()

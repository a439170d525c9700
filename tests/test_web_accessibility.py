"""Accessibility of the web front: axe-core (WCAG 2.1 A and AA) finds no serious or critical
violation on any page a venue, a reviewer or the coordinator sees, at 1280 and 400 px; and
no page is wider than a phone's screen.

axe-core is injected with the page's Content-Security-Policy bypassed (the pages allow no
script but their own); it comes from its npm package (``tests/vendor/axe-core/``).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from aptic_qualif.access import LinkStore
from aptic_qualif.context import load_context
from aptic_qualif.web.app import Settings, create_app
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import REPO

require_chromium()

from playwright import sync_api  # noqa: E402 - only once Chromium is known to be there

from tests.test_accessibility import _RUN_AXE, AXE, BLOCKING, WCAG  # noqa: E402

APP = "fablab-la-forge"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import uvicorn

    root = tmp_path_factory.mktemp("web-a11y") / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    context = load_context(root, need_policy=True)
    store = LinkStore(root)
    settings = Settings(root, root / "examples" / "applications", root / "examples" / "reviews")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, context, store=store), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", store.session_link()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _pages(base: str) -> list[str]:
    app = f"{base}/candidatures/{APP}"
    return [
        f"{base}/",
        f"{app}/",
        f"{app}/identite",
        f"{app}/aptitudes",
        f"{app}/publics",
        f"{app}/territoires",
        f"{app}/innovation",
        f"{app}/competences-specifiques",
        f"{app}/recapitulatif",
        f"{app}/statut/rouvrir",
        f"{app}/rapport",
        f"{base}/relectures/claire-martin/",
        f"{base}/relectures/claire-martin/{APP}",
        f"{base}/relectures/nouvelle-relectrice/{APP}",
        f"{base}/synthese",
        f"{app}/lecture",
        f"{base}/liens",
        f"{base}/affectations",
        f"{base}/?etat=soumise&q=forge",
        f"{base}/candidatures/inconnue/",
    ]


@pytest.mark.parametrize("width", [1280, 400])
def test_every_page_passes_axe_and_fits(
    served: tuple[str, str], browser: sync_api.Browser, width: int
) -> None:
    url, token = served
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    problems: list[str] = []
    for address in _pages(f"{url}/t/{token}"):
        page.goto(address, wait_until="load")
        page.add_script_tag(path=str(AXE))
        found: list[dict[str, Any]] = page.evaluate(_RUN_AXE, WCAG)
        problems += [
            f"{address}: {v['id']} ({v['impact']}, {v['help']}) {node}"
            for v in found
            if v["impact"] in BLOCKING
            for node in v["nodes"]
        ]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{address}: {overflow} px wider than the {width} px screen")
    context.close()
    assert not problems, "\n".join(problems)


def test_the_keyboard_reaches_the_form(served: tuple[str, str], browser: sync_api.Browser) -> None:
    url, token = served
    page = browser.new_page(locale="fr-FR")
    page.goto(f"{url}/t/{token}/candidatures/{APP}/aptitudes")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    page.close()


def test_screenshots_of_the_web_front(served: tuple[str, str], browser: sync_api.Browser) -> None:
    """Pictures of each kind of page, for people to look at (``build/captures-web/``)."""
    url, token = served
    folder = REPO / "build" / "captures-web"
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{url}/t/{token}"
    shots = {
        "coordination": f"{base}/",
        "candidature": f"{base}/candidatures/{APP}/",
        "theme": f"{base}/candidatures/{APP}/aptitudes",
        "recapitulatif": f"{base}/candidatures/{APP}/recapitulatif",
        "file-relecteur": f"{base}/relectures/claire-martin/",
        "relecture": f"{base}/relectures/claire-martin/{APP}",
        "synthese": f"{base}/synthese",
    }
    for width in (1280, 400):
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
        for name, address in shots.items():
            page.goto(address)
            assert page.locator("h1").first.is_visible(), address
            target = folder / f"{name}-{width}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 5_000
        page.close()

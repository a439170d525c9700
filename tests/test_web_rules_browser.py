"""In a real browser (Debian's Chromium, driven by Playwright): an error ``apply validate``
finds shows at its question, the recapitulation opens on the error summary and offers no
submission, and a link of the summary puts the focus in the field; without JavaScript, the
section page opens on the summary after a save.

Needs Debian's Chromium (``apt-get install chromium``): skipped for a contributor without
it, a failure under ``CI=true``.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from aptic_qualif import editing
from aptic_qualif.access import LinkStore
from aptic_qualif.context import load_context
from aptic_qualif.web.app import Settings, create_app
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import REPO

require_chromium()

from playwright import sync_api  # noqa: E402 - only once Chromium is known to be there

APP = "fablab-la-forge"


@pytest.fixture
def served(tmp_path: Any) -> Iterator[dict[str, Any]]:
    import socket

    import uvicorn

    root = tmp_path / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    context = load_context(root, need_policy=True)
    store = LinkStore(root)
    settings = Settings(root, root / "examples" / "applications", root / "examples" / "reviews")
    # the venue reopened its (submitted) application to change it
    editing.set_status(settings.applications / f"{APP}.yaml", "brouillon")
    app = create_app(settings, context, store=store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield {"base": f"http://127.0.0.1:{port}/t/{store.session_link()}/candidatures/{APP}"}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_an_error_blocks_submission_and_the_summary_leads_to_the_field(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    page = browser.new_context(locale="fr-FR").new_page()
    base = served["base"]
    page.goto(f"{base}/identite")
    page.fill("#code_postal", "71100")  # not a postcode of Le Creusot
    page.locator("#code_postal").blur()
    sync_api.expect(page.locator("#err-code_postal")).to_contain_text("du Creusot")
    page.goto(f"{base}/recapitulatif")
    sync_api.expect(page.locator("#erreurs")).to_be_focused()
    assert page.locator("button", has_text="Soumettre ma candidature").count() == 0
    page.locator("#erreurs a[href$='#code_postal']").click()
    page.wait_for_url("**/identite#code_postal")
    sync_api.expect(page.locator("#code_postal")).to_be_focused()


def test_without_javascript_the_section_opens_on_the_error_summary_after_a_save(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    page = browser.new_context(locale="fr-FR", java_script_enabled=False).new_page()
    page.goto(f"{served['base']}/identite")
    page.fill("#horaires", "Mo-Fr 14:00-12:00")
    page.locator("button[name=aller][value=rester]").click()
    page.wait_for_load_state()
    sync_api.expect(page.locator("#erreurs")).to_be_focused()
    summary = page.locator("#erreurs")
    assert "ferme avant d'ouvrir" in summary.inner_text()
    assert summary.locator("a[href='#horaires']").count() == 1

"""The venue's whole journey in Chromium, through nginx, against ``serve --workers 2``.

What a network's venue does, as it does it: the page comes through the proxy (the
documented configuration, :mod:`tests.hosting`), the autosave and the forms go back through
it, two server processes answer in turn. Screenshots go to ``build/captures-web/``.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aptic_qualif import editing
from aptic_qualif.access import LinkStore
from aptic_qualif.cli.app import app as cli_app
from aptic_qualif.context import load_context
from tests.conftest import REPO
from tests.hosting import Hosted, hosted_fixture, session_token  # noqa: F401 - "hosted"
from tests.test_web_browser import (  # noqa: F401 - the fixture "browser"
    MODEL,
    _answer_section,
    _capture,
    _page,
    browser,
    sync_api,
)


def test_a_venue_fills_and_submits_through_nginx(
    hosted: Hosted,
    browser: sync_api.Browser,  # noqa: F811 - the fixture imported above
) -> None:
    url = hosted.proxy_url
    context = load_context(hosted.root, need_policy=True)
    model = editing.read_data(REPO / "examples" / "applications" / f"{MODEL}.yaml")
    sections = editing.sections(context.questionnaire)

    # The person at the server's keyboard starts the application, through the proxy.
    page = _page(browser)
    page.goto(f"{url}/t/{session_token(hosted)}/")
    page.get_by_label("Nom du lieu").fill("Atelier du Proxy")
    page.get_by_role("button", name="Créer la candidature").click()
    page.wait_for_url("**/candidatures/atelier-du-proxy/")
    page.context.close()
    app_id = "atelier-du-proxy"
    _link, venue = LinkStore(hosted.root).create("lieu", app_id)

    # The venue: identity, then the first theme; it leaves midway.
    page = _page(browser)
    page.goto(f"{url}/t/{venue}/")
    page.get_by_role("link", name="Identité du lieu").click()
    identity = {k: v for k, v in model["lieu"].items() if k != "nom"}
    _answer_section(page, identity, {})
    page.locator("[data-status]").filter(has_text="Enregistré").wait_for(timeout=10_000)
    _capture(page, "proxy-lieu-identite")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(f"**/{sections[1]}")
    _answer_section(page, model["reponses"], model.get("preuves", {}))
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(f"**/{sections[2]}")
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()

    # What it typed is on disk, whichever process saved it.
    saved = editing.read_data(hosted.root / "candidatures" / f"{app_id}.yaml")
    assert saved["lieu"]["siret"] == model["lieu"]["siret"]

    # It comes back on a phone, finishes and submits.
    page = _page(browser, 400)
    for section in sections[2:]:
        page.goto(f"{url}/t/{venue}/candidatures/{app_id}/{section}")
        _answer_section(page, model["reponses"], model.get("preuves", {}))
        page.get_by_role("button", name="Enregistrer").first.click()
        page.wait_for_load_state()
    page.goto(f"{url}/t/{venue}/candidatures/{app_id}/recapitulatif")
    _capture(page, "proxy-lieu-recapitulatif")
    page.get_by_role("button", name="Soumettre ma candidature").click()
    page.wait_for_url(f"**/candidatures/{app_id}/")
    assert "Soumise" in page.content()
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()

    # The file the browser wrote passes the command line's rules.
    path: Path = hosted.root / "candidatures" / f"{app_id}.yaml"
    result = CliRunner().invoke(
        cli_app, ["--root", str(hosted.root), "apply", "validate", str(path)]
    )
    assert result.exit_code == 0, result.output

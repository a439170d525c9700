"""The web front in a real browser (Debian's Chromium, driven by Playwright), end to end.

A venue fills in a whole application, closes the page midway and resumes, sees its score
and report, and submits; two reviewers review it, one declaring a conflict of interest;
the coordinator sees the decision; the files written then pass ``apply validate`` and
``assess``. Screenshots of each page at 1280 and 400 px go to ``build/captures-web/`` for
people to look at.

Needs Debian's Chromium (``apt-get install chromium``): skipped for a contributor without
it, a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif import editing
from aptic_qualif.access import LinkStore
from aptic_qualif.cli import app as cli_app
from aptic_qualif.context import load_context
from aptic_qualif.web.app import Settings, create_app
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CAPTURES = REPO / "build" / "captures-web"
MODEL = "fablab-la-forge"
"""A shipped example whose answers the browser types in, section by section."""

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium",
            pytrace=False,
        )
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)

from playwright import sync_api  # noqa: E402 - only once Chromium is known to be there


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``serve`` over a copy of the examples, in a thread; yields its base URL and links."""
    import uvicorn

    root = tmp_path_factory.mktemp("web") / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    context = load_context(root, need_policy=True)
    store = LinkStore(root)
    settings = Settings(root, root / "candidatures", root / "relectures")
    shutil.copytree(REPO / "examples" / "applications", settings.applications)
    app = create_app(settings, context, store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "root": root, "store": store, "context": context}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: sync_api.Browser, width: int = 1280) -> sync_api.Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _capture(page: sync_api.Page, name: str) -> None:
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(CAPTURES / f"{name}-{page.viewport_size['width']}.png"), full_page=True
    )  # type: ignore[index]


AUTOSAVE_DELAY_MS = 800
"""A little more than the pause after which the form saves itself (700 ms)."""


def _answer_section(page: sync_api.Page, answers: dict[str, Any], evidence: dict[str, Any]) -> None:
    """Type the model's answers into the questions shown on this section's page, again as
    long as answers make more questions appear (the server decides, the page follows once
    the autosave has answered): a chain of conditions (« present innovation » → « an
    experiment » → its account) takes one pass per link."""
    done: set[str] = set()
    for _pass in range(6):
        answered = _answer_shown(page, answers, evidence, done)
        # The page saves 0.7 s after the last change (form.js): let it start, then end.
        page.wait_for_timeout(AUTOSAVE_DELAY_MS)
        page.wait_for_load_state("networkidle")
        if not answered:
            break
        done |= answered


def _answer_shown(
    page: sync_api.Page, answers: dict[str, Any], evidence: dict[str, Any], done: set[str]
) -> set[str]:
    """Answer the questions shown that were not answered yet; the ones answered."""
    answered: set[str] = set()
    for item, value in answers.items():
        block = page.locator(f'[data-item="{item}"]')
        if item in done or block.count() == 0 or not block.is_visible():
            continue
        answered.add(item)
        if isinstance(value, bool):
            block.locator(f'input[value="{"true" if value else "false"}"]').check()
        elif isinstance(value, list):
            for chosen in value:
                block.locator(f'input[value="{chosen}"]').check()
        elif block.locator("input[type=radio]").count():
            block.locator(f'input[value="{value}"]').check()
        else:
            text = str(value).replace(".", ",") if isinstance(value, float) else str(value)
            page.locator(f"#{item}").fill(text)
        if item in evidence:
            page.locator(f'[id="preuves-{item}"]').fill("\n".join(evidence[item]))
    return answered


def test_a_venue_fills_resumes_and_submits_then_reviewers_and_coordinator(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    root: Path = served["root"]
    store: LinkStore = served["store"]
    context = served["context"]
    url = served["url"]
    model = editing.read_data(REPO / "examples" / "applications" / f"{MODEL}.yaml")
    sections = editing.sections(context.questionnaire)

    # The coordinator starts the application; the venue gets its own link.
    local = store.session_link()
    page = _page(browser)
    page.goto(f"{url}/t/{local}/")
    page.get_by_label("Nom du lieu").fill("Fablab de la Vallée")
    page.get_by_role("button", name="Créer la candidature").click()
    page.wait_for_url("**/candidatures/fablab-de-la-vallee/")
    app_id = "fablab-de-la-vallee"
    _link, venue = store.create("lieu", app_id)
    page.context.close()

    # The venue: the first sections, then it closes its browser midway.
    page = _page(browser)
    page.goto(f"{url}/t/{venue}/")
    _capture(page, "lieu-accueil")
    page.get_by_role("link", name="Identité du lieu").click()
    identity = {k: v for k, v in model["lieu"].items() if k != "nom"}
    _answer_section(page, identity, {})
    # Autosave: the page saves without the button and says so.
    page.locator("[data-status]").filter(has_text="Enregistré").wait_for(timeout=10_000)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(f"**/{sections[1]}")
    _answer_section(page, model["reponses"], model.get("preuves", {}))
    _capture(page, "lieu-theme")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(f"**/{sections[2]}")
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()

    # It comes back in a new browser: nothing is lost, it goes on to the end.
    page = _page(browser, 400)
    page.goto(f"{url}/t/{venue}/")
    assert "erreur" not in page.locator("ol.sections li").first.inner_text()
    page.goto(f"{url}/t/{venue}/candidatures/{app_id}/{sections[1]}")
    first = next(
        k for k, v in model["reponses"].items() if isinstance(v, int) and not isinstance(v, bool)
    )
    assert page.locator(f"#{first}").input_value() == str(model["reponses"][first])
    _capture(page, "lieu-reprise")
    for section in sections[2:]:
        page.goto(f"{url}/t/{venue}/candidatures/{app_id}/{section}")
        _answer_section(page, model["reponses"], model.get("preuves", {}))
        page.get_by_role("button", name="Enregistrer").first.click()
        page.wait_for_load_state()
    page.goto(f"{url}/t/{venue}/candidatures/{app_id}/recapitulatif")
    _capture(page, "lieu-recapitulatif")
    assert "Aperçu du score" in page.content()
    page.get_by_role("button", name="Soumettre ma candidature").click()
    page.wait_for_url(f"**/candidatures/{app_id}/")
    assert "Soumise" in page.content()
    report = page.context.new_page()
    report.goto(f"{url}/t/{venue}/candidatures/{app_id}/rapport")
    assert "Fablab de la Vallée" in report.content()
    page.context.close()

    # Two reviewers: one declares a conflict, the other scores every item.
    _link, conflicted = store.create("relecteur", "paul-lien")
    page = _page(browser)
    page.goto(f"{url}/t/{conflicted}/")
    page.get_by_role("link", name="Fablab de la Vallée").click()
    page.get_by_label("Oui : je ne noterai pas cette candidature").check()
    page.get_by_label("Si oui, décrivez le lien").fill("Je suis bénévole au fablab.")
    page.get_by_role("button", name="Commencer la relecture").click()
    page.get_by_role("button", name="Terminer").click()
    # the page that answers the form, once it is there (not the page the click left)
    page.get_by_text("votre relecture ne compte pas").first.wait_for(timeout=15_000)
    page.context.close()

    _link, reviewer = store.create("relecteur", "nadia-relit")
    page = _page(browser)
    page.goto(f"{url}/t/{reviewer}/")
    _capture(page, "relecteur-file")
    page.get_by_role("link", name="Fablab de la Vallée").click()
    page.get_by_role("button", name="Commencer la relecture").click()
    _capture(page, "relecteur-grille")
    for block in page.locator("section[data-item]").all():
        block.locator('input[type=radio][value="3"]').check()
        block.locator("textarea").fill("Pratique décrite, exemples concrets.")
    page.get_by_label("qualifier", exact=True).check()
    page.get_by_label("Votre commentaire général sur la candidature").fill("Un lieu solide.")
    page.locator("[data-status]").filter(has_text="Brouillon enregistré").wait_for(timeout=10_000)
    page.get_by_role("button", name="Terminer la relecture").click()
    page.get_by_text("Votre relecture est terminée").first.wait_for(timeout=15_000)
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()

    # The coordinator: the decision, the reviewers, the conflict.
    _link, coordinator = store.create("coordination")
    page = _page(browser)
    page.goto(f"{url}/t/{coordinator}/")
    row = page.locator("tr", has_text="Fablab de la Vallée")
    assert "nadia-relit" in row.inner_text() and "paul-lien" in row.inner_text()
    # One usable review of two needed: the decision waits for a second reviewer.
    assert "en attente de relecture" in row.inner_text()
    _capture(page, "coordination")
    page.context.close()

    # The same files, from the command line.
    runner = CliRunner()
    application = root / "candidatures" / f"{app_id}.yaml"
    checked = runner.invoke(
        cli_app.app, ["--root", str(root), "apply", "validate", str(application)]
    )
    assert checked.exit_code == 0, checked.output
    assessed = runner.invoke(
        cli_app.app,
        [
            "--root",
            str(root),
            "assess",
            str(application),
            "--reviews",
            str(root / "relectures"),
            "--format",
            "json",
        ],
    )
    assert assessed.exit_code == 0, assessed.output
    assert '"decision": "en-attente-de-revue"' in assessed.output


def test_pages_work_without_javascript(served: dict[str, Any], browser: sync_api.Browser) -> None:
    store: LinkStore = served["store"]
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    local = store.session_link()
    # A shipped example is submitted, hence read-only: its venue reopens it first.
    editing.set_status(served["root"] / "candidatures" / f"{MODEL}.yaml", "brouillon")
    page.goto(f"{served['url']}/t/{local}/candidatures/{MODEL}/aptitudes")
    assert page.locator('[data-item="apt-encadrement-benevoles"]').is_visible()
    page.locator("#apt-benevoles-reguliers").fill("0")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    # The server decided: the question that depends on volunteers is hidden now.
    assert page.locator('[data-item="apt-encadrement-benevoles"]').is_hidden()
    assert "Enregistré à" in page.content()
    context.close()


def test_two_tabs_changing_one_answer_the_second_sees_the_conflict(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    store: LinkStore = served["store"]
    root: Path = served["root"]
    editing.create(
        root / "candidatures" / "deux-onglets.yaml",
        served["context"].questionnaire,
        identity={"nom": "Deux onglets"},
    )
    local = store.session_link()
    address = f"{served['url']}/t/{local}/candidatures/deux-onglets/aptitudes"
    first, second = _page(browser), _page(browser)
    first.goto(address)
    second.goto(address)
    first.locator("#apt-demarche-pedagogique").fill("Ateliers du mardi")
    first.locator("[data-status]").filter(has_text="Enregistré").wait_for(timeout=10_000)
    # The first tab saves again from the version it was given: no conflict with itself.
    first.locator("#apt-heures-mediation").fill("12")
    first.wait_for_load_state("networkidle")
    second.locator("#apt-demarche-pedagogique").fill("Permanences")
    status = second.locator("[data-status]")
    status.filter(has_text="modifiée ailleurs").wait_for(timeout=10_000)
    assert "« Ateliers du mardi »" in status.inner_text()
    assert "« Permanences »" in status.inner_text()
    assert "Enregistré à" not in status.inner_text()
    first.wait_for_timeout(1000)
    assert "Enregistré" in first.locator("[data-status]").inner_text()
    assert not first.errors  # type: ignore[attr-defined]
    data = editing.read_data(root / "candidatures" / "deux-onglets.yaml")
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers du mardi"
    assert data["reponses"]["apt-heures-mediation"] == 12
    first.context.close()
    second.context.close()


def test_a_reviewer_does_not_see_another_reviewers_scores_before_finishing(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    """Blind review, in the browser: claire-martin reviewed the médiathèque; a new reviewer
    reads neither her name, nor her scores, nor her comments — on the review page or the
    report — until their own review is finished."""
    root: Path = served["root"]
    store: LinkStore = served["store"]
    app_id = "mediatheque-les-tilleuls"
    shutil.copytree(REPO / "examples" / "reviews" / app_id, root / "relectures" / app_id)
    said = "Grille de positionnement commune"
    _link, token = store.create("relecteur", "lea-aveugle")
    page = _page(browser)
    page.goto(f"{served['url']}/t/{token}/relectures/lea-aveugle/{app_id}")
    assert "Relecture à l'aveugle" in page.content()
    report = page.context.new_page()
    for shown in (page, report):
        if shown is report:
            report.goto(f"{served['url']}/t/{token}/candidatures/{app_id}/rapport")
        text = shown.locator("body").inner_text()
        assert "claire-martin" not in text and said not in text
    page.get_by_role("button", name="Commencer la relecture").click()
    for block in page.locator("section[data-item]").all():
        block.locator('input[type=radio][value="2"]').check()
    assert "claire-martin" not in page.locator("body").inner_text()
    page.get_by_label("à compléter", exact=True).check()
    page.get_by_label("Votre commentaire général sur la candidature").fill("Mon avis.")
    page.get_by_role("button", name="Terminer la relecture").click()
    page.get_by_text("Votre relecture est terminée").first.wait_for(timeout=15_000)
    text = page.locator("body").inner_text()
    assert "claire-martin" in text and said in text
    report.reload()
    assert "claire-martin" in report.locator("body").inner_text()
    page.context.close()


def test_a_venue_edits_after_submitting_and_reviewers_are_told(
    served: dict[str, Any], browser: sync_api.Browser
) -> None:
    """A submitted application reads but does not change; the venue reopens it (a warning
    first), changes an answer, submits again; the reviewer who had reviewed it sees
    « modifiée après soumission »."""
    root: Path = served["root"]
    store: LinkStore = served["store"]
    app_id = "mediatheque-les-tilleuls"
    if not (root / "relectures" / app_id).exists():
        shutil.copytree(REPO / "examples" / "reviews" / app_id, root / "relectures" / app_id)
    _link, venue = store.create("lieu", app_id)
    page = _page(browser, 400)
    page.goto(f"{served['url']}/t/{venue}/candidatures/{app_id}/aptitudes")
    assert page.locator("form[data-autosave]").count() == 0  # read-only while submitted
    page.get_by_role("link", name="Modifier ma candidature (la rouvrir)").first.click()
    page.get_by_role("heading", name="Rouvrir").wait_for(timeout=10_000)
    _capture(page, "lieu-rouvrir")
    page.get_by_role("button", name="Rouvrir ma candidature").click()
    page.wait_for_load_state()
    page.goto(f"{served['url']}/t/{venue}/candidatures/{app_id}/aptitudes")
    page.locator("#apt-demarche-pedagogique").fill("Une démarche revue après la soumission.")
    page.locator("[data-status]").filter(has_text="Enregistré").wait_for(timeout=10_000)
    page.goto(f"{served['url']}/t/{venue}/candidatures/{app_id}/recapitulatif")
    page.get_by_role("button", name="Soumettre ma candidature").click()
    page.wait_for_url(f"**/candidatures/{app_id}/")
    assert "Soumise" in page.content()
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()

    _link, reviewer = store.create("relecteur", "claire-martin")
    page = _page(browser)
    page.goto(f"{served['url']}/t/{reviewer}/")
    row = page.locator("li, tr").filter(has_text="Médiathèque")
    assert "modifiée après soumission" in row.first.inner_text()
    _capture(page, "relecteur-modifiee")
    page.context.close()


def test_the_coordinators_day(served: dict[str, Any], browser: sync_api.Browser) -> None:
    """From the coordinator's link only: filter the network, read an application and its
    report, make a venue's link (shown once) and revoke it, assign the reviewers."""
    store: LinkStore = served["store"]
    url = served["url"]
    _link, coordinator = store.create("coordination")
    base = f"{url}/t/{coordinator}"
    for width in (1280, 400):
        page = _page(browser, width)
        page.goto(f"{base}/")
        assert "Tout le réseau" in page.content() or "soumise" in page.content()
        _capture(page, "coordination-tableau")
        page.get_by_label("Rechercher un lieu (nom ou identifiant)").fill("tilleuls")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**q=tilleuls**")
        assert page.locator("tbody tr").count() == 1
        _capture(page, "coordination-filtre")
        page.get_by_role(
            "link", name="Espace numérique de la médiathèque Les Tilleuls", exact=True
        ).click()
        page.wait_for_url("**/candidatures/mediatheque-les-tilleuls/lecture")
        _capture(page, "coordination-candidature")
        report = page.context.new_page()
        report.goto(f"{base}/candidatures/mediatheque-les-tilleuls/rapport")
        assert "Les Tilleuls" in report.content()
        report.close()

        # The venue's link, from the application's page: shown once, then revoked.
        page.get_by_role("button", name="Créer un lien pour le lieu").click()
        secret = page.locator("#secret").input_value()
        assert secret.startswith(f"{url}/t/")
        _capture(page, "coordination-lien-cree")
        venue = browser.new_context(locale="fr-FR").new_page()
        venue.goto(secret)
        assert "Les Tilleuls" in venue.content()
        page.goto(f"{base}/liens")
        assert secret not in page.content()
        row = page.locator("tr", has_text="mediatheque-les-tilleuls").last
        row.get_by_role("button", name="Révoquer").click()
        assert "révoqué" in page.content()
        _capture(page, "coordination-liens")
        venue.goto(secret)
        assert "Cette page n'existe pas" in venue.content()
        venue.context.close()

        # The reviewers: the tool's proposal, kept.
        page.goto(f"{base}/affectations")
        _capture(page, "coordination-affectations")
        if page.get_by_role("button", name="Retenir cette proposition").count():
            page.get_by_role("button", name="Retenir cette proposition").click()
            assert "Les affectations sont enregistrées" in page.content()
        assert not page.errors  # type: ignore[attr-defined]
        page.context.close()

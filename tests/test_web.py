"""The web front (``aptic-qualif serve``) through Starlette's test client: the venue's pages,
access by secret links, and the security rules (CSRF, origin, sizes, headers, path tricks)."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from aptic_qualif import __version__, editing
from aptic_qualif.access import STATE_DIR, LinkStore
from aptic_qualif.application import validate_application
from aptic_qualif.cli import app as cli_app
from aptic_qualif.context import load_context
from aptic_qualif.web.app import CSP, MAX_BODY, Settings, create_app
from aptic_qualif.yamlio import load_yaml
from tests.conftest import REPO

APP = "fablab-la-forge"
OTHER = "mediatheque-les-tilleuls"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    return root


class Web:
    """A test client over a project, with the local link's token."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.context = load_context(root, need_policy=True)
        self.store = LinkStore(root)
        self.local = self.store.session_link()
        settings = Settings(root, root / "examples" / "applications", root / "examples" / "reviews")
        self.app = create_app(settings, self.context, store=self.store)
        self.client = TestClient(self.app, headers={"accept-language": "fr-FR,fr;q=0.9"})

    def csrf(self, url: str) -> str:
        page = self.client.get(url)
        assert page.status_code == 200, page.text
        found = re.search(r'name="_csrf" value="([0-9a-f]+)"', page.text)
        assert found, "the page has no form"
        return found.group(1)

    def application(self, app_id: str) -> Path:
        return self.root / "examples" / "applications" / f"{app_id}.yaml"


@pytest.fixture
def web(project: Path) -> Iterator[Web]:
    yield Web(project)


def _reopen(web: Web, app_id: str = APP) -> None:
    """Put a (submitted) example back to draft, as its venue does, so that it can change."""
    base = f"/t/{web.local}/candidatures/{app_id}"
    csrf = web.csrf(f"{base}/statut/rouvrir")
    reopened = web.client.post(f"{base}/statut/rouvrir", data={"_csrf": csrf})
    assert reopened.status_code == 200, reopened.text


def test_an_unknown_token_sees_nothing(web: Web) -> None:
    assert web.client.get("/t/pas-un-jeton/").status_code == 404
    assert web.client.get(f"/t/pas-un-jeton/candidatures/{APP}/").status_code == 404
    home = web.client.get("/")
    assert home.status_code == 200
    assert APP not in home.text


def test_the_local_link_lists_every_application_with_its_decision(web: Web) -> None:
    page = web.client.get(f"/t/{web.local}/")
    assert page.status_code == 200
    assert "12 candidatures dans le projet" in page.text
    assert "Fablab La Forge" in page.text
    assert "qualifié" in page.text


def test_a_venue_creates_fills_and_submits_an_application(web: Web) -> None:
    base = f"/t/{web.local}"
    csrf = web.csrf(f"{base}/")
    created = web.client.post(
        f"{base}/candidatures",
        data={"_csrf": csrf, "nom": "Espace numérique Jean-Zay"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"] == f"{base}/candidatures/espace-numerique-jean-zay/"
    path = web.application("espace-numerique-jean-zay")
    data = load_yaml(path, "x")[0]
    assert data is not None and data.data["statut"] == "brouillon"
    assert data.data["lieu"] == {"nom": "Espace numérique Jean-Zay"}
    home = html.unescape(web.client.get(created.headers["location"]).text)
    # One answer, the name: in the singular (French counts 0 and 1 in the singular too).
    assert "1 question répondue sur 22" in home and "0 question répondue sur" in home

    # A section: the answers are written to the file, as the commands read it.
    section = f"{base}/candidatures/espace-numerique-jean-zay/aptitudes"
    saved = web.client.post(
        section,
        data={
            "_csrf": csrf,
            "apt-heures-mediation": "12",
            "apt-connexion": "fibre",
            "apt-demarche-pedagogique": "Première ligne.\nDeuxième ligne.",
            "aller": "rester",
        },
    )
    assert saved.status_code == 200
    assert "Enregistré" in saved.text
    checked, _report = validate_application(path, web.context.questionnaire, web.context.catalogue)
    assert checked is not None
    assert checked.answers["apt-heures-mediation"] == 12
    assert checked.answers["apt-demarche-pedagogique"] == "Première ligne.\nDeuxième ligne."

    # The recapitulation lists what is missing; submitting is refused until complete.
    recap = web.client.get(f"{base}/candidatures/espace-numerique-jean-zay/recapitulatif")
    assert "Ce qui manque avant de soumettre" in recap.text
    refused = web.client.post(
        f"{base}/candidatures/espace-numerique-jean-zay/statut/soumettre",
        data={"_csrf": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert load_yaml(path, "x")[0].data["statut"] == "brouillon"  # type: ignore[union-attr]


def test_a_submitted_application_is_read_only_until_it_is_reopened(web: Web) -> None:
    _link, token = web.store.create("lieu", APP)
    base = f"/t/{token}/candidatures/{APP}"
    path = web.application(APP)
    before = path.read_bytes()
    # The section page shows the answers, with no form to change them.
    page = web.client.get(f"{base}/aptitudes")
    assert page.status_code == 200
    assert "data-autosave" not in page.text and 'name="apt-heures-mediation"' not in page.text
    assert "Modifier ma candidature (la rouvrir)" in page.text
    # A save posted anyway (autosave, or the form of a page left open) is refused.
    csrf = web.csrf(f"{base}/statut/rouvrir")
    form = {"_csrf": csrf, "apt-heures-mediation": "0", "aller": "rester"}
    autosave = web.client.post(f"{base}/aptitudes", data=form, headers={"x-autosave": "1"})
    assert autosave.status_code == 409 and "Rouvrez-la" in autosave.json()["error"]
    assert web.client.post(f"{base}/aptitudes", data=form).status_code == 409
    assert path.read_bytes() == before
    checked, _report = validate_application(path, web.context.questionnaire, web.context.catalogue)
    assert checked is not None and editing.status_of(checked) == "soumise"
    # Reopening is asked for on a page that says what follows; a GET changes nothing.
    warning = html.unescape(web.client.get(f"{base}/statut/rouvrir").text)
    assert "relecteurs seront prévenus" in warning and "soumettre à nouveau" in warning
    assert path.read_bytes() == before
    web.client.post(f"{base}/statut/rouvrir", data={"_csrf": csrf})
    data = editing.read_data(path)
    assert data["statut"] == "brouillon"
    assert [e["evenement"] for e in data["historique"]] == ["rouverte"]
    assert web.client.post(f"{base}/aptitudes", data=form).status_code == 200


def test_reopen_then_resubmit_is_recorded_and_reviewers_are_told(web: Web) -> None:
    base = f"/t/{web.local}/candidatures/{APP}"
    queue_url = f"/t/{web.local}/relectures/claire-martin/"
    assert "modifiée après soumission" not in web.client.get(queue_url).text
    _reopen(web)
    assert "Fablab La Forge" not in web.client.get(queue_url).text
    item = _rated(web, APP)[0]
    csrf = web.csrf(f"{base}/aptitudes")
    data = editing.read_data(web.application(APP))
    form: dict[str, Any] = {"_csrf": csrf, "aller": "rester"}
    for located in web.context.questionnaire.theme_items("aptitudes"):
        value = data["reponses"].get(located.id)
        if isinstance(value, list):
            form[located.id] = [str(v) for v in value]
        elif isinstance(value, bool):
            form[located.id] = "true" if value else "false"
        elif value is not None:
            form[located.id] = str(value)
        if located.id in data.get("preuves", {}):
            form[f"preuves:{located.id}"] = "\n".join(data["preuves"][located.id])
    assert item in form
    form[item] = "Réécrit après soumission. " + form[item]
    assert web.client.post(f"{base}/aptitudes", data=form).status_code == 200
    submitted = web.client.post(f"{base}/statut/soumettre", data={"_csrf": csrf})
    assert submitted.status_code == 200
    data = editing.read_data(web.application(APP))
    assert data["statut"] == "soumise"
    assert [e["evenement"] for e in data["historique"]] == ["rouverte", "resoumise"]
    # The file stays an application the command line accepts.
    result = CliRunner().invoke(
        cli_app.app, ["--root", str(web.root), "apply", "validate", str(web.application(APP))]
    )
    assert result.exit_code == 0, result.output
    # Reviewers see it changed, and re-score only what changed.
    queue = web.client.get(queue_url).text
    assert "modifiée après soumission" in queue and "à relire" in queue
    review = html.unescape(web.client.get(f"/t/{web.local}/relectures/claire-martin/{APP}").text)
    assert "modifiée après soumission" in review
    assert "À relire : le lieu a modifié ce que vous avez noté" in review
    # The coordinator sees the state, the date of the last change and the history.
    _coordinator, token = web.store.create("coordination")
    dashboard = web.client.get(f"/t/{token}/").text
    assert "soumise à nouveau après une modification" in dashboard
    assert "rouverte pour être modifiée" in dashboard
    assert "Historique" in web.client.get(f"{base}/").text


def test_the_queue_counts_the_answers_to_check_with_the_venue(web: Web) -> None:
    queue_url = f"/t/{web.local}/relectures/claire-martin/"
    assert "à vérifier avec le lieu" not in web.client.get(queue_url).text
    path = web.application(APP)
    text = path.read_text(encoding="utf-8")
    assert "  pub-personnes-par-mois: 60\n" in text
    # Five thousand people a month for seventy hours of mediation a week: unlikely (APP026).
    path.write_text(
        text.replace("  pub-personnes-par-mois: 60\n", "  pub-personnes-par-mois: 5000\n"),
        encoding="utf-8",
    )
    queue = html.unescape(web.client.get(queue_url).text)
    assert "1 réponse à vérifier avec le lieu" in queue


def test_an_undated_application_without_status_is_a_draft(web: Web) -> None:
    """An import skeleton (no status, no date yet) is not submitted: no reviewer sees it."""
    skeleton = web.application("squelette-importe")
    skeleton.write_text(
        f"questionnaire: {web.context.questionnaire.reference}\ndate:\n"
        "identifiant: abc-123\nlieu:\n  nom: Lieu importé\n",
        encoding="utf-8",
    )
    queue = web.client.get(f"/t/{web.local}/relectures/claire-martin/").text
    assert "Lieu importé" not in queue
    page = web.client.get(f"/t/{web.local}/relectures/claire-martin/squelette-importe")
    assert page.status_code == 404
    checked, _report = validate_application(
        skeleton, web.context.questionnaire, web.context.catalogue
    )
    assert checked is not None and editing.status_of(checked) == "brouillon"


def test_autosave_answers_which_questions_apply_and_the_errors(web: Web) -> None:
    base = f"/t/{web.local}/candidatures/{APP}/aptitudes"
    _reopen(web)
    csrf = web.csrf(base)
    form = {"_csrf": csrf, "apt-heures-mediation": "0", "apt-benevoles-reguliers": "0"}
    answer = web.client.post(base, data=form, headers={"x-autosave": "1"})
    assert answer.status_code == 200
    body = answer.json()
    # Questions whose conditions no longer hold are hidden, their answers removed.
    assert "apt-encadrement-benevoles" not in body["shown"]
    assert "apt-heures-mediation" in body["shown"]
    data = load_yaml(web.application(APP), "x")[0].data  # type: ignore[union-attr]
    assert "apt-encadrement-benevoles" not in data["reponses"]

    form.update({"apt-heures-mediation": "douze", "apt-benevoles-reguliers": "3"})
    body = web.client.post(base, data=form, headers={"x-autosave": "1"}).json()
    assert "apt-encadrement-benevoles" in body["shown"]
    # A text that is not a number is kept as typed, and the validator's message shows.
    assert body["errors"]["apt-heures-mediation"]
    assert "douze" in web.application(APP).read_text(encoding="utf-8")


def test_an_answer_hidden_by_a_mis_click_comes_back(web: Web) -> None:
    """Unticking a box hid a dependent answer of another section for good: it is now kept
    aside, comes back when the box is ticked again, and goes only when the venue submits."""
    base = f"/t/{web.local}/candidatures/{APP}"
    _reopen(web)
    before = load_yaml(web.application(APP), "x")[0].data  # type: ignore[union-attr]
    kept = before["reponses"]["apt-encadrement-benevoles"]
    csrf = web.csrf(f"{base}/aptitudes")
    # as a browser sends the page: the version it showed, the other answers as they were
    version = _version(web.client.get(f"{base}/aptitudes").text)
    form = {"_csrf": csrf, "_version": version, "apt-heures-mediation": "12"}
    form.update({"apt-encadrement-benevoles": "true", "apt-benevoles-reguliers": "0"})  # hidden
    answer = web.client.post(f"{base}/aptitudes", data=form, headers={"x-autosave": "1"})
    form["_version"] = answer.json()["version"]
    data = load_yaml(web.application(APP), "x")[0].data  # type: ignore[union-attr]
    assert "apt-encadrement-benevoles" not in data["reponses"]
    assert data["mises_de_cote"]["apt-encadrement-benevoles"]["reponse"] == kept
    report = validate_application(
        web.application(APP), web.context.questionnaire, web.context.catalogue
    )[1]
    assert not any(d.code == "APP015" for d in report.diagnostics), report.render_text()
    form["apt-benevoles-reguliers"] = "2"
    answer = web.client.post(f"{base}/aptitudes", data=form, headers={"x-autosave": "1"})
    form["_version"] = answer.json()["version"]
    data = load_yaml(web.application(APP), "x")[0].data  # type: ignore[union-attr]
    assert data["reponses"]["apt-encadrement-benevoles"] == kept
    assert "apt-encadrement-benevoles" not in data.get("mises_de_cote", {})
    # Hidden again, then submitted: what is aside goes with the submission.
    form["apt-connexion"] = "aucune"
    web.client.post(f"{base}/aptitudes", data=form, headers={"x-autosave": "1"})
    editing.set_status(web.application(APP), "soumise")
    data = load_yaml(web.application(APP), "x")[0].data  # type: ignore[union-attr]
    assert "mises_de_cote" not in data and "apt-wifi-public" not in data["reponses"]


def test_a_venue_link_opens_its_own_application_only(web: Web) -> None:
    _link, token = web.store.create("lieu", APP)
    base = f"/t/{token}"
    home = web.client.get(f"{base}/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == f"{base}/candidatures/{APP}/"
    assert web.client.get(f"{base}/candidatures/{APP}/aptitudes").status_code == 200
    for url in (
        f"{base}/candidatures/{OTHER}/",
        f"{base}/candidatures/{OTHER}/aptitudes",
        f"{base}/candidatures/{OTHER}/rapport",
        f"{base}/candidatures/{OTHER}/recapitulatif",
    ):
        page = web.client.get(url)
        assert page.status_code == 404, url
        assert "Médiathèque" not in page.text
    csrf = web.csrf(f"{base}/candidatures/{APP}/statut/rouvrir")
    before = web.application(OTHER).read_bytes()
    written = web.client.post(
        f"{base}/candidatures/{OTHER}/aptitudes", data={"_csrf": csrf, "apt-heures-mediation": "1"}
    )
    assert written.status_code == 404
    assert web.application(OTHER).read_bytes() == before


@pytest.mark.parametrize(
    "app_id",
    ["..", "..%2F..%2Fquestionnaire%2Fpolicy", "%2e%2e", "fablab-la-forge.yaml", "a b", "x" * 200],
)
def test_path_tricks_in_ids_find_nothing(web: Web, app_id: str) -> None:
    page = web.client.get(f"/t/{web.local}/candidatures/{app_id}/aptitudes")
    assert page.status_code == 404


def test_a_symbolic_link_in_the_applications_folder_is_not_served(web: Web, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("lieu: {nom: Secret}\n", encoding="utf-8")
    web.application("lien").symlink_to(secret)
    assert web.client.get(f"/t/{web.local}/candidatures/lien/").status_code == 404


def test_forms_without_their_token_or_from_another_site_are_refused(web: Web) -> None:
    _reopen(web)
    url = f"/t/{web.local}/candidatures/{APP}/aptitudes"
    before = web.application(APP).read_bytes()
    assert web.client.post(url, data={"apt-heures-mediation": "1"}).status_code == 403
    assert (
        web.client.post(url, data={"_csrf": "0" * 64, "apt-heures-mediation": "1"}).status_code
        == 403
    )
    csrf = web.csrf(url)
    foreign = web.client.post(
        url,
        data={"_csrf": csrf, "apt-heures-mediation": "1"},
        headers={"origin": "https://malveillant.example"},
    )
    assert foreign.status_code == 403
    assert web.application(APP).read_bytes() == before
    # Another link's form token does not work for this link.
    _link, token = web.store.create("lieu", APP)
    assert (
        web.client.post(
            f"/t/{token}/candidatures/{APP}/aptitudes", data={"_csrf": csrf}
        ).status_code
        == 403
    )


def test_oversized_bodies_are_refused(web: Web) -> None:
    _reopen(web)
    url = f"/t/{web.local}/candidatures/{APP}/aptitudes"
    csrf = web.csrf(url)
    before = web.application(APP).read_bytes()
    huge = web.client.post(
        url, data={"_csrf": csrf, "apt-demarche-pedagogique": "x" * (MAX_BODY + 1)}
    )
    assert huge.status_code == 413
    assert web.application(APP).read_bytes() == before


def test_every_page_has_the_security_headers(web: Web) -> None:
    for url in ("/", f"/t/{web.local}/", f"/t/{web.local}/candidatures/{APP}/aptitudes", "/t/x/"):
        headers = web.client.get(url).headers
        assert headers["content-security-policy"] == CSP, url
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
    report = web.client.get(f"/t/{web.local}/candidatures/{APP}/rapport").headers
    assert "script-src" not in report["content-security-policy"]
    assert report["content-security-policy"].startswith("default-src 'none'")


def test_a_revoked_link_stops_working_at_once(web: Web) -> None:
    link, token = web.store.create("coordination")
    assert web.client.get(f"/t/{token}/").status_code == 200
    LinkStore(web.root).revoke(link.id)  # as the command does, from another process
    assert web.client.get(f"/t/{token}/").status_code == 404


def test_pages_speak_the_browsers_language(web: Web) -> None:
    _reopen(web)
    url = f"/t/{web.local}/candidatures/{APP}/aptitudes"
    french = web.client.get(url)
    assert 'lang="fr"' in french.text and "Enregistrer" in french.text
    english = web.client.get(url, headers={"accept-language": "en-GB,en;q=0.8"})
    assert 'lang="en"' in english.text and "Save and continue" in english.text
    assert "How many hours" in english.text


def test_hostile_answers_are_shown_as_text(web: Web) -> None:
    url = f"/t/{web.local}/candidatures/{APP}/aptitudes"
    _reopen(web)
    csrf = web.csrf(url)
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    web.client.post(
        url, data={"_csrf": csrf, "apt-demarche-pedagogique": attack, "apt-heures-mediation": "5"}
    )
    page = web.client.get(url).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_links_are_made_listed_and_revoked_from_the_command_line(project: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli_app.app,
        ["--root", str(project), "links", "create", "--reviewer", "claire-martin"],
    )
    assert made.exit_code == 0, made.output
    url = made.output.strip().splitlines()[-1]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 40
    stored = (project / STATE_DIR / "links.yaml").read_text(encoding="utf-8")
    assert token not in stored  # only its digest
    assert (project / STATE_DIR / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    listed = runner.invoke(cli_app.app, ["--root", str(project), "links", "list"])
    assert "claire-martin" in listed.output and token not in listed.output
    link_id = listed.output.split()[0]
    revoked = runner.invoke(cli_app.app, ["--root", str(project), "links", "revoke", link_id])
    assert revoked.exit_code == 0, revoked.output
    assert LinkStore(project).grant(token) is None
    unknown = runner.invoke(cli_app.app, ["--root", str(project), "links", "revoke", "deadbeef"])
    assert unknown.exit_code == 2
    assert "deadbeef" in unknown.output


def test_links_create_says_which_address_it_assumed(project: Path) -> None:
    """links create takes serve's port (or the address people use) and says which address
    its link starts with, and why."""
    runner = CliRunner()
    base = ["--root", str(project), "links", "create", "--reviewer", "claire-martin"]

    def link(*options: str) -> tuple[int, str, str]:
        made = runner.invoke(cli_app.app, [*base, *options])
        return made.exit_code, made.output, made.output.strip().splitlines()[-1]

    code, output, url = link()
    assert code == 0, output
    assert url.startswith("http://127.0.0.1:8000/t/")
    assert "Adresse du serveur : http://127.0.0.1:8000 (celle de serve par défaut" in output
    assert "--port" in output
    code, output, url = link("--port", "8765")
    assert code == 0, output
    assert url.startswith("http://127.0.0.1:8765/t/")
    assert "Adresse du serveur : http://127.0.0.1:8765 (cette machine, donnée par --port)" in output
    code, output, url = link("--base-url", "https://qualif.example.org/")
    assert code == 0, output
    assert url.startswith("https://qualif.example.org/t/")
    assert "https://qualif.example.org (donnée par --base-url)" in output
    # serve records where it listens; links then follow it.
    from aptic_qualif.access import record_address

    record_address(project, "http://127.0.0.1:8123")
    code, output, url = link()
    assert url.startswith("http://127.0.0.1:8123/t/")
    assert "là où serve a été lancé pour la dernière fois" in output
    for wrong in (["--base-url", "qualif.example.org"], ["--port", "1", "--base-url", "http://a"]):
        code, output, _url = link(*wrong)
        assert code == 2, output
        assert "--base-url" in output
    assert "--port" in runner.invoke(cli_app.app, ["links", "create", "--help"]).output


def test_review_takes_reviews_like_every_command(project: Path) -> None:
    """review --reviews, as serve, assess and export; --reviews-dir still works but is hidden."""
    runner = CliRunner()
    shown = runner.invoke(cli_app.app, ["review", "--help"], terminal_width=200).output
    assert "--reviews " in shown and "--reviews-dir" not in shown
    for option in ("--reviews", "--reviews-dir"):
        made = runner.invoke(
            cli_app.app,
            ["--root", str(project), "review", "summary", "examples/reviews", option, "x"],
        )
        assert "no such option" not in made.output.lower(), made.output
        assert "option inconnue" not in made.output.lower(), made.output
    both = runner.invoke(
        cli_app.app,
        ["--root", str(project), "review", "x.yaml", "--reviews", "a", "--reviews-dir", "b"],
    )
    assert both.exit_code == 2 and "--reviews-dir" in both.output


def test_a_venue_link_for_a_new_application_creates_it(project: Path) -> None:
    runner = CliRunner()
    folder = project / "candidatures"
    made = runner.invoke(
        cli_app.app,
        [
            "--root",
            str(project),
            "links",
            "create",
            "--venue",
            "nouveau-lieu",
            "--applications",
            str(folder),
        ],
    )
    assert made.exit_code == 0, made.output
    assert (folder / "nouveau-lieu.yaml").is_file()
    bad = runner.invoke(
        cli_app.app,
        [
            "--root",
            str(project),
            "links",
            "create",
            "--venue",
            "../x",
            "--applications",
            str(folder),
        ],
    )
    assert bad.exit_code == 2
    assert not (project / "x.yaml").exists()


# --- reviewers ----------------------------------------------------------------------------


def _rated(web: Web, app_id: str) -> list[str]:
    from aptic_qualif.review.fingerprint import rated_items

    checked, _report = validate_application(
        web.application(app_id), web.context.questionnaire, web.context.catalogue
    )
    assert checked is not None
    return rated_items(checked, web.context.questionnaire)


def test_a_reviewer_reviews_with_drafts_then_finishes(web: Web) -> None:
    from aptic_qualif.review.load import load_reviews

    _link, token = web.store.create("relecteur", "nadia-test")
    queue = web.client.get(f"/t/{token}/relectures/nadia-test/")
    assert queue.status_code == 200
    assert "à faire" in queue.text and "Fablab La Forge" in queue.text
    url = f"/t/{token}/relectures/nadia-test/{APP}"
    page = web.client.get(url)
    # Conflict of interest first: nothing to score before it is answered.
    assert "conflit d'intérêts" in html.unescape(page.text) and "note:" not in page.text
    csrf = web.csrf(url)
    web.client.post(url, data={"_csrf": csrf, "etape": "conflit", "conflit": "non"})
    review_file = web.root / "examples" / "reviews" / APP / "nadia-test.yaml"
    assert "draft: true" in review_file.read_text(encoding="utf-8")

    page = web.client.get(url).text
    items = _rated(web, APP)
    for item in items:
        assert f'name="note:{item}"' in page
    # The whole rubric, every step, never cut.
    rubric = web.context.questionnaire.by_id[items[0]].item.rubric
    assert rubric is not None
    for step in rubric:
        assert str(step.description.fr).split()[0] in page

    # A draft saved as the reviewer goes: half the items, nothing counts yet.
    half = {f"note:{item}": "3" for item in items[:2]}
    saved = web.client.post(
        url, data={"_csrf": csrf, "etape": "enregistrer", **half}, headers={"x-autosave": "1"}
    )
    assert saved.status_code == 200 and "Brouillon enregistré" in saved.json()["saved"]
    reviews, _report = load_reviews(web.root / "examples" / "reviews", web.context.questionnaire)
    mine = [r for r in reviews if r.reviewer == "nadia-test"]
    assert mine and mine[0].draft and set(mine[0].scores) == set(items[:2])

    # Finishing with items missing is refused and says what is missing.
    refused = web.client.post(url, data={"_csrf": csrf, "etape": "enregistrer", "terminer": "1"})
    assert refused.status_code == 200
    assert "Pas enregistrée comme terminée" in refused.text
    assert "draft: true" in review_file.read_text(encoding="utf-8")

    # A comment typed without a score is not lost: the page shows it again.
    kept = web.client.post(
        url,
        data={
            "_csrf": csrf,
            "etape": "enregistrer",
            "terminer": "1",
            f"commentaire:{items[3]}": "Très concret.",
        },
    )
    assert "Très concret." in kept.text

    everything = {f"note:{item}": "4" for item in items}
    done = web.client.post(
        url,
        data={
            "_csrf": csrf,
            "etape": "enregistrer",
            "terminer": "1",
            **everything,
            f"commentaire:{items[0]}": "Démarche décrite pas à pas.",
            "recommandation": "qualifier",
            "commentaire": "Un lieu solide.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    text = review_file.read_text(encoding="utf-8")
    assert "draft" not in text and "Un lieu solide." in text
    # What the web front wrote is what the command line reads.
    result = CliRunner().invoke(
        cli_app.app,
        ["--root", str(web.root), "review", "summary", str(web.root / "examples" / "reviews")],
    )
    assert result.exit_code == 0, result.output
    assert "nadia-test" in result.output
    assert "terminée" in web.client.get(f"/t/{token}/relectures/nadia-test/").text


def test_a_conflicted_reviewer_does_not_score(web: Web) -> None:
    _link, token = web.store.create("relecteur", "paul-test")
    url = f"/t/{token}/relectures/paul-test/{APP}"
    csrf = web.csrf(url)
    web.client.post(
        url,
        data={
            "_csrf": csrf,
            "etape": "conflit",
            "conflit": "oui",
            "lien": "Je suis bénévole au fablab.",
        },
    )
    page = web.client.get(url).text
    assert "note:" not in page
    web.client.post(
        url,
        data={
            "_csrf": csrf,
            "etape": "enregistrer",
            "terminer": "1",
            "lien": "Je suis bénévole au fablab.",
        },
    )
    text = (web.root / "examples" / "reviews" / APP / "paul-test.yaml").read_text(encoding="utf-8")
    assert "conflict_of_interest: true" in text and "scores" not in text and "draft" not in text


def test_a_stale_review_shows_what_changed(web: Web) -> None:
    # Claire Martin reviewed the fablab; the venue then rewrites a rated answer.
    url = f"/t/{web.local}/relectures/claire-martin/{APP}"
    assert "Votre relecture est terminée" in html.unescape(web.client.get(url).text)
    item = _rated(web, APP)[0]
    path = web.application(APP)
    data = editing.read_data(path)
    data["reponses"][item] = "Réécrit. " + data["reponses"][item]
    editing.write(path, data)
    page = html.unescape(web.client.get(url).text)
    assert "À relire : le lieu a modifié ce que vous avez noté" in page
    queue = web.client.get(f"/t/{web.local}/relectures/claire-martin/").text
    assert "à relire" in queue


def test_reviewer_links_open_their_own_reviews_only(web: Web) -> None:
    _link, token = web.store.create("relecteur", "nadia-test")
    assert web.client.get(f"/t/{token}/relectures/claire-martin/").status_code == 404
    assert web.client.get(f"/t/{token}/relectures/claire-martin/{APP}").status_code == 404
    # A reviewer's link opens on their own queue.
    home = web.client.get(f"/t/{token}/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == f"/t/{token}/relectures/nadia-test/"
    # Reviewers do not edit applications, nor see the coordinator's pages.
    assert web.client.get(f"/t/{token}/candidatures/{APP}/aptitudes").status_code == 404
    assert web.client.get(f"/t/{token}/synthese").status_code == 404
    # A venue's link does not open reviews.
    _venue, venue_token = web.store.create("lieu", APP)
    assert web.client.get(f"/t/{venue_token}/relectures/claire-martin/").status_code == 404
    assert web.client.get(f"/t/{venue_token}/synthese").status_code == 404


def test_draft_applications_are_not_offered_for_review(web: Web) -> None:
    _reopen(web)
    assert web.client.get(f"/t/{web.local}/relectures/claire-martin/{APP}").status_code == 404
    assert "Fablab La Forge" not in web.client.get(f"/t/{web.local}/relectures/claire-martin/").text


def test_the_coordinator_sees_decisions_reviews_and_the_summary(web: Web) -> None:
    _link, token = web.store.create("coordination")
    page = web.client.get(f"/t/{token}/").text
    assert "Fablab La Forge" in page and "relectures utilisées" in page
    assert "Commencer une candidature" in page  # then its venue fills it in
    assert "Relire des candidatures" not in page  # the coordinator does not review
    summary = web.client.get(f"/t/{token}/synthese")
    assert summary.status_code == 200
    assert (
        "alpha de Krippendorff" in html.unescape(summary.text) and "claire-martin" in summary.text
    )


def test_the_coordinators_list_is_paginated(project: Path) -> None:
    web = Web(project)
    web.app = create_app(
        Settings(
            project,
            project / "examples" / "applications",
            project / "examples" / "reviews",
            page_size=5,
        ),
        web.context,
        store=web.store,
    )
    client = TestClient(web.app, headers={"accept-language": "fr"})
    first = client.get(f"/t/{web.local}/").text
    assert "Page 1 sur 3" in first
    assert first.count("/rapport") == 5
    last = client.get(f"/t/{web.local}/?page=3").text
    assert last.count("/rapport") == 2
    assert "Page 3 sur 3" in client.get(f"/t/{web.local}/?page=99").text


def test_the_commune_and_its_insee_code_are_proposed_from_the_postcode(web: Web) -> None:
    """Le Creusot's postcode (71200) is saved: the commune field proposes the communes of
    71200, the INSEE field the code of the commune given (native datalists: any answer may
    still be typed)."""
    _reopen(web)
    page = web.client.get(f"/t/{web.local}/candidatures/{APP}/identite").text
    assert 'list="propositions-commune"' in page
    assert '<option value="Le Creusot">Le Creusot (71153)</option>' in page
    assert 'list="propositions-code_insee"' in page
    assert '<option value="71153">71153 — Le Creusot</option>' in page
    assert 'list="propositions-nom"' not in page


def test_an_application_starts_from_a_venue_imported_from_the_national_data(
    project: Path,
) -> None:
    imported = project / "importes"
    made = CliRunner().invoke(
        cli_app.app,
        [
            "--root",
            str(project),
            "import",
            "lieux",
            str(REPO / "reference" / "standard-mediation-num" / "exemple-valide.csv"),
            "-o",
            str(imported),
        ],
    )
    assert made.exit_code in (0, 1), made.output
    first = sorted(imported.glob("*.yaml"))[0]
    origin = editing.read_data(first)
    web = Web(project)
    web.app = create_app(
        Settings(
            project,
            project / "examples" / "applications",
            project / "examples" / "reviews",
            imported=imported,
        ),
        web.context,
        store=web.store,
    )
    client = TestClient(web.app, headers={"accept-language": "fr"})
    page = client.get(f"/t/{web.local}/")
    assert first.stem in page.text
    csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', page.text)
    assert csrf is not None
    created = client.post(
        f"/t/{web.local}/candidatures",
        data={"_csrf": csrf.group(1), "depuis": first.stem},
        follow_redirects=False,
    )
    assert created.status_code == 303
    app_id = created.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    data = editing.read_data(project / "examples" / "applications" / f"{app_id}.yaml")
    # Everything the import wrote is kept: identity, answers, the national identifier.
    assert data["lieu"] == origin["lieu"]
    assert data["reponses"] == origin["reponses"]
    assert data["identifiant"] == origin["identifiant"]
    assert data["statut"] == "brouillon"
    # A name that is not an imported venue finds nothing.
    assert (
        client.post(
            f"/t/{web.local}/candidatures", data={"_csrf": csrf.group(1), "depuis": "../x"}
        ).status_code
        == 404
    )

    # Its identity is one card to check: the imported answers are read, not asked again.
    page = client.get(f"/t/{web.local}/candidatures/{app_id}/identite").text
    card, _sep, rest = page.partition("</section>")
    assert "data-card" in card
    assert "Votre lieu tel que le décrivent les données nationales des lieux" in card
    assert html.escape(origin["lieu"]["nom"]) in card.split("<details>", 1)[0]  # read
    assert 'name="nom"' in card.split("<details>", 1)[1]  # corrected from the card
    assert 'name="nom"' not in rest
    assert 'name="contacts_publics"' in rest  # not in the national data: asked
    # A correction through the card is saved like any answer.
    version = _version(page)
    saved = client.post(
        f"/t/{web.local}/candidatures/{app_id}/identite",
        data={"_csrf": csrf.group(1), "_version": version, "nom": "Nouveau nom", "aller": "rester"},
    )
    assert saved.status_code == 200
    written = editing.read_data(project / "examples" / "applications" / f"{app_id}.yaml")
    assert written["lieu"]["nom"] == "Nouveau nom"
    # An answer with a problem leaves the card, to be corrected where the venue sees it.
    broken = client.post(
        f"/t/{web.local}/candidatures/{app_id}/identite",
        data={
            "_csrf": csrf.group(1),
            "_version": _version(saved.text),
            "code_postal": "7120",
            "aller": "rester",
        },
    )
    card, _sep, rest = broken.text.partition("</section>")
    assert 'name="code_postal"' not in card
    assert 'name="code_postal"' in rest
    # An application typed by the venue has no card.
    typed = client.get(f"/t/{web.local}/candidatures/{APP}/identite").text
    assert "data-card" not in typed


def _version(page: str) -> str:
    found = re.search(r'name="_version" value="([^"]*)"', page)
    assert found, "the page has no version"
    return html.unescape(found.group(1))


@pytest.fixture
def blank(web: Web) -> str:
    editing.create(web.application("nouveau"), web.context.questionnaire, identity={"nom": "Lieu"})
    return f"/t/{web.local}/candidatures/nouveau"


def test_two_pages_shown_before_either_save_both_keep_their_change(web: Web, blank: str) -> None:
    csrf = web.csrf(f"{blank}/aptitudes")
    shown = web.client.get(f"{blank}/aptitudes").text
    aptitudes = _version(shown)
    assert f"aptic-qualif {__version__} —" in shown  # the footer keeps the tool's version
    publics = _version(web.client.get(f"{blank}/publics").text)
    other_tab = aptitudes
    autosave = {"x-autosave": "1"}
    first = web.client.post(
        f"{blank}/aptitudes",
        data={"_csrf": csrf, "_version": aptitudes, "apt-demarche-pedagogique": "Ateliers"},
        headers=autosave,
    )
    second = web.client.post(
        f"{blank}/publics",
        data={"_csrf": csrf, "_version": publics, "pub-suivi-progression": "Carnet"},
        headers=autosave,
    )
    # A third page of the same section, shown before the first save, changes another question.
    third = web.client.post(
        f"{blank}/aptitudes",
        data={"_csrf": csrf, "_version": other_tab, "apt-heures-mediation": "12"},
        headers=autosave,
    )
    for answer in (first, second, third):
        assert answer.status_code == 200, answer.text
        assert answer.json()["saved"].startswith("Enregistré")
        assert answer.json()["conflict"] == ""
    data = load_yaml(web.application("nouveau"), "x")[0].data  # type: ignore[union-attr]
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers"
    assert data["reponses"]["pub-suivi-progression"] == "Carnet"
    assert data["reponses"]["apt-heures-mediation"] == 12


def test_a_page_saving_again_with_the_version_it_was_given_is_no_conflict(
    web: Web, blank: str
) -> None:
    csrf = web.csrf(f"{blank}/aptitudes")
    version = _version(web.client.get(f"{blank}/aptitudes").text)
    for text in ("Atel", "Ateliers", "Ateliers du mardi"):
        answer = web.client.post(
            f"{blank}/aptitudes",
            data={"_csrf": csrf, "_version": version, "apt-demarche-pedagogique": text},
            headers={"x-autosave": "1"},
        )
        assert answer.status_code == 200, answer.text
        version = answer.json()["version"]
    data = load_yaml(web.application("nouveau"), "x")[0].data  # type: ignore[union-attr]
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers du mardi"


def test_a_stale_page_changing_the_same_question_is_a_conflict_with_both_values(
    web: Web, blank: str
) -> None:
    url = f"{blank}/aptitudes"
    csrf = web.csrf(url)
    shown = _version(web.client.get(url).text)
    first = web.client.post(
        url,
        data={"_csrf": csrf, "_version": shown, "apt-demarche-pedagogique": "Ateliers"},
        headers={"x-autosave": "1"},
    )
    assert first.status_code == 200
    stale = {"_csrf": csrf, "_version": shown, "apt-demarche-pedagogique": "Permanences"}
    answer = web.client.post(url, data=stale, headers={"x-autosave": "1"})
    assert answer.status_code == 409
    body = answer.json()
    assert body["saved"] == ""
    assert "Ateliers" in body["conflict"] and "Permanences" in body["conflict"]
    assert "a été modifiée ailleurs" in body["conflict"]
    assert [(c["field"], c["saved"], c["typed"]) for c in body["conflicts"]] == [
        ("apt-demarche-pedagogique", "Ateliers", "Permanences")
    ]
    # Without JavaScript: the page again, with the message, showing what is saved.
    page = web.client.post(url, data={**stale, "aller": "suivant"}, follow_redirects=False)
    assert page.status_code == 409
    text = html.unescape(page.text)
    assert "« Ateliers »" in text and "« Permanences »" in text
    assert "Enregistré à" not in text
    assert _version(page.text) != shown
    data = load_yaml(web.application("nouveau"), "x")[0].data  # type: ignore[union-attr]
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers"


def test_a_failed_write_is_an_error_never_saved(
    web: Web, blank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    url = f"{blank}/aptitudes"
    csrf = web.csrf(url)
    before = web.application("nouveau").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aptic_qualif.fsio.os.fsync", full)
    form = {"_csrf": csrf, "apt-demarche-pedagogique": "Ateliers"}
    for headers in ({"x-autosave": "1"}, {}):
        answer = web.client.post(url, data=form, headers=headers)
        assert answer.status_code == 500
        assert "Enregistré" not in answer.text
        assert "plus de place" in html.unescape(answer.text)
    assert web.application("nouveau").read_bytes() == before


def test_serve_cleans_what_interrupted_saves_left(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    import uvicorn

    left = project / "examples" / "applications" / f".{APP}.yaml.abcd1234.tmp"
    left.write_text("interrompu", encoding="utf-8")
    old = time.time() - 3600
    os.utime(left, (old, old))
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    result = CliRunner().invoke(
        cli_app.app,
        [
            "--root",
            str(project),
            "serve",
            "--applications",
            str(project / "examples" / "applications"),
            "--reviews",
            str(project / "examples" / "reviews"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert not left.exists()
    assert "1 fichier temporaire" in result.output


# --- blind review ---------------------------------------------------------------------

CLAIRE_SAYS = "Pas de grille de positionnement"
"""A comment of claire-martin's review of the fablab (examples/reviews)."""


def _finish_review(web: Web, token: str, reviewer: str, app_id: str = APP) -> None:
    url = f"/t/{token}/relectures/{reviewer}/{app_id}"
    csrf = web.csrf(url)
    web.client.post(url, data={"_csrf": csrf, "etape": "conflit", "conflit": "non"})
    done = web.client.post(
        url,
        data={
            "_csrf": csrf,
            "etape": "enregistrer",
            "terminer": "1",
            **{f"note:{item}": "2" for item in _rated(web, app_id)},
            "recommandation": "a-completer",
            "commentaire": "Mon avis.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def _pages(web: Web, token: str, reviewer: str) -> str:
    """What a reviewer can read about the fablab: its report and their review page."""
    report = web.client.get(f"/t/{token}/candidatures/{APP}/rapport")
    review = web.client.get(f"/t/{token}/relectures/{reviewer}/{APP}")
    assert report.status_code == 200 and review.status_code == 200
    return html.unescape(report.text + review.text)


def test_a_reviewer_sees_the_other_reviews_only_once_theirs_is_finished(web: Web) -> None:
    _link, token = web.store.create("relecteur", "nadia-test")
    before = _pages(web, token, "nadia-test")
    for other in ("claire-martin", "fatou-diallo", "yannick-le-goff"):
        assert other not in before
    assert CLAIRE_SAYS not in before and "Notes par relecteur" not in before
    assert "Relecture à l'aveugle" in before
    # A draft is not enough.
    url = f"/t/{token}/relectures/nadia-test/{APP}"
    web.client.post(url, data={"_csrf": web.csrf(url), "etape": "conflit", "conflit": "non"})
    draft = _pages(web, token, "nadia-test")
    assert "claire-martin" not in draft and CLAIRE_SAYS not in draft
    _finish_review(web, token, "nadia-test")
    after = _pages(web, token, "nadia-test")
    assert "claire-martin" in after and CLAIRE_SAYS in after and "fatou-diallo" in after


def test_a_conflicted_reviewer_never_sees_the_other_reviews(web: Web) -> None:
    _link, token = web.store.create("relecteur", "paul-test")
    url = f"/t/{token}/relectures/paul-test/{APP}"
    csrf = web.csrf(url)
    web.client.post(
        url, data={"_csrf": csrf, "etape": "conflit", "conflit": "oui", "lien": "Bénévole."}
    )
    web.client.post(
        url, data={"_csrf": csrf, "etape": "enregistrer", "terminer": "1", "lien": "Bénévole."}
    )
    seen = _pages(web, token, "paul-test")
    assert "claire-martin" not in seen and CLAIRE_SAYS not in seen
    assert "vous ne voyez pas les autres relectures" in seen
    # Withdrawn, the declaration leaves a trace the coordinator sees; the others stay hidden.
    web.client.post(url, data={"_csrf": csrf, "etape": "rouvrir"})
    web.client.post(url, data={"_csrf": csrf, "etape": "conflit", "conflit": "non"})
    _finish_review(web, token, "paul-test")
    seen = _pages(web, token, "paul-test")
    assert "claire-martin" not in seen and CLAIRE_SAYS not in seen
    text = (web.root / "examples" / "reviews" / APP / "paul-test.yaml").read_text("utf-8")
    assert "withdrawn_conflicts" in text and "Bénévole." in text
    _coordinator, coordinator = web.store.create("coordination")
    for page in (f"/t/{coordinator}/", f"/t/{coordinator}/synthese"):
        shown = html.unescape(web.client.get(page).text)
        assert "conflit d'intérêts retiré par paul-test" in shown, page


def test_a_reviewer_does_not_read_the_report_of_a_draft(web: Web) -> None:
    _reopen(web)
    _link, token = web.store.create("relecteur", "nadia-test")
    assert web.client.get(f"/t/{token}/candidatures/{APP}/rapport").status_code == 404


def _venue_report(project: Path, setting: str | None) -> str:
    web = Web(project)
    settings = Settings(
        project, project / "examples" / "applications", project / "examples" / "reviews"
    )
    if setting is not None:
        settings.venue_view = setting  # type: ignore[assignment]
    client = TestClient(create_app(settings, web.context, store=web.store))
    _link, token = web.store.create("lieu", APP)
    page = client.get(f"/t/{token}/candidatures/{APP}/rapport", headers={"accept-language": "fr"})
    assert page.status_code == 200
    return html.unescape(page.text)


def test_the_venue_sees_comments_without_names_or_scores_by_default(project: Path) -> None:
    seen = _venue_report(project, None)
    assert CLAIRE_SAYS in seen
    for other in ("claire-martin", "fatou-diallo", "yannick-le-goff"):
        assert other not in seen
    assert "Notes par relecteur" not in seen and "Recommandations :" not in seen
    assert "relecteur 1" in seen


def test_the_venue_sees_what_the_setting_says(project: Path) -> None:
    decision = _venue_report(project, "decision")
    assert CLAIRE_SAYS not in decision and "claire-martin" not in decision
    everything = _venue_report(project, "tout")
    assert CLAIRE_SAYS in everything and "claire-martin" in everything


def test_serve_refuses_an_unknown_venue_setting(project: Path) -> None:
    result = CliRunner().invoke(
        cli_app.app, ["--root", str(project), "serve", "--venue-sees", "noms"]
    )
    assert result.exit_code == 2
    assert "--venue-sees" in result.output


def test_the_report_leads_back_to_where_it_was_opened_from(web: Web) -> None:
    """The report was a dead end: no way back to the application or the queue."""
    _link, venue = web.store.create("lieu", APP)
    page = web.client.get(f"/t/{venue}/candidatures/{APP}/rapport").text
    assert f'<a href="/t/{venue}/candidatures/{APP}/">← Retour à la candidature</a>' in page
    _link, reviewer = web.store.create("relecteur", "nadia-retour")
    page = web.client.get(f"/t/{reviewer}/candidatures/{APP}/rapport").text
    assert f'<a href="/t/{reviewer}/relectures/nadia-retour/">← Retour à mes relectures</a>' in page
    _link, coordinator = web.store.create("coordination")
    page = web.client.get(f"/t/{coordinator}/candidatures/{APP}/rapport").text
    assert f'href="/t/{coordinator}/candidatures/{APP}/lecture"' in page


def test_optional_details_are_one_line_the_venue_opens(web: Web, project: Path) -> None:
    """The questions of a group (``groups``: the published record's optional details) are
    put together behind one line, open when one of them is answered, closed otherwise; a
    submitted application shows their answers like the others."""
    base = f"/t/{web.local}/candidatures/{APP}/identite"
    submitted = web.client.get(base).text
    assert "<dt>Latitude</dt>" in submitted and "data-group" not in submitted
    _reopen(web)
    page = web.client.get(base).text
    group = re.search(r'<details class="facultatif" data-group="fiche-publique"( open)?>', page)
    assert group is not None and group.group(1) == " open"  # the example gives its position
    inside = page[group.end() : page.index("</details>", group.end())]
    assert "Compléter la fiche publiée du lieu (facultatif)" in inside
    for item in ("latitude", "longitude", "fiche_acces_libre", "formations_labels"):
        assert f'data-item="{item}"' in inside
    assert 'data-item="horaires"' not in inside
    # Nothing given in the group: it stays closed, its questions a click away.
    path = project / "examples" / "applications" / f"{APP}.yaml"
    data = editing.read_data(path)
    for item in web.context.questionnaire.group_of:
        data["lieu"].pop(item, None)
    editing.write(path, data)
    page = web.client.get(base).text
    assert '<details class="facultatif" data-group="fiche-publique">' in page


def test_a_venue_reports_its_closure_and_leaves_the_published_data(
    web: Web, project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Charter, commitment 8: the venue tells the network it has closed. The closure is
    recorded with its date, the venue is no longer qualified nor exported; reopening the
    application undoes it."""
    from typer.testing import CliRunner

    from aptic_qualif.cli.app import app as cli

    venue = "mediatheque-les-tilleuls"  # qualified (examples/README.md)
    base = f"/t/{web.local}/candidatures/{venue}"

    def exported() -> set[str]:
        monkeypatch.chdir(project)
        result = CliRunner().invoke(
            cli,
            [
                "export",
                "lieux",
                "examples/applications",
                "--reviews",
                "examples/reviews",
                "-f",
                "json",
                "-o",
                str(tmp_path / "lieux.json"),
                "--force",
            ],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads((tmp_path / "lieux.json").read_text(encoding="utf-8"))
        return {row["id"] for row in rows}

    before = exported()
    assert any(venue in v for v in before)
    home = web.client.get(f"{base}/").text
    assert "Signaler la fermeture du lieu" in home
    csrf = web.csrf(f"{base}/statut/fermer")
    closed = web.client.post(f"{base}/statut/fermer", data={"_csrf": csrf})
    assert closed.status_code == 200
    data = editing.read_data(web.application(venue))
    assert data["historique"][-1]["evenement"] == "fermee"
    assert "Vous avez signalé la fermeture du lieu le" in closed.text
    assert "fermeture du lieu signalée" in closed.text  # in the history
    report = web.client.get(f"{base}/rapport").text
    assert "Le lieu a signalé sa fermeture" in report
    queue = web.client.get(f"/t/{web.local}/relectures/claire-martin/").text
    assert f"/relectures/claire-martin/{venue}" not in queue  # nothing left to review
    assert exported() == {v for v in before if venue not in v}
    # Reported twice: recorded once.
    web.client.post(f"{base}/statut/fermer", data={"_csrf": csrf})
    events = [e["evenement"] for e in editing.read_data(web.application(venue))["historique"]]
    assert events.count("fermee") == 1
    # The venue opens again: it reopens its application, which is no longer closed.
    _reopen(web, venue)
    assert editing.read_data(web.application(venue))["historique"][-1]["evenement"] == "rouverte"
    # A draft cannot report a closure.
    refused = web.client.post(f"{base}/statut/fermer", data={"_csrf": csrf})
    assert refused.status_code == 409

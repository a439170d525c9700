"""The coordinator in the browser (``serve``, a link of kind ``coordination``): applications
read-only with their report, new applications, secret links, filters and counts over the
whole network, reviewer assignments."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from aptic_qualif import editing
from aptic_qualif.access import STATE_DIR, LinkStore
from aptic_qualif.review.assignments import load_assignments
from aptic_qualif.web.app import Settings, create_app
from tests.conftest import REPO
from tests.test_web import APP, OTHER, Web

SECRET = re.compile(r'id="secret"[^>]*value="([^"]+)"')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture
def web(project: Path) -> Iterator[Web]:
    yield Web(project)


def coordinator(web: Web) -> str:
    _link, token = web.store.create("coordination")
    return f"/t/{token}"


def test_the_coordinator_opens_an_application_read_only_with_its_report(web: Web) -> None:
    base = coordinator(web)
    dashboard = web.client.get(f"{base}/").text
    assert f'href="{base}/candidatures/{APP}/lecture"' in dashboard
    page = web.client.get(f"{base}/candidatures/{APP}/lecture")
    assert page.status_code == 200
    assert "Fablab La Forge" in page.text and f"{base}/candidatures/{APP}/rapport" in page.text
    assert 'class="decision en-attente-de-revue"' in page.text and "claire-martin" in page.text
    assert 'name="apt-heures-mediation"' not in page.text  # nothing to fill in
    report = web.client.get(f"{base}/candidatures/{APP}/rapport")
    assert report.status_code == 200 and "Fablab La Forge" in report.text
    # The venue's own pages stay the venue's.
    assert web.client.get(f"{base}/candidatures/{APP}/").status_code == 404
    csrf = web.csrf(f"{base}/")
    changed = web.client.post(
        f"{base}/candidatures/{APP}/aptitudes",
        data={"_csrf": csrf, "apt-heures-mediation": "1"},
    )
    assert changed.status_code == 404
    # Neither a venue nor a reviewer opens the coordinator's pages.
    _venue, venue_token = web.store.create("lieu", APP)
    _reviewer, reviewer_token = web.store.create("relecteur", "claire-martin")
    for token in (venue_token, reviewer_token):
        for url in ("candidatures/{APP}/lecture", "liens", "affectations"):
            got = web.client.get(f"/t/{token}/{url.format(APP=APP)}")
            assert got.status_code == 404, (token, url)


def test_the_coordinator_creates_applications_blank_or_from_an_imported_venue(
    project: Path,
) -> None:
    imported = project / "importes"
    imported.mkdir()
    shutil.copy(project / "examples" / "applications" / f"{OTHER}.yaml", imported / "imp-1.yaml")
    web = Web(project)
    settings = Settings(
        project,
        project / "examples" / "applications",
        project / "examples" / "reviews",
        imported=imported,
    )
    client = TestClient(create_app(settings, web.context, store=web.store))
    base = coordinator(web)
    dashboard = client.get(f"{base}/").text
    assert 'value="imp-1"' in dashboard
    csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', dashboard)
    assert csrf is not None
    blank = client.post(
        f"{base}/candidatures",
        data={"_csrf": csrf.group(1), "nom": "Espace numérique Jean-Zay"},
        follow_redirects=False,
    )
    assert blank.status_code == 303
    assert blank.headers["location"] == f"{base}/candidatures/espace-numerique-jean-zay/lecture"
    assert client.get(blank.headers["location"]).status_code == 200
    started = client.post(
        f"{base}/candidatures",
        data={"_csrf": csrf.group(1), "depuis": "imp-1"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    new_id = started.headers["location"].split("/")[-2]
    data = editing.read_data(project / "examples" / "applications" / f"{new_id}.yaml")
    assert data["statut"] == "brouillon" and data["reponses"]  # the imported answers kept


def test_links_are_made_listed_and_revoked_in_the_browser(web: Web) -> None:
    base = coordinator(web)
    csrf = web.csrf(f"{base}/liens")
    made = web.client.post(f"{base}/liens", data={"_csrf": csrf, "type": "lieu", "sujet": APP})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    found = SECRET.search(made.text)
    assert found is not None, made.text
    url = html.unescape(found.group(1))
    assert url.startswith("http://testserver/t/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    # The link works, for that venue's application only, and is never kept nor shown again.
    assert web.client.get(f"/t/{token}/candidatures/{APP}/").status_code == 200
    assert web.client.get(f"/t/{token}/candidatures/{OTHER}/").status_code == 404
    stored = (web.root / STATE_DIR / "links.yaml").read_text(encoding="utf-8")
    assert token not in stored
    listing = web.client.get(f"{base}/liens").text
    assert token not in listing and APP in listing
    link_id = LinkStore(web.root).grant(token).link  # type: ignore[union-attr]
    assert link_id in listing

    # A reviewer link, a coordinator link, a venue link that makes its blank application.
    for kind, subject in (
        ("relecteur", "claire-martin"),
        ("coordination", ""),
        ("lieu", "nouveau"),
    ):
        answer = web.client.post(
            f"{base}/liens", data={"_csrf": csrf, "type": kind, "sujet": subject}
        )
        assert answer.status_code == 200 and SECRET.search(answer.text), kind
    assert (web.root / "examples" / "applications" / "nouveau.yaml").is_file()
    assert "Une candidature vierge a été créée" in answer.text

    # An id the web cannot serve is refused, with the message the command line gives.
    bad = web.client.post(
        f"{base}/liens", data={"_csrf": csrf, "type": "relecteur", "sujet": "Claire Martin"}
    )
    assert bad.status_code == 400
    assert "Claire Martin" in html.unescape(bad.text) and not SECRET.search(bad.text)
    bad_venue = web.client.post(
        f"{base}/liens", data={"_csrf": csrf, "type": "lieu", "sujet": "../x"}
    )
    assert bad_venue.status_code == 400
    assert not (web.root / "examples" / "x.yaml").exists()

    # No form token: refused, nothing made.
    before = len(web.store.links())
    assert web.client.post(f"{base}/liens", data={"type": "coordination"}).status_code == 403
    assert len(web.store.links()) == before

    # Revoked: the link answers 404 at once.
    revoked = web.client.post(
        f"{base}/liens/{link_id}/revoquer", data={"_csrf": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303 and token not in revoked.headers["location"]
    assert link_id in web.client.get(revoked.headers["location"]).text
    assert web.client.get(f"/t/{token}/candidatures/{APP}/").status_code == 404
    assert web.client.post(f"{base}/liens/{link_id}/revoquer").status_code == 403
    # One's own link is not revoked from the browser.
    own = web.store.grant(base.rsplit("/", 1)[-1])
    assert own is not None
    kept = web.client.post(f"{base}/liens/{own.link}/revoquer", data={"_csrf": csrf})
    assert kept.status_code == 409
    assert web.client.get(f"{base}/").status_code == 200


def test_filters_and_counts_cover_the_whole_network(project: Path) -> None:
    web = Web(project)
    folder = project / "examples" / "applications"
    for app_id in ("tiers-lieu-la-coursive", "bus-numerique-corse"):
        editing.set_status(folder / f"{app_id}.yaml", "brouillon")
    settings = Settings(project, folder, project / "examples" / "reviews", page_size=5)
    client = TestClient(
        create_app(settings, web.context, store=web.store), headers={"accept-language": "fr"}
    )
    base = coordinator(web)
    first = client.get(f"{base}/").text
    assert "Page 1 sur 3" in first and first.count("/rapport") == 5
    # Counted over all 12 applications, not over the page.
    assert re.search(r"brouillon</a> : <strong>2</strong>", first)
    assert re.search(r"soumise</a> : <strong>10</strong>", first)
    drafts = client.get(f"{base}/?etat=brouillon").text
    assert "2 candidatures correspondent" in drafts
    assert "Tiers-lieu La Coursive" in drafts and "Fablab La Forge" not in drafts
    # A département, from the INSEE code: Corsica's bus is in 2B.
    corsica = client.get(f"{base}/?departement=2B").text
    assert "A Strada Numerica" in corsica and corsica.count("/rapport") == 1
    assert '<option value="2B"' in first and '<option value="971"' not in first
    # A name, without its accents; a decision; a reviewer.
    searched = client.get(f"{base}/?q=MEDIATHEQUE").text
    assert "médiathèque Les Tilleuls" in searched and searched.count("/rapport") == 1
    refused = client.get(f"{base}/?decision=non-qualifie").text
    assert "3 candidatures correspondent" in refused
    assert "Espace numérique Les Forges" in refused and "Fablab La Forge" not in refused
    marc = client.get(f"{base}/?relecteur=marc-delmas").text
    assert "France Services Porte des Causses" in marc and marc.count("/rapport") == 1
    # The pages of a filtered list keep the filters.
    submitted = client.get(f"{base}/?etat=soumise").text
    assert "Page 1 sur 2" in submitted
    assert "?etat=soumise&amp;page=2" in submitted
    second = client.get(f"{base}/?etat=soumise&page=2").text
    assert second.count("/rapport") == 5 and "Tiers-lieu La Coursive" not in second
    # A change to a file shows at once (rows are kept only while their files are unchanged).
    editing.set_status(folder / "fablab-la-forge.yaml", "brouillon")
    assert re.search(r"brouillon</a> : <strong>3</strong>", client.get(f"{base}/").text)


def test_reviewers_are_assigned_by_proposal_and_by_hand(web: Web) -> None:
    base = coordinator(web)
    reviews = web.root / "examples" / "reviews"
    for reviewer in ("zoe-martin", "marc-delmas"):
        web.store.create("relecteur", reviewer)
    plan = web.client.get(f"{base}/affectations")
    assert plan.status_code == 200 and "zoe-martin" in plan.text
    csrf = web.csrf(f"{base}/affectations")
    kept = web.client.post(f"{base}/affectations", data={"_csrf": csrf}, follow_redirects=False)
    assert kept.status_code == 303
    assignments = load_assignments(reviews)
    assert len(assignments) == 12 and all(len(v) >= 2 for v in assignments.values())
    # Those who already review an application keep it; marc-delmas declared a conflict of
    # interest with this venue: never proposed for it.
    assert assignments["france-services-porte-des-causses"] == ["fatou-diallo", "yannick-le-goff"]
    # The applications nobody reviews go to those with the fewest (claire-martin, fatou-diallo
    # and yannick-le-goff review six each, sophie-bernard two, the others none).
    assert assignments["centre-social-les-capucines"] == ["marc-delmas", "zoe-martin"]
    assert assignments["espace-connecte-sans-charte"] == ["marc-delmas", "zoe-martin"]
    assert assignments["tiers-lieu-la-coursive"] == ["marc-delmas", "sophie-bernard"]
    # Proposing again changes nothing (the same files, the same proposal).
    assert "Rien à proposer" in web.client.get(f"{base}/affectations").text

    # By hand on the application's page; a reviewer in conflict is refused.
    page = f"{base}/candidatures/{APP}/lecture"
    saved = web.client.post(
        f"{base}/candidatures/{APP}/affectation",
        data={"_csrf": csrf, "relecteur": ["zoe-martin"], "autre": "paul-durand"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert load_assignments(reviews)[APP] == ["zoe-martin", "paul-durand"]
    assert 'value="paul-durand" checked' in web.client.get(page).text
    refused = web.client.post(
        f"{base}/candidatures/france-services-porte-des-causses/affectation",
        data={"_csrf": csrf, "relecteur": ["marc-delmas"]},
    )
    assert refused.status_code == 409
    assert (
        web.client.post(
            f"{base}/candidatures/{APP}/affectation",
            data={"_csrf": csrf, "autre": "Paul Durand"},
        ).status_code
        == 400
    )

    # The reviewer's queue lists what is assigned to them first.
    queue = web.client.get(f"/t/{web.local}/relectures/paul-durand/").text
    assert "vous est affectée" in queue
    assert queue.index("Fablab La Forge") < queue.index("Bus numérique")


def test_a_page_never_waits_for_every_application(tmp_path: Path) -> None:
    """Rows not read within the time budget are pending (not counted, not filtered); the
    rows a page shows are read whatever the time; a later page finds them all."""
    from aptic_qualif.web.overview import Filters, Overview, Row, count, select

    ids = [f"lieu-{n}" for n in range(6)]
    for app_id in ids:
        (tmp_path / f"{app_id}.yaml").write_text("x", encoding="utf-8")
    built: list[str] = []

    def build(app_id: str) -> Row:
        built.append(app_id)
        return Row(app_id, venue=app_id, status="soumise", decision="qualifie")

    overview = Overview(build)
    rows = overview.rows(ids, tmp_path, tmp_path / "r", required=["lieu-4"], budget=-1)
    assert [r.id for r in rows if not r.pending] == ["lieu-4"]
    counts = count(rows)
    assert counts.pending == 5 and counts.statuses["soumise"] == 1
    assert len(select(rows, Filters(), {})) == 6
    assert [r.id for r in select(rows, Filters(status="soumise"), {})] == ["lieu-4"]
    rows = overview.rows(ids, tmp_path, tmp_path / "r")
    assert not any(r.pending for r in rows) and sorted(built) == ids  # each read once

"""The documentation site: generated pages, ``mkdocs build --strict``, links, escaping."""

from __future__ import annotations

import html
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from aptic_qualif.context import Context, load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.publish.site import (
    MARKER,
    build_site,
    code,
    md_escape,
    neutralize_html,
    stage_site,
)
from aptic_qualif.yamlio import load_yaml
from tests.conftest import MINI, REPO

INJECTION = "<script>alert(1)</script> {{ 7*7 }} [x](javascript:alert(1))"
MORE_INJECTION = (
    '</title><script>alert(2)</script> <img src=x onerror="alert(3)"> '
    '{: onclick="alert(4)" } <!-- c --> &amp; `code` *em* _em_ # h'
)


class _Page(HTMLParser):
    """Everything a check needs from one built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.handlers: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"id", "name"} and value:
                self.ids.add(value)
            if name in {"href", "src"} and value is not None:
                self.links.append((tag, name, value))
            if name.startswith("on"):
                self.handlers.append((tag, name))
        self._in_script = tag == "script"
        self._in_title = tag == "title"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        elif self._in_title:
            self.title += data
        else:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(site: Path) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the shipped project, built once for the module."""
    return build_site(REPO, tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def shipped_context() -> Context:
    return load_context(REPO, need_policy=True)


def test_every_page_is_built(site: Path, shipped_context: Context) -> None:
    catalogue = shipped_context.catalogue
    assert (site / "index.html").is_file()
    assert (site / MARKER).is_file()
    for level in catalogue.levels:
        assert (site / "referentiel" / level / "index.html").is_file()
    for service in catalogue.services.values():
        assert (site / "referentiel" / service.id / "index.html").is_file()
    for theme in shipped_context.questionnaire.themes:
        assert (site / "questionnaire" / theme / "index.html").is_file()
    for page in (
        "questionnaire",
        "questionnaire/identite",
        "questionnaire/politique",
        "contribuer",
        "journal/referentiel",
        "journal/questionnaire",
        "telechargements",
        "codes-erreur",
        "utiliser",
    ):
        assert (site / page / "index.html").is_file(), page
    for name in ("application.schema.json", "services.csv"):
        assert (site / "telechargements" / name).is_file()


def test_downloads_offer_the_template_the_export_and_the_coverage(site: Path) -> None:
    """Besides the référentiel: a blank application, the venues in the national schema and
    the coverage per département, the last two said to come from fictional examples."""
    import csv

    downloads = site / "telechargements"
    template = (downloads / "candidature-modele.yaml").read_text(encoding="utf-8")
    assert template.startswith("# yaml-language-server: $schema=")
    assert isinstance(yaml.safe_load(template), dict)
    with (downloads / "lieux.csv").open(encoding="utf-8") as file:
        venues = list(csv.DictReader(file))
    assert venues and all(row["id"] and row["nom"] and row["services"] for row in venues)
    with (downloads / "couverture-departements.csv").open(encoding="utf-8") as file:
        coverage = list(csv.DictReader(file))
    assert coverage and {"territory", "venues"} <= set(coverage[0])
    page = _parse(downloads / "index.html")
    targets = {value for tag, _attr, value in page.links if tag == "a"}
    for name in ("candidature-modele.yaml", "lieux.csv", "couverture-departements.csv"):
        assert name in targets, name
    text = " ".join(page.text)
    assert text.count("lieux fictifs") == 2


def test_pages_are_french(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home
    codes = _parse(site / "codes-erreur" / "index.html")
    text = " ".join(codes.text)
    assert "Deux services ont le même identifiant." in text
    assert "REF002" in text


def test_service_page_content(site: Path, shipped_context: Context) -> None:
    catalogue = shipped_context.catalogue
    service = catalogue.services["creer-une-adresse-electronique"]
    page = _parse(site / "referentiel" / service.id / "index.html")
    text = html.unescape(" ".join(" ".join(page.text).split()))
    assert f"{service.notation} — {service.pref_label.fr}" in text
    assert catalogue.scheme.base_iri + service.id in text
    assert "Maîtrise des outils numériques du quotidien" in text  # national schema
    assert "Interagir" in text  # CRCN 2.1
    assert "La Coop de la médiation numérique" in text
    assert "email — E-mail" in text  # La Coop's thematique, with its label
    assert "1 h 30" in text  # the length of one session
    assert "2 séances (soit 2 pass)" in text  # the number of sessions

    deprecated = next(s for s in catalogue.services.values() if not s.active)
    page = _parse(site / "referentiel" / deprecated.id / "index.html")
    replacement = catalogue.services[deprecated.replaced_by or ""]
    targets = {value for tag, _attr, value in page.links if tag == "a"}
    assert f"../{replacement.id}/" in targets
    assert "Service déprécié" in " ".join(page.text)


def test_questionnaire_page_shows_the_time_to_answer(site: Path, shipped_context: Context) -> None:
    from aptic_qualif.questionnaire.effort import questionnaire_effort

    page = _parse(site / "questionnaire" / "index.html")
    text = " ".join(" ".join(page.text).split())
    assert "Temps de réponse" in text and "Petit lieu fixe" in text
    raw = (site / "questionnaire" / "index.html").read_text(encoding="utf-8")
    assert raw.count('<th style="text-align:right">Minutes estimées</th>') == len(
        questionnaire_effort(shipped_context.questionnaire)
    )
    small = questionnaire_effort(shipped_context.questionnaire)[0]
    assert f"<strong>{small.total.minutes}</strong>" in raw


def test_search_index_finds_services(site: Path, shipped_context: Context) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["fr"]
    by_location = {doc["location"]: doc for doc in index["docs"]}
    service = shipped_context.catalogue.services["reperer-l-hameconnage-et-les-arnaques"]
    doc = by_location[f"referentiel/{service.id}/"]
    assert service.pref_label.fr in html.unescape(doc["title"])


def test_search_splits_french_elisions(site: Path) -> None:
    """The separator the search uses (a JavaScript regular expression, read here with
    ASCII classes like JavaScript's) cuts l' d' qu' n' s' j' c', straight or curly."""
    import re

    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(config["config"]["separator"], re.ASCII)

    def words(text: str) -> list[str]:
        return [w for w in separator.split(text) if w]

    assert words("l'hameçonnage") == ["hameçonnage"]
    assert words("L’Hameçonnage d'un compte") == ["Hameçonnage", "un", "compte"]
    for elided in ("qu'", "n'", "s'", "j'", "c'", "m'", "t'", "jusqu'", "lorsqu’"):
        assert words(f"{elided}écrire") == ["écrire"], elided
    assert words("aujourd'hui") == ["aujourd'hui"]  # no elision inside a word
    assert words("MAI-04 mots de passe") == ["MAI", "04", "mots", "de", "passe"]


def test_search_ignores_accents(site: Path) -> None:
    from aptic_qualif.publish.site import FOLDED_FIELD, fold

    assert fold("Hameçonnage, récupérer, œuvre, Æther") == "Hameconnage, recuperer, oeuvre, AEther"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert FOLDED_FIELD in index["config"]["fields"]
    by_location = {doc["location"]: doc for doc in index["docs"]}
    doc = by_location["referentiel/reperer-l-hameconnage-et-les-arnaques/"]
    assert "hameconnage" in doc[FOLDED_FIELD].split()
    assert "reperer" in doc[FOLDED_FIELD].split()
    assert "arnaques" not in doc[FOLDED_FIELD].split()  # only words that change


def _target(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for external links."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    # 404.html links from the site's address (site_url), whose folder is the built site
    if path.startswith("/"):
        from aptic_qualif.publish.site import site_address

        published = urlsplit(site_address(REPO)).path
        assert path.startswith(published), (page, url)
        path = "/" + path.removeprefix(published)
    folder = site if path.startswith("/") else page.parent
    target = (folder / path.lstrip("/")).resolve() if path else page.resolve()
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_no_internal_link_is_broken(site: Path) -> None:
    pages = _pages(site)
    resolved_pages = {path.resolve(): page for path, page in pages.items()}
    broken: list[str] = []
    checked = 0
    for path, page in pages.items():
        for tag, attribute, url in page.links:
            if url.startswith(("mailto:", "tel:", "data:")):
                continue
            assert not url.lower().startswith("javascript:"), (path, url)
            found = _target(site, path, url)
            if found is None:
                continue
            target, fragment = found
            checked += 1
            where = f"{path.relative_to(site)}: <{tag} {attribute}={url!r}>"
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(where)
            elif fragment and target.suffix == ".html":
                ids = resolved_pages[target].ids
                if fragment not in ids and fragment not in {"__skip", "top"}:
                    broken.append(f"{where} (no #{fragment})")
    assert checked > 1000
    assert not broken, "\n".join(broken[:30])


def test_nothing_loads_from_the_network(site: Path) -> None:
    from aptic_qualif.publish.site import site_address

    published = site_address(REPO)
    for path, page in _pages(site).items():
        for tag, _attribute, url in page.links:
            if tag == "link" and url.startswith(published) and url.endswith("/"):
                continue  # the canonical address of a page (site_url): named, never loaded
            if tag in {"link", "script", "img", "source", "iframe", "audio", "video"}:
                assert not url.startswith(("http:", "https:", "//")), (path, tag, url)
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import url(http" not in text
        assert "fonts.googleapis" not in text
        assert "url(https://" not in text and "url(http://" not in text


def test_staging_sources_are_deterministic(tmp_path: Path, shipped_context: Context) -> None:
    first = stage_site(shipped_context, tmp_path / "a").parent
    second = stage_site(load_context(REPO, need_policy=True), tmp_path / "b").parent
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    sources = [n for n in names if n.endswith((".md", ".yml"))]
    assert len(sources) > 60
    for name in sources:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_md_escape_renders_text_literally() -> None:
    import markdown

    md = markdown.Markdown(
        extensions=["tables", "attr_list", "admonition", "pymdownx.escapeall"],
        extension_configs={"pymdownx.escapeall": {"hardbreak": False, "nbsp": False}},
    )
    nasty = "a*b_c `d` [e](f) #g +h -i .j !k |l ~m {n} \\o <p> &q; &amp; 1. x\n# y\n> z"
    rendered = md.convert("Texte : " + md_escape(nasty))
    assert rendered.startswith("<p>") and rendered.count("<") == 2  # <p> and </p> only
    expected = "Texte : " + " ".join(nasty.split())
    assert html.unescape(rendered.removeprefix("<p>").removesuffix("</p>")) == expected
    assert "\x02" not in md_escape("a\x02wzxhzdk:0\x03b")
    assert md.convert(code("a`b <c>")) == "<p><code>a`b &lt;c&gt;</code></p>"


def test_included_markdown_loses_raw_html() -> None:
    source = "Texte <b>gras</b> `<code>` <https://example.org>\n```\n<pre>\n```\n"
    assert neutralize_html(source) == (
        "Texte &lt;b>gras&lt;/b> `<code>` <https://example.org>\n```\n<pre>\n```\n"
    )


def _load(path: Path) -> Any:
    doc, _diagnostics = load_yaml(path, path.name)
    assert doc is not None
    return doc.data


def _mini_with(tmp_path: Path, label: str, definition: str, item_label: str) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    service_file = root / "referentiel" / "services" / "agir" / "reparer-son-ordinateur.yaml"
    data = _load(service_file)
    data["pref_label"]["fr"] = label
    data["definition"]["fr"] = definition
    data["alt_labels"] = {"fr": [f"{INJECTION} (bis)"], "en": [f"{INJECTION} (bis)"]}
    service_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    theme_file = root / "questionnaire" / "themes" / "aptitudes.yaml"
    theme = _load(theme_file)
    theme["items"][0]["label"]["fr"] = item_label
    theme_file.write_text(yaml.safe_dump(theme, allow_unicode=True), encoding="utf-8")
    return root


def test_text_from_yaml_is_never_markup(tmp_path: Path) -> None:
    label = f"{INJECTION} </title><script>alert(5)</script>"
    root = _mini_with(tmp_path, label, MORE_INJECTION, f"{INJECTION} {MORE_INJECTION}")
    assert not (root / "site").exists()  # the checkout's site/ configuration is used
    site = build_site(root, tmp_path / "out")

    page_path = site / "referentiel" / "reparer-son-ordinateur" / "index.html"
    raw = page_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "{{ 7*7 }}" in raw
    assert "[x](javascript:alert(1))" in raw
    assert "<script>alert(1)" not in raw
    assert 'href="javascript:' not in raw

    for path, page in _pages(site).items():
        assert not page.handlers, (path, page.handlers)
        assert not any("alert(" in script for script in page.scripts), path
        for _tag, _attribute, url in page.links:
            assert not url.lower().startswith("javascript:"), (path, url)
    page = _parse(page_path)
    text = " ".join(" ".join(page.text).split())
    assert INJECTION in text
    assert " ".join(MORE_INJECTION.split()) in text
    assert label in page.title  # the theme writes <title> itself: see site/overrides

    theme = _parse(site / "questionnaire" / "aptitudes" / "index.html")
    assert INJECTION in " ".join(" ".join(theme.text).split())

    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script>alert" not in json.loads(index)["docs"][0]["text"] + index


def test_output_folder_is_protected(tmp_path: Path) -> None:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    output = tmp_path / "occupied"
    output.mkdir()
    (output / "notes.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(CommandError, match="--force"):
        build_site(root, output)
    with pytest.raises(CommandError):
        build_site(root, root)
    build_site(root, output, force=True)
    assert (output / "notes.txt").read_text(encoding="utf-8") == "à garder"
    assert (output / "index.html").is_file()

    fresh = tmp_path / "site"
    build_site(root, fresh)
    build_site(root, fresh)  # a site built before is replaced without --force
    (fresh / "stale.html").write_text("ancienne page", encoding="utf-8")
    with pytest.raises(CommandError, match=r"stale\.html"):  # no build wrote it: kept
        build_site(root, fresh)
    assert (fresh / "stale.html").exists()
    build_site(root, fresh, force=True)
    assert not (fresh / "stale.html").exists()
    assert (fresh / "index.html").is_file()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")  # the project's own site/ is preferred
    (root / "site" / "docs" / "notes.md").write_text(
        "# Notes\n\nVoir [la page](nulle-part.md).\n", encoding="utf-8"
    )
    output = tmp_path / "out"
    with pytest.raises(CommandError, match=r"nulle-part\.md"):
        build_site(root, output)
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["projet"]  # no temporary folder left


def test_the_identity_page_says_which_questions_are_an_optional_group(site: Path) -> None:
    """The questions of a group (``groups``) say so on their page: a network reading the
    questionnaire sees what a venue may leave aside with one answer."""
    page = (site / "questionnaire" / "identite" / "index.html").read_text(encoding="utf-8")
    said = page.count("Facultative, dans un groupe</strong> : « Compléter la fiche publiée du lieu")
    assert said == 5  # position (2), Acceslibre record, programmes, labels
    english = (site / "en" / "questionnaire" / "identite" / "index.html").read_text(
        encoding="utf-8"
    )
    assert english.count("Optional, in a group</strong>: “Complete the venue's published") == 5

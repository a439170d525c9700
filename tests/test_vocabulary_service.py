"""The site as a vocabulary service: every IRI of the scheme resolves to a page of the site
and, when asked, to the concept's own JSON-LD or Turtle."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import SKOS

from aptic_qualif.context import Context, load_context
from aptic_qualif.publish.site import W3ID_RULES, build_site, w3id_rules
from aptic_qualif.publish.skos import VOCABULARY, catalogue_graph, vocab_namespace
from tests.conftest import REPO

VANN = "http://purl.org/vocab/vann/"
HTML, JSONLD, TURTLE = "text/html", "application/ld+json", "text/turtle"
SITE_URL = "https://site.example/referentiel-site/"

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(REPO, tmp_path_factory.mktemp("vocab") / "site")


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO, need_policy=True)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.refresh: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "meta" and values.get("http-equiv") == "refresh":
            self.refresh = (values.get("content") or "").partition("url=")[2]


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _redirect(rules: str, path: str, accept: str, language: str = "fr-FR,fr") -> str | None:
    """Where the Apache rules send a request for ``path`` (relative to the .htaccess
    folder) with these Accept and Accept-Language headers: the first rule whose conditions
    hold, like mod_rewrite with [L]."""
    conditions: list[tuple[str, str]] = []
    headers = {"%{HTTP_ACCEPT}": accept, "%{HTTP:Accept-Language}": language}
    for line in rules.splitlines():
        if line.startswith("RewriteCond "):
            _keyword, header, pattern = line.split(" ", 2)
            conditions.append((headers[header], pattern))
            continue
        if not line.startswith("RewriteRule "):
            continue
        _keyword, pattern, target, flags = line.split(" ")
        assert flags == "[R=303,L]"
        match = re.match(pattern, path)
        holds = all(re.search(pattern, value) for value, pattern in conditions)
        conditions = []
        if match and holds:
            return target.replace("$1", (match.group(1) if match.re.groups else None) or "")
    return None


def _site_file(site: Path, url: str) -> Path:
    assert url.startswith(SITE_URL), url
    relative = url[len(SITE_URL) :]
    return site / (relative + "index.html" if relative.endswith("/") or not relative else relative)


def _concepts(context: Context) -> list[str]:
    scheme = context.catalogue.scheme
    return [level.id for level in scheme.levels] + sorted(context.catalogue.services)


def test_every_concept_page_lives_at_the_path_of_its_iri(site: Path, context: Context) -> None:
    base = context.catalogue.scheme.base_iri
    for identifier in ["", *_concepts(context)]:
        iri = base + identifier
        path = site / "referentiel" / iri.removeprefix(base) / "index.html"
        assert path.is_file(), iri


def test_every_iri_resolves_through_the_w3id_rules(site: Path, context: Context) -> None:
    """Each IRI, asked for as a page, as JSON-LD and as Turtle, is sent to a file of the
    built site that describes it; the rules the site publishes are those tested here."""
    base = context.catalogue.scheme.base_iri
    published = (site / "telechargements" / W3ID_RULES).read_text(encoding="utf-8")
    assert published == w3id_rules(base, "SITE_URL/")
    rules = w3id_rules(base, SITE_URL)
    folder = "/" + urlsplit(base).path.strip("/").split("/")[0] + "/"  # w3id: /aptic-qualif/
    iris = [base, *(base + c for c in _concepts(context))]
    iris += [vocab_namespace(base) + name for name in VOCABULARY]
    for iri in iris:
        request = urlsplit(iri)
        path = request.path.removeprefix(folder)
        for accept in (HTML, f"{JSONLD}, {TURTLE};q=0.5", TURTLE):
            target = _redirect(rules, path, accept)
            assert target is not None, (iri, accept)
            file = _site_file(site, target)
            assert file.is_file(), (iri, accept, target)
            if accept == HTML:
                page = _parse(file)
                if request.fragment:  # a property of vocab#: a section of the page
                    assert request.fragment in page.ids, iri
                english = _redirect(rules, path, accept, "en-GB,en;q=0.8,fr;q=0.5")
                assert english == target.replace(SITE_URL, SITE_URL + "en/"), iri
                english_file = _site_file(site, english)
                assert english_file.is_file(), (iri, english)
                assert '<html lang="en"' in english_file.read_text(encoding="utf-8")
                continue
            syntax = "json-ld" if accept.startswith(JSONLD) else "turtle"
            graph = Graph().parse(file, format=syntax)
            assert (URIRef(iri), None, None) in graph, (iri, accept, target)


def test_each_concept_has_its_own_data(site: Path, context: Context) -> None:
    """``referentiel/{id}.jsonld`` and ``.ttl``: exactly the concept's triples of the whole
    scheme, the same in both syntaxes; the concept's page links to both."""
    base = context.catalogue.scheme.base_iri
    whole = catalogue_graph(context.catalogue)
    for identifier in _concepts(context):
        subject = URIRef(base + identifier)
        expected = Graph()
        for triple in whole.triples((subject, None, None)):
            expected.add(triple)
        jsonld = Graph().parse(site / "referentiel" / f"{identifier}.jsonld", format="json-ld")
        turtle = Graph().parse(site / "referentiel" / f"{identifier}.ttl", format="turtle")
        assert to_isomorphic(jsonld) == to_isomorphic(expected), identifier
        assert to_isomorphic(turtle) == to_isomorphic(expected), identifier
        page = site / "referentiel" / identifier / "index.html"
        links = {urljoin(f"referentiel/{identifier}/", href) for href in _parse(page).hrefs}
        assert f"referentiel/{identifier}.jsonld" in links, identifier
        assert f"referentiel/{identifier}.ttl" in links, identifier


def test_the_scheme_has_labels_and_a_namespace(context: Context) -> None:
    scheme = context.catalogue.scheme
    graph = catalogue_graph(context.catalogue)
    iri = URIRef(scheme.base_iri)
    labels = set(graph.objects(iri, SKOS.prefLabel))
    assert Literal(scheme.title.fr, lang="fr") in labels
    assert Literal(scheme.title.en, lang="en") in labels
    assert list(graph.objects(iri, URIRef(VANN + "preferredNamespaceUri"))) == [
        Literal(scheme.base_iri)
    ]


def test_the_scheme_page_documents_the_aq_properties(site: Path) -> None:
    scheme_page = _parse(site / "referentiel" / "index.html")
    vocab_page = _parse(site / "referentiel" / "vocab" / "index.html")
    for name in VOCABULARY:
        assert f"vocab/#{name}" in scheme_page.hrefs, name
        assert name in vocab_page.ids, name
    text = (site / "referentiel" / "vocab" / "index.html").read_text(encoding="utf-8")
    assert "application/ld+json" in text and "text/turtle" in text  # content negotiation


def test_deprecated_concepts_point_to_their_replacement(site: Path, context: Context) -> None:
    deprecated = [s for s in context.catalogue.services.values() if not s.active]
    assert deprecated
    for service in deprecated:
        page = _parse(site / "referentiel" / service.id / "index.html")
        if service.replaced_by:
            assert f"../{service.replaced_by}/" in page.hrefs, service.id
        data = json.loads((site / "referentiel" / f"{service.id}.jsonld").read_text("utf-8"))
        assert data["deprecated"] is True
        if service.replaced_by:
            assert data["isReplacedBy"] == context.catalogue.scheme.base_iri + service.replaced_by


def test_former_service_addresses_lead_to_the_page(site: Path, context: Context) -> None:
    for service in context.catalogue.services.values():
        former = site / "referentiel" / service.level / service.id / "index.html"
        page = _parse(former)
        assert page.refresh == f"../../{service.id}/"
        assert (former.parent / (page.refresh or "") / "index.html").resolve().is_file()


def test_alphabetical_index_lists_every_label(site: Path, context: Context) -> None:
    import html

    text = html.unescape((site / "index-alphabetique" / "index.html").read_text("utf-8"))
    positions: list[int] = []
    for service in sorted(context.catalogue.services.values(), key=lambda s: s.id):
        for label in [service.pref_label.fr, *service.alt_labels.fr]:
            assert label in text, label
        positions.append(text.index(service.pref_label.fr))
    headings = re.findall(r"<h2 id=\"[^\"]*\">([^<]+)<", text)
    assert headings == sorted(headings)


def test_skosify_has_no_warning_on_the_published_turtle(site: Path) -> None:
    """skosify (the SKOS checker and cleaner) reads the published Turtle without a warning:
    before, « Concept scheme has no label(s) »."""
    import logging

    import skosify

    class _Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    try:
        graph = Graph().parse(site / "telechargements" / "referentiel.ttl", format="turtle")
        skosify.skosify(graph)
    finally:
        root.removeHandler(collect)
    assert collect.messages == []

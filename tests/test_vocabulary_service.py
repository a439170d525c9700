"""The site as a vocabulary service: every IRI of the scheme resolves to a page of the site
and, when asked, to the concept's own JSON-LD or Turtle."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import SKOS

from aptic_qualif.context import Context, load_context
from aptic_qualif.i18n import preferred_language
from aptic_qualif.publish.site import W3ID_RULES, build_site, site_address, w3id_rules
from aptic_qualif.publish.skos import VOCABULARY, catalogue_graph, vocab_namespace
from tests.conftest import REPO

VANN = "http://purl.org/vocab/vann/"
HTML, JSONLD, TURTLE = "text/html", "application/ld+json", "text/turtle"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
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
    folder) with these Accept and Accept-Language headers, as mod_rewrite reads them:
    conditions ANDed (``!`` negates), ``%N`` from the last condition, ``$N`` from the rule,
    ``[E=…]`` setting variables and going on, the first redirect ending it ([L]).
    :func:`test_apache_agrees_with_this_reading` checks the reading against Apache."""
    conditions: list[tuple[str, str]] = []
    env: dict[str, str] = {}
    headers = {"%{HTTP_ACCEPT}": accept, "%{HTTP:Accept-Language}": language}

    def expand(text: str) -> str:
        for name, value in headers.items():
            text = text.replace(name, value)
        return re.sub(r"%\{ENV:(\w+)\}", lambda m: env.get(m.group(1), ""), text)

    for line in rules.splitlines():
        if line.startswith("RewriteCond "):
            _keyword, test, pattern = line.split(" ", 2)
            conditions.append((test, pattern))
            continue
        if not line.startswith("RewriteRule "):
            continue
        _keyword, pattern, target, flags = line.split(" ")
        match = re.match(pattern, path)
        groups: tuple[str | None, ...] = ()
        holds = True
        for test, condition in conditions:
            negated = condition.startswith("!")
            found = re.search(condition.removeprefix("!"), expand(test))
            if negated == bool(found):
                holds = False
                break
            if found and not negated:
                groups = found.groups()
        conditions = []
        if not (match and holds):
            continue

        def backrefs(
            text: str,
            groups: tuple[str | None, ...] = groups,
            rule_groups: tuple[str | None, ...] = match.groups(),
        ) -> str:
            text = re.sub(r"%(\d)", lambda m: groups[int(m.group(1)) - 1] or "", text)
            return re.sub(r"\$(\d)", lambda m: rule_groups[int(m.group(1)) - 1] or "", text)

        if target == "-":
            for setting in flags.strip("[]").split(","):
                name, _sep, value = setting.removeprefix("E=").partition(":")
                env[name] = backrefs(value)
            continue
        assert flags == "[R=303,L]"
        return backrefs(target)
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
    assert published == w3id_rules(base, site_address(REPO), context.catalogue.version)
    assert "SITE_URL" not in published  # the site's address is configured
    rules = w3id_rules(base, SITE_URL, context.catalogue.version)
    folder = "/" + urlsplit(base).path.strip("/").split("/")[0] + "/"  # w3id: /aptic-qualif/
    iris = [base, *(base + c for c in _concepts(context))]
    iris += [vocab_namespace(base) + name for name in VOCABULARY]
    for iri in iris:
        request = urlsplit(iri)
        path = request.path.removeprefix(folder)
        for accept in (HTML, f"{JSONLD}, {TURTLE};q=0.5", TURTLE, BROWSER):
            target = _redirect(rules, path, accept)
            assert target is not None, (iri, accept)
            file = _site_file(site, target)
            assert file.is_file(), (iri, accept, target)
            if accept in (HTML, BROWSER):
                page = _parse(file)
                if request.fragment:  # a property of vocab#: a section of the page
                    assert request.fragment in page.ids, iri
                english = _redirect(rules, path, accept, "en-GB,en;q=0.8,fr;q=0.5")
                assert english == target.replace(SITE_URL, SITE_URL + "en/"), iri
                english_file = _site_file(site, english)
                assert english_file.is_file(), (iri, english)
                assert '<html lang="en"' in english_file.read_text(encoding="utf-8")
                continue
            if not request.fragment:  # a concept asked for with a trailing slash: the same
                assert _redirect(rules, path.rstrip("/") + "/", accept) == target, iri
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


QUALITIES = [
    # (Accept, what a concept IRI is sent to)
    (f"{TURTLE}, {JSONLD};q=0.5", "ttl"),
    (f"{JSONLD};q=0.4, {TURTLE};q=0.5", "ttl"),
    (f"{JSONLD}, {TURTLE}", "jsonld"),  # a tie: JSON-LD
    (f"{TURTLE};q=0, */*", "page"),  # q=0: refused
    (f"{HTML};q=0.9, {JSONLD};q=0.95", "jsonld"),
    (f"{JSONLD};q=0.5, {HTML}", "page"),
    (f"{TURTLE};charset=utf-8;q=0.7, {HTML};q=0.69", "ttl"),
    (f"{TURTLE};q=0.05, */*;q=0.1", "page"),
    (f"{TURTLE};q=0.123, */*;q=0.1229", "ttl"),
    (BROWSER, "page"),
    ("*/*", "page"),
    ("application/rdf+xml", "page"),  # nothing the site has: the page
]


@pytest.mark.parametrize(("accept", "expected"), QUALITIES)
def test_the_rules_weigh_the_quality_of_each_type(
    context: Context, accept: str, expected: str
) -> None:
    rules = w3id_rules(context.catalogue.scheme.base_iri, SITE_URL, context.catalogue.version)
    target = _redirect(rules, "referentiel/acheter-et-vendre-en-ligne", accept)
    wanted = {
        "ttl": f"{SITE_URL}referentiel/acheter-et-vendre-en-ligne.ttl",
        "jsonld": f"{SITE_URL}referentiel/acheter-et-vendre-en-ligne.jsonld",
        "page": f"{SITE_URL}referentiel/acheter-et-vendre-en-ligne/",
    }
    assert target == wanted[expected]


LANGUAGES = [
    # (Accept-Language, the language of the page a concept IRI is sent to)
    ("fr-FR,fr;q=0.9", "fr"),
    ("en-GB,en;q=0.8,fr;q=0.5", "en"),
    ("en-US,en;q=0.9", "en"),
    ("de-DE,de;q=0.9,en;q=0.5", "en"),  # neither first: English is weighed above French
    ("de-DE,fr;q=0.6,en;q=0.5", "fr"),
    ("fr;q=0.3, en;q=0.31", "en"),
    ("en;q=0.5, fr", "fr"),  # listed first, weighed lower
    ("en, fr", "fr"),  # a tie: the project's language
    ("EN-gb", "en"),  # tags are not case-sensitive
    ("en;q=0", "fr"),  # refused
    ("*", "fr"),
    ("de,*;q=0.5,fr;q=0.4", "en"),  # English takes the quality of *
    ("es-ES, en-US;q=0.123, fr;q=0.1229", "en"),
    ("ena, fr;q=0.1", "fr"),  # not English
    ("", "fr"),
]


@pytest.mark.parametrize(("language", "expected"), LANGUAGES)
def test_the_rules_weigh_the_quality_of_each_language(
    context: Context, language: str, expected: str
) -> None:
    """A concept IRI followed by a browser goes to the English page when the browser weighs
    English above French, whatever its first language; ``serve`` decides the same way."""
    rules = w3id_rules(context.catalogue.scheme.base_iri, SITE_URL, context.catalogue.version)
    target = _redirect(rules, "referentiel/acheter-et-vendre-en-ligne", BROWSER, language)
    prefix = SITE_URL + ("en/" if expected == "en" else "")
    assert target == f"{prefix}referentiel/acheter-et-vendre-en-ligne/"
    assert preferred_language(language) == expected


_LANGUAGE_RULES = w3id_rules("https://w3id.org/aptic-qualif/referentiel/", SITE_URL, "3.0.0")

_TAG = st.sampled_from(["fr", "fr-FR", "FR-ca", "en", "en-GB", "En-us", "de", "*", "es-419"])
_Q = st.one_of(
    st.none(),
    st.sampled_from(["0", "1", "1.0", "0.5", "0.50", "0.05", "0.123", "0.1234", "0.", "x"]),
)


@given(st.lists(st.tuples(_TAG, _Q, st.sampled_from(["", " "])), max_size=5))
def test_the_rules_and_serve_choose_the_same_language(
    entries: list[tuple[str, str | None, str]],
) -> None:
    """For any Accept-Language header, the published rules and ``serve``'s negotiation send
    the reader to the same language (one definition, read twice: in Python and by
    mod_rewrite, which :func:`test_apache_agrees_with_this_reading` checks)."""
    header = ",".join(
        f"{space}{tag}" + (f";q={q}" if q is not None else "") for tag, q, space in entries
    )
    rules = _LANGUAGE_RULES
    target = _redirect(rules, "referentiel/acheter-et-vendre-en-ligne", BROWSER, header)
    english = target == f"{SITE_URL}en/referentiel/acheter-et-vendre-en-ligne/"
    assert english == (preferred_language(header) == "en"), header


def test_the_version_iri_resolves(site: Path, context: Context) -> None:
    """``owl:versionIRI`` (``{base}2.1.0/``): the release's own files, or as a page the
    catalogue's changelog, which names it."""
    version = context.catalogue.version
    rules = w3id_rules(context.catalogue.scheme.base_iri, SITE_URL, version)
    path = f"referentiel/{version}/"
    for accept, syntax in ((JSONLD, "json-ld"), (TURTLE, "turtle")):
        for asked in (path, path.rstrip("/")):
            target = _redirect(rules, asked, accept)
            assert target is not None, (asked, accept)
            graph = Graph().parse(_site_file(site, target), format=syntax)
            scheme = URIRef(context.catalogue.scheme.base_iri)
            assert (scheme, None, None) in graph
    for language, prefix in (("fr-FR,fr", ""), ("en-GB,en", "en/")):
        page = _redirect(rules, path, HTML, language)
        assert page == f"{SITE_URL}{prefix}journal/referentiel/"
        assert version in _site_file(site, page).read_text(encoding="utf-8")


def test_the_sitemaps_list_the_published_addresses(site: Path) -> None:
    """``site_url`` is set: each language's sitemap names its own pages at the site's
    address (the French site at its root, the English one in ``en/``)."""
    address = site_address(REPO)
    assert address.startswith("https://")
    for folder, prefix in ((site, address), (site / "en", address + "en/")):
        text = (folder / "sitemap.xml").read_text(encoding="utf-8")
        urls = re.findall(r"<loc>([^<]+)</loc>", text)
        assert len(urls) > 60, folder
        assert all(url.startswith(prefix) for url in urls), folder
        assert f"{prefix}referentiel/acheter-et-vendre-en-ligne/" in urls
        if folder == site:
            assert not any(url.startswith(address + "en/") for url in urls)


def test_publish_site_takes_the_address_it_is_published_at(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aptic_qualif.cli import app as cli_app

    runner = CliRunner()
    out = tmp_path / "site"
    done = runner.invoke(
        cli_app.app,
        ["--root", str(REPO), "publish", "site", "-o", str(out), "--site-url", SITE_URL],
    )
    assert done.exit_code == 0, done.output
    rules = (out / "telechargements" / W3ID_RULES).read_text(encoding="utf-8")
    assert f" {SITE_URL}referentiel/$1/ " in rules
    assert f"<loc>{SITE_URL}en/referentiel/acheter-et-vendre-en-ligne/</loc>" in (
        out / "en" / "sitemap.xml"
    ).read_text(encoding="utf-8")
    refused = runner.invoke(
        cli_app.app,
        ["--root", str(REPO), "publish", "site", "-o", str(tmp_path / "x"), "--site-url", "x"],
    )
    assert refused.exit_code == 2


APACHE = Path("/usr/sbin/apache2")
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def test_apache_agrees_with_this_reading(context: Context, tmp_path: Path) -> None:
    """Debian's Apache, with mod_rewrite, serves the rules as w3id.org does (an .htaccess in
    the project's folder): every IRI, with every Accept header above and both languages,
    is sent where :func:`_redirect` says."""
    import os
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request

    if not APACHE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Apache not found at {APACHE}: .ci/run installs apache2", pytrace=False)
        pytest.skip("no Apache: apt-get install apache2")
    base = context.catalogue.scheme.base_iri
    rules = w3id_rules(base, SITE_URL, context.catalogue.version)
    project = urlsplit(base).path.strip("/").split("/")[0]
    (tmp_path / "www" / project).mkdir(parents=True)
    (tmp_path / "www" / project / ".htaccess").write_text(rules, encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    modules = "\n".join(
        f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
        for name in ("mpm_event", "authz_core", "rewrite")
    )
    config = tmp_path / "httpd.conf"
    config.write_text(
        f"ServerRoot {tmp_path}\nServerName localhost\nPidFile {tmp_path}/httpd.pid\n"
        f"Listen 127.0.0.1:{port}\n{modules}\nErrorLog {tmp_path}/error.log\n"
        f"DocumentRoot {tmp_path}/www\n<Directory {tmp_path}/www>\n  AllowOverride All\n"
        "  Require all granted\n</Directory>\n",
        encoding="utf-8",
    )

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    subprocess.run([str(APACHE), "-f", str(config), "-k", "start"], check=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        paths = [
            "referentiel/",
            "referentiel/acheter-et-vendre-en-ligne",
            "referentiel/acheter-et-vendre-en-ligne/",
            "referentiel/vocab",
        ]
        paths += [f"referentiel/{context.catalogue.version}/", "referentiel/2.0.0"]
        accepts = [HTML, JSONLD, TURTLE, *(accept for accept, _expected in QUALITIES)]
        languages = [language for language, _expected in LANGUAGES]
        for path in paths:
            for accept in accepts:
                for language in ("fr-FR,fr;q=0.9", "en-GB,en;q=0.8", *languages):
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/{project}/{path}",
                        headers={"Accept": accept, "Accept-Language": language},
                    )
                    try:
                        opener.open(request, timeout=5)
                        answer: tuple[int, str | None] = (200, None)
                    except urllib.error.HTTPError as error:
                        answer = (error.code, error.headers.get("Location"))
                    expected = _redirect(rules, path, accept, language)
                    assert answer == (303, expected), (path, accept, language)
    finally:
        subprocess.run([str(APACHE), "-f", str(config), "-k", "stop"], check=False)

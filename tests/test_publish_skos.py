"""Linked-data publication: the SKOS scheme in JSON-LD and Turtle, and ``publish …``.

The JSON-LD and the Turtle must denote one graph: rdflib reads both, and pyld, an independent
JSON-LD processor that may not fetch anything, expands the JSON-LD to the same triples. The
graph satisfies the SKOS integrity shapes, and its bytes never depend on the hash seed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_catalogue_or_fail, load_context
from aptic_qualif.publish import exports, skos
from aptic_qualif.referentiel.load import Catalogue

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
# The SKOS Reference's shapes, vendored with their licence (reference/README.md).
SHAPES = REPO / "reference" / "skos-shapes" / "skos-reference.shacl.ttl"
PROJECTS = {"shipped": REPO, "mini": MINI}
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")
PREFIX_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
EXPORTS = {
    "referentiel.jsonld",
    "context.jsonld",
    "referentiel.ttl",
    "questionnaire.json",
    "application.schema.json",
    "services.csv",
}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def catalogue(request: pytest.FixtureRequest) -> Catalogue:
    return load_catalogue_or_fail(PROJECTS[request.param])


@pytest.fixture(scope="module")
def shipped_catalogue() -> Catalogue:
    return load_catalogue_or_fail(REPO)


@pytest.fixture(scope="module")
def mini_catalogue() -> Catalogue:
    return load_catalogue_or_fail(MINI)


def _explain(expected: Graph, found: Graph) -> str:
    _both, only_expected, only_found = graph_diff(to_isomorphic(expected), to_isomorphic(found))
    missing = sorted(only_expected)[:5]
    extra = sorted(only_found)[:5]
    return f"missing: {missing}\nunexpected: {extra}"


def _offline_loader(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


# --- One graph, three readers -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_and_turtle_parse_to_isomorphic_graphs(catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(catalogue)
    from_jsonld = Graph().parse(data=skos.render_jsonld(catalogue), format="json-ld")
    from_turtle = Graph().parse(data=skos.render_turtle(catalogue), format="turtle")
    assert len(graph) > 0
    assert isomorphic(from_jsonld, graph), _explain(graph, from_jsonld)
    assert isomorphic(from_turtle, graph), _explain(graph, from_turtle)


def test_pyld_expands_the_jsonld_to_the_same_graph(catalogue: Catalogue) -> None:
    from pyld import jsonld  # type: ignore[import-untyped]

    document = json.loads(skos.render_jsonld(catalogue))
    options = {"format": "application/n-quads", "documentLoader": _offline_loader}
    nquads = jsonld.to_rdf(document, options)
    from_pyld = Graph().parse(data=nquads, format="nt")
    graph = skos.catalogue_graph(catalogue)
    assert isomorphic(from_pyld, graph), _explain(graph, from_pyld)


def test_pyld_reads_the_published_context_file(mini_catalogue: Catalogue) -> None:
    """A document that names the context by URL gets the same graph from the context file."""
    from pyld import jsonld

    context_url = f"{mini_catalogue.scheme.base_iri}context.jsonld"
    context_file = skos.render_context(mini_catalogue.scheme.base_iri)

    def local_only(url: str, options: Any = None) -> dict[str, Any]:
        if url != context_url:
            raise AssertionError(f"the JSON-LD processor tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(context_file)}

    document = json.loads(skos.render_jsonld(mini_catalogue))
    document["@context"] = context_url
    options = {"format": "application/n-quads", "documentLoader": local_only}
    from_pyld = Graph().parse(data=jsonld.to_rdf(document, options), format="nt")
    assert isomorphic(from_pyld, skos.catalogue_graph(mini_catalogue))


def test_the_graph_satisfies_the_skos_shapes(catalogue: Catalogue) -> None:
    from pyshacl import validate

    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _report, text = validate(skos.catalogue_graph(catalogue), shacl_graph=shapes)
    assert conforms, text


def test_the_skos_shapes_do_catch_violations(mini_catalogue: Catalogue) -> None:
    """The validation above is not vacuous: a label both preferred and alternative fails."""
    from pyshacl import validate

    graph = skos.catalogue_graph(mini_catalogue)
    concept = URIRef(f"{mini_catalogue.scheme.base_iri}comprendre-internet")
    graph.add((concept, SKOS.altLabel, graph.value(concept, SKOS.prefLabel)))
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _report, _text = validate(graph, shacl_graph=shapes)
    assert not conforms


@pytest.mark.parametrize("fmt", ["jsonld", "turtle"])
def test_same_bytes_whatever_the_hash_seed(fmt: str) -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "aptic_qualif", "--root", str(REPO), "publish", fmt],
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 10_000


# --- The SKOS scheme -----------------------------------------------------------------------


def test_scheme_metadata(catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(catalogue)
    scheme = catalogue.scheme
    iri = URIRef(scheme.base_iri)
    assert (iri, RDF.type, SKOS.ConceptScheme) in graph
    assert graph.value(iri, OWL.versionInfo) == Literal(scheme.version)
    assert graph.value(iri, OWL.versionIRI) == URIRef(f"{scheme.base_iri}{scheme.version}/")
    assert graph.value(iri, DCTERMS.license) == URIRef(scheme.license_url)
    assert graph.value(iri, DCTERMS.modified) == Literal(
        scheme.modified.isoformat(), datatype=XSD_DATE
    )
    assert set(graph.objects(iri, DCTERMS.title)) == {
        Literal(scheme.title.fr, lang="fr"),
        Literal(scheme.title.en, lang="en"),
    }
    assert {o.language for o in graph.objects(iri, DCTERMS.description)} == {"fr", "en"}
    publisher = graph.value(iri, DCTERMS.publisher)
    assert publisher is not None
    assert str(graph.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == (
        scheme.publisher.name
    )


def test_levels_are_the_top_concepts(catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(catalogue)
    scheme = URIRef(catalogue.scheme.base_iri)
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops == {URIRef(f"{catalogue.scheme.base_iri}{level}") for level in catalogue.levels}
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == tops


def test_every_service_has_exactly_one_broader_top_concept(catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(catalogue)
    base = catalogue.scheme.base_iri
    tops = set(graph.objects(URIRef(base), SKOS.hasTopConcept))
    for service in catalogue.services.values():
        concept = URIRef(f"{base}{service.id}")
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, SKOS.inScheme, URIRef(base)) in graph
        broader = list(graph.objects(concept, SKOS.broader))
        assert broader == [URIRef(f"{base}{service.level}")], service.id
        assert broader[0] in tops
        assert (broader[0], SKOS.narrower, concept) in graph
        assert graph.value(concept, SKOS.notation) == Literal(service.notation)
        assert {o.language for o in graph.objects(concept, SKOS.prefLabel)} == {"fr", "en"}
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(catalogue.services) + len(catalogue.levels)


def test_concept_iris_are_stable_and_version_free(catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(catalogue)
    base = catalogue.scheme.base_iri
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        identifier = str(concept).removeprefix(base)
        assert identifier != str(concept) and "/" not in identifier
        assert catalogue.version not in identifier


def test_a_deprecated_service_stays_with_its_replacement(mini_catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(mini_catalogue)
    base = mini_catalogue.scheme.base_iri
    old = URIRef(f"{base}decouvrir-le-courriel")
    new = URIRef(f"{base}creer-une-adresse-electronique")
    assert (old, RDF.type, SKOS.Concept) in graph
    assert graph.value(old, OWL.deprecated) == Literal(True)
    assert graph.value(old, DCTERMS.isReplacedBy) == new
    assert (new, DCTERMS.replaces, old) in graph
    assert graph.value(new, OWL.deprecated) is None


def test_the_shipped_deprecated_service_has_a_history_note(shipped_catalogue: Catalogue) -> None:
    graph = skos.catalogue_graph(shipped_catalogue)
    base = shipped_catalogue.scheme.base_iri
    old = URIRef(f"{base}decouvrir-facebook")
    assert graph.value(old, OWL.deprecated) == Literal(True)
    assert graph.value(old, DCTERMS.isReplacedBy) == URIRef(f"{base}decouvrir-les-reseaux-sociaux")
    assert {o.language for o in graph.objects(old, SKOS.historyNote)} == {"fr", "en"}
    deprecated = [s.id for s in shipped_catalogue.services.values() if not s.active]
    assert len(set(graph.subjects(OWL.deprecated, Literal(True)))) == len(deprecated)


def test_mappings_are_plain_annotated_values(shipped_catalogue: Catalogue) -> None:
    """No vocabulary mapped to has IRIs: no SKOS mapping triple, and no invented IRI."""
    graph = skos.catalogue_graph(shipped_catalogue)
    base = shipped_catalogue.scheme.base_iri
    vocab = f"{base}vocab#"
    for prop in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.relatedMatch):
        assert not list(graph.triples((None, prop, None)))
    service = shipped_catalogue.services["bien-choisir-son-equipement-et-sa-connexion"]
    concept = URIRef(f"{base}{service.id}")
    assert set(graph.objects(concept, URIRef(f"{vocab}crcn"))) == {
        Literal(code) for code in service.mappings.crcn
    }
    assert set(graph.objects(concept, URIRef(f"{vocab}lieuxServices"))) == {
        Literal(value, lang="fr") for value in service.mappings.lieux_services
    }
    assert set(graph.objects(concept, URIRef(f"{vocab}dataInclusionThematique"))) == {
        Literal(value) for value in service.mappings.data_inclusion
    }
    assert set(graph.objects(concept, URIRef(f"{vocab}coopThematique"))) == {
        Literal("prendre_en_main_du_materiel")
    }
    # The property is declared, with French and English labels.
    declared = URIRef(f"{vocab}coopThematique")
    assert (declared, RDF.type, OWL.AnnotationProperty) in graph
    assert {lit.language for lit in graph.objects(declared, URIRef(f"{PREFIX_RDFS}label"))} == {
        "fr",
        "en",
    }
    assert graph.value(concept, URIRef(f"{vocab}typicalDuration")) == Literal(
        service.typical_duration, datatype=XSD_DURATION
    )
    for _s, _p, obj in graph:
        if isinstance(obj, URIRef) and not str(obj).startswith(base):
            assert str(obj).startswith(
                (
                    "http://www.w3.org/",
                    "http://xmlns.com/foaf/",
                    shipped_catalogue.scheme.license_url,
                    "https://github.com/aptic-qualif/",
                )
            ), obj


def test_sessions_and_session_length_are_published(mini_catalogue: Catalogue) -> None:
    """``typical_duration`` is one session's length, ``sessions`` how many (passes)."""
    graph = skos.catalogue_graph(mini_catalogue)
    base = mini_catalogue.scheme.base_iri
    vocab = f"{base}vocab#"
    concept = URIRef(f"{base}creer-une-adresse-electronique")
    sessions = graph.value(concept, URIRef(f"{vocab}typicalSessions"))
    assert sessions == Literal(2, datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))
    assert graph.value(concept, URIRef(f"{vocab}typicalDuration")) == Literal(
        "PT2H", datatype=XSD_DURATION
    )
    prop = URIRef(f"{vocab}typicalSessions")
    assert (prop, RDF.type, OWL.AnnotationProperty) in graph
    assert {label.language for label in graph.objects(prop, URIRef(f"{PREFIX_RDFS}label"))} == {
        "fr",
        "en",
    }
    node = next(
        n
        for n in json.loads(skos.render_jsonld(mini_catalogue))["@graph"]
        if n["id"] == str(concept)
    )
    assert node["typicalSessions"] == 2 and node["typicalDuration"] == "PT2H"
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(exports.services_csv(mini_catalogue)))}
    row = rows["creer-une-adresse-electronique"]
    assert (row["typical_duration"], row["sessions"]) == ("PT2H", "2")
    assert row["modalities"] == "individuel|a-distance"


# --- The JSON-LD as plain JSON -------------------------------------------------------------


def test_the_jsonld_reads_as_plain_json(shipped_catalogue: Catalogue) -> None:
    text = skos.render_jsonld(shipped_catalogue)
    document = json.loads(text)
    assert document["@context"] == skos.jsonld_context(shipped_catalogue.scheme.base_iri)
    nodes = document["@graph"]
    ids = [node["id"] for node in nodes]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(list(node)[:2] == ["id", "type"] for node in nodes)
    by_id = {node["id"]: node for node in nodes}
    base = shipped_catalogue.scheme.base_iri
    node = by_id[f"{base}creer-une-adresse-electronique"]
    service = shipped_catalogue.services["creer-une-adresse-electronique"]
    assert node["type"] == "Concept"
    assert node["prefLabel"] == {"fr": service.pref_label.fr, "en": service.pref_label.en}
    assert node["broader"] == f"{base}{service.level}"
    assert node["notation"] == service.notation
    assert isinstance(node["modality"], list)
    for lang_list in (node.get("altLabel", {}), node.get("learningOutcome", {})):
        assert all(isinstance(values, list) for values in lang_list.values())
    assert by_id[base]["versionInfo"] == shipped_catalogue.version
    assert text.endswith("}\n") and "\\u00e9" not in text


def test_the_published_context_is_the_inline_one(mini_catalogue: Catalogue) -> None:
    published = json.loads(skos.render_context(mini_catalogue.scheme.base_iri))
    inline = json.loads(skos.render_jsonld(mini_catalogue))["@context"]
    assert published == {"@context": inline}
    assert inline["aq"] == f"{mini_catalogue.scheme.base_iri}vocab#"


def test_the_cli_does_not_load_rdflib_at_start_up() -> None:
    code = (
        "import sys, aptic_qualif.cli.app; print(sorted(m for m in sys.modules if 'rdflib' in m))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- The command line ----------------------------------------------------------------------


def test_publish_jsonld_and_turtle_print_the_scheme(mini: Path, runner: CliRunner) -> None:
    catalogue = load_catalogue_or_fail(mini)
    result = runner.invoke(app, ["publish", "jsonld"])
    assert result.exit_code == 0, result.output
    assert result.stdout == skos.render_jsonld(catalogue)
    result = runner.invoke(app, ["publish", "turtle"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert isomorphic(graph, skos.catalogue_graph(catalogue))
    result = runner.invoke(app, ["publish", "context"])
    assert result.exit_code == 0, result.output
    assert result.stdout == skos.render_context(catalogue.scheme.base_iri)


def test_publish_to_a_file_never_overwrites_without_force(
    mini: Path, runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "referentiel.ttl"
    result = runner.invoke(app, ["--root", str(mini), "publish", "turtle", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("@prefix")
    result = runner.invoke(app, ["--root", str(mini), "publish", "turtle", "-o", str(target)])
    assert result.exit_code == 2
    assert "--force" in result.output and "Traceback" not in result.output
    result = runner.invoke(
        app, ["--root", str(mini), "publish", "turtle", "-o", str(target), "--force"]
    )
    assert result.exit_code == 0, result.output


def test_publish_all_writes_every_download(mini: Path, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "downloads"
    result = runner.invoke(app, ["publish", "all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert {path.name for path in out.iterdir()} == EXPORTS
    catalogue = load_catalogue_or_fail(mini)
    assert (out / "referentiel.jsonld").read_text(encoding="utf-8") == skos.render_jsonld(catalogue)
    assert (out / "referentiel.ttl").read_text(encoding="utf-8") == skos.render_turtle(catalogue)
    assert json.loads((out / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    questionnaire = json.loads((out / "questionnaire.json").read_text(encoding="utf-8"))
    loaded = load_context(mini).questionnaire
    assert questionnaire["id"] == loaded.questionnaire.id
    assert [theme["id"] for theme in questionnaire["themes"]] == loaded.questionnaire.themes
    assert all(theme["items"] for theme in questionnaire["themes"])
    schema = json.loads((out / "application.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/")

    rows = list(csv.DictReader(io.StringIO((out / "services.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(catalogue.services)
    assert tuple(rows[0]) == exports.CSV_COLUMNS
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == set(catalogue.services)
    old = by_id["decouvrir-le-courriel"]
    assert old["status"] == "deprecated" and old["replaced_by"] == "creer-une-adresse-electronique"


def test_publish_all_refuses_to_overwrite_without_force(
    mini: Path, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "downloads"
    assert runner.invoke(app, ["publish", "all", "-o", str(out)]).exit_code == 0
    csv_file = out / "services.csv"
    csv_file.write_text("changed\n", encoding="utf-8")
    result = runner.invoke(app, ["publish", "all", "-o", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output and "Traceback" not in result.output
    assert csv_file.read_text(encoding="utf-8") == "changed\n"
    result = runner.invoke(app, ["publish", "all", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert csv_file.read_text(encoding="utf-8").startswith("id,notation,level,status,")


def test_csv_lists_mappings_joined_with_a_bar(shipped_catalogue: Catalogue) -> None:
    rows = list(csv.DictReader(io.StringIO(exports.services_csv(shipped_catalogue))))
    assert len(rows) == len(shipped_catalogue.services)
    by_id = {row["id"]: row for row in rows}
    row = by_id["chercher-un-emploi-en-ligne"]
    assert row["lieux_services"] == "Insertion professionnelle via le numérique"
    assert row["crcn"] == "1.1|2.4"
    assert row["coop_thematiques"] == "insertion_professionnelle"
    assert by_id["utiliser-mon-espace-sante"]["coop_thematiques"] == (
        "sante|aide_aux_demarches_administratives|social_sante"
    )
    assert row["data_inclusion"].split("|") == [
        "numerique--acceder-a-des-services-en-ligne",
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "trouver-un-emploi--repondre-a-des-offres-demploi",
    ]
    assert by_id["utiliser-sa-banque-en-ligne"]["lieux_services"] == (
        "Maîtrise des outils numériques du quotidien|Utilisation sécurisée du numérique"
    )
    assert (by_id["chercher-un-emploi-en-ligne"]["sessions"], row["typical_duration"]) == (
        "2",
        "PT2H",
    )


def test_an_advice_service_promises_no_equipment(shipped_catalogue: Catalogue) -> None:
    """DEC-14 gives advice on choosing a device: a venue offering it neither sells
    equipment at a solidarity price nor provides a connection (référentiel 2.0.0)."""
    mappings = shipped_catalogue.services["bien-choisir-son-equipement-et-sa-connexion"].mappings
    assert "Acquisition de matériel informatique à prix solidaire" not in mappings.lieux_services
    assert "Accès internet et matériel informatique" not in mappings.lieux_services
    assert mappings.data_inclusion == ["numerique--acquerir-un-equipement"]


def test_publish_outside_a_project_is_a_clean_error(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["publish", "jsonld"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_publish_site_calls_the_site_builder(
    mini: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, Path, bool]] = []

    def build_site(
        root: Path,
        output: Path,
        *,
        force: bool,
        network: object,
        report: object,
        by: str,
        site_url: str | None,
        usages: object,
        usage_secrecy: object,
    ) -> Path:
        from aptic_qualif.usages.report import UsageSecrecy

        assert site_url is None  # without --site-url: the configuration's
        assert network is None  # without --applications: the examples
        assert by == "departement"  # without --by commune: no page per département
        assert usages is None  # without --usages: no page of the usage observatory
        assert usage_secrecy == UsageSecrecy()  # the library's threshold and safety range
        calls.append((root, output, force))
        return output

    fake = types.ModuleType("aptic_qualif.publish.site")
    fake.build_site = build_site  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aptic_qualif.publish.site", fake)
    result = runner.invoke(app, ["publish", "site", "-o", str(tmp_path / "site"), "--force"])
    assert result.exit_code == 0, result.output
    assert calls == [(mini.resolve(), tmp_path / "site", True)]

"""The référentiel as a SKOS concept scheme, in compact JSON-LD and in Turtle.

IRIs — all derived from the scheme's configurable ``base_iri`` (for the shipped référentiel
``https://w3id.org/aptic-qualif/referentiel/``):

* the concept scheme is ``{base_iri}`` itself;
* every concept — the three levels and every service — is ``{base_iri}{id}``. Concept IRIs
  carry no version: an identifier is stable for good and never reused once retired, so a
  link to a service keeps working across releases;
* each release of the scheme is identified by ``{base_iri}{version}/``, the scheme's
  ``owl:versionIRI``; ``owl:versionInfo`` gives the version number;
* the scheme's ``skos:prefLabel`` is its title, and ``vann:preferredNamespaceUri`` its
  ``base_iri`` (the namespace of its concepts), as vocabulary tools expect;
* the few properties SKOS and DCMI do not provide live in the project's own namespace
  ``{base_iri}vocab#`` (prefix ``aq``) and are declared in the published graph as
  ``owl:AnnotationProperty`` with French and English labels.

Shape of the scheme: the levels are the top concepts (``skos:topConceptOf`` /
``skos:hasTopConcept``); every service has exactly one ``skos:broader``, its level, and the
level lists it with ``skos:narrower``. Deprecated services remain concepts with
``owl:deprecated true``, ``dct:isReplacedBy`` their replacement (which carries the inverse
``dct:replaces``) and a ``skos:historyNote``.

Mappings: SKOS mapping properties (``skos:exactMatch``, ``skos:closeMatch``) need concepts
with IRIs on the other side. None of the vocabularies the référentiel maps to has any: the
services of the national schema of digital-mediation venues are French labels, the CRCN
competences are codes, the data·inclusion thematiques and La Coop de la médiation numérique's
activity thematiques are slugs. They are therefore published as plain annotated values on the
project's own properties (``aq:lieuxServices`` with a ``@fr`` tag, ``aq:crcn``,
``aq:dataInclusionThematique``, ``aq:coopThematique``); no IRI is ever invented for another
organisation's vocabulary. The context already defines ``exactMatch`` and ``closeMatch`` for
the day one of them publishes IRIs.

One description, two syntaxes: :func:`jsonld_document` builds the compact JSON-LD directly from
the catalogue (deterministic: nodes sorted by ``id``, keys in canonical order), and
:func:`catalogue_graph` turns those very nodes into triples with the same term table that
generates the context. The tests prove that rdflib and an independent processor (pyld) read
the JSON-LD into the graph that the Turtle serialises.

rdflib is imported inside the functions that need it: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from aptic_qualif.referentiel.load import Catalogue
    from aptic_qualif.referentiel.model import LangList, LangText, OptionalLangText

VOCAB_FRAGMENT = "vocab#"
"""The project's own properties are ``{base_iri}vocab#name``."""

PREFIXES: dict[str, str] = {
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Standard namespaces; ``aq`` (the project's vocabulary) depends on the base IRI."""

Kind = Literal[
    "id",
    "ids",
    "text",
    "texts",
    "lang",
    "langs",
    "fr_texts",
    "date",
    "duration",
    "integer",
    "bool",
    "node",
]
"""How a term's JSON value maps to RDF.

``id``/``ids``: one IRI / a set of IRIs; ``text``/``texts``: plain string(s);
``lang``: a language map of one string per language; ``langs``: a language map of lists;
``fr_texts``: strings tagged ``@fr``; ``date``/``duration``: ``xsd:date``/``xsd:duration``
literals; ``integer``: a JSON whole number (``xsd:integer``); ``bool``: a JSON boolean;
``node``: an embedded node (a blank node).
"""

TERMS: dict[str, tuple[str, Kind]] = {
    "addedIn": ("aq:addedIn", "text"),
    "altLabel": ("skos:altLabel", "langs"),
    "broader": ("skos:broader", "id"),
    "closeMatch": ("skos:closeMatch", "ids"),
    "comment": ("rdfs:comment", "lang"),
    "coopThematique": ("aq:coopThematique", "texts"),
    "crcn": ("aq:crcn", "texts"),
    "dataInclusionThematique": ("aq:dataInclusionThematique", "texts"),
    "definition": ("skos:definition", "lang"),
    "deprecated": ("owl:deprecated", "bool"),
    "deprecatedIn": ("aq:deprecatedIn", "text"),
    "description": ("dct:description", "lang"),
    "exactMatch": ("skos:exactMatch", "ids"),
    "hasTopConcept": ("skos:hasTopConcept", "ids"),
    "historyNote": ("skos:historyNote", "lang"),
    "homepage": ("foaf:homepage", "id"),
    "identifier": ("dct:identifier", "text"),
    "inScheme": ("skos:inScheme", "id"),
    "isReplacedBy": ("dct:isReplacedBy", "id"),
    "label": ("rdfs:label", "lang"),
    "learningOutcome": ("aq:learningOutcome", "langs"),
    "license": ("dct:license", "id"),
    "lieuxServices": ("aq:lieuxServices", "fr_texts"),
    "modality": ("aq:modality", "texts"),
    "modified": ("dct:modified", "date"),
    "name": ("foaf:name", "text"),
    "narrower": ("skos:narrower", "ids"),
    "notation": ("skos:notation", "text"),
    "prefLabel": ("skos:prefLabel", "lang"),
    "preferredNamespaceUri": ("vann:preferredNamespaceUri", "text"),
    "publisher": ("dct:publisher", "node"),
    "replaces": ("dct:replaces", "ids"),
    "title": ("dct:title", "lang"),
    "topConceptOf": ("skos:topConceptOf", "id"),
    "typicalDuration": ("aq:typicalDuration", "duration"),
    "typicalSessions": ("aq:typicalSessions", "integer"),
    "versionIRI": ("owl:versionIRI", "id"),
    "versionInfo": ("owl:versionInfo", "text"),
}
"""Short JSON names of the properties; the context and the graph are both made from it."""

CLASSES: dict[str, str] = {
    "AnnotationProperty": "owl:AnnotationProperty",
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    "Organization": "foaf:Organization",
}

VOCABULARY: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "addedIn": (
        {"fr": "ajouté dans la version", "en": "added in version"},
        {
            "fr": "Version du référentiel qui a introduit le service.",
            "en": "Version of the scheme that introduced the service.",
        },
    ),
    "coopThematique": (
        {"fr": "thématique de La Coop", "en": "La Coop thematique"},
        {
            "fr": "Valeur d'API d'une thématique sous laquelle La Coop de la médiation "
            "numérique, l'outil national où les médiateurs enregistrent leurs activités, "
            "classe une activité, par exemple « navigation_sur_internet ».",
            "en": "API value of a thematique under which La Coop de la médiation numérique, "
            "the national tool where mediators record their activities, classifies an "
            "activity, e.g. “navigation_sur_internet”.",
        },
    ),
    "crcn": (
        {"fr": "compétence du CRCN", "en": "CRCN competence"},
        {
            "fr": "Code d'une compétence du cadre de référence des compétences numériques "
            "(décret 2019-919), par exemple « 2.1 ».",
            "en": "Code of a competence of the French digital competence framework "
            "(CRCN, decree 2019-919), e.g. “2.1”.",
        },
    ),
    "dataInclusionThematique": (
        {"fr": "thématique data·inclusion", "en": "data·inclusion thematique"},
        {
            "fr": "Valeur de « thematiques » du schéma data·inclusion.",
            "en": "Value of the “thematiques” field of the data·inclusion schema.",
        },
    ),
    "deprecatedIn": (
        {"fr": "déprécié dans la version", "en": "deprecated in version"},
        {
            "fr": "Version du référentiel qui a déprécié le service.",
            "en": "Version of the scheme that deprecated the service.",
        },
    ),
    "learningOutcome": (
        {"fr": "acquis", "en": "learning outcome"},
        {
            "fr": "Ce que la personne sait faire à l'issue du service.",
            "en": "What the person can do once the service is over.",
        },
    ),
    "lieuxServices": (
        {
            "fr": "service du schéma des lieux de médiation numérique",
            "en": "service of the digital-mediation venues schema",
        },
        {
            "fr": "Valeur de « services » du schéma national des lieux de médiation numérique.",
            "en": "Value of the “services” field of the French national schema of "
            "digital-mediation venues.",
        },
    ),
    "modality": (
        {"fr": "modalité d'accompagnement", "en": "delivery modality"},
        {
            "fr": "Code de modalité : autonomie, individuel, atelier-collectif, a-distance ou "
            "a-domicile (à domicile ou hors les murs).",
            "en": "Modality code: autonomie, individuel, atelier-collectif, a-distance or "
            "a-domicile (at home or off-site).",
        },
    ),
    "typicalDuration": (
        {"fr": "durée habituelle", "en": "typical duration"},
        {
            "fr": "Durée habituelle d'une seule séance (durée ISO 8601), jamais un total sur "
            "plusieurs séances : la durée totale est cette durée multipliée par "
            "aq:typicalSessions.",
            "en": "Typical length of one session (ISO 8601 duration), never a total over "
            "several sessions: the total is this length times aq:typicalSessions.",
        },
    ),
    "typicalSessions": (
        {"fr": "nombre habituel de séances", "en": "typical number of sessions"},
        {
            "fr": "Nombre habituel de séances pour atteindre les acquis du service, chacune "
            "de la durée aq:typicalDuration : dans un dispositif de pass, le nombre de pass "
            "que demande le service.",
            "en": "Typical number of sessions needed to reach the service's learning "
            "outcomes, each lasting aq:typicalDuration: in a pass scheme, how many passes "
            "the service takes.",
        },
    ),
}
"""The project's own properties, declared in the graph (labels, comments)."""


def vocab_namespace(base_iri: str) -> str:
    return f"{base_iri}{VOCAB_FRAGMENT}"


def concept_iri(base_iri: str, identifier: str) -> str:
    """The stable, version-free IRI of a level or a service."""
    return f"{base_iri}{identifier}"


def version_iri(base_iri: str, version: str) -> str:
    """The IRI of one release of the scheme."""
    return f"{base_iri}{version}/"


def _namespaces(base_iri: str) -> dict[str, str]:
    return {**PREFIXES, "aq": vocab_namespace(base_iri)}


def jsonld_context(base_iri: str) -> dict[str, Any]:
    """The JSON-LD 1.1 context: ``id``/``type`` aliases, short names, language maps.

    It depends on the base IRI only through the ``aq`` prefix of the project's properties.
    """
    context: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type"}
    context.update(_namespaces(base_iri))
    context.pop("rdf")
    context.update(CLASSES)
    for term, (curie, kind) in TERMS.items():
        context[term] = _term_definition(curie, kind)
    return context


def _term_definition(curie: str, kind: Kind) -> str | dict[str, Any]:
    if kind == "id":
        return {"@id": curie, "@type": "@id"}
    if kind == "ids":
        return {"@id": curie, "@type": "@id", "@container": "@set"}
    if kind == "texts":
        return {"@id": curie, "@container": "@set"}
    if kind == "lang":
        return {"@id": curie, "@container": "@language"}
    if kind == "langs":
        return {"@id": curie, "@container": ["@language", "@set"]}
    if kind == "fr_texts":
        return {"@id": curie, "@language": "fr", "@container": "@set"}
    if kind == "date":
        return {"@id": curie, "@type": "xsd:date"}
    if kind == "duration":
        return {"@id": curie, "@type": "xsd:duration"}
    return curie  # text, bool, node: the JSON value says it all


def render_context(base_iri: str) -> str:
    """The published ``context.jsonld`` file."""
    return _dumps({"@context": jsonld_context(base_iri)})


def _lang(text: LangText | OptionalLangText) -> dict[str, str]:
    return {lang: value for lang, value in (("fr", text.fr), ("en", text.en)) if value}


def _langs(texts: LangList) -> dict[str, list[str]]:
    return {lang: values for lang, values in (("fr", texts.fr), ("en", texts.en)) if values}


def jsonld_nodes(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every node of the scheme in compact form, sorted by ``id``."""
    scheme = catalogue.scheme
    base = scheme.base_iri
    scheme_iri = base
    services = sorted(catalogue.services.values(), key=lambda s: (s.notation, s.id))

    narrower: dict[str, list[str]] = defaultdict(list)
    replaces: dict[str, list[str]] = defaultdict(list)
    for service in services:
        narrower[service.level].append(concept_iri(base, service.id))
        if service.replaced_by is not None and service.replaced_by in catalogue.services:
            replaces[service.replaced_by].append(concept_iri(base, service.id))

    publisher: dict[str, Any] = {"type": "Organization", "name": scheme.publisher.name}
    if scheme.publisher.url is not None:
        publisher["homepage"] = scheme.publisher.url
    nodes: list[dict[str, Any]] = [
        {
            "id": scheme_iri,
            "type": "ConceptScheme",
            "identifier": scheme.id,
            "prefLabel": _lang(scheme.title),
            "preferredNamespaceUri": base,
            "title": _lang(scheme.title),
            "description": _lang(scheme.description),
            "license": scheme.license_url,
            "modified": scheme.modified.isoformat(),
            "publisher": publisher,
            "versionInfo": scheme.version,
            "versionIRI": version_iri(base, scheme.version),
            "hasTopConcept": [concept_iri(base, level.id) for level in scheme.levels],
        }
    ]
    for level in scheme.levels:
        node: dict[str, Any] = {
            "id": concept_iri(base, level.id),
            "type": "Concept",
            "inScheme": scheme_iri,
            "topConceptOf": scheme_iri,
            "notation": level.notation,
            "prefLabel": _lang(level.pref_label),
            "definition": _lang(level.definition),
        }
        if narrower[level.id]:
            node["narrower"] = narrower[level.id]
        nodes.append(node)

    for service in services:
        iri = concept_iri(base, service.id)
        node = {
            "id": iri,
            "type": "Concept",
            "inScheme": scheme_iri,
            "broader": concept_iri(base, service.level),
            "notation": service.notation,
            "prefLabel": _lang(service.pref_label),
            "definition": _lang(service.definition),
            "addedIn": service.added_in,
            "modality": list(service.modalities),
            "typicalDuration": service.typical_duration,
        }
        if service.sessions is not None:
            node["typicalSessions"] = service.sessions
        optional: dict[str, Any] = {
            "altLabel": _langs(service.alt_labels),
            "learningOutcome": _langs(service.learning_outcomes),
            "lieuxServices": list(service.mappings.lieux_services),
            "crcn": list(service.mappings.crcn),
            "dataInclusionThematique": list(service.mappings.data_inclusion),
            "coopThematique": list(service.mappings.coop_thematiques),
            "replaces": replaces.get(service.id),
        }
        if not service.active:
            optional["deprecated"] = True
            optional["deprecatedIn"] = service.deprecated_in
            if service.replaced_by is not None:
                optional["isReplacedBy"] = concept_iri(base, service.replaced_by)
            if service.history_note is not None:
                optional["historyNote"] = _lang(service.history_note)
        node.update({key: value for key, value in optional.items() if value})
        nodes.append(node)

    vocab = vocab_namespace(base)
    for name, (label, comment) in VOCABULARY.items():
        nodes.append(
            {
                "id": f"{vocab}{name}",
                "type": "AnnotationProperty",
                "label": label,
                "comment": comment,
            }
        )
    nodes.sort(key=lambda n: n["id"])
    return nodes


def jsonld_document(catalogue: Catalogue) -> dict[str, Any]:
    """The compact JSON-LD document: the context inline (no network needed) and ``@graph``."""
    return {
        "@context": jsonld_context(catalogue.scheme.base_iri),
        "@graph": jsonld_nodes(catalogue),
    }


_FIRST_KEYS = {"@context": 0, "@graph": 1, "@version": 2, "id": 3, "type": 4}


def _ordered(value: Any) -> Any:
    """``value`` with every object's keys in canonical order: ``id`` and ``type`` first
    (a node reads well as plain JSON), then alphabetical. Together with nodes sorted by
    ``id``, the output depends on nothing but the catalogue (not on ``PYTHONHASHSEED``)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_FIRST_KEYS.get(k, len(_FIRST_KEYS)), k))
        return {key: _ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def _dumps(data: Any) -> str:
    return json.dumps(_ordered(data), ensure_ascii=False, allow_nan=False, indent=2) + "\n"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large description is built.

    Building creates hundreds of thousands of small objects (dicts, rdflib terms) and no
    reference cycles; without the pause, collections triggered by allocation cost half the
    time and make publication grow faster than the catalogue.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_jsonld(catalogue: Catalogue) -> str:
    """The référentiel as JSON-LD text: same catalogue, same bytes."""
    with _gc_paused():
        return _dumps(jsonld_document(catalogue))


def catalogue_graph(catalogue: Catalogue) -> Graph:
    """The référentiel as an rdflib graph: the triples the JSON-LD document denotes."""
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import RDF, XSD

    base = catalogue.scheme.base_iri
    namespaces = _namespaces(base)

    def expand(curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(namespaces[prefix] + local)

    predicates = {term: (expand(curie), kind) for term, (curie, kind) in TERMS.items()}
    classes = {term: expand(curie) for term, curie in CLASSES.items()}
    datatypes = {"date": XSD.date, "duration": XSD.duration}
    graph = Graph(bind_namespaces="none")
    graph.bind("", URIRef(base))
    for prefix, namespace in sorted(namespaces.items()):
        graph.bind(prefix, URIRef(namespace))
    add = graph.add
    bnodes = 0

    def add_node(subject: Node, node: dict[str, Any]) -> None:
        nonlocal bnodes
        for key, value in node.items():
            if key == "id":
                continue
            if key == "type":
                add((subject, RDF.type, classes[value]))
                continue
            predicate, kind = predicates[key]
            objects: list[Node]
            if kind == "id":
                objects = [URIRef(value)]
            elif kind == "ids":
                objects = [URIRef(v) for v in value]
            elif kind in {"text", "bool"}:
                objects = [Literal(value)]
            elif kind == "texts":
                objects = [Literal(v) for v in value]
            elif kind == "fr_texts":
                objects = [Literal(v, lang="fr") for v in value]
            elif kind == "lang":
                objects = [Literal(v, lang=lang) for lang, v in value.items()]
            elif kind == "langs":
                objects = [Literal(v, lang=lang) for lang, vs in value.items() for v in vs]
            elif kind == "node":
                bnodes += 1
                inner = BNode(f"n{bnodes}")
                add_node(inner, value)
                objects = [inner]
            elif kind == "integer":
                objects = [Literal(value, datatype=XSD.integer)]
            else:
                objects = [Literal(value, datatype=datatypes[kind])]
            for obj in objects:
                add((subject, predicate, obj))

    with _gc_paused():
        for node in jsonld_nodes(catalogue):
            add_node(URIRef(node["id"]), node)
    return graph


def concept_documents(catalogue: Catalogue) -> Iterator[tuple[str, str, str]]:
    """``(identifier, JSON-LD, Turtle)`` of every level and service: the concept's own
    description (the triples whose subject it is), which its IRI dereferences to.

    The JSON-LD carries the context inline (no network needed); the Turtle is the same
    triples, serialised by rdflib with the published prefixes."""
    from rdflib import Graph, URIRef

    base = catalogue.scheme.base_iri
    context = jsonld_context(base)
    with _gc_paused():
        whole = catalogue_graph(catalogue)
        nodes = {node["id"]: node for node in jsonld_nodes(catalogue)}
        identifiers = [level.id for level in catalogue.scheme.levels]
        identifiers += sorted(catalogue.services)
        for identifier in identifiers:
            iri = concept_iri(base, identifier)
            jsonld = _dumps({"@context": context, **nodes[iri]})
            graph = Graph(bind_namespaces="none")
            for prefix, namespace in whole.namespaces():
                graph.bind(prefix, namespace)
            subject = URIRef(iri)
            for triple in whole.triples((subject, None, None)):
                graph.add(triple)
            yield identifier, jsonld, graph.serialize(format="turtle")


def render_turtle(catalogue: Catalogue) -> str:
    """The référentiel as Turtle, serialised by rdflib (subjects and objects sorted)."""
    with _gc_paused():
        return catalogue_graph(catalogue).serialize(format="turtle")

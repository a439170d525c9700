"""The JSON Schema (2020-12) of an application file, generated from the questionnaire.

Editors use it (through the ``yaml-language-server`` modeline of ``apply template``) to
complete and check an application as it is typed; other tools use it to read
applications. It describes the canonical form of each answer; the conditional rules
(``enable_when``) and the checksums are left to ``apply validate``.
"""

from __future__ import annotations

import json
from typing import Any

from aptic_qualif.application import HISTORY_DATE_PATTERN, VENUE_ID_PATTERN
from aptic_qualif.hours import EXAMPLE as HOURS_EXAMPLE
from aptic_qualif.network.national import HOURS_COLUMN, MAX_LENGTHS, MULTI_VALUED
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.referentiel.load import Catalogue

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_PATTERNS = {
    "siret": r"^[0-9]{14}$",
    "postcode": r"^[0-9]{5}$",
    "insee_code": r"^([013-9][0-9]|2[AB1-9])[0-9]{3}$",
    # a first sieve for editors; the program checks with email-validator (never "..", nor a
    # dot at the start or end of the name)
    "email": r"^(?!\.)(?!.*\.\.)(?!.*\.@)[^@\s]+@[^@\s.-][^@\s]*\.[^@\s]+$",
    "url": r"^https?://\S+$",
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An answer may be left empty (``null``) while the application is in progress."""
    return {"anyOf": [schema, {"type": "null"}]}


def item_schema(item: Item, catalogue: Catalogue | None) -> dict[str, Any]:
    """The schema of one answer."""
    schema: dict[str, Any]
    kind = item.type
    if kind == "boolean":
        schema = {"type": "boolean"}
    elif kind in {"integer", "decimal"}:
        schema = {"type": "integer" if kind == "integer" else "number"}
        if item.min is not None:
            schema["minimum"] = item.min
        if item.max is not None:
            schema["maximum"] = item.max
    elif kind == "single_choice":
        schema = {"oneOf": [{"const": o.value, "title": o.label.fr} for o in item.options or ()]}
    elif kind == "multiple_choice":
        schema = {
            "type": "array",
            "uniqueItems": True,
            "items": {
                "oneOf": [{"const": o.value, "title": o.label.fr} for o in item.options or ()]
            },
        }
    elif kind == "services":
        choices: list[dict[str, Any]] = []
        if catalogue is not None:
            for service in sorted(catalogue.services.values(), key=lambda s: s.notation):
                if item.levels is None or service.level in item.levels:
                    choice: dict[str, Any] = {
                        "const": service.id,
                        "title": f"{service.notation} — {service.pref_label.fr}",
                    }
                    if not service.active:
                        choice["deprecated"] = True
                    choices.append(choice)
        schema = {"type": "array", "uniqueItems": True, "items": {"oneOf": choices}}
    else:
        schema = {"type": "string"}
        if kind in _PATTERNS:
            schema["pattern"] = _PATTERNS[kind]
        if kind == "date":
            schema["format"] = "date"
        elif kind == "url":
            schema["format"] = "uri"
        elif kind == "email":
            schema["format"] = "email"
    schema = _national_constraints(item, schema)
    described: dict[str, Any] = {"title": item.label.fr}
    if item.help is not None:
        described["description"] = item.help.fr
    return {**described, **_nullable(schema)}


def _national_constraints(item: Item, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the rules an answer follows because of its national column (length,
    no ``|`` in a multi-valued column, an example of opening hours) and its exclusive
    options: what a JSON Schema can say of :func:`aptic_qualif.application.check_answer`."""
    rules: list[dict[str, Any]] = []
    for option in item.options or ():
        if option.exclusive and item.type == "multiple_choice":
            rules.append({"not": {"contains": {"const": option.value}, "minItems": 2}})
    column = item.export
    if column is not None and schema.get("type") == "string":
        if column in MAX_LENGTHS:
            schema = {**schema, "maxLength": MAX_LENGTHS[column]}
        if column in MULTI_VALUED:
            rules.append({"not": {"pattern": "[|]"}})
        if column == HOURS_COLUMN:
            schema = {**schema, "examples": [HOURS_EXAMPLE]}
    if len(rules) == 1:
        schema = {**schema, **rules[0]}
    elif rules:
        schema = {**schema, "allOf": rules}
    return schema


def application_schema(loaded: LoadedQuestionnaire, catalogue: Catalogue | None) -> dict[str, Any]:
    """The JSON Schema of an application to ``loaded``."""
    questionnaire = loaded.questionnaire

    def section(identity: bool) -> dict[str, Any]:
        items = [i for i in loaded.items if i.is_identity == identity]
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {i.id: item_schema(i.item, catalogue) for i in items},
            "required": [
                i.id
                for i in items
                if i.item.required and i.item.enable_when is None and i.item.derive is None
            ],
        }

    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": f"Candidature — {questionnaire.title.fr}",
        "description": (
            f"Dossier de candidature au questionnaire {loaded.reference}. "
            f"Application file for questionnaire {loaded.reference}."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["questionnaire", "date", "lieu"],
        "properties": {
            "questionnaire": {
                "title": "Questionnaire (identifiant@version)",
                "type": "string",
                "pattern": rf"^{questionnaire.id}@[0-9]+\.[0-9]+\.[0-9]+$",
                "default": loaded.reference,
            },
            "date": {
                "title": "Date de la candidature (AAAA-MM-JJ)",
                "description": "Application date (YYYY-MM-DD).",
                "type": "string",
                "format": "date",
                "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            },
            "statut": {
                "title": "Statut (brouillon ou soumise)",
                "description": "Status: a draft (brouillon) or submitted (soumise).",
                "enum": ["brouillon", "soumise"],
            },
            "historique": {
                "title": "Historique du statut (soumise, rouverte, resoumise)",
                "description": (
                    "Chaque changement de statut et sa date, le plus ancien d'abord. "
                    "Every change of status and its date, oldest first."
                ),
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["evenement", "date"],
                    "properties": {
                        "evenement": {"enum": ["soumise", "rouverte", "resoumise"]},
                        "date": {"type": "string", "pattern": HISTORY_DATE_PATTERN},
                    },
                },
            },
            "identifiant": {
                "title": "Identifiant du lieu dans les données ouvertes nationales",
                "description": (
                    "Repris de la fiche importée ; à garder pour que la publication mette à "
                    "jour le même lieu. The venue's id in the national open data, kept from the "
                    "imported record so that publishing again updates the same venue."
                ),
                "type": "string",
                "pattern": VENUE_ID_PATTERN,
            },
            "source": {
                "title": "Source de la fiche nationale importée",
                "description": (
                    "Le producteur de la fiche dont la candidature est issue ; les exports la "
                    "gardent. The producer of the national record the application was imported "
                    "from; the exports keep it."
                ),
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "pattern": "^[^|]*$",
            },
            "mises_de_cote": {
                "title": "Réponses mises de côté",
                "description": (
                    "Les réponses des questions qui ne s'appliquent plus, gardées jusqu'à la "
                    "soumission pour revenir si la question s'applique à nouveau. Answers of "
                    "questions that no longer apply, kept until the application is submitted."
                ),
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "reponse": {},
                        "preuves": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "lieu": {"title": "Identité du lieu", **section(True)},
            "reponses": {"title": "Réponses", **section(False)},
            "preuves": {
                "title": "Preuves",
                "description": (
                    "Par question : liens web (http, https) ou noms de documents joints. "
                    "Per item: web links (http, https) or names of attached documents."
                ),
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    i.id: {
                        "title": i.item.label.fr,
                        "type": "array",
                        "maxItems": 20,
                        "items": {"type": "string", "minLength": 1, "maxLength": 500},
                    }
                    for i in loaded.items
                    if i.item.evidence is not None
                },
            },
        },
    }
    if questionnaire.schema_url:
        schema = {"$id": questionnaire.schema_url, **schema}
    return schema


def render_schema(loaded: LoadedQuestionnaire, catalogue: Catalogue | None) -> str:
    """The schema as JSON text: same questionnaire, same bytes."""
    return (
        json.dumps(
            application_schema(loaded, catalogue), ensure_ascii=False, allow_nan=False, indent=2
        )
        + "\n"
    )

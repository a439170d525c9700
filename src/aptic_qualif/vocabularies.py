"""Public vocabularies that the référentiel maps to.

These are facts from published standards, not content of this project:

* ``LIEUX_SERVICES``: the 9 ``services`` values of the national schema of
  digital-mediation venues ("lieux de médiation numérique", v1);
* ``CRCN``: the 16 competences of the French digital competence framework (CRCN,
  décret 2019-919), by code;
* ``DATA_INCLUSION_THEMATIQUES``: the digital ``thematiques`` of the data·inclusion
  schema;
* ``MODALITIES``: how a service is delivered, with the national schema's
  ``modalites_accompagnement`` value for each.
"""

from __future__ import annotations

from typing import Literal

LIEUX_SERVICES: tuple[str, ...] = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)

CRCN: dict[str, str] = {
    "1.1": "Mener une recherche et une veille d'information",
    "1.2": "Gérer des données",
    "1.3": "Traiter des données",
    "2.1": "Interagir",
    "2.2": "Partager et publier",
    "2.3": "Collaborer",
    "2.4": "S'insérer dans le monde numérique",
    "3.1": "Développer des documents textuels",
    "3.2": "Développer des documents multimédia",
    "3.3": "Adapter les documents à leur finalité",
    "3.4": "Programmer",
    "4.1": "Sécuriser l'environnement numérique",
    "4.2": "Protéger les données personnelles et la vie privée",
    "4.3": "Protéger la santé, le bien-être et l'environnement",
    "5.1": "Résoudre des problèmes techniques",
    "5.2": "Construire un environnement numérique",
}

DATA_INCLUSION_THEMATIQUES: tuple[str, ...] = (
    "numerique--acceder-a-des-services-en-ligne",
    "numerique--acceder-a-une-connexion-internet",
    "numerique--acquerir-un-equipement",
    "numerique--maitriser-les-fondamentaux-du-numerique",
)

Modality = Literal["autonomie", "individuel", "atelier-collectif", "a-distance"]

MODALITIES: dict[str, str] = {
    "autonomie": "En autonomie",
    "individuel": "Accompagnement individuel",
    "atelier-collectif": "Dans un atelier collectif",
    "a-distance": "À distance",
}

VOCABULARIES: dict[str, frozenset[str]] = {
    "lieux_services": frozenset(LIEUX_SERVICES),
    "crcn": frozenset(CRCN),
    "data_inclusion": frozenset(DATA_INCLUSION_THEMATIQUES),
}
"""Allowed values of each mapping field of a service."""

"""Public vocabularies that the référentiel maps to.

These are facts from published standards, not content of this project:

* ``LIEUX_SERVICES``: the 9 ``services`` values of the national schema of
  digital-mediation venues ("lieux de médiation numérique", v1);
* ``CRCN``: the 16 competences of the French digital competence framework (CRCN,
  décret 2019-919), by code;
* ``DATA_INCLUSION_THEMATIQUES``: the ``thematiques`` of the data·inclusion schema 1.x;
* ``COOP_THEMATIQUES``: the thematiques under which La Coop de la médiation numérique, the
  national tool where mediators record their activities, classifies each activity (API
  values, with the tool's French labels): the mediation thematiques, then the kinds of
  administrative procedure (``COOP_DEMARCHES``);
* ``MODALITIES``: how a service is delivered, with its French label; the first four are
  the national schema's ``modalites_accompagnement`` values, ``a-domicile`` (at the
  person's home or off-site) is the référentiel's own and has no national equivalent;
* ``LIEUX_COLUMNS`` and ``LIEUX_ENUMERATIONS``: the columns of the national schema, in
  order, and the allowed values of its enumerated columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from data_inclusion.schema.v1 import Thematique

from aptic_qualif.i18n import N_

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

DATA_INCLUSION_THEMATIQUES: tuple[str, ...] = tuple(sorted(t.value for t in Thematique))
"""Every ``thematiques`` value of data·inclusion 1.x, taken from data·inclusion's own schema
(``data-inclusion-schema``, enumeration ``Thematique``), in alphabetical order: the digital
ones (``numerique--*``) and the others a service may also serve (finding a job, parenting,
French, administrative procedures…)."""

COOP_MEDIATION: dict[str, str] = {
    "diagnostic_numerique": "Diagnostic numérique",
    "prendre_en_main_du_materiel": "Prendre en main du matériel",
    "maintenance_de_materiel": "Maintenance de matériel",
    "gere_ses_contenus_numeriques": "Gérer ses contenus numériques",
    "navigation_sur_internet": "Navigation sur internet",
    "email": "E-mail",
    "bureautique": "Bureautique",
    "reseaux_sociaux": "Réseaux sociaux communication",
    "sante": "Santé",
    "banque_et_achats_en_ligne": "Banque et achats en ligne",
    "entrepreneuriat": "Accompagner un professionnel",
    "insertion_professionnelle": "Insertion professionnelle",
    "securite_numerique": "Prévention en sécurité numérique",
    "parentalite": "Parentalité",
    "scolarite_et_numerique": "Scolarité et numérique",
    "creer_avec_le_numerique": "Créer avec le numérique",
    "culture_numerique": "Culture numérique",
    "intelligence_artificielle": "Intelligence artificielle (IA)",
    "aide_aux_demarches_administratives": "Aide aux démarches administratives",
}
"""La Coop's mediation thematiques, by API value."""

COOP_DEMARCHES: dict[str, str] = {
    "papiers_elections_citoyennete": "Papiers - Élections - Citoyenneté",
    "famille_scolarite": "Famille - Scolarité",
    "social_sante": "Social - Santé",
    "travail_formation": "Travail - Formation - Entreprise",
    "logement": "Logement",
    "transports_mobilite": "Transports - Mobilité",
    "argent_impots": "Argent - Impôts",
    "justice": "Justice",
    "etrangers_europe": "Étrangers - Europe",
    "loisirs_sports_culture": "Loisirs - Sports - Culture",
    "associations": "Associations",
}
"""La Coop's kinds of administrative procedure, recorded with
``aide_aux_demarches_administratives``, by API value."""

COOP_ADMINISTRATIVE = "aide_aux_demarches_administratives"
"""La Coop's thematique without which it refuses a kind of procedure (``REF027``)."""

COOP_THEMATIQUES: dict[str, str] = {**COOP_MEDIATION, **COOP_DEMARCHES}
"""Every thematique of La Coop de la médiation numérique, by API value, with its label."""

Modality = Literal["autonomie", "individuel", "atelier-collectif", "a-distance", "a-domicile"]

MODALITIES: dict[str, str] = {
    "autonomie": "En autonomie",
    "individuel": "Accompagnement individuel",
    "atelier-collectif": "Dans un atelier collectif",
    "a-distance": "À distance",
    "a-domicile": "À domicile ou hors les murs",
}

MODALITIES_EN: dict[str, str] = {
    "autonomie": "On one's own",
    "individuel": "One-to-one support",
    "atelier-collectif": "In a group workshop",
    "a-distance": "Remotely",
    "a-domicile": "At home or off-site",
}

LIEUX_MODALITES_ACCOMPAGNEMENT: tuple[str, ...] = (
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
)
"""The national schema's ``modalites_accompagnement`` values: the labels of the first four
modalities. ``a-domicile`` has none; a venue that works at people's homes says so with
``itinerance``."""

LIEUX_COLUMNS: tuple[str, ...] = (
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
)

LIEUX_ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "itinerance": ("Itinérant", "Fixe"),
    "services": LIEUX_SERVICES,
    "publics_specifiquement_adresses": (
        "Jeunes",
        "Étudiants",
        "Familles et/ou enfants",
        "Seniors",
        "Femmes",
    ),
    "prise_en_charge_specifique": (
        "Surdité",
        "Handicaps moteurs",
        "Handicaps mentaux",
        "Illettrisme",
        "Langues étrangères (anglais)",
        "Langues étrangères (autres)",
        "Déficience visuelle",
    ),
    "frais_a_charge": ("Gratuit", "Gratuit sous condition", "Payant"),
    "dispositif_programmes_nationaux": (
        "Aidants Connect",
        "Bibliothèques numérique de référence",
        "Certification PIX",
        "Conseillers numériques",
        "Emmaüs Connect",
        "France Services",
        "Grande école du numérique",
        "La Croix Rouge",
        "Point d'accès numérique CAF",
        "Promeneurs du net",
        "Relais numérique (Emmaüs Connect)",
    ),
    "modalites_acces": (
        "Se présenter",
        "Téléphoner",
        "Contacter par mail",
        "Prendre un RDV en ligne",
        "Ce lieu n'accueille pas de public",
        "Envoyer un mail avec une fiche de prescription",
    ),
    "modalites_accompagnement": LIEUX_MODALITES_ACCOMPAGNEMENT,
}

VOCABULARIES: dict[str, frozenset[str]] = {
    "lieux_services": frozenset(LIEUX_SERVICES),
    "crcn": frozenset(CRCN),
    "data_inclusion": frozenset(DATA_INCLUSION_THEMATIQUES),
    "coop_thematiques": frozenset(COOP_THEMATIQUES),
}
"""Allowed values of each mapping field of a service."""


@dataclass(frozen=True)
class MappingRule:
    """How a value of one mapping of a service binds its other mappings (``REF028``): the
    consumers read the mappings together, and a value alone publishes wrong information."""

    field: str
    """The mapping field (a key of :data:`VOCABULARIES`)."""
    value: str
    needs: tuple[tuple[str, str], ...] = ()
    """At least one of these (field, value) must be there too; a value ending with ``--`` is
    a family of data·inclusion thematiques (any value starting with it)."""
    excludes: tuple[tuple[str, str], ...] = ()
    """None of these (field, value) may be there too."""
    why: str = ""
    """Why (an English msgid, translated when shown)."""


JOBSEEKER_THEMATIQUES: tuple[tuple[str, str], ...] = (
    ("data_inclusion", "trouver-un-emploi--"),
    ("data_inclusion", "preparer-sa-candidature--"),
    ("data_inclusion", "choisir-un-metier--"),
    ("data_inclusion", "se-former--"),
    ("data_inclusion", "creer-une-entreprise--definir-son-projet-de-creation-dentreprise"),
    ("data_inclusion", "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"),
)
"""data·inclusion's thematiques of a person's path to work (finding a job, applying, choosing
a trade, training, starting a business)."""

MAPPING_RULES: tuple[MappingRule, ...] = (
    MappingRule(
        "lieux_services",
        "Aide aux démarches administratives",
        needs=(("coop_thematiques", COOP_ADMINISTRATIVE),),
        excludes=(("coop_thematiques", "associations"), ("coop_thematiques", "entrepreneuriat")),
        why=N_(
            "prescribers look up this value to send people who need a procedure of their own "
            "done: a service where the person does one during the session (recorded in La "
            "Coop with aide_aux_demarches_administratives), not the procedures of an "
            "association or a business"
        ),
    ),
    MappingRule(
        "lieux_services",
        "Insertion professionnelle via le numérique",
        needs=(("coop_thematiques", "insertion_professionnelle"), *JOBSEEKER_THEMATIQUES),
        why=N_(
            "France Travail's prescribers look up this value for jobseekers: the service "
            "serves a path to work (La Coop's insertion_professionnelle, or a data·inclusion "
            "thematique of finding a job, applying, training or starting a business)"
        ),
    ),
    MappingRule(
        "coop_thematiques",
        "insertion_professionnelle",
        needs=JOBSEEKER_THEMATIQUES,
        why=N_(
            "a service that serves a path to work carries its data·inclusion thematique, so "
            "that employment services find it"
        ),
    ),
    MappingRule(
        "coop_thematiques",
        "entrepreneuriat",
        needs=(("data_inclusion", "creer-une-entreprise--"),),
        why=N_(
            "a service for a business carries a data·inclusion thematique of "
            "creer-une-entreprise, so that business support services find it"
        ),
    ),
    MappingRule(
        "coop_thematiques",
        "parentalite",
        needs=(("data_inclusion", "famille--soutien-a-la-parentalite-et-a-leducation"),),
        why=N_(
            "a service for parents carries data·inclusion's parenting thematique, so that "
            "family services find it"
        ),
    ),
    MappingRule(
        "coop_thematiques",
        "sante",
        needs=(("data_inclusion", "sante--"),),
        why=N_(
            "a health service carries a data·inclusion thematique of sante, so that health "
            "and social workers find it"
        ),
    ),
)
"""The rules that bind a service's mappings to one another (``REF028``), checked from
référentiel 3.0.0 on."""


def mapping_matches(values: Iterable[str], wanted: str) -> bool:
    """Whether ``wanted`` (a value, or a family ending with ``--``) is among ``values``."""
    if wanted.endswith("--"):
        return any(value.startswith(wanted) for value in values)
    return wanted in values

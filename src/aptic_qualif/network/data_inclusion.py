"""``export data-inclusion``: qualified venues and their services in the data·inclusion
schema 1.x (the national repository of the social and professional inclusion offer).

* A **structure** per venue, built from the same row as the national export of
  digital-mediation venues (:class:`~aptic_qualif.network.lieux.RowBuilder`: identity, values
  checked against that schema, telephone, email and website only when the application makes
  them public), with ``reseaux_porteurs`` from the venue's type and national programmes where
  data·inclusion 1.x has the network (its ``typologie`` field no longer exists).
* A **service** per catalogue service the venue offers: the service's French label and
  definition, ``thematiques`` from the référentiel's ``mappings.data_inclusion``, its ``type``
  and ``modes_accueil`` from its modalities, and the venue's fees, publics, access modes,
  hours and (public) contacts; ``zone_eligibilite`` from the communes a travelling venue
  serves (``communes_itinerance``), else the venue's département; ``conditions_acces`` and
  the booking link (``lien_mobilisation``, mode ``utiliser-lien-mobilisation``) from the
  identity answers ``conditions_acces`` and ``prise_rdv``.
* ``source`` and ids are the network's (the policy's ``network``: source, id prefix, address
  of the venue pages for ``lien_source``), or, for a venue imported from a national extract,
  its record's own source.

The output is what data·inclusion's models read: lists of structures and of services (JSON),
or one CSV per table whose list cells hold JSON arrays. Records, keys and list values are
sorted: the same applications give the same bytes. Every record is validated with the
``data-inclusion-schema`` package's own pydantic models before it is written: a venue whose
structure or one of whose services they refuse is left out, with a warning (``LIEU007``)
located in its application.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _
from aptic_qualif.network.lieux import SEPARATOR, RowBuilder
from aptic_qualif.places import INSEE, ITINERANCE, itinerance_codes
from aptic_qualif.referentiel.model import Service
from aptic_qualif.review.model import Review
from aptic_qualif.sanitize import csv_row
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.policy import NetworkIdentity
from aptic_qualif.vocabularies import LIEUX_MODALITES_ACCOMPAGNEMENT

STRUCTURES_FILE = "structures"
SERVICES_FILE = "services"

RESEAUX_OF_TYPOLOGIE: dict[str, str] = {
    "EPN": "espaces-publics-numeriques",
    "RFS": "france-service",
    "MJC": "mjc",
    "CCAS": "ccas-cias",
    "CIAS": "ccas-cias",
    "MUNI": "communes",
    "DEPT": "departements",
    "CAF": "caf",
    "ML": "mission-locale",
    "PIJ_BIJ": "reseau-information-jeunesse",
    "PIMMS": "pimms-mediation",
    "LA_POSTE": "la-poste",
    "RESSOURCERIE": "ressourceries",
}
"""The national ``typologie`` codes (data·inclusion 0.x's structure types) whose network
data·inclusion 1.x lists in ``reseaux_porteurs``; the others (association, library, fablab,
third place, social centre…) name a kind of place, not a network, and have none."""

RESEAUX_OF_PROGRAMMES: dict[str, str] = {
    "Aidants Connect": "aidants-connect",
    "Conseillers numériques": "conseillers-numeriques",
    "France Services": "france-service",
    "Emmaüs Connect": "emmaus",
    "Relais numérique (Emmaüs Connect)": "emmaus",
    "La Croix Rouge": "croix-rouge",
    "Grande école du numérique": "grandes-ecoles-du-numerique",
    "Point d'accès numérique CAF": "caf",
}
"""National programmes (``dispositif_programmes_nationaux``) that are data·inclusion networks."""

FRAIS: dict[str, str] = {"Gratuit": "gratuit", "Payant": "payant"}
"""``frais_a_charge`` values with a data·inclusion equivalent; « Gratuit sous condition » has
none: it goes to ``frais_precisions``."""

MODES_MOBILISATION: dict[str, str] = {
    "Se présenter": "se-presenter",
    "Téléphoner": "telephoner",
    "Contacter par mail": "envoyer-un-courriel",
    "Envoyer un mail avec une fiche de prescription": "envoyer-un-courriel",
}
"""``modalites_acces`` values and how a person mobilises the service in data·inclusion."""

CONTACT_MODES = {"telephoner": "telephone", "envoyer-un-courriel": "courriel"}
BOOKING_MODE = "utiliser-lien-mobilisation"
"""The mode of a service with a booking link (``prise_rdv``, ``lien_mobilisation``)."""
"""A mode of mobilisation that needs a contact is kept only when that contact is public."""

STRUCTURE_FIELDS: tuple[str, ...] = (
    "source",
    "id",
    "nom",
    "date_maj",
    "description",
    "lien_source",
    "siret",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
    "accessibilite_lieu",
    "reseaux_porteurs",
)
"""The fields of data·inclusion 1.x's ``Structure``, in the schema's order."""

SERVICE_FIELDS: tuple[str, ...] = (
    "source",
    "structure_id",
    "id",
    "nom",
    "description",
    "lien_source",
    "date_maj",
    "type",
    "thematiques",
    "frais",
    "frais_precisions",
    "publics",
    "publics_precisions",
    "conditions_acces",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "telephone",
    "courriel",
    "modes_accueil",
    "zone_eligibilite",
    "contact_nom_prenom",
    "lien_mobilisation",
    "modes_mobilisation",
    "mobilisable_par",
    "mobilisation_precisions",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
    "horaires_accueil",
)
"""The fields of data·inclusion 1.x's ``Service``, in the schema's order."""

LIST_FIELDS = frozenset(
    {
        "reseaux_porteurs",
        "thematiques",
        "publics",
        "modes_accueil",
        "zone_eligibilite",
        "modes_mobilisation",
        "mobilisable_par",
    }
)
_PLACE = ("commune", "code_postal", "code_insee", "adresse", "complement_adresse")
MIN_NAME, MAX_NAME = 3, 150

Record = dict[str, Any]


@dataclass
class DataInclusionResult:
    structures: list[Record] = field(default_factory=list)
    services: list[Record] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    unreadable: list[str] = field(default_factory=list)
    assessed: int = 0


def _values(row: dict[str, str], column: str) -> list[str]:
    return [value for value in row.get(column, "").split(SEPARATOR) if value]


def _first(row: dict[str, str], column: str) -> str | None:
    values = _values(row, column)
    return values[0] if values else None


def _number(text: str | None) -> float | None:
    return float(text) if text else None


def structure_id(row: dict[str, str], network: NetworkIdentity | None = None) -> str:
    """``<source>--<venue>``: data·inclusion ids are the source, two hyphens, then the
    producer's own id (the national export's, without the network's ``id_prefix``)."""
    network = network or NetworkIdentity()
    return f"{row['source']}--{row['id'].removeprefix(network.id_prefix)}"


def departement_code(insee: str) -> str:
    """The département of an INSEE commune code: ``2B`` for ``2B096``, ``974`` for
    ``97411``."""
    return insee[:3] if insee[:2] in {"97", "98"} else insee[:2]


def eligibility_zone(answers: dict[str, Any]) -> list[str] | None:
    """Where the people a venue serves live (``zone_eligibilite``): the communes a
    travelling venue goes to (``communes_itinerance``), else the venue's département (a
    venue is open to the people around it, and remote services are given to them too)."""
    if answers.get("itinerance") == "itinerant":
        codes, _invalid = itinerance_codes(answers.get(ITINERANCE))
        if codes:
            return sorted(codes)
    insee = answers.get(INSEE)
    return [departement_code(str(insee).upper())] if insee else None


def structure(row: dict[str, str], network: NetworkIdentity | None = None) -> Record:
    """The data·inclusion structure of a national row."""
    network = network or NetworkIdentity()
    reseaux = {
        RESEAUX_OF_TYPOLOGIE[t] for t in _values(row, "typologie") if t in RESEAUX_OF_TYPOLOGIE
    }
    reseaux |= {
        RESEAUX_OF_PROGRAMMES[p]
        for p in _values(row, "dispositif_programmes_nationaux")
        if p in RESEAUX_OF_PROGRAMMES
    }
    record: Record = {
        "source": row["source"],
        "id": structure_id(row, network),
        "nom": row["nom"],
        "date_maj": row["date_maj"],
        "description": row.get("presentation_detail") or row.get("presentation_resume") or None,
        "lien_source": network.base_url + row["id"] if network.base_url else None,
        "siret": row.get("pivot") or None,
        **{key: row.get(key) or None for key in _PLACE},
        "longitude": _number(row.get("longitude")),
        "latitude": _number(row.get("latitude")),
        "telephone": _first(row, "telephone"),
        "courriel": _first(row, "courriels"),
        "site_web": _first(row, "site_web"),
        "horaires_accueil": row.get("horaires") or None,
        "accessibilite_lieu": row.get("fiche_acces_libre") or None,
        "reseaux_porteurs": sorted(reseaux) or None,
    }
    return _complete(record, STRUCTURE_FIELDS)


def service_type(service: Service) -> str:
    """``aide-materielle`` for a service where the venue supplies equipment, ``atelier``
    for one given only in group workshops, else ``accompagnement``."""
    if "Acquisition de matériel informatique à prix solidaire" in service.mappings.lieux_services:
        return "aide-materielle"
    if set(service.modalities) == {"atelier-collectif"}:
        return "atelier"
    return "accompagnement"


def modes_accueil(service: Service, row: dict[str, str]) -> list[str]:
    """How the service is given at this venue: its modalities that the venue declares
    (all of them when the venue declares none), remote or in person."""
    codes = ("autonomie", "individuel", "atelier-collectif", "a-distance")
    offered = {
        codes[LIEUX_MODALITES_ACCOMPAGNEMENT.index(v)]
        for v in _values(row, "modalites_accompagnement")
        if v in LIEUX_MODALITES_ACCOMPAGNEMENT
    }
    modalities = [m for m in service.modalities if not offered or m in offered or m == "a-domicile"]
    modes = {
        "a-distance" if m == "a-distance" else "en-presentiel"
        for m in modalities or service.modalities
    }
    return sorted(modes)


def service_record(
    service: Service,
    row: dict[str, str],
    venue: Record,
    answers: dict[str, Any] | None = None,
) -> Record:
    """The data·inclusion service of one catalogue service at one venue (``answers``: the
    venue's answers, for the zone and the conditions of access)."""
    answers = answers or {}
    fees = _values(row, "frais_a_charge")
    frais = {FRAIS[f] for f in fees if f in FRAIS}
    publics = _values(row, "publics_specifiquement_adresses") + _values(
        row, "prise_en_charge_specifique"
    )
    mobilisation = {
        MODES_MOBILISATION[m] for m in _values(row, "modalites_acces") if m in MODES_MOBILISATION
    }
    mobilisation = {
        m for m in mobilisation if CONTACT_MODES.get(m) is None or venue[CONTACT_MODES[m]]
    }
    booking = row.get("prise_rdv") or None
    if booking:
        mobilisation.add(BOOKING_MODE)
    conditions = " ".join(str(answers.get("conditions_acces") or "").split()) or None
    modes = modes_accueil(service, row)
    in_person = "en-presentiel" in modes
    record: Record = {
        "source": venue["source"],
        "structure_id": venue["id"],
        "id": f"{venue['id']}--{service.id}",
        "nom": service.pref_label.fr,
        "description": " ".join(service.definition.fr.split()),
        "lien_source": venue["lien_source"],
        "date_maj": venue["date_maj"],
        "type": service_type(service),
        "thematiques": sorted(service.mappings.data_inclusion) or None,
        "frais": next(iter(frais)) if len(frais) == 1 and len(fees) == 1 else None,
        "frais_precisions": ", ".join(fees)
        if fees and not (len(frais) == 1 and len(fees) == 1)
        else None,
        # Specifically addressed publics are welcome, not the only ones: the service is open
        # to all, and says who it is used to.
        "publics": ["tous-publics"],
        "publics_precisions": (
            "Publics accueillis en particulier : " + ", ".join(publics) if publics else None
        ),
        "conditions_acces": conditions,
        **{key: venue[key] if in_person else None for key in _PLACE},
        "longitude": venue["longitude"] if in_person else None,
        "latitude": venue["latitude"] if in_person else None,
        "telephone": venue["telephone"],
        "courriel": venue["courriel"],
        "modes_accueil": modes,
        "zone_eligibilite": eligibility_zone(answers),
        "lien_mobilisation": booking,
        "modes_mobilisation": sorted(mobilisation) or None,
        "mobilisable_par": ["usagers"] if mobilisation else None,
        "horaires_accueil": venue["horaires_accueil"],
    }
    return _complete(record, SERVICE_FIELDS)


def _complete(record: Record, fields: Sequence[str]) -> Record:
    """Every field of the schema, in its order; absent ones are null."""
    return {name: record.get(name) for name in fields}


def export_data_inclusion(
    files: Iterable[Path],
    context: Context,
    reviews: Iterable[Review] = (),
    *,
    include_all: bool = False,
    date_maj: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> DataInclusionResult:
    """Structures and services of the venues in ``files``, selected and dated as
    ``export lieux`` does (qualified venues unless ``include_all``; ``date_maj``, else the
    latest used review, else the référentiel's date), sorted by id. One pass: each venue's
    records are built as its application is assessed."""
    from aptic_qualif.scoring.assess import assess_each

    builder = RowBuilder(context)
    services_items = [
        located.id for located in context.questionnaire.items if located.item.type == "services"
    ]
    result = DataInclusionResult()
    built: list[tuple[tuple[str, str], dict[str, str], list[str], dict[str, Any], str]] = []

    def build(assessment: Assessment, checked: CheckedApplication, own: Sequence[Review]) -> None:
        result.assessed += 1
        qualified = assessment.decision == "qualifie"
        if not (qualified or include_all):
            return
        when = date_maj or latest_review_date(assessment, own) or builder.default_date
        row = builder.row(checked, qualified, when, result.report)
        if row is None:
            return
        offered: list[str] = []
        for item_id in services_items:
            offered += [s for s in checked.answers.get(item_id) or () if s not in offered]
        built.append(
            (
                (assessment.application, assessment.file),
                row,
                offered,
                checked.answers,
                assessment.file,
            )
        )

    batch = assess_each(files, context, build, reviews, on_file=on_file)
    result.report.extend(batch.report.diagnostics)
    result.unreadable.extend(batch.unreadable)
    built.sort(key=lambda entry: entry[0])
    seen: set[str] = set()
    catalogue = context.catalogue.services
    for _key, row, offered, answers, file in built:
        venue = structure(row, builder.network)
        venue["id"] = _unique(venue["id"], seen)
        if not MIN_NAME <= len(venue["nom"]) <= MAX_NAME:
            continue
        services = [
            service_record(service, row, venue, answers)
            for service_id in sorted(offered)
            if (service := catalogue.get(service_id)) is not None
        ]
        refused = refusal(venue, services)
        if refused is not None:
            result.report.add(
                Diagnostic.warning(
                    "LIEU007",
                    Span(file, 1, 1),
                    _(
                        "venue not exported to data·inclusion: its schema refuses {record}, "
                        "field {field}: {error}"
                    ).format(record=refused[0], field=refused[1], error=refused[2]),
                    _("correct the application's answer that fills this field"),
                )
            )
            continue
        result.structures.append(venue)
        result.services.extend(services)
    result.structures.sort(key=lambda r: r["id"])
    result.services.sort(key=lambda r: r["id"])
    return result


def refusal(venue: Record, services: Sequence[Record]) -> tuple[str, str, str] | None:
    """The first record of a venue that data·inclusion's own models refuse, as (record id,
    field, the model's message), or ``None`` when they take them all. The models are the
    ``data-inclusion-schema`` package's, with its warnings counted as errors."""
    from data_inclusion.schema import v1
    from pydantic import ValidationError

    checks: list[tuple[Any, Record]] = [(v1.Structure, venue)]
    checks += [(v1.Service, record) for record in services]
    for model, record in checks:
        try:
            model.model_validate(record, context={"ignore_warnings": False})
        except ValidationError as exc:
            first = exc.errors()[0]
            field_name = ".".join(str(part) for part in first["loc"]) or "-"
            return str(record["id"]), field_name, str(first["msg"])
    return None


def latest_review_date(assessment: Assessment, reviews: Sequence[Review]) -> str | None:
    """The date of the venue's latest review that the assessment used (as ``export lieux``
    dates its rows)."""
    used = set(assessment.reviews.used)
    dates = [review.date for review in reviews if review.reviewer in used]
    return max(dates).isoformat() if dates else None


def _unique(record_id: str, seen: set[str]) -> str:
    """``record_id``, or ``record_id-N`` when another venue of the batch has it (``export
    lieux`` reports such duplicates)."""
    unique, count = record_id, 1
    while unique in seen:
        count += 1
        unique = f"{record_id}-{count}"
    seen.add(unique)
    return unique


def render_json(records: list[Record]) -> str:
    """A JSON list, one object per record with every field of the schema in its order."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def render_csv(records: list[Record], fields: Sequence[str]) -> str:
    """One row per record; a list cell holds a JSON array, an absent value is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        cells: list[object] = []
        for name in fields:
            value = record.get(name)
            if value is None:
                cells.append("")
            elif name in LIST_FIELDS:
                cells.append(json.dumps(value, ensure_ascii=False))
            else:
                cells.append(value)
        writer.writerow(csv_row(cells))
    return buffer.getvalue()

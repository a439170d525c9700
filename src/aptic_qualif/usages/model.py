"""The activity record: its Table Schema (``schema.json``), checked row by row.

The schema is the single description of the format: the importer reads its fields, their
``required``, ``pattern``, ``enum``, ``minimum`` and ``maximum`` constraints and the boolean's
true and false values, and applies them to every cell (the tests check that frictionless,
reading the same schema, accepts and refuses the same files). Then come the rules a Table
Schema cannot say: a service the référentiel knows, a commune the commune reference knows,
participants only for a collective session, an emitter only for a pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from aptic_qualif.i18n import _

SCHEMA_FILE = "schema.json"


@cache
def schema() -> dict[str, Any]:
    """The Table Schema of activity records."""
    text = resources.files("aptic_qualif.usages").joinpath(SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def schema_text() -> str:
    return resources.files("aptic_qualif.usages").joinpath(SCHEMA_FILE).read_text("utf-8")


def field_names() -> tuple[str, ...]:
    return tuple(f["name"] for f in schema()["fields"])


def required_fields() -> frozenset[str]:
    return frozenset(
        f["name"] for f in schema()["fields"] if f.get("constraints", {}).get("required")
    )


def enum_of(name: str) -> tuple[str, ...]:
    for f in schema()["fields"]:
        if f["name"] == name:
            return tuple(f.get("constraints", {}).get("enum", ()))
    raise KeyError(name)


RESIDENCE_MIN_POPULATION = 5000
"""The least legal population of a commune kept as a residence; a smaller one is kept as its
département. A residence with an age band and publics (minima sociaux, exilées…) can single a
person out in a small commune; the census, whose results are the reference for such
crossings, gives its sensitive variables only for communes of at least 5,000 inhabitants
(arrêté du 19 juillet 2007 relatif à la diffusion des résultats du recensement)."""

MODES = ("individuel", "collectif", "a-distance")
PUBLICS: tuple[str, ...] = (
    "tous-publics",
    "actifs",
    "beneficiaires-des-minimas-sociaux",
    "demandeurs-emploi",
    "etudiants",
    "familles",
    "femmes",
    "jeunes",
    "personnes-en-situation-de-handicap",
    "personnes-en-situation-durgence",
    "personnes-en-situation-juridique-specifique",
    "personnes-exilees",
    "residents-qpv-frr",
    "seniors",
)
AGE_BANDS = ("moins-18", "18-24", "25-39", "40-59", "60-69", "70-plus")
EMITTERS = (
    "collectivite",
    "caf",
    "ccas",
    "employeur",
    "france-travail",
    "etat",
    "association",
    "autre",
)


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: str
    required: bool
    pattern: re.Pattern[str] | None
    enum: frozenset[str] | None
    minimum: int | None
    maximum: int | None
    true_values: frozenset[str]
    false_values: frozenset[str]


@cache
def rules() -> dict[str, FieldRule]:
    found = {}
    for f in schema()["fields"]:
        c = f.get("constraints", {})
        found[f["name"]] = FieldRule(
            name=f["name"],
            kind=f["type"],
            required=bool(c.get("required")),
            # Table Schema patterns match the whole value (XML Schema regular expressions)
            pattern=re.compile(c["pattern"]) if "pattern" in c else None,
            enum=frozenset(c["enum"]) if "enum" in c else None,
            minimum=c.get("minimum"),
            maximum=c.get("maximum"),
            true_values=frozenset(f.get("trueValues", ("true",))),
            false_values=frozenset(f.get("falseValues", ("false",))),
        )
    return found


def check_cell(rule: FieldRule, value: str) -> tuple[Any, str | None]:
    """The typed value of a cell, or the reason it breaks the schema (a translated text)."""
    if value == "":
        if rule.required:
            return None, _("{field} is required").format(field=rule.name)
        return None, None
    if rule.kind == "integer":
        if not value.isascii() or not value.isdigit():
            return None, _("{field} must be a whole number").format(field=rule.name)
        number = int(value)
        if (rule.minimum is not None and number < rule.minimum) or (
            rule.maximum is not None and number > rule.maximum
        ):
            return None, _("{field} must be between {low} and {high}").format(
                field=rule.name, low=rule.minimum, high=rule.maximum
            )
        return number, None
    if rule.kind == "boolean":
        if value in rule.true_values:
            return True, None
        if value in rule.false_values:
            return False, None
        return None, _("{field} must be {values}").format(
            field=rule.name, values=" / ".join(sorted(rule.true_values | rule.false_values))
        )
    if rule.enum is not None and value not in rule.enum:
        return None, _("{field} must be one of: {values}").format(
            field=rule.name, values=", ".join(sorted(rule.enum))
        )
    if rule.pattern is not None and not rule.pattern.fullmatch(value):
        return None, _("{field} is not in the expected form").format(field=rule.name)
    return value, None


@dataclass(frozen=True, slots=True)
class Record:
    """One accompaniment, as stored: usages only."""

    mois: str
    date: str
    lieu: str
    departement: str | None
    service: str | None
    thematique: str | None
    niveau: str | None
    mode: str
    participants: int
    pass_: bool
    pass_emetteur: str | None
    publics: tuple[str, ...]
    tranche_age: str | None
    residence: str | None
    residence_departement: str | None


@dataclass(frozen=True)
class ServiceTarget:
    service: str | None
    thematique: str | None
    niveau: str | None


class Resolver:
    """Services and places of a record, resolved once per distinct value."""

    def __init__(self, catalogue: Any) -> None:
        from aptic_qualif.vocabularies import COOP_THEMATIQUES

        self._targets: dict[str, ServiceTarget] = {}
        by_theme: dict[str, list[Any]] = {}
        for service in catalogue.services.values():
            # A deprecated service was offered when the accompaniment took place: its
            # records count under it. A La Coop thematique maps to active services only.
            target = ServiceTarget(service.id, None, service.level)
            self._targets[service.id] = target
            self._targets[service.notation] = target
            if not service.active:
                continue
            for theme in service.mappings.coop_thematiques:
                by_theme.setdefault(theme, []).append(service)
        for theme in COOP_THEMATIQUES:
            services = by_theme.get(theme, [])
            levels = {s.level for s in services}
            if len(services) == 1:
                self._targets.setdefault(
                    theme, ServiceTarget(services[0].id, theme, services[0].level)
                )
            else:
                self._targets.setdefault(
                    theme, ServiceTarget(None, theme, levels.pop() if len(levels) == 1 else None)
                )
        self.levels: tuple[str, ...] = tuple(level.id for level in catalogue.scheme.levels)
        self.services: Mapping[str, Any] = dict(catalogue.services)

    def service(self, value: str) -> ServiceTarget | None:
        return self._targets.get(value)

    @staticmethod
    def residence_of(code: str) -> str:
        """The residence kept for a known place: a commune of at least
        :data:`RESIDENCE_MIN_POPULATION` inhabitants (a former commune counts as the commune
        it now belongs to), else its département; a département stays as it is."""
        from aptic_qualif.communes import communes

        if len(code) != 5:
            return code
        table = communes()
        commune = table.get(code)
        if commune is None:
            return code
        if commune.kind == "ancienne" and commune.parent:
            current = table.get(commune.parent)
            if current is not None:
                commune = current
        if commune.population >= RESIDENCE_MIN_POPULATION:
            return commune.insee
        return commune.departement

    @staticmethod
    def departement_of(code: str) -> str | None:
        """The département of an INSEE commune code or a département code, or None."""
        from aptic_qualif.communes import communes

        table = communes()
        if len(code) == 5:
            commune = table.get(code)
            return commune.departement if commune is not None else None
        return code if code in table.departement_populations else None

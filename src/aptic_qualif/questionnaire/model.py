"""The questionnaire's file formats.

``questionnaire/questionnaire.yaml`` holds the metadata, the order of the themes and the
venue identity section; ``questionnaire/themes/<theme>.yaml`` holds one theme's items.

An item is data, never code: its conditions (``enable_when``) and its scoring are
declarations that the tools check statically and evaluate without ``eval``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aptic_qualif.referentiel.model import LangText, OptionalLangText
from aptic_qualif.schema import HttpUrl, SemVer, StrictModel

ItemType = Literal[
    "boolean",
    "single_choice",
    "multiple_choice",
    "integer",
    "decimal",
    "text",
    "date",
    "url",
    "services",
    # venue identity fields
    "siret",
    "postcode",
    "insee_code",
    "email",
    "phone",
]

CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
NUMBER_TYPES = frozenset({"integer", "decimal"})
TEXT_TYPES = frozenset({"text", "date", "url", "siret", "postcode", "insee_code", "email", "phone"})
RECURRING_TYPES = frozenset({"boolean", "single_choice", "multiple_choice", "integer", "decimal"})
"""Items whose answers recur from one application to the next (a yes-no, a choice, a number):
what follows from the item and the answer alone is worked out once per answer
(:func:`answer_key`), in checking and in scoring."""


def answer_key(answer: Any) -> tuple[object, object]:
    """An answer as a dictionary key: a list as a tuple, with its type (True and 1 are equal
    keys, not equal answers). Looking it up raises ``TypeError`` for an answer of the wrong
    shape (a mapping…)."""
    return type(answer), tuple(answer) if isinstance(answer, list) else answer


Operator = Literal[
    "equals",
    "not_equals",
    "exists",
    "greater_than",
    "greater_or_equal",
    "less_than",
    "less_or_equal",
    "contains",
    "not_contains",
]

OPERATORS_BY_TYPE: dict[str, frozenset[str]] = {
    "boolean": frozenset({"equals", "not_equals", "exists"}),
    "single_choice": frozenset({"equals", "not_equals", "exists"}),
    "multiple_choice": frozenset({"contains", "not_contains", "exists"}),
    "services": frozenset({"contains", "not_contains", "exists"}),
    "integer": frozenset(
        {
            "equals",
            "not_equals",
            "exists",
            "greater_than",
            "greater_or_equal",
            "less_than",
            "less_or_equal",
        }
    ),
    "decimal": frozenset(
        {
            "equals",
            "not_equals",
            "exists",
            "greater_than",
            "greater_or_equal",
            "less_than",
            "less_or_equal",
        }
    ),
}
"""Operators allowed in a condition on an item of each type (text-like types: ``exists``)."""


class Option(StrictModel):
    """One choice of a single or multiple choice item."""

    value: str
    label: LangText
    points: float | None = None
    """Points given when this option is chosen (required when the item is scored ``auto``)."""
    export: str | None = None
    """The matching value of the national venue schema, when the item is exported."""
    exclusive: bool = False
    """In a multiple choice, an option that excludes every other one ("none of these")."""
    not_applicable: bool = False
    """Choosing this option ("not concerned") takes the item out of the theme's maximum."""


class Bracket(StrictModel):
    """For numbers: ``points`` once the answer reaches ``min``."""

    min: float
    points: float


class ServicesPoints(StrictModel):
    """For the services item: points per service offered and per level covered."""

    per_service: float = 0
    per_level: float = 0
    max: float | None = None
    level_excludes: list[str] = Field(default_factory=list)
    """Services that do not count towards covering their level (a service whose level
    earns points without being the level's practice: free access to equipment…)."""


class RubricStep(StrictModel):
    """One anchored step of a reviewer rubric (scores 0 to 4)."""

    score: int
    description: OptionalLangText


class Condition(StrictModel):
    """``question operator value``: an item is enabled when its conditions hold."""

    question: str
    operator: Operator
    value: Any = None


class EnableWhen(StrictModel):
    behavior: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1)


class Derivation(StrictModel):
    """The answer of an item follows from the answer of another (``source``), by one of the
    rules of :mod:`aptic_qualif.questionnaire.derive`: the item is asked only when its answer
    cannot be derived, so that no concept is asked twice."""

    source: str
    rule: Literal["commune-name", "contains"]
    """``commune-name``: the name of the commune of an INSEE code (``source`` an
    ``insee_code``, the item a ``text``); ``contains``: whether the options chosen in
    ``source`` (a multiple choice) include ``value`` (the item a ``boolean``)."""
    value: str | None = None


class Item(StrictModel):
    """One question."""

    id: str
    type: ItemType
    label: LangText
    help: OptionalLangText | None = None
    required: bool = False
    options: list[Option] | None = None
    min: float | None = None
    max: float | None = None
    unit: OptionalLangText | None = None
    levels: list[str] | None = None
    """For a services item: only these levels of the référentiel (all by default)."""
    scoring: Literal["none", "auto", "rubric"] = "none"
    points_if_true: float | None = None
    brackets: list[Bracket] | None = None
    services_points: ServicesPoints | None = None
    max_points: float | None = None
    """For a multiple choice scored ``auto``: cap on the sum of the chosen options' points."""
    rubric: list[RubricStep] | None = None
    evidence: OptionalLangText | None = None
    """The evidence a reviewer expects (document, link, photo…). Only items that say what
    evidence they expect take evidence in an application (``preuves``)."""
    situation: bool = False
    """The answer describes the venue's situation (its territory, its neighbours), not a
    practice: it may score, but the report never offers it as something to change."""
    progress: OptionalLangText | None = None
    """« Comment progresser »: for a scored item, what a venue could put in place (a
    practice, never a box to tick); shown by the report where the item lost points."""
    enable_when: EnableWhen | None = None
    derive: Derivation | None = None
    """Where the answer follows from another answer (asked only when it cannot)."""
    export: str | None = None
    """The column of the national venue schema this answer fills (identity items)."""
    multiline: bool | None = None
    """For a text: whether the answer may hold several lines. By default an identity text
    (a name, an address) is one line and a theme's text (a description for the reviewers)
    may hold several; a control character is never accepted (``TXT001``)."""


class Theme(StrictModel):
    """``questionnaire/themes/<id>.yaml``."""

    id: str
    title: LangText
    description: LangText
    items: list[Item] = Field(min_length=1)


class Group(StrictModel):
    """Optional questions shown together behind one line that the venue opens (``groups``
    of ``questionnaire.yaml``): details that feed an export and change no decision, which a
    venue may leave aside with one glance rather than pass over one by one."""

    id: str
    label: LangText
    """What the line says (« Compléter la fiche publiée du lieu »)."""
    help: OptionalLangText | None = None
    items: list[str] = Field(min_length=1)
    """The questions, by id: optional, unscored, in this order in the questionnaire."""


class Questionnaire(StrictModel):
    """``questionnaire/questionnaire.yaml``."""

    id: str
    version: SemVer
    title: LangText
    description: LangText
    license: str
    schema_url: HttpUrl | None = None
    """Where the application JSON Schema is published (used in the template's modeline)."""
    themes: list[str] = Field(min_length=1)
    identity: list[Item] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)

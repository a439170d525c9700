"""The référentiel's file formats: the scheme (``referentiel.yaml``) and one service per file."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aptic_qualif.schema import Duration, HttpUrl, LaxDate, SemVer, StrictModel
from aptic_qualif.vocabularies import Modality


class LangText(StrictModel):
    """A text in French and English (both required)."""

    fr: str
    en: str


class OptionalLangText(StrictModel):
    """A text in French, with an English translation when there is one."""

    fr: str
    en: str | None = None


class LangList(StrictModel):
    """Lists of texts per language."""

    fr: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Publisher(StrictModel):
    name: str
    url: HttpUrl | None = None


class Level(StrictModel):
    """One of the three levels, the top concepts of the scheme."""

    id: str
    notation: str
    pref_label: LangText
    definition: LangText
    min_sessions: int | None = Field(default=None, ge=1, le=20)
    """The fewest sessions an active service of this level takes (``REF029``), if any."""


class Retired(StrictModel):
    """A tombstone: an identifier withdrawn for good, never to be reused."""

    id: str
    notation: str | None = None
    retired_in: SemVer
    reason: OptionalLangText | None = None


class Scheme(StrictModel):
    """``referentiel/referentiel.yaml``: the concept scheme and its metadata."""

    id: str
    version: SemVer
    modified: LaxDate
    title: LangText
    description: LangText
    license: str
    license_url: HttpUrl
    publisher: Publisher
    base_iri: HttpUrl
    levels: list[Level]
    retired: list[Retired] = Field(default_factory=list)


class Mappings(StrictModel):
    """Alignments with public vocabularies (see :mod:`aptic_qualif.vocabularies`)."""

    lieux_services: list[str] = Field(default_factory=list)
    crcn: list[str] = Field(default_factory=list)
    data_inclusion: list[str] = Field(default_factory=list)
    coop_thematiques: list[str] = Field(default_factory=list)
    """Thematiques of La Coop de la médiation numérique: how an activity recorded there
    reads in the catalogue's terms. Every active service has at least one from
    :data:`COOP_REQUIRED_FROM` on (``REF025``)."""


SESSIONS_REQUIRED_FROM = "2.0.0"
"""The référentiel version from which every service states ``sessions``: older releases
(read by ``catalogue diff --base``) have none."""

COOP_REQUIRED_FROM = "2.1.0"
"""The référentiel version from which every active service maps to at least one thematique
of La Coop de la médiation numérique; older releases have no such mapping."""

COHERENT_MAPPINGS_FROM = "3.0.0"
"""The référentiel version from which a service's mappings must agree with one another the way
their consumers check them (``REF027``: La Coop refuses a kind of administrative procedure
without ``aide_aux_demarches_administratives``); older releases were not held to it."""

MAX_SESSIONS = 20
"""A service needing more sessions than this is a training course, not a service."""


class Service(StrictModel):
    """``referentiel/services/<level>/<id>.yaml``: one digital-mediation service.

    ``typical_duration`` is the length of **one** session, and ``sessions`` the typical
    number of sessions a person needs to reach the learning outcomes: for a pass scheme,
    how many passes the service takes. Required from version 2.0.0 on (checked with the
    catalogue: ``SCH001``), between 1 and :data:`MAX_SESSIONS` (``REF024``).
    """

    id: str
    notation: str
    level: str
    status: Literal["active", "deprecated"]
    added_in: SemVer
    deprecated_in: SemVer | None = None
    replaced_by: str | None = None
    history_note: OptionalLangText | None = None
    pref_label: LangText
    alt_labels: LangList = Field(default_factory=LangList)
    definition: LangText
    learning_outcomes: LangList = Field(default_factory=LangList)
    modalities: list[Modality] = Field(min_length=1)
    typical_duration: Duration
    """Typical length of one session (ISO 8601), never a total over several sessions."""
    sessions: int | None = None
    """Typical number of sessions (« combien de pass pour ce service ? »)."""
    mappings: Mappings = Field(default_factory=Mappings)

    @property
    def active(self) -> bool:
        return self.status == "active"
